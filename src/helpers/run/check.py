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
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import config
from ..clean.cleaning import CleanedAudit
from ..clean.pseudonym import load_or_create_key
from ..domain.quality import ISSUE_WORDS, OUTCOME_WORDS, OUTCOMES_TO_FIX
from ..domain.schema import AUDIT, AUDIT_FIELD_COLUMNS, SHEETS, Column
from ..errors import AuditInputError
from ..read.workbook import RawWorkbook
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
PROBLEM_COLUMNS = ["sheet", "row", "column", "header", "value", "issue", "what_is_wrong", "accepted"]
PROBLEM_HEADINGS = ["Sheet", "Row", "Column (as headed in your workbook)", "Value", "What is wrong",
                    "Accepted values or form"]
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

    def problems_by_kind(self) -> pd.DataFrame:
        counts = self.problems.groupby("issue", sort=False).size()
        return pd.DataFrame({"issue": counts.index, "what_is_wrong": counts.index.map(_issue_words),
                             "problems": counts.to_numpy()})

    def excluded_by_reason(self) -> pd.DataFrame:
        counts = self.excluded.groupby(["sheet", "outcome"], sort=False).size()
        return pd.DataFrame({"sheet": counts.index.get_level_values(0),
                             "reason": counts.index.get_level_values(1).map(OUTCOME_WORDS.get),
                             "rows": counts.to_numpy()})


# --- from the cleaning stage to the problems -------------------------------------------------------------

def declaration_of(sheet: str, column: str) -> Column | None:
    """The declared column (or Audit field) a problem is in; None for a column the spec does not name."""
    candidates = AUDIT_FIELD_COLUMNS if sheet == AUDIT.name else next(
        (s.columns for s in SHEETS if s.name == sheet), ())
    return next((c for c in candidates if c.name == column), None)


def accepted_for(sheet: str, column: str) -> str:
    declared = declaration_of(sheet, column)
    if declared is None:
        return ""
    # A free-text field (local authorities) says its form in its question.
    return declared.question if declared.kind == "text" else accepted_form(declared)


# Where the fix is not the column's usual form: what to write for these problems.
ACCEPTED_FOR_PROBLEM = {
    "negative_interval": "a date on or after the date it should follow: check both dates",
    "orphan_return": "a case reference that is on the Cases sheet: check its spelling, or add the case to Cases",
}


def _issue_words(issue: str) -> str:
    return ISSUE_WORDS.get(issue) or OUTCOME_WORDS.get(issue) or issue.replace("_", " ")


def cell_problems(data_quality_rows: pd.DataFrame) -> pd.DataFrame:
    """One problem per cell the cleaner listed, with what is wrong and what the column accepts."""
    rows = data_quality_rows[data_quality_rows["issue"] != UNUSED_COLUMN]
    return pd.DataFrame({
        "sheet": rows["sheet"], "row": rows["row"].astype(int), "column": rows["column"],
        "header": rows["header"].fillna(rows["column"]), "value": rows["value"].fillna("").astype(str),
        "issue": rows["issue"], "what_is_wrong": rows["issue"].map(_issue_words),
        "accepted": [ACCEPTED_FOR_PROBLEM.get(i) or accepted_for(s, c)
                     for s, c, i in zip(rows["sheet"], rows["column"], rows["issue"])],
    }, columns=PROBLEM_COLUMNS)


def row_problems(row_outcomes: pd.DataFrame, headers: dict, case_refs: dict) -> pd.DataFrame:
    """Rows left out until corrected (no case reference, no agency, an orphan return), one problem each, with
    the row's case reference as written (the audit team's own reference, so they can find the case)."""
    rows = row_outcomes[row_outcomes["outcome"].isin(OUTCOMES_TO_FIX)]
    column = rows["outcome"].map(lambda o: "agency" if o == "missing_agency" else "case_ref")
    detail = rows["detail"].fillna("").astype(str)
    what = rows["outcome"].map(OUTCOME_WORDS.get) + detail.map(lambda d: f" ({d})" if d else "")
    accepted = [ACCEPTED_FOR_PROBLEM.get(o) or accepted_for(s, c)
                for s, c, o in zip(rows["sheet"], column, rows["outcome"])]
    return pd.DataFrame({
        "sheet": rows["sheet"], "row": rows["row"].astype(int), "column": column,
        "header": [headers.get((s, c), c) for s, c in zip(rows["sheet"], column)],
        "value": [case_refs.get((s, int(r)), "") for s, r in zip(rows["sheet"], rows["row"])],
        "issue": rows["outcome"], "what_is_wrong": what, "accepted": accepted,
    }, columns=PROBLEM_COLUMNS)


