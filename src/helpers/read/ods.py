"""What an OpenDocument spreadsheet (.ods) tells that calamine does not (spec sections 1 and 2).

calamine reads an .ods's values, but gives no merged ranges, no number formats, reads an error cell (`#REF!`) as
empty, and reads LibreOffice's TRUE and FALSE typed into a cell of an .xlsx (saved as the formula `=TRUE()`, a
number shown as TRUE) as the numbers 1 and 0. The .ods is a zip of XML: `content.xml` holds each cell with its
spans, its value type, its style and the text it shows, and its styles (with `styles.xml`) the number formats.
It is read once, cell by cell with the standard library: .ods workbooks are rare and small.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_NUMBER = "{urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"

# Excel's error values as a cell shows them: a formula cell showing one of these holds that error.
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
BOOLEAN_FORMAT = "BOOLEAN"
_NUMERIC_TYPES = {"float", "percentage", "currency"}


@dataclass
class OdsSheet:
    """One sheet's cells that calamine reads otherwise, by 0-based (row, column)."""
    merged: list = field(default_factory=list)       # ((top, left), (bottom, right)), as calamine gives for .xlsx
    values: dict = field(default_factory=dict)       # error cells as their text (`#REF!`), TRUE/FALSE as booleans
    formats: dict = field(default_factory=dict)      # number format code (Excel's form) of numeric cells


def read_ods_sheets(path) -> dict[str, OdsSheet]:
    """Every sheet of the .ods, by name (see `OdsSheet`)."""
    with zipfile.ZipFile(path) as archive:
        styles = ElementTree.fromstring(archive.read("styles.xml")) if "styles.xml" in archive.namelist() else None
        formats = number_format_codes(styles) if styles is not None else {}
        cell_formats = cell_style_formats(styles, formats) if styles is not None else {}
        with archive.open("content.xml") as content:
            return _read_content(content, formats, cell_formats)


