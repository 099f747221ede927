"""Reading the audit workbook as it is (spec section 1). data/raw is never written.

Values come from python-calamine, which reads .xlsx/.xlsm, .xlsb, .xls and .ods and
only ever sees cells holding a value, so formatting down to row 1,048,576 costs
nothing. What calamine does not give is read beside it: from the .xlsx/.xlsm parts
directly, streaming and only where needed, the number formats of numeric cells in
the columns that are read as Excel shows them (case references, percentage
targets), error cells (`#REF!`), and formula cells that were saved without a
calculated value; from an .xls (xlrd) its number formats and error cells; from an
.ods's XML (`ods.py`) its merged ranges, number formats, error cells and booleans;
from an .xlsb's records (`xlsb.py`) its error cells and number formats.
"""
from __future__ import annotations

import datetime as dt
import gc
import io
import re
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from ..domain.definition import AuditDefinition
from ..domain.schema import AGENCY_RETURNS, AUDIT, CASES, RECOMMENDATIONS, Sheet
from ..errors import AuditInputError
from .cells import normalise_header, normalise_sheet_name, remove_invisible_marks
from .lock_file import LOCK_FILE_PREFIX, lock_file_warning  # noqa: F401 (make check reads it here)
from .ods import OdsSheet, read_ods_sheets
from .xls import XlsFormats
from .xlsb import BUILTIN_FORMATS, damage_calamine_cannot_survive, xlsb_error_cells, xlsb_number_formats

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
HEADER_SEARCH_ROWS = 20       # the case_ref header lies within the first 20 rows (spec section 1)
AUDIT_TABLE_SEARCH = 10       # the Audit field/value table starts within the first 10 rows and columns
# Columns read as Excel shows their numbers: case references (zero padding, literal text) and targets (percent).
DISPLAYED_KINDS = {"case_ref", "percentage"}
FORMATS = {"xlsx": ".xlsx", "xlsm": ".xlsm", "xlsb": ".xlsb", "xls": ".xls", "ods": ".ods"}
SAVE_AS_XLSX = "open it in Excel and save it as Excel Workbook (.xlsx), then run again"


@dataclass
class RawSheet:
    """A sheet's data rows as text, under canonical column names.

    ``rows`` has one row per raw data row below the header (rows after the last
    one holding a value are not rows), ``excel_row`` the row number Excel shows,
    and ``blank`` marks rows whose cells are all empty. ``headers`` gives each
    canonical column's header as written; ``unused`` holds the cells of columns
    the analysis does not use, under their headers as written (two may share a header, and a column with
    no header has ""); ``unused_letters`` gives each such column's letter, in the same order.
    """
    name: str
    rows: pd.DataFrame
    excel_row: pd.Series
    blank: pd.Series
    headers: dict[str, str] = field(default_factory=dict)
    unused: pd.DataFrame = field(default_factory=pd.DataFrame)
    header_row: int = 1
    unused_letters: list[str] = field(default_factory=list)


