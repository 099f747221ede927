"""The one error type a user sees: a one-line message naming where the problem is."""
from __future__ import annotations

from pathlib import Path


class AuditInputError(Exception):
    """Bad input: names the file, sheet, column and row where they apply, and what to do."""

    def __init__(self, problem: str, *, file: str | Path | None = None, sheet: str | None = None,
                 column: str | list[str] | None = None, row: int | None = None, hint: str | None = None,
                 line: int | None = None):
        self.problem = problem
        self.line = line  # a line of a text file, such as an audit definition (a workbook has rows)
        self.file = None if file is None else str(file)
        self.sheet = sheet
        self.column = column
        self.row = row
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if isinstance(self.column, (list, tuple)):
            where.append("columns " + ", ".join(f"'{c}'" for c in self.column) if len(self.column) > 1
                         else f"column '{self.column[0]}'")
        elif self.column:
            where.append(f"column '{self.column}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        text = (", ".join(where) + ": " if where else "") + self.problem
        if self.hint:
            text += f" ({self.hint})"
        return text.replace("\n", " ")
