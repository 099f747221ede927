"""`python -m helpers.run.check --raw PATH [--out PATH]` (`make check RAW=...`): the audit team's check.

Runs the cleaning stage only (no notebook, no kernel) and writes a feedback workbook the audit team can fix
their workbook from: one row per problem with its sheet, Excel row, cell, column as headed in their
workbook, the value, what is wrong and what the column accepts; and a summary of the problems by kind, the
rows left out of the analysis with the reason, and the columns the analysis does not use.

Exit status: 0 when the workbook is clean, 3 when there are problems to fix, 2 (one line `error: ...`) when
it cannot be used at all, exactly as ``make report`` would refuse it. The feedback path is printed last
(before a non-zero exit too), as ``feedback: <path>``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import difflib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..clean.cleaning import CleanedAudit
from ..clean.pseudonym import load_or_create_key
from ..context import authority_hints
from ..domain.answers import AGENCY_GROUP_OF, NO, YES, agency_display_name
from ..domain.definition import AuditDefinition, case_intervals
from ..domain.quality import ISSUE_WORDS, OUTCOME_WORDS, OUTCOMES_TO_FIX, words_for
from ..domain.schema import AUDIT, AUDIT_FIELD_COLUMNS, SHEETS, Column
from ..errors import AuditInputError
from ..read.cells import normalise_agency_name, normalise_case_ref, read_answers
from ..read.workbook import RawSheet, RawWorkbook, lock_file_warning
from ..template.choices import accepted_form
from ..template.workbook import MARKING, workbook_written_whole
from .pipeline import parser as report_parser
from .pipeline import request_from
from .settings import check_given_settings

EXIT_CLEAN, EXIT_UNREADABLE, EXIT_PROBLEMS = 0, 2, 3
# The cleaner may list a filled cell of a column it does not read under this issue: not a problem to fix;
# such columns are listed as not used instead.
UNUSED_COLUMN = "unused_column"
SHEET_ORDER = {sheet.name: position for position, sheet in enumerate(SHEETS)}
PROBLEM_COLUMNS = ["sheet", "row", "column", "header", "value", "issue", "what_is_wrong", "accepted", "suggestion"]
PROBLEM_HEADINGS = ["Sheet", "Row", "Column (as headed in your workbook)", "Value (as written in your workbook)",
                    "What is wrong", "Accepted values or form", "Did you mean"]
# Problems only the check lists (not data-quality issues of spec section 8): required answers left blank.
BLANK_ANSWER, EMPTY_COLUMN = "blank_answer", "empty_column"
CHECK_ISSUE_WORDS = {
    BLANK_ANSWER: "a required answer is left blank, so the case is counted as not recorded on the measures that "
                  "read it",
    EMPTY_COLUMN: "the column is empty in every row of the analysis, so no case can be assessed on the measures "
                  "that read it",
}
# Issues whose value the check shows as written in the cell (the data-quality output shows it normalised).
SHOWN_AS_WRITTEN = {"unrecognised", "unmapped_agency", "missing_agency", "implausible_date",
                    "conflicting_duplicate", "negative_interval"}
# A negative interval is listed under its later date; the earlier date is shown beside it.
EARLIER_DATE_OF = {"icpc_date": "strategy_discussion_date", "first_core_group_date": "icpc_date"}
# At most this many distinct orphan references get a "did you mean": each is compared with every reference of
# Cases, and a pasted sheet of another audit's returns would otherwise cost minutes for no useful suggestion.
MOST_REFERENCE_SUGGESTIONS = 500
SUGGESTION_CUTOFF = 0.6
EXCLUDED_HEADINGS = ["Sheet", "Row", "Why the row is not analysed", "Detail"]
NO_PERSONAL_DATA = ("It holds no personal data beyond what the audit team already has: cell positions, the "
                    "values as written in your workbook, and no name, date of birth or comment.")


@dataclass
class Feedback:
    """What the audit team needs to correct their workbook, from one cleaning run."""
    workbook: str              # the file name, as the team knows it
    problems: pd.DataFrame     # PROBLEM_COLUMNS, grouped by sheet and sorted by row
    excluded: pd.DataFrame     # sheet, row, outcome, reason, detail: every row left out of the analysis
    not_used: pd.DataFrame     # sheet, header, cells: columns the analysis does not read

    @property
    def is_clean(self) -> bool:
        return self.problems.empty

    warnings: tuple[str, ...] = ()  # said before the problems (the workbook is open in Excel...)
    # The audit's words for issues and outcomes (its window date, not the ICPC's, for another audit).
    words: tuple[dict, dict] = (ISSUE_WORDS, OUTCOME_WORDS)

    def problems_by_kind(self) -> pd.DataFrame:
        counts = self.problems.groupby("issue", sort=False).size()
        return pd.DataFrame({"issue": counts.index,
                             "what_is_wrong": counts.index.map(lambda issue: _issue_words(issue, self.words)),
                             "problems": counts.to_numpy()})

    def excluded_by_reason(self) -> pd.DataFrame:
        counts = self.excluded.groupby(["sheet", "outcome"], sort=False).size()
        return pd.DataFrame({"sheet": counts.index.get_level_values(0),
                             "reason": counts.index.get_level_values(1).map(self.words[1].get),
                             "rows": counts.to_numpy()})


# --- from the cleaning stage to the problems -------------------------------------------------------------

def declaration_of(sheet: str, column: str, sheets: tuple = SHEETS) -> Column | None:
    """The declared column (or Audit field) a problem is in; None for a column the spec does not name.
    `sheets`: the audit's (its definition's Cases and Agency returns; the child protection audit's by default)."""
    candidates = AUDIT_FIELD_COLUMNS if sheet == AUDIT.name else next(
        (s.columns for s in sheets if s.name == sheet), ())
    return next((c for c in candidates if c.name == column), None)


