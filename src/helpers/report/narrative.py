"""Words generated from the numbers: every sentence here is true for any data it is given."""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from ..domain.answers import AGE_BANDS, UNMAPPED
from ..domain.measures import Parameters, measures_by_id
from .disclosure import WITHHELD_AGAIN, withheld_once

MAX_TITLE_WORDS = 12
# A group is called the highest or lowest only with this many cases assessed, and never when it is unknown.
SMALLEST_RANKED_GROUP = 10
UNRANKED_GROUPS = (AGE_BANDS[-1], UNMAPPED)  # "Not known", and agencies not in the list


def half_up(value: Fraction, places: int = 0) -> Decimal:
    """An exact number rounded to `places` decimals, halves away from 0 (UK convention: 62.5 -> 63, -2.5 -> -3).

    Integer arithmetic on the fraction: floor(|x| * 10^places + 1/2), so no binary float ever rounds a half.
    """
    value = Fraction(value)
    scaled = math.floor(abs(value) * 10 ** places + Fraction(1, 2))
    return Decimal(-scaled if value < 0 else scaled).scaleb(-places)


def exact_percent(numerator, denominator) -> Fraction:
    """100 x numerator / denominator exactly, from the counts (the denominator above 0)."""
    return Fraction(100 * int(numerator), int(denominator))


def rounded_percent(numerator, denominator, places: int = 0) -> Decimal:
    """100 x numerator / denominator from the unrounded counts, rounded half up to `places` decimals.

    The one rounding every percentage of the report goes through: prose and charts use whole numbers
    (`whole_percent`), tables one decimal place (`table_percent`). The denominator must be above 0.
    """
    return half_up(exact_percent(numerator, denominator), places)


def whole_percent(numerator, denominator) -> str:
    """A percentage in prose or on a chart: the whole number, from the counts (48 of 82 -> "59%")."""
    return f"{rounded_percent(numerator, denominator)}%"


def table_percent(numerators: pd.Series, denominators: pd.Series) -> pd.Series:
    """One-decimal percentages for a table, half up from the counts; empty (NaN) where the denominator is 0.

    Floats of the form k/10, so any `:.1f` formatting of them shows exactly the half-up figure.
    """
    return pd.Series([float(rounded_percent(n, d, 1)) if pd.notna(d) and d > 0 and pd.notna(n) else float("nan")
                      for n, d in zip(numerators, denominators)], index=numerators.index, dtype=float)


def whole_of(value: float) -> str:
    """A whole-number percentage of a figure that has no counts behind it (an interval limit, a census rate,
    a target), rounded half up from its decimal value as a table shows it (62.5 -> "63%")."""
    return f"{half_up(Fraction(Decimal(str(float(value)))))}%"


def _pct(row: pd.Series, numerator: str = "numerator", denominator: str = "denominator") -> str:
    return whole_percent(row[numerator], row[denominator])


def standard_text(value: float) -> str:
    """An expected standard or target as set (80 -> "80%", 62.5 -> "62.5%"): it is not a measurement, so it is
    not rounded, and a figure is never said to be below a standard that reads the same."""
    return f"{Decimal(str(float(value))).normalize():f}%"


def measure_sentence(row: pd.Series, show_exclusions: bool = True, params: Parameters | None = None,
                     shown: dict | None = None) -> str:
    """One finding in words, with its n/N and 95% interval, and (unless told not to) what was left out.

    `shown` gives each figure as this version prints it (`sections.prose_figures`: percent, met, assessed,
    interval, not_applicable, not_recorded): a withheld one is said as withheld where its value would stand,
    so the sentence is the board version's with only the figure taken out. Without it every figure is shown.
    """
    params = params or Parameters()
    statement = measures_by_id(params)[row["measure_id"]].statement_for(params)
    shown = shown or board_figures(row)
    if row["denominator"] == 0:
        sentence = f"No included case could be assessed on whether {statement}."
    else:
        sentence = (f"In {shown['percent']} of cases ({shown['met']} of {shown['assessed']}) "
                    f"{statement} (95% interval {shown['interval']}).")
    left_out = []
    if row["not_applicable"]:
        left_out.append(f"{shown['not_applicable']} not applicable")
    if row["not_recorded"]:
        left_out.append(f"{shown['not_recorded']} with no answer recorded")
    if left_out and show_exclusions:
        sentence += " Not counted: " + " and ".join(left_out) + "."
    return withheld_once(sentence)


