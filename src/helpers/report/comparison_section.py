"""The report's "Since the last audit" section and the executive summary's sentence on it (spec section 9).

Built from what notebook 02 wrote: comparison.csv (one row per measure and earlier audit) and reaudit.json
(each earlier audit's window, population, children in both audits, measures lacking a column and
recommendations). Every word follows the verdict: a measure is "higher than in <earlier audit>" or "lower
than in <earlier audit>" only when its verdict says so, and otherwise there is "no clear change"; no
sentence says a measure improved. The published version withholds counts of 1 to 5 as the rest of the
report does (disclosure.py).
"""
from __future__ import annotations

import textwrap
from decimal import Decimal
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..domain.measures import MEASURE_IDS, SECONDARY
from ..measures.comparison import (
    HIGHER,
    LOWER,
    NO_CLEAR_CHANGE,
    NOT_COMPARABLE,
    SMALLEST_BASE_FOR_MARGIN,
    SMALLEST_COUNT_FOR_MARGIN,
    THIS_AUDIT,
    DetectableChange,
    carried_forward,
    clear_change_margins,
    detectable_change,
    direction_runs,
    margin_counts_suffice,
    newcombe_difference,
    recommendation_progress,
)
from . import charts
from .board_paper import back_to_contents, section_heading
from .disclosure import (
    NOT_AVAILABLE,
    SMALL_BASE_WORDS,
    SUPPRESSED,
    WITHHELD_OR_NONE,
    WITHHELD_WORDS,
    apply_suppression,
    is_small,
    one_decimal,
    withheld_once,
)
from .narrative import exact_percent, half_up, rounded_percent, standard_text, table_percent, whole_percent
from .sections import PUBLISHED, esc, findings_display, html_table

EARLIER_COLOUR = "#F46A25"  # Analysis Function orange beside the focus dark blue
MIN_AUDITS_FOR_TREND = 3
VERDICT_WORDS = {HIGHER: "higher", LOWER: "lower", NO_CLEAR_CHANGE: "no clear change",
                 NOT_COMPARABLE: "not comparable"}


# --- which rows -----------------------------------------------------------------

def most_recent(reaudit: dict) -> dict:
    """The earlier audit the verdicts compare with (reaudit.json lists them oldest first)."""
    return reaudit["earlier"][-1]


def latest_rows(comparison: pd.DataFrame, reaudit: dict, findings: pd.DataFrame) -> pd.DataFrame:
    """The comparison with the most recent earlier audit, in declaration order, with both audits' unrounded
    percent and Wilson limits (each with its own population) and the measure's key line."""
    earlier = most_recent(reaudit)
    rows = comparison[comparison["earlier_audit"] == earlier["name"]].set_index("measure_id").reindex(
        list(findings["measure_id"]) if "measure_id" in findings else list(MEASURE_IDS))
    limits = newcombe_difference(rows["numerator"].fillna(0), rows["denominator"].fillna(0),
                                 rows["earlier_numerator"].fillna(0), rows["earlier_denominator"].fillna(0),
                                 reaudit["audit"].get("population"), earlier.get("population"))
    # Unrounded: prose and tables round them once (the difference itself exactly, from the counts).
    unrounded = ["percent", "ci_lower", "ci_upper", "earlier_percent", "earlier_ci_lower", "earlier_ci_upper",
                 "difference_ci_lower", "difference_ci_upper"]
    rows = rows.drop(columns=["percent", "earlier_percent", "difference_ci_lower", "difference_ci_upper"]).join(
        limits[unrounded])
    rows["kloe"] = findings.set_index("measure_id")["kloe"].reindex(rows.index)
    rows["missing_column"] = rows.index.isin(earlier.get("not_comparable_missing_column", []))
    return rows.reset_index()


def current_shown(findings: pd.DataFrame, version: str, withheld: set | None) -> pd.DataFrame | None:
    """This audit's figures exactly as the rest of the published report shows them (by measure_id), so the
    comparison withholds what every other table withholds and reveals nothing they protect; None for the
    board version or when the report-wide decision is not given."""
    if version != PUBLISHED or withheld is None:
        return None
    display = findings_display(findings, version, withheld)
    return pd.DataFrame({"percent": display["% met"].to_numpy(), "interval": display["95% interval (%)"].to_numpy(),
                         "counts": [m if SUPPRESSED in (m, a) else f"{m} / {a}"
                                    for m, a in zip(display["Met"], display["Assessed"])]},
                        index=findings["measure_id"].to_numpy())


