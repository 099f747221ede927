"""Disclosure control for the published version (DfE convention), across every table of the report.

Counts of 1 to 5 are shown as `c`. Suppression holds across the whole report,
not table by table: `Figures` collects every count the published report
prints (the findings, the Yes/Partly/No split, the breakdowns, the agency
groups, the rows received), the counts a reader could aim to work out from
them (a row's complement such as not met = assessed - met), and every sum
that ties them (a row's total, a breakdown's column adding up to the
headline figure, the agency groups' returns adding up to the returns
received). `withheld_counts` then withholds the smallest set it can find so
that no count of 1 to 5, printed or implied, can be worked out from what is
published: primary suppression of the small printed counts, then, while a
small count can still be worked out, the smallest printed count whose
withholding stops it, and finally every secondary cell that is not needed
is shown again. A percentage or interval is shown only when both its counts
are shown and the base is 10 or more; `z` only when its base is published
as 0. `z` marks not applicable (nothing to measure).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# DfE symbols: the only place they are spelled.
SUPPRESSED = "c"
NOT_APPLICABLE_SYMBOL = "z"
NOT_AVAILABLE = "x"
WITHHELD_OR_NONE = (SUPPRESSED, NOT_APPLICABLE_SYMBOL)
SMALLEST_SHOWN = 6
SMALLEST_PERCENT_BASE = 10
FOOTNOTE = ("c = a count of 1 to 5, or a figure from which one could be worked out, withheld to protect "
            "children's identities; z = not applicable (no case to measure); x = not available. "
            "No percentage is shown for fewer than 10 cases. The number of audited cases a measure could not "
            "be assessed for (the cases audited less those assessed) is not treated as sensitive, and is not "
            "withheld.")

Key = tuple

# In prose a withheld figure is said, with why, where its value would stand (issue 22): the sentence makes the
# same claim as the board version's, only without the figure. Tables keep the DfE symbols.
WITHHELD_WORDS = "withheld (fewer than 6 children, or could reveal such a number)"
SMALL_BASE_WORDS = "withheld (fewer than 10 cases assessed)"
WITHHELD_AGAIN = "withheld"  # a second withheld figure in one sentence, its reason just given


def withheld_once(sentence: str) -> str:
    """A sentence with the reason for withholding given once: every later withheld figure reads "withheld"."""
    for words in (WITHHELD_WORDS, SMALL_BASE_WORDS):
        first = sentence.find(words)
        if first >= 0:
            head, tail = sentence[:first + len(words)], sentence[first + len(words):]
            sentence = head + tail.replace(words, WITHHELD_AGAIN)
    return sentence


def one_decimal(values: pd.Series) -> pd.Series:
    """Percentages as text to one decimal place; nothing to measure is `z`."""
    return values.map(lambda v: f"{v:.1f}", na_action="ignore").astype(object).fillna(NOT_APPLICABLE_SYMBOL)


def small_count_shown(counts: pd.Series) -> pd.Series:
    """Counts as text with the small ones (1 to 5) withheld, for a list whose total is not published."""
    return counts.astype(int).astype(str).where(~_small(counts), SUPPRESSED)


def _small(values: pd.Series) -> pd.Series:
    return (values >= 1) & (values < SMALLEST_SHOWN)


def is_small(value: int) -> bool:
    """A count of 1 to 5: never published, nor anything from which it could be worked out."""
    return 1 <= value < SMALLEST_SHOWN


# --- the whole report's counts and the sums that tie them ------------------------

@dataclass
class Figures:
    """Every count of the published report, printed or implied, and the sums a reader knows tie them.

    `printed` counts appear in a table and may be withheld; `fixed` counts are published in the text
    (such as the number of cases audited) and never withheld; `implied` counts are printed nowhere but
    follow from others (a complement). Each relation says a total is the sum of its parts.
    """
    values: dict = field(default_factory=dict)
    printed: list = field(default_factory=list)
    fixed: set = field(default_factory=set)
    implied: set = field(default_factory=set)
    relations: list = field(default_factory=list)

    # What withholding a printed count costs the reader, when it is not its value: a count a published
    # percentage rests on costs more, so a total is withheld before the percentage is lost.
    costs: dict = field(default_factory=dict)

    def count(self, key: Key, value, kind: str = "printed", cost: int | None = None) -> Key:
        self.values[key] = int(value)
        if cost is not None:
            self.costs[key] = cost
        if kind == "printed":
            if key not in self.printed:
                self.printed.append(key)
        elif kind == "fixed":
            self.fixed.add(key)
        else:
            self.implied.add(key)
        return key

    def add_sum(self, total: Key, parts) -> bool:
        """Record that `total` is the sum of `parts` (only when the numbers do add up; returns whether)."""
        parts = tuple(parts)
        if self.values[total] != sum(self.values[p] for p in parts):
            return False
        self.relations.append((total, parts))
        return True

    def cost(self, key: Key) -> int:
        return self.costs.get(key, self.values[key])

    def parts(self) -> list["Figures"]:
        """The figures split into groups that no relation ties together (each can be protected alone)."""
        parent = {k: k for k in self.values}

        def root(k):
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for total, parts in self.relations:
            for part in parts:
                parent[root(part)] = root(total)
        groups: dict = {}
        for key in self.values:
            groups.setdefault(root(key), set()).add(key)
        split = []
        for keys in groups.values():
            split.append(Figures({k: v for k, v in self.values.items() if k in keys},
                                 [k for k in self.printed if k in keys], self.fixed & keys, self.implied & keys,
                                 [r for r in self.relations if r[0] in keys],
                                 {k: c for k, c in self.costs.items() if k in keys}))
        return split

    def sensitive(self) -> list[Key]:
        """Counts of 1 to 5, printed or implied, in a stable order."""
        keys = self.printed + sorted(self.implied, key=repr)
        return [k for k in keys if k not in self.fixed and is_small(self.values[k])]


def worked_out(figures: Figures, withheld: set) -> set[Key]:
    """The unpublished counts (withheld or implied) a reader can work out exactly from the published ones.

    A count is worked out when the relations fix it once the published counts are put in: it lies in
    the row space of the relations over the unknown counts (exact linear algebra in floating point on
    small whole-number matrices), or the relation leaves unknown counts that must add up to 0 (counts
    are never negative, so each is 0).
    """
    unknown = set(withheld) | (figures.implied - figures.fixed)
    known: dict = {k: v for k, v in figures.values.items() if k not in unknown}
    found: set = set()
    equations = []
    for total, parts in figures.relations:
        terms = {total: 1}
        for part in parts:
            terms[part] = terms.get(part, 0) - 1
        equations.append(terms)
    changed = True
    while changed:  # counts forced to 0 by a sum of unknown counts that must be 0
        changed = False
        for terms in equations:
            free = {k: c for k, c in terms.items() if k not in known}
            if not free:
                continue
            rest = -sum(c * known[k] for k, c in terms.items() if k in known)
            signs = {np.sign(c) for c in free.values() if c}
            if rest == 0 and len(signs) == 1:
                for k in free:
                    known[k] = 0
                    found.add(k)
                changed = True
    columns = sorted((k for k in unknown if k not in known), key=repr)
    if not columns:
        return found
    index = {k: i for i, k in enumerate(columns)}
    rows = []
    for terms in equations:
        row = np.zeros(len(columns))
        for k, c in terms.items():
            if k in index:
                row[index[k]] += c
        if row.any():
            rows.append(row)
    if not rows:
        return found
    matrix = np.array(rows)
    _, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > 1e-9 * max(1.0, singular.max())).sum())
    null = vt[rank:]  # rows spanning the null space: directions the relations leave free
    free = np.abs(null).max(axis=0) > 1e-9 if len(null) else np.zeros(len(columns), bool)
    return found | {k for k, is_free in zip(columns, free) if not is_free}


def exposed(figures: Figures, withheld: set) -> list[Key]:
    """Counts of 1 to 5 that are printed unwithheld or can be worked out from what is published."""
    derived = worked_out(figures, withheld)
    return [k for k in figures.sensitive() if (k not in withheld and k not in figures.implied) or k in derived]


def _neighbours(figures: Figures, key: Key) -> list[Key]:
    """Printed counts that share a relation with `key`."""
    near = []
    for total, parts in figures.relations:
        members = (total, *parts)
        if key in members:
            near += [m for m in members if m != key and m in figures.values and m not in figures.fixed
                     and m not in figures.implied]
    return list(dict.fromkeys(near))


def withheld_counts(figures: Figures) -> set[Key]:
    """The printed counts to show as `c`: primary (1 to 5), then the least secondary suppression that works.

    While a count of 1 to 5 can be worked out, the cheapest printed count sharing a relation with it whose
    withholding stops that is withheld (the cheapest in play when no single one does); then each secondary
    count is shown again, the largest first, when nothing can be worked out without it.
    """
    withheld: set = set()
    for part in figures.parts():
        if part.sensitive():
            withheld |= _withheld_in(part)
    return withheld


def _withheld_in(figures: Figures) -> set[Key]:
    withheld = {k for k in figures.printed if k not in figures.fixed and is_small(figures.values[k])}
    primary = set(withheld)
    order = {k: i for i, k in enumerate(figures.printed)}
    while True:
        still = exposed(figures, withheld)
        if not still:
            break
        target = still[0]
        candidates = [k for k in _neighbours(figures, target) if k not in withheld]
        if not candidates:  # reached through a longer chain: any printed count in play
            candidates = [k for k in figures.printed if k not in withheld and k not in figures.fixed]
        if not candidates:
            break
        candidates.sort(key=lambda k: (figures.values[k] == 0, figures.cost(k), order[k]))
        chosen = next((k for k in candidates if target not in exposed(figures, withheld | {k})), candidates[0])
        withheld.add(chosen)
    # Show again every secondary cell that is not needed, the largest first.
    for key in sorted(withheld - primary, key=lambda k: (-figures.cost(k), -order[k])):
        if not exposed(figures, withheld - {key}):
            withheld.discard(key)
    return withheld


def percent_text(percent: float, part_withheld: bool, whole_withheld: bool, whole: int) -> str:
    """A percentage (or interval limit) as published: `c` unless both counts are shown and the base is 10+."""
    if whole_withheld:
        return SUPPRESSED
    if whole == 0:
        return NOT_APPLICABLE_SYMBOL
    if part_withheld or whole < SMALLEST_PERCENT_BASE or pd.isna(percent):
        return SUPPRESSED
    return f"{percent:.1f}"


def count_text(value: int, withheld: bool) -> str:
    return SUPPRESSED if withheld else str(int(value))


# --- one table at a time (tables no other published figure ties to) ------------

def suppression_mask(table: pd.DataFrame, count_columns: list[str], pairs: list[tuple[str, str]] = (),
                     column_totals: bool = True) -> pd.DataFrame:
    """Which count cells of one table to withhold, the table standing alone.

    `pairs` are (part, whole) columns in one row, such as (met, assessed): the complement
    whole - part is protected too. With `column_totals`, each column's total is taken as
    published elsewhere. Built on `Figures`, so the rule is the report's.
    """
    figures = Figures()
    for row in table.index:
        for column in count_columns:
            figures.count((row, column), table.at[row, column])
        for part, whole in pairs:
            complement = figures.count((row, f"{whole}-{part}"), table.at[row, whole] - table.at[row, part], "implied")
            figures.add_sum((row, whole), [(row, part), complement])
    for column in count_columns if column_totals else ():
        total = figures.count(("total", column), table[column].sum(), "fixed")
        figures.add_sum(total, [(row, column) for row in table.index])
    withheld = withheld_counts(figures)
    return pd.DataFrame({column: [(row, column) in withheld for row in table.index] for column in count_columns},
                        index=table.index)


def apply_suppression(table: pd.DataFrame, count_columns: list[str], pairs: list[tuple[str, str]] = (),
                      percent_columns: dict[str, tuple[str, str]] | None = None,
                      column_totals: bool = True, mask: pd.DataFrame | None = None) -> pd.DataFrame:
    """The table as text for publication: withheld counts as `c`, percentages withheld as `c`.

    `percent_columns` maps a percent (or interval) column to its (part, whole) counts. `mask` gives
    the cells to withhold when they were decided across the report; otherwise the table stands alone.
    """
    if mask is None:
        mask = suppression_mask(table, count_columns, pairs, column_totals)
    shown = table.astype(object).copy()
    for column in count_columns:
        shown[column] = [count_text(v, m) for v, m in zip(table[column], mask[column])]
    for column, (part, whole) in (percent_columns or {}).items():
        shown[column] = [percent_text(p, mp, mw, int(w)) for p, mp, mw, w
                         in zip(table[column], mask[part], mask[whole], table[whole])]
    return shown


# --- the report's published tables as one set of figures ---------------------------

def measure_key(measure_id: str, what: str) -> Key:
    """A findings count: met, assessed, not_met (implied), partly, no (implied)."""
    return ("measure", measure_id, what)


def breakdown_key(dimension: str, measure_id: str, group: str, what: str) -> Key:
    return ("breakdown", dimension, measure_id, group, what)


def agency_key(group: str, what: str) -> Key:
    return ("agency", group, what)


def rows_key(sheet: str, outcome: str) -> Key:
    return ("rows", sheet, outcome)


# Agency-group counts: each (part, whole) pair's complement is a count a reader could aim to work out.
AGENCY_COUNTS = ("returns", "attended", "reports_submitted", "reports_shared_in_time")
AGENCY_PAIRS = (("attended", "returns"), ("reports_submitted", "returns"),
                ("reports_shared_in_time", "reports_submitted"))
INCLUDED = "included"
PERCENT_COST = 1000  # added to the cost of a count a published percentage rests on
CASES_SHEET, RETURNS_SHEET = "Cases", "Agency returns"


def add_findings(figures: Figures, findings: pd.DataFrame, split: pd.DataFrame | None = None) -> None:
    """Each measure's met and assessed (printed) and not met (implied); Partly (printed) and No (implied)."""
    partly = {} if split is None else split.set_index("measure_id")["partly"].to_dict()
    for _, row in findings.iterrows():
        met = figures.count(measure_key(row["measure_id"], "met"), row["numerator"])
        assessed = figures.count(measure_key(row["measure_id"], "assessed"), row["denominator"])
        not_met = figures.count(measure_key(row["measure_id"], "not_met"), row["denominator"] - row["numerator"],
                                "implied")
        figures.add_sum(assessed, [met, not_met])
        if row["measure_id"] in partly:
            count = partly[row["measure_id"]]
            shown = figures.count(measure_key(row["measure_id"], "partly"), count)
            no = figures.count(measure_key(row["measure_id"], "no"), figures.values[not_met] - count, "implied")
            figures.add_sum(not_met, [shown, no])