def cell_to_text(value) -> str | None:
    """One cell as text, the form every normaliser reads.

    Booleans become `true`/`false` (read as Yes/No), Excel dates ISO
    `yyyy-mm-dd`, whole numbers lose a `.0`, so `2.0` is the grade `2`.
    Zero-width and direction marks are removed; an empty cell is None.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = remove_invisible_marks(str(value))
    return text if text != "" else None


# --- recognising the file ---------------------------------------------------

def workbook_format(path: str | Path) -> str:
    """The workbook's format from its content (`xlsx`, `xlsm`, `xlsb`, `xls` or `ods`), never its name.

    Anything else is a one-line AuditInputError that says what the file is and what to do.
    """
    path = Path(path)
    if not path.exists():
        raise AuditInputError("file not found", file=path, hint="check the path given as RAW=...")
    if not path.is_file():
        raise AuditInputError("is not a file", file=path, hint="give the path of the audit workbook (.xlsx)")
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as error:
        raise AuditInputError(f"cannot be opened ({error.strerror or type(error).__name__})", file=path,
                              hint="check the file's permissions, or copy it again, and run again") from None
    found = None
    try:
        if head.startswith(_ZIP_MAGIC) and zipfile.is_zipfile(path):
            found = _zip_workbook_format(path)
        elif head.startswith(_OLE_MAGIC):
            found = _ole_workbook_format(path)
    except AuditInputError:
        raise
    except Exception:  # a zip or OLE container whose parts cannot be read: a damaged file, said in one line
        raise damaged(path) from None
    if found:
        return found
    if head.startswith(_ZIP_MAGIC) and not zipfile.is_zipfile(path):
        raise damaged(path)  # a zip cut short: its directory, at the end, is gone
    if path.name.startswith(LOCK_FILE_PREFIX):
        real = path.with_name(path.name[len(LOCK_FILE_PREFIX):])
        exists = "" if real.exists() else " (not in that folder)"
        raise AuditInputError(
            "is Excel's lock file (Excel writes it beside a workbook while the workbook is open), not a workbook",
            file=path, hint=f"give the workbook itself, probably '{real.name}'{exists}, as RAW=...")
    if not head:
        raise AuditInputError("the file is empty (0 bytes)", file=path,
                              hint="it was not saved or copied completely; copy the workbook again from where "
                                   "it is kept and run again")
    raise AuditInputError(f"is not an .xlsx workbook: {_describe_content(path, head)}", file=path,
                          hint=SAVE_AS_XLSX)


def damaged(path: Path) -> AuditInputError:
    return AuditInputError("the file is damaged or incomplete: it starts as a workbook but cannot be read", file=path,
                           hint="it was probably not saved or copied completely; copy the workbook again from "
                                "where it is kept (or open it in Excel and save it again) and run again")


def _zip_workbook_format(path: Path) -> str | None:
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" in names:
            content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
            return "xlsm" if b"macroEnabled" in content_types else "xlsx"
        if "xl/workbook.bin" in names:
            return "xlsb"
        if "mimetype" in names and archive.read("mimetype").strip() == _ODS_MIMETYPE:
            return "ods"
    return None


def _ole_workbook_format(path: Path) -> str | None:
    if _is_encrypted(path):
        raise AuditInputError("the workbook is password-protected", file=path,
                              hint="save an unprotected copy in Excel and run again")
    import olefile

    with olefile.OleFileIO(str(path)) as ole:  # a damaged container raises: `damaged` says so
        return "xls" if ole.exists("Workbook") or ole.exists("Book") else None


def _describe_content(path: Path, head: bytes) -> str:
    """What the file is instead, in words an audit team recognises."""
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return "it is a damaged or incomplete zip file (an .xlsx cut short when it was saved or copied?)"
        if "word/document.xml" in names:
            return "it is a Word document"
        if "ppt/presentation.xml" in names:
            return "it is a PowerPoint file"
        return "it is a zip archive"
    if head.startswith(_OLE_MAGIC):
        return "it is an old-style Office file that is not a workbook"
    if b"\x00" not in head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff \r\n\t").lower()
        if text.startswith(("<html", "<!doctype", "<?xml", "<table")):
            return "it is a web page or XML file with a spreadsheet name"
        return "it is a text file (for example CSV)"
    return "its content is not a workbook (.xlsx, .xlsm, .xlsb, .xls or .ods)"


def _is_encrypted(path: Path) -> bool:
    import msoffcrypto

    with path.open("rb") as handle:
        try:
            return bool(msoffcrypto.OfficeFile(handle).is_encrypted())
        except Exception:
            return False


@dataclass
class OpenWorkbook:
    """A workbook opened for reading: its values (calamine) and what calamine does not give: for .xlsx/.xlsm its
    parts, for .xls its formats (xlrd), for .ods its sheets' merges, formats, errors and booleans."""
    path: Path
    format: str
    values: CalamineWorkbook
    parts: XlsxParts | None
    _sheets: dict = field(default_factory=dict)
    xls: XlsFormats | None = None
    ods: dict[str, OdsSheet] | None = None

    def cell_values(self, name: str) -> dict[tuple[int, int], object]:
        """Cells whose value calamine reads otherwise, by 0-based (row, column): error cells as the text Excel
        shows (`#REF!`; calamine reads them as empty) and, in an .ods, booleans LibreOffice saved as numbers."""
        if self.parts is not None:
            return self.parts.error_cells(name)
        if self.xls is not None:
            return self._beside_calamine(lambda: self.xls.error_cells(name))
        if self.ods is not None:
            return self.ods.get(name, OdsSheet()).values
        if self.format == "xlsb":
            return self._beside_calamine(lambda: xlsb_error_cells(self.path, name))
        return {}

    def merged_ranges(self, name: str, from_calamine: list | None) -> list:
        """The sheet's merged ranges ((top, left), (bottom, right)): calamine gives none for an .ods."""
        if self.ods is not None:
            return self.ods.get(name, OdsSheet()).merged
        return from_calamine or []

    def number_formats(self, name: str, cells: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """Number format code of each named cell (0-based row, column); a cell not found has General."""
        if not cells:
            return {}
        if self.parts is not None:
            references = {f"{column_letter(column)}{row + 1}": (row, column) for row, column in cells}
            return {references[ref]: code for ref, code in self.parts.number_formats(name, set(references)).items()}
        if self.xls is not None:
            return self._beside_calamine(lambda: self.xls.number_formats(name, cells))
        if self.ods is not None:
            formats = self.ods.get(name, OdsSheet()).formats
            return {cell: formats[cell] for cell in cells if cell in formats}
        if self.format == "xlsb":
            return self._beside_calamine(lambda: xlsb_number_formats(self.path, name, cells))
        return {}

    def _beside_calamine(self, read):
        """What a second reader (xlrd) reads of a sheet calamine has read: a damaged file is still one line."""
        try:
            return read()
        except Exception as error:  # xlrd raises many types for a damaged sheet
            raise unreadable(self.path, self.format, error) from None

    def sheet(self, name: str):
        """The sheet's values, parsed once (calamine parses a sheet on every request)."""
        if name not in self._sheets:
            self._sheets[name] = self.parse_sheet(name)
        return self._sheets[name]

    def parse_sheet(self, name: str):
        """Parse one sheet with a calamine reader of its own, so that sheets can be parsed side by side:
        calamine parses without holding Python's lock. For .xlsx/.xlsm the sheet's XML is scanned first
        (formulas without a value; cells holding only formatting are dropped before calamine sees them)."""
        if self.parts is None:
            return CalamineWorkbook.from_path(str(self.path)).get_sheet_by_name(name)
        source = self.parts.values_source(name)
        reader = (CalamineWorkbook.from_path(source) if isinstance(source, str)
                  else CalamineWorkbook.from_filelike(source))
        return reader.get_sheet_by_name(name)

    def parse_sheets(self, names: list[str]) -> dict:
        """Start parsing each named sheet in the background, two at a time; name -> future sheet."""
        pool = ThreadPoolExecutor(max_workers=2)
        futures = {name: pool.submit(self.parse_sheet, name) for name in names}
        pool.shutdown(wait=False)
        return futures

    def forget(self, name: str) -> None:
        """Let go of a parsed sheet once it is read (its cells are the larger part of the memory used)."""
        self._sheets.pop(name, None)

    @property
    def worksheet_names(self) -> list[str]:
        return [m.name for m in self.values.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]

    def is_hidden(self, name: str) -> bool:
        return any(m.name == name and m.visible != SheetVisibleEnum.Visible for m in self.values.sheets_metadata)


def open_workbook(path: str | Path) -> OpenWorkbook:
    """Open a workbook of any supported format, turning every way it can fail into a one-line AuditInputError."""
    path = Path(path)
    found = workbook_format(path)
    try:
        parts = XlsxParts(path) if found in ("xlsx", "xlsm") else None
        if found == "xlsb":
            refuse_damage_calamine_cannot_survive(path)
        values = CalamineWorkbook.from_path(str(path))
        xls = XlsFormats(path) if found == "xls" else None
        ods = read_ods_sheets(path) if found == "ods" else None
    except BaseException as error:  # calamine, xlrd and zipfile raise many types for a damaged file
        raise unreadable(path, found, reraise_interrupt(error)) from None
    return OpenWorkbook(path, found, values, parts, xls=xls, ods=ods)


class DamagedBeyondExcel(Exception):
    """A part of the workbook claims more than Excel allows: the file is damaged."""


def refuse_damage_calamine_cannot_survive(path: Path) -> None:
    """Stop before calamine meets damage it answers by aborting the process (see `xlsb.py`)."""
    with zipfile.ZipFile(path) as archive:
        damage = damage_calamine_cannot_survive(archive)
    if damage:
        raise DamagedBeyondExcel(damage)


def reraise_interrupt(error: BaseException) -> BaseException:
    """The error, unless it is the user's interrupt or the interpreter's exit, which go on. calamine reports a
    damaged part it cannot index (an .xlsb's string number past its strings) as a Rust panic, a PanicException
    that derives from BaseException only: it too must be one line, not a traceback."""
    if isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise error
    return error


def unreadable(path: Path, found: str, error: BaseException) -> AuditInputError:
    return AuditInputError(f"cannot be read as {FORMATS[found]} ({type(error).__name__})", file=path,
                           hint="open it in Excel, save it again as Excel Workbook (.xlsx) and run again")


# --- what only the .xlsx parts tell -----------------------------------------

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CHUNK = 8 << 20  # sheet XML is streamed in 8 MB pieces: a sheet formatted to row 1,048,576 is never held whole


_EMPTY_CELL = re.compile(rb"<c\b[^>]*/>")
_EMPTY_ROW = re.compile(rb"<row\b[^>]*/>|<row\b[^>]*>\s*</row>")
_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")
_EMPTY_SHEET = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')
# Dropping formatting-only cells pays once there are many (a fill down the sheet); a few are left to calamine.
EMPTY_CELLS_WORTH_DROPPING = 10_000


class XlsxParts:
    """The parts of an .xlsx/.xlsm read directly: sheet XML paths, number formats and formula cells.

    A sheet the analysis reads is streamed once before calamine parses it (`scan`): that pass finds
    formulas saved without a value and drops cells that hold only formatting (`<c r="A9" s="3"/>`). A
    sheet formatted down to row 1,048,576 thus reaches calamine as the few rows that hold values (see
    `values_source`).
    """

    def __init__(self, path: Path):
        self.path = path
        with zipfile.ZipFile(path) as archive:
            self.sheet_paths = _sheet_paths(archive)
            self.style_formats = _style_number_formats(archive)
        self.uncalculated: dict[str, str | None] = {}
        self.compacted: dict[str, bytes] = {}
        self.errors: dict[str, dict[tuple[int, int], str]] = {}

    def scan(self, name: str) -> None:
        """Stream the sheet's XML once: its first formula without a value, and its cells without formatting-only
        cells when there are any (kept in memory for calamine)."""
        member = self.sheet_paths.get(name)
        if name in self.uncalculated or member is None:
            return
        pieces, removed, first, errors = [], 0, None, {}
        for chunk in self._member_chunks(member):
            if b't="e"' in chunk:  # Excel error values (`#REF!`): calamine reads them as empty cells
                errors.update(_error_cells_in(chunk))
            # "f" first: a one-byte search is many times faster than "<f" among the "<" of every tag, and a sheet
            # of values and shared strings often holds no "f" at all.
            if first is None and b"f" in chunk and b"<f" in chunk:
                first = _first_uncalculated_in(chunk)
            compact, count = _EMPTY_CELL.subn(b"", chunk) if b"/>" in chunk else (chunk, 0)
            if count:
                compact = _EMPTY_ROW.sub(b"", compact)
            removed += count
            pieces.append(compact)
        if removed > EMPTY_CELLS_WORTH_DROPPING:
            # Without cells that only hold formatting, the dimension Excel wrote no longer applies.
            self.compacted[member] = _DIMENSION.sub(b"", b"".join(pieces), count=1)
        self.errors[name] = errors
        self.uncalculated[name] = first

    def values_source(self, name: str):
        """What calamine reads for the sheet: the file itself, or an in-memory copy holding the sheet without
        its formatting-only cells (and every other sheet left empty)."""
        self.scan(name)
        member = self.sheet_paths.get(name)
        if member not in self.compacted:
            return str(self.path)
        others = set(self.sheet_paths.values()) - {member}
        copy = io.BytesIO()
        with zipfile.ZipFile(self.path) as source, zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as target:
            for item in source.infolist():
                data = (self.compacted[member] if item.filename == member else _EMPTY_SHEET
                        if item.filename in others else source.read(item.filename))
                target.writestr(item.filename, data)
        copy.seek(0)
        return copy

    def _member_chunks(self, member: str):
        """A sheet's XML in pieces that each end after a whole `</row>` (so no cell is ever split)."""
        if member in self.compacted:
            yield self.compacted[member]
            return
        with zipfile.ZipFile(self.path) as archive, archive.open(member) as stream:
            rest = b""
            while piece := stream.read(_CHUNK):
                data = rest + piece
                cut = data.rfind(b"</row>")
                if cut < 0:
                    rest = data
                    continue
                yield data[:cut + 6]
                rest = data[cut + 6:]
            if rest:
                yield rest

    def first_uncalculated_formula(self, sheet_name: str) -> str | None:
        """The first cell (`B7`) holding a formula saved without a calculated value, if any."""
        self.scan(sheet_name)
        return self.uncalculated.get(sheet_name)

    def error_cells(self, sheet_name: str) -> dict[tuple[int, int], str]:
        """Cells holding an Excel error value, by 0-based (row, column): `#REF!`, `#VALUE!`, `#N/A`..."""
        self.scan(sheet_name)
        return self.errors.get(sheet_name, {})

    def number_formats(self, sheet_name: str, cells: set[str]) -> dict[str, str]:
        """Number format code of each named cell (`A2`); cells not found have General."""
        member = self.sheet_paths.get(sheet_name)
        if not cells or member is None:
            return {}
        columns = sorted({re.match(r"[A-Z]+", c).group(0) for c in cells})
        pattern = re.compile(rb'<c\s[^>]*?\br="((?:' + "|".join(columns).encode() + rb')\d+)"[^>]*>')
        formats = {}
        for chunk in self._member_chunks(member):
            for match in pattern.finditer(chunk):
                reference = match.group(1).decode()
                if reference in cells:
                    style = re.search(rb'\bs="(\d+)"', match.group(0))
                    formats[reference] = self.style_formats.get(int(style.group(1)) if style else 0, "General")
        return formats


def _first_uncalculated_in(chunk: bytes) -> str | None:
    for formula in _FORMULA.finditer(chunk):
        cell_start = chunk.rfind(b"<c ", 0, formula.start())
        cell_end = chunk.find(b"</c>", formula.start())
        if cell_start < 0 or cell_end < 0:
            continue  # not inside a cell (nothing after sheetData holds formulas of cells)
        cell = chunk[cell_start:cell_end]
        if not _has_stored_value(cell):
            return _cell_reference(cell)
    return None


_FORMULA = re.compile(rb"<f[ >/]")
_ERROR_CELL = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', re.S)
_REFERENCE = re.compile(rb'\br="([A-Z]+)(\d+)"')
_STORED_VALUE = re.compile(rb"<v>([^<]*)</v>")


def _error_cells_in(chunk: bytes) -> dict[tuple[int, int], str]:
    """The error cells (`t="e"`) of a piece of sheet XML: 0-based (row, column) -> the error as Excel shows it.

    Spec sections 2 and 8: only `#N/A` means missing; `#REF!`, `#VALUE!`, `#DIV/0!`... are unrecognised values
    that must be listed, so the reader gives them as their text instead of the empty cell calamine gives."""
    found = {}
    for cell in _ERROR_CELL.finditer(chunk):
        reference, value = _REFERENCE.search(cell.group(1)), _STORED_VALUE.search(cell.group(2))
        if reference and value and value.group(1):
            row, column = int(reference.group(2)) - 1, column_position(reference.group(1).decode())
            found[(row, column)] = value.group(1).decode("utf-8", errors="replace")
    return found


def with_cell_values(grid: np.ndarray, values: dict[tuple[int, int], object]) -> np.ndarray:
    """The grid with each cell of `values` holding its value (an error's text: see `_error_cells_in` and
    `OpenWorkbook.cell_values`). calamine, reading an error cell as empty, may have ended the grid before it:
    the grid then grows to hold it."""
    if not values:
        return grid
    rows = max(grid.shape[0], max(row for row, _ in values) + 1)
    columns = max(grid.shape[1], max(column for _, column in values) + 1)
    if (rows, columns) != grid.shape:
        grown = np.full((rows, columns), None, dtype=object)
        grown[:grid.shape[0], :grid.shape[1]] = grid
        grid = grown
    for (row, column), value in values.items():
        grid[row, column] = value
    return grid


def _has_stored_value(cell: bytes) -> bool:
    """Whether a formula cell was saved with its calculated value.

    Excel writes a formula returning "" as `t="str"` with `<v></v>`, and some writers write
    that empty value without the type; a writer that never calculated writes no `<v>` or `<v/>`.
    """
    if re.search(rb'\bt="(?:str|inlineStr)"', cell[:cell.find(b">") + 1]):
        return True
    return re.search(rb"<v>", cell) is not None


def _cell_reference(cell: bytes) -> str:
    match = re.search(rb'\br="([A-Z]+\d+)"', cell)
    return match.group(1).decode() if match else "?"


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target_of = {rel.get("Id"): rel.get("Target") for rel in rels}
    paths = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = target_of.get(sheet.get(_RELATIONSHIP_ID), "")
        paths[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return paths


def _style_number_formats(archive: zipfile.ZipFile) -> dict[int, str]:
    """Number format code of each cell style index (`s="3"`)."""
    if "xl/styles.xml" not in archive.namelist():
        return {}
    styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    custom = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.iter(f"{_MAIN}numFmt")}
    cell_xfs = styles.find(f"{_MAIN}cellXfs")
    formats = {}
    for index, xf in enumerate([] if cell_xfs is None else cell_xfs.findall(f"{_MAIN}xf")):
        number_format = int(xf.get("numFmtId", 0))
        formats[index] = custom.get(number_format, BUILTIN_FORMATS.get(number_format, "General"))
    return formats


def column_position(letters: str) -> int:
    """The 0-based position of Excel's column letters (`A` is 0, `AA` is 26): `column_letter` reversed."""
    position = 0
    for letter in letters:
        position = position * 26 + ord(letter) - 64
    return position - 1


def column_letter(position: int) -> str:
    """Excel's letters for a 0-based column position (0 is `A`, 26 is `AA`)."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --- numbers shown as Excel shows them --------------------------------------

def displayed_whole_number(number: float, format_code: str | None) -> str:
    """A case reference typed as a number, as Excel shows it (spec section 2, **case_ref**).

    Its whole-number digits, zero-padded to the format's `0` placeholders, with the format's
    literal text (`"CP-"0000` shows 1 as `CP-0001`); General, grouping and scientific formats
    give the plain digits (`123456`, never `1.23457E+5` or `123,456`).
    """
    digits = str(int(round(abs(number))))
    section = (format_code or "General").split(";")[0]
    if section.lower() in ("general", "@", "") or re.search(r"[eE][+-]", section):
        return digits
    literal = re.compile(r'"([^"]*)"|\\(.)|(\[[^\]]*\])|([#0?,.]+)|(.)')
    shown = []
    for quoted, escaped, _colour_or_condition, placeholders, other in literal.findall(section):
        if quoted or escaped:
            shown.append(quoted or escaped)
        elif placeholders:
            width = placeholders.split(".")[0].count("0")
            shown.append(digits.zfill(width))
        elif other and other not in "_*":
            shown.append(other if other not in "%" else "")
    text = "".join(shown)
    return text if digits in text else digits


def displayed_percentage(number: float, format_code: str | None) -> str | None:
    """A number in a cell formatted as a percentage, as Excel shows it (`0.9` as `90%`); else None."""
    section = (format_code or "").split(";")[0]
    if "%" not in re.sub(r'"[^"]*"', "", section):
        return None
    return f"{round(number * 100, 10):g}%"


# --- the grid of one sheet ----------------------------------------------------

def sheet_grid(workbook: OpenWorkbook, sheet_name: str) -> np.ndarray:
    """The sheet's values from A1 to its last row and column holding a value, merged ranges not yet filled."""
    return values_grid(workbook.sheet(sheet_name))


def values_grid(parsed) -> np.ndarray:
    """A parsed sheet's values as a grid of cells from A1 (calamine's own types: str, float, int, bool, date)."""
    with cycle_collector_paused():
        rows = parsed.to_python(skip_empty_area=False)
        if not rows or not rows[0]:
            return np.empty((0, 0), dtype=object)
        grid = np.empty((len(rows), len(rows[0])), dtype=object)
        grid[:] = rows
    return grid


@contextmanager
def cycle_collector_paused():
    """Python's cycle collector paused while a sheet's rows are built.

    Each row is a new list, and every few hundred of them set off a collection that walks every object the
    process holds (in the run's kernel: pandas, matplotlib and all). Half a million rows of cells, which hold
    no cycles, took 2.6 s to build with the collector on and 1.0 s with it paused.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def fill_merged_ranges(grid: np.ndarray, merged: list, header_index: int) -> np.ndarray:
    """A merged range's value applies to every cell of the range below the header (spec section 1).

    A range that starts on or above the header (a merged title) gives nothing to the data rows.
    """
    for (top, left), (bottom, right) in merged or []:
        if top <= header_index or top >= grid.shape[0] or left >= grid.shape[1]:
            continue
        grid[top:bottom + 1, left:right + 1] = grid[top, left]
    return grid


@dataclass
class TextColumn:
    """A column of cells as text, held through its distinct values: row i reads ``texts[codes[i]]``, and
    a code of -1 is an empty cell. Audit columns repeat a handful of values over many rows, so every
    conversion and normalisation works on ``texts`` and costs the same whatever the row count."""
    codes: np.ndarray
    texts: np.ndarray

    def holds_value(self) -> np.ndarray:
        """Which rows hold a value: text that is not only spaces (invisible marks are already gone)."""
        filled = np.array([not text.isspace() for text in self.texts] + [False], dtype=bool)
        return filled[self.codes]  # code -1 picks the last entry: empty

    def as_categories(self, index: pd.Index) -> pd.Series:
        """The column as a categorical Series (an empty cell is missing): small, and read value by value."""
        return pd.Series(pd.Categorical.from_codes(self.codes, categories=pd.Index(self.texts, dtype=object),
                                                   validate=False), index=index)

    def as_text(self) -> np.ndarray:
        """The column as an object array of text, None for an empty cell."""
        return np.append(self.texts, None).astype(object)[self.codes]

    def fill_down(self, first: int, last: int) -> None:
        """Rows first+1..last take row first's value (a merged range)."""
        self.codes[first + 1:last + 1] = self.codes[first]

    def text_at(self, row: int) -> str | None:
        code = self.codes[row]
        return None if code < 0 else self.texts[code]

    def fill_with(self, first: int, last: int, text: str | None) -> None:
        """Rows first..last hold `text` (a merged range's value, from the column where the range starts)."""
        if text is None:
            self.codes[first:last + 1] = -1
            return
        found = np.flatnonzero(self.texts == text)
        if len(found):
            code = found[0]
        else:
            code = len(self.texts)
            self.texts = np.append(self.texts, np.array([text], dtype=object))
        self.codes[first:last + 1] = code


def distinct_cells(column: np.ndarray) -> tuple[np.ndarray, list]:
    """Each row's position among the column's distinct cells (-1 for empty), and those cells.

    Python's hashing makes `True == 1 == 1.0` one value, so the rows of a 0 or 1 are looked at one by one
    and TRUE, FALSE and the numbers 0 and 1 kept apart: TRUE must read as `true`, the grade 1 as `1`.
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    uniques = list(uniques)
    for position, unique in enumerate(list(uniques)):
        if isinstance(unique, str) or unique not in (0, 1):
            continue
        rows = np.flatnonzero(codes == position)
        is_bool = np.array([type(column[r]) is bool for r in rows])
        uniques[position] = column[rows[0]]
        if is_bool.any() and not is_bool.all():
            other = rows[is_bool != is_bool[0]]
            uniques.append(column[other[0]])
            codes[other] = len(uniques) - 1
    empty = np.array([u == "" if isinstance(u, str) else False for u in uniques] + [True], dtype=bool)
    return np.where(empty[codes], -1, codes), uniques


def text_column(column: np.ndarray) -> TextColumn:
    """A column of cells as text (see `cell_to_text`), each distinct cell converted once."""
    codes, uniques = distinct_cells(column)
    return column_of_texts(codes, cells_to_texts(uniques))


def cells_to_texts(cells: list) -> list:
    """`cell_to_text` of each cell; text cells, most of them, are checked for invisible marks all at once."""
    texts = [None if type(cell) is str else cell_to_text(cell) for cell in cells]
    positions = [i for i, cell in enumerate(cells) if type(cell) is str]
    strings = [cells[i] for i in positions]
    if strings and not "".join(strings).isascii():  # marks and decomposed accents are never ASCII
        strings = [remove_invisible_marks(text) for text in strings]
    for position, text in zip(positions, strings):
        texts[position] = text or None
    return texts


def column_of_texts(codes: np.ndarray, texts: list) -> TextColumn:
    """Codes into a list of texts (None for empty), merged where two cells read as one text (`2` and `2.0`)."""
    merged, distinct = pd.factorize(np.array(texts + [None], dtype=object), use_na_sentinel=True)
    return TextColumn(merged[codes].astype(np.int32), np.asarray(distinct, dtype=object))


def grid_text(column: np.ndarray) -> np.ndarray:
    """A column of cells as text (see `cell_to_text`), converting each distinct value once."""
    return text_column(np.asarray(column, dtype=object)).as_text()


# --- sheets and headers -------------------------------------------------------

def find_sheet(workbook: OpenWorkbook, sheet: Sheet) -> str | None:
    """The worksheet whose name matches, ignoring case, spaces, underscores and punctuation.

    Two sheets matching one name (a hidden draft `cases_` beside `Cases`) is an error naming both.
    """
    wanted = normalise_sheet_name(sheet.name)
    matches = [name for name in workbook.worksheet_names if normalise_sheet_name(name) == wanted]
    if len(matches) > 1:
        named = " and ".join(f"'{m}'" + (" (hidden)" if workbook.is_hidden(m) else "") for m in matches)
        raise AuditInputError(f"two sheets match '{sheet.name}': {named}", file=workbook.path,
                              hint=f"keep only the sheet the audit uses as '{sheet.name}': delete or rename the "
                                   "other (for example 'old cases') and run again")
    return matches[0] if matches else None


def _column_lookup(sheet: Sheet) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in sheet.columns:
        for spelling in (column.name, *column.aliases):
            lookup.setdefault(normalise_header(spelling), column.name)
    return lookup


def locate_header(grid: np.ndarray, sheet: Sheet, file: Path | None = None) -> int:
    """0-based index of the sheet's header row (spec sections 1 and 3).

    Cases and Agency returns: the first of the first 20 rows with a whole cell naming `case_ref` or an
    alias (rows above are a title block). Audit: the first row of its first 10 holding `field` and
    `value`, else its first non-empty row. Recommendations: the first non-empty row.
    """
    top = grid[:HEADER_SEARCH_ROWS]
    headers = np.vectorize(normalise_header, otypes=[object])(grid_text_block(top)) if top.size else top
    if any(c.name == "case_ref" for c in sheet.columns):
        spellings = {h for h, name in _column_lookup(sheet).items() if name == "case_ref"}
        for index, row in enumerate(headers):
            if spellings & set(row):
                return index
        raise AuditInputError(
            "no header row: none of the first 20 rows has a 'case_ref' column", file=file, sheet=sheet.name,
            hint="the header row must name the column case_ref (or Case reference, Child ID) and lie within the "
                 "first 20 rows")
    if sheet is AUDIT:
        for index, row in enumerate(headers[:AUDIT_TABLE_SEARCH]):
            if {"field", "value"} <= set(row[:AUDIT_TABLE_SEARCH]):
                return index
    filled = [index for index, row in enumerate(grid_text_block(grid)) if any(v and v.strip() for v in row)]
    if not filled:
        raise AuditInputError("the sheet has no header row (it is empty)", file=file, sheet=sheet.name,
                              hint="the first non-empty row must hold the column names")
    return filled[0]


def grid_text_block(block: np.ndarray) -> np.ndarray:
    return np.column_stack([grid_text(block[:, j]) for j in range(block.shape[1])]) if block.size else block


def map_columns(header: list[str | None], sheet: Sheet, header_row: int, file: Path,
                may_lack: frozenset[str] = frozenset()) -> tuple[dict, dict]:
    """Canonical column -> position, and position -> header as written for the columns not used.

    A column matched twice (a name and its alias, or two aliases) is an error naming both headers. A
    required column missing is an error, unless it is one of `may_lack` (an earlier audit's workbook).
    """
    lookup = _column_lookup(sheet)
    positions: dict[str, int] = {}
    unused: dict[int, str] = {}
    for position, text in enumerate(header):
        canonical = lookup.get(normalise_header(text))
        if canonical is None:
            unused[position] = (text or "").strip()
        elif canonical in positions:
            first = header[positions[canonical]].strip()
            raise AuditInputError(
                f"two columns match '{canonical}'", file=file, sheet=sheet.name,
                column=[first, text.strip()], row=header_row,
                hint=f"keep one column for '{canonical}': delete or rename the other (for example add 'old' "
                     "to its header) and run again")
        else:
            positions[canonical] = position
    missing = [c.name for c in sheet.columns if c.required and c.name not in positions and c.name not in may_lack]
    if missing:
        raise AuditInputError(
            f"required column{'s' if len(missing) > 1 else ''} missing", file=file, sheet=sheet.name,
            column=missing, hint=f"the header row is row {header_row}; add the column, or one of its aliases "
                                 "listed in docs/input-format.md, and run again")
    return positions, unused


# --- one sheet ----------------------------------------------------------------

def read_sheet(workbook: OpenWorkbook, sheet_name: str, sheet: Sheet, grid: np.ndarray | None = None,
               merged: list | None = None, may_lack: frozenset[str] = frozenset()) -> RawSheet:
    """Read one sheet: find the header, map its columns, fill merged ranges, convert cells to text.

    Cases and Agency returns hold their columns as categoricals of text (one entry per distinct value);
    the small Audit and Recommendations sheets hold text, None for an empty cell.
    """
    file = workbook.path
    grid = sheet_grid(workbook, sheet_name) if grid is None else grid
    if grid.size == 0:
        raise AuditInputError("the sheet has no header row (it is empty)", file=file, sheet=sheet.name,
                              hint="the first non-empty row must hold the column names")
    grid = with_cell_values(grid, workbook.cell_values(sheet_name))
    header_index = locate_header(grid, sheet, file)
    if workbook.parts is not None:
        uncalculated = workbook.parts.first_uncalculated_formula(sheet_name)
        if uncalculated:
            raise AuditInputError(
                f"cell {uncalculated} holds a formula saved without its calculated value", file=file,
                sheet=sheet.name, hint="open the workbook in Excel and save it, so its formulas are calculated")
    header = list(grid_text(grid[header_index]))
    positions, unused_positions = map_columns(header, sheet, header_index + 1, file, may_lack)
    body = grid[header_index + 1:]
    first_row = header_index + 2
    kind_at = {positions[c.name]: c.kind for c in sheet.columns if c.name in positions}
    columns = [displayed_column(workbook, sheet_name, np.ascontiguousarray(body[:, position]), position, first_row,
                                kind_at[position]) if kind_at.get(position) in DISPLAYED_KINDS
               else text_column(np.ascontiguousarray(body[:, position])) for position in range(body.shape[1])]
    del body, grid
    # A row is blank when none of its own cells holds a value: a case reference merged down onto
    # an otherwise empty row does not make it a row of data.
    rows_count = len(columns[0].codes) if columns else 0
    own_blank = ~np.logical_or.reduce([c.holds_value() for c in columns]) if columns and rows_count \
        else np.ones(rows_count, dtype=bool)
    fill_merged_codes(columns, workbook.merged_ranges(sheet_name, workbook.sheet(sheet_name).merged_cell_ranges)
                      if merged is None else merged, header_index)
    index = pd.RangeIndex(rows_count)
    large = sheet.name in (CASES.name, AGENCY_RETURNS.name)
    as_series = (lambda c: c.as_categories(index)) if large else (lambda c: pd.Series(c.as_text(), index=index))
    rows = pd.DataFrame({column.name: as_series(columns[positions[column.name]]) if column.name in positions
                         else pd.Series(None, index=index, dtype="object") for column in sheet.columns}, index=index)
    kept = [p for p in unused_positions if (columns[p].codes >= 0).any()]
    unused = pd.DataFrame({p: as_series(columns[p]) for p in kept}, index=index)
    unused.columns = [unused_positions[p] for p in kept]  # as written: two may be alike, or empty
    headers = {name: header[position].strip() for name, position in positions.items()}
    excel_row = pd.Series(np.arange(first_row, first_row + rows_count), index=index)
    return RawSheet(sheet.name, rows, excel_row, pd.Series(own_blank, index=index, dtype=bool), headers, unused,
                    header_index + 1, [column_letter(p) for p in kept])


def fill_merged_codes(columns: list[TextColumn], merged: list, header_index: int) -> None:
    """A merged range's value applies to every cell of the range below the header (spec section 1), down a
    column and across columns alike (a `No` typed once across father_invited : father_attended answers both);
    a range that starts on or above the header (a merged title) gives nothing to the data rows."""
    for (top, left), (bottom, right) in merged or []:
        if top <= header_index or left >= len(columns):
            continue
        first, last = top - header_index - 1, bottom - header_index - 1
        columns[left].fill_down(first, last)
        if right > left and first < len(columns[left].codes):
            text = columns[left].text_at(first)
            for column in columns[left + 1:right + 1]:
                column.fill_with(first, last, text)


def holds_value(column: np.ndarray) -> np.ndarray:
    """Which cells hold a value: not empty, not only spaces and invisible marks (each distinct value checked once)."""
    return text_column(np.asarray(column, dtype=object)).holds_value()


def displayed_column(workbook: OpenWorkbook, sheet_name: str, cells: np.ndarray, position: int, first_row: int,
                     kind: str) -> TextColumn:
    """A column whose numbers are read as Excel shows them: case references with their number format's
    padding and text, targets formatted as a percentage as `90%`. Each distinct number and format is
    shown once."""
    codes, uniques = distinct_cells(cells)
    numbers = [i for i, u in enumerate(uniques) if isinstance(u, (int, float)) and not isinstance(u, bool)]
    texts = cells_to_texts(uniques)
    numeric = np.flatnonzero(np.isin(codes, numbers))
    if not len(numeric):
        return column_of_texts(codes, texts)
    cells = [(first_row - 1 + int(r), position) for r in numeric]
    formats = workbook.number_formats(sheet_name, cells)
    shown = pd.DataFrame({"code": codes[numeric], "format": [formats.get(cell, "General") for cell in cells]})
    pairs, distinct_pairs = pd.factorize(pd.MultiIndex.from_frame(shown))
    for code, format_code in distinct_pairs:
        value = uniques[code]
        texts.append(displayed_whole_number(value, format_code) if kind == "case_ref"
                     else displayed_percentage(value, format_code) or cell_to_text(value))
    codes = codes.copy()
    codes[numeric] = len(uniques) + pairs
    return column_of_texts(codes, texts)


# --- the workbook -------------------------------------------------------------

@dataclass
class RawWorkbook:
    path: Path
    cases: RawSheet
    agency_returns: RawSheet
    audit: RawSheet | None
    recommendations: RawSheet | None
    format: str = "xlsx"
    missing_columns: tuple[str, ...] = ()  # required columns an earlier audit's workbook lacks (`may_lack`)


@dataclass
class ParsingWorkbook:
    """A workbook opened, its sheets found and their parse started (see `start_parsing`)."""
    workbook: OpenWorkbook
    found: dict            # the spec's sheet name -> worksheet name, None (absent, optional) or the problem
    parsing: dict          # worksheet name -> future parsed sheet


def start_parsing(path: str | Path, sheets: tuple[Sheet, ...] | None = None) -> ParsingWorkbook:
    """Open the workbook, find the spec's sheets and start parsing them side by side in the background."""
    workbook = open_workbook(path)  # a missing or unreadable file is its one-line error
    found = {sheet.name: sheet_or_problem(workbook, sheet) for sheet in sheets or SHEETS}
    parsing = workbook.parse_sheets([name for name in found.values() if isinstance(name, str)])
    return ParsingWorkbook(workbook, found, parsing)


def read_workbook(path: str | Path, may_lack: frozenset[str] = frozenset(),
                  definition: AuditDefinition | None = None) -> RawWorkbook:
    """Read every sheet the spec names, with the Cases and Agency returns columns the audit's definition declares
    (the child protection conference audit's by default); a missing required sheet is an error.

    The sheets are found first and parsed side by side in the background, then
    read in the spec's order, whose first problem is the one reported (Cases is checked first). Required
    columns named in `may_lack` may be absent (an earlier audit's workbook): they read as empty and are
    listed in `missing_columns`.
    """
    declared = SHEETS if definition is None else sheets_of(definition)
    started = start_parsing(path, declared)
    workbook, found, parsing = started.workbook, started.found, started.parsing
    del started  # the futures are let go one by one as their sheets are read
    sheets = {}
    try:
        for sheet in declared:
            name = found[sheet.name]
            if isinstance(name, AuditInputError):
                raise name
            sheets[sheet.name] = None if name is None else read_parsed_sheet(workbook, name, sheet, parsing.pop(name),
                                                                             may_lack)
    finally:
        for pending in parsing.values():
            pending.cancel()
    lacking = tuple(c.name for sheet in declared[:2] for c in sheet.columns
                    if c.required and c.name not in sheets[sheet.name].headers)
    return RawWorkbook(workbook.path, sheets["Cases"], sheets["Agency returns"], sheets["Audit"],
                       sheets["Recommendations"], workbook.format, tuple(dict.fromkeys(lacking)))


def sheet_or_problem(workbook: OpenWorkbook, sheet: Sheet) -> str | None | AuditInputError:
    """The worksheet's name, None for an absent optional sheet, or the error an absent or doubled one is."""
    try:
        name = find_sheet(workbook, sheet)
    except AuditInputError as problem:
        return problem
    if name is None and sheet.required:
        listed = ", ".join(repr(n) for n in workbook.worksheet_names)
        return AuditInputError("required sheet not found", file=workbook.path, sheet=sheet.name,
                               hint=f"the workbook has {listed}; name a sheet '{sheet.name}'")
    return name


SHEETS = (CASES, AGENCY_RETURNS, AUDIT, RECOMMENDATIONS)


def sheets_of(definition: AuditDefinition) -> tuple[Sheet, ...]:
    """The sheets of an audit: its definition's Cases and Agency returns, and the Audit and Recommendations."""
    return (definition.cases, definition.agency_returns, AUDIT, RECOMMENDATIONS)


def read_parsed_sheet(workbook: OpenWorkbook, name: str, sheet: Sheet, parsing,
                      may_lack: frozenset[str] = frozenset()) -> RawSheet | None:
    """Read one sheet once its parse is done; an empty optional sheet is the same as none."""
    try:
        parsed = parsing.result()
    except BaseException as error:  # calamine raises many types for a damaged sheet, and panics (see above)
        raise unreadable(workbook.path, workbook.format, reraise_interrupt(error)) from None
    grid, merged = values_grid(parsed), workbook.merged_ranges(name, parsed.merged_cell_ranges)
    del parsed, parsing  # calamine's copy of the cells is let go before the text columns are built
    if not sheet.required and grid.size == 0:
        return None
    try:
        return read_sheet(workbook, name, sheet, grid, merged, may_lack)
    except DAMAGED_PART_ERRORS as error:  # a part of the .xlsx read after calamine's parse (number formats)
        raise unreadable(workbook.path, workbook.format, error) from None


# What reading a damaged part of a zip raises (a bad CRC, a cut deflate stream, broken XML).
DAMAGED_PART_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ElementTree.ParseError)