def shown_rows(rows: pd.DataFrame, version: str, current: pd.DataFrame | None = None) -> pd.DataFrame:
    """Both audits' numbers as the table shows them: text, with counts of 1 to 5 (and any percentage on fewer
    than 10 cases) withheld in the published version, and `x` for a question the earlier workbook lacked.

    `current` (from `current_shown`) gives this audit's side as the whole published report decided it.
    """
    shown = pd.DataFrame(index=rows.index)
    for prefix in ("earlier_", ""):
        numerator = rows[f"{prefix}numerator"].fillna(0).astype(int)
        denominator = rows[f"{prefix}denominator"].fillna(0).astype(int)
        side = pd.DataFrame({"numerator": numerator, "denominator": denominator,
                             "percent": table_percent(numerator, denominator), "ci_lower": rows[f"{prefix}ci_lower"],
                             "ci_upper": rows[f"{prefix}ci_upper"]})
        if version == PUBLISHED:
            text = apply_suppression(side, ["numerator", "denominator"], pairs=[("numerator", "denominator")],
                                     percent_columns={c: ("numerator", "denominator")
                                                      for c in ("percent", "ci_lower", "ci_upper")},
                                     column_totals=False)
        else:
            text = side.astype(object)
            for column in ("percent", "ci_lower", "ci_upper"):
                text[column] = one_decimal(side[column])
        if prefix:
            lacking = rows["missing_column"].to_numpy()
            text.loc[lacking, :] = NOT_AVAILABLE
        shown[f"{prefix}percent"] = text["percent"]
        shown[f"{prefix}interval"] = [lo if lo in WITHHELD_OR_NONE + (NOT_AVAILABLE,) else f"{lo} to {hi}"
                                      for lo, hi in zip(text["ci_lower"], text["ci_upper"])]
        shown[f"{prefix}counts"] = [n if n in (SUPPRESSED, NOT_AVAILABLE) else f"{n} / {d}"
                                    for n, d in zip(text["numerator"], text["denominator"])]
    if current is not None:
        for column in ("percent", "interval", "counts"):
            shown[column] = current[column].reindex(rows["measure_id"]).to_numpy()
    withheld = shown["earlier_percent"].eq(SUPPRESSED) | shown["percent"].eq(SUPPRESSED)
    comparable = rows["verdict"] != NOT_COMPARABLE
    # The change a table prints is the difference of the one-decimal percentages it prints beside it.
    shown["difference"] = np.where(comparable, [_points(printed_difference(r, 1)) if ok else ""
                                                for ok, (_, r) in zip(comparable, rows.iterrows())],
                                   NOT_APPLICABLE_TEXT)
    shown["difference_interval"] = np.where(
        comparable, [f"{_points(lo)} to {_points(hi)}" for lo, hi in
                     zip(rows["difference_ci_lower"], rows["difference_ci_upper"])], NOT_APPLICABLE_TEXT)
    shown["verdict"] = rows["verdict"].astype(str)
    # The verdict is not a count and stays: a withheld figure never turns a verdict into a different claim.
    for column in ("difference", "difference_interval"):
        shown.loc[withheld, column] = SUPPRESSED
    return shown


NOT_APPLICABLE_TEXT = "z"


def exact_difference(row: pd.Series) -> Fraction:
    """Now minus then in percentage points, exactly, from both audits' counts (both denominators above 0)."""
    return (exact_percent(row["numerator"], row["denominator"])
            - exact_percent(row["earlier_numerator"], row["earlier_denominator"]))


def _points(value) -> str:
    """A change in points to one decimal (halves away from 0), signed; never "-0.0"."""
    if not isinstance(value, Fraction) and pd.isna(value):
        return ""
    return f"{half_up(Fraction(value), 1):+.1f}"


def _whole_points(value) -> str:
    """Points in prose: whole (halves away from 0), signed except 0."""
    points = int(half_up(Fraction(value)))
    return f"{points:+d}" if points else "0"


def _points_phrase(value: float) -> str:
    text = _whole_points(value)
    return f"{text} point{'' if text in ('+1', '-1') else 's'}"


# --- words ---------------------------------------------------------------------------

def printed_difference(row: pd.Series, places: int = 0) -> Decimal:
    """Now minus then as the reader can check it: the difference of the two percentages as printed (whole
    numbers in prose, one decimal in tables), each rounded once, half up, from its counts (issue 22).
    The verdict and the interval still come from the unrounded figures (spec section 9)."""
    return (rounded_percent(row["numerator"], row["denominator"], places)
            - rounded_percent(row["earlier_numerator"], row["earlier_denominator"], places))


def _withheld_reason(percent_text: str, counts_text: str) -> str:
    """Why a percentage of the comparison is not given: a withheld count, or fewer than 10 cases."""
    return WITHHELD_WORDS if SUPPRESSED in str(counts_text).split(" / ") else SMALL_BASE_WORDS


def change_figures(row: pd.Series, shown: pd.Series | None = None) -> dict:
    """Now, then and the change as a sentence gives them; `shown` (a row of `shown_rows`, published version)
    turns each withheld one into "withheld (...)" where its value would stand."""
    figures = {"now": whole_percent(row["numerator"], row["denominator"]),
               "then": whole_percent(row["earlier_numerator"], row["earlier_denominator"]),
               "change": _points_phrase(printed_difference(row)),
               "interval": (f"{_whole_points(row['difference_ci_lower'])} to "
                            f"{_whole_points(row['difference_ci_upper'])}")}
    if shown is None:
        return figures
    reasons = []
    for side, prefix in (("now", ""), ("then", "earlier_")):
        if shown[f"{prefix}percent"] == SUPPRESSED:
            figures[side] = _withheld_reason(shown[f"{prefix}percent"], shown[f"{prefix}counts"])
            reasons.append(figures[side])
    if reasons:
        figures["change"] = figures["interval"] = WITHHELD_WORDS if WITHHELD_WORDS in reasons else SMALL_BASE_WORDS
    return figures


