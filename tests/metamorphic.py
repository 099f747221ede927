"""Metamorphic testing of spec sections 1-3: generated audits as a model of cells, transformations of that model
that the spec says change nothing (or change only a listing), and the writer and reader of the outputs compared.

A workbook is a `Book` of sheets of `Cell`s. Each cell keeps what it means (`canonical`) beside what is written
(`value`), so a transformation can rewrite a cell in any form the spec reads the same, and merges can join cells
that mean the same. `write_book` writes it with openpyxl, then puts formulas' stored values into the XML, as Excel
saves them (openpyxl writes none). `audit_outputs` reads and cleans a file as `make report` does and gives the
three outputs the spec fixes: findings, reconciliation and data quality.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
from hypothesis import strategies as st

from helpers.clean.cleaning import clean_raw_workbook
from helpers.domain.schema import AGENCY_RETURNS, CASES, Sheet
from helpers.measures import Parameters
from helpers.measures.findings import findings_table
from helpers.measures.statuses import measure_statuses
from helpers.read.workbook import read_workbook

KEY = bytes(range(32))
WINDOW_START, WINDOW_END = dt.date(2025, 4, 1), dt.date(2025, 9, 30)


@dataclass
class Cell:
    value: object = None                 # what the cell holds, as written
    canonical: object = None             # what it means (None: empty); cells alike here may be merged
    kind: str = "text"                   # the column's kind (spec section 4 and 5), "header" or "title"
    number_format: str | None = None
    formula: bool = False                # written as a formula with its stored (calculated) value

    @property
    def empty(self) -> bool:
        return self.canonical is None


@dataclass
class BookSheet:
    title: str
    rows: list[list[Cell]]
    header_at: int = 0                                  # 0-based row of the header
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based top, left, bottom, right

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def column_kinds(self) -> list[str]:
        return [c.kind for c in self.rows[self.header_at + 1]] if len(self.rows) > self.header_at + 1 else []


@dataclass
class Book:
    sheets: dict[str, BookSheet]   # "Cases", "Agency returns", "Audit" -> the sheet


@dataclass
class Expected:
    """What a transformation that is listed (not silent) adds to the untransformed outputs."""
    quality: dict = field(default_factory=dict)     # (sheet, column, value, issue) -> rows added
    blank_rows: dict = field(default_factory=dict)  # sheet -> blank rows added

    def add(self, other: "Expected") -> "Expected":
        for key, rows in other.quality.items():
            self.quality[key] = self.quality.get(key, 0) + rows
        for key, rows in other.blank_rows.items():
            self.blank_rows[key] = self.blank_rows.get(key, 0) + rows
        return self


# --- generated audits ----------------------------------------------------------------------------------------

VALUES = {
    "ypn": ["Yes", "Partly", "No", "N/A", None, "maybe"],
    "yn": ["Yes", "No", "N/A", None],
    "eha": ["Yes", "No", "Started - not completed", None],
    "outcomes": ["Yes", "Partly", "No", "Too early to say", None],
    "grade": ["Outstanding", "Good", "Requires improvement", "Inadequate", None],
    "category": ["Neglect", "PHY", "SAB - Sexual abuse", "Emotional abuse", None],
    "participation": ["PN0", "PN3 - attends and conveys views", "PN7", "PN1", None],
    "attended": ["Yes", "No", "Sent apologies", None],
    "agency": ["Children's social care", "Police", "Health visitor", "HV", "School", "GP", "Housing",
               "Mystery agency"],
    "text": ["Some text", None],
}
ANSWER_KINDS = {"ypn", "yn", "eha", "outcomes", "grade", "category", "participation", "attended"}


def dates_near(draw, centre: dt.date, spread: int) -> dt.date:
    return centre + dt.timedelta(days=draw(st.integers(-spread, spread)))


def reference(prefix: str, number: int) -> str:
    return f"{prefix}{number:04d}"


@st.composite
def audits(draw) -> Book:
    """A small audit: cases (some duplicated, some outside the window, now and then a blank row) and their
    agency returns (some orphans), every value in one of the canonical forms of spec sections 2, 4 and 5."""
    prefix = draw(st.sampled_from(["CP-", "CAFÉ-"]))
    numbers = draw(st.lists(st.integers(1, 40), min_size=1, max_size=6, unique=True))
    case_rows, refs = [], []
    # The first case is never duplicated and its ICPC date is in the window: every audit has a case to report.
    again = draw(st.lists(st.sampled_from(numbers[1:]), max_size=2)) if len(numbers) > 1 else []
    for position, number in enumerate(numbers + again):
        if position and draw(st.integers(0, 9)) == 0:
            case_rows.append(None)  # a blank row
        ref = reference(prefix, number)
        refs.append(ref)
        icpc = dates_near(draw, dt.date(2025, 6, 15), 120 if position else 60)
        values = {}
        for column in CASES.columns:
            if column.kind == "case_ref":
                values[column.name] = ref
            elif column.kind == "date":
                centre = {"date_of_birth": dt.date(2015, 1, 1), "strategy_discussion_date": icpc - dt.timedelta(10),
                          "icpc_date": icpc, "first_core_group_date": icpc + dt.timedelta(8),
                          "audit_date": dt.date(2025, 11, 1)}[column.name]
                spread = 2000 if column.name == "date_of_birth" else 6
                values[column.name] = None if draw(st.integers(0, 12)) == 0 else dates_near(draw, centre, spread)
                if column.name == "icpc_date" and position == 0:
                    values[column.name] = icpc  # the first case is in the window: there is a report to make
            else:
                values[column.name] = draw(st.sampled_from(VALUES[column.kind]))
        case_rows.append(values)
    return_rows = []
    for ref in dict.fromkeys(refs + [reference(prefix, 99)]):
        for agency in draw(st.lists(st.sampled_from(VALUES["agency"]), max_size=4)):
            values = {}
            for column in AGENCY_RETURNS.columns:
                if column.kind == "case_ref":
                    values[column.name] = ref
                elif column.kind == "agency":
                    values[column.name] = agency
                elif column.kind == "date":
                    values[column.name] = None if draw(st.booleans()) else dt.date(2025, 6, 1)
                else:
                    values[column.name] = draw(st.sampled_from(VALUES[column.kind]))
            return_rows.append(values)
    audit = [["field", "value"], ["audit_title", "Metamorphic audit"], ["window_start", "01/04/2025"],
             ["window_end", "30/09/2025"], ["population", "250"]]
    return Book({"Cases": sheet_of("Cases", CASES, case_rows), "Agency returns":
                 sheet_of("Agency returns", AGENCY_RETURNS, return_rows),
                 "Audit": BookSheet("Audit", [[Cell(v, v, "header" if i == 0 else "text") for v in row]
                                              for i, row in enumerate(audit)])})


def sheet_of(title: str, declared: Sheet, rows: list[dict | None]) -> BookSheet:
    header = [Cell(c.name, c.name, "header") for c in declared.columns]
    body = []
    for row in rows:
        body.append([Cell(None if row is None else canonical_text(row[c.name]),
                          None if row is None else row[c.name], c.kind) for c in declared.columns])
    return BookSheet(title, [header] + body)


def canonical_text(value):
    return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else value


# --- writing -----------------------------------------------------------------------------------------------------

def write_book(book: Book, path: Path) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    formulas: dict[str, dict[str, str]] = {}
    for sheet in book.sheets.values():
        worksheet = workbook.create_sheet(sheet.title)
        for r, row in enumerate(sheet.rows, start=1):
            for c, cell in enumerate(row, start=1):
                if cell.value is None and not cell.formula:
                    continue
                target = worksheet.cell(r, c)
                if cell.formula:
                    text = "" if cell.value is None else str(cell.value)
                    target.value = '="' + text.replace('"', '""') + '"'
                    formulas.setdefault(sheet.title, {})[target.coordinate] = text
                else:
                    target.value = cell.value
                if cell.number_format:
                    target.number_format = cell.number_format
        for top, left, bottom, right in sheet.merges:
            worksheet.merge_cells(start_row=top + 1, start_column=left + 1, end_row=bottom + 1, end_column=right + 1)
    workbook.save(path)
    if formulas:
        store_formula_values(path, workbook, formulas)
    return path


def store_formula_values(path: Path, workbook, formulas: dict[str, dict[str, str]]) -> None:
    """Give each formula its stored value as Excel saves it (`t="str"`, `<v>text</v>`; an empty string too)."""
    from xml.sax.saxutils import escape

    members = {ws.title: f"xl/worksheets/sheet{i}.xml" for i, ws in enumerate(workbook.worksheets, start=1)}
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    def stored(match, cells: dict[str, str]) -> str:
        value = cells.get(match.group(1))
        if value is None:
            return match.group(0)
        return f'<c r="{match.group(1)}"{match.group(2)} t="str"><f>{match.group(3)}</f><v>{escape(value)}</v></c>'

    for title, cells in formulas.items():
        xml = parts[members[title]].decode()
        xml = re.sub(r'<c r="([A-Z]+\d+)"((?: s="\d+")?)><f>(.*?)</f><v\s*/>(?:</v>)?</c>',
                     lambda match, cells=cells: stored(match, cells), xml)
        parts[members[title]] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


# --- the outputs the spec fixes ----------------------------------------------------------------------------------

def audit_outputs(path: Path) -> dict[str, pd.DataFrame]:
    raw = read_workbook(path)
    cleaned = clean_raw_workbook(raw, KEY)
    findings = findings_table(measure_statuses(cleaned.cases, cleaned.agency_returns, Parameters()),
                              cleaned.settings.population)
    quality = cleaned.data_quality.sort_values(["sheet", "column", "issue", "value"]).reset_index(drop=True)
    return {"findings": findings.reset_index(drop=True), "reconciliation": cleaned.reconciliation,
            "data_quality": quality}


def expected_outputs(baseline: dict[str, pd.DataFrame], expected: Expected) -> dict[str, pd.DataFrame]:
    """The untransformed outputs with what a listed transformation adds."""
    quality = {(s, c, v, i): r for s, c, v, i, r in baseline["data_quality"].itertuples(index=False)}
    for key, rows in expected.quality.items():
        if rows:
            quality[key] = quality.get(key, 0) + rows
    table = pd.DataFrame([(*key, rows) for key, rows in quality.items()],
                         columns=["sheet", "column", "value", "issue", "rows"])
    reconciliation = baseline["reconciliation"].copy()
    for sheet, rows in expected.blank_rows.items():
        reconciliation.loc[(reconciliation["sheet"] == sheet) & (reconciliation["outcome"] == "blank"), "rows"] += rows
    return {"findings": baseline["findings"], "reconciliation": reconciliation,
            "data_quality": table.sort_values(["sheet", "column", "issue", "value"]).reset_index(drop=True)}


def assert_same_outputs(actual: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame]) -> None:
    for name in ("findings", "reconciliation"):
        pd.testing.assert_frame_equal(actual[name], expected[name], check_dtype=False, obj=name)
    as_records = lambda t: sorted(  # noqa: E731
        (str(s), str(c), str(v), str(i), int(r)) for s, c, v, i, r in t.itertuples(index=False))
    assert as_records(actual["data_quality"]) == as_records(expected["data_quality"])


# --- transformations: each rewrites the book in place and says what it adds to the outputs (if anything) -------

def data_rows(sheet: BookSheet) -> range:
    return range(sheet.header_at + 1, len(sheet.rows))


def case_sheets(book: Book) -> list[BookSheet]:
    return [book.sheets["Cases"], book.sheets["Agency returns"]]


def header_cosmetics(book: Book, draw) -> Expected:
    """Spec section 1: headers match after NBSP to space, trim, lower case and punctuation runs to `_`; aliases."""
    for sheet, declared in zip(case_sheets(book), (CASES, AGENCY_RETURNS)):
        for cell in sheet.rows[sheet.header_at]:
            if cell.kind != "header" or cell.canonical not in [c.name for c in declared.columns]:
                continue
            column = declared.column(cell.canonical)
            name = draw(st.sampled_from([column.name, *column.aliases]))
            words = name.split("_")
            joiner = draw(st.sampled_from([" ", "_", "  ", "\u00a0", " - ", ". "]))
            text = joiner.join(w.upper() if draw(st.booleans()) else w.capitalize() for w in words)
            cell.value = draw(st.sampled_from(["", " ", "\u00a0"])) + text + draw(st.sampled_from(["", ".", ":", " "]))
    return Expected()


def sheet_names(book: Book, draw) -> Expected:
    """Spec section 1: sheets match ignoring case, spaces, underscores and punctuation."""
    variants = {"Cases": ["CASES", " cases", "Cases_", "cases."],
                "Agency returns": ["Agency_Returns", "agency-returns", "AGENCY RETURNS", "Agency returns."],
                "Audit": ["AUDIT", "audit ", "Audit_"]}
    for key, sheet in book.sheets.items():
        sheet.title = draw(st.sampled_from(variants[key]))
    return Expected()


def title_block(book: Book, draw) -> Expected:
    """Spec section 1: rows above the header (a title, notes, a legend) are not data and are not counted."""
    lines = [["Multi-agency audit of child protection conferences"], [], ["Notes: one row per case"],
             ["Key:", "Y = Yes", "N = No"], ["Case reference list below"]]
    for sheet in case_sheets(book):
        added = draw(st.lists(st.sampled_from(lines), min_size=1, max_size=8))
        sheet.rows[:0] = [[Cell(v, v, "title") for v in line] for line in added]
        sheet.header_at += len(added)
    return Expected()


def extra_columns(book: Book, draw) -> Expected:
    """Spec section 1: unknown columns are ignored; section 8 lists a filled one as `unused_column` by its header
    as written (two with one header, and one with none, included). An empty one adds nothing."""
    expected = Expected()
    for sheet in case_sheets(book):
        for header in draw(st.lists(st.sampled_from(["Notes", "Notes", "", "Team notes", "Empty one"]),
                                    min_size=1, max_size=4)):
            at = draw(st.integers(0, sheet.width))
            filled = 0
            for r, row in enumerate(sheet.rows):
                if r == sheet.header_at:
                    cell = Cell(header or None, header or None, "header")
                elif r > sheet.header_at and header != "Empty one" and any(not c.empty for c in row) \
                        and draw(st.booleans()):
                    cell, filled = Cell("a note", "a note", "extra"), filled + 1
                else:
                    cell = Cell(None, None, "extra")
                row.insert(at, cell)
            if filled:
                written = header
                key = (sheet_key(book, sheet), written, written, "unused_column")
                expected.quality[key] = expected.quality.get(key, 0) + filled
    return expected


def sheet_key(book: Book, sheet: BookSheet) -> str:
    return next(key for key, s in book.sheets.items() if s is sheet)


def column_order(book: Book, draw) -> Expected:
    """Spec section 1: columns are found by header, in any order."""
    for sheet in case_sheets(book):
        order = draw(st.permutations(range(sheet.width)))
        sheet.rows = [[row[i] if i < len(row) else Cell() for i in order] for row in sheet.rows]
    return Expected()


ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff"]
SPACES = [" ", "\u00a0", "\u2009", "\u3000", "\u202f"]


def value_cosmetics(book: Book, draw) -> Expected:
    """Spec section 2: case, spaces (every Unicode space), a code prefix `a) `, one trailing `.`, zero-width and
    direction marks anywhere, NFD accents, Excel booleans: the same answer. Case references: trim, case, marks."""
    for sheet in case_sheets(book):
        for r in data_rows(sheet):
            for cell in sheet.rows[r]:
                if cell.empty or not isinstance(cell.value, str) or not draw(st.booleans()):
                    continue
                text = cell.value
                if cell.kind in ANSWER_KINDS and draw(st.booleans()) and text in ("Yes", "No"):
                    cell.value = text == "Yes"  # an Excel boolean TRUE/FALSE
                    continue
                if cell.kind in ANSWER_KINDS | {"agency"}:
                    text = draw(st.sampled_from([text, text.upper(), text.lower(), text.title()]))
                if cell.kind in ANSWER_KINDS:
                    text = draw(st.sampled_from(["", "a) ", "b) ", "c)"])) + text
                    text = re.sub(" ", lambda _: draw(st.sampled_from([" ", "  ", "\u00a0"])), text)
                    text += draw(st.sampled_from(["", "."]))
                if cell.kind == "case_ref":
                    text = draw(st.sampled_from([text, text.lower()]))
                if cell.kind == "date":
                    text += draw(st.sampled_from(["", "."]))
                text = draw(st.sampled_from(SPACES + [""])) + text + draw(st.sampled_from(SPACES + [""]))
                at = draw(st.integers(0, len(text)))
                text = text[:at] + draw(st.sampled_from(ZERO_WIDTH + [""])) + text[at:]
                cell.value = unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), text)
    return Expected()


WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def date_forms(book: Book, draw) -> Expected:
    """Spec section 2: every date form reads as the same date (day first; `d/m/yy` is 20yy; a time is dropped);
    an Excel date cell, a serial number (whole or fractional)."""
    for sheet in case_sheets(book):
        for r in data_rows(sheet):
            for cell in sheet.rows[r]:
                if cell.kind != "date" or cell.empty:
                    continue
                d: dt.date = cell.canonical
                forms = [d.strftime("%d/%m/%Y"), f"{d.day}/{d.month}/{d.strftime('%y')}", d.strftime("%d-%m-%Y"),
                         d.strftime("%d.%m.%Y"), d.isoformat(), f"{d.day} {d.strftime('%b')} {d.year}",
                         f"{d.day} {d.strftime('%B')} {d.year}", f"{d.day}{ordinal(d.day)} {d.strftime('%B')} {d.year}",
                         f"{WEEKDAYS[d.weekday()]} {d.day} {d.strftime('%B')} {d.year}",
                         f"{d.strftime('%d/%m/%Y')} 09:30", f"{d.isoformat()}T14:05:00",
                         dt.datetime(d.year, d.month, d.day), dt.datetime(d.year, d.month, d.day, 16, 45),
                         (d - dt.date(1899, 12, 30)).days, (d - dt.date(1899, 12, 30)).days + 0.5]
                if d.month == 9:
                    forms.append(f"{d.day} Sept {d.year}")
                cell.value = draw(st.sampled_from(forms))
    return Expected()


def ordinal(day: int) -> str:
    return "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def numeric_references(book: Book, draw) -> Expected:
    """Spec section 2: a case reference typed as a number reads as Excel shows it (`"CP-"0000` shows 1 as CP-0001)."""
    for sheet in case_sheets(book):
        for r in data_rows(sheet):
            for cell in sheet.rows[r]:
                if cell.kind == "case_ref" and isinstance(cell.canonical, str) and \
                        cell.canonical.startswith("CP-") and draw(st.booleans()):
                    cell.value, cell.number_format = int(cell.canonical[3:]), '"CP-"0000'
    return Expected()


def whitespace_rows(book: Book, draw) -> Expected:
    """Spec section 1: a row whose cells hold nothing but spaces is a blank row: counted, not analysed."""
    expected = Expected()
    for sheet in case_sheets(book):
        count = draw(st.integers(1, 3))
        for _ in range(count):
            at = draw(st.integers(sheet.header_at + 1, len(sheet.rows)))
            row = [Cell(draw(st.sampled_from([None, " ", "\u00a0", "   "])), None, "blank") for _ in range(sheet.width)]
            row[0] = Cell(" ", None, "blank")  # at least one cell holds whitespace
            sheet.rows.insert(at, row)
        key = sheet_key(book, sheet)
        expected.blank_rows[key] = expected.blank_rows.get(key, 0) + count
    return expected


def whitespace_rows_at_the_end(book: Book, draw) -> Expected:
    """Spec section 1: the sheet's extent is its last row holding a value, and a cell of spaces holds one (text, not
    formatting); spec section 2 reads it, trimmed, as empty. So rows of spaces after the last case or return are
    within the sheet and are blank rows: counted, not analysed, as anywhere else (`whitespace_rows`). Unlike
    formatting down the sheet (spec section 1: adds nothing), which the reader's own tests cover."""
    expected = Expected()
    for sheet in case_sheets(book):
        count = draw(st.integers(1, 3))
        for _ in range(count):
            row = [Cell(draw(st.sampled_from([None, " ", "\u00a0", "\u3000", "  "])), None, "blank")
                   for _ in range(sheet.width)]
            row[draw(st.integers(0, sheet.width - 1))] = Cell(" ", None, "blank")  # one cell holds spaces at least
            sheet.rows.append(row)
        key = sheet_key(book, sheet)
        expected.blank_rows[key] = expected.blank_rows.get(key, 0) + count
    return expected


