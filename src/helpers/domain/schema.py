"""The workbook's sheets and columns (spec sections 1, 3, 3b, 4 and 5), declared once: the Audit and
Recommendations sheets every audit shares here, Cases and Agency returns in each audit's definition file."""
from __future__ import annotations

from .columns import Column, Sheet
from .definition import AuditDefinition, cp_conferences

# The child protection conference audit's Cases and Agency returns, as audits/cp-conferences.yaml declares them
# (another audit's are its definition's `sheets`); kept here under their old names for the code that reads them.
CASES = cp_conferences().cases
AGENCY_RETURNS = cp_conferences().agency_returns

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


def identifying_columns(definition: AuditDefinition | None = None) -> frozenset[str]:
    """case_ref, agency and the definition's window date (icpc_date for the child protection audit)."""
    definition = definition or cp_conferences()
    return frozenset({"case_ref", "agency"} | ({definition.window_date} if definition.window_date else set()))


def earlier_audit_may_lack(definition: AuditDefinition | None = None) -> frozenset[str]:
    """The required columns of Cases and Agency returns that an earlier audit's workbook may lack."""
    definition = definition or cp_conferences()
    return frozenset(c.name for sheet in definition.sheets.values() for c in sheet.columns
                     if c.required and c.name not in identifying_columns(definition))

SHEETS = (CASES, AGENCY_RETURNS, AUDIT, RECOMMENDATIONS)

# Kinds whose values are read through an answer vocabulary (spec section 2).
ANSWER_KINDS = {"yn", "ypn", "eha", "outcomes", "attended", "grade", "category", "participation"}
