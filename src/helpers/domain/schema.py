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


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    required: bool = True

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


CASES = Sheet("Cases", (
    Column("case_ref", "case_ref", ("case_reference", "child_id")),
    Column("child_name", "text", ("name",), required=False, personal=True),
    Column("date_of_birth", "date", ("dob",), personal=True),
    Column("strategy_discussion_date", "date", ("strategy_date",)),
    Column("icpc_date", "date", ("date_of_initial_child_protection_conference", "conference_date")),
    Column("cp_category", "category", ("category_of_abuse", "initial_category_of_abuse")),
    Column("eha_completed", "eha", ("early_help_assessment_completed",)),
    Column("referral_reason_clear", "ypn", ("reason_for_referral_clear",)),
    Column("historical_involvement", "yn"),
    Column("child_participation", "participation", ("participation",)),
    Column("plan_linked_to_needs", "ypn"),
    Column("plan_smart", "ypn", ("smart_plan",)),
    Column("plan_progress_monitored", "ypn", ("progress_monitored",)),
    Column("outcomes_improved", "outcomes", ("impact_improved_outcomes",)),
    Column("partnership_working_effective", "ypn", ("partnership_working",)),
    Column("first_core_group_date", "date", ("first_core_group",)),
    Column("core_group_effective", "ypn"),
    Column("father_invited", "yn"),
    Column("father_attended", "yn"),
    Column("drift_delay_identified", "yn", ("drift_or_delay",)),
    Column("escalation_raised", "yn"),
    Column("inquorate_reason_recorded", "yn"),
    Column("stepped_down_to_cin", "yn", ("stepped_down",)),
    Column("sustained_change_evidenced", "yn"),
    Column("recording_quality", "grade", ("quality_of_recording",)),
    Column("audit_date", "date", required=False),
    Column("comments", "text", ("auditor_comments",), required=False, personal=True),
))

AGENCY_RETURNS = Sheet("Agency returns", (
    Column("case_ref", "case_ref", ("case_reference", "child_id")),
    Column("agency", "agency", ("organisation",)),
    Column("attended", "attended", ("attended_icpc",)),
    Column("report_submitted", "yn", ("report",)),
    Column("report_shared_date", "date", ("date_report_shared_with_parents",)),
    Column("agreed_with_decision", "yn", ("agreed",)),
    Column("dissent_recorded", "yn"),
))

AUDIT = Sheet("Audit", (
    Column("field", "text"),
    Column("value", "text"),
), required=False)

RECOMMENDATIONS = Sheet("Recommendations", (
    Column("recommendation", "text"),
    Column("measures", "measure_ids"),
    Column("owner", "text", required=False),
    Column("due_date", "date", required=False),
    Column("target", "percentage", required=False),
    Column("status", "recommendation_status", required=False),
), required=False)

# Fields of the Audit sheet (spec section 3), in the order the template lists them.
AUDIT_FIELDS = ("audit_title", "window_start", "window_end", "population", "sampling", "local_authorities")

SHEETS = (CASES, AGENCY_RETURNS, AUDIT, RECOMMENDATIONS)

# Kinds whose values are read through an answer vocabulary (spec section 2).
ANSWER_KINDS = {"yn", "ypn", "eha", "outcomes", "attended", "grade", "category", "participation"}
