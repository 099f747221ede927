"""Terms-of-reference window dates (spec section 2): certain, day first, in order; US order is called out."""
from __future__ import annotations

import re

import pandas as pd

from ..errors import AuditInputError
from .cells import read_dates

_NUMERIC = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\s*$")


def looks_month_first(text: str) -> bool:
    """Not a valid day-first date, but valid read month first (`09/30/2025`)."""
    match = _NUMERIC.match(str(text))
    if not match:
        return False
    first, second, year = (int(part) for part in match.groups())
    year = year + 2000 if year < 100 else year
    try:
        pd.Timestamp(year=year, month=first, day=second)
    except ValueError:
        return False
    try:
        pd.Timestamp(year=year, month=second, day=first)
    except ValueError:
        return True
    return False


def parse_window_date(text) -> pd.Timestamp | None:
    """The date a window bound names, or None when it is not a recognised date."""
    dates, _, unrecognised = read_dates(pd.Series([text], dtype="object"))
    return None if unrecognised.iloc[0] or pd.isna(dates.iloc[0]) else dates.iloc[0]


def check_window_date(name: str, text, where: str = "") -> str:
    """The window date as ISO `yyyy-mm-dd`, or a one-line error naming it and the accepted form."""
    parsed = parse_window_date(text)
    if parsed is None:
        us = " (the dates look like US order, month first)" if looks_month_first(text) else ""
        raise AuditInputError(f"{where}{name} '{text}' is not a date{us}",
                              hint="write it day first, e.g. 30/09/2025 or 2025-09-30")
    return parsed.strftime("%Y-%m-%d")