def sheets_of(definition: AuditDefinition | None) -> tuple:
    return SHEETS if definition is None else (definition.cases, definition.agency_returns, *SHEETS[2:])


def earlier_dates(definition: AuditDefinition | None) -> dict[str, str]:
    """For each date a negative interval is listed under, the date it should follow."""
    return EARLIER_DATE_OF if definition is None else {end: begin for begin, end in case_intervals(definition)}


def accepted_for(sheet: str, column: str, sheets: tuple = SHEETS) -> str:
    declared = declaration_of(sheet, column, sheets)
    if declared is None:
        return ""
    # A free-text field (local authorities) says its form in its question.
    return declared.question if declared.kind == "text" else accepted_form(declared)


# Where the fix is not the column's usual form: what to write for these problems.
ACCEPTED_FOR_PROBLEM = {
    "negative_interval": "a date on or after the date it should follow: check both dates",
    "orphan_return": "a case reference that is on the Cases sheet: check its spelling, or add the case to Cases",
}


def _issue_words(issue: str, words: tuple[dict, dict] = (ISSUE_WORDS, OUTCOME_WORDS)) -> str:
    issue_words, outcome_words = words
    return (issue_words.get(issue) or outcome_words.get(issue) or CHECK_ISSUE_WORDS.get(issue)
            or issue.replace("_", " "))


def cell_problems(data_quality_rows: pd.DataFrame, sheets: tuple = SHEETS,
                  words: tuple[dict, dict] = (ISSUE_WORDS, OUTCOME_WORDS)) -> pd.DataFrame:
    """One problem per cell the cleaner listed, with what is wrong and what the column accepts."""
    rows = data_quality_rows[data_quality_rows["issue"] != UNUSED_COLUMN]
    return pd.DataFrame({
        "sheet": rows["sheet"], "row": rows["row"].astype(int), "column": rows["column"],
        "header": rows["header"].fillna(rows["column"]), "value": rows["value"].fillna("").astype(str),
        "issue": rows["issue"], "what_is_wrong": rows["issue"].map(lambda issue: _issue_words(issue, words)),
        "accepted": [ACCEPTED_FOR_PROBLEM.get(i) or accepted_for(s, c, sheets)
                     for s, c, i in zip(rows["sheet"], rows["column"], rows["issue"])],
        "suggestion": "",
    }, columns=PROBLEM_COLUMNS)


