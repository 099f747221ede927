"""What an Excel 97-2003 workbook (.xls) tells that calamine does not (spec sections 1 and 2).

calamine reads an .xls's values but gives no number formats (a case reference typed as the number 1 formatted
`"CP-"0000` would read as `1`) and reads an error cell (`#REF!`) as empty. xlrd, with its formatting
information, gives both. An .xls holds at most 65,536 rows, and the formats are looked up only for the numeric
cells of the columns read as Excel shows them.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np


class XlsFormats:
    """An .xls's error cells and number formats, each sheet loaded once, when first asked for."""

    def __init__(self, path: Path):
        import xlrd  # here, not at the top: only an .xls needs it, and every run imports the reader

        # on_demand: a sheet is parsed when first asked for; the others are never read. xlrd's warnings about
        # a file's layout go to a log of their own, never to the audit team's screen.
        self.book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True, logfile=io.StringIO())
        self._sheets: dict = {}

    def sheet(self, name: str):
        if name not in self._sheets:
            self._sheets[name] = self.book.sheet_by_name(name) if name in self.book.sheet_names() else None
        return self._sheets[name]

    def error_cells(self, name: str) -> dict[tuple[int, int], str]:
        """Cells holding an error value, by 0-based (row, column), as Excel shows them (`#REF!`, `#N/A`...)."""
        import xlrd

        sheet = self.sheet(name)
        found = {}
        for row in range(sheet.nrows if sheet is not None else 0):
            types = sheet.row_types(row)
            if xlrd.XL_CELL_ERROR not in types:  # a test in C: most rows hold no error
                continue
            for column in np.flatnonzero(np.asarray(types) == xlrd.XL_CELL_ERROR):
                code = sheet.cell_value(row, int(column))
                found[(row, int(column))] = xlrd.error_text_from_code.get(code, "#VALUE!")
        return found

    def number_formats(self, name: str, cells: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """The number format code of each named cell (0-based row, column); General where it has none."""
        sheet = self.sheet(name)
        formats = {}
        for row, column in cells:
            if sheet is None or row >= sheet.nrows or column >= sheet.ncols:
                continue
            xf = self.book.xf_list[sheet.cell_xf_index(row, column)]
            shown = self.book.format_map.get(xf.format_key)
            formats[(row, column)] = shown.format_str if shown is not None else "General"
        return formats
