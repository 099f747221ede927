"""The blank audit workbook (issue 12): drop-downs, date checks, input messages, same bytes, and the round trip.

The template is read here with openpyxl (reading only); a filled-in copy is written with openpyxl as the
audit team's Excel would, never the template itself.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from conftest import KEY, ROOT
from helpers.clean.cleaning import clean_workbook
from helpers.domain.answers import CATEGORIES, GRADES, NA_ANSWER, RECOMMENDATION_STATUSES, VOCABULARIES
from helpers.domain.measures import MEASURE_IDS, WORKING_DAYS_RULE
from helpers.domain.schema import (
    AGENCY_RETURNS,
    ANSWER_KINDS,
    AUDIT,
    AUDIT_FIELD_COLUMNS,
    AUDIT_FIELDS,
    CASES,
    RECOMMENDATIONS,
    SHEETS,
)
from helpers.read.cells import map_agencies, read_answers
from helpers.template.workbook import DATA_ROWS, LISTS_SHEET, write_template

LIST_KINDS = ANSWER_KINDS | {"agency", "measure_ids", "recommendation_status"}
DATA_SHEETS = (CASES, AGENCY_RETURNS, RECOMMENDATIONS)
FIRST_DATE, LAST_DATE = 36526, 73415  # Excel serials of 01/01/2000 and 31/12/2100


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return write_template(tmp_path_factory.mktemp("template") / "template.xlsx")


@pytest.fixture(scope="module")
def book(template):
    return openpyxl.load_workbook(template)


# --- reading the template back ----------------------------------------------

def column_letters(worksheet) -> dict[str, str]:
    return {cell.value: cell.column_letter for cell in worksheet[1] if cell.value is not None}


def validations_of(worksheet, cell: str) -> list:
    """The data validations that cover one cell."""
    found = []
    for validation in worksheet.data_validations.dataValidation:
        for bounds in str(validation.sqref).split():
            low_col, low_row, high_col, high_row = range_boundaries(bounds)
            col, row = openpyxl.utils.cell.coordinate_from_string(cell)
            col = openpyxl.utils.column_index_from_string(col)
            if low_col <= col <= high_col and low_row <= row <= high_row:
                found.append(validation)
    return found


def list_values(book, validation) -> list[str]:
    """The values a list validation offers, following its defined name to the lists sheet."""
    source = validation.formula1.lstrip("=")
    sheet_name, bounds = book.defined_names[source].attr_text.split("!")
    worksheet = book[sheet_name.strip("'")]
    return [row[0].value for row in worksheet[bounds.replace("$", "")]]


def drop_down(book, sheet: str, column: str, row: int = 2) -> list[str]:
    worksheet = book[sheet]
    cell = f"{column_letters(worksheet)[column]}{row}"
    lists = [v for v in validations_of(worksheet, cell) if v.type == "list"]
    assert len(lists) == 1, f"{sheet}.{column}: {len(lists)} drop-downs"
    return list_values(book, lists[0])


# --- the sheets -----------------------------------------------------------------

def test_sheets_carry_the_canonical_headers_in_row_1_frozen(book):
    for sheet in DATA_SHEETS + (AUDIT,):
        worksheet = book[sheet.name]
        assert [c.value for c in worksheet[1]] == [c.name for c in sheet.columns]
        assert worksheet.freeze_panes == "A2"
    assert book[LISTS_SHEET].sheet_state == "hidden"


def test_every_answer_column_has_a_drop_down_the_cleaner_reads(book):
    checked = 0
    for sheet in DATA_SHEETS:
        for column in sheet.columns:
            if column.kind not in LIST_KINDS:
                continue
            values = drop_down(book, sheet.name, column.name)
            last = drop_down(book, sheet.name, column.name, row=DATA_ROWS[sheet.name] + 1)
            assert values == last and len(set(values)) == len(values)
            assert_read_by_the_cleaner(column.kind, values)
            checked += 1
    assert checked == sum(c.kind in LIST_KINDS for s in DATA_SHEETS for c in s.columns) > 25


def assert_read_by_the_cleaner(kind: str, values: list[str]) -> None:
    """Every value is accepted (none unrecognised, none read as missing), and every answer can be given."""
    series = pd.Series(values)
    if kind == "agency":
        assert not map_agencies(series)["unmapped"].any()
        return
    if kind == "measure_ids":
        assert values == list(MEASURE_IDS)
        return
    if kind == "recommendation_status":
        assert values == list(RECOMMENDATION_STATUSES)
        return
    read, unrecognised = read_answers(series, kind)
    assert not unrecognised.any() and read.notna().all(), dict(zip(values, read))
    answers = {f"PN{d}" for d in range(8)} if kind == "participation" else set(VOCABULARIES[kind].values())
    # N/A is no answer to attendance, a grade or a category; every other answer of the kind is offered.
    assert set(read) >= answers - {NA_ANSWER}
    if kind == "category":
        assert list(read) == list(CATEGORIES)
    if kind == "grade":
        assert list(read) == list(GRADES)


def test_the_long_lists_come_from_the_hidden_lists_sheet(book):
    agencies = drop_down(book, AGENCY_RETURNS.name, "agency")
    assert len(", ".join(agencies)) > 255
    for sheet in DATA_SHEETS:
        for validation in book[sheet.name].data_validations.dataValidation:
            if validation.type == "list":
                assert not validation.formula1.startswith('"'), "a list is held inline"


def test_every_date_column_checks_dates_from_2000_to_2100_shown_day_first(book):
    checked = 0
    for sheet in DATA_SHEETS:
        worksheet = book[sheet.name]
        letters = column_letters(worksheet)
        for column in sheet.columns:
            if column.kind != "date":
                continue
            letter = letters[column.name]
            for row in (2, DATA_ROWS[sheet.name] + 1):
                dates = [v for v in validations_of(worksheet, f"{letter}{row}") if v.type == "date"]
                assert len(dates) == 1, f"{sheet.name}.{column.name}"
                assert (dates[0].operator in (None, "between") and dates[0].formula1 == str(FIRST_DATE)
                        and dates[0].formula2 == str(LAST_DATE))
            assert worksheet.column_dimensions[letter].number_format == "dd/mm/yyyy"
            checked += 1
    assert checked == 7


def test_audit_sheet_lists_its_fields_with_their_checks(book):
    worksheet = book[AUDIT.name]
    assert tuple(worksheet.cell(row, 1).value for row in range(2, 2 + len(AUDIT_FIELDS))) == AUDIT_FIELDS
    for row, field in enumerate(AUDIT_FIELD_COLUMNS, start=2):
        kinds = {v.type for v in validations_of(worksheet, f"B{row}")}
        expected = {"date": {"date"}, "whole_number": {"whole"}}.get(field.kind, {None})
        assert kinds == expected, field.name
        if field.kind == "date":
            assert worksheet.cell(row, 2).number_format == "dd/mm/yyyy"


def test_every_header_carries_its_question_from_the_declarations(book):
    for sheet in SHEETS:
        worksheet = book[sheet.name]
        for position, column in enumerate(sheet.columns, start=1):
            cell = f"{get_column_letter(position)}1"
            prompts = [v.prompt for v in validations_of(worksheet, cell) if v.prompt]
            assert len(prompts) == 1 and prompts[0].startswith(column.question) and len(prompts[0]) <= 255
    prompt = validations_of(book[CASES.name], "K1")[0].prompt  # plan_linked_to_needs
    assert "Was the plan linked to the presenting needs?" in prompt and "Plan linked to presenting needs" in prompt
    strategy = column_letters(book[CASES.name])["strategy_discussion_date"]
    assert WORKING_DAYS_RULE in validations_of(book[CASES.name], f"{strategy}1")[0].prompt


def test_cover_sheet_says_purpose_marking_and_how_to_return(book):
    text = " ".join(str(c.value) for row in book.worksheets[0].iter_rows() for c in row if c.value)
    assert book.worksheets[0].title == "About this workbook"
    for words in ("OFFICIAL-SENSITIVE", "personal data", "What it is for", "How to return it", ".xlsx"):
        assert words in text


def test_same_code_writes_the_same_bytes(tmp_path):
    first = write_template(tmp_path / "first.xlsx").read_bytes()
    second = write_template(tmp_path / "second.xlsx").read_bytes()
    assert first == second


@pytest.mark.parametrize("given", ["argument", "make variable"])
def test_command_prints_the_template_path_last(tmp_path, given):
    out = tmp_path / "blank.xlsx"
    args, env = (["--out", str(out)], {}) if given == "argument" else ([], {"CPA_OUT": str(out)})
    result = subprocess.run([sys.executable, "-m", "helpers.template", *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"template: {out}"
    assert openpyxl.load_workbook(out).sheetnames[1:5] == [s.name for s in SHEETS]


# --- the round trip -------------------------------------------------------------

N_CASES, RETURNS_PER_CASE = 40, 3


def fill_from_drop_downs(template: Path, out: Path, drop_columns: dict | None = None,
                         own_column: str | None = None) -> Path:
    """A copy filled as the audit team would: answers picked from each column's own drop-down, dates typed."""
    book = openpyxl.load_workbook(template)
    choices = {(s.name, c.name): drop_down(book, s.name, c.name) for s in DATA_SHEETS for c in s.columns
               if c.kind in LIST_KINDS}
    agencies = choices[(AGENCY_RETURNS.name, "agency")]
    for case in range(N_CASES):
        strategy = dt.datetime(2025, 4, 7) + dt.timedelta(days=3 * case)
        dates = {"date_of_birth": dt.datetime(2015, 1, 10) + dt.timedelta(days=40 * case),
                 "strategy_discussion_date": strategy, "icpc_date": strategy + dt.timedelta(days=14),
                 "first_core_group_date": strategy + dt.timedelta(days=21), "audit_date": dt.datetime(2025, 11, 3)}
        fill_row(book, CASES, case + 2, case, choices,
                 {"case_ref": f"RT-{case:03d}", "child_name": f"Round Trip {case}", "comments": "text", **dates})
        for number in range(RETURNS_PER_CASE):
            row = case * RETURNS_PER_CASE + number
            fill_row(book, AGENCY_RETURNS, row + 2, row, choices,
                     {"case_ref": f"RT-{case:03d}", "agency": agencies[row % len(agencies)],
                      "report_shared_date": strategy + dt.timedelta(days=7)})
    for row in range(len(MEASURE_IDS)):
        fill_row(book, RECOMMENDATIONS, row + 2, row, choices,
                 {"recommendation": f"Recommendation {row}", "owner": "Panel", "target": 90,
                  "due_date": dt.datetime(2026, 3, 31),
                  # Every other one carried forward from the last audit (spec section 3b).
                  "raised": "Audit of October 2024 to March 2025" if row % 2 else None})
    audit = {"audit_title": "Round trip", "window_start": dt.datetime(2025, 4, 1),
             "window_end": dt.datetime(2025, 12, 31), "population": 1000, "sampling": "every case",
             "local_authorities": "Hampshire; 921"}
    for row in range(2, 2 + len(AUDIT_FIELDS)):
        field = book[AUDIT.name].cell(row, 1).value
        book[AUDIT.name].cell(row, 2).value = audit.get(field)
    for sheet, names in (drop_columns or {}).items():
        worksheet = book[sheet]
        for name in names:
            worksheet.delete_cols(openpyxl.utils.column_index_from_string(column_letters(worksheet)[name]))
    if own_column:  # a column of the team's own, after the template's
        cases = book[CASES.name]
        cases.cell(1, cases.max_column + 1).value = own_column
        cases.cell(2, cases.max_column).value = "panel discussed twice"
    book.save(out)
    return out


