"""Issue 20: what an .ods tells that calamine does not (helpers.read.ods), read from hand-written OpenDocument XML as
LibreOffice writes it: merged ranges (spans, covered cells, repeated cells and rows before them), number formats
(`"CP-"0000`, a percentage), error cells (`#REF!`) and TRUE/FALSE saved as numbers; and an .xlsb's error cells
(helpers.read.xlsb), in an .xlsb the tests write. The same through LibreOffice itself, and for .xls, is in
test_libreoffice.py."""
from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest

from conftest import KEY, case_row, quorate_returns, workbook_rows, write_xlsb, xlsb_record
from helpers.clean.cleaning import clean_workbook
from helpers.errors import AuditInputError
from helpers.measures import Parameters
from helpers.measures.findings import findings_table
from helpers.measures.statuses import measure_statuses
from helpers.read.ods import BOOLEAN_FORMAT, format_code, read_ods_sheets
from helpers.read.workbook import read_workbook, with_cell_values

NAMESPACES = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
              'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
              'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
              'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
              'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
              'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"')

# As LibreOffice writes them: the case reference format in styles.xml, a cell style naming it in content.xml.
STYLES = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {NAMESPACES}><office:styles>'
          '<number:number-style style:name="N144"><number:text>CP-</number:text><number:number '
          'number:decimal-places="0" number:min-decimal-places="0" number:min-integer-digits="4"/>'
          '</number:number-style>'
          '<number:boolean-style style:name="N99"><number:boolean/></number:boolean-style>'
          '</office:styles></office:document-styles>')
AUTOMATIC = ('<office:automatic-styles>'
             '<style:style style:name="ce1" style:family="table-cell" style:data-style-name="N144"/>'
             '<style:style style:name="ce2" style:family="table-cell" style:data-style-name="N5"/>'
             '<style:style style:name="ce3" style:family="table-cell" style:data-style-name="N99"/>'
             '<number:percentage-style style:name="N5"><number:number number:decimal-places="0" '
             'number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>'
             '</office:automatic-styles>')


def text(value: str, spans: str = "") -> str:
    return f'<table:table-cell office:value-type="string"{spans}><text:p>{value}</text:p></table:table-cell>'


def number(value, shown: str, style: str | None = None, formula: str | None = None) -> str:
    styled = f' table:style-name="{style}"' if style else ""
    formula = f' table:formula="{formula}"' if formula else ""
    return (f'<table:table-cell{styled}{formula} office:value-type="float" office:value="{value}" '
            f'calcext:value-type="float"><text:p>{shown}</text:p></table:table-cell>')


def error(shown: str) -> str:
    return (f'<table:table-cell table:formula="of:={shown}" office:value-type="string" office:string-value="" '
            f'calcext:value-type="error"><text:p>{shown}</text:p></table:table-cell>')


MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>')
def findings(cleaned) -> pd.DataFrame:
    return findings_table(measure_statuses(cleaned.cases, cleaned.agency_returns, Parameters()), None) \
        .set_index("measure_id")


EMPTY, COVERED = "<table:table-cell/>", "<table:covered-table-cell/>"


def write_ods_xml(path: Path, tables: dict[str, list[str]]) -> Path:
    """An .ods whose sheets are given as rows of raw cell XML (each row a string of cells)."""
    body = "".join(f'<table:table table:name="{name}"><table:table-column table:number-columns-repeated="30"/>'
                   + "".join(rows) + "</table:table>" for name, rows in tables.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NAMESPACES} office:version="1.3">'
               f"{AUTOMATIC}<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body>"
               "</office:document-content>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("styles.xml", STYLES)
        archive.writestr("META-INF/manifest.xml", MANIFEST)
    return path


def row(*cells: str, repeated: int = 1) -> str:
    again = f' table:number-rows-repeated="{repeated}"' if repeated > 1 else ""
    return f"<table:table-row{again}>" + "".join(cells) + "</table:table-row>"


