"""The workbook's sheets and columns (spec sections 1, 3, 3b, 4 and 5), declared once."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    personal: bool = False  # personal data: never leaves cleaning
    # The question the audit team answers in this column: the template's input message and the docs read it.
    question: str = ""
    # Ids of the measures (domain.measures) this column feeds.
    measures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    required: bool = True

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


CASES = Sheet("Cases", (
    Column("case_ref", "case_ref", ("case_reference", "child_id"),
           question="The case reference, as in the case management system (the same in Agency returns)."),
    Column("child_name", "text", ("name",), required=False, personal=True,
           question="The child's name (personal data: it never leaves the cleaning stage)."),
    Column("date_of_birth", "date", ("dob",), personal=True,
           question="The child's date of birth (only the age band at the conference is used)."),
    Column("strategy_discussion_date", "date", ("strategy_date",),
           question="When was the strategy discussion held?", measures=("icpc_timely",)),
    Column("icpc_date", "date", ("date_of_initial_child_protection_conference", "conference_date"),
           question="When was the initial child protection conference (ICPC) held?",
           measures=("icpc_timely", "reports_shared_timely", "core_group_timely")),
    Column("cp_category", "category", ("category_of_abuse", "initial_category_of_abuse"),
           question="What was the initial category of abuse?"),
    Column("eha_completed", "eha", ("early_help_assessment_completed",),
           question="Had an early help assessment been completed before the referral?", measures=("eha_completed",)),
    Column("referral_reason_clear", "ypn", ("reason_for_referral_clear",),
           question="Was the reason for the referral clear?", measures=("referral_reason_clear",)),
    Column("historical_involvement", "yn",
           question="Was the family's historical involvement with services considered?",
           measures=("historical_involvement",)),
    Column("child_participation", "participation", ("participation",),
           question="How did the child take part in the conference (participation code)?",
           measures=("child_views_heard",)),
    Column("plan_linked_to_needs", "ypn",
           question="Was the plan linked to the presenting needs?", measures=("plan_linked_to_needs",)),
    Column("plan_smart", "ypn", ("smart_plan",),
           question="Was the plan SMART (specific, measurable, achievable, realistic, timely)?",
           measures=("plan_smart",)),
    Column("plan_progress_monitored", "ypn", ("progress_monitored",),
           question="Was the progress of the plan monitored?", measures=("plan_progress_monitored",)),
    Column("outcomes_improved", "outcomes", ("impact_improved_outcomes",),
           question="Have outcomes improved for the child?", measures=("outcomes_improved",)),
    Column("partnership_working_effective", "ypn", ("partnership_working",),
           question="Was partnership working after the conference effective?",
           measures=("partnership_working_effective",)),
    Column("first_core_group_date", "date", ("first_core_group",),
           question="When did the first core group meet?", measures=("core_group_timely",)),
    Column("core_group_effective", "ypn",
           question="Was the core group effective?", measures=("core_group_effective",)),
    Column("father_invited", "yn",
           question="Was the father (or male carer) invited to the conference?", measures=("father_invited",)),
    Column("father_attended", "yn",
           question="Did the father (or male carer) attend the conference?", measures=("father_attended",)),
    Column("drift_delay_identified", "yn", ("drift_or_delay",),
           question="Was drift or delay in the plan identified?", measures=("escalation_when_drift",)),
    Column("escalation_raised", "yn",
           question="Where drift or delay was identified, was it escalated?", measures=("escalation_when_drift",)),
    Column("inquorate_reason_recorded", "yn",
           question="Where the conference was not quorate, was the reason recorded?",
           measures=("inquorate_reason_recorded",)),
    Column("stepped_down_to_cin", "yn", ("stepped_down",),
           question="Was the plan stepped down to child in need?", measures=("sustained_change_before_step_down",)),
    Column("sustained_change_evidenced", "yn",
           question="Where the plan was stepped down, was sustained change evidenced first?",
           measures=("sustained_change_before_step_down",)),
    Column("recording_quality", "grade", ("quality_of_recording",),
           question="How good was the quality of recording?", measures=("recording_quality_good",)),
    Column("audit_date", "date", required=False,
           question="When was the case audited? (of two rows for one case, the later audit is kept)"),
    Column("comments", "text", ("auditor_comments",), required=False, personal=True,
           question="The auditor's comments (personal data: they never leave the cleaning stage)."),
))

AGENCY_RETURNS = Sheet("Agency returns", (
    Column("case_ref", "case_ref", ("case_reference", "child_id"),
           question="The case reference, exactly as in Cases."),
    Column("agency", "agency", ("organisation",),
           question="Which agency was invited to the conference? (one row per case and agency)",
           measures=("conference_quorate",)),
    Column("attended", "attended", ("attended_icpc",),
           question="Did the agency attend the conference?",
           measures=("conference_quorate", "professional_agreement", "dissent_recorded")),
    Column("report_submitted", "yn", ("report",),
           question="Did the agency submit a report to the conference?", measures=("reports_shared_timely",)),
    Column("report_shared_date", "date", ("date_report_shared_with_parents",),
           question="When was the agency's report shared with the parents?", measures=("reports_shared_timely",)),
    Column("agreed_with_decision", "yn", ("agreed",),
           question="Did the agency agree with the conference decision?",
           measures=("professional_agreement", "dissent_recorded")),
    Column("dissent_recorded", "yn",
           question="Where the agency disagreed, was its dissent recorded?", measures=("dissent_recorded",)),
))

AUDIT = Sheet("Audit", (
    Column("field", "text",
           question="The name of one of the audit's fields."),
    Column("value", "text",
           question="The field's value."),
), required=False)

RECOMMENDATIONS = Sheet("Recommendations", (
    Column("recommendation", "text",
           question="The audit panel's recommendation."),
    Column("measures", "measure_ids",
           question="Which measures should it improve? Measure ids, separated by ; when there are several."),
    Column("owner", "text", required=False,
           question="Who owns the recommendation?"),
    Column("due_date", "date", required=False,
           question="When is it due?"),
    Column("target", "percentage", required=False,
           question="What percentage should each named measure reach? (90, 90% or 0.9)"),
    Column("status", "recommendation_status", required=False,
           question="Where has the recommendation got to?"),
    Column("raised", "text", required=False,
           question="Carried forward from an earlier audit? The title or date of the audit that raised it (leave "
                    "empty for a new recommendation). List the last audit's recommendations again here, with "
                    "their current owner, due date and status, to record their progress."),
), required=False)

# Fields of the Audit sheet (spec section 3), in the order the template lists them; the kind says how the
# field's value is read.
AUDIT_FIELD_COLUMNS = (
    Column("audit_title", "text", question="The title of the audit, as the report shows it."),
    Column("window_start", "date", question="The first ICPC date the terms of reference cover (included)."),
    Column("window_end", "date", question="The last ICPC date the terms of reference cover (included)."),
    Column("population", "whole_number",
           question="How many children were subject to a child protection plan when the sample was drawn?"),
    Column("sampling", "text",
           question="How were the cases chosen (for example a random sample of ICPCs in the window)?"),
    Column("local_authorities", "text",
           question="The local authorities the partnership covers: DfE codes, E-codes or names, separated by "
                    "commas or semicolons (for example Hampshire; Isle of Wight)."),
)
AUDIT_FIELDS = tuple(c.name for c in AUDIT_FIELD_COLUMNS)

# An earlier audit (spec section 9) may come from a tool that asked fewer questions: it may lack any
# required column of Cases or Agency returns except these, which say which rows are cases and returns
# of the audit. The measures that read a lacking column are then not comparable.
IDENTIFYING_COLUMNS = frozenset({"case_ref", "icpc_date", "agency"})


def earlier_audit_may_lack() -> frozenset[str]:
    """The required columns of Cases and Agency returns that an earlier audit's workbook may lack."""
    return frozenset(c.name for sheet in (CASES, AGENCY_RETURNS) for c in sheet.columns
                     if c.required and c.name not in IDENTIFYING_COLUMNS)

SHEETS = (CASES, AGENCY_RETURNS, AUDIT, RECOMMENDATIONS)

# Kinds whose values are read through an answer vocabulary (spec section 2).
ANSWER_KINDS = {"yn", "ypn", "eha", "outcomes", "attended", "grade", "category", "participation"}