def change_sentence(row: pd.Series, earlier_name: str, shown: pd.Series | None = None) -> str:
    """One measure now against the earlier audit, in words that follow its verdict exactly.

    The change is the difference of the two printed whole percentages, so the sentence adds up; its
    interval and the verdict come from the unrounded figures. `shown` (published version): the same
    sentence with each withheld figure said as withheld.
    """
    label, verdict = row["label"], row["verdict"]
    if verdict == NOT_COMPARABLE:
        why = ("the earlier workbook did not ask this question" if row.get("missing_column", False)
               else "no case could be assessed on it in one of the two audits")
        return f"{label}: not comparable with {earlier_name} ({why})."
    figures = change_figures(row, shown)
    interval = f"a change of {figures['change']}, 95% interval {figures['interval']}"
    now_then = f"{figures['now']} now against {figures['then']}"
    if verdict in (HIGHER, LOWER):
        return withheld_once(f"{label}: {now_then}, {verdict} than in {earlier_name} ({interval}).")
    return withheld_once(f"{label}: {now_then} in {earlier_name}: no clear change ({interval}, which includes no "
                         "change).")


def summary_sentence(comparison: pd.DataFrame | None, reaudit: dict | None, findings: pd.DataFrame,
                     version: str, withheld: set | None = None) -> str:
    """The executive summary's words on the re-audit: how many measures are higher, lower and show no clear
    change since the last audit, naming them, and what became of its recommendations. Empty with no
    earlier audit. One line per point; the lines starting "- " are read as a list (`board_paper`)."""
    if comparison is None or not reaudit or not reaudit.get("earlier"):
        return ""
    earlier = most_recent(reaudit)
    rows = latest_rows(comparison, reaudit, findings)
    verdicts = shown_rows(rows, version, current_shown(findings, version, withheld))["verdict"]
    groups = {v: rows.loc[verdicts == v, "label"].tolist() for v in (HIGHER, LOWER, NO_CLEAR_CHANGE)}
    parts = [f"Since the last audit ({short_name(earlier).removeprefix('the audit of ')}), of all {len(rows)} "
             "measures:"]
    parts += [f"- {_count(len(names))} {_verb(len(names), verdict)}" + (f" ({', '.join(names)})" if names else "")
              for verdict, names in groups.items()]
    others = rows.loc[verdicts == NOT_COMPARABLE, "label"].tolist()
    if others:
        parts.append(f"- {_count(len(others))} could not be compared ({', '.join(others)})")
    progress = progress_rows(reaudit, comparison)
    if progress is not None and not progress.empty:
        per_rec = progress.drop_duplicates("recommendation_number")
        complete = int(per_rec["status"].str.casefold().eq("complete").fillna(False).sum())
        targets = progress[progress["target_met"].notna()]
        parts.append(f"Of its {len(per_rec)} recommendation{'s' if len(per_rec) != 1 else ''}, {complete} "
                     f"{'is' if complete == 1 else 'are'} complete and {int(per_rec['overdue'].sum())} overdue; "
                     f"{int(targets['target_met'].sum())} of {len(targets)} measure targets are now met.")
    return "\n".join(parts)


def _count(n: int) -> str:
    return f"{n} measure{'s' if n != 1 else ''}" if n else "no measure"


def _verb(n: int, verdict: str) -> str:
    if verdict == NO_CLEAR_CHANGE:
        return "show no clear change" if n != 1 else "shows no clear change"
    return f"{'are' if n != 1 else 'is'} {verdict}"


def key_line_detectable_change(rows: pd.DataFrame) -> DetectableChange | None:
    """How large a change in a key-line measure this pair of audits could show as clear (spec section 9's
    interval at the observed rates), over the key-line measures with enough cases in both audits
    (`margin_counts_suffice`). `rows` as `latest_rows` gives them."""
    margins = clear_change_margins(rows["ci_lower"], rows["ci_upper"], rows["earlier_ci_lower"],
                                   rows["earlier_ci_upper"], rows["percent"], rows["earlier_percent"])
    entered = ((rows["kloe"] != SECONDARY) & ~rows["missing_column"]
               & margin_counts_suffice(rows["numerator"], rows["denominator"])
               & margin_counts_suffice(rows["earlier_numerator"], rows["earlier_denominator"]))
    return detectable_change(margins, entered)