def row_problems(row_outcomes: pd.DataFrame, headers: dict, case_refs: dict,
                 outcome_words: dict = OUTCOME_WORDS) -> pd.DataFrame:
    """Rows left out until corrected (no case reference, no agency, an orphan return), one problem each, with
    the row's case reference as written (the audit team's own reference, so they can find the case)."""
    rows = row_outcomes[row_outcomes["outcome"].isin(OUTCOMES_TO_FIX)]
    column = rows["outcome"].map(lambda o: "agency" if o == "missing_agency" else "case_ref")
    detail = rows["detail"].fillna("").astype(str)
    what = rows["outcome"].map(outcome_words.get) + detail.map(lambda d: f" ({d})" if d else "")
    accepted = [ACCEPTED_FOR_PROBLEM.get(o) or accepted_for(s, c)
                for s, c, o in zip(rows["sheet"], column, rows["outcome"])]
    return pd.DataFrame({
        "sheet": rows["sheet"], "row": rows["row"].astype(int), "column": column,
        "header": [headers.get((s, c), c) for s, c in zip(rows["sheet"], column)],
        "value": [case_refs.get((s, int(r)), "") for s, r in zip(rows["sheet"], rows["row"])],
        "issue": rows["outcome"], "what_is_wrong": what, "accepted": accepted, "suggestion": "",
    }, columns=PROBLEM_COLUMNS)


# --- what the team wrote, what they left blank, and what they probably meant ---------------------------------

def raw_sheet_named(raw: RawWorkbook, name: str) -> RawSheet | None:
    return next((s for s in _raw_sheets(raw) if s.name == name), None)


def cells_as_written(raw: RawWorkbook, sheet: str, column: str, rows: pd.Series) -> pd.Series:
    """The cells of one column at the given Excel rows, as the reader read them (None where there is none).
    An Audit field's cell is its `value`."""
    found = raw_sheet_named(raw, sheet)
    column = "value" if sheet == AUDIT.name else column
    if found is None or column not in found.rows:
        return pd.Series([None] * len(rows), index=rows.index, dtype="object")
    by_row = pd.Series(found.rows[column].astype("object").to_numpy(), index=found.excel_row.to_numpy())
    return pd.Series(by_row.reindex(rows.to_numpy()).to_numpy(), index=rows.index, dtype="object")


def _is_personal(sheet: str, column: str, sheets: tuple = SHEETS) -> bool:
    declared = declaration_of(sheet, column, sheets)
    return declared is not None and declared.personal


def with_values_as_written(problems: pd.DataFrame, raw: RawWorkbook,
                           definition: AuditDefinition | None = None) -> pd.DataFrame:
    """Each problem's value as written in the cell, so the team can search for it (`Women's Aid refuge`, not the
    normalised `womens aid refuge`); a negative interval shows both its dates. Personal values stay withheld."""
    problems = problems.copy()
    for (sheet, column, issue), group in problems.groupby(["sheet", "column", "issue"], sort=False):
        if issue not in SHOWN_AS_WRITTEN or _is_personal(sheet, column, sheets_of(definition)):
            continue
        cells = cells_as_written(raw, sheet, column, group["row"])
        written = cells.where(cells.notna(), group["value"]).fillna("").astype(str)  # no cell: as listed
        if issue == "negative_interval":
            earlier = earlier_dates(definition)[column]
            before = cells_as_written(raw, sheet, earlier, group["row"]).fillna("").astype(str)
            header = headers_as_written(raw).get((sheet, earlier), earlier)
            written = written + f" (before it, {header}: " + before + ")"
        problems.loc[group.index, "value"] = written
    return problems


def closest(value: str, known: list[str]) -> str | None:
    found = difflib.get_close_matches(value, known, n=1, cutoff=SUGGESTION_CUTOFF)
    return found[0] if found else None


def agency_suggestions(values: pd.Series) -> pd.Series:
    """The nearest agency name the cleaner maps, for each unmapped one ("health visiting": "Health visitor")."""
    names = list(AGENCY_GROUP_OF)
    nearest = {v: closest(normalise_agency_name(pd.Series([v])).iloc[0], names) for v in values.unique()}
    return values.map(lambda v: f"did you mean '{agency_display_name(nearest[v])}'?" if nearest[v] else "")


def reference_suggestions(values: pd.Series, raw: RawWorkbook) -> pd.Series:
    """The nearest case reference of Cases, for each orphan return's (`CP-O001`: did you mean `CP-0001`?)."""
    known = sorted(set(normalise_case_ref(raw.cases.rows["case_ref"])) - {""})
    distinct = list(values.unique())[:MOST_REFERENCE_SUGGESTIONS]
    nearest = {v: closest(normalise_case_ref(pd.Series([v], dtype="object")).iloc[0], known) for v in distinct}
    return values.map(lambda v: f"did you mean '{nearest[v]}'?" if nearest.get(v) else "")