def merged_ranges(book: Book, draw) -> Expected:
    """Spec section 1: a merged range's value applies to every cell of the range below the header: cells that
    mean the same, down a column, across a row or in a block, are merged and only the first keeps its value."""
    for sheet in case_sheets(book):
        taken: set[tuple[int, int]] = set()
        for _ in range(draw(st.integers(1, 6))):
            rows = list(data_rows(sheet))
            if not rows:
                break
            top, left = draw(st.sampled_from(rows)), draw(st.integers(0, sheet.width - 1))
            first = cell_at(sheet, top, left)
            if first.empty or (top, left) in taken or first.formula:
                continue
            bottom, right = top, left
            # A row a range reaches down into keeps a value of its own (a row whose only value is merged into it
            # is not a row of data: issue 8).
            while bottom + 1 < len(sheet.rows) and alike(first, cell_at(sheet, bottom + 1, left)) \
                    and (bottom + 1, left) not in taken and has_own_value(sheet.rows[bottom + 1], left) \
                    and draw(st.booleans()):
                bottom += 1
            while right + 1 < sheet.width and all(alike(first, cell_at(sheet, r, right + 1)) and
                                                  (r, right + 1) not in taken for r in range(top, bottom + 1)) \
                    and draw(st.booleans()):
                right += 1
            if (bottom, right) == (top, left):
                continue
            for r in range(top, bottom + 1):
                for c in range(left, right + 1):
                    taken.add((r, c))
                    if (r, c) != (top, left):
                        sheet.rows[r][c] = Cell(None, first.canonical, sheet.rows[r][c].kind)
            sheet.merges.append((top, left, bottom, right))
    return Expected()


