"""Each measure's status for every included case: met, not met, not applicable or not recorded.

One function per measure, named by its id (declared in ``helpers.domain.measures``), so a
search for an id finds its declaration, this computation, its tests, chart and docs.
All vectorised: no Python runs per case.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from ..domain.answers import CHILDRENS_SOCIAL_CARE, GOOD_GRADES, GRADES, HEALTH, NA_ANSWER, NO, PARTLY, UNMAPPED, YES
from ..domain.measures import MEASURES, Parameters
from ..domain.workdays import working_days_between

MET, NOT_MET, NOT_APPLICABLE, NOT_RECORDED = "met", "not_met", "not_applicable", "not_recorded"
STATUSES = (MET, NOT_MET, NOT_APPLICABLE, NOT_RECORDED)


# --- building blocks ---------------------------------------------------------

def _status(index, met, in_denominator, not_applicable) -> pd.Series:
    """Met / not met inside the denominator, else not applicable, else not recorded (a categorical of STATUSES)."""
    codes = np.select([np.asarray(met & in_denominator, dtype=bool), np.asarray(in_denominator, dtype=bool),
                       np.asarray(not_applicable, dtype=bool)], [0, 1, 2], default=3)
    return pd.Series(pd.Categorical.from_codes(codes, categories=STATUSES), index=index)


def answer_status(values: pd.Series, met: set, denominator: set) -> pd.Series:
    """An answer column: `met` values meet it; `denominator` values count; N/A is not applicable."""
    values = values.astype("string")
    return _status(values.index, values.isin(met).fillna(False), values.isin(denominator).fillna(False),
                   (values == NA_ANSWER).fillna(False))


def conditional_status(condition: pd.Series, inner: pd.Series) -> pd.Series:
    """Only cases whose condition is Yes are measured; No or N/A is not applicable, missing not recorded."""
    condition = condition.astype("string")
    is_yes = (condition == YES).fillna(False)
    not_applicable = condition.isin([NO, NA_ANSWER]).fillna(False)
    return inner.where(is_yes, np.where(not_applicable, NOT_APPLICABLE, NOT_RECORDED))


def working_days_status(counts: pd.Series, threshold: int, begin_na: pd.Series, end_na: pd.Series) -> pd.Series:
    """Within `threshold` working days; a negative interval is not recorded; a date answered N/A not applicable."""
    known = counts.notna() & (counts >= 0)
    within = known & (counts <= threshold)
    not_applicable = counts.isna() & (begin_na | end_na)
    return _status(counts.index, within.fillna(False).astype(bool), known.fillna(False).astype(bool),
                   not_applicable.astype(bool))


YPN = {YES, PARTLY, NO}
YN = {YES, NO}


def _yes_of(column: str, denominator: set) -> Callable:
    """A measure met by Yes in its own column, out of the answers in `denominator`."""
    def compute(cases, returns, params):
        return answer_status(cases[column], {YES}, denominator)
    compute.__name__ = column
    return compute


def case_positions(cases: pd.DataFrame, returns: pd.DataFrame) -> np.ndarray:
    """Each return's row position in `cases` (-1 for a return of no included case): one hash lookup.

    Counting per case through these integers (`np.bincount`) replaces grouping by the text case_id,
    which sorts 100,000s of strings for every measure. `measure_statuses` looks them up once and keeps
    them in the column `case_position`.
    """
    if "case_position" in returns:
        return returns["case_position"].to_numpy()
    return pd.Index(cases["case_id"]).get_indexer(returns["case_id"])


def _per_case(returns: pd.DataFrame, cases: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """Sum boolean flags of the included returns per case, aligned to the cases (0 where none)."""
    positions = case_positions(cases, returns)
    known = positions >= 0
    return pd.DataFrame({name: np.bincount(positions[known], weights=np.asarray(flag, dtype=bool)[known],
                                           minlength=len(cases)).astype(np.int64)
                         for name, flag in flags.items()}, index=cases.index)


def child_views_heard(cases, returns, params: Parameters) -> pd.Series:
    """PN1-PN6 heard; PN7 not heard; PN0 (a child under 4) or N/A not applicable."""
    code = cases["child_participation"]
    return _status(cases.index, code.isin([f"PN{i}" for i in range(1, 7)]).fillna(False),
                   code.isin([f"PN{i}" for i in range(1, 8)]).fillna(False),
                   code.isin(["PN0", NA_ANSWER]).fillna(False))


def icpc_timely(cases, returns, params: Parameters) -> pd.Series:
    return working_days_status(cases["strategy_to_icpc_working_days"], params.icpc_working_days,
                               cases["strategy_discussion_date_not_applicable"], cases["icpc_date_not_applicable"])


def core_group_timely(cases, returns, params: Parameters) -> pd.Series:
    return working_days_status(cases["icpc_to_core_group_working_days"], params.core_group_working_days,
                               cases["icpc_date_not_applicable"], cases["first_core_group_date_not_applicable"])


def recording_quality_good(cases, returns, params: Parameters) -> pd.Series:
    return answer_status(cases["recording_quality"], set(GOOD_GRADES), set(GRADES))


def escalation_when_drift(cases, returns, params: Parameters) -> pd.Series:
    return conditional_status(cases["drift_delay_identified"], answer_status(cases["escalation_raised"], {YES}, YN))


def sustained_change_before_step_down(cases, returns, params: Parameters) -> pd.Series:
    return conditional_status(cases["stepped_down_to_cin"],
                              answer_status(cases["sustained_change_evidenced"], {YES}, YN))


# --- the agency-return measures -------------------------------------------

def icpc_date_of_returns(cases: pd.DataFrame, returns: pd.DataFrame) -> pd.Series:
    """Each return's case ICPC date, aligned to the returns."""
    dates = cases.set_index("case_id")["icpc_date"].reindex(returns["case_id"].to_numpy())
    return pd.Series(dates.to_numpy(), index=returns.index, dtype=cases["icpc_date"].dtype)


