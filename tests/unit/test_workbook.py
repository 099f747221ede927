"""Reading the workbook (spec section 1) and every kind of bad input."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from conftest import case_row, quorate_returns, write_workbook
from helpers.errors import AuditInputError
from helpers.read.workbook import cell_to_text, read_workbook


def test_cell_to_text():
    assert [cell_to_text(v) for v in (None, True, False, 2.0, 2.5, 7, dt.datetime(2025, 1, 2, 13, 0), " x ")] == \
        [None, "true", "false", "2", "2.5", "7", "2025-01-02", " x "]


def test_aliases_spacing_and_sheet_names(tmp_path):
    headers = {"case_ref": " Case Ref. ", "date_of_birth": "DOB", "icpc_date": "Conference\u00a0Date",
               "eha_completed": "Early Help Assessment Completed?", "plan_smart": "SMART plan"}
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1")], quorate_returns("A1"), case_headers=headers,
                          sheet_names={"cases": "CASES", "returns": "agency_returns"})
    raw = read_workbook(path)
    assert raw.cases.rows.loc[0, "case_ref"] == "A1"
    assert raw.cases.rows.loc[0, "icpc_date"] == "15/05/2025"
    assert raw.audit is None and raw.recommendations is None


def test_header_is_first_non_empty_row_and_extra_columns_are_ignored(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cases"
    sheet.append([None])
    sheet.append(["  "])
    row = case_row("A1")
    sheet.append(list(row) + ["Unknown extra"])
    sheet.append(list(row.values()) + ["ignored"])
    returns = book.create_sheet("Agency returns")
    returns.append(["case_ref", "agency", "attended", "report_submitted", "report_shared_date",
                    "agreed_with_decision", "dissent_recorded"])
    path = tmp_path / "w.xlsx"
    book.save(path)
    raw = read_workbook(path)
    assert len(raw.cases.rows) == 1
    assert raw.cases.excel_row.tolist() == [4]
    assert "unknown_extra" not in raw.cases.rows.columns


def test_blank_rows_are_counted_and_trailing_empty_rows_are_not_rows(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1"), {}, {"comments": " \u00a0"}, case_row("A2")],
                          [])
    raw = read_workbook(path)
    assert raw.cases.blank.tolist() == [False, True, True, False]


def expect_error(path, *fragments):
    with pytest.raises(AuditInputError) as caught:
        read_workbook(path)
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message
    return message


def test_missing_required_column_names_sheet_and_column(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1")], [], drop_case_columns=("icpc_date",))
    expect_error(path, "w.xlsx", "sheet 'Cases'", "column 'icpc_date'", "missing")


def test_optional_columns_may_be_absent(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1")], [],
                          drop_case_columns=("child_name", "comments", "audit_date"))
    assert read_workbook(path).cases.rows["audit_date"].isna().all()


def test_missing_required_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Cases"
    book.active.append(["case_ref"])
    book.save(tmp_path / "w.xlsx")
    expect_error(tmp_path / "w.xlsx", "sheet 'Cases'", "column")  # Cases is checked first
    book.active.delete_rows(1)
    book.active.append(list(case_row("A1")))
    book.save(tmp_path / "w.xlsx")
    expect_error(tmp_path / "w.xlsx", "sheet 'Agency returns'", "not found")


def test_sheet_with_no_header(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Cases"
    book.create_sheet("Agency returns")
    book.save(tmp_path / "w.xlsx")
    expect_error(tmp_path / "w.xlsx", "sheet 'Cases'", "no header")


def test_file_missing(tmp_path):
    expect_error(tmp_path / "nope.xlsx", "nope.xlsx", "not found")


def test_not_an_xlsx(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("case_ref,agency\n")
    expect_error(path, "notes.xlsx", "not an .xlsx")


def test_password_protected(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_workbook(tmp_path / "plain.xlsx", [case_row("A1")], [])
    encrypted = tmp_path / "locked.xlsx"
    with plain.open("rb") as source, encrypted.open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    expect_error(encrypted, "locked.xlsx", "password-protected")


def test_several_missing_columns_are_all_named(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1")], [], drop_case_columns=("icpc_date", "plan_smart"))
    expect_error(path, "sheet 'Cases', columns 'icpc_date', 'plan_smart': required columns missing")