def add_breakdown(figures: Figures, dimension: str, table: pd.DataFrame) -> None:
    """A breakdown's met and assessed by group; each measure's groups add up to its headline figure."""
    for measure_id, rows in table.groupby("measure_id", sort=False):
        for what, column in (("met", "met"), ("assessed", "assessed")):
            parts = [figures.count(breakdown_key(dimension, measure_id, g, what), v)
                     for g, v in zip(rows["group"], rows[column])]
            if measure_key(measure_id, what) in figures.values:
                figures.add_sum(measure_key(measure_id, what), parts)
        for group, met, assessed in zip(rows["group"], rows["met"], rows["assessed"]):
            not_met = figures.count(breakdown_key(dimension, measure_id, group, "not_met"), assessed - met, "implied")
            figures.add_sum(breakdown_key(dimension, measure_id, group, "assessed"),
                            [breakdown_key(dimension, measure_id, group, "met"), not_met])


def add_agency_groups(figures: Figures, table: pd.DataFrame) -> None:
    """Returns, attendance and reports by agency group; the groups' returns add up to the returns received."""
    for _, row in table.iterrows():
        for column in AGENCY_COUNTS:
            rests_a_percentage = column in ("reports_submitted", "reports_shared_in_time")
            figures.count(agency_key(row["agency_group"], column), row[column],
                          cost=PERCENT_COST + row[column] if rests_a_percentage else None)
        for part, whole in AGENCY_PAIRS:
            rest = figures.count(agency_key(row["agency_group"], f"{whole} not {part}"), row[whole] - row[part],
                                 "implied")
            figures.add_sum(agency_key(row["agency_group"], whole), [agency_key(row["agency_group"], part), rest])
    received = rows_key(RETURNS_SHEET, INCLUDED)
    if received in figures.values:
        figures.add_sum(received, [agency_key(g, "returns") for g in table["agency_group"]])