def with_suggestions(problems: pd.DataFrame, raw: RawWorkbook, authority_hint: dict[str, str]) -> pd.DataFrame:
    """A "did you mean" beside an unmapped agency, an orphan return's case reference and an unknown local
    authority."""
    problems = problems.copy()
    agencies = problems["issue"] == "unmapped_agency"
    if agencies.any():
        problems.loc[agencies, "suggestion"] = agency_suggestions(problems.loc[agencies, "value"])
    orphans = problems["issue"] == "orphan_return"
    if orphans.any():
        problems.loc[orphans, "suggestion"] = reference_suggestions(problems.loc[orphans, "value"], raw)
    authorities = problems["issue"] == "unknown_local_authority"
    if authorities.any():
        problems.loc[authorities, "suggestion"] = problems.loc[authorities, "value"].map(authority_hint).fillna("")
    return problems


# Answers a row needs only when another answer says so (spec section 7 reads them only then): a report's shared
# date when a report was submitted, agreement when the agency attended, and so on. Blank otherwise is fine.
NEEDED_ONLY_WHEN = {
    "report_shared_date": ("report_submitted", "yn", YES),
    "agreed_with_decision": ("attended", "attended", YES),
    "dissent_recorded": ("agreed_with_decision", "yn", NO),
    "escalation_raised": ("drift_delay_identified", "yn", YES),
    "sustained_change_evidenced": ("stepped_down_to_cin", "yn", YES),
}


def answer_needed(sheet: RawSheet, column: str, analysed: np.ndarray) -> np.ndarray:
    """Which analysed rows need an answer in `column` (all of them, unless NEEDED_ONLY_WHEN says otherwise)."""
    if column not in NEEDED_ONLY_WHEN:
        return np.ones(int(analysed.sum()), dtype=bool)
    condition, kind, answer = NEEDED_ONLY_WHEN[column]
    if condition not in sheet.rows:
        return np.ones(int(analysed.sum()), dtype=bool)
    values, _ = read_answers(sheet.rows[condition][analysed], kind)
    return values.eq(answer).fillna(False).to_numpy(dtype=bool)


def blank_answer_problems(raw: RawWorkbook, row_outcomes: pd.DataFrame, sheets: tuple = SHEETS) -> pd.DataFrame:
    """Required answers left blank in the rows analysed: one problem per cell, or one per column when the
    column is empty in every such row (30 blank cells of one column are one thing to fix, not 30)."""
    frames = []
    for sheet, declared in ((raw.cases, sheets[0]), (raw.agency_returns, sheets[1])):
        outcomes = row_outcomes[row_outcomes["sheet"] == sheet.name]
        analysed = sheet.excel_row.isin(outcomes.loc[outcomes["outcome"] == "included", "row"]).to_numpy()
        if not analysed.any():
            continue
        rows = sheet.excel_row.to_numpy()[analysed]
        for column in declared.columns:
            # case_ref and agency left blank are already problems of their own (the row is not analysed).
            if (not column.required or column.name in ("case_ref", "agency") or column.name not in sheet.headers
                    or column.name not in sheet.rows):
                continue
            cells = sheet.rows[column.name][analysed].astype("string")
            empty = cells.str.strip().fillna("").eq("").to_numpy(dtype=bool)
            needed = answer_needed(sheet, column.name, analysed)
            blank = empty & needed
            if not blank.any():
                continue
            every = blank.all() and column.name not in NEEDED_ONLY_WHEN
            frames.append(pd.DataFrame({
                "sheet": sheet.name, "row": [sheet.header_row] if every else rows[blank], "column": column.name,
                "header": sheet.headers[column.name], "value": "",
                "issue": EMPTY_COLUMN if every else BLANK_ANSWER,
                "what_is_wrong": CHECK_ISSUE_WORDS[EMPTY_COLUMN if every else BLANK_ANSWER],
                "accepted": accepted_for(sheet.name, column.name, sheets), "suggestion": ""},
                columns=PROBLEM_COLUMNS))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PROBLEM_COLUMNS)


