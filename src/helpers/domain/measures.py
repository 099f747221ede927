"""The 22 measures of spec section 7, each declared once, and the parameters they take.

A declaration carries the id, key line of enquiry, label, the definition in
words and the phrase the narrative uses. The function that gives every
included case its status has the measure's id as its name, in
``helpers.measures.statuses``. The findings table, charts, report text,
template input messages, docs and tests all read these declarations.
"""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Parameters:
    """Thresholds of spec section 7 and the other settings of a run: the only place their defaults live."""
    report_share_working_days: int = 2
    icpc_working_days: int = 15
    core_group_working_days: int = 10
    health_counts_as_one: bool = True
    # The percentage a measure is expected to reach when its recommendation gives no target (report only).
    expected_standard: int = 80

    @classmethod
    def from_values(cls, **values) -> "Parameters":
        """Parameters from text or typed values (make variables, papermill, JSON), each checked.

        Empty values keep the default. A bad value raises ValueError naming it and its accepted form.
        """
        chosen = {}
        for field in fields(cls):
            value = values.get(field.name)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            chosen[field.name] = _parse_flag(field.name, value) if field.type in (bool, "bool") \
                else _parse_whole_number(field.name, value)
        return cls(**chosen)


_WHAT = {"expected_standard": "a percentage"}


def _parse_whole_number(name: str, value) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) > 100:
        what = _WHAT.get(name, "a number of working days")
        raise ValueError(f"{name.upper()}='{value}' is not {what} "
                         f"(give a whole number from 0 to 100, e.g. {name.upper()}={getattr(Parameters, name)})")
    return int(text)


_TRUE, _FALSE = {"true", "1", "yes", "y"}, {"false", "0", "no", "n"}