def detectable_change_sentence(rows: pd.DataFrame, reaudit: dict) -> str:
    """What "no clear change" means for this pair of audits, in points: the same words in both versions (the
    figures come only from measures with no small count in either audit, `margin_counts_suffice`)."""
    earlier = most_recent(reaudit)
    now, then = reaudit["audit"].get("cases"), earlier.get("cases")
    cases = (f"about {now} cases in each audit" if now == then
             else f"{now} cases in this audit and {then} in {short_name(earlier)}")
    found = key_line_detectable_change(rows)
    if found is None:
        return (f"No clear change does not mean no change. With {cases}, no key-line measure had "
                f"{SMALLEST_BASE_FOR_MARGIN} or more cases assessed in both audits with at least "
                f"{SMALLEST_COUNT_FOR_MARGIN} meeting and {SMALLEST_COUNT_FOR_MARGIN} not meeting it, so only very "
                "large changes could be told apart from chance.")
    typical, lowest, highest = (_whole_points(abs(v)).lstrip("+") for v in (found.typical, found.lowest,
                                                                            found.highest))
    spread = "" if lowest == highest else (
        f" (from {lowest} to {highest} points across the {found.measures} key-line measures with enough cases: a "
        "measure nearer 50%, or with fewer cases assessed, needs a larger change)")
    return (f"No clear change does not mean no change. With {cases}, only changes of about {typical} points "
            f"or more in a key-line measure can be told apart from chance{spread}; a smaller real change shows as "
            "no clear change.")


def method_note(comparison: pd.DataFrame | None, reaudit: dict | None, findings: pd.DataFrame) -> str:
    """For the method section: how the comparison with the last audit decides a change, and how large a change
    this pair of audits could show; empty with no earlier audit."""
    if comparison is None or not reaudit or not reaudit.get("earlier"):
        return ""
    rows = latest_rows(comparison, reaudit, findings)
    return ("Each measure is compared with the last audit by the difference of the two percentages, with a 95% "
            "interval (Newcombe's hybrid score method from each audit's Wilson interval); a change is called "
            "higher or lower only when that interval lies wholly above or below 0. "
            + detectable_change_sentence(rows, reaudit))


def independence_sentences(current: dict, earlier: dict, version: str) -> list[str]:
    """Children in both audits (the intervals assume independent samples) and whether the windows overlap."""
    if not earlier.get("overlap_checked"):
        first = ("Overlap could not be checked: the two audits' case references were pseudonymised with "
                 "different keys (or the earlier key was not recorded), so a child in both audits cannot be "
                 "matched. The intervals assume that no child is in both.")
    else:
        overlap = int(earlier["overlapping_cases"])
        if overlap == 0:
            first = ("No child is in both audits (checked on the pseudonymised case ids), so the two samples are "
                     "independent, as the intervals assume.")
        else:
            count = WITHHELD_WORDS if version == PUBLISHED and is_small(overlap) else str(overlap)
            first = (f"The number of children in both audits (the same pseudonymised case id) is {count}. The "
                     "intervals assume two independent samples, so the verdicts are approximate.")
    if earlier.get("windows_overlap"):
        second = (f"The audits' windows overlap ({_window(earlier)} earlier; {_window(current)} now): "
                  "conferences in the shared period could be in both samples.")
    else:
        second = f"The windows do not overlap ({_window(earlier)} earlier; {_window(current)} now)."
    return [first, second]


def short_name(audit: dict) -> str:
    """How the sentences name an earlier audit once the section has given its title: by its months
    ("the audit of October 2024 to March 2025"), or by its title when its window is not known."""
    start, end = audit.get("window_start"), audit.get("window_end")
    if not (start and end):
        return audit["name"]
    return f"the audit of {pd.Timestamp(start):%B %Y} to {pd.Timestamp(end):%B %Y}"


def _window(audit: dict) -> str:
    start, end = audit.get("window_start"), audit.get("window_end")
    fmt = lambda d: pd.Timestamp(d).strftime("%-d %B %Y") if d else "not stated"  # noqa: E731
    return f"{fmt(start)} to {fmt(end)}"


# --- charts --------------------------------------------------------------------------

def change_chart(rows: pd.DataFrame, earlier_name: str) -> plt.Figure:
    """A dot chart: each measure earlier (hollow orange) and now (filled blue), each with its 95% interval,
    joined by a thin line. Rows as given, top to bottom; every row must have both percentages."""
    charts.use_style()
    rows = rows.reset_index(drop=True)
    figure, axis = plt.subplots(figsize=(charts.FIGURE_WIDTH, 1.2 + charts.BAR_SPACING_IN * len(rows)), dpi=charts.DPI)
    y = np.arange(len(rows))[::-1].astype(float)
    offset = 0.16
    for position, (_, row) in zip(y, rows.iterrows()):  # earlier to now, one thin segment per measure
        axis.plot([row["earlier_percent"], row["percent"]], [position + offset, position - offset], color="#A6A6A6",
                  linewidth=1, zorder=1)
    for shift, prefix, colour, face, name in ((offset, "earlier_", EARLIER_COLOUR, "white", "Earlier audit"),
                                              (-offset, "", charts.FOCUS, charts.FOCUS, "This audit")):
        axis.hlines(y + shift, rows[f"{prefix}ci_lower"], rows[f"{prefix}ci_upper"], color=colour, linewidth=2,
                    zorder=2)
        axis.scatter(rows[f"{prefix}percent"], y + shift, s=46, facecolor=face, edgecolor=colour, linewidth=1.8,
                     zorder=3, label=name)
    for position, (_, row) in zip(y, rows.iterrows()):
        axis.text(101.5, position, f"{whole_percent(row['earlier_numerator'], row['earlier_denominator'])} → "
                  f"{whole_percent(row['numerator'], row['denominator'])}  "
                  f"{VERDICT_WORDS[row['verdict']]}", va="center", ha="left", color=charts.TEXT, fontsize=9)
    axis.set_yticks(y, [textwrap.fill(label, 28) for label in rows["label"]], color=charts.TEXT)
    axis.set_xlim(0, 160)  # room on the right for the direct labels
    axis.spines["bottom"].set_bounds(0, 100)
    axis.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    axis.grid(axis="x", color="#D9D9D9")
    axis.grid(axis="y", visible=False)
    axis.legend(loc="lower center", bbox_to_anchor=(0.36, 1.0), ncol=2, frameon=False, fontsize=9)
    figure.tight_layout()
    return figure


