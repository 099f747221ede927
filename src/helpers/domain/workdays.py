"""Working days: weekends and England and Wales bank holidays excluded (spec section 7)."""
from __future__ import annotations

from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

# Wide enough for any audit round; bank holidays come from the `holidays`
# package (subdivision ENG: England and Wales share the same bank holidays).
_FIRST_YEAR, _LAST_YEAR = 2000, 2040


@lru_cache(maxsize=1)
def bank_holidays() -> np.ndarray:
    """England and Wales bank holidays as datetime64[D], for numpy's business-day functions."""
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=range(_FIRST_YEAR, _LAST_YEAR + 1))
    return np.array(sorted(calendar.keys()), dtype="datetime64[D]")


@lru_cache(maxsize=1)
def business_calendar() -> np.busdaycalendar:
    return np.busdaycalendar(weekmask="1111100", holidays=bank_holidays())


def working_days_between(begin: pd.Series, end: pd.Series) -> pd.Series:
    """``numpy.busday_count(begin, end)``: the working days in [begin, end); <NA> where a date is missing."""
    known = begin.notna() & end.notna()
    counts = pd.Series(pd.NA, index=begin.index, dtype="Int64")
    if known.any():
        counts[known] = np.busday_count(
            begin[known].to_numpy().astype("datetime64[D]"),
            end[known].to_numpy().astype("datetime64[D]"),
            busdaycal=business_calendar(),
        )
    return counts