def board_figures(row: pd.Series) -> dict:
    """A finding's figures as prose shows them when nothing is withheld (whole-number percentages)."""
    measured = row["denominator"] > 0
    return {"percent": _pct(row) if measured else "",
            "met": str(int(row["numerator"])), "assessed": str(int(row["denominator"])),
            "interval": f"{whole_of(row['ci_lower'])} to {whole_of(row['ci_upper'])}" if measured else "",
            "not_applicable": str(int(row["not_applicable"])), "not_recorded": str(int(row["not_recorded"]))}


def intervals_separate(a: pd.Series, b: pd.Series) -> bool:
    """Two findings differ only when their 95% intervals do not overlap."""
    if a["denominator"] == 0 or b["denominator"] == 0:
        return False
    return bool(a["ci_upper"] < b["ci_lower"] or b["ci_upper"] < a["ci_lower"])


RANKED_AMONG = f"among the known groups with {SMALLEST_RANKED_GROUP} or more cases"


def group_comparison(table: pd.DataFrame, group_column: str, what: str, published: pd.Series | None = None) -> str:
    """Highest against lowest group of a breakdown (columns met, assessed, percent, ci_lower, ci_upper).

    Only groups with at least SMALLEST_RANKED_GROUP cases assessed, whose group is known, are ranked, and the
    sentence says so (a table above it may show a small or unknown group with a higher figure); a difference
    is called one only when the two 95% intervals do not overlap. `published` (aligned with `table`) marks
    the groups whose percentage this version shows: when any rankable group is withheld, the ranking itself
    is withheld and the sentence says so (`ranking_withheld`): the order of the groups, with their published
    bases, could pin a withheld count (12 of 15 ranked between 77% and 80% can only be 12).
    """
    eligible = rankable_groups(table, group_column)
    rows = eligible.assign(denominator=lambda t: t["assessed"], numerator=lambda t: t["met"])
    if len(rows) < 2:  # said in both versions: there is no ranking to withhold
        return f"{what}: too few groups with {SMALLEST_RANKED_GROUP} or more cases (whose group is known) to compare."
    if published is not None and not published.reindex(eligible.index).fillna(False).astype(bool).all():
        return ranking_withheld(what)
    share = rows["met"] / rows["assessed"]  # ranked on the unrounded proportion
    highest, lowest = rows.loc[share.idxmax()], rows.loc[share.idxmin()]
    high, low = _pct(highest, "met", "assessed"), _pct(lowest, "met", "assessed")
    if intervals_separate(highest, lowest):
        return (f"{what}, {RANKED_AMONG}: higher for {highest[group_column]} ({high}) than for "
                f"{lowest[group_column]} ({low}); the 95% intervals do not overlap.")
    return (f"{what}, {RANKED_AMONG}: highest for {highest[group_column]} ({high}) and lowest for "
            f"{lowest[group_column]} ({low}), but too few cases to tell whether they differ.")


def ranking_withheld(what: str) -> str:
    """The published sentence in place of a ranking of groups whose figures are not all published: the ranking
    is the withheld value, and the sentence says why."""
    return (f"{what}: which group is highest and which lowest is {WITHHELD_AGAIN}, because naming them could "
            "reveal a withheld number (fewer than 6 children, or could reveal such a number).")


def rankable_groups(table: pd.DataFrame, group_column: str) -> pd.DataFrame:
    """The groups a sentence may call highest or lowest: known, with enough cases assessed."""
    return table[(table["assessed"] >= SMALLEST_RANKED_GROUP) & ~table[group_column].isin(UNRANKED_GROUPS)]


