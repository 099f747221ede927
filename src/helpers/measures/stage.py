"""The findings stage's computation, done once per run: statuses, findings and breakdowns.

Notebook 02 calls it and writes what it returns; notebook 03 and the report
only display those files.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..domain.answers import AGE_BANDS, CATEGORIES
from ..domain.definition import RETURNS_SHEET, AuditDefinition, GradeDistribution, cp_conferences
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
    return FindingsOutputs(statuses, findings, *breakdowns_of(definition, statuses, cases, returns, params),
                           grade_distribution(definition, cases, returns))


BREAKDOWN_COLUMNS = ["group", "measure_id", "met", "assessed", "cases", "percent", "ci_lower", "ci_upper"]


def breakdowns_of(definition: AuditDefinition, statuses: pd.DataFrame, cases: pd.DataFrame, returns: pd.DataFrame,
                  params: Parameters) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The breakdowns the definition asks for (`breakdowns.by`), each empty when it does not: attendance and reports
    by agency group (else the returns per group), its measures by category of abuse and by age band."""
    by, measure_ids = definition.breakdowns.by, list(definition.breakdowns.measures)
    empty = pd.DataFrame(columns=BREAKDOWN_COLUMNS)
    if "category" in by:
        category = next(c.name for c in definition.cases.columns if c.kind == "category" and not c.personal)
        by_category = measure_by_group(statuses, cases[category].fillna(NOT_RECORDED_GROUP), measure_ids,
                                       order=list(CATEGORIES) + ["N/A", NOT_RECORDED_GROUP])
    else:
        by_category = empty
    by_age_band = measure_by_group(statuses, cases["age_band"], measure_ids, order=AGE_BANDS) \
        if "age_band" in by else empty
    by_agency_group = agency_group_breakdown(cases, returns, params) if "agency_reports" in by else \
        returns.assign(returns=1).groupby("agency_group", sort=True)["returns"].sum().reset_index()
    return by_agency_group, by_category, by_age_band


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
