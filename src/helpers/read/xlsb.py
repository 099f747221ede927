"""Error cells and number formats of an Excel binary workbook (.xlsb), which calamine reads as empty and does not
give (spec sections 2 and 8: `#REF!` is listed; spec section 2: a case reference typed as the number 1 formatted
`"CP-"0000` is `CP-0001`).

An .xlsb is a zip of binary parts, each a sequence of records (MS-XLSB 2.1.4): a record type of one or two
bytes and a size of one to four bytes, each 7 bits with a continuation bit, then the record's body. A sheet's
rows start with BrtRowHdr (its row number first); an error cell is BrtCellError, or BrtFmlaError for a formula
whose result is an error, whose body is the cell's column, its style and the error's code; a number is BrtCellRk,
BrtCellReal or BrtFmlaNum, its style's format found through styles.bin's cell formats (BrtXF, in order) and
number formats (BrtFmt). The sheet's part is named by the workbook's BrtBundleSh records and their
relationships. Read record by record: .xlsb workbooks are rare.
"""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from xml.etree import ElementTree

# MS-XLSB 2.5.97.2, BErr: the error codes, as Excel shows them.
ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
               0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
ROW_HEADER, CELL_ERROR, FORMULA_ERROR, BUNDLE_SHEET = 0x00, 0x03, 0x0B, 0x9C
NUMBER_CELLS = {0x02, 0x05, 0x09}  # BrtCellRk, BrtCellReal, BrtFmlaNum
NUMBER_FORMAT, CELL_FORMAT, CELL_FORMATS_BEGIN, CELL_FORMATS_END = 0x2C, 0x2F, 0x269, 0x26A
# Excel's built-in number formats the reader tells apart (the others show a number as General does for it).
BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
                   11: "0.00E+00", 48: "##0.0E+0", 49: "@"}
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def records(data: bytes):
    """Each record of a binary part: (type, start of its body, end of its body)."""
    at, end = 0, len(data)
    while at < end:
        kind = data[at]
        at += 1
        if kind & 0x80:
            kind = (kind & 0x7F) | ((data[at] & 0x7F) << 7)
            at += 1
        size, shift = 0, 0
        for _ in range(4):
            byte = data[at]
            at += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        yield kind, at, at + size
        at += size


# Records whose body starts with a cell's column (BrtCellBlank to BrtFmlaError), and the shared strings' header.
CELL_RECORDS = frozenset(range(0x01, 0x0C))
SHARED_STRINGS_BEGIN = 0x9F
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384


def damage_calamine_cannot_survive(archive: zipfile.ZipFile) -> str | None:
    """What, in a damaged .xlsb, would make calamine ask for terabytes and abort the whole process (a Rust
    allocation failure is not an exception): a row or column beyond Excel's, or more shared strings than the
    part has bytes. None when there is none of these; a part too damaged to walk raises, as any damage does."""
    names = set(archive.namelist())
    for member in sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".bin")):
        data = archive.read(member)
        for kind, start, _ in records(data):
            if kind == ROW_HEADER or kind in CELL_RECORDS:
                (place,) = struct.unpack_from("<I", data, start)
                if place >= (EXCEL_ROWS if kind == ROW_HEADER else EXCEL_COLUMNS):
                    return f"{member} names a {'row' if kind == ROW_HEADER else 'column'} beyond Excel's"
    if "xl/sharedStrings.bin" in names:
        data = archive.read("xl/sharedStrings.bin")
        for kind, start, _ in records(data):
            if kind == SHARED_STRINGS_BEGIN:
                total, unique = struct.unpack_from("<II", data, start)
                if max(total, unique) > len(data):
                    return "xl/sharedStrings.bin counts more strings than it can hold"
                break
    return None


def wide_string(data: bytes, at: int) -> tuple[str, int]:
    """An XLWideString at `at`: its text and where the next field starts."""
    (count,) = struct.unpack_from("<I", data, at)
    if count == 0xFFFFFFFF:  # a null XLNullableWideString
        return "", at + 4
    return data[at + 4:at + 4 + 2 * count].decode("utf-16-le"), at + 4 + 2 * count


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name -> the zip member of its cells."""
    relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.bin.rels"))
    target_of = {r.get("Id"): r.get("Target") for r in relationships.iter(_RELATIONSHIP)}
    book = archive.read("xl/workbook.bin")
    parts = {}
    for kind, start, _ in records(book):
        if kind != BUNDLE_SHEET:
            continue
        relationship, at = wide_string(book, start + 8)  # after hsState and iTabID
        name, _ = wide_string(book, at)
        target = target_of.get(relationship, "")
        parts[name] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


def xlsb_error_cells(path: Path, sheet_name: str) -> dict[tuple[int, int], str]:
    """The sheet's error cells, by 0-based (row, column), as Excel shows them (`#REF!`, `#N/A`...)."""
    with zipfile.ZipFile(path) as archive:
        member = sheet_parts(archive).get(sheet_name)
        if member is None:
            return {}
        data = archive.read(member)
    found, row = {}, 0
    for kind, start, _ in records(data):
        if kind == ROW_HEADER:
            (row,) = struct.unpack_from("<I", data, start)
        elif kind in (CELL_ERROR, FORMULA_ERROR):
            (column,) = struct.unpack_from("<I", data, start)
            found[(row, column)] = ERROR_CODES.get(data[start + 8], "#VALUE!")
    return found


def style_formats(archive: zipfile.ZipFile) -> dict[int, str]:
    """Each cell style's number format code, by style index (the order of styles.bin's cell formats)."""
    if "xl/styles.bin" not in archive.namelist():
        return {}
    data = archive.read("xl/styles.bin")
    custom, styles, in_cell_formats = {}, [], False
    for kind, start, _ in records(data):
        if kind == NUMBER_FORMAT:
            (number,) = struct.unpack_from("<H", data, start)
            custom[number] = wide_string(data, start + 2)[0]
        elif kind == CELL_FORMATS_BEGIN:
            in_cell_formats = True
        elif kind == CELL_FORMATS_END:
            in_cell_formats = False
        elif kind == CELL_FORMAT and in_cell_formats:
            styles.append(struct.unpack_from("<H", data, start + 2)[0])  # after ixfeParent: iFmt
    return {index: custom.get(number, BUILTIN_FORMATS.get(number, "General")) for index, number in enumerate(styles)}


def xlsb_number_formats(path: Path, sheet_name: str, cells: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The number format code of each named numeric cell (0-based row, column); General where it has none."""
    wanted = set(cells)
    with zipfile.ZipFile(path) as archive:
        member = sheet_parts(archive).get(sheet_name)
        if member is None or not wanted:
            return {}
        formats = style_formats(archive)
        data = archive.read(member)
    found, row = {}, 0
    for kind, start, _ in records(data):
        if kind == ROW_HEADER:
            (row,) = struct.unpack_from("<I", data, start)
        elif kind in NUMBER_CELLS:
            column, style = struct.unpack_from("<II", data, start)
            if (row, column) in wanted:
                found[(row, column)] = formats.get(style & 0xFFFFFF, "General")
    return found
