"""Issue 8: what real audit workbooks contain. One test per numbered case that concerns reading and cleaning,
each building its workbook in code; each gives the right numbers or one clear line."""
from __future__ import annotations

import zipfile

import openpyxl
import pandas as pd
import pytest
from openpyxl.styles import Border, PatternFill, Side

from conftest import KEY, RETURN_COLUMNS, case_row, quorate_returns, return_row, write_ods, write_workbook
from helpers.clean.cleaning import clean_workbook
from helpers.errors import AuditInputError
from helpers.measures import Parameters
from helpers.measures.findings import findings_table
from helpers.measures.statuses import measure_statuses
from helpers.read.workbook import read_workbook, workbook_format

WINDOW = {"window_start": "01/04/2025", "window_end": "30/09/2025"}


def quoracy(cleaned) -> tuple[int, int]:
    findings = findings_table(measure_statuses(cleaned.cases, cleaned.agency_returns, Parameters()), None)
    row = findings.set_index("measure_id").loc["conference_quorate"]
    return int(row["numerator"]), int(row["denominator"])


def one_line_error(path, *fragments, **kwargs) -> str:
    with pytest.raises(AuditInputError) as caught:
        clean_workbook(path, KEY, **kwargs)
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
    return message


# 1. Case reference merged down a case's agency rows.
def test_case_1_case_ref_merged_down_the_agency_rows(tmp_path):
    refs = [f"C{n}" for n in range(4)]
    returns = [r for ref in refs for r in quorate_returns(ref)]
    path = write_workbook(tmp_path / "merged.xlsx", [case_row(ref) for ref in refs], returns, WINDOW)
    book = openpyxl.load_workbook(path)
    sheet = book["Agency returns"]
    for number in range(len(refs)):
        top = 2 + 3 * number
        sheet.merge_cells(start_row=top, start_column=1, end_row=top + 2, end_column=1)
    book.save(path)
    cleaned = clean_workbook(path, KEY)
    assert cleaned.return_outcomes.tolist() == ["included"] * 12
    assert quoracy(cleaned) == (4, 4)


# 2. Formatting applied down to row 1,048,576.
def test_case_2_formatting_to_the_bottom_adds_no_rows(tmp_path):
    path = write_workbook(tmp_path / "formatted.xlsx", [case_row("A1"), case_row("A2")],
                          quorate_returns("A1") + quorate_returns("A2"), WINDOW)
    book = openpyxl.load_workbook(path)
    fill, border = PatternFill("solid", fgColor="FFFF00"), Border(bottom=Side(style="thin"))
    for name in ("Cases", "Agency returns"):
        sheet = book[name]
        for column in range(1, 8):
            sheet.cell(1_048_576, column).fill = fill
            sheet.cell(1_048_576, column).border = border
            sheet.cell(5000, column).fill = fill
    book.save(path)
    raw = read_workbook(path)
    assert len(raw.cases.rows) == 2 and len(raw.agency_returns.rows) == 6
    cleaned = clean_workbook(path, KEY)
    assert cleaned.reconciliation["rows"].sum() == 8 and quoracy(cleaned) == (2, 2)


# 4. Window end before start, a Cases sheet with only its header, every case outside the window.
def test_case_4_window_end_before_start_is_an_error(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1")], quorate_returns("A1"),
                          {"window_start": "30/09/2025", "window_end": "01/04/2025"})
    one_line_error(path, "sheet 'Audit'", "ends (01/04/2025) before it starts (30/09/2025)")


def test_case_4_cases_sheet_with_only_its_header_is_an_error(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [], [], WINDOW)
    one_line_error(path, "sheet 'Cases'", "no case rows")


def test_case_4_every_case_outside_the_window_is_an_error_with_counts(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1", icpc_date="01/01/2025"), {},
                                                case_row("A2", icpc_date="01/01/2024")], [], WINDOW)
    message = one_line_error(path, "sheet 'Cases'", "blank 1", "outside_terms_of_reference 2", "2025-04-01")
    assert "included" not in message


# 5. An agency cell left blank.
def test_case_5_a_blank_agency_is_missing_agency_never_a_duplicate(tmp_path):
    returns = quorate_returns("A1") + [return_row("A1", ""), return_row("A1", None, attended="No"),
                                       return_row("A1", "n/k")]
    cleaned = clean_workbook(write_workbook(tmp_path / "w.xlsx", [case_row("A1")], returns, WINDOW), KEY)
    assert cleaned.return_outcomes.tolist() == ["included"] * 3 + ["missing_agency"] * 3
    assert quoracy(cleaned) == (1, 1)
    recon = cleaned.reconciliation.set_index(["sheet", "outcome"])["rows"]
    assert recon[("Agency returns", "missing_agency")] == 3
    assert not cleaned.data_quality.query("issue == 'unmapped_agency'").shape[0]
    assert cleaned.data_quality.query("issue == 'missing_agency'")["rows"].sum() == 3
    assert cleaned.data_quality_rows.query("issue == 'missing_agency'")["row"].tolist() == [5, 6, 7]


# 6. Numeric case references shown as 000001 on one sheet and typed as text on the other.
def test_case_6_numeric_refs_are_read_as_displayed(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row(1), case_row(2)],
                          quorate_returns("000001") + quorate_returns("CP-0002"), WINDOW)
    book = openpyxl.load_workbook(path)
    book["Cases"]["A2"].number_format = "000000"
    book["Cases"]["A3"].number_format = '"CP-"0000'
    book.save(path)
    cleaned = clean_workbook(path, KEY)
    assert cleaned.return_outcomes.tolist() == ["included"] * 6
    assert quoracy(cleaned) == (2, 2)