def add_rows_received(figures: Figures, reconciliation: pd.DataFrame) -> None:
    """Rows received by outcome (printed); each sheet's total is in the text, and so is the number of cases."""
    for sheet, rows in reconciliation.groupby("sheet", sort=False):
        parts = [figures.count(rows_key(sheet, o), v, "fixed" if (sheet, o) == (CASES_SHEET, INCLUDED) else "printed")
                 for o, v in zip(rows["outcome"], rows["rows"])]
        figures.add_sum(figures.count(("rows total", sheet), rows["rows"].sum(), "fixed"), parts)


def breakdown_totals(breakdown: pd.DataFrame) -> pd.DataFrame:
    """Each measure's headline met and assessed, as the sums of a breakdown's groups."""
    totals = breakdown.groupby("measure_id", sort=False)[["met", "assessed"]].sum().reset_index()
    return totals.rename(columns={"met": "numerator", "assessed": "denominator"})


def report_figures(findings: pd.DataFrame | None, split: pd.DataFrame | None = None,
                   breakdowns: dict[str, pd.DataFrame] | None = None, agency_groups: pd.DataFrame | None = None,
                   reconciliation: pd.DataFrame | None = None) -> Figures:
    """Every count the published report prints, with what they imply and the sums that tie them."""
    figures = Figures()
    if reconciliation is not None:
        add_rows_received(figures, reconciliation)
    if findings is not None:
        add_findings(figures, findings, split)
    for dimension, table in (breakdowns or {}).items():
        add_breakdown(figures, dimension, table)
    if agency_groups is not None:
        add_agency_groups(figures, agency_groups)
    return figures
