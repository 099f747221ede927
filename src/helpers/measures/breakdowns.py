"""Secondary breakdowns: by agency group, by category of abuse and by age band."""
from __future__ import annotations

import pandas as pd

from ..domain.answers import YES
from ..domain.measures import Parameters
from .findings import wilson_interval
from .statuses import MET, NOT_MET, report_shared_in_time

BREAKDOWN_MEASURES = ("plan_progress_monitored", "partnership_working_effective", "child_views_heard",
                      "reports_shared_timely")


def agency_group_breakdown(cases: pd.DataFrame, returns: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Per agency group: returns, attended, reports submitted, and submitted reports shared in time."""
    shared = report_shared_in_time(cases, returns, params)
    flags = pd.DataFrame({
        "agency_group": returns["agency_group"],
        "returns": 1,
        "attended": (returns["attended"] == YES).fillna(False).astype(int),
        "reports_submitted": shared["submitted"].astype(int),
        "reports_shared_in_time": shared["in_time"].astype(int),
    })
    table = flags.groupby("agency_group", sort=True).sum().reset_index()
    lower, upper = wilson_interval(table["reports_shared_in_time"], table["reports_submitted"])
    table["percent_in_time"] = (100 * table["reports_shared_in_time"]
                                / table["reports_submitted"].where(table["reports_submitted"] > 0)).round(1)
    table["ci_lower"], table["ci_upper"] = lower.round(1), upper.round(1)
    return table


def measure_by_group(statuses: pd.DataFrame, groups: pd.Series, measure_ids=BREAKDOWN_MEASURES,
                     order=None) -> pd.DataFrame:
    """For each group and measure: met, assessed, percent and 95% interval (no population correction)."""
    rows = []
    for measure_id in measure_ids:
        status = statuses[measure_id]
        counts = pd.DataFrame({"group": groups.to_numpy(), "met": (status == MET).to_numpy(),
                               "assessed": status.isin([MET, NOT_MET]).to_numpy(), "cases": 1})
        summary = counts.groupby("group", sort=False).sum()
        if order is not None:
            summary = summary.reindex([g for g in order if g in summary.index])
        summary = summary.reset_index().rename(columns={"index": "group"})
        summary.insert(1, "measure_id", measure_id)
        rows.append(summary)
    table = pd.concat(rows, ignore_index=True)
    table[["met", "assessed", "cases"]] = table[["met", "assessed", "cases"]].astype(int)
    table["percent"] = (100 * table["met"] / table["assessed"].where(table["assessed"] > 0)).round(1)
    lower, upper = wilson_interval(table["met"], table["assessed"])
    table["ci_lower"], table["ci_upper"] = lower.round(1), upper.round(1)
    return table