def test_the_ods_reader_finds_merges_formats_errors_and_booleans_at_their_cells(tmp_path):
    path = write_ods_xml(tmp_path / "a.ods", {"Other": [row(text("x"))], "Cases": [
        row(text("title")),
        row(EMPTY, repeated=2),                                          # rows 1 and 2, repeated
        row('<table:table-cell table:number-columns-repeated="3"/>',   # columns A-C, repeated
            number(7, "CP-0007", "ce1"), number(0.9, "90%", "ce2")),
        row(text("No", ' table:number-columns-spanned="2" table:number-rows-spanned="2"'), COVERED,
            number(1, "TRUE", formula="of:=TRUE()"), number(0, "FALSE", "ce3"), number(1, "1"), error("#REF!")),
        row(COVERED, COVERED, error("#N/A"), error("Err:502"), number(12, "12")),
    ]})
    sheets = read_ods_sheets(path)
    cases = sheets["Cases"]
    assert cases.merged == [((4, 0), (5, 1))]
    assert cases.formats == {(3, 3): '"CP-"0000', (3, 4): "0%"}
    # TRUE saved as the number 1 shown TRUE (LibreOffice's =TRUE()), FALSE as 0 in a boolean format; a plain 1 stays.
    assert cases.values == {(4, 2): True, (4, 3): False, (4, 5): "#REF!", (5, 2): "#N/A", (5, 3): "Err:502"}
    assert sheets["Other"].merged == [] and sheets["Other"].values == {}


def test_an_odf_data_style_reads_as_the_excel_format_code_it_shows(tmp_path):
    def style(xml: str):
        return ElementTree.fromstring(f"<r {NAMESPACES}>{xml}</r>")[0]
    assert format_code(style('<number:number-style style:name="a"><number:text>CP-</number:text>'
                             '<number:number number:min-integer-digits="4"/></number:number-style>')) == '"CP-"0000'
    assert format_code(style('<number:number-style style:name="a"><number:number number:min-integer-digits="6"/>'
                             '</number:number-style>')) == "000000"
    assert format_code(style('<number:number-style style:name="a"><number:number number:min-integer-digits="1" '
                             'number:grouping="true"/></number:number-style>')) == "#,##0"
    assert format_code(style('<number:percentage-style style:name="a"><number:number number:decimal-places="1" '
                             'number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>'
                             )) == "0.0%"
    assert format_code(style('<number:number-style style:name="a"><number:scientific-number '
                             'number:decimal-places="2" number:min-integer-digits="1" number:min-exponent-digits="2"/>'
                             '</number:number-style>')) == "0.00E+00"
    assert format_code(style('<number:boolean-style style:name="a"><number:boolean/></number:boolean-style>')) \
        == BOOLEAN_FORMAT


def ods_cell(value) -> str:
    if value is None:
        return EMPTY
    return text(str(value))


def test_an_ods_audit_reads_its_merges_formats_errors_and_booleans_as_an_xlsx_would(tmp_path):
    cases = [case_row(f"CP-000{n}", father_invited="No", father_attended="No", plan_smart="Yes") for n in (1, 2, 3)]
    returns = [r for case in cases for r in quorate_returns(case["case_ref"])]
    sheets = workbook_rows(cases, returns, {"window_start": "01/04/2025", "window_end": "30/09/2025"})
    header = sheets["Cases"][0]
    invited, smart = header.index("father_invited"), header.index("plan_smart")
    rows = [row(*map(ods_cell, header))]
    for n, values in enumerate(sheets["Cases"][1:], start=1):
        cells = list(map(ods_cell, values))
        cells[0] = number(n, f"CP-000{n}", "ce1")                 # the reference typed as a number, "CP-"0000
        if n == 1:   # `No` typed once across father_invited : father_attended
            cells[invited] = text("No", ' table:number-columns-spanned="2"')
            cells[invited + 1] = COVERED
        if n == 2:
            cells[smart] = number(1, "TRUE", formula="of:=TRUE()")  # TRUE typed in Excel, saved by LibreOffice
        if n == 3:
            cells[smart] = error("#REF!")
        rows.append(row(*cells))
    tables = {"Cases": rows, "Agency returns": [row(*map(ods_cell, r)) for r in sheets["Agency returns"]],
              "Audit": [row(*map(ods_cell, r)) for r in sheets["Audit"]]}
    path = write_ods_xml(tmp_path / "audit.ods", tables)
    raw = read_workbook(path)
    assert raw.cases.rows["case_ref"].tolist() == ["CP-0001", "CP-0002", "CP-0003"]
    assert raw.cases.rows["father_attended"].iloc[0] == "No"
    cleaned = clean_workbook(path, KEY)
    assert (cleaned.case_outcomes == "included").sum() == 3
    assert (cleaned.return_outcomes == "included").sum() == len(returns)
    assert cleaned.cases["plan_smart"].tolist()[:2] == ["Yes", "Yes"] and pd.isna(cleaned.cases["plan_smart"].iloc[2])
    listed = {(s, c, v, i): r for s, c, v, i, r in cleaned.data_quality.itertuples(index=False)}
    assert listed == {("Cases", "plan_smart", "#ref!", "unrecognised"): 1}


