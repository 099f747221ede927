"""Words generated from the numbers: every sentence here is true for any data it is given."""
from __future__ import annotations

import pandas as pd

from ..domain.answers import AGE_BANDS, UNMAPPED
from ..domain.measures import MEASURES_BY_ID, Parameters

MAX_TITLE_WORDS = 12
# A group is called the highest or lowest only with this many cases assessed, and never when it is unknown.
SMALLEST_RANKED_GROUP = 10
UNRANKED_GROUPS = (AGE_BANDS[-1], UNMAPPED)  # "Not known", and agencies not in the list


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

    Only groups with at least SMALLEST_RANKED_GROUP cases assessed, whose group is known, are ranked;
    a difference is called one only when the two 95% intervals do not overlap.
    """
    rows = rankable_groups(table, group_column).assign(denominator=lambda t: t["assessed"],
                                                       numerator=lambda t: t["met"])
    if len(rows) < 2:
        return f"{what}: too few groups with {SMALLEST_RANKED_GROUP} or more cases to compare."
    highest = rows.loc[rows["percent"].idxmax()]
    lowest = rows.loc[rows["percent"].idxmin()]
    if intervals_separate(highest, lowest):
        return (f"{what}: higher for {highest[group_column]} ({_pct(highest['percent'])}) than for "
                f"{lowest[group_column]} ({_pct(lowest['percent'])}); the 95% intervals do not overlap.")
    return (f"{what}: highest for {highest[group_column]} ({_pct(highest['percent'])}) and lowest for "
            f"{lowest[group_column]} ({_pct(lowest['percent'])}), but too few cases to tell whether they differ.")


def rankable_groups(table: pd.DataFrame, group_column: str) -> pd.DataFrame:
    """The groups a sentence may call highest or lowest: known, with enough cases assessed."""
    return table[(table["assessed"] >= SMALLEST_RANKED_GROUP) & ~table[group_column].isin(UNRANKED_GROUPS)]


def sharing_rates_differ(case_level_percent: str, params: Parameters) -> str:
    """Why the agency groups' sharing rates differ from the case-level rate (as the findings table shows it)."""
    figure = f" ({float(case_level_percent):.0f}%)" if _is_number(case_level_percent) else ""
    return (f"The agency groups' rates count reports, one agency at a time; the case-level measure of reports "
            f"shared in time{figure} counts cases, and a case meets it only when every report submitted for it was "
            f"shared at least {params.report_share_working_days} working days before the conference, so one late "
            "report makes the whole case late and the case-level rate can be lower than every agency's.")


def _is_number(text) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def chart_title(findings: pd.DataFrame) -> str:
    """A title of twelve words or fewer that states one finding, not a range.

    The lowest measure is stated; it is called the lowest only when its 95% interval lies below every
    other measure's.
    """
    measured = findings[findings["denominator"] > 0]
    if measured.empty:
        return "No included case could be assessed on these measures"
    lowest = measured.loc[measured["percent"].idxmin()]
    others = measured.drop(index=lowest.name)
    separate = not others.empty and all(intervals_separate(lowest, other) for _, other in others.iterrows())
    title = f"{lowest['label']} in {lowest['percent']:.0f}% of cases" + (", the lowest" if separate else "")
    if len(title.split()) <= MAX_TITLE_WORDS:
        return title
    title = f"{lowest['label']} in {lowest['percent']:.0f}% of cases"
    if len(title.split()) <= MAX_TITLE_WORDS:
        return title
    return f"{lowest['percent']:.0f}% of cases met the lowest standard shown"


def chart_note(audit: dict, included_cases: int) -> str:
    """What every chart shows, said once in the method instead of under each chart."""
    text = caption(pd.DataFrame(), audit, included_cases)
    return "Every chart shows the " + text[0].lower() + text[1:]


def plain_definition(definition: str) -> str:
    """A measure's definition with the comparison signs in words."""
    return definition.replace("<=", "no more than").replace(">=", "at least")


def caption(findings: pd.DataFrame, audit: dict, included_cases: int) -> str:
    """Measure, population and period, for under the chart."""
    period = audit_period(audit)
    population = audit.get("population")
    sample = (f"{included_cases} cases audited, from about {population:,} children on child protection plans"
              if population else f"{included_cases} cases audited")
    return (f"Percentage of audited cases meeting each standard, with 95% intervals (the lines) and numbers "
            f"of cases (met/assessed). {sample}{period}.")


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
