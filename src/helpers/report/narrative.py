"""Words generated from the numbers: every sentence here is true for any data it is given."""
from __future__ import annotations

import pandas as pd

from ..domain.measures import MEASURES_BY_ID, Parameters

MAX_TITLE_WORDS = 10


def _pct(value: float) -> str:
    """Percentages in prose are whole numbers; tables keep one decimal place."""
    return f"{value:.0f}%"


def measure_sentence(row: pd.Series, show_exclusions: bool = True, params: Parameters | None = None) -> str:
    """One finding in words, with its n/N and 95% interval, and (unless told not to) what was left out."""
    statement = MEASURES_BY_ID[row["measure_id"]].statement_for(params or Parameters())
    if row["denominator"] == 0:
        sentence = f"No included case could be assessed on whether {statement}."
    else:
        sentence = (f"In {_pct(row['percent'])} of cases ({int(row['numerator'])} of {int(row['denominator'])}) "
                    f"{statement} (95% interval {_pct(row['ci_lower'])} to {_pct(row['ci_upper'])}).")
    left_out = []
    if row["not_applicable"]:
        left_out.append(f"{int(row['not_applicable'])} not applicable")
    if row["not_recorded"]:
        left_out.append(f"{int(row['not_recorded'])} with no answer recorded")
    if left_out and show_exclusions:
        sentence += " Not counted: " + " and ".join(left_out) + "."
    return sentence


def intervals_separate(a: pd.Series, b: pd.Series) -> bool:
    """Two findings differ only when their 95% intervals do not overlap."""
    if a["denominator"] == 0 or b["denominator"] == 0:
        return False
    return bool(a["ci_upper"] < b["ci_lower"] or b["ci_upper"] < a["ci_lower"])


def group_comparison(table: pd.DataFrame, group_column: str, what: str) -> str:
    """Highest against lowest group of a breakdown (columns met, assessed, percent, ci_lower, ci_upper).

    Called a difference only when the two 95% intervals do not overlap.
    """
    rows = table[table["assessed"] > 0].assign(denominator=lambda t: t["assessed"], numerator=lambda t: t["met"])
    if len(rows) < 2:
        return f"{what}: too few groups with cases to compare."
    highest = rows.loc[rows["percent"].idxmax()]
    lowest = rows.loc[rows["percent"].idxmin()]
    if intervals_separate(highest, lowest):
        return (f"{what}: higher for {highest[group_column]} ({_pct(highest['percent'])}) than for "
                f"{lowest[group_column]} ({_pct(lowest['percent'])}); the 95% intervals do not overlap.")
    return (f"{what}: highest for {highest[group_column]} ({_pct(highest['percent'])}) and lowest for "
            f"{lowest[group_column]} ({_pct(lowest['percent'])}), but too few cases to tell whether they differ.")


def chart_title(findings: pd.DataFrame) -> str:
    """A title of ten words or fewer that states the finding."""
    measured = findings[findings["denominator"] > 0]
    if measured.empty:
        return "No included case could be assessed on these measures"
    if len(findings) == 1:
        row = measured.iloc[0]
        title = f"{row['label']} in {row['percent']:.0f}% of cases"
        if len(title.split()) <= MAX_TITLE_WORDS:
            return title
        return f"{row['percent']:.0f}% of cases met this standard"
    lowest = measured.loc[measured["percent"].idxmin()]
    others = measured.drop(index=lowest.name)
    if not others.empty and all(intervals_separate(lowest, other) for _, other in others.iterrows()):
        title = f"{lowest['label']} lowest, at {lowest['percent']:.0f}%"
        if len(title.split()) <= MAX_TITLE_WORDS:
            return title
    return (f"Standards met in {measured['percent'].min():.0f}% to "
            f"{measured['percent'].max():.0f}% of cases")


def caption(findings: pd.DataFrame, audit: dict, included_cases: int) -> str:
    """Measure, population and period, for under the chart."""
    period = audit_period(audit)
    population = audit.get("population")
    sample = (f"{included_cases} cases audited, from about {population:,} children on child protection plans"
              if population else f"{included_cases} cases audited")
    return (f"Percentage of audited cases meeting each standard, with 95% intervals and numbers of cases "
            f"(met/assessed). {sample}{period}.")


def audit_period(audit: dict) -> str:
    start, end = audit.get("window_start"), audit.get("window_end")
    fmt = lambda d: pd.Timestamp(d).strftime("%-d %B %Y")  # noqa: E731
    if start and end:
        return f", initial conferences {fmt(start)} to {fmt(end)}"
    if start:
        return f", initial conferences from {fmt(start)}"
    if end:
        return f", initial conferences up to {fmt(end)}"
    return ""