def sort_by_sheet_and_row(table: pd.DataFrame) -> pd.DataFrame:
    order = table["sheet"].map(SHEET_ORDER).fillna(len(SHEET_ORDER))
    return (table.assign(_order=order).sort_values(["_order", "row"], kind="stable")
            .drop(columns="_order").reset_index(drop=True))


def headers_as_written(raw: RawWorkbook) -> dict[tuple[str, str], str]:
    """(sheet, canonical column) -> the header the audit team wrote above it."""
    return {(sheet.name, column): header for sheet in _raw_sheets(raw) for column, header in sheet.headers.items()}


def columns_not_used(raw: RawWorkbook) -> pd.DataFrame:
    """Columns of the team's own (with a value somewhere) that the analysis does not read; two may share a
    header (each is listed), and one with no header is named by its letter."""
    rows = [(sheet.name, str(header) or f"(no header, column {letter})", int(cells.notna().sum()))
            for sheet in _raw_sheets(raw)
            for (header, cells), letter in zip(sheet.unused.items(), _letters(sheet))]
    return pd.DataFrame(rows, columns=["sheet", "header", "cells"])


def _letters(sheet) -> list[str]:
    return getattr(sheet, "unused_letters", None) or ["?"] * sheet.unused.shape[1]


def case_refs_as_written(raw: RawWorkbook) -> dict[tuple[str, int], str]:
    """(sheet, Excel row) -> the case reference cell as written, for the sheets with one per row."""
    return {(sheet.name, int(row)): "" if pd.isna(ref) else str(ref).strip()
            for sheet in (raw.cases, raw.agency_returns)
            for row, ref in zip(sheet.excel_row, sheet.rows["case_ref"])}


def _raw_sheets(raw: RawWorkbook) -> list:
    return [s for s in (raw.cases, raw.agency_returns, raw.audit, raw.recommendations) if s is not None]


def feedback_from(cleaned: CleanedAudit, raw: RawWorkbook, authority_hint: dict[str, str] | None = None,
                  warnings: tuple[str, ...] = (), definition: AuditDefinition | None = None) -> Feedback:
    """The feedback of one cleaning run: its problem cells and rows (values as written, with a "did you mean"
    where one is near), required answers left blank, the rows it leaves out and the columns it does not read
    (headers, case references and unused columns as the raw sheets hold them)."""
    sheets = sheets_of(definition)
    words = (ISSUE_WORDS, OUTCOME_WORDS) if definition is None else words_for(definition)
    from_cells = cell_problems(cleaned.data_quality_rows, sheets, words)
    from_rows = row_problems(cleaned.row_outcomes, headers_as_written(raw), case_refs_as_written(raw), words[1])
    # A row the cleaner already listed as a cell problem of the same kind is one problem, not two.
    listed = set(zip(from_cells["sheet"], from_cells["row"], from_cells["issue"]))
    from_rows = from_rows[[key not in listed for key in zip(from_rows["sheet"], from_rows["row"], from_rows["issue"])]]
    found = [frame for frame in (from_cells, from_rows, blank_answer_problems(raw, cleaned.row_outcomes, sheets))
             if len(frame)]
    problems = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=PROBLEM_COLUMNS)
    problems = with_suggestions(with_values_as_written(problems, raw, definition), raw, authority_hint or {})
    problems = sort_by_sheet_and_row(problems)

    outcomes = cleaned.row_outcomes[cleaned.row_outcomes["outcome"] != "included"]
    excluded = sort_by_sheet_and_row(pd.DataFrame({
        "sheet": outcomes["sheet"], "row": outcomes["row"].astype(int), "outcome": outcomes["outcome"],
        "reason": outcomes["outcome"].map(words[1].get), "detail": outcomes["detail"].fillna("").astype(str),
    }))
    return Feedback(Path(raw.path).name, problems, excluded, columns_not_used(raw), tuple(warnings), words)


def check_workbook(raw_path: str | Path, key: bytes, window_start=None, window_end=None,
                   definition: AuditDefinition | None = None) -> Feedback:
    """Read and clean the workbook as `make report` does (raising the same AuditInputError), with the context
    step's line for a local authority the census does not know, and gather the feedback; the raw sheets give
    the headers as written and the columns not used."""
    from ..spine import Window, clean

    warning = lock_file_warning(raw_path)
    read = clean(raw_path, key, Window(window_start or "", window_end or ""), definition=definition)
    cleaned, raw = read.cleaned, read.workbook
    return feedback_from(cleaned, raw, authority_hints(cleaned.settings.local_authorities_text),
                         (warning,) if warning else (), definition)