def change_chart_title(rows: pd.DataFrame) -> str:
    """The chart's title: the verdicts of the key-line measures it shows, said to be key-line measures (the
    executive summary counts every measure)."""
    counts = rows["verdict"].value_counts()
    return (f"Key-line measures: {counts.get(HIGHER, 0)} higher, {counts.get(LOWER, 0)} lower, "
            f"{counts.get(NO_CLEAR_CHANGE, 0)} no clear change")


def change_chart_html(rows: pd.DataFrame, earlier_name: str, current: dict) -> str:
    title = change_chart_title(rows)
    then = table_percent(rows["earlier_numerator"], rows["earlier_denominator"])
    now = table_percent(rows["numerator"], rows["denominator"])
    alt = ("Dot chart of the key-line measures in the earlier audit and now, each with its 95% interval. "
           + "; ".join(f"{r['label']}: {e:.1f}% (95% interval {r['earlier_ci_lower']:.1f}% to "
                       f"{r['earlier_ci_upper']:.1f}%) earlier, {c:.1f}% ({r['ci_lower']:.1f}% to "
                       f"{r['ci_upper']:.1f}%) now, {VERDICT_WORDS[r['verdict']]}"
                       for e, c, (_, r) in zip(then, now, rows.iterrows()))
           + ".")
    caption = (f"Percentage of audited cases meeting each key-line standard in {earlier_name} (hollow) and in this "
               f"audit (filled), with 95% intervals. A measure is higher or lower only when the 95% interval of "
               f"its change lies wholly above or below 0.")
    return charts.figure_html(change_chart(rows, earlier_name), title, alt, caption)


def trend_series(comparison: pd.DataFrame, reaudit: dict, findings: pd.DataFrame) -> pd.DataFrame:
    """Every audit's key-line measures, oldest first: audit, measure_id, label, percent, ci_lower, ci_upper."""
    from ..measures.findings import wilson_interval

    frames = []
    for order, earlier in enumerate(reaudit["earlier"]):
        rows = comparison[comparison["earlier_audit"] == earlier["name"]]
        lower, upper = wilson_interval(rows["earlier_numerator"].fillna(0).astype(float),
                                       rows["earlier_denominator"].fillna(0).astype(float),
                                       earlier.get("population"))
        frames.append(pd.DataFrame({"order": order, "audit": _short(earlier), "measure_id": rows["measure_id"],
                                    "label": rows["label"], "percent": rows["earlier_percent"],
                                    "ci_lower": lower, "ci_upper": upper,
                                    "numerator": rows["earlier_numerator"],
                                    "denominator": rows["earlier_denominator"]}))
    frames.append(pd.DataFrame({"order": len(reaudit["earlier"]), "audit": "This audit",
                                "measure_id": findings["measure_id"], "label": findings["label"],
                                "percent": findings["percent"], "ci_lower": findings["ci_lower"],
                                "ci_upper": findings["ci_upper"], "numerator": findings["numerator"],
                                "denominator": findings["denominator"]}))
    series = pd.concat(frames, ignore_index=True)
    key_lines = findings.loc[findings["kloe"] != SECONDARY, "measure_id"]
    return series[series["measure_id"].isin(key_lines)]


def _short(audit: dict) -> str:
    end = audit.get("window_end")
    return f"to {pd.Timestamp(end):%b %Y}" if end else audit["name"][:20]


RUN_COLOUR = "#F46A25"  # Analysis Function orange: a graphic beside the focus blue, never text
RUN_WORDS = {"rising": "higher", "falling": "lower"}
RUN_NOTE = ("A run (marked in orange on the chart) is three or more audits in a row, each higher, or each lower, "
            "than the one before. It is a pattern to look at, not a test: each step may be no clear change.")


