"""Normalisers for names, answers, dates, case references and agencies (spec sections 1, 2 and 5).

Every function here takes and returns pandas objects and works on whole
columns at once: the vocabularies are dictionaries looked up with
``Series.map`` and the date forms are regular expressions, so no Python runs
per row.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..domain.answers import (
    AGE_BANDS,
    AGENCY_GROUP_OF,
    AGENCY_SYNONYMS,
    MISSING_VALUES,
    NA_VALUES,
    UNMAPPED,
    VOCABULARIES,
)

# --- names of sheets and columns ------------------------------------------

def normalise_sheet_name(name: str) -> str:
    """Sheet names match ignoring case, spaces, underscores and punctuation."""
    return re.sub(r"[\W_]+", "", str(name).replace("\u00a0", " ")).lower()


def normalise_header(text) -> str:
    """Column headers and aliases: `Case Ref.` and ` case  ref ` both become `case_ref`."""
    if text is None:
        return ""
    cleaned = str(text).replace("\u00a0", " ").strip().lower()
    return re.sub(r"[\W_]+", "_", cleaned).strip("_")


# --- answer cells -----------------------------------------------------------

_CODE_PREFIX = re.compile(r"^[a-z]\)\s*")
_PARTICIPATION = re.compile(r"^pn\s*([0-7])")


def normalise_answer_text(raw: pd.Series) -> pd.Series:
    """Spec section 2: text, nbsp to space, trim, lower, drop `a) `, collapse spaces, drop one trailing `.`."""
    text = raw.astype("string").fillna("")
    text = text.str.replace("\u00a0", " ", regex=False).str.strip().str.lower()
    text = text.str.replace(_CODE_PREFIX, "", regex=True)
    text = text.str.replace(r" {2,}", " ", regex=True)
    return text.str.replace(r"\.$", "", regex=True)


def read_answers(raw: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Read a column of answer cells of one kind.

    Returns the canonical values (missing as <NA>) and a boolean mask of
    unrecognised cells (which also read as missing and must be listed).
    """
    text = normalise_answer_text(raw)
    values = text.map(VOCABULARIES[kind]).astype("string")
    if kind == "participation":
        code = text.str.extract(_PARTICIPATION, expand=False)
        values = values.fillna("PN" + code)
    missing = text.isin(MISSING_VALUES)
    unrecognised = values.isna() & ~missing
    return values, unrecognised.astype(bool)


# --- dates ------------------------------------------------------------------

_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
     ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
     ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}

_DAY_FIRST = r"^(?P<day>\d{1,2})(?P<sep>[/.\-])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})$"
_ISO = r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$"
_WORDS = r"^(?P<day>\d{1,2})(?:st|nd|rd|th)? (?P<month>[a-z]+) (?P<year>\d{4})$"
_SERIAL = r"^\d+(?:\.\d+)?$"
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # 1900 date system, past Excel's 1900 leap-year bug
_LAST_SERIAL = 109574  # 31/12/2199: later serials are data-entry slips (and beyond pandas' date range)


def _assemble(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    parts = pd.DataFrame({"year": pd.to_numeric(year, errors="coerce"),
                          "month": pd.to_numeric(month, errors="coerce"),
                          "day": pd.to_numeric(day, errors="coerce")})
    complete = parts.notna().all(axis=1)
    out = pd.Series(pd.NaT, index=year.index, dtype="datetime64[ns]")
    if complete.any():
        out[complete] = pd.to_datetime(parts[complete].astype(int), errors="coerce")
    return out


def read_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Read a column of date cells (spec section 2, **date**).

    Returns dates (datetime64, NaT where missing), a mask of N/A answers and
    a mask of unrecognised cells. Ambiguous dates are day first; two-digit
    years are 20yy. Cells that were Excel dates arrive as ISO text from the reader.
    """
    text = normalise_answer_text(raw)
    dates = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")

    day_first = text.str.extract(_DAY_FIRST)
    year = day_first["year"].where(day_first["year"].str.len() != 2, "20" + day_first["year"])
    dates = dates.fillna(_assemble(year, day_first["month"], day_first["day"]))

    iso = text.str.extract(_ISO)
    dates = dates.fillna(_assemble(iso["year"], iso["month"], iso["day"]))

    words = text.str.extract(_WORDS)
    dates = dates.fillna(_assemble(words["year"], words["month"].map(_MONTHS), words["day"]))

    serial = pd.to_numeric(text.where(text.str.fullmatch(_SERIAL)), errors="coerce")
    serial = serial.where((serial >= 1) & (serial <= _LAST_SERIAL))
    from_serial = EXCEL_EPOCH + pd.to_timedelta(np.floor(serial), unit="D")
    dates = dates.fillna(from_serial.astype(dates.dtype))

    not_applicable = text.isin(NA_VALUES)
    unrecognised = dates.isna() & ~not_applicable & ~text.isin(MISSING_VALUES)
    return dates.dt.normalize(), not_applicable.astype(bool), unrecognised.astype(bool)


# --- case references and agencies -----------------------------------------

def normalise_case_ref(raw: pd.Series) -> pd.Series:
    """Trim (non-breaking spaces too) and upper-case; nothing else changes."""
    text = raw.astype("string").fillna("")
    return text.str.strip().str.strip("\u00a0").str.strip().str.upper()


def normalise_agency_name(raw: pd.Series) -> pd.Series:
    """Lower case, apostrophes removed, `&` to `and`, other non-letter/digit runs to a space, trim."""
    text = raw.astype("string").fillna("").str.lower()
    text = text.str.replace(r"['\u2019\u2018`]", "", regex=True).str.replace("&", " and ", regex=False)
    return text.str.replace(r"[\W_]+", " ", regex=True).str.strip()


def map_agencies(raw: pd.Series) -> pd.DataFrame:
    """Canonical agency and its group; unmapped names keep their own name in group `Unmapped`."""
    name = normalise_agency_name(raw)
    agency = name.replace(AGENCY_SYNONYMS)
    group = name.map(AGENCY_GROUP_OF).fillna(UNMAPPED)
    return pd.DataFrame({"agency": agency, "agency_group": group,
                         "unmapped": (group == UNMAPPED) & (name != "")})


# --- age band ---------------------------------------------------------------



def age_band(date_of_birth: pd.Series, icpc_date: pd.Series) -> pd.Series:
    """Age band at the ICPC from completed years; unknown or negative ages are `Not known`."""
    before_birthday = (icpc_date.dt.month < date_of_birth.dt.month) | (
        (icpc_date.dt.month == date_of_birth.dt.month) & (icpc_date.dt.day < date_of_birth.dt.day))
    years = icpc_date.dt.year - date_of_birth.dt.year - before_birthday.astype(int)
    band = pd.cut(years, bins=[0, 1, 5, 10, 16, np.inf], right=False, labels=list(AGE_BANDS[:5]))
    return band.astype("string").fillna("Not known")
