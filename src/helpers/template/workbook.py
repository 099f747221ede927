"""The blank audit workbook the audit team fills in (issue 12): drop-downs, date checks and input messages
from the declarations, so a filled-in copy cleans without an unrecognised value.

Written with XlsxWriter only: openpyxl drops drop-downs that point at another sheet, so the template is
never re-saved through it. The bytes depend on the code alone (fixed creation date), so a changed template
means changed declarations.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from ..domain.definition import AuditDefinition, cp_conferences
from ..domain.measures import Parameters, parameters_for
from ..domain.schema import AGENCY_RETURNS, AUDIT, AUDIT_FIELD_COLUMNS, CASES, RECOMMENDATIONS, Column, Sheet
from .choices import accepted_form, choices_for, input_message, input_title, list_key

# Rows below the header that carry the drop-downs and date checks: up to 100 cases are audited, each with
# a handful of agency returns; generous room beyond that costs nothing.
DATA_ROWS = {CASES.name: 500, AGENCY_RETURNS.name: 5000, RECOMMENDATIONS.name: 200}
EARLIEST_DATE, LATEST_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
DATE_FORMAT = "dd/mm/yyyy"
# Fixed, so the same code writes the same bytes.
CREATED = dt.datetime(2025, 1, 1)
COVER_SHEET = "About this workbook"
LISTS_SHEET = "Lists"
MARKING = "OFFICIAL-SENSITIVE"
TITLE = "Multi-agency audit of child protection conferences: audit workbook"
DATA_SHEETS = (CASES, AGENCY_RETURNS, RECOMMENDATIONS)


def list_name(kind: str) -> str:
    """The defined name of a kind's drop-down list (a prefix, so no name reads as a cell like `YN1`)."""
    return f"choices_{kind}"


def data_sheets(params: Parameters | None = None) -> tuple[Sheet, ...]:
    """The sheets with rows of data: the audit's Cases and Agency returns, and Recommendations."""
    if params is None:
        return DATA_SHEETS
    definition = type(params).definition
    return (definition.cases, definition.agency_returns, RECOMMENDATIONS)


def drop_down_kinds(params: Parameters | None = None) -> tuple[str, ...]:
    """Every list (a kind, or a grade scale of the audit's own), in the order the sheets first use them."""
    kinds: dict[str, None] = {}
    for sheet in data_sheets(params):
        for column in sheet.columns:
            if choices_for(column, params):
                kinds.setdefault(list_key(column))
    return tuple(kinds)


def write_lists_sheet(book: xlsxwriter.Workbook, header, params: Parameters | None = None) -> None:
    """One column per list on a hidden sheet, each under a defined name the drop-downs point at.

    A list held inline in a validation is limited to 255 characters and cannot hold a comma, so every list
    lives here (the agency and participation lists need it; the others follow one rule)."""
    sheet = book.add_worksheet(LISTS_SHEET)
    for position, kind in enumerate(drop_down_kinds(params)):
        choices = choices_for(_column_of_kind(kind, params), params)
        sheet.write(0, position, kind, header)
        sheet.write_column(1, position, choices)
        letter = xl_col_to_name(position)
        book.define_name(list_name(kind), f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(choices) + 1}")
        sheet.set_column(position, position, max(len(c) for c in choices) + 2)
    sheet.hide()


def _column_of_kind(kind: str, params: Parameters | None = None) -> Column:
    return next(c for s in data_sheets(params) for c in s.columns if list_key(c) == kind)


def drop_down(column: Column, params: Parameters | None = None) -> dict:
    # Several measure ids may share a cell (separated by ;), so that list warns instead of refusing.
    several = column.kind == "measure_ids"
    return {"validate": "list", "source": f"={list_name(list_key(column))}",
            "error_type": "warning" if several else "stop", "error_title": "Not in the list",
            "error_message": ("Pick from the list" + (", or give several ids separated by ;" if several else "")
                              + f". Accepted: {accepted_form(column, params)}")[:255]}


def date_check() -> dict:
    return {"validate": "date", "criteria": "between", "minimum": EARLIEST_DATE, "maximum": LATEST_DATE,
            "error_type": "stop", "error_title": "Not a date",
            "error_message": f"Enter a date between {EARLIEST_DATE:%d/%m/%Y} and {LATEST_DATE:%d/%m/%Y}, "
                             f"day first: {DATE_FORMAT}. Leave the cell empty when the date is not known."}


