"""A SYNTHETIC demo workbook for any audit definition (no real child is in it), written from the definition alone.

`make report AUDIT_DEFINITION=audits/neglect.yaml` with no RAW runs on this demo, as the child protection
conference audit runs on its hand-designed one (run/demo.py). Nothing here knows one audit from another: the
columns, their answers (a column's `demo:` weights, else its kind's answers or its grade scale), the dates
(working-day intervals around each working_days rule's threshold), the gates (an answer asked only where a
gate is open is N/A where it is shut) and the number of cases and seed (the definition's `demo:`) all come
from the file. Same definition and seed, same bytes.

`write_definition_demo(definition, path)` writes the current demo; `earlier=True` writes an earlier audit six
months before it, with another seed and three children in both (for the re-audit demo, spec section 9).
"""
from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xlsxwriter

from ..domain import answers as vocab
from ..domain.definition import AllOf, Answer, Gated, OverReturns, WorkingDays
from ..domain.workdays import business_calendar

DEFAULT_CASES, DEFAULT_SEED = 60, 2026
# The current demo's terms of reference, and the earlier audit's six months before (fixed dates in the past,
# so that the same definition gives the same workbook on any day).
WINDOW = (dt.date(2025, 4, 1), dt.date(2025, 9, 30))
EARLIER_WINDOW = (dt.date(2024, 10, 1), dt.date(2025, 3, 31))
EARLIER_SEED_OFFSET = 1  # the earlier audit's seed is the definition's plus this
# Cases of the current demo (by position) that the earlier audit also audited: the same child, the same case_ref.
SHARED_CASES = (5, 20, 40)
CASE_REF = "SYN-{:04d}"
EARLIER_CASE_REF = "SYN-E{:03d}"
CASES_SHEET, RETURNS_SHEET = "Cases", "Agency returns"
# A few of the spec section 5 names in each group: children's social care leads every case; 1 to 4 others join.
LEAD_AGENCY = "Children's social care"
OTHER_AGENCIES = ("Police", "Health visitor", "School nurse", "GP", "Midwife", "CAMHS", "School", "Nursery",
                  "College", "Housing", "Early help", "Adult social care", "Probation", "Youth justice",
                  "Voluntary sector")
# How far each dated step may fall either side of its threshold, in working days, and the share answered N/A
# (a date asked "N/A if none was needed", such as a strategy discussion).
SPREAD, DATE_NA_SHARE = 4, 0.08
FIXED_TIME = dt.datetime(2025, 11, 27)
SYNTHETIC = "SYNTHETIC DEMO"


@dataclass(frozen=True)
class DemoColumn:
    """What the generator needs of one declared column."""
    name: str
    kind: str
    personal: bool = False
    scale: tuple[str, ...] = ()
    weights: tuple[tuple[str, float], ...] = ()  # answer -> weight; "" is a missing answer


# --- reading the definition ------------------------------------------------------

def demo_columns(definition) -> dict[str, tuple[DemoColumn, ...]]:
    """The declared columns of Cases and Agency returns, in file order (the definition's `sheets`)."""
    sheets = {}
    declared = definition.sheets.values() if isinstance(definition.sheets, dict) else definition.sheets
    for sheet in declared:
        if sheet.name in (CASES_SHEET, RETURNS_SHEET):
            sheets[sheet.name] = tuple(
                DemoColumn(c.name, c.kind, c.personal, tuple(c.scale), tuple(_pairs(c.demo))) for c in sheet.columns)
    return sheets


def _pairs(weights) -> list[tuple[str, float]]:
    if not weights:
        return []
    items = weights.items() if isinstance(weights, dict) else weights
    return [(str(answer), float(weight)) for answer, weight in items]


def demo_settings(definition) -> tuple[int, int]:
    """The demo's number of cases and seed: the definition's `demo:`, else 60 cases, seed 2026."""
    demo = getattr(definition, "demo", None) or {}
    get = demo.get if isinstance(demo, dict) else lambda key, default: getattr(demo, key, default)
    return int(get("cases", DEFAULT_CASES)), int(get("seed", DEFAULT_SEED))