@pytest.mark.parametrize("shape", [(2, 3), (0, 0)])
def test_an_error_cell_beyond_the_values_calamine_read_grows_the_grid(shape):
    grid = np.full(shape, "", dtype=object)
    grown = with_cell_values(grid, {(3, 4): "#REF!"})
    assert grown.shape == (4, 5) and grown[3, 4] == "#REF!"
    assert with_cell_values(grid, {}) is grid


# --- .xlsb: error cells (calamine reads them as empty) -----------------------------------------------------------

XLSB_ERRORS = ["#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"]


def test_excel_errors_in_an_xlsb_are_listed_and_n_a_is_missing(tmp_path):
    cases = [case_row(f"CP-{n:04d}") for n in range(1, len(XLSB_ERRORS) + 2)]
    returns = [r for case in cases for r in quorate_returns(case["case_ref"])]
    sheets = workbook_rows(cases, returns, {"window_start": "01/04/2025", "window_end": "30/09/2025"})
    header = sheets["Cases"][0]
    for row_values, error in zip(sheets["Cases"][1:], XLSB_ERRORS + ["#N/A"]):
        row_values[header.index("plan_smart")] = error
        row_values[header.index("icpc_date")] = error
    sheets["Cases"][0] = header + ["Notes"]
    sheets["Cases"][1] = sheets["Cases"][1] + ["#REF!"]  # after the last value calamine reads: the grid grows
    cleaned = clean_workbook(write_xlsb(tmp_path / "errors.xlsb", sheets), KEY)
    listed = {(s, c, v, i): r for s, c, v, i, r in cleaned.data_quality.itertuples(index=False)}
    assert listed == {("Cases", "plan_smart", e.lower(), "unrecognised"): 1 for e in XLSB_ERRORS} | {
        ("Cases", "icpc_date", e.lower(), "unrecognised"): 1 for e in XLSB_ERRORS} | {
        ("Cases", "Notes", "Notes", "unused_column"): 1, ("Cases", "icpc_date", "", "no_icpc_date_in_window"): 7}
    measures = findings(cleaned)
    assert measures.loc["plan_smart", ["denominator", "not_recorded"]].tolist() == [0, 7]


def test_a_damaged_xlsb_that_makes_calamine_panic_is_one_line(tmp_path):
    path = write_xlsb(tmp_path / "damaged.xlsb", {"Cases": [["case_ref"]], "Agency returns": [["case_ref"]]})
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    # A text cell written as a shared string (BrtCellIsst) whose number is past the workbook's strings (none).
    cell = xlsb_record(0x07, (0).to_bytes(4, "little") * 2 + (5).to_bytes(4, "little"))
    sheet = parts["xl/worksheets/sheet1.bin"]
    parts["xl/worksheets/sheet1.bin"] = sheet.replace(xlsb_record(0x92), cell + xlsb_record(0x92))
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(AuditInputError, match="cannot be read as .xlsb"):
        read_workbook(path)