def fill_row(book, sheet, row: int, number: int, choices: dict, values: dict) -> None:
    worksheet = book[sheet.name]
    for position, column in enumerate(sheet.columns, start=1):
        if column.name in values:
            value = values[column.name]
        else:
            offered = choices[(sheet.name, column.name)]
            value = offered[number % len(offered)]
        worksheet.cell(row, position).value = value


def test_a_workbook_filled_from_its_drop_downs_cleans_without_a_problem(template, tmp_path):
    filled = fill_from_drop_downs(template, tmp_path / "filled.xlsx")
    cleaned = clean_workbook(filled, KEY)
    assert cleaned.data_quality.empty, cleaned.data_quality.to_string()
    assert (cleaned.case_outcomes == "included").all() and len(cleaned.cases) == N_CASES
    assert (cleaned.return_outcomes == "included").all()
    assert len(cleaned.agency_returns) == N_CASES * RETURNS_PER_CASE
    assert set(cleaned.recommendations["measures"]) == set(MEASURE_IDS)
    raised = cleaned.recommendations["raised"]
    assert (raised[1::2] == "Audit of October 2024 to March 2025").all() and (raised[::2] == "").all()
    # Every answer of every drop-down was given somewhere, so each was read back.
    assert set(cleaned.cases["child_participation"]) == {f"PN{d}" for d in range(8)}
    assert set(cleaned.cases["cp_category"]) == set(CATEGORIES)
    assert cleaned.settings.population == 1000 and cleaned.settings.title == "Round trip"
    assert cleaned.settings.local_authorities == ["Hampshire", "921"]


def test_a_workbook_from_an_older_template_without_optional_columns_still_cleans(template, tmp_path):
    optional = {s.name: [c.name for c in s.columns if not c.required] for s in (CASES, RECOMMENDATIONS)}
    assert optional[CASES.name] and optional[RECOMMENDATIONS.name]
    older = fill_from_drop_downs(template, tmp_path / "older.xlsx", drop_columns=optional)
    cleaned = clean_workbook(older, KEY)
    assert cleaned.data_quality.empty, cleaned.data_quality.to_string()
    assert (cleaned.case_outcomes == "included").all() and len(cleaned.cases) == N_CASES


def test_check_finds_nothing_to_fix_in_a_filled_template_and_lists_own_columns_as_not_used(template, tmp_path):
    from helpers.run.check import check_workbook

    filled = fill_from_drop_downs(template, tmp_path / "own.xlsx", own_column="Panel notes")
    feedback = check_workbook(filled, KEY)
    assert feedback.is_clean, feedback.problems.to_string()
    assert feedback.excluded.empty
    assert feedback.not_used[["sheet", "header"]].values.tolist() == [[CASES.name, "Panel notes"]]