def report_share_working_days(cases: pd.DataFrame, returns: pd.DataFrame) -> pd.Series:
    """busday_count(report_shared_date, icpc_date) for each return: working days the report was shared before."""
    return working_days_between(returns["report_shared_date"], icpc_date_of_returns(cases, returns))


def report_shared_in_time(cases: pd.DataFrame, returns: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Per return: report submitted, and submitted and shared at least the threshold's working days before the ICPC.

    The one place the rule lives: the measure and the agency-group breakdown both read it.
    """
    days = report_share_working_days(cases, returns)
    submitted = (returns["report_submitted"] == YES).fillna(False).astype(bool)
    return pd.DataFrame({"submitted": submitted,
                         "in_time": submitted & (days >= params.report_share_working_days).fillna(False)},
                        index=returns.index)


def reports_shared_timely(cases, returns, params: Parameters) -> pd.Series:
    shared = report_shared_in_time(cases, returns, params)
    submitted, timely = shared["submitted"], shared["in_time"]
    counts = _per_case(returns, cases, pd.DataFrame({"returns": True, "submitted": submitted,
                                                     "timely": timely}))
    not_recorded = (counts["returns"] == 0) | cases["icpc_date"].isna()
    in_denominator = ~not_recorded & (counts["submitted"] > 0)
    return _status(cases.index, counts["timely"] == counts["submitted"], in_denominator,
                   ~not_recorded & (counts["submitted"] == 0))


def quorate_flags(cases, returns, params: Parameters) -> pd.DataFrame:
    """Per case: any returns; children's social care attended; other groups attending (not Unmapped)."""
    attended = (returns["attended"] == YES).fillna(False)
    group = returns["agency_group"]
    if not params.health_counts_as_one:
        group = group.where(group != HEALTH, HEALTH + ": " + returns["agency"])
    other = attended & ~group.isin([CHILDRENS_SOCIAL_CARE, UNMAPPED])
    counts = _per_case(returns, cases, pd.DataFrame({"returns": True,
                                                     "csc_attended": attended & (group == CHILDRENS_SOCIAL_CARE)}))
    # Distinct other groups attending per case: each (case, group) pair once, then counted per case.
    pairs = pd.DataFrame({"case": case_positions(cases, returns), "group": group.to_numpy()})[other.to_numpy()]
    pairs = pairs[pairs["case"] >= 0].drop_duplicates()
    counts["other_groups_attended"] = np.bincount(pairs["case"], minlength=len(cases)).astype(np.int64)
    return counts


def conference_quorate(cases, returns, params: Parameters) -> pd.Series:
    flags = quorate_flags(cases, returns, params)
    has_returns = flags["returns"] > 0
    return _status(cases.index, (flags["csc_attended"] > 0) & (flags["other_groups_attended"] >= 2),
                   has_returns, pd.Series(False, index=cases.index))


def professional_agreement(cases, returns, params: Parameters) -> pd.Series:
    attended = (returns["attended"] == YES).fillna(False)
    agreed = returns["agreed_with_decision"]
    counts = _per_case(returns, cases, pd.DataFrame({
        "considered": attended & agreed.isin(YN).fillna(False),
        "disagreed": attended & (agreed == NO).fillna(False)}))
    return _status(cases.index, counts["disagreed"] == 0, counts["considered"] > 0,
                   pd.Series(False, index=cases.index))


def dissent_recorded(cases, returns, params: Parameters) -> pd.Series:
    disagreed = ((returns["attended"] == YES) & (returns["agreed_with_decision"] == NO)).fillna(False)
    recorded = disagreed & (returns["dissent_recorded"] == YES).fillna(False)
    counts = _per_case(returns, cases, pd.DataFrame({"disagreed": disagreed, "recorded": recorded}))
    has_dissent = counts["disagreed"] > 0
    return _status(cases.index, counts["recorded"] == counts["disagreed"], has_dissent, ~has_dissent)


def inquorate_reason_recorded(cases, returns, params: Parameters) -> pd.Series:
    quorate = conference_quorate(cases, returns, params)
    inner = answer_status(cases["inquorate_reason_recorded"], {YES}, YN)
    return inner.where(quorate == NOT_MET, np.where(quorate == MET, NOT_APPLICABLE, NOT_RECORDED))




# --- every measure's computation, by id -------------------------------------

COMPUTE: dict[str, Callable[[pd.DataFrame, pd.DataFrame, Parameters], pd.Series]] = {
    **{column: _yes_of(column, YN) for column in ("eha_completed", "historical_involvement",
                                                   "father_invited", "father_attended")},
    **{column: _yes_of(column, YPN) for column in ("referral_reason_clear", "plan_linked_to_needs", "plan_smart",
                                                    "plan_progress_monitored", "outcomes_improved",
                                                    "partnership_working_effective", "core_group_effective")},
    **{f.__name__: f for f in (child_views_heard, icpc_timely, reports_shared_timely, professional_agreement,
                               dissent_recorded, core_group_timely, recording_quality_good, escalation_when_drift,
                               conference_quorate, inquorate_reason_recorded, sustained_change_before_step_down)},
}


def as_statuses(status: pd.Series) -> pd.Series:
    """A measure's statuses as a categorical of STATUSES (most already are; `where` may have made text)."""
    if isinstance(status.dtype, pd.CategoricalDtype) and list(status.dtype.categories) == list(STATUSES):
        return status
    return pd.Series(pd.Categorical(status, categories=STATUSES), index=status.index)


def measure_statuses(cases: pd.DataFrame, returns: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """One row per included case, one column per measure (in declaration order), plus `case_id`."""
    returns = returns.assign(case_position=case_positions(cases, returns))
    # Categoricals: counting and comparing statuses then works on small integer codes, not on text.
    statuses = pd.DataFrame({m.id: as_statuses(COMPUTE[m.id](cases, returns, params)) for m in MEASURES},
                            index=cases.index)
    statuses.insert(0, "case_id", cases["case_id"])
    return statuses