def cell_check(column: Column, params: Parameters | None = None) -> dict:
    """The validation of a column's data cells, carrying the column's input message."""
    if choices_for(column, params):
        check = drop_down(column, params)
    elif column.kind == "date":
        check = date_check()
    elif column.kind == "percentage":
        check = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
                 "error_type": "stop", "error_title": "Not a percentage",
                 "error_message": f"Enter {accepted_form(column)}."}
    elif column.kind == "whole_number":
        check = {"validate": "integer", "criteria": ">=", "value": 1, "error_type": "stop",
                 "error_title": "Not a whole number", "error_message": f"Enter {accepted_form(column)}."}
    else:
        check = {"validate": "any"}
    return {**check, "input_title": input_title(column), "input_message": input_message(column, params)}


def header_message(column: Column, params: Parameters | None = None) -> dict:
    return {"validate": "any", "input_title": input_title(column), "input_message": input_message(column, params)}


def write_data_sheet(book: xlsxwriter.Workbook, sheet: Sheet, formats: dict, params: Parameters | None = None) -> None:
    """Canonical headers in row 1 (frozen), and each column's check and format down its data rows."""
    worksheet = book.add_worksheet(sheet.name)
    last_row = DATA_ROWS[sheet.name]
    for position, column in enumerate(sheet.columns):
        worksheet.write(0, position, column.name, formats["header"])
        worksheet.data_validation(0, position, 0, position, header_message(column, params))
        worksheet.data_validation(1, position, last_row, position, cell_check(column, params))
        width = max(len(column.name), *(len(c) for c in choices_for(column, params)), 12) + 2
        worksheet.set_column(position, position, min(width, 45), _column_format(column, formats))
    worksheet.freeze_panes(1, 0)
    worksheet.set_header(f"&C{MARKING}")
    worksheet.set_footer(f"&C{MARKING}")


def _column_format(column: Column, formats: dict):
    # Dates show day first; a case reference stays text, so 000123 keeps its zeros.
    return {"date": formats["date"], "case_ref": formats["text"]}.get(column.kind)


def write_audit_sheet(book: xlsxwriter.Workbook, formats: dict) -> None:
    """The Audit sheet's field/value table with every field listed and its value checked by kind."""
    worksheet = book.add_worksheet(AUDIT.name)
    for position, column in enumerate(AUDIT.columns):
        worksheet.write(0, position, column.name, formats["header"])
        worksheet.data_validation(0, position, 0, position, header_message(column))
    for row, field in enumerate(AUDIT_FIELD_COLUMNS, start=1):
        worksheet.write(row, 0, field.name)
        worksheet.data_validation(row, 0, row, 0, header_message(field))
        worksheet.data_validation(row, 1, row, 1, cell_check(field))
        if field.kind == "date":
            worksheet.write_blank(row, 1, None, formats["date"])
    worksheet.set_column(0, 0, max(len(c.name) for c in AUDIT_FIELD_COLUMNS) + 2)
    worksheet.set_column(1, 1, 60)
    worksheet.freeze_panes(1, 0)
    worksheet.set_header(f"&C{MARKING}")


def cover_lines(definition: AuditDefinition | None = None) -> list[tuple[str, str]]:
    """The cover sheet's lines, each with its style; the sheet and column facts come from the declarations."""
    if definition is not None and definition is not cp_conferences():
        return declared_cover_lines(definition)
    lines = [
        ("title", TITLE),
        ("marking", f"{MARKING}: this workbook holds personal data about children (names, dates of birth, case "
                    "references and comments). Store and send it only as your organisation's policy for "
                    f"{MARKING} information allows."),
        ("heading", "What it is for"),
        ("text", "The partnership's multi-agency audit of child protection conferences. The audit panel records "
                 "its agreed judgement for each audited case, and each agency invited to the initial child "
                 "protection conference has a return for the case. The analysis counts the answers against the "
                 "key lines of enquiry; names, dates of birth and comments never leave its first (cleaning) stage."),
        ("heading", "How to fill it in"),
        ("text", f"{CASES.name}: one row per audited case. {AGENCY_RETURNS.name}: one row per case and invited "
                 f"agency, with the case reference exactly as in {CASES.name}. {AUDIT.name}: the value of each "
                 f"field listed. {RECOMMENDATIONS.name}: one row per recommendation of the panel."),
        ("text", "Select a cell to see its question. Answer columns have a drop-down: pick from it rather than "
                 f"typing. Dates are day first ({DATE_FORMAT}), between {EARLIEST_DATE:%Y} and {LATEST_DATE:%Y}. "
                 "Leave a cell empty when the answer is not known."),
        ("text", "Keep the column names in row 1 as they are. You may add columns of your own to the right: the "
                 "analysis does not read them, and the check lists them as not used."),
        ("heading", "How to return it"),
        ("text", "Save it as an Excel workbook (.xlsx) and send it to the partnership's analyst through the "
                 f"secure route agreed for {MARKING} information, never by ordinary email. The analyst runs a "
                 "check first and sends back a feedback file listing each problem with its sheet, row and "
                 "column, for you to correct in this workbook."),
    ]
    return lines


