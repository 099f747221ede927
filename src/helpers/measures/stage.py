"""The findings stage's computation, done once per run: statuses, findings and breakdowns.

Notebook 02 calls it and writes what it returns; notebook 03 and the report
only display those files.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..domain.answers import AGE_BANDS, CATEGORIES
from ..domain.definition import RETURNS_SHEET, SECONDARY, AuditDefinition, GradeDistribution, cp_conferences
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
    # grade_distribution.csv: per grade_distribution measure, the graded answers counted per level (None: no such
    # measure, and no file).
    grade_distribution: pd.DataFrame | None = None


def compute_findings(cases: pd.DataFrame, returns: pd.DataFrame, population: int | None,
                     params: Parameters, definition: AuditDefinition | None = None) -> FindingsOutputs:
    """Every number the findings and secondary findings show, from one pass over the cleaned data."""
    definition = definition or cp_conferences()
    statuses = measure_statuses(cases, returns, params, definition)
    findings = findings_table(statuses, population, params, definition)
    # Every included case is in the denominator, not applicable or not recorded, for every measure.
    if not (findings["denominator"] + findings["not_applicable"] + findings["not_recorded"] == len(cases)).all():
        raise AssertionError("a measure lost or double-counted a case")
    if definition is not cp_conferences():
        return breakdowns_of(definition, statuses, findings, cases, returns)
    by_category = measure_by_group(statuses, cases["cp_category"].fillna(NOT_RECORDED_GROUP),
                                   order=list(CATEGORIES) + ["N/A", NOT_RECORDED_GROUP])
    by_age_band = measure_by_group(statuses, cases["age_band"], order=AGE_BANDS)
    return FindingsOutputs(statuses, findings, agency_group_breakdown(cases, returns, params), by_category,
                           by_age_band)


def breakdowns_of(definition: AuditDefinition, statuses: pd.DataFrame, findings: pd.DataFrame,
                  cases: pd.DataFrame, returns: pd.DataFrame) -> FindingsOutputs:
    """Another audit's breakdowns: its key-line measures by its first category column and by age band (where it
    has them), and its returns per agency group. (The child protection audit's agency-group table counts
    reports shared in time, a question only it asks.)"""
    measure_ids = [m.id for m in definition.measures if m.key_line != SECONDARY]
    categories = [c.name for c in definition.cases.columns if c.kind == "category" and not c.personal]

    def by(groups: pd.Series | None, order) -> pd.DataFrame:
        if groups is None or not measure_ids:
            return pd.DataFrame(columns=["group", "measure_id", "met", "assessed", "cases", "percent", "ci_lower",
                                         "ci_upper"])
        return measure_by_group(statuses, groups, measure_ids, order=order)

    by_category = by(cases[categories[0]].fillna(NOT_RECORDED_GROUP) if categories else None,
                     list(CATEGORIES) + ["N/A", NOT_RECORDED_GROUP])
    by_age_band = by(cases["age_band"] if "age_band" in cases else None, AGE_BANDS)
    by_agency_group = (returns.assign(returns=1).groupby("agency_group", sort=True)["returns"].sum().reset_index())
    return FindingsOutputs(statuses, findings, by_agency_group, by_category, by_age_band,
                           grade_distribution(definition, cases, returns))


GRADE_DISTRIBUTION_COLUMNS = ["measure_id", "column", "level", "count", "percent", "at_or_above"]


def grade_distribution(definition: AuditDefinition, cases: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame | None:
    """One row per grade_distribution measure and level of its scale, best first: how many graded answers (cases,
    or agency returns for a column of that sheet, of included cases) have the level, their percentage of the
    graded ones, and whether the level meets the measure. N/A and missing grades are not graded."""
    rows = []
    for measure in definition.measures:
        rule = measure.rule
        if not isinstance(rule, GradeDistribution):
            continue
        table = returns[returns["case_id"].isin(cases["case_id"])] if rule.column in returns.columns \
            and definition.columns[rule.column][0] == RETURNS_SHEET else cases
        counts = table[rule.column].astype("string").value_counts().reindex(list(rule.levels), fill_value=0)
        graded = int(counts.sum())
        good = rule.levels[:rule.levels.index(rule.at_least) + 1]
        for level, count in counts.items():
            rows.append({"measure_id": measure.id, "column": rule.column, "level": level, "count": int(count),
                         "percent": round(100 * count / graded, 1) if graded else float("nan"),
                         "at_or_above": level in good})
    return pd.DataFrame(rows, columns=GRADE_DISTRIBUTION_COLUMNS) if rows else None
