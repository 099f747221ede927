"""Issue 20: the classes of workbook that still gave wrong numbers or a traceback. Each test builds its workbook
in code and asserts the spec's numbers or its one line (spec sections 1, 2, 3 and 8)."""
from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pandas as pd
import pytest

from conftest import KEY, case_row, quorate_returns, return_row, write_workbook
from helpers.clean.cleaning import clean_workbook
from helpers.errors import AuditInputError
from helpers.measures import Parameters
from helpers.measures.findings import findings_table
from helpers.measures.statuses import measure_statuses
from helpers.read.workbook import read_workbook

WINDOW = {"window_start": "01/04/2025", "window_end": "30/09/2025"}


def findings(cleaned) -> pd.DataFrame:
    return findings_table(measure_statuses(cleaned.cases, cleaned.agency_returns, Parameters()), None) \
        .set_index("measure_id")


def quality(cleaned) -> dict:
    table = cleaned.data_quality
    return {(s, c, v, i): r for s, c, v, i, r in table.itertuples(index=False)}


def refs(n: int) -> list[str]:
    return [f"C{number}" for number in range(n)]


def basic(tmp_path, name="w.xlsx", cases=None, audit=None, **kwargs):
    cases = cases or [case_row(ref) for ref in refs(3)]
    returns = [r for case in cases if case for r in quorate_returns(case["case_ref"])]
    return write_workbook(tmp_path / name, cases, returns, WINDOW if audit is None else audit, **kwargs)


def column_of(sheet, header: str) -> int:
    return next(cell.column for cell in sheet[1] if cell.value == header)


# --- merged cells across columns (spec section 1) ----------------------------------------------------------

def test_a_value_merged_across_columns_applies_to_every_cell_of_the_range(tmp_path):
    cases = [case_row(ref, father_invited="Yes", father_attended="Yes") for ref in refs(3)]
    path = basic(tmp_path, cases=cases)
    book = openpyxl.load_workbook(path)
    sheet = book["Cases"]
    invited, attended = column_of(sheet, "father_invited"), column_of(sheet, "father_attended")
    assert attended == invited + 1
    for row in (2, 3):  # `No` typed once across Father invited : Father attended
        sheet.cell(row, invited).value = "No"
        sheet.cell(row, attended).value = None
        sheet.merge_cells(start_row=row, start_column=invited, end_row=row, end_column=attended)
    # And a block: two rows by two columns, typed once in its top-left cell.
    sheet.cell(4, invited).value = "No"
    sheet.cell(4, attended).value = None
    book.save(path)
    cleaned = clean_workbook(path, KEY)
    attended = cleaned.cases["father_attended"]
    assert attended.tolist()[:2] == ["No", "No"] and pd.isna(attended.iloc[2])
    measures = findings(cleaned)
    assert measures.loc["father_attended", ["numerator", "denominator"]].tolist() == [0, 2]
    assert measures.loc["father_attended", "not_recorded"] == 1  # row 4 was not merged: its own empty cell


def test_a_block_merged_down_and_across_fills_every_cell(tmp_path):
    path = basic(tmp_path, cases=[case_row(ref, plan_smart="Yes", plan_progress_monitored="Yes") for ref in refs(3)])
    book = openpyxl.load_workbook(path)
    sheet = book["Cases"]
    smart = column_of(sheet, "plan_smart")
    monitored = column_of(sheet, "plan_progress_monitored")
    assert monitored == smart + 1
    for row in (2, 3, 4):
        sheet.cell(row, smart).value = sheet.cell(row, monitored).value = None
    sheet.cell(2, smart).value = "Partly"
    sheet.merge_cells(start_row=2, start_column=smart, end_row=4, end_column=monitored)
    book.save(path)
    cleaned = clean_workbook(path, KEY)
    assert cleaned.cases["plan_smart"].tolist() == ["Partly"] * 3
    assert cleaned.cases["plan_progress_monitored"].tolist() == ["Partly"] * 3


# --- two unknown columns with one header (spec section 1: ignored; section 8: unused_column) ----------------