# --- the feedback workbook -----------------------------------------------------------------------------

def summary_lines(feedback: Feedback) -> list[tuple[str, str]]:
    """The summary sheet's opening lines, each with its style."""
    if feedback.is_clean:
        result = "No problems to fix: the workbook is ready for the report."
    else:
        result = (f"{len(feedback.problems)} problem{'s' if len(feedback.problems) != 1 else ''} to fix: each is "
                  "listed in the sheet Problems with its sheet, row and column. Correct them in your workbook "
                  "and send it again.")
    return [
        ("title", f"Check of the audit workbook {feedback.workbook}"),
        ("marking", f"{MARKING}. {NO_PERSONAL_DATA}"),
        *(("marking", warning) for warning in feedback.warnings),
        ("text", result),
    ]


def write_table(worksheet, first_row: int, headings: list[str], rows: list[list], formats: dict) -> int:
    """A heading row and its rows from `first_row`; returns the row after the table."""
    worksheet.write_row(first_row, 0, headings, formats["header"])
    for offset, values in enumerate(rows, start=1):
        for position, value in enumerate(values):
            # Values are written as text, exactly as the team typed them (never reinterpreted as a date).
            if isinstance(value, str):
                worksheet.write_string(first_row + offset, position, value, formats["wrap"])
            else:
                worksheet.write_number(first_row + offset, position, value, formats["wrap"])
    return first_row + len(rows) + 2


def write_summary_sheet(book, feedback: Feedback, formats: dict) -> None:
    sheet = book.add_worksheet("Summary")
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 80)
    sheet.set_column(2, 2, 12)
    row = 0
    for style, text in summary_lines(feedback):
        sheet.write_string(row, 0, text, formats[style])
        row += 1
    row += 1
    sheet.write_string(row, 0, "Problems by kind", formats["heading"])
    kinds = feedback.problems_by_kind()
    row = write_table(sheet, row + 1, ["Kind", "What is wrong", "Problems"],
                      [[k, w, int(n)] for k, w, n in kinds.itertuples(index=False)] or [["none", "", 0]], formats)
    sheet.write_string(row, 0, "Rows not analysed", formats["heading"])
    reasons = feedback.excluded_by_reason()
    row = write_table(sheet, row + 1, ["Sheet", "Why", "Rows"],
                      [[s, r, int(n)] for s, r, n in reasons.itertuples(index=False)] or [["none", "", 0]], formats)
    sheet.write_string(row, 0, "Columns not used", formats["heading"])
    sheet.write_string(row + 1, 0, "Columns of your own are kept in your workbook but the analysis does not "
                                   "read them.", formats["text"])
    write_table(sheet, row + 2, ["Sheet", "Column (as headed)", "Filled cells"],
                [[s, h, int(n)] for s, h, n in feedback.not_used.itertuples(index=False)] or [["none", "", 0]],
                formats)
    _mark(sheet)


def write_problems_sheet(book, feedback: Feedback, formats: dict) -> None:
    sheet = book.add_worksheet("Problems")
    rows = [[p.sheet, int(p.row), p.header, p.value, p.what_is_wrong, p.accepted, p.suggestion]
            for p in feedback.problems.itertuples(index=False)]
    write_table(sheet, 0, PROBLEM_HEADINGS, rows, formats)
    for position, width in enumerate((16, 7, 34, 28, 60, 60, 30)):
        sheet.set_column(position, position, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(PROBLEM_HEADINGS) - 1)
    _mark(sheet)


def write_excluded_sheet(book, feedback: Feedback, formats: dict) -> None:
    sheet = book.add_worksheet("Rows not analysed")
    rows = [[e.sheet, int(e.row), e.reason, e.detail] for e in feedback.excluded.itertuples(index=False)]
    write_table(sheet, 0, EXCLUDED_HEADINGS, rows, formats)
    for position, width in enumerate((16, 7, 70, 40)):
        sheet.set_column(position, position, width)
    sheet.freeze_panes(1, 0)
    _mark(sheet)


