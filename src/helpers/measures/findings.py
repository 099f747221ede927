"""Findings: each measure's numerator, denominator, exclusions, percent and 95% interval (spec section 7)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..domain.definition import AuditDefinition
from ..domain.measures import MEASURES, Parameters, measures_of
from .statuses import MET, NOT_APPLICABLE, NOT_MET, NOT_RECORDED, STATUSES

Z = 1.959964  # the critical value spec section 7 fixes for the 95% interval

FINDINGS_COLUMNS = ["measure_id", "kloe", "label", "numerator", "denominator", "not_applicable",
                    "not_recorded", "percent", "ci_lower", "ci_upper"]


def effective_sample_size(denominator: pd.Series, population: int | None) -> pd.Series:
    """n (N - 1) / (N - n) when the population N is known and larger than n; otherwise n."""
    n = denominator.astype(float)
    if population is None:
        return n
    corrected = n * (population - 1) / (population - n)
    return n.where(~(population > n), corrected)


def wilson_interval(numerator: pd.Series, denominator: pd.Series, population: int | None = None):
    """95% Wilson score interval in percent, with the finite population correction; NaN when n = 0.

    Spec section 7's formula with its z, as arrays, each bound kept within 0% to 100% as statsmodels'
    `proportion_confint(method="wilson")` keeps it (at 0 of n the formula's lower bound is a rounding error
    below zero, which would print as -0.0). statsmodels gives the same bounds, and a test holds the two
    together; but it takes alpha rather than z, and importing it, with scipy.stats, cost 2 s of every run's
    kernel: a sixth of a cold demo `make report`.
    """
    valid = denominator > 0
    lower = pd.Series(np.nan, index=numerator.index)
    upper = pd.Series(np.nan, index=numerator.index)
    if valid.any():
        # The proportion is kept and n replaced by n_eff (spec section 7).
        n_eff = effective_sample_size(denominator[valid], population)
        proportion = numerator[valid] / denominator[valid]
        z_squared = Z * Z
        shrink = 1 + z_squared / n_eff
        centre = (proportion + z_squared / (2 * n_eff)) / shrink
        half_width = Z * np.sqrt(proportion * (1 - proportion) / n_eff + z_squared / (4 * n_eff ** 2)) / shrink
        lower[valid] = np.clip(centre - half_width, 0, 1) * 100
        upper[valid] = np.clip(centre + half_width, 0, 1) * 100
    return lower, upper


def findings_table(statuses: pd.DataFrame, population: int | None = None,
                   params: Parameters | None = None, definition: AuditDefinition | None = None) -> pd.DataFrame:
    """The findings.csv table: one row per measure, in the order the measures are declared.

    Labels name the thresholds of `params` (the spec's defaults when not given).
    """
    params = params or Parameters()
    measures = MEASURES if definition is None else measures_of(definition)
    ids = [m.id for m in measures]
    counts = pd.DataFrame({status: (statuses[ids] == status).sum() for status in STATUSES}).astype(int)
    table = pd.DataFrame({
        "measure_id": [m.id for m in measures],
        "kloe": [m.kloe for m in measures],
        "label": [m.label_for(params) for m in measures],
    })
    counts = counts.reindex(table["measure_id"]).reset_index(drop=True)
    table["numerator"] = counts[MET]
    table["denominator"] = counts[MET] + counts[NOT_MET]
    table["not_applicable"] = counts[NOT_APPLICABLE]
    table["not_recorded"] = counts[NOT_RECORDED]
    table["percent"] = (100 * table["numerator"] / table["denominator"].where(table["denominator"] > 0)).round(1)
    lower, upper = wilson_interval(table["numerator"], table["denominator"], population)
    table["ci_lower"] = lower.round(1)
    table["ci_upper"] = upper.round(1)
    return table[FINDINGS_COLUMNS]