def test_two_unknown_columns_with_the_same_header_are_ignored_and_listed_by_header(tmp_path):
    path = basic(tmp_path)
    book = openpyxl.load_workbook(path)
    sheet = book["Cases"]
    last = sheet.max_column
    sheet.cell(1, last + 1).value = sheet.cell(1, last + 2).value = "Notes"
    sheet.cell(2, last + 1).value = "called the school"
    sheet.cell(3, last + 2).value = "see file"
    sheet.cell(4, last + 2).value = "x"
    sheet.cell(3, last + 3).value = "a column with no header"
    book.save(path)
    cleaned = clean_workbook(path, KEY)
    assert (cleaned.case_outcomes == "included").sum() == 3
    listed = quality(cleaned)
    # Spec section 8: `column` and `value` hold the header as written, `rows` the filled cells; never the values.
    assert listed[("Cases", "Notes", "Notes", "unused_column")] == 3
    assert listed[("Cases", "", "", "unused_column")] == 1
    shown = " ".join(str(v) for v in cleaned.data_quality_rows["value"])
    assert "called the school" not in shown and "see file" not in shown


# --- Excel error values (spec sections 2 and 8) --------------------------------------------------------------

def set_error(cell, error: str) -> None:
    cell.value = error
    cell.data_type = "e"


@pytest.mark.parametrize("error", ["#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"])
def test_an_excel_error_other_than_n_a_is_unrecognised_and_listed(tmp_path, error):
    path = basic(tmp_path)
    book = openpyxl.load_workbook(path)
    sheet = book["Cases"]
    set_error(sheet.cell(2, column_of(sheet, "plan_smart")), error)
    set_error(sheet.cell(3, column_of(sheet, "icpc_date")), error)
    set_error(sheet.cell(4, column_of(sheet, "father_invited")), "#N/A")  # only #N/A means missing
    book.save(path)
    cleaned = clean_workbook(path, KEY)
    listed = quality(cleaned)
    assert listed[("Cases", "plan_smart", error.lower(), "unrecognised")] == 1
    assert listed[("Cases", "icpc_date", error.lower(), "unrecognised")] == 1
    assert not any(key[1] == "father_invited" for key in listed)
    measures = findings(cleaned)
    assert measures.loc["plan_smart", ["denominator", "not_recorded"]].tolist() == [2, 1]
    assert measures.loc["father_invited", ["denominator", "not_recorded"]].tolist() == [2, 1]


def test_an_error_value_in_a_case_reference_is_not_a_case_reference(tmp_path):
    path = basic(tmp_path)
    book = openpyxl.load_workbook(path)
    set_error(book["Cases"].cell(2, 1), "#REF!")
    book.save(path)
    cleaned = clean_workbook(path, KEY)
    # `#REF!` is the text Excel shows: an upper-cased case reference of its own, whose returns are orphans.
    assert (cleaned.case_outcomes == "included").sum() == 3
    assert (cleaned.return_outcomes == "orphan_return").sum() == 3


# --- dates outside 1900-2099 (spec section 2: implausible_date, never a crash) -------------------------------

def test_dates_outside_pandas_range_are_implausible_listed_and_never_quoted(tmp_path):
    cases = [case_row("C0", date_of_birth="15/03/1012"), case_row("C1", strategy_discussion_date="3 May 2300"),
             case_row("C2"), case_row("C3", first_core_group_date="999999")]
    path = basic(tmp_path, cases=cases)
    book = openpyxl.load_workbook(path)
    sheet = book["Cases"]
    sheet.cell(4, column_of(sheet, "icpc_date")).value = dt.datetime(2300, 5, 15)  # a date cell in 2300
    book.save(path)
    cleaned = clean_workbook(path, KEY)
    rows = cleaned.data_quality_rows
    implausible = rows[rows["issue"] == "implausible_date"]
    assert sorted(zip(implausible["row"], implausible["column"])) == [
        (2, "date_of_birth"), (3, "strategy_discussion_date"), (4, "icpc_date"), (5, "first_core_group_date")]
    # The date of birth is personal data: never shown, in the data quality or anywhere else.
    assert implausible.set_index("column").loc["date_of_birth", "value"] == "[personal data withheld]"
    assert "1012" not in cleaned.data_quality.to_csv() + rows.to_csv()
    assert cleaned.cases["age_band"].tolist()[0] == "Not known"
    measures = findings(cleaned)
    assert measures.loc["icpc_timely", "not_recorded"] == 2   # C1 (strategy 2300) and C2 (ICPC 2300)
    assert measures.loc["core_group_timely", "not_recorded"] == 2  # C2's ICPC, C3's core group