def rules_of(rule) -> list:
    """A rule and every rule inside it (gated, all_of)."""
    if isinstance(rule, Gated):
        return [rule] + rules_of(rule.rule)
    if isinstance(rule, AllOf):
        return [rule] + [r for part in rule.rules for r in rules_of(part)]
    return [rule]


def all_rules(definition) -> list:
    return [r for m in definition.measures for r in rules_of(m.rule)]


def working_day_steps(definition) -> list[WorkingDays]:
    """Every working-days interval the definition measures: rules, and conditions over returns."""
    steps = []
    for rule in all_rules(definition):
        if isinstance(rule, WorkingDays):
            steps.append(rule)
        elif isinstance(rule, OverReturns):
            steps += [part for part in rule.of + rule.met if isinstance(part, WorkingDays)]
    return steps


def threshold_days(definition, step: WorkingDays) -> int:
    """The step's threshold in working days: its parameter's default, or the number written."""
    bound = step.at_most if step.at_most is not None else step.at_least
    return int(definition.parameters[bound].default if isinstance(bound, str) else bound)


def column_gates(definition) -> dict[str, tuple]:
    """For each column an answer rule reads only behind a gate on a Cases column: (gate column, open answers,
    shut answers). Where the gate is shut the column is N/A; where neither, it is left empty."""
    gates = {}
    for rule in all_rules(definition):
        if isinstance(rule, Gated) and rule.when.column is not None:
            for inner in rules_of(rule.rule):
                if isinstance(inner, Answer):
                    gates.setdefault(inner.column, (rule.when.column, rule.when.is_, rule.when.not_applicable))
    return gates


# --- answers ----------------------------------------------------------------------

def answer_weights(column: DemoColumn) -> tuple[list[str], np.ndarray]:
    """The column's answers as the team writes them, and their probabilities: the declared demo weights,
    else equal weights over the kind's answers (its grade scale for a grade), N/A left out."""
    if column.weights:
        answers = [a for a, _ in column.weights]
        weights = np.array([w for _, w in column.weights], dtype=float)
    else:
        answers = list(column.scale or vocab.ANSWER_CHOICES.get(column.kind, ()))
        answers = [a for a in answers if a != vocab.NA_ANSWER] or [""]
        weights = np.ones(len(answers))
    return answers, weights / weights.sum()


def draw_answers(rng: np.random.Generator, column: DemoColumn, n: int) -> np.ndarray:
    answers, p = answer_weights(column)
    return np.array(answers, dtype=object)[rng.choice(len(answers), size=n, p=p)]


def apply_gate(values: np.ndarray, gate_values: np.ndarray, open_: tuple, shut: tuple) -> np.ndarray:
    """An answer asked only where its gate is open: N/A where the gate is shut, empty where it is neither."""
    gate = np.asarray(gate_values, dtype=object)
    return np.where(np.isin(gate, list(open_)), values,
                    np.where(np.isin(gate, list(shut)), vocab.NA_ANSWER, ""))


# --- dates ------------------------------------------------------------------------