def trend_runs(series: pd.DataFrame) -> pd.DataFrame:
    """Each key-line measure's runs of three or more audits in one direction (`direction_runs`), on the exact
    percentages from the counts: measure_id, first and last (audit order) and direction. An audit missing from
    `series` (a figure withheld in this version) ends a run, so a run never rests on a withheld figure."""
    orders = sorted(series["order"].unique())
    found = []
    for measure_id, rows in series.groupby("measure_id", sort=False):
        by_order = rows.set_index("order").reindex(orders)
        exact = [exact_percent(n, d) if pd.notna(d) and d > 0 else None
                 for n, d in zip(by_order["numerator"], by_order["denominator"])]
        found += [{"measure_id": measure_id, "first": orders[a], "last": orders[b], "direction": way}
                  for a, b, way in direction_runs(exact)]
    return pd.DataFrame(found, columns=["measure_id", "first", "last", "direction"])


def run_words(runs: pd.DataFrame, measure_id: str, names: pd.Series) -> str:
    """A measure's runs for the trend table ("3 audits each higher than the one before: to Mar 2024, to Mar 2025,
    This audit"), or empty."""
    return "; ".join(f"{r['last'] - r['first'] + 1} audits each {RUN_WORDS[r['direction']]} than the one before: "
                     + ", ".join(names[o] for o in range(r["first"], r["last"] + 1))
                     for _, r in runs[runs["measure_id"] == measure_id].iterrows())


def trend_chart(series: pd.DataFrame, runs: pd.DataFrame | None = None) -> plt.Figure:
    """Small multiples, one panel per key-line measure: each audit's percentage with its 95% interval; a run of
    three or more audits in one direction (`trend_runs`) is drawn over the line in orange."""
    charts.use_style()
    measures = list(dict.fromkeys(series["measure_id"]))
    columns = 3
    panels = int(np.ceil(len(measures) / columns))
    figure, axes = plt.subplots(panels, columns, figsize=(charts.FIGURE_WIDTH, 2.1 * panels), dpi=charts.DPI,
                                sharex=True, sharey=True, squeeze=False)
    labels = series.drop_duplicates("order").sort_values("order")["audit"].tolist()
    for axis, measure_id in zip(axes.flat, measures):
        rows = series[series["measure_id"] == measure_id].sort_values("order")
        axis.plot(rows["order"], rows["percent"], color=charts.FOCUS, marker="o", linewidth=1.5)
        axis.vlines(rows["order"], rows["ci_lower"], rows["ci_upper"], color=charts.FOCUS, linewidth=1)
        for _, run in (runs[runs["measure_id"] == measure_id] if runs is not None else pd.DataFrame()).iterrows():
            stretch = rows[rows["order"].between(run["first"], run["last"])]
            axis.plot(stretch["order"], stretch["percent"], color=RUN_COLOUR, linewidth=4, alpha=0.8, zorder=1,
                      solid_capstyle="round")
        axis.set_title(textwrap.fill(rows["label"].iloc[0], 26), fontsize=charts.SMALLEST_TEXT_PT, loc="left")
        axis.set_ylim(0, 100)
        axis.set_yticks([0, 50, 100], ["0%", "50%", "100%"])
        axis.tick_params(labelsize=charts.SMALLEST_TEXT_PT)
    for axis in axes.flat[len(measures):]:
        axis.set_visible(False)
    for axis in axes[-1]:
        axis.set_xticks(range(len(labels)), labels, rotation=30, fontsize=charts.SMALLEST_TEXT_PT)
    figure.tight_layout()
    return figure


def trend_html(series: pd.DataFrame, version: str, current: pd.DataFrame | None = None) -> str:
    """The trend over three or more audits; this audit's percentages as `current` (the published report's
    decision) gives them."""
    series = series.assign(percent=table_percent(series["numerator"], series["denominator"]))
    shown = series
    if version == PUBLISHED:
        text = apply_suppression(series.assign(numerator=series["numerator"].fillna(0).astype(int),
                                               denominator=series["denominator"].fillna(0).astype(int)),
                                 ["numerator", "denominator"], pairs=[("numerator", "denominator")],
                                 percent_columns={c: ("numerator", "denominator")
                                                  for c in ("percent", "ci_lower", "ci_upper")},
                                 column_totals=False)
        if current is not None:
            this_audit = (series["order"] == series["order"].max()).to_numpy()
            text.loc[this_audit, "percent"] = current["percent"].reindex(
                series.loc[this_audit, "measure_id"]).to_numpy()
        shown = series[~text["percent"].isin(WITHHELD_OR_NONE)]
        table_values = text["percent"]
    else:
        table_values = one_decimal(series["percent"])
    table = (series.assign(value=table_values).pivot_table(index="label", columns="order", values="value",
                                                           aggfunc="first", sort=False))
    names = series.drop_duplicates("order").set_index("order")["audit"]
    runs = trend_runs(shown)
    ids = series.drop_duplicates("label").set_index("label")["measure_id"]
    table = table.rename(columns=lambda order: f"{names[order]} (%)").reset_index().rename(
        columns={"label": "Measure"})
    table["Run of 3 or more audits"] = [run_words(runs, ids[label], names) for label in table["Measure"]]
    alt = ("Small multiple line charts, one per key-line measure, of the percentage of cases meeting it in each "
           "audit from the oldest to this one, with 95% intervals; runs of three or more audits in one direction "
           "are marked in orange. The same numbers, and the runs, are in the table below.")
    if shown.empty:  # a small audit's published version: every figure of the chart is withheld
        figure = "<p>The trend chart is not shown: every figure in it is withheld in this version.</p>"
    else:
        figure = charts.figure_html(trend_chart(shown, runs), "Key-line measures in each audit", alt,
                                    "Percentage of audited cases meeting each key-line standard, audit by audit, "
                                    "with 95% intervals.")
    return (f"<p>{esc(RUN_NOTE)}</p>" + figure
            + html_table(table, "Key-line measures in each audit (% of cases)", numeric=tuple(table.columns[1:-1])))