def has_own_value(row: list[Cell], merged_column: int) -> bool:
    return any(not c.empty and c.value is not None and i != merged_column for i, c in enumerate(row))


def cell_at(sheet: BookSheet, r: int, c: int) -> Cell:
    row = sheet.rows[r]
    return row[c] if c < len(row) else Cell()


def alike(first: Cell, other: Cell) -> bool:
    """Whether `other` reads as `first` does in its own column: the same meaning, and a kind read the same way
    (an answer's `N/A` is N/A, a date's `N/A` too; a case reference is never merged with an answer)."""
    return (not other.empty and other.canonical == first.canonical and other.kind == first.kind
            and not other.formula and other.number_format == first.number_format)


def formulas(book: Book, draw) -> Expected:
    """Spec section 1: a cell is read as its stored value: a formula returning text reads as that text, one
    returning an empty string as an empty cell."""
    for sheet in case_sheets(book):
        merged = {(r, c) for t, l, b, rt in sheet.merges for r in range(t, b + 1) for c in range(l, rt + 1)}
        for r in data_rows(sheet):
            for c, cell in enumerate(sheet.rows[r]):
                if (r, c) in merged or cell.number_format or not draw(st.integers(0, 3)) == 0:
                    continue
                if cell.value is None or isinstance(cell.value, str):
                    cell.formula = True
    return Expected()


