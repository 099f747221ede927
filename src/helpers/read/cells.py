"""Normalisers for names, answers, dates, case references and agencies (spec sections 1, 2 and 5).

Every function here takes and returns pandas objects and works on whole
columns at once: the vocabularies are dictionaries looked up with
``Series.map`` and the date forms are regular expressions, so no Python runs
per row.
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from ..domain.answers import (
    AGE_BANDS,
    AGENCY_GROUP_OF,
    AGENCY_SYNONYMS,
    MISSING_VALUES,
    NA_VALUES,
    RECOMMENDATION_STATUSES,
    UNMAPPED,
    vocabulary,
)

# --- invisible marks and Unicode spaces (spec section 2) --------------------

# Zero-width and direction marks: pasted from web forms and case systems, invisible in Excel,
# they would make `Yes` unrecognised or split one case reference into two.
INVISIBLE_MARKS = re.compile("[\u200b-\u200f\u2060\ufeff]")
# Every Unicode space (non-breaking, thin, ideographic...) and other whitespace reads as a space.
UNICODE_SPACES = re.compile(r"\s")


_DELETE_MARKS = dict.fromkeys([*range(0x200B, 0x2010), 0x2060, 0xFEFF])


def remove_invisible_marks(text: str) -> str:
    """Zero-width and direction marks removed, and the text put in Unicode NFC form (spec section 2): a
    decomposed `é` (e and a combining accent, as some case systems export it) is then the precomposed one."""
    text = text.translate(_DELETE_MARKS)
    return text if text.isascii() else unicodedata.normalize("NFC", text)


# What `plain_spaces` changes: a mark, or whitespace other than the plain space.
_NOT_PLAIN = re.compile("[\u200b-\u200f\u2060\ufeff]|[^\\S ]")


def plain_spaces(text: pd.Series) -> pd.Series:
    """Zero-width marks removed, NFC form, and every Unicode space to a space, column-wise."""
    joined = "".join(text.dropna().astype(str).tolist())
    if joined.isascii() and not _NOT_PLAIN.search(joined):
        return text  # one search over the whole column: most columns have nothing to change
    text = text.str.replace(INVISIBLE_MARKS, "", regex=True)
    if not joined.isascii():
        text = text.str.normalize("NFC")
    return text.str.replace(UNICODE_SPACES, " ", regex=True)


def distinct_values(raw: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """A column's distinct cells and, for each row, the position of its cell among them.

    Audit columns repeat a handful of values over thousands of rows, so the normalisers
    work on the distinct values and `spread` puts the results back on the rows: their cost
    does not grow with the row count. An empty cell is the last distinct value (None).
    """
    if isinstance(raw.dtype, pd.CategoricalDtype):  # the reader's columns: distinct already
        codes, uniques = raw.cat.codes.to_numpy(), raw.cat.categories
    else:
        codes, uniques = pd.factorize(raw.to_numpy(dtype=object), use_na_sentinel=True)
    codes = np.where(codes < 0, len(uniques), codes)
    return codes, pd.Series(list(uniques) + [None], dtype="object")


def distinct_values_of_columns(columns: list[pd.Series]) -> tuple[list[np.ndarray], pd.Series]:
    """The distinct cells of several columns together (see `distinct_values`), and each column's codes into them."""
    per_column = [distinct_values(column) for column in columns]
    together = pd.concat([distinct for _, distinct in per_column], ignore_index=True) if per_column \
        else pd.Series([None], dtype="object")
    merged, uniques = pd.factorize(together.to_numpy(dtype=object), use_na_sentinel=True)
    merged = np.where(merged < 0, len(uniques), merged)
    starts = np.cumsum([0] + [len(distinct) for _, distinct in per_column])
    codes = [merged[start:][column_codes] for start, (column_codes, _) in zip(starts, per_column)]
    return codes, pd.Series(list(uniques) + [None], dtype="object")