# --- the recommendations of the last audit ----------------------------------------

def progress_rows(reaudit: dict, comparison: pd.DataFrame, today=None) -> pd.DataFrame | None:
    earlier = most_recent(reaudit)
    recommendations = pd.DataFrame(earlier.get("recommendations") or [])
    if recommendations.empty:
        return None
    today = today if today is not None else pd.Timestamp.today().normalize()
    return recommendation_progress(recommendations, comparison, today, earlier_audit=earlier["name"])


def carried_forward_of(recommendations: pd.DataFrame, reaudit: dict | None) -> pd.Series:
    """Which of this audit's recommendations are carried forward from an earlier audit (spec section 3b): listed by
    an earlier workbook the run compared with, or with the `raised` column filled."""
    earlier = [pd.DataFrame(e.get("recommendations") or []) for e in (reaudit or {}).get("earlier", [])]
    return carried_forward(recommendations, [e for e in earlier if "recommendation" in e])


STATUS_FROM_WORDS = {THIS_AUDIT: "this audit"}
NOT_LISTED_AGAIN = "last audit"
WHERE_TO_RECORD = ("Owner, due date, target and status are those of the latest workbook that lists the "
                   "recommendation ('Status from': this audit's workbook, or the last audit's when this one does "
                   "not list it again). To record their progress, list the last audit's "
                   "recommendations again in this audit's Recommendations sheet, with their current owner, due "
                   "date and status.")


def progress_table(progress: pd.DataFrame, shown: pd.DataFrame, version: str) -> pd.DataFrame:
    """One row per earlier recommendation and measure: the measure then and now with its verdict, target and
    whether it is now met, owner, due date, status and overdue."""
    by_measure = shown.set_index("measure_id")
    then = progress["measure_id"].map(by_measure["earlier_percent"])
    now = progress["measure_id"].map(by_measure["percent"])
    verdict = progress["measure_id"].map(by_measure["verdict"]).fillna(progress["verdict"])
    target_met = progress["target_met"].map({True: "met", False: "not met"}).astype(object)
    if version == PUBLISHED:  # whether a withheld figure reaches its target would say something about it
        target_met = target_met.where(~now.eq(SUPPRESSED), SUPPRESSED)
    status = progress["status"].fillna("not stated").astype(str) + np.where(progress["overdue"], " (overdue)", "")
    return pd.DataFrame({
        "Recommendation": [f"{n}. {text}" for n, text in zip(progress["recommendation_number"],
                                                               progress["recommendation"])],
        "Status": status,
        "Status from": progress["status_from"].map(lambda name: STATUS_FROM_WORDS.get(name, NOT_LISTED_AGAIN)),
        "Owner": progress["owner"].fillna(""),
        "Due": progress["due_date"].map(lambda d: f"{d:%d/%m/%Y}", na_action="ignore").fillna(""),
        "Target (%)": progress["target"].map(lambda v: standard_text(v).removesuffix("%"),
                                             na_action="ignore").fillna(""),
        "Measure": progress["label"].fillna("no measure named"),
        "Then (%)": then.fillna(""), "Now (%)": now.fillna(""), "Verdict": verdict.fillna(""),
        "Target now": target_met.fillna(""),
    })


# The progress table's columns that belong to the recommendation, not to each measure it names: printed once.
RECOMMENDATION_CELLS = ("Recommendation", "Status", "Status from", "Owner", "Due", "Target (%)")


