"""Reading the audit workbook as it is (spec section 1). data/raw is never written."""
from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd

from ..domain.schema import AGENCY_RETURNS, AUDIT, CASES, RECOMMENDATIONS, Sheet
from ..errors import AuditInputError
from .cells import normalise_header, normalise_sheet_name

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class RawSheet:
    """A sheet's data rows as text, under canonical column names.

    ``rows`` has one row per raw data row below the header (trailing rows with
    no value at all are not rows), ``excel_row`` the row number Excel shows,
    and ``blank`` marks rows whose cells are all empty.
    """
    name: str
    rows: pd.DataFrame
    excel_row: pd.Series
    blank: pd.Series


def cell_to_text(value) -> str | None:
    """One cell as text, the form every normaliser reads.

    Booleans become `true`/`false` (read as Yes/No), Excel dates ISO
    `yyyy-mm-dd`, whole numbers lose a `.0`, so `2.0` is the grade `2`.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def open_workbook(path: str | Path) -> openpyxl.Workbook:
    """Open an .xlsx, turning every way it can fail into a one-line AuditInputError."""
    path = Path(path)
    if not path.exists():
        raise AuditInputError("file not found", file=path,
                              hint="check the path given as RAW=...")
    if not path.is_file():
        raise AuditInputError("is not a file", file=path, hint="give the path of an .xlsx workbook")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == _OLE_MAGIC:
        if _is_encrypted(path):
            raise AuditInputError("the workbook is password-protected", file=path,
                                  hint="save an unprotected copy in Excel and run again")
        raise AuditInputError("is an old-style .xls file, not .xlsx", file=path,
                              hint="save it as .xlsx in Excel and run again")
    if not zipfile.is_zipfile(path):
        raise AuditInputError("is not an .xlsx workbook", file=path,
                              hint="save it as Excel Workbook (.xlsx) and run again")
    try:
        return openpyxl.load_workbook(path, data_only=True, read_only=False)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise AuditInputError(f"cannot be read as .xlsx ({type(error).__name__})", file=path,
                              hint="open and re-save it in Excel") from None


def _is_encrypted(path: Path) -> bool:
    import msoffcrypto

    with path.open("rb") as handle:
        try:
            return bool(msoffcrypto.OfficeFile(handle).is_encrypted())
        except Exception:
            return False


def find_sheet(workbook: openpyxl.Workbook, sheet: Sheet):
    """The first worksheet whose name matches, ignoring case, spaces, underscores and punctuation."""
    wanted = normalise_sheet_name(sheet.name)
    return next((ws for ws in workbook.worksheets if normalise_sheet_name(ws.title) == wanted), None)


def _column_lookup(sheet: Sheet) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in sheet.columns:
        for spelling in (column.name, *column.aliases):
            lookup.setdefault(normalise_header(spelling), column.name)
    return lookup


def read_sheet(worksheet, sheet: Sheet, file: str | Path) -> RawSheet:
    """Read one sheet: header is the first non-empty row; map headers; check required columns."""
    grid = [[cell_to_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
    filled = [any(v is not None and v.replace("\u00a0", " ").strip() for v in row) for row in grid]
    if not any(filled):
        raise AuditInputError("the sheet has no header row (it is empty)", file=file,
                              sheet=sheet.name, hint="the first non-empty row must hold the column names")
    header_index = filled.index(True)
    lookup = _column_lookup(sheet)
    positions: dict[str, int] = {}
    for position, header in enumerate(grid[header_index]):
        canonical = lookup.get(normalise_header(header))
        if canonical and canonical not in positions:
            positions[canonical] = position
    missing = [c.name for c in sheet.columns if c.required and c.name not in positions]
    if missing:
        raise AuditInputError(
            f"required column{'s' if len(missing) > 1 else ''} missing", file=file, sheet=sheet.name,
            column=missing, hint=f"the header row is row {header_index + 1}; add the column, or one of its aliases "
                                 "listed in docs/input-format.md, and run again")

    body = grid[header_index + 1:]
    # Rows after the last one holding any value are not rows (Excel keeps formatting there).
    while body and all(v is None or v == "" for v in body[-1]):
        body.pop()
    width = max([len(grid[header_index])] + [len(r) for r in body])
    body = [r + [None] * (width - len(r)) for r in body]
    frame = pd.DataFrame(body, columns=range(width), dtype="object")
    # `filled` was worked out while reading the cells: a blank row has no non-empty cell.
    blank = pd.Series([not f for f in filled[header_index + 1:header_index + 1 + len(body)]],
                      index=frame.index, dtype=bool)
    rows = pd.DataFrame({name: frame[pos] if pos < width else None for name, pos in positions.items()},
                        index=frame.index)
    for column in sheet.columns:
        if column.name not in rows:
            rows[column.name] = None
    excel_row = pd.Series(range(header_index + 2, header_index + 2 + len(frame)), index=frame.index)
    return RawSheet(sheet.name, rows, excel_row, blank)


@dataclass
class RawWorkbook:
    path: Path
    cases: RawSheet
    agency_returns: RawSheet
    audit: RawSheet | None
    recommendations: RawSheet | None


def read_workbook(path: str | Path) -> RawWorkbook:
    """Read every sheet the spec names; a missing required sheet is an error."""
    path = Path(path)
    workbook = open_workbook(path)
    sheets = {}
    for sheet in (CASES, AGENCY_RETURNS, AUDIT, RECOMMENDATIONS):
        worksheet = find_sheet(workbook, sheet)
        if worksheet is None:
            if sheet.required:
                found = ", ".join(repr(ws.title) for ws in workbook.worksheets)
                raise AuditInputError("required sheet not found", file=path, sheet=sheet.name,
                                      hint=f"the workbook has {found}; name a sheet '{sheet.name}'")
            sheets[sheet.name] = None
            continue
        if not sheet.required and worksheet.max_row <= 1 and worksheet.cell(1, 1).value is None:
            sheets[sheet.name] = None  # an empty optional sheet is the same as none
            continue
        sheets[sheet.name] = read_sheet(worksheet, sheet, path)
    return RawWorkbook(path, sheets["Cases"], sheets["Agency returns"], sheets["Audit"],
                       sheets["Recommendations"])