def add_working_days(days: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    return np.busday_offset(days.astype("datetime64[D]"), offsets.astype(np.int64), roll="forward",
                            busdaycal=business_calendar())


def interval_offsets(rng: np.random.Generator, n: int, threshold: int) -> np.ndarray:
    """Working-day intervals spread evenly either side of a threshold (some met, some not), never negative."""
    low, high = max(0, threshold - SPREAD), threshold + SPREAD
    return rng.integers(low, high + 1, size=n)


def case_dates(rng, definition, columns: tuple[DemoColumn, ...], window_date: str, window: tuple,
               n: int) -> dict[str, np.ndarray]:
    """The dates of Cases the rules measure: the window date spread over the window's working days, every other
    a working-day interval from a date already known (a working_days rule's two ends), a share of them answered
    N/A (NaT here, written "N/A"); and a personal date (of birth) before the window date."""
    start, end = (np.datetime64(d) for d in window)
    span = int(np.busday_count(start, end, busdaycal=business_calendar()))
    dates = {window_date: np.sort(add_working_days(np.full(n, start), rng.integers(0, span + 1, n)))}
    case_columns = {c.name for c in columns}
    steps = [s for s in working_day_steps(definition) if s.begin in case_columns and s.end in case_columns]
    while True:
        follow_steps(rng, definition, steps, dates, n)
        # Two dates measured against each other but tied to no date known yet: the first after the window date.
        loose = next((s for s in steps if s.begin not in dates and s.end not in dates), None)
        if loose is None:
            break
        dates[loose.begin] = add_working_days(dates[window_date], rng.integers(0, 5, n))
    measured = {s.begin for s in steps} | {s.end for s in steps}
    for column in columns:
        if column.kind == "date" and column.personal and column.name not in dates:
            # A date of birth: 0 to 17 years before the window date (the age band is taken at it).
            dates[column.name] = dates[window_date] - rng.integers(30, 18 * 365 - 30, n).astype("timedelta64[D]")
    # In the file's column order: a set's order changes from one process to the next, the bytes must not.
    for name in (c.name for c in columns if c.name in measured and c.name != window_date):
        if name in dates:
            not_needed = rng.random(n) < DATE_NA_SHARE
            dates[name] = np.where(not_needed, np.datetime64("NaT"), dates[name])
    return dates


def follow_steps(rng, definition, steps: list[WorkingDays], dates: dict, n: int) -> None:
    """Date each step's other end from the end already dated, outwards in both directions, until none is left."""
    changed = True
    while changed:
        changed = False
        for step in steps:
            if (step.begin in dates) == (step.end in dates):
                continue  # both dated already, or neither yet
            offsets = interval_offsets(rng, n, threshold_days(definition, step))
            if step.begin in dates:
                dates[step.end] = add_working_days(dates[step.begin], offsets)
            else:
                dates[step.begin] = add_working_days(dates[step.end], -offsets)
            changed = True


# --- the workbook -------------------------------------------------------------------

@dataclass
class DemoRows:
    cases: list[dict]
    returns: list[dict]
    audit: list[tuple[str, object]]
    recommendations: list[dict]


# The day each case's dates are drawn around when the definition has no date column to carry it (never written).
ANCHOR = "_window_day"


def window_date_of(definition, case_columns: tuple[DemoColumn, ...]) -> str:
    """The definition's window date; else its first non-personal date of Cases; else an unwritten anchor day."""
    name = getattr(definition, "window_date", None)
    dated = [c.name for c in case_columns if c.kind == "date" and not c.personal]
    return name or (dated[0] if dated else ANCHOR)


def build_rows(definition, earlier: bool = False) -> DemoRows:
    """The demo's rows, every value as the workbook will hold it (dates as dates, answers as written)."""
    n, seed = demo_settings(definition)
    sheets = demo_columns(definition)
    cases_columns, returns_columns = sheets[CASES_SHEET], sheets[RETURNS_SHEET]
    window = EARLIER_WINDOW if earlier else WINDOW
    rng = np.random.default_rng(seed + (EARLIER_SEED_OFFSET if earlier else 0))
    refs = case_refs(n, earlier)
    window_date = window_date_of(definition, cases_columns)
    dates = case_dates(rng, definition, cases_columns, window_date, window, n)
    audit_day = latest(dates) + np.timedelta64(14, "D")
    values: dict[str, np.ndarray] = {}
    for column in cases_columns:
        values[column.name] = column_values(rng, column, n, refs, dates, audit_day)
    for name, (gate, open_, shut) in column_gates(definition).items():
        if name in values and gate in values:
            values[name] = apply_gate(values[name], values[gate], open_, shut)
    cases = [{c.name: values[c.name][i] for c in cases_columns} for i in range(n)]
    returns = agency_returns(rng, definition, returns_columns, refs, dates, window_date)
    return DemoRows(cases, returns, audit_rows(definition, window, n), recommendations(definition, earlier))


def case_refs(n: int, earlier: bool) -> list[str]:
    if not earlier:
        return [CASE_REF.format(i + 1) for i in range(n)]
    refs = [EARLIER_CASE_REF.format(i + 1) for i in range(n)]
    for k, shared in enumerate(s for s in SHARED_CASES if s < n):
        refs[k] = CASE_REF.format(shared + 1)
    return refs


def latest(dates: dict[str, np.ndarray]) -> np.datetime64:
    known = np.concatenate([d[~np.isnat(d)] for d in dates.values()])
    return known.max()


def column_values(rng, column: DemoColumn, n: int, refs: list[str], dates: dict, audit_day) -> np.ndarray:
    if column.kind == "case_ref":
        return np.array(refs, dtype=object)
    if column.kind == "date":
        if column.name in dates:
            return dates[column.name]
        # A date no rule measures and not the window's (the audit date): after every other date.
        return add_working_days(np.full(n, audit_day), rng.integers(0, 10, n))
    if column.kind == "text":
        what = "Child" if "name" in column.name else "note about"
        return np.array([f"Synthetic {what} {ref}" for ref in refs], dtype=object)
    if column.kind == "agency":
        return np.full(n, LEAD_AGENCY, dtype=object)
    return draw_answers(rng, column, n)


def agency_returns(rng, definition, columns: tuple[DemoColumn, ...], refs: list[str], dates: dict,
                   window_date: str) -> list[dict]:
    """Two to five returns per case: children's social care and one to four other agencies of spec section 5."""
    n = len(refs)
    per_case = rng.integers(2, 6, n)
    agencies = [[LEAD_AGENCY] + list(rng.choice(OTHER_AGENCIES, size=k - 1, replace=False)) for k in per_case]
    case_of = np.repeat(np.arange(n), per_case)
    total = len(case_of)
    values = {}
    for column in columns:
        if column.kind == "case_ref":
            values[column.name] = np.array(refs, dtype=object)[case_of]
        elif column.kind == "agency":
            values[column.name] = np.array([a for names in agencies for a in names], dtype=object)
        elif column.kind == "date":
            values[column.name] = return_dates(rng, definition, column.name, dates, window_date, case_of)
        elif column.kind == "text":
            values[column.name] = np.array([f"Synthetic note {i + 1}" for i in range(total)], dtype=object)
        else:
            values[column.name] = draw_answers(rng, column, total)
    return [{c.name: values[c.name][i] for c in columns} for i in range(total)]


def return_dates(rng, definition, name: str, dates: dict, window_date: str, case_of: np.ndarray) -> np.ndarray:
    """A return's date: a working-day interval from its case's date where a condition measures one, else
    a few working days before the case's window date."""
    for step in working_day_steps(definition):
        offsets = interval_offsets(rng, len(case_of), threshold_days(definition, step))
        if step.begin == name and step.end in dates:
            return add_working_days(dates[step.end][case_of], -offsets)
        if step.end == name and step.begin in dates:
            return add_working_days(dates[step.begin][case_of], offsets)
    return add_working_days(dates[window_date][case_of], -rng.integers(1, 10, len(case_of)))


def audit_rows(definition, window: tuple, n: int) -> list[tuple[str, object]]:
    start, end = window
    period = f"{start:%B %Y} to {end:%B %Y}"
    return [("audit_title", f"{SYNTHETIC}: {definition.title}, {period}"),
            ("window_start", start), ("window_end", end),
            ("population", n * 10),
            ("sampling", "Synthetic demo: a seeded random sample generated from the audit definition")]


def recommendations(definition, earlier: bool = False) -> list[dict]:
    """The demo's Recommendations sheet, on the first measure of each of the first key lines. The earlier audit
    raised two; the current one lists them again with their progress (one complete, one still in progress) and
    raises one more, so a re-audit shows progress on the last audit's recommendations."""
    firsts = [next(m for m in definition.measures if m.key_line == key_line) for key_line in definition.key_lines
              if any(m.key_line == key_line for m in definition.measures)][:3]
    defaults = definition.parameter_defaults()

    def row(measure, due: dt.date, status: str) -> dict:
        label = measure.label.format(**defaults)
        return {"recommendation": f"Synthetic demo recommendation: improve '{label}'.", "measures": measure.id,
                "owner": "LSCP Business Manager", "due_date": due, "target": 80, "status": status}

    if earlier:
        return [row(measure, dt.date(2025, 12, 31), "In progress") for measure in firsts[:2]]
    statuses = [(dt.date(2025, 12, 31), "Complete"), (dt.date(2027, 6, 30), "In progress"),
                (dt.date(2027, 3, 31), "Not started")]
    return [row(measure, due, status) for measure, (due, status) in zip(firsts, statuses)]


def header(name: str) -> str:
    """A column's header as a team would write it ("Referral date"); the reader matches it to the name."""
    return name.replace("_", " ").capitalize()


def write_definition_demo(definition, path: str | Path, earlier: bool = False) -> Path:
    """Write the SYNTHETIC demo workbook of `definition` (an AuditDefinition) to `path`, and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = build_rows(definition, earlier)
    sheets = demo_columns(definition)
    book = xlsxwriter.Workbook(str(path), {"remove_timezone": True})
    book.set_properties({"title": f"{SYNTHETIC}: {definition.title}", "author": "helpers.run.demo_definition",
                         "comments": "Synthetic demo data: no real child, family or case is in this workbook.",
                         "created": FIXED_TIME})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    notes = book.add_worksheet("About this file")
    notes.write(0, 0, f"{SYNTHETIC} DATA. No real child, family or case is in this workbook.")
    notes.write(1, 0, f"Generated from the audit definition {Path(definition.path).name} (seeded, reproducible).")
    write_sheet(book.add_worksheet(CASES_SHEET), [c.name for c in sheets[CASES_SHEET]], rows.cases, date_format)
    write_sheet(book.add_worksheet(RETURNS_SHEET), [c.name for c in sheets[RETURNS_SHEET]], rows.returns,
                date_format)
    audit = book.add_worksheet("Audit")
    audit.write_row(0, 0, ["Field", "Value"])
    for r, (name, value) in enumerate(rows.audit, start=1):
        audit.write(r, 0, name)
        write_value(audit, r, 1, value, date_format)
    if rows.recommendations:
        write_sheet(book.add_worksheet("Recommendations"), list(rows.recommendations[0]), rows.recommendations,
                    date_format)
    book.close()
    _fix_zip_times(path)
    return path


def write_sheet(sheet, names: list[str], rows: list[dict], date_format) -> None:
    sheet.write_row(0, 0, [header(name) for name in names])
    for r, row in enumerate(rows, start=1):
        for c, name in enumerate(names):
            write_value(sheet, r, c, row.get(name), date_format)


def write_value(sheet, r: int, c: int, value, date_format) -> None:
    """A date as a day-first date cell; a date not needed as "N/A"; an empty answer as an empty cell."""
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            sheet.write_string(r, c, vocab.NA_ANSWER)
        else:
            sheet.write_datetime(r, c, value.astype("datetime64[D]").astype(dt.datetime), date_format)
    elif isinstance(value, dt.date):
        sheet.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date_format)
    elif value is None or value == "":
        return
    elif isinstance(value, (int, float, np.integer)):
        sheet.write_number(r, c, value)
    else:
        sheet.write_string(r, c, str(value))


def _fix_zip_times(path: Path) -> None:
    """Same definition, same bytes: give every zip entry one fixed time (the report shows the file's SHA-256)."""
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            target.writestr(zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6]), data,
                            compress_type=zipfile.ZIP_DEFLATED)