def _parse_flag(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValueError(f"{name.upper()}='{value}' is not true or false (give true or false)")


@dataclass(frozen=True)
class Measure:
    id: str
    kloe: str
    label: str
    definition: str
    statement: str  # completes "In N% of cases ...", e.g. "the plan was linked to presenting needs"
    # What a practitioner can do differently when the measure is an area for improvement: one plain sentence
    # for the practitioner briefing (issue 22), addressed to the reader.
    practice: str = ""

    # Label, definition, statement and practice may name a threshold, e.g. `{icpc_working_days}`: the
    # words then follow the parameters a run used.
    def label_for(self, params: Parameters) -> str:
        return self.label.format(**vars(params))

    def definition_for(self, params: Parameters) -> str:
        return self.definition.format(**vars(params))

    def statement_for(self, params: Parameters) -> str:
        return self.statement.format(**vars(params))

    def practice_for(self, params: Parameters) -> str:
        return self.practice.format(**vars(params))


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
            practice=("Before you refer, ask whether an early help assessment would help the family, and start one if "
                      "it would.")),
    Measure("referral_reason_clear", "2 Reason for referral", "Reason for referral clear",
            "Yes / Yes, Partly or No", "the reason for referral was clear",
            practice="When you refer, say plainly what has happened to the child and why you are worried."),
    Measure("historical_involvement", "2 Reason for referral", "Historical involvement considered",
            "Yes / Yes or No", "historical involvement was considered",
            practice="Read the family's history with services and say what it tells you about the risk now."),
    Measure("child_views_heard", "3 Participation", "Child's views heard",
            "PN1-PN6 / PN1-PN7; PN0 (child under 4) not applicable",
            "the child's views were heard at conference",
            practice="Make sure the child's views reach the conference: meet the child, or ask an advocate to."),
    Measure("icpc_timely", "4 Planning",
            "ICPC within {icpc_working_days} working days of strategy discussion",
            "working days from strategy discussion to ICPC <= {icpc_working_days} / both dates known and "
            "interval >= 0 (a negative interval is not recorded)",
            "the initial conference was held within {icpc_working_days} working days of the strategy discussion",
            practice=("Help the first conference take place within {icpc_working_days} working days of the strategy "
                      "discussion.")),
    Measure("reports_shared_timely", "4 Planning", "Conference reports shared with parents in time",
            "every submitted report shared at least {report_share_working_days} working days before the ICPC / "
            "cases with a submitted report and an ICPC date",
            "conference reports were shared with parents at least {report_share_working_days} working days "
            "before the conference",
            practice=("Share your conference report with parents at least {report_share_working_days} working days "
                      "before the conference.")),
    Measure("plan_linked_to_needs", "4 Planning", "Plan linked to presenting needs",
            "Yes / Yes, Partly or No", "planning was linked to presenting needs",
            practice="Link each action in the plan to a need that the conference found."),
    Measure("plan_smart", "4 Planning", "Plan SMART",
            "Yes / Yes, Partly or No", "the plan was SMART",
            practice=("Write each action in the plan to say who will do what, by when, and how you will know it "
                      "worked.")),
    Measure("plan_progress_monitored", "4 Planning", "Progress of the plan monitored",
            "Yes / Yes, Partly or No", "progress of the plan was monitored",
            practice="At each core group, check progress against every action in the plan."),
    Measure("outcomes_improved", "5 Impact", "Outcomes improved for the child",
            "Yes / Yes, Partly or No; too early to say is not applicable",
            "outcomes for the child had improved",
            practice="Keep asking what has changed for the child, and change the plan when nothing has."),
    Measure("professional_agreement", "6 Agreement", "Professionals agreed with the decision",
            "no attending agency disagreed / cases with an attending agency answering Yes or No",
            "professionals agreed with the conference decision",
            practice="Share your worries before the conference, so the decision rests on what every agency knows."),
    Measure("dissent_recorded", "6 Agreement", "Dissent recorded when an agency disagreed",
            "every disagreeing attending agency had dissent recorded / cases with a disagreeing attending agency",
            "dissent was recorded for every agency that disagreed",
            practice="If you do not agree with the decision, say so and make sure it is written in the record."),
    Measure("partnership_working_effective", "7 Partnership", "Partnership working effective",
            "Yes / Yes, Partly or No", "partnership working after the conference was effective",
            practice="Keep in touch with the other agencies between meetings, and tell them what you learn."),
    Measure("core_group_timely", "7 Partnership",
            "First core group within {core_group_working_days} working days",
            "working days from ICPC to first core group <= {core_group_working_days} / both dates known and "
            "interval >= 0 (a negative interval is not recorded)",
            "the first core group met within {core_group_working_days} working days of the conference",
            practice="Book the first core group within {core_group_working_days} working days of the conference."),
    Measure("core_group_effective", "7 Partnership", "Core group effective",
            "Yes / Yes, Partly or No", "the core group was effective",
            practice="Come to each core group ready to say what you have done, and agree the next steps."),
    Measure("recording_quality_good", SECONDARY, "Recording quality good or outstanding",
            "Outstanding or Good / any grade", "recording was good or outstanding",
            practice="Write down what you did, why you did it and what it means for the child, soon after."),
    Measure("father_invited", SECONDARY, "Father invited to the conference",
            "Yes / Yes or No", "the father was invited to the conference",
            practice="Find the child's father and invite him to the conference."),
    Measure("father_attended", SECONDARY, "Father attended the conference",
            "Yes / Yes or No", "the father attended the conference",
            practice="Help fathers to attend: agree a time they can make, and follow up when they do not come."),
    Measure("escalation_when_drift", SECONDARY, "Drift or delay escalated",
            "where drift or delay was identified: escalation Yes / Yes or No",
            "drift or delay, where identified, was escalated",
            practice="When a plan drifts or stalls, tell your manager or use the escalation policy."),
    Measure("conference_quorate", SECONDARY, "Conference quorate",
            "children's social care and at least two other agency groups (Health as one group unless set "
            "otherwise) attended / cases with returns",
            "the conference was quorate",
            practice="Go to the conference, or send a colleague who can speak for your agency."),
    Measure("inquorate_reason_recorded", SECONDARY, "Reason recorded when not quorate",
            "where the conference was not quorate: Yes / Yes or No",
            "the reason was recorded when the conference was not quorate",
            practice="If too few agencies attend for a decision, write down why."),
    Measure("sustained_change_before_step_down", SECONDARY, "Sustained change evidenced before step-down",
            "where stepped down to child in need: sustained change Yes / Yes or No",
            "sustained change was evidenced before step-down to child in need",
            practice="Before a plan is stepped down, check that the changes for the child have lasted."),
)

MEASURE_IDS = tuple(m.id for m in MEASURES)
MEASURES_BY_ID = {m.id: m for m in MEASURES}

# Ids a Recommendations sheet may still use from before the ids stopped naming a threshold (spec section 3b).
MEASURE_ID_ALIASES = {"icpc_within_15_working_days": "icpc_timely",
                      "core_group_within_10_working_days": "core_group_timely"}

# How every working-days measure counts (spec section 7), in the words the template and docs show.
WORKING_DAYS_RULE = "Working days are counted excluding weekends and bank holidays (England and Wales)."


def measures_counting_working_days() -> tuple[str, ...]:
    """Ids of the measures whose definition counts working days (their thresholds are parameters)."""
    return tuple(m.id for m in MEASURES if "working days" in m.definition)
