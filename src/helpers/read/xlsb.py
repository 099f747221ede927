"""Error cells of an Excel binary workbook (.xlsb), which calamine reads as empty (spec sections 2 and 8).

An .xlsb is a zip of binary parts, each a sequence of records (MS-XLSB 2.1.4): a record type of one or two
bytes and a size of one to four bytes, each 7 bits with a continuation bit, then the record's body. A sheet's
rows start with BrtRowHdr (its row number first); an error cell is BrtCellError, or BrtFmlaError for a formula
whose result is an error, whose body is the cell's column, its style and the error's code. The sheet's part is
named by the workbook's BrtBundleSh records and their relationships. Read once per sheet, record by record:
.xlsb workbooks are rare.
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