def test_case_6_general_number_refs_are_plain_digits(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row(123456)], quorate_returns("123456"), WINDOW)
    assert read_workbook(path).cases.rows.loc[0, "case_ref"] == "123456"
    assert clean_workbook(path, KEY).return_outcomes.tolist() == ["included"] * 3


# 7. Formulas saved without calculated values.
def test_case_7_formula_without_a_calculated_value_is_an_error_naming_the_cell(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1"), case_row("A2")], [], WINDOW)
    book = openpyxl.load_workbook(path)
    book["Cases"]["A3"] = '=UPPER("a2")'
    book.save(path)  # openpyxl never calculates: the formula is stored without a value
    one_line_error(path, "sheet 'Cases'", "cell A3", "open the workbook in Excel and save it, so its formulas are "
                   "calculated")


def test_case_7_formula_whose_stored_value_is_empty_is_an_empty_cell(tmp_path):
    import xlsxwriter

    path = tmp_path / "w.xlsx"
    book = xlsxwriter.Workbook(path)
    cases, returns = book.add_worksheet("Cases"), book.add_worksheet("Agency returns")
    row = case_row("A1")
    cases.write_row(0, 0, list(row))
    cases.write_row(1, 0, list(row.values()))
    cases.write_formula(1, list(row).index("comments"), '=""', None, "")
    cases.write_formula(1, 0, '="A"&"1"', None, "A1")
    returns.write_row(0, 0, RETURN_COLUMNS)
    book.close()
    raw = read_workbook(path)
    assert pd.isna(raw.cases.rows.loc[0, "comments"]) and raw.cases.rows.loc[0, "case_ref"] == "A1"


# 8. An alias column to the left of the canonical one.
def test_case_8_a_column_and_its_alias_both_present_is_an_error_naming_both(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1")], [], WINDOW, case_headers={"icpc_date": "ICPC date"})
    book = openpyxl.load_workbook(path)
    book["Cases"].insert_cols(1)
    book["Cases"]["A1"] = "Conference date"
    book.save(path)
    one_line_error(path, "sheet 'Cases'", "columns 'Conference date', 'ICPC date'", "two columns match 'icpc_date'")


# 9. A hidden draft sheet `cases_` before the real `Cases`.
def test_case_9_two_sheets_matching_one_name_is_an_error_naming_both(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1")], quorate_returns("A1"), WINDOW)
    book = openpyxl.load_workbook(path)
    draft = book.create_sheet("cases_", 0)
    draft.append(["case_ref"])
    draft.sheet_state = "hidden"
    book.save(path)
    one_line_error(path, "two sheets match 'Cases'", "'cases_' (hidden)", "'Cases'")


# 10. A window written in US order.
@pytest.mark.parametrize("where", ["sheet", "parameters"])
def test_case_10_us_order_window_is_called_out(tmp_path, where):
    us = {"window_start": "04/01/2025", "window_end": "09/30/2025"}
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1")], [], us if where == "sheet" else None)
    kwargs = us if where == "parameters" else {}
    one_line_error(path, "window_end", "'09/30/2025' looks like a US (month-first) date", **kwargs)


def test_case_10_a_window_in_order_only_month_first_is_called_out(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1")], [],
                          {"window_start": "05/04/2025", "window_end": "06/03/2025"})
    one_line_error(path, "before it starts", "look like US (month-first) order")


# 12. Excel's lock file given as the workbook.
def test_case_12_lock_file_names_the_real_workbook(tmp_path):
    write_workbook(tmp_path / "audit.xlsx", [case_row("A1")], [])
    lock = tmp_path / "~$audit.xlsx"
    lock.write_bytes(b"\x05Alice" + b" " * 48 + "Alice".encode("utf-16-le") + b"\x00" * 100)
    message = one_line_error(lock, "Excel's lock file", "'audit.xlsx'")
    assert "save it as" not in message


# 13. .xlsb and .ods files, and an .xlsx with no extension.
def test_case_13_xlsx_without_an_extension_is_read(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1")], quorate_returns("A1"), WINDOW)
    bare = tmp_path / "audit-workbook"
    bare.write_bytes(path.read_bytes())
    assert workbook_format(bare) == "xlsx"
    assert quoracy(clean_workbook(bare, KEY)) == (1, 1)


def test_case_13_ods_is_read(tmp_path):
    case = case_row("A1")
    returns = quorate_returns("A1")
    path = write_ods(tmp_path / "audit.ods", {
        "Cases": [list(case), list(case.values())],
        "Agency returns": [RETURN_COLUMNS] + [[r[c] for c in RETURN_COLUMNS] for r in returns],
        "Audit": [["field", "value"], ["window_start", "01/04/2025"], ["window_end", "30/09/2025"]],
    })
    assert workbook_format(path) == "ods"
    cleaned = clean_workbook(path, KEY)
    assert quoracy(cleaned) == (1, 1) and cleaned.settings.window_end == pd.Timestamp("2025-09-30")


def test_case_13_xlsb_is_recognised_and_a_damaged_one_says_so(tmp_path):
    path = tmp_path / "audit"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    assert workbook_format(path) == "xlsb"
    message = one_line_error(path, "cannot be read as .xlsb")
    assert "password" not in message


@pytest.mark.parametrize("content, expected", [
    (b"", "the file is empty (0 bytes)"),
    (b"case_ref,agency\nA1,Police\n", "it is a text file (for example CSV)"),
    (b"<html><table><tr><td>x</td></tr></table></html>", "web page or XML file"),
])
def test_case_13_files_that_are_not_workbooks_say_what_they_are(tmp_path, content, expected):
    path = tmp_path / "audit.xlsx"
    path.write_bytes(content)
    message = one_line_error(path, expected)
    if not content:
        assert "save it as" not in message