def _read_content(content, formats: dict[str, str], cell_formats: dict[str, str]) -> dict[str, OdsSheet]:
    sheets: dict[str, OdsSheet] = {}
    sheet, row, column, column_styles = None, 0, 0, []
    automatic_styles: dict[str, str] = {}  # cell style -> data style (the data styles may come after them)
    for event, element in ElementTree.iterparse(content, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == f"{_TABLE}table":
                sheet, row, column_styles = sheets.setdefault(element.get(f"{_TABLE}name"), OdsSheet()), 0, []
            elif tag == f"{_TABLE}table-row":
                column = 0
            continue
        if tag in (f"{_NUMBER}number-style", f"{_NUMBER}percentage-style", f"{_NUMBER}boolean-style"):
            formats[element.get(f"{_STYLE}name")] = format_code(element)
        elif tag == f"{_STYLE}style" and element.get(f"{_STYLE}family") == "table-cell":
            automatic_styles[element.get(f"{_STYLE}name")] = element.get(f"{_STYLE}data-style-name")
        elif tag == f"{_TABLE}table-column" and sheet is not None:
            repeat = int(element.get(f"{_TABLE}number-columns-repeated", 1))
            column_styles.append((repeat, element.get(f"{_TABLE}default-cell-style-name")))
        elif tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell") and sheet is not None:
            repeat = int(element.get(f"{_TABLE}number-columns-repeated", 1))
            if tag == f"{_TABLE}table-cell":
                style = element.get(f"{_TABLE}style-name") or _column_style(column_styles, column)
                format_code_ = formats.get(automatic_styles.get(style)) or cell_formats.get(style)
                _note_cell(sheet, element, row, column, repeat, format_code_)
            column += repeat
            element.clear()
        elif tag == f"{_TABLE}table-row" and sheet is not None:
            row += int(element.get(f"{_TABLE}number-rows-repeated", 1))
            element.clear()
    return sheets


def _column_style(column_styles: list, column: int) -> str | None:
    start = 0
    for repeat, style in column_styles:
        if column < start + repeat:
            return style
        start += repeat
    return None


def _note_cell(sheet: OdsSheet, cell, row: int, column: int, repeat: int, format_code_: str | None) -> None:
    rows = int(cell.get(f"{_TABLE}number-rows-spanned", 1))
    columns = int(cell.get(f"{_TABLE}number-columns-spanned", 1))
    if rows > 1 or columns > 1:
        sheet.merged.append(((row, column), (row + rows - 1, column + columns - 1)))
    value_type = cell.get(f"{_OFFICE}value-type")
    if value_type is None and cell.get(f"{_CALCEXT}value-type") is None:
        return  # an empty cell (however many it repeats)
    shown = shown_text(cell)
    is_error = cell.get(f"{_CALCEXT}value-type") == "error" or (
        cell.get(f"{_TABLE}formula") is not None and shown in EXCEL_ERRORS)
    if value_type in _NUMERIC_TYPES and not is_error:
        number = float(cell.get(f"{_OFFICE}value", "nan"))
        if number in (0, 1) and (format_code_ == BOOLEAN_FORMAT or shown in ("TRUE", "FALSE")):
            value = number == 1  # TRUE typed in Excel, saved by LibreOffice as the number 1 shown TRUE
        elif format_code_ and format_code_ != "General":
            for offset in range(repeat):
                sheet.formats[(row, column + offset)] = format_code_
            return
        else:
            return
    elif is_error:
        value = shown
    else:
        return
    for offset in range(repeat):
        sheet.values[(row, column + offset)] = value


def shown_text(cell) -> str:
    """The text a cell shows: its paragraphs, one per line, with `<text:s/>` spaces."""
    paragraphs = []
    for paragraph in cell.iter(f"{_TEXT}p"):
        paragraphs.append("".join(paragraph.itertext()))
    return "\n".join(paragraphs)


def number_format_codes(root) -> dict[str, str]:
    """Data style name -> Excel-form format code, for the number, percentage and boolean styles of a styles part
    (its parsed root)."""
    return {element.get(f"{_STYLE}name"): format_code(element) for kind in ("number", "percentage", "boolean")
            for element in root.iter(f"{_NUMBER}{kind}-style")}


def cell_style_formats(root, formats: dict[str, str]) -> dict[str, str]:
    """Cell style name -> its format code (the common cell styles of styles.xml, its parsed root)."""
    return {element.get(f"{_STYLE}name"): formats.get(element.get(f"{_STYLE}data-style-name"))
            for element in root.iter(f"{_STYLE}style") if element.get(f"{_STYLE}family") == "table-cell"
            and element.get(f"{_STYLE}data-style-name") in formats}


def format_code(style) -> str:
    """An ODF data style as Excel writes the same format: `<number:text>CP-</number:text><number:number
    number:min-integer-digits="4"/>` is `"CP-"0000`, grouping `#,##0`, a percentage style `0%`. Only what the
    reader uses is kept: literal text, zero padding, grouping, decimals, exponent and percent."""
    if style.tag == f"{_NUMBER}boolean-style":
        return BOOLEAN_FORMAT
    percentage = style.tag == f"{_NUMBER}percentage-style"
    code = []
    for part in style:
        if part.tag == f"{_NUMBER}text":
            text = part.text or ""
            if percentage and "%" in text:
                code.append(text.replace("%", "") and f'"{text.replace("%", "")}"')
                code.append("%")
            elif text:
                code.append('"' + text.replace('"', "") + '"')
        elif part.tag in (f"{_NUMBER}number", f"{_NUMBER}scientific-number"):
            digits = int(part.get(f"{_NUMBER}min-integer-digits", 1))
            whole = "0" * digits or "#"
            if part.get(f"{_NUMBER}grouping") == "true":
                whole = "#,##" + whole if len(whole) < 4 else whole
            decimals = int(part.get(f"{_NUMBER}decimal-places", 0))
            code.append(whole + ("." + "0" * decimals if decimals else ""))
            if part.tag == f"{_NUMBER}scientific-number":
                code.append("E+" + "0" * int(part.get(f"{_NUMBER}min-exponent-digits", 2)))
    return "".join(code) or "General"