def _mark(sheet) -> None:
    sheet.set_header(f"&C{MARKING}")
    sheet.set_footer(f"&C{MARKING}")


def write_feedback(feedback: Feedback, path: str | Path) -> Path:
    """Write the feedback workbook whole (staged, then moved into place), readable by its owner only."""
    properties = {"title": f"Check of {feedback.workbook}", "subject": MARKING, "keywords": MARKING,
                  "created": dt.datetime(2025, 1, 1)}
    with workbook_written_whole(path, properties) as book:
        formats = {
            "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
            "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
            "title": book.add_format({"bold": True, "font_size": 14}),
            "heading": book.add_format({"bold": True, "font_size": 12}),
            "marking": book.add_format({"bold": True, "font_color": "#C00000"}),
            "text": book.add_format({}),
        }
        write_summary_sheet(book, feedback, formats)
        write_problems_sheet(book, feedback, formats)
        write_excluded_sheet(book, feedback, formats)
    return Path(path)


# --- the command ---------------------------------------------------------------------------------------

def default_feedback_path(raw: str | Path) -> Path:
    """Beside nothing in git: build/check/<workbook>-feedback.xlsx."""
    return config.BUILD / "check" / f"{Path(raw).stem}-feedback.xlsx"


def demo_workbook() -> Path:
    """The synthetic demo workbook, written first when it is not there (as `make report` does; not through
    helpers.run.loaders, whose chart imports alone would take most of the check's time)."""
    from . import demo

    if not config.DEMO_WORKBOOK.exists():
        demo.write_workbook(demo.build_demo(), config.DEMO_WORKBOOK)
    return config.DEMO_WORKBOOK


def report_request(raw: str, window_start: str, window_end: str, audit_definition: str = ""):
    """What `make report` would be asked with these values (and the other make variables it reads), checked by
    its own rules, so a value it refuses is refused here first, in the same order and with the same words."""
    given = [f"--raw={raw}", f"--window-start={window_start}", f"--window-end={window_end}",
             f"--audit-definition={audit_definition}"]
    return request_from(report_parser().parse_args(["report", *given]))


def console_summary(feedback: Feedback) -> str:
    if feedback.is_clean:
        return f"check: {feedback.workbook}: no problems to fix"
    kinds = ", ".join(f"{n} {k}" for k, _, n in feedback.problems_by_kind().itertuples(index=False))
    return f"check: {feedback.workbook}: {len(feedback.problems)} problems to fix ({kinds})"


def main(argv: list[str] | None = None) -> int:
    # Values not given on the command line come from the variables the Makefile exports (`make check RAW=...`).
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m helpers.run.check", description=__doc__.splitlines()[0])
    parser.add_argument("--raw", default=env("CPA_RAW", ""), help="the audit workbook (default: the synthetic demo)")
    parser.add_argument("--out", default=env("CPA_OUT", ""),
                        help="the feedback workbook (default build/check/<workbook>-feedback.xlsx)")
    parser.add_argument("--window-start", default=env("CPA_WINDOW_START", ""), help="replaces the Audit sheet's")
    parser.add_argument("--window-end", default=env("CPA_WINDOW_END", ""), help="replaces the Audit sheet's")
    parser.add_argument("--audit-definition", default=env("CPA_AUDIT_DEFINITION", ""),
                        help="the audit's definition file (default: audits/cp-conferences.yaml)")
    args = parser.parse_args(argv)
    try:
        check_given_settings()
        request = report_request(args.raw, args.window_start, args.window_end, args.audit_definition)
        if not args.raw and not request.is_cp and not request.raw.exists():
            from .pipeline import write_demo

            write_demo(request)
        raw = request.raw if args.raw or not request.is_cp else demo_workbook()
        warning = lock_file_warning(raw)
        if warning:  # said first: the problems below may be ones already corrected in Excel but not saved
            print(warning, file=sys.stderr)
        feedback = check_workbook(raw, load_or_create_key(), request.window_start or None,
                                  request.window_end or None, request.definition)
    except AuditInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    path = write_feedback(feedback, args.out or default_feedback_path(raw))
    print(console_summary(feedback))
    print(f"feedback: {path}")
    return EXIT_CLEAN if feedback.is_clean else EXIT_PROBLEMS


if __name__ == "__main__":
    sys.exit(main())