def spread(result: pd.Series | pd.DataFrame, codes: np.ndarray, index: pd.Index):
    """Results computed per distinct value, one per row again (see `distinct_values`)."""
    out = result.iloc[codes]
    out.index = index
    return out


# --- names of sheets and columns ------------------------------------------

def normalise_sheet_name(name: str) -> str:
    """Sheet names match ignoring case, spaces, underscores and punctuation."""
    return re.sub(r"[\W_]+", "", remove_invisible_marks(str(name))).lower()


def normalise_header(text) -> str:
    """Column headers and aliases: `Case Ref.` and ` case  ref ` both become `case_ref`."""
    if text is None:
        return ""
    cleaned = UNICODE_SPACES.sub(" ", remove_invisible_marks(str(text))).strip().lower()
    return re.sub(r"[\W_]+", "_", cleaned).strip("_")


# --- answer cells -----------------------------------------------------------

_CODE_PREFIX = re.compile(r"^[a-z]\)\s*")
_PARTICIPATION = re.compile(r"^pn\s*([0-7])")
_CATEGORY_CODE = re.compile(r"^(neg|phy|sab|emo|mul) - ")


def normalise_answer_text(raw: pd.Series) -> pd.Series:
    """Spec section 2: text, marks removed, Unicode spaces to space, trim, lower, drop `a) `, collapse spaces,
    drop one trailing `.`."""
    text = plain_spaces(raw.astype("string").fillna("")).str.strip().str.lower()
    text = text.str.replace(_CODE_PREFIX, "", regex=True)
    text = text.str.replace(r" {2,}", " ", regex=True)
    return text.str.replace(r"\.$", "", regex=True)


def normalised_answer_cells(raw: pd.Series) -> pd.Series:
    """`normalise_answer_text` of every cell of a column, each distinct cell normalised once: the data-quality
    listing shows unrecognised cells as normalised, and at scale those can be a fifth of half a million rows.

    For the reader's columns, categoricals of text. On a plain object column pandas' factorize would take
    True and 1 for one value, which the reader's text (`true`, `1`) never gives it.
    """
    codes, distinct = distinct_values(raw)
    return spread(normalise_answer_text(distinct), codes, raw.index)


