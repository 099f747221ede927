"""The findings stage's computation, done once per run: statuses, findings and breakdowns.

Notebook 02 calls it and writes what it returns; notebook 03 and the report
only display those files.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..domain.answers import AGE_BANDS, CATEGORIES
from ..domain.measures import Parameters
from .breakdowns import agency_group_breakdown, measure_by_group
from .findings import findings_table
from .statuses import measure_statuses

NOT_RECORDED_GROUP = "Not recorded"


@dataclass
class FindingsOutputs:
    statuses: pd.DataFrame
    findings: pd.DataFrame
    by_agency_group: pd.DataFrame
    by_category: pd.DataFrame
    by_age_band: pd.DataFrame


def compute_findings(cases: pd.DataFrame, returns: pd.DataFrame, population: int | None,
                     params: Parameters) -> FindingsOutputs:
    """Every number the findings and secondary findings show, from one pass over the cleaned data."""
    statuses = measure_statuses(cases, returns, params)
    findings = findings_table(statuses, population, params)
    # Every included case is in the denominator, not applicable or not recorded, for every measure.
    if not (findings["denominator"] + findings["not_applicable"] + findings["not_recorded"] == len(cases)).all():
        raise AssertionError("a measure lost or double-counted a case")
    by_category = measure_by_group(statuses, cases["cp_category"].fillna(NOT_RECORDED_GROUP),
                                   order=list(CATEGORIES) + ["N/A", NOT_RECORDED_GROUP])
    by_age_band = measure_by_group(statuses, cases["age_band"], order=AGE_BANDS)
    return FindingsOutputs(statuses, findings, agency_group_breakdown(cases, returns, params), by_category,
                           by_age_band)