def declared_cover_lines(definition: AuditDefinition) -> list[tuple[str, str]]:
    """Another audit's cover: its title and key lines, and the child protection audit's words on filling in and
    returning the workbook (which hold for any audit)."""
    lines = cover_lines()
    purpose = ("text", f"The partnership's {definition.title[:1].lower()}{definition.title[1:]}. The audit panel "
                       "records its agreed judgement for each audited case, and each agency involved has a return "
                       "for the case. The analysis counts the answers against the key lines of enquiry ("
                       + "; ".join(definition.key_lines.values()) + "); personal data never leaves its first "
                       "(cleaning) stage.")
    lines[0] = ("title", f"{definition.title}: audit workbook")
    lines[3] = purpose
    lines[5] = ("text", lines[5][1].replace("invited agency", "agency"))
    return lines


def write_cover_sheet(book: xlsxwriter.Workbook, formats: dict, definition: AuditDefinition | None = None) -> None:
    worksheet = book.add_worksheet(COVER_SHEET)
    worksheet.set_column(0, 0, 110, formats["text"])
    for row, (style, text) in enumerate(cover_lines(definition)):
        worksheet.write(row, 0, text, formats[style])
    worksheet.set_header(f"&C{MARKING}")


def add_formats(book: xlsxwriter.Workbook) -> dict:
    return {
        "header": book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7",
                                   "border": 1}),
        "date": book.add_format({"num_format": DATE_FORMAT}),
        "text": book.add_format({"num_format": "@", "text_wrap": True, "valign": "top"}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "marking": book.add_format({"bold": True, "font_color": "#C00000", "text_wrap": True}),
        "heading": book.add_format({"bold": True, "font_size": 12}),
    }


@contextmanager
def workbook_written_whole(path: str | Path, properties: dict, mode: int | None = None):
    """An XlsxWriter workbook marked OFFICIAL-SENSITIVE, staged beside `path` and moved there only when
    complete, so a half-written file never stands at `path`. mkstemp makes the file owner-only; `mode`
    widens it where the workbook holds no personal data."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(handle)
    try:
        book = xlsxwriter.Workbook(staging)
        book.set_properties(properties)
        book.set_custom_property("Classification", MARKING)
        yield book
        book.close()
        if mode is not None:
            os.chmod(staging, mode)
        os.replace(staging, path)
    finally:
        Path(staging).unlink(missing_ok=True)


def write_template(path: str | Path, definition: AuditDefinition | None = None) -> Path:
    """Write the blank workbook of an audit (its definition's columns, drop-downs from its declared answers and
    grade scales; the child protection conference audit's by default) to `path`, replaced whole."""
    other = definition is not None and definition is not cp_conferences()
    params = parameters_for(definition)() if other else None
    title = f"{definition.title}: audit workbook" if other else TITLE
    properties = {"title": title, "subject": MARKING, "keywords": MARKING, "created": CREATED,
                  "comments": "Blank audit workbook written by `make template`."}
    # A blank template holds no personal data: readable by others.
    with workbook_written_whole(path, properties, mode=0o644) as book:
        formats = add_formats(book)
        write_cover_sheet(book, formats, definition if other else None)
        for sheet in data_sheets(params)[:2]:
            write_data_sheet(book, sheet, formats, params)
        write_audit_sheet(book, formats)
        write_data_sheet(book, RECOMMENDATIONS, formats, params)
        write_lists_sheet(book, formats["header"], params)
    return Path(path)