def test_case_references_typed_as_numbers_in_an_xlsb_read_as_excel_shows_them(tmp_path):
    cases = [case_row(f"CP-{n:04d}") for n in (1, 2, 3)]
    returns = [r for case in cases for r in quorate_returns(case["case_ref"])]
    sheets = workbook_rows(cases, returns, {"window_start": "01/04/2025", "window_end": "30/09/2025"})
    for values in sheets["Cases"][1:]:
        values[0] = (int(values[0][3:]), '"CP-"0000')   # 1 formatted "CP-"0000 shows CP-0001
    sheets["Agency returns"][1][0] = (1, '"CP-"0000')   # and in a return, beside returns typed as text
    sheets["Cases"][0] = sheets["Cases"][0] + ["Code"]
    sheets["Cases"][1] = sheets["Cases"][1] + [(7, "000000")]  # a column not read: its format changes nothing
    sheets["Recommendations"] = [["recommendation", "measures", "target"], ["Plans", "plan_smart", (0.9, "0%")]]
    raw = read_workbook(write_xlsb(tmp_path / "audit.xlsb", sheets))
    assert raw.cases.rows["case_ref"].tolist() == ["CP-0001", "CP-0002", "CP-0003"]
    assert raw.agency_returns.rows["case_ref"].iloc[0] == "CP-0001"
    assert raw.recommendations.rows["target"].tolist() == ["90%"]
    cleaned = clean_workbook(tmp_path / "audit.xlsb", KEY)
    assert (cleaned.case_outcomes == "included").sum() == 3
    assert (cleaned.return_outcomes == "included").sum() == len(returns)


@pytest.mark.parametrize("claim", ["row", "column"])
def test_an_xlsb_claiming_more_than_excel_allows_is_one_line_not_an_aborted_process(tmp_path, claim):
    """calamine answers a row or column beyond Excel's by asking for terabytes, and a failed Rust allocation
    aborts the whole process (found by CI's corruption test). The reader refuses such a file first, with one
    line. Without that check this test kills its own process."""
    import struct

    from helpers.read.workbook import read_workbook
    from helpers.read.xlsb import CELL_RECORDS, ROW_HEADER, records

    cases = [case_row(f"C{n}") for n in range(3)]
    returns = [r for n in range(3) for r in quorate_returns(f"C{n}")]
    path = write_xlsb(tmp_path / "whole.xlsb", workbook_rows(cases, returns, {"audit_title": "A"}))
    with zipfile.ZipFile(path) as archive:
        members = {name: bytearray(archive.read(name)) for name in archive.namelist()}
    data = members[next(n for n in members if n.startswith("xl/worksheets/") and n.endswith(".bin"))]
    wanted = {ROW_HEADER} if claim == "row" else CELL_RECORDS
    start = next(start for kind, start, _ in records(bytes(data)) if kind in wanted)
    struct.pack_into("<I", data, start, 0x7FFFFFFF)
    damaged = tmp_path / "damaged.xlsb"
    with zipfile.ZipFile(damaged, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, bytes(content))
    with pytest.raises(AuditInputError, match=r"cannot be read as \.xlsb \(DamagedBeyondExcel\)"):
        read_workbook(damaged)


def test_shared_strings_counted_beyond_their_part_are_damage(tmp_path):
    """A shared-strings header counting more strings than its part has bytes would have calamine reserve room
    for them all (an aborting allocation): it is damage, found before calamine reads the file."""
    import struct

    from conftest import xlsb_record
    from helpers.read.xlsb import SHARED_STRINGS_BEGIN, damage_calamine_cannot_survive

    for counted, damaged in ((2, False), (0x7FFFFFFF, True)):
        path = tmp_path / f"strings-{counted}.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("xl/sharedStrings.bin", xlsb_record(SHARED_STRINGS_BEGIN, struct.pack("<II", counted,
                                                                                               counted)))
        with zipfile.ZipFile(path) as archive:
            found = damage_calamine_cannot_survive(archive)
        assert (found == "xl/sharedStrings.bin counts more strings than it can hold") if damaged else found is None