@pytest.mark.parametrize("text, read", [
    ("31/12/1899", "implausible"), ("01/01/1900", "date"), ("31/12/2099", "date"), ("01/01/2100", "implausible"),
    ("1025-04-01", "implausible"), ("3 Dec 1888", "implausible"), ("29/02/1600", "implausible"),
    ("29/02/1700", "unrecognised"),  # 1700 is no leap year: no such date, in range or not
    ("31/04/1066", "unrecognised"), ("1", "implausible"), ("73050", "date"), ("73051", "implausible")])
def test_the_plausible_range_is_1900_to_2099(text, read):
    from helpers.read.cells import read_dates_and_range

    dates, _, unrecognised, out_of_range = read_dates_and_range(pd.Series([text], dtype="object"))
    assert out_of_range.iloc[0] == (read == "implausible")
    assert unrecognised.iloc[0] == (read == "unrecognised")
    assert pd.notna(dates.iloc[0]) == (read == "date")


# --- an Audit field given twice, and unknown fields (spec section 3) ------------------------------------------

def audit_workbook(tmp_path, rows: list[tuple]) -> "Path":  # noqa: F821
    path = basic(tmp_path, audit={})
    book = openpyxl.load_workbook(path)
    sheet = book["Audit"]
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def test_an_audit_field_given_twice_with_different_values_is_an_error_naming_both_rows(tmp_path):
    path = audit_workbook(tmp_path, [("window_start", "01/04/2025"), ("window_end", "30/09/2025"),
                                     ("Window start:", "01/05/2025")])
    with pytest.raises(AuditInputError) as caught:
        clean_workbook(path, KEY)
    message = str(caught.value)
    assert "\n" not in message and "sheet 'Audit'" in message
    assert "'window_start'" in message and "rows 2 and 4" in message


def test_the_same_audit_value_twice_is_fine_and_an_unknown_field_is_listed(tmp_path):
    path = audit_workbook(tmp_path, [("window_start", "01/04/2025"), ("window_end", "30/09/2025"),
                                     ("Window start", " 01/04/2025 "), ("From:", "01/01/2025"), ("To:", "")])
    cleaned = clean_workbook(path, KEY)
    assert cleaned.settings.window_start == pd.Timestamp("2025-04-01")
    listed = quality(cleaned)
    assert listed[("Audit", "field", "From:", "unknown_field")] == 1
    assert listed[("Audit", "field", "To:", "unknown_field")] == 1


def test_an_audit_field_first_given_empty_takes_the_row_that_gives_it(tmp_path):
    path = audit_workbook(tmp_path, [("population", ""), ("population", "1,000")])
    assert clean_workbook(path, KEY).settings.population == 1000


# --- two children under one reference (spec section 8: conflicting_duplicate) --------------------------------

def test_two_children_under_one_reference_are_listed_as_a_conflicting_duplicate(tmp_path):
    cases = [case_row("CP-0001", date_of_birth="01/02/2018", icpc_date="15/05/2025"),
             case_row("CP-0002"),
             # Another team's CP-0001: another child (another date of birth), audited later.
             case_row("CP-0001", date_of_birth="09/09/2012", icpc_date="15/05/2025", audit_date="02/11/2025"),
             # CP-0002 audited again: the same child, the same dates: a plain duplicate.
             case_row("CP-0002", audit_date="03/11/2025"),
             # CP-0003 twice, its ICPC date differing.
             case_row("CP-0003", icpc_date="16/05/2025"), case_row("CP-0003", audit_date="04/11/2025")]
    cleaned = clean_workbook(basic(tmp_path, cases=cases), KEY)
    assert cleaned.case_outcomes.tolist() == ["superseded_duplicate", "superseded_duplicate", "included",
                                              "included", "superseded_duplicate", "included"]
    rows = cleaned.data_quality_rows
    conflicting = rows[rows["issue"] == "conflicting_duplicate"]
    assert conflicting[["row", "column", "value"]].values.tolist() == [[2, "case_ref", ""], [6, "case_ref", ""]]
    assert quality(cleaned)[("Cases", "case_ref", "", "conflicting_duplicate")] == 2