def read_answers(raw: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Read a column of answer cells of one kind.

    Returns the canonical values (missing as <NA>) and a boolean mask of
    unrecognised cells (which also read as missing and must be listed).
    """
    codes, distinct = distinct_values(raw)
    values, unrecognised = _read_distinct_answers(normalise_answer_text(distinct), kind)
    return spread(values, codes, raw.index), spread(unrecognised, codes, raw.index)


def _read_distinct_answers(text: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    values = text.map(vocabulary(kind)).astype("string")
    if kind == "participation":
        code = text.str.extract(_PARTICIPATION, expand=False)
        values = values.fillna("PN" + code)
    if kind == "category":  # a drop-down value `NEG - Neglect` reads as its code (spec section 2)
        values = values.fillna(text.str.extract(_CATEGORY_CODE, expand=False).str.upper())
    missing = text.isin(MISSING_VALUES)
    return values, (values.isna() & ~missing).astype(bool)


def read_answer_columns(cells: pd.DataFrame, kinds: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                             pd.DataFrame, pd.DataFrame]:
    """Read every answer and date column of a sheet at once (`kinds`: column -> kind, `date` for dates).

    The distinct cells of all the columns together are normalised once, and each kind's vocabulary
    is looked up once: a sheet costs a few dozen column operations whatever its size.
    Returns the values (answers as text, dates as datetime64), the unrecognised mask, the mask
    of date cells answered N/A and the mask of dates outside 1900-2099 (the last two: date columns only).
    """
    names = list(kinds)
    codes, distinct = distinct_values_of_columns([cells[name] for name in names])
    text = normalise_answer_text(distinct)
    read = {}
    for kind in sorted(set(kinds.values())):
        read[kind] = (_read_distinct_dates(distinct) if kind == "date"
                      else (*_read_distinct_answers(text, kind), None, None))
    values, unrecognised, not_applicable, implausible = {}, {}, {}, {}
    for name, column_codes in zip(names, codes):
        kind_values, kind_first, kind_second, kind_implausible = read[kinds[name]]
        values[name] = spread(kind_values, column_codes, cells.index)
        if kinds[name] == "date":
            not_applicable[name], unrecognised[name], implausible[name] = (
                spread(m, column_codes, cells.index) for m in (kind_first, kind_second, kind_implausible))
        else:
            unrecognised[name] = spread(kind_first, column_codes, cells.index)
    frame = lambda columns: pd.DataFrame(columns, index=cells.index)  # noqa: E731
    return frame(values), frame(unrecognised), frame(not_applicable), frame(implausible)


# --- dates ------------------------------------------------------------------

_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
     ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
     ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}

_DAY_FIRST = r"^(?P<day>\d{1,2})(?P<sep>[/.\-])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})$"
_ISO = r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$"
_WORDS = r"^(?:[a-z]+,? )?(?P<day>\d{1,2})(?:st|nd|rd|th)? (?P<month>[a-z]+),? (?P<year>\d{4})$"
# A time of day after a date (`01/04/2025 09:00`, `2025-04-01T09:00:00`) is dropped: the date is what counts.
_TIME_OF_DAY = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[ap]\.?m)?)$"
_SERIAL = r"^\d+(?:\.\d+)?$"
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # 1900 date system, past Excel's 1900 leap-year bug
# Spec section 2: a recognised date outside these years is implausible (read as missing and listed), never a crash;
# pandas' own range (1677 to 2262) lies beyond them, so no date outside it is ever built.
FIRST_PLAUSIBLE_YEAR, LAST_PLAUSIBLE_YEAR = 1900, 2099
_FIRST_SERIAL = (pd.Timestamp(f"{FIRST_PLAUSIBLE_YEAR}-01-01") - EXCEL_EPOCH).days   # 2
_LAST_SERIAL = (pd.Timestamp(f"{LAST_PLAUSIBLE_YEAR}-12-31") - EXCEL_EPOCH).days     # 73050


def _assemble(year: pd.Series, month: pd.Series, day: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates from their parts, and a mask of real calendar dates whose year is outside spec section 2's range
    (their date is left NaT: `15/03/1012` or a year 2300 would be outside pandas' range too)."""
    if year.isna().all():  # the form matched no value (most columns match one form or none): nothing to build
        return pd.Series(pd.NaT, index=year.index, dtype="datetime64[ns]"), pd.Series(False, index=year.index)
    parts = pd.DataFrame({"year": pd.to_numeric(year, errors="coerce"),
                          "month": pd.to_numeric(month, errors="coerce"),
                          "day": pd.to_numeric(day, errors="coerce")})
    complete = parts.notna().all(axis=1)
    in_range = complete & parts["year"].between(FIRST_PLAUSIBLE_YEAR, LAST_PLAUSIBLE_YEAR)
    out = pd.Series(pd.NaT, index=year.index, dtype="datetime64[ns]")
    if in_range.any():
        out[in_range] = pd.to_datetime(parts[in_range].astype(int), errors="coerce")
    out_of_range = complete & ~in_range
    implausible = pd.Series(False, index=year.index)
    if out_of_range.any():
        # Whether day and month make a date, judged in a year of the same leap-ness inside pandas' range.
        stand_in = parts[out_of_range].astype(int)
        year_value = stand_in["year"]
        leap = (year_value % 4 == 0) & ((year_value % 100 != 0) | (year_value % 400 == 0))
        stand_in["year"] = np.where(leap, 2000, 2001)
        implausible[out_of_range] = pd.to_datetime(stand_in, errors="coerce").notna().to_numpy()
    return out, implausible


def read_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Read a column of date cells (spec section 2, **date**).

    Returns dates (datetime64, NaT where missing), a mask of N/A answers and
    a mask of unrecognised cells. Ambiguous dates are day first; two-digit
    years are 20yy. Cells that were Excel dates arrive as ISO text from the reader.
    A date outside 1900-2099 is NaT and in neither mask (see `read_dates_and_range`).
    """
    dates, not_applicable, unrecognised, _ = read_dates_and_range(raw)
    return dates, not_applicable, unrecognised


def read_dates_and_range(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """`read_dates`, and a fourth mask: recognised dates outside 1900-2099 (`implausible_date`, read as missing)."""
    codes, distinct = distinct_values(raw)
    return tuple(spread(part, codes, raw.index) for part in _read_distinct_dates(distinct))


def _read_distinct_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    text = normalise_answer_text(raw).str.replace(_TIME_OF_DAY, "", regex=True)
    dates = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    implausible = pd.Series(False, index=raw.index)

    def add(found: tuple[pd.Series, pd.Series]) -> None:
        nonlocal dates, implausible
        unread = dates.isna() & ~implausible
        dates = dates.fillna(found[0])
        implausible = implausible | (unread & found[1])

    day_first = text.str.extract(_DAY_FIRST)
    year = day_first["year"].where(day_first["year"].str.len() != 2, "20" + day_first["year"])
    add(_assemble(year, day_first["month"], day_first["day"]))

    iso = text.str.extract(_ISO)
    add(_assemble(iso["year"], iso["month"], iso["day"]))

    words = text.str.extract(_WORDS)
    add(_assemble(words["year"], words["month"].map(_MONTHS), words["day"]))

    serial = pd.to_numeric(text.where(text.str.fullmatch(_SERIAL)), errors="coerce")
    serial_in_range = serial.where((serial >= _FIRST_SERIAL) & (serial < _LAST_SERIAL + 1))
    from_serial = EXCEL_EPOCH + pd.to_timedelta(np.floor(serial_in_range), unit="D")
    add((from_serial.astype(dates.dtype), serial.notna() & serial_in_range.isna()))

    not_applicable = text.isin(NA_VALUES)
    implausible = implausible & dates.isna()
    unrecognised = dates.isna() & ~implausible & ~not_applicable & ~text.isin(MISSING_VALUES)
    return dates.dt.normalize(), not_applicable.astype(bool), unrecognised.astype(bool), implausible.astype(bool)


# --- case references and agencies -----------------------------------------

def normalise_case_ref(raw: pd.Series) -> pd.Series:
    """Trim (Unicode spaces too) and upper-case; a missing value of spec section 2 (`#N/A`, `n/k`...) is empty.

    Nothing else changes: an en dash is not a hyphen.
    """
    codes, distinct = distinct_values(raw)
    text = plain_spaces(distinct.astype("string").fillna("")).str.strip().str.upper()
    return spread(text.mask(text.str.lower().isin(MISSING_VALUES), ""), codes, raw.index)


def normalise_agency_name(raw: pd.Series) -> pd.Series:
    """Lower case, apostrophes removed, `&` to `and`, other non-letter/digit runs to a space, trim."""
    text = plain_spaces(raw.astype("string").fillna("")).str.lower()
    text = text.str.replace(r"['\u2019\u2018`]", "", regex=True).str.replace("&", " and ", regex=False)
    return text.str.replace(r"[\W_]+", " ", regex=True).str.strip()


def map_agencies(raw: pd.Series) -> pd.DataFrame:
    """Canonical agency and its group; unmapped names keep their own name in group `Unmapped`."""
    codes, distinct = distinct_values(raw)
    name = normalise_agency_name(distinct)
    agency = name.replace(AGENCY_SYNONYMS)
    group = name.map(AGENCY_GROUP_OF).fillna(UNMAPPED)
    missing = name.isin(MISSING_VALUES) | normalise_answer_text(distinct).isin(MISSING_VALUES)
    table = pd.DataFrame({"agency": agency.mask(missing, ""), "agency_group": group,
                          "unmapped": (group == UNMAPPED) & ~missing, "missing": missing})
    return spread(table, codes, raw.index)


# --- age band ---------------------------------------------------------------



def age_band(date_of_birth: pd.Series, icpc_date: pd.Series) -> pd.Series:
    """Age band at the ICPC from completed years; unknown or negative ages are `Not known`."""
    before_birthday = (icpc_date.dt.month < date_of_birth.dt.month) | (
        (icpc_date.dt.month == date_of_birth.dt.month) & (icpc_date.dt.day < date_of_birth.dt.day))
    years = icpc_date.dt.year - date_of_birth.dt.year - before_birthday.astype(int)
    band = pd.cut(years, bins=[0, 1, 5, 10, 16, np.inf], right=False, labels=list(AGE_BANDS[:5]))
    return band.astype("string").fillna("Not known")


# --- window dates, percentages and recommendation statuses -----------------

def month_first_dates(raw: pd.Series) -> pd.Series:
    """Dates of the `d/m/y` forms read month first (US order), NaT otherwise.

    Only used to say why a window date was refused: `09/30/2025` is not a UK date, but is
    a US one, and the terms of reference must not be read in the wrong order.
    """
    text = normalise_answer_text(raw)
    parts = text.str.extract(_DAY_FIRST)
    year = parts["year"].where(parts["year"].str.len() != 2, "20" + parts["year"])
    return _assemble(year, parts["day"], parts["month"])[0]


_PERCENT = re.compile(r"^(?P<number>\d+(?:\.\d+)?|\.\d+) ?(?P<percent>%?)$")


def read_percentages(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Targets as a percentage 0-100 (spec section 3b): `90`, `90%` and `0.9` all mean 90.

    A number below 1 is a fraction, 1 and above a percentage; text ending in `%` is a
    percentage (the reader shows a cell formatted as a percentage as Excel does, `90%`).
    Returns the percentages (Float64, <NA> where missing) and a mask of unrecognised cells.
    """
    codes, distinct = distinct_values(raw)
    text = normalise_answer_text(distinct)
    parts = text.str.extract(_PERCENT)
    number = pd.to_numeric(parts["number"], errors="coerce").astype("Float64")
    percent = number.where((parts["percent"] == "%") | (number >= 1), number * 100)
    percent = percent.where((percent >= 0) & (percent <= 100))
    unrecognised = (percent.isna() & ~text.isin(MISSING_VALUES)).astype(bool)
    return spread(percent, codes, raw.index), spread(unrecognised, codes, raw.index)


UNRECOGNISED_STATUS = "unrecognised"


def read_statuses(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A recommendation's status, case-insensitive: `Not started`, `In progress`, `Complete`.

    Empty or missing is "" (not stated); anything else is `unrecognised`, and listed.
    """
    codes, distinct = distinct_values(raw)
    text = normalise_answer_text(distinct)
    status = text.map({s.lower(): s for s in RECOMMENDATION_STATUSES}).astype("string")
    missing = text.isin(MISSING_VALUES)
    status = status.fillna("").where(~(status.isna() & ~missing), UNRECOGNISED_STATUS)
    unrecognised = (status == UNRECOGNISED_STATUS).astype(bool)
    return spread(status, codes, raw.index), spread(unrecognised, codes, raw.index)


def split_list(raw: str | None) -> list[str]:
    """A cell listing several items separated by commas or semicolons, each trimmed, empty ones dropped."""
    if raw is None or pd.isna(raw):
        return []
    text = UNICODE_SPACES.sub(" ", remove_invisible_marks(str(raw)))
    return [part.strip() for part in re.split(r"[,;]", text) if part.strip()]