def sort_by_sheet_and_row(table: pd.DataFrame) -> pd.DataFrame:
    order = table["sheet"].map(SHEET_ORDER).fillna(len(SHEET_ORDER))
    return (table.assign(_order=order).sort_values(["_order", "row"], kind="stable")
            .drop(columns="_order").reset_index(drop=True))


def headers_as_written(raw: RawWorkbook) -> dict[tuple[str, str], str]:
    """(sheet, canonical column) -> the header the audit team wrote above it."""
    return {(sheet.name, column): header for sheet in _raw_sheets(raw) for column, header in sheet.headers.items()}


def columns_not_used(raw: RawWorkbook) -> pd.DataFrame:
    """Columns of the team's own (with a value somewhere) that the analysis does not read."""
    rows = [(sheet.name, str(header), int(sheet.unused[header].notna().sum()))
            for sheet in _raw_sheets(raw) for header in sheet.unused.columns]
    return pd.DataFrame(rows, columns=["sheet", "header", "cells"])


def case_refs_as_written(raw: RawWorkbook) -> dict[tuple[str, int], str]:
    """(sheet, Excel row) -> the case reference cell as written, for the sheets with one per row."""
    return {(sheet.name, int(row)): "" if pd.isna(ref) else str(ref).strip()
            for sheet in (raw.cases, raw.agency_returns)
            for row, ref in zip(sheet.excel_row, sheet.rows["case_ref"])}


def _raw_sheets(raw: RawWorkbook) -> list:
    return [s for s in (raw.cases, raw.agency_returns, raw.audit, raw.recommendations) if s is not None]


def feedback_from(cleaned: CleanedAudit, raw: RawWorkbook) -> Feedback:
    """The feedback of one cleaning run: its problem cells and rows, the rows it leaves out and the columns
    it does not read (headers, case references and unused columns as the raw sheets hold them)."""
    from_cells = cell_problems(cleaned.data_quality_rows)
    from_rows = row_problems(cleaned.row_outcomes, headers_as_written(raw), case_refs_as_written(raw))
    # A row the cleaner already listed as a cell problem of the same kind is one problem, not two.
    listed = set(zip(from_cells["sheet"], from_cells["row"], from_cells["issue"]))
    from_rows = from_rows[[key not in listed for key in zip(from_rows["sheet"], from_rows["row"], from_rows["issue"])]]
    problems = sort_by_sheet_and_row(pd.concat([from_cells, from_rows], ignore_index=True))

    outcomes = cleaned.row_outcomes[cleaned.row_outcomes["outcome"] != "included"]
    excluded = sort_by_sheet_and_row(pd.DataFrame({
        "sheet": outcomes["sheet"], "row": outcomes["row"].astype(int), "outcome": outcomes["outcome"],
        "reason": outcomes["outcome"].map(OUTCOME_WORDS.get), "detail": outcomes["detail"].fillna("").astype(str),
    }))
    return Feedback(Path(raw.path).name, problems, excluded, columns_not_used(raw))


def check_workbook(raw_path: str | Path, key: bytes, window_start=None, window_end=None) -> Feedback:
    """Read and clean the workbook as `make report` does (raising the same AuditInputError), with the context
    step's line for a local authority the census does not know, and gather the feedback; the raw sheets give
    the headers as written and the columns not used."""
    from ..spine import Window, clean

    cleaned = clean(raw_path, key, Window(window_start or "", window_end or ""))
    return feedback_from(cleaned.cleaned, cleaned.workbook)


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
    rows = [[p.sheet, int(p.row), p.header, p.value, p.what_is_wrong, p.accepted]
            for p in feedback.problems.itertuples(index=False)]
    write_table(sheet, 0, PROBLEM_HEADINGS, rows, formats)
    for position, width in enumerate((16, 7, 34, 28, 60, 60)):
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


def report_request(raw: str, window_start: str, window_end: str):
    """What `make report` would be asked with these values (and the other make variables it reads), checked by
    its own rules, so a value it refuses is refused here first, in the same order and with the same words."""
    given = [f"--raw={raw}", f"--window-start={window_start}", f"--window-end={window_end}"]
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
    args = parser.parse_args(argv)
    try:
        check_given_settings()
        request = report_request(args.raw, args.window_start, args.window_end)
        raw = request.raw if args.raw else demo_workbook()
        feedback = check_workbook(raw, load_or_create_key(), request.window_start or None,
                                  request.window_end or None)
    except AuditInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    path = write_feedback(feedback, args.out or default_feedback_path(raw))
    print(console_summary(feedback))
    print(f"feedback: {path}")
    return EXIT_CLEAN if feedback.is_clean else EXIT_PROBLEMS


if __name__ == "__main__":
    sys.exit(main())