def audit_table(book: Book, draw) -> Expected:
    """Spec section 3: the field/value table may start anywhere in the first 10 rows and columns, field names are
    matched like headers (`Window start:`), a field given twice with the same value is fine, and a field the spec
    does not name is listed as `unknown_field` by the field as written."""
    sheet = book.sheets["Audit"]
    expected = Expected()
    for row in sheet.rows[1:]:
        field_cell = row[0]
        field_cell.value = draw(st.sampled_from([field_cell.value, field_cell.value.replace("_", " ").title() + ":",
                                                 " " + field_cell.value.upper()]))
    if draw(st.booleans()):
        again = copy.deepcopy(sheet.rows[2])
        again[1].value = " " + str(again[1].value) + " "  # the same window start, given twice
        sheet.rows.append(again)
    if draw(st.booleans()):
        sheet.rows.append([Cell("Reviewed by:", "Reviewed by:"), Cell("Panel", "Panel")])
        expected.quality[("Audit", "field", "Reviewed by:", "unknown_field")] = 1
    down, right = draw(st.integers(0, 9)), draw(st.integers(0, 8))
    title = [[Cell("Audit details", "Audit details", "title")]] if down else []
    sheet.rows = title + [[Cell()] for _ in range(max(down - 1, 0))] + [[Cell() for _ in range(right)] + row
                                                                         for row in sheet.rows]
    return expected


# Every "changes nothing" and "is listed" rule of spec sections 1-3, by name, with its transformation; applied in
# this order when several are combined (the structure first, then merges over it, formulas last).
TRANSFORMATIONS = {
    "value_cosmetics": value_cosmetics,
    "date_forms": date_forms,
    "numeric_references": numeric_references,
    "extra_columns": extra_columns,
    "column_order": column_order,
    "header_cosmetics": header_cosmetics,
    "whitespace_rows": whitespace_rows,
    "whitespace_rows_at_the_end": whitespace_rows_at_the_end,
    "title_block": title_block,
    "merged_ranges": merged_ranges,
    "formulas": formulas,
    "sheet_names": sheet_names,
    "audit_table": audit_table,
}


def transform(book: Book, names, draw) -> tuple[Book, Expected]:
    book = copy.deepcopy(book)
    expected = Expected()
    for name in TRANSFORMATIONS:
        if name in names:
            expected.add(TRANSFORMATIONS[name](book, draw))
    return book, expected