def grouped_table(frame: pd.DataFrame, caption: str, spanned=(), numeric=()) -> str:
    """A table whose first column repeats over consecutive rows (a recommendation and each measure it names):
    the first row of each run gives the first column (its row header) and the other `spanned` columns once,
    each cell spanning the run, so their text is printed once."""
    head = "".join(f'<th scope="col"{" class=num" if c in numeric else ""}>{esc(c)}</th>' for c in frame.columns)
    group = frame[frame.columns[0]]
    starts = group.ne(group.shift()).to_numpy()
    spans = pd.Series(starts.cumsum()).value_counts()
    body = []
    for position, (_, row) in enumerate(frame.iterrows()):
        span = int(spans[starts[:position + 1].sum()])
        rowspan = f' rowspan="{span}"' if span > 1 else ""
        cells = []
        for number, column in enumerate(frame.columns):
            value = esc("" if pd.isna(row[column]) else row[column])
            cls = " class=num" if column in numeric else ""
            if number == 0 and starts[position]:
                cells.append(f'<th scope="row"{rowspan}>{value}</th>')
            elif column in spanned and number and starts[position]:
                cells.append(f"<td{cls}{rowspan}>{value}</td>")
            elif number and column not in spanned:
                cells.append(f"<td{cls}>{value}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="table-wrap"><table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


# --- the section -----------------------------------------------------------------------

COMPARISON_HEADERS = {"earlier_percent": "Then (%)", "earlier_interval": "Then 95% interval",
                      "earlier_counts": "Then met / assessed", "percent": "Now (%)", "interval": "Now 95% interval",
                      "counts": "Now met / assessed", "difference": "Change (points)",
                      "difference_interval": "95% interval of change", "verdict": "Verdict"}


def comparison_frame(rows: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
    frame = shown[list(COMPARISON_HEADERS)].rename(columns=COMPARISON_HEADERS)
    frame.insert(0, "Measure", rows["label"].to_numpy())
    return frame


def since_last_audit_section(comparison: pd.DataFrame, reaudit: dict, findings: pd.DataFrame, version: str,
                             today=None, withheld: set | None = None) -> str:
    """The "Since the last audit" section; `withheld` is what the whole published report withholds."""
    earlier = most_recent(reaudit)
    name = earlier["name"]
    rows = latest_rows(comparison, reaudit, findings)
    current = current_shown(findings, version, withheld)
    shown = shown_rows(rows, version, current)
    key = (rows["kloe"] != SECONDARY).to_numpy()
    parts = ['<section class="since-last-audit">', section_heading("since-last-audit"),
             f"<p>This audit compared with {esc(name)} ({esc(_window(earlier))}, {earlier['cases']} cases), both "
             "measured by the same code with the same thresholds. A change is in percentage points with its 95% "
             "interval; a measure is called higher or lower only when that whole interval lies above or below "
             "0, and otherwise shows no clear change.</p>",
             f"<p>{esc(detectable_change_sentence(rows, reaudit))}</p>"]
    named = short_name(earlier)  # the intro gives the title; each sentence names the audit by its months
    words = [change_sentence(r, named, s if version == PUBLISHED else None)
             for (_, r), (_, s) in zip(rows[key].iterrows(), shown[key].iterrows())]
    parts.append("<ul>" + "".join(f"<li>{esc(w)}</li>" for w in words) + "</ul>")
    charted = key & (rows["verdict"] != NOT_COMPARABLE).to_numpy() & (shown["verdict"] != SUPPRESSED).to_numpy()
    if charted.any():
        parts.append(change_chart_html(rows[charted], name, reaudit["audit"]))
    else:
        parts.append("<p>No key-line measure can be charted against the last audit.</p>")
    parts.append(html_table(comparison_frame(rows[key], shown[key]), f"Key-line measures: now against {named}",
                            numeric=tuple(list(COMPARISON_HEADERS.values())[:-1])))
    parts.append("<h3>Secondary measures</h3>")
    parts.append(html_table(comparison_frame(rows[~key], shown[~key]), f"Secondary measures: now against {named}",
                            numeric=tuple(list(COMPARISON_HEADERS.values())[:-1])))
    lacking = rows.loc[rows["missing_column"], "label"].tolist()
    if lacking:
        parts.append(f"<p>Not comparable because the earlier workbook did not ask the question: "
                     f"{esc(', '.join(lacking))} (x in the tables).</p>")
    parts.append("<h3>Children in both audits</h3>")
    parts += [f"<p>{esc(s)}</p>" for s in independence_sentences(reaudit["audit"], earlier, version)]
    if len(reaudit["earlier"]) + 1 >= MIN_AUDITS_FOR_TREND:
        parts.append("<h3>Over the audits</h3>")
        parts.append(trend_html(trend_series(comparison, reaudit, findings), version, current))
    parts.append("<h3>Progress on the last audit's recommendations</h3>")
    progress = progress_rows(reaudit, comparison, today)
    if progress is None:
        parts.append(f"<p>{esc(name)} set out no recommendations.</p>")
    else:
        as_at = today if today is not None else pd.Timestamp.today().normalize()
        parts.append(f"<p>Overdue: the due date had passed on {as_at:%-d %B %Y}, when this report was made, and "
                     "the status is not Complete.</p>")
        table = progress_table(progress, shown.assign(measure_id=rows["measure_id"]), version)
        # Two tables, each printed whole: the recommendations' status, then the measures each one names.
        parts.append(html_table(table[list(RECOMMENDATION_CELLS)].drop_duplicates("Recommendation"),
                                f"Recommendations of {named}: status, owner and due date", numeric=("Target (%)",)))
        parts.append(f"<p>{esc(WHERE_TO_RECORD)}</p>")
        measures = table.drop(columns=list(RECOMMENDATION_CELLS[1:])).assign(
            Recommendation=table["Recommendation"].str.split(" ", n=1).str[0])
        parts.append(grouped_table(measures, f"Recommendations of {named}: their measures then and now",
                                   numeric=("Then (%)", "Now (%)")))
    parts += [back_to_contents(), "</section>"]
    return "\n".join(parts)