def sharing_rates_differ(case_level: str | None, params: Parameters) -> str:
    """Why the agency groups' sharing rates differ from the case-level rate.

    `case_level` is the case-level measure's percentage as this version gives it ("67%", or "withheld (...)"),
    None when no case could be assessed on it.
    """
    figure = f" ({case_level})" if case_level else ""
    return (f"The agency groups' rates count reports, one agency at a time; the case-level measure of reports "
            f"shared in time{figure} counts cases, and a case meets it only when every report submitted for it was "
            f"shared at least {params.report_share_working_days} working days before the conference, so one late "
            "report makes the whole case late and the case-level rate can be lower than every agency's.")


def chart_title(findings: pd.DataFrame, figures: pd.DataFrame | None = None) -> str:
    """A title of twelve words or fewer that states one finding, not a range.

    The lowest measure is stated; it is called the lowest only when its 95% interval lies below every
    other measure's. `figures` (published version): when the lowest measure's figure is withheld the
    title says so in one word, "withheld" (the alt text and the sentences give the reason).
    """
    measured = findings[findings["denominator"] > 0]
    if measured.empty:
        return "No included case could be assessed on these measures"
    lowest = measured.loc[(measured["numerator"] / measured["denominator"]).idxmin()]
    others = measured.drop(index=lowest.name)
    separate = not others.empty and all(intervals_separate(lowest, other) for _, other in others.iterrows())
    figure = _pct(lowest)
    if figures is not None and lowest["measure_id"] in figures.index and figures.at[lowest["measure_id"],
                                                                                   "percent"] != figure:
        figure = WITHHELD_AGAIN
    title = f"{lowest['label']} in {figure} of cases" + (", the lowest" if separate else "")
    if len(title.split()) <= MAX_TITLE_WORDS:
        return title
    title = f"{lowest['label']} in {figure} of cases"
    if len(title.split()) <= MAX_TITLE_WORDS:
        return title
    return f"{figure} of cases met the lowest standard shown"


def chart_note(audit: dict, included_cases: int, definition=None) -> str:
    """What every chart shows, said once in the method instead of under each chart."""
    text = caption(pd.DataFrame(), audit, included_cases, definition)
    return "Every chart shows the " + text[0].lower() + text[1:]


def plain_definition(definition: str) -> str:
    """A measure's definition with the comparison signs in words."""
    return definition.replace("<=", "no more than").replace(">=", "at least")


def is_cp_audit(definition) -> bool:
    """The child protection conference audit (None, the default, is it): its words name conferences and plans."""
    from ..domain.definition import cp_conferences

    return definition is None or definition is cp_conferences()


def caption(findings: pd.DataFrame, audit: dict, included_cases: int, definition=None) -> str:
    """Measure, population and period, for under the chart (`definition`: the audit's, CP's by default)."""
    period = audit_period(audit, definition)
    population = audit.get("population")
    children = "children on child protection plans" if is_cp_audit(definition) else "children"
    sample = (f"{included_cases} cases audited, from about {population:,} {children}"
              if population else f"{included_cases} cases audited")
    return (f"Percentage of audited cases meeting each standard, with 95% intervals (the lines) and numbers "
            f"of cases (met/assessed). {sample}{period}.")


def audit_period(audit: dict, definition=None) -> str:
    """", initial conferences 1 April 2025 to 30 September 2025" (another audit: its window date's words)."""
    start, end = audit.get("window_start"), audit.get("window_end")
    fmt = lambda d: pd.Timestamp(d).strftime("%-d %B %Y")  # noqa: E731
    events = "initial conferences" if is_cp_audit(definition) else \
        f"{(definition.window_date or 'audit window').replace('_', ' ')}s"
    if start and end:
        return f", {events} {fmt(start)} to {fmt(end)}"
    if start:
        return f", {events} from {fmt(start)}"
    if end:
        return f", {events} up to {fmt(end)}"
    return ""
