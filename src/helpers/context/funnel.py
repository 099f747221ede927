"""A funnel plot's figures (issue 22): every local authority's ICPC timeliness against its number of initial
conferences, with control limits around England's rate.

This is how public health and clinical audit compare units without a league table (Spiegelhalter 2005): a unit
inside the limits is consistent with England's rate given how few conferences it held; outside the 99.8% limits
it is unlikely to differ from England by chance alone. The limits use the normal approximation to the binomial
around England's rate, p0 +/- z sqrt(p0 (1 - p0) / n), kept within 0% to 100%.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .census import LOCAL_AUTHORITY, NATIONAL, Census
from .comparisons import ICPC_WITHIN_15_DAYS, rate_parts

# Two-sided critical values of the standard normal: 95% (the spec's z) and 99.8%.
LIMITS = {"95%": 1.959964, "99.8%": 3.090232}
INSIDE, ABOVE, BELOW = "inside", "above", "below"


def funnel_points(census: Census, year: int) -> pd.DataFrame:
    """Every local authority with a published figure in `year`: code, name, initial conferences (n), those within
    15 working days and the percent. An authority whose count is withheld (`c`) or who held none is left out."""
    rows = census.icpc[(census.icpc["year"] == year) & (census.icpc["geographic_level"] == LOCAL_AUTHORITY)]
    parts = rate_parts(rows, ICPC_WITHIN_15_DAYS)
    published = (parts["symbol"] == "") & (parts["denominator"] > 0) & parts["numerator"].notna()
    points = pd.DataFrame({"old_la_code": rows["old_la_code"], "la_name": rows["la_name"],
                           "conferences": parts["denominator"], "within": parts["numerator"]})[published]
    points["percent"] = 100 * points["within"] / points["conferences"]
    return points.reset_index(drop=True)


def england_rate(census: Census, year: int) -> float:
    """England's percent within 15 working days in `year`, from its (rounded) counts."""
    rows = census.icpc[(census.icpc["year"] == year) & (census.icpc["geographic_level"] == NATIONAL)]
    parts = rate_parts(rows, ICPC_WITHIN_15_DAYS).iloc[0]
    return float(100 * parts["numerator"] / parts["denominator"])


def control_limits(rate: float, conferences, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper limits (percent) around `rate` for units of `conferences` each, at critical value `z`."""
    n = np.asarray(conferences, dtype=float)
    p = rate / 100
    half = z * np.sqrt(p * (1 - p) / n)
    return np.clip(100 * (p - half), 0, 100), np.clip(100 * (p + half), 0, 100)


def position(percent, conferences, rate: float, z: float) -> np.ndarray:
    """Each unit above, below or inside the limits at `z` (on the unrounded figures)."""
    lower, upper = control_limits(rate, conferences, z)
    percent = np.asarray(percent, dtype=float)
    return np.where(percent > upper, ABOVE, np.where(percent < lower, BELOW, INSIDE))


def with_positions(points: pd.DataFrame, rate: float) -> pd.DataFrame:
    """The points with their position against each limit (columns `95%` and `99.8%`)."""
    return points.assign(**{name: position(points["percent"], points["conferences"], rate, z)
                            for name, z in LIMITS.items()})