# --- files that are not workbooks: one line, never a traceback ------------------------------------------------

def one_line(path) -> str:
    with pytest.raises(AuditInputError) as caught:
        clean_workbook(path, KEY)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


def test_a_truncated_xlsx_is_one_line(tmp_path):
    whole = basic(tmp_path).read_bytes()
    for cut in (len(whole) // 2, len(whole) - 10, 100):
        path = tmp_path / f"cut{cut}.xlsx"
        path.write_bytes(whole[:cut])
        assert "damaged or incomplete" in one_line(path)


def test_an_ole_header_with_a_damaged_body_is_one_line(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8)
    assert "damaged" in one_line(path)


def test_a_zip_whose_parts_are_damaged_is_one_line(tmp_path):
    whole = bytearray(basic(tmp_path).read_bytes())
    with zipfile.ZipFile(basic(tmp_path, "again.xlsx")) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start + 5, start + 60):
        whole[offset] ^= 0xFF  # the Cases sheet's deflate stream garbled: a bad CRC or no stream at all
    path = tmp_path / "garbled.xlsx"
    path.write_bytes(bytes(whole))
    one_line(path)


# --- data-quality values without a hint (spec section 8) ------------------------------------------------------

def test_no_data_quality_value_carries_a_hint(tmp_path):
    audit = {**WINDOW, "local_authorities": "Barnett; Enfield"}
    from helpers.context import with_unknown_local_authorities

    raw = read_workbook(basic(tmp_path, audit=audit))
    from helpers.clean.cleaning import clean_raw_workbook

    cleaned = with_unknown_local_authorities(clean_raw_workbook(raw, KEY), raw.audit)
    assert quality(cleaned)[("Audit", "local_authorities", "Barnett", "unknown_local_authority")] == 1
    assert not cleaned.data_quality["value"].str.contains("did you mean|check", case=False).any()


# --- Unicode NFC (spec section 2) -------------------------------------------------------------------------------

def test_a_decomposed_accent_is_the_precomposed_one(tmp_path):
    cases = [case_row("CAFÉ-1"), case_row("CAFE\u0301-1", audit_date="02/11/2025")]
    returns = [return_row("CAFÉ-1", "Police"), return_row("CAFE\u0301-1", "Children\u2019s social care"),
               return_row("CAFÉ-1", "Health visitor")]
    path = write_workbook(tmp_path / "nfc.xlsx", cases, returns, WINDOW)
    cleaned = clean_workbook(path, KEY)
    # One case: the decomposed reference is the same reference, so the earlier row is superseded.
    assert cleaned.case_outcomes.tolist() == ["superseded_duplicate", "included"]
    assert (cleaned.return_outcomes == "included").sum() == 3
    assert findings(cleaned).loc["conference_quorate", ["numerator", "denominator"]].tolist() == [1, 1]


# --- Excel's lock file beside the workbook -----------------------------------------------------------------------

def test_lock_file_warning_says_the_workbook_is_open(tmp_path):
    from conftest import write_lock_file
    from helpers.read.workbook import lock_file_warning

    path = basic(tmp_path, "audit round 3.xlsx")
    assert lock_file_warning(path) is None
    write_lock_file(tmp_path / "~$audit round 3.xlsx")
    warning = lock_file_warning(path)
    assert warning.startswith("warning: audit round 3.xlsx is open in Excel") and "\n" not in warning
    assert lock_file_warning(tmp_path / "~$audit round 3.xlsx") is None  # the lock file itself: its own error


@pytest.mark.parametrize("written, code", [("NEG - Neglect", "NEG"), ("a) SAB - Sexual abuse.", "SAB"),
                                           ("mul - multiple/not recommended", "MUL")])
def test_a_category_drop_down_value_reads_as_its_code(written, code):
    """Spec section 2: a value starting with one of the five codes, ` - ` and any text reads as that code."""
    from helpers.read.cells import read_answers

    values, unrecognised = read_answers(pd.Series([written, "NEG-Neglect"], dtype="object"), "category")
    assert values.tolist()[0] == code and unrecognised.tolist() == [False, True]
