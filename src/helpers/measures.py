"""The 22 measures of spec section 7, each declared once.

A declaration carries the id, key line of enquiry, label, the definition in
words, the phrase the narrative uses, and the function that gives every
included case exactly one status: met, not met, not applicable or not
recorded. The findings table, charts, report text and tests all read these
declarations.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from .normalise import CHILDRENS_SOCIAL_CARE, HEALTH, NO, NOT_APPLICABLE, PARTLY, UNMAPPED, YES
from .workdays import working_days_between

MET, NOT_MET, NOT_APPLICABLE_STATUS, NOT_RECORDED = "met", "not_met", "not_applicable", "not_recorded"
STATUSES = (MET, NOT_MET, NOT_APPLICABLE_STATUS, NOT_RECORDED)


@dataclass(frozen=True)
class Parameters:
    """Thresholds of spec section 7, with its defaults."""
    report_share_working_days: int = 2
    icpc_working_days: int = 15
    core_group_working_days: int = 10
    health_counts_as_one: bool = True


@dataclass(frozen=True)
class Measure:
    id: str
    kloe: str
    label: str
    definition: str
    statement: str  # completes "In N% of cases ...", e.g. "the plan was linked to presenting needs"
    compute: Callable[[pd.DataFrame, pd.DataFrame, Parameters], pd.Series]

    # Label, definition and statement may name a threshold, e.g. `{icpc_working_days}`: the
    # words then follow the parameters a run used.
    def label_for(self, params: Parameters) -> str:
        return self.label.format(**vars(params))

    def definition_for(self, params: Parameters) -> str:
        return self.definition.format(**vars(params))

    def statement_for(self, params: Parameters) -> str:
        return self.statement.format(**vars(params))


# --- building blocks ---------------------------------------------------------

def _status(index, met, in_denominator, not_applicable) -> pd.Series:
    """Met / not met inside the denominator, else not applicable, else not recorded."""
    return pd.Series(np.select(
        [np.asarray(met & in_denominator, dtype=bool), np.asarray(in_denominator, dtype=bool),
         np.asarray(not_applicable, dtype=bool)],
        [MET, NOT_MET, NOT_APPLICABLE_STATUS], default=NOT_RECORDED), index=index)


def answer_status(values: pd.Series, met: set, denominator: set) -> pd.Series:
    """An answer column: `met` values meet it; `denominator` values count; N/A is not applicable."""
    values = values.astype("string")
    return _status(values.index, values.isin(met).fillna(False), values.isin(denominator).fillna(False),
                   (values == NOT_APPLICABLE).fillna(False))


def conditional_status(condition: pd.Series, inner: pd.Series) -> pd.Series:
    """Only cases whose condition is Yes are measured; No or N/A is not applicable, missing not recorded."""
    condition = condition.astype("string")
    is_yes = (condition == YES).fillna(False)
    not_applicable = condition.isin([NO, NOT_APPLICABLE]).fillna(False)
    return inner.where(is_yes, np.where(not_applicable, NOT_APPLICABLE_STATUS, NOT_RECORDED))


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
    def compute(cases, returns, params):
        return answer_status(cases[column], {YES}, denominator)
    return compute


def _per_case(returns: pd.DataFrame, cases: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """Sum boolean flags of the included returns per case, aligned to the cases (0 where none)."""
    summed = flags.groupby(returns["case_id"].to_numpy()).sum()
    return summed.reindex(cases["case_id"].to_numpy(), fill_value=0).set_axis(cases.index)


def child_views_heard(cases, returns, params: Parameters) -> pd.Series:
    """PN1-PN6 heard; PN7 not heard; PN0 (a child under 4) or N/A not applicable."""
    code = cases["child_participation"]
    return _status(cases.index, code.isin([f"PN{i}" for i in range(1, 7)]).fillna(False),
                   code.isin([f"PN{i}" for i in range(1, 8)]).fillna(False),
                   code.isin(["PN0", NOT_APPLICABLE]).fillna(False))


def icpc_within_working_days(cases, returns, params: Parameters) -> pd.Series:
    return working_days_status(cases["strategy_to_icpc_working_days"], params.icpc_working_days,
                               cases["strategy_discussion_date_not_applicable"], cases["icpc_date_not_applicable"])


def core_group_within_working_days(cases, returns, params: Parameters) -> pd.Series:
    return working_days_status(cases["icpc_to_core_group_working_days"], params.core_group_working_days,
                               cases["icpc_date_not_applicable"], cases["first_core_group_date_not_applicable"])


def recording_quality_good(cases, returns, params: Parameters) -> pd.Series:
    return answer_status(cases["recording_quality"], {"Outstanding", "Good"},
                         {"Outstanding", "Good", "Requires improvement", "Inadequate"})


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


def reports_shared_timely(cases, returns, params: Parameters) -> pd.Series:
    days = report_share_working_days(cases, returns)
    submitted = (returns["report_submitted"] == YES).fillna(False)
    timely = submitted & (days >= params.report_share_working_days).fillna(False)
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
    other_groups = (group[other].groupby(returns.loc[other, "case_id"].to_numpy()).nunique()
                    .reindex(cases["case_id"].to_numpy(), fill_value=0).set_axis(cases.index))
    counts["other_groups_attended"] = other_groups
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
    return inner.where(quorate == NOT_MET, np.where(quorate == MET, NOT_APPLICABLE_STATUS, NOT_RECORDED))


# --- the declarations -------------------------------------------------------

SECONDARY = "secondary"
KLOES = {
    "1 Early help": "Early help assessments",
    "2 Reason for referral": "Clarity of the reason for referral",
    "3 Participation": "Child and young person participation",
    "4 Planning": "Planning and monitoring",
    "5 Impact": "Impact and outcomes for the child",
    "6 Agreement": "Professional agreement and decision-making",
    "7 Partnership": "Partnership working after the conference",
}

MEASURES: tuple[Measure, ...] = (
    Measure("eha_completed", "1 Early help", "Early help assessment completed",
            "Yes / Yes or No", "an early help assessment had been completed",
            _yes_of("eha_completed", YN)),
    Measure("referral_reason_clear", "2 Reason for referral", "Reason for referral clear",
            "Yes / Yes, Partly or No", "the reason for referral was clear",
            _yes_of("referral_reason_clear", YPN)),
    Measure("historical_involvement", "2 Reason for referral", "Historical involvement considered",
            "Yes / Yes or No", "historical involvement was considered",
            _yes_of("historical_involvement", YN)),
    Measure("child_views_heard", "3 Participation", "Child's views heard",
            "PN1-PN6 / PN1-PN7; PN0 (child under 4) not applicable",
            "the child's views were heard at conference", child_views_heard),
    Measure("icpc_within_15_working_days", "4 Planning",
            "ICPC within {icpc_working_days} working days of strategy discussion",
            "working days from strategy discussion to ICPC <= {icpc_working_days} / both dates known and "
            "interval >= 0 (a negative interval is not recorded)",
            "the initial conference was held within {icpc_working_days} working days of the strategy discussion",
            icpc_within_working_days),
    Measure("reports_shared_timely", "4 Planning", "Conference reports shared with parents in time",
            "every submitted report shared at least {report_share_working_days} working days before the ICPC / "
            "cases with a submitted report and an ICPC date",
            "conference reports were shared with parents at least {report_share_working_days} working days "
            "before the conference", reports_shared_timely),
    Measure("plan_linked_to_needs", "4 Planning", "Plan linked to presenting needs",
            "Yes / Yes, Partly or No", "planning was linked to presenting needs",
            _yes_of("plan_linked_to_needs", YPN)),
    Measure("plan_smart", "4 Planning", "Plan SMART",
            "Yes / Yes, Partly or No", "the plan was SMART", _yes_of("plan_smart", YPN)),
    Measure("plan_progress_monitored", "4 Planning", "Progress of the plan monitored",
            "Yes / Yes, Partly or No", "progress of the plan was monitored",
            _yes_of("plan_progress_monitored", YPN)),
    Measure("outcomes_improved", "5 Impact", "Outcomes improved for the child",
            "Yes / Yes, Partly or No; too early to say is not applicable",
            "outcomes for the child had improved", _yes_of("outcomes_improved", YPN)),
    Measure("professional_agreement", "6 Agreement", "Professionals agreed with the decision",
            "no attending agency disagreed / cases with an attending agency answering Yes or No",
            "professionals agreed with the conference decision", professional_agreement),
    Measure("dissent_recorded", "6 Agreement", "Dissent recorded when an agency disagreed",
            "every disagreeing attending agency had dissent recorded / cases with a disagreeing attending agency",
            "dissent was recorded for every agency that disagreed", dissent_recorded),
    Measure("partnership_working_effective", "7 Partnership", "Partnership working effective",
            "Yes / Yes, Partly or No", "partnership working after the conference was effective",
            _yes_of("partnership_working_effective", YPN)),
    Measure("core_group_within_10_working_days", "7 Partnership",
            "First core group within {core_group_working_days} working days",
            "working days from ICPC to first core group <= {core_group_working_days} / both dates known and "
            "interval >= 0 (a negative interval is not recorded)",
            "the first core group met within {core_group_working_days} working days of the conference",
            core_group_within_working_days),
    Measure("core_group_effective", "7 Partnership", "Core group effective",
            "Yes / Yes, Partly or No", "the core group was effective", _yes_of("core_group_effective", YPN)),
    Measure("recording_quality_good", SECONDARY, "Recording quality good or outstanding",
            "Outstanding or Good / any grade", "recording was good or outstanding", recording_quality_good),
    Measure("father_invited", SECONDARY, "Father invited to the conference",
            "Yes / Yes or No", "the father was invited to the conference", _yes_of("father_invited", YN)),
    Measure("father_attended", SECONDARY, "Father attended the conference",
            "Yes / Yes or No", "the father attended the conference", _yes_of("father_attended", YN)),
    Measure("escalation_when_drift", SECONDARY, "Drift or delay escalated",
            "where drift or delay was identified: escalation Yes / Yes or No",
            "drift or delay, where identified, was escalated", escalation_when_drift),
    Measure("conference_quorate", SECONDARY, "Conference quorate",
            "children's social care and at least two other agency groups (Health as one group unless set "
            "otherwise) attended / cases with returns",
            "the conference was quorate", conference_quorate),
    Measure("inquorate_reason_recorded", SECONDARY, "Reason recorded when not quorate",
            "where the conference was not quorate: Yes / Yes or No",
            "the reason was recorded when the conference was not quorate", inquorate_reason_recorded),
    Measure("sustained_change_before_step_down", SECONDARY, "Sustained change evidenced before step-down",
            "where stepped down to child in need: sustained change Yes / Yes or No",
            "sustained change was evidenced before step-down to child in need", sustained_change_before_step_down),
)

MEASURE_IDS = tuple(m.id for m in MEASURES)
MEASURES_BY_ID = {m.id: m for m in MEASURES}
