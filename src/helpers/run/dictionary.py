"""The data dictionary: every column of every output file of spec section 8, declared once.

`tools/make_docs.py` writes docs/data-dictionary.md from these declarations, and a test fails when a file an
audit writes has a column (or a JSON file a field) that is not declared here. The answer columns of cases.csv
and agency_returns.csv are read from the workbook's declarations (`helpers.domain.schema`), so a question added
there is documented here without retyping.

JSON fields are named by their path: `earlier[].window_end` is the field `window_end` of each entry of the list
`earlier`; a field whose value is a map from names to values (manifest.json's `outputs`) is one entry.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from ..clean.cleaning import CASE_DATE_COLUMNS, OUTCOMES
from ..domain.answers import (
    AGE_BANDS,
    AGENCY_GROUPS,
    CATEGORIES,
    NA_ANSWER,
    PARTICIPATION_CODES,
    RECOMMENDATION_STATUSES,
    UNMAPPED,
    VOCABULARIES,
)
from ..domain.definition import cp_conferences
from ..domain.measures import KLOES, MEASURE_IDS, SECONDARY, Parameters, parameters_for
from ..domain.quality import ISSUE_WORDS
from ..domain.schema import AGENCY_RETURNS, AUDIT_FIELD_COLUMNS, CASES, Column
from ..measures.breakdowns import BREAKDOWN_MEASURES
from ..measures.comparison import VERDICTS

# Output files are named by their path inside the audit's folder, with / as on every system (as_posix).
CHARTS_JSON = PurePosixPath("charts", "charts.json").as_posix()

# How personal a column is. Every row-level table is about children on child protection plans, so the whole
# of cases.csv and agency_returns.csv is OFFICIAL-SENSITIVE; these say what else a column adds.
NOT_PERSONAL = "no"
PSEUDONYM = "personal (pseudonymous): links the rows of one child; with the key it leads back to the case"
EVENT_DATE = ("sensitive: an exact date in one child's case, which with the age band and category could "
              "identify a child in a small area; never published")
CASE_ANSWER = "sensitive: the panel's judgement of one child's case; not identifying on its own"
QUASI_IDENTIFIER = "sensitive: one child's characteristic; small groups are withheld in the published version"
SMALL_COUNTS = "no (aggregate; counts of 1 to 5 are withheld in the published version)"
STAFF = "personal: may name a member of staff (the owner of a recommendation)"
FREE_TEXT = "no, if the audit team writes no name in it (it is their free text, shown as written)"


@dataclass(frozen=True)
class OutputColumn:
    name: str
    meaning: str
    type: str
    values: str = ""          # the allowed values, or empty when any value of the type may appear
    spec: str = "8"           # the section of the spec (/work/shared/spec/audit-workbook.md) that defines it
    personal: str = NOT_PERSONAL


@dataclass(frozen=True)
class OutputFile:
    name: str
    what: str
    columns: tuple[OutputColumn, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _listed(values) -> str:
    return ", ".join(f"`{v}`" for v in values)


MEASURE_ID_VALUES = "one of the 22 measure ids (docs/measures.md)"
KLOE_VALUES = _listed(list(KLOES) + [SECONDARY])
DATE = "date (yyyy-mm-dd)"
TRUE_FALSE = "true/false"
WHOLE = "whole number"
PERCENT = "decimal, 1 place (empty when the denominator is 0)"
SHA256 = "text: 64 hex characters (SHA-256)"
AGENCY_GROUP_VALUES = _listed(list(AGENCY_GROUPS) + [UNMAPPED])


# --- cases.csv and agency_returns.csv -------------------------------------------------------------

def stored_values(kind: str) -> str:
    """What cleaning stores for an answer column of this kind (empty means not recorded: missing or
    unrecognised, which data_quality.csv lists)."""
    if kind == "participation":
        answers = list(PARTICIPATION_CODES) + [NA_ANSWER]
    else:
        answers = list(dict.fromkeys(VOCABULARIES[kind].values()))
    return _listed(answers) + ", empty (not recorded)"


def answer_column(column: Column, personal: str = CASE_ANSWER) -> OutputColumn:
    """An answer column of the workbook as cleaned: its question, its stored values, the measures it feeds."""
    feeds = f" Feeds {_listed(column.measures)}." if column.measures else ""
    section = "4" if column in CASES.columns else "5"
    return OutputColumn(column.name, f"{column.question}{feeds}", "text", stored_values(column.kind),
                        f"2, {section}", personal)


def date_columns(column: Column) -> tuple[OutputColumn, OutputColumn]:
    """A date column as cleaned, and its flag of a date answered N/A."""
    feeds = f" Feeds {_listed(column.measures)}." if column.measures else ""
    return (OutputColumn(column.name, f"{column.question}{feeds} Empty when not recorded or answered N/A.", DATE,
                         spec="2, 4" if column in CASES.columns else "2, 5", personal=EVENT_DATE),
            OutputColumn(f"{column.name}_not_applicable",
                         f"`{column.name}` was answered N/A: the measures it feeds are not applicable for this "
                         "case rather than not recorded.", TRUE_FALSE, spec="7"))


def _case_columns() -> tuple[OutputColumn, ...]:
    answers = tuple(answer_column(c) for c in CASES.columns
                    if c.kind not in ("date", "text", "case_ref") and c.name != "cp_category")
    dates = tuple(column for name in CASE_DATE_COLUMNS for column in date_columns(CASES.column(name)))
    return (
        OutputColumn("case_id", "The child's pseudonymous id: a keyed hash (HMAC) of the case reference. The same "
                     "case_ref and key give the same id in every audit (spec 9 counts children in both).",
                     "text: 16 hex characters", spec="8", personal=PSEUDONYM),
        OutputColumn("age_band", "Age at the ICPC, from the date of birth (which never leaves cleaning).", "text",
                     _listed(AGE_BANDS), "4", QUASI_IDENTIFIER),
        OutputColumn("cp_category", "The initial category of abuse, as its DfE code.", "text",
                     _listed(CATEGORIES) + f", `{NA_ANSWER}`, empty (not recorded)", "2, 4", QUASI_IDENTIFIER),
        *answers, *dates,
        OutputColumn("strategy_to_icpc_working_days", "Working days from the strategy discussion to the ICPC "
                     "(busday_count, weekends and England and Wales bank holidays excluded): `icpc_timely`.",
                     "whole number, may be negative; empty when either date is not known", "7", CASE_ANSWER),
        OutputColumn("icpc_to_core_group_working_days", "Working days from the ICPC to the first core group: "
                     "`core_group_timely`.", "whole number, may be negative; empty when either date is not known",
                     "7", CASE_ANSWER),
        OutputColumn("no_icpc_date", "The case has no ICPC date, so it could not be checked against the window: "
                     "kept and listed as `no_icpc_date_in_window` in data_quality.csv.", TRUE_FALSE, spec="6"),
        OutputColumn("strategy_to_icpc_negative", "The ICPC is before the strategy discussion: `icpc_timely` "
                     "is not recorded and data_quality.csv lists a `negative_interval`.", TRUE_FALSE, spec="7"),
        OutputColumn("icpc_to_core_group_negative", "The first core group is before the ICPC: "
                     "`core_group_timely` is not recorded and data_quality.csv lists a `negative_interval`.",
                     TRUE_FALSE, spec="7"),
    )


def _return_columns() -> tuple[OutputColumn, ...]:
    answers = {c.name: answer_column(c) for c in AGENCY_RETURNS.columns if c.kind not in ("date", "case_ref",
                                                                                          "agency")}
    return (
        OutputColumn("case_id", "The case the return belongs to (cases.csv's `case_id`).",
                     "text: 16 hex characters", spec="8", personal=PSEUDONYM),
        OutputColumn("agency", "The agency as matched: lower case, apostrophes removed, `&` as `and`, pure "
                     "synonyms as one (`hv` is `health visitor`); an unmapped name as written, normalised.",
                     "text", "a name of docs/input-format.md's agency list, or any other name (its group is then "
                     "Unmapped)", "5"),
        OutputColumn("agency_group", "The agency's group: quoracy counts groups.", "text", AGENCY_GROUP_VALUES, "5"),
        answers["attended"], answers["report_submitted"], answers["agreed_with_decision"],
        answers["dissent_recorded"], *date_columns(AGENCY_RETURNS.column("report_shared_date")),
    )


# --- the measured outputs --------------------------------------------------------------------------

FINDINGS_COLUMNS = (
    OutputColumn("measure_id", "The measure (docs/measures.md defines each).", "text", MEASURE_ID_VALUES, "7"),
    OutputColumn("kloe", "Its key line of enquiry.", "text", KLOE_VALUES, "7"),
    OutputColumn("label", "Its label, naming the thresholds the run used.", "text", spec="7"),
    OutputColumn("numerator", "Cases that met the measure.", WHOLE, spec="7", personal=SMALL_COUNTS),
    OutputColumn("denominator", "Cases assessed: met or not met.", WHOLE, spec="7", personal=SMALL_COUNTS),
    OutputColumn("not_applicable", "Cases the measure does not apply to (an N/A answer, or a condition that does "
                 "not hold).", WHOLE, spec="7", personal=SMALL_COUNTS),
    OutputColumn("not_recorded", "Cases whose answer was missing or unrecognised. denominator + not_applicable + "
                 "not_recorded = the included cases.", WHOLE, spec="7", personal=SMALL_COUNTS),
    OutputColumn("percent", "100 x numerator / denominator.", PERCENT, spec="7"),
    OutputColumn("ci_lower", "Lower limit of the 95% Wilson interval, in percent, with the finite population "
                 "correction when the Audit sheet's population is larger than the denominator.", PERCENT, spec="7"),
    OutputColumn("ci_upper", "Upper limit of that interval.", PERCENT, spec="7"),
)

# The report's breakdowns have no finite population correction: the population is of all children on plans,
# and how many of them are in a group is not known. `helpers.explore` follows the same rule.
BREAKDOWN_RULE = ("95% Wilson interval without the finite population correction (a group's population is not "
                  "known)")


def _breakdown_columns(groups: str) -> tuple[OutputColumn, ...]:
    return (
        OutputColumn("group", "The group.", "text", groups),
        OutputColumn("measure_id", "The measure broken down.", "text", _listed(BREAKDOWN_MEASURES), "7"),
        OutputColumn("met", "Cases of the group that met the measure.", WHOLE, personal=SMALL_COUNTS),
        OutputColumn("assessed", "Cases of the group assessed (met or not met).", WHOLE, personal=SMALL_COUNTS),
        OutputColumn("cases", "Included cases in the group.", WHOLE, personal=SMALL_COUNTS),
        OutputColumn("percent", "100 x met / assessed.", PERCENT),
        OutputColumn("ci_lower", f"Lower limit: {BREAKDOWN_RULE}.", PERCENT),
        OutputColumn("ci_upper", "Upper limit of that interval.", PERCENT),
    )



AGENCY_GROUP_BREAKDOWN = (
    OutputColumn("agency_group", "The agency group.", "text", AGENCY_GROUP_VALUES, "5"),
    OutputColumn("returns", "Included returns of the group.", WHOLE, personal=SMALL_COUNTS),
    OutputColumn("attended", "Returns whose agency attended the ICPC.", WHOLE, personal=SMALL_COUNTS),
    OutputColumn("reports_submitted", "Returns with a report submitted.", WHOLE, personal=SMALL_COUNTS),
    OutputColumn("reports_shared_in_time", "Submitted reports shared with parents at least "
                 "`report_share_working_days` working days before the ICPC (counted per report: a report of a "
                 "case with no ICPC date is not in time).", WHOLE, spec="7", personal=SMALL_COUNTS),
    OutputColumn("percent_in_time", "100 x reports_shared_in_time / reports_submitted.", PERCENT),
    OutputColumn("ci_lower", f"Lower limit: {BREAKDOWN_RULE}.", PERCENT),
    OutputColumn("ci_upper", "Upper limit of that interval.", PERCENT),
)


def _comparison_columns() -> tuple[OutputColumn, ...]:
    points = "decimal, 1 place, percentage points (empty when not comparable)"
    return (
        OutputColumn("measure_id", "The measure.", "text", MEASURE_ID_VALUES, "9"),
        OutputColumn("label", "Its label, with this run's thresholds.", "text", spec="9"),
        OutputColumn("earlier_audit", "The earlier audit: its title, or its file name when it has none.", "text",
                     spec="9"),
        OutputColumn("earlier_numerator", "The earlier audit's numerator, measured by this code with this run's "
                     "thresholds.", WHOLE, spec="9", personal=SMALL_COUNTS),
        OutputColumn("earlier_denominator", "The earlier audit's denominator.", WHOLE, spec="9",
                     personal=SMALL_COUNTS),
        OutputColumn("earlier_percent", "The earlier audit's percent.", PERCENT, spec="9"),
        OutputColumn("numerator", "This audit's numerator (findings.csv).", WHOLE, spec="9", personal=SMALL_COUNTS),
        OutputColumn("denominator", "This audit's denominator.", WHOLE, spec="9", personal=SMALL_COUNTS),
        OutputColumn("percent", "This audit's percent.", PERCENT, spec="9"),
        OutputColumn("difference", "percent now - percent then, from the unrounded proportions.", points, spec="9"),
        OutputColumn("difference_ci_lower", "Lower limit of the difference's 95% interval (Newcombe's hybrid "
                     "score method, from each audit's Wilson limits with its own population).", points, spec="9"),
        OutputColumn("difference_ci_upper", "Upper limit of that interval.", points, spec="9"),
        OutputColumn("verdict", "`higher` when the lower limit is above 0, `lower` when the upper limit is below 0, "
                     "else `no clear change`; `not comparable` when either denominator is 0 or the earlier "
                     "workbook lacked a column the measure reads.", "text", _listed(VERDICTS), "9"),
    )


# --- the cleaning stage's other tables -------------------------------------------------------------

def _cleaning_tables() -> dict[str, tuple[OutputColumn, ...]]:
    sheets = _listed(["Cases", "Agency returns", "Audit", "Recommendations"])
    value_meaning = ("The value as written (normalised); for `unused_column` the header as written. Values of "
                     "name, date of birth and comments are never shown: `[personal data withheld]`.")
    return {
        "reconciliation.csv": (
            OutputColumn("sheet", "The sheet.", "text", _listed(["Cases", "Agency returns"]), "6"),
            OutputColumn("outcome", "What happened to the row, the first that applies.", "text",
                         _listed(OUTCOMES), "6"),
            OutputColumn("rows", "Raw rows with that outcome; per sheet they add up to the rows received.", WHOLE,
                         spec="6", personal=SMALL_COUNTS),
        ),
        "data_quality.csv": (
            OutputColumn("sheet", "The sheet.", "text", sheets),
            OutputColumn("column", "The column (its canonical name) or field.", "text"),
            OutputColumn("value", value_meaning, "text", personal=FREE_TEXT),
            OutputColumn("issue", "What is wrong (docs/input-format.md says each in words).", "text",
                         _listed(list(ISSUE_WORDS))),
            OutputColumn("rows", "Rows with this issue and value (excluded rows included).", WHOLE),
        ),
        "data_quality_rows.csv": (
            OutputColumn("sheet", "The sheet.", "text", sheets),
            OutputColumn("row", "The Excel row number of the problem cell.", WHOLE),
            OutputColumn("column", "The column (its canonical name) or field.", "text"),
            OutputColumn("header", "The column's header as written in the workbook.", "text"),
            OutputColumn("value", value_meaning, "text", personal=FREE_TEXT),
            OutputColumn("issue", "What is wrong.", "text", _listed(list(ISSUE_WORDS))),
        ),
        "recommendations.csv": (
            OutputColumn("recommendation", "The audit panel's recommendation, as written.", "text", spec="3b",
                         personal=FREE_TEXT),
            OutputColumn("measures", "The measure ids it names, separated by `;` (unknown ids are listed in "
                         "data_quality.csv, not here).", "text", MEASURE_ID_VALUES + ", `;`-separated", "3b"),
            OutputColumn("owner", "Who owns it.", "text", spec="3b", personal=STAFF),
            OutputColumn("due_date", "When it is due.", DATE, spec="3b"),
            OutputColumn("target", "The percentage each named measure should reach.", "decimal 0-100", spec="3b"),
            OutputColumn("status", "Where it has got to.", "text", _listed(RECOMMENDATION_STATUSES) + ", empty",
                         "3b"),
            OutputColumn("raised", "For a recommendation carried forward from an earlier audit: the date or title "
                         "of the audit that raised it, as written (empty for a new one).", "text", spec="3b"),
        ),
    }


# --- the JSON files ---------------------------------------------------------------------------------

def _audit_json() -> tuple[OutputColumn, ...]:
    kinds = {"text": "text", "date": DATE, "whole_number": WHOLE}
    fields = tuple(OutputColumn(c.name, c.question, kinds.get(c.kind, c.kind) + " or null", spec="3")
                   for c in AUDIT_FIELD_COLUMNS if c.name != "local_authorities")
    return fields + (
        OutputColumn("local_authorities", "The local authorities the partnership covers, as written, one per "
                     "entry.", "list of text", spec="3"),
        OutputColumn("missing_columns", "Only for an earlier audit: required columns its workbook lacked (their "
                     "measures are not comparable).", "list of text", spec="9"),
    )


def _described_audit(prefix: str) -> tuple[OutputColumn, ...]:
    return (
        OutputColumn(f"{prefix}name", "The audit's title, or its file name when it has none.", "text", spec="9"),
        OutputColumn(f"{prefix}window_start", "Its window's first day.", DATE + " or null", spec="9"),
        OutputColumn(f"{prefix}window_end", "Its window's last day.", DATE + " or null", spec="9"),
        OutputColumn(f"{prefix}population", "Children on plans when its sample was drawn.", WHOLE + " or null",
                     spec="9"),
        OutputColumn(f"{prefix}cases", "Its included cases.", WHOLE, spec="9"),
        OutputColumn(f"{prefix}key_fingerprint", "8 hex characters of the SHA-256 of the pseudonymisation key: "
                     "two audits with the same fingerprint give one child the same case_id. It cannot recover "
                     "the key.", "text or null", spec="9"),
    )


def _reaudit_json() -> tuple[OutputColumn, ...]:
    recommendation = {c.name: c for c in _cleaning_tables()["recommendations.csv"]}
    return _described_audit("audit.") + (
        OutputColumn("audit.carried_forward", "How many of this audit's recommendations were carried forward from "
                     "an earlier audit (listed there too, or `raised` filled): not counted again as new.", WHOLE,
                     spec="3b"),
        OutputColumn("earlier", "The earlier audits compared with, oldest first (empty without EARLIER).",
                     "list of objects (the fields below)", spec="9"),
        *_described_audit("earlier[]."),
        OutputColumn("earlier[].same_key", "Whether both audits used the same pseudonymisation key (null when "
                     "either fingerprint is not known).", "true/false or null", spec="9"),
        OutputColumn("earlier[].overlap_checked", "Whether the count of children in both audits could be checked.",
                     TRUE_FALSE, spec="9"),
        OutputColumn("earlier[].overlapping_cases", "Children (case_ids) in both audits: the intervals assume "
                     "independent samples, so the report states it.", WHOLE, spec="9", personal=SMALL_COUNTS),
        OutputColumn("earlier[].windows_overlap", "Whether the two windows share a day.", TRUE_FALSE, spec="9"),
        OutputColumn("earlier[].missing_columns", "Required columns the earlier workbook lacked.", "list of text",
                     spec="9"),
        OutputColumn("earlier[].not_comparable_missing_column", "Measures not comparable because of them.",
                     "list of measure ids", spec="9"),
        OutputColumn("earlier[].recommendations", "The earlier audit's recommendations (its recommendations.csv), "
                     "for the report's progress table.", "list of objects (the fields below)", spec="3b, 9"),
        *(OutputColumn(f"earlier[].recommendations[].{c.name}", f"The earlier audit's recommendation: {c.meaning}",
                       c.type, c.values, "3b, 9", c.personal) for c in recommendation.values()),
        OutputColumn("earlier[].recommendations[].status_from", "Which audit's workbook gave the owner, due date, "
                     "target and status: the latest that lists the recommendation (`this audit` for the current "
                     "workbook).", "text", spec="3b"),
    )


def _manifest_json() -> tuple[OutputColumn, ...]:
    workbook = ("file", "The file name."), ("sha256", "Its SHA-256.")
    return (
        *(OutputColumn(f"inputs.workbook.{name}", f"The workbook: {words.lower()}", SHA256 if name == "sha256"
                       else "text") for name, words in workbook),
        OutputColumn("inputs.earlier", "The earlier workbooks (EARLIER), in the order given.",
                     "list of objects (the fields below)"),
        *(OutputColumn(f"inputs.earlier[].{name}", f"Each earlier workbook: {words.lower()}",
                       SHA256 if name == "sha256" else "text") for name, words in workbook),
        *(OutputColumn(f"inputs.parameters.{name}", f"The run's `{name}` (findings_parameters.json).",
                       TRUE_FALSE if isinstance(default, bool) else WHOLE)
          for name, default in vars(Parameters()).items()),
        OutputColumn("inputs.window.start", "WINDOW_START as given (empty: the Audit sheet's).", "text"),
        OutputColumn("inputs.window.end", "WINDOW_END as given.", "text"),
        OutputColumn("inputs.allow_later", "ALLOW_LATER as given.", TRUE_FALSE),
        OutputColumn("inputs.pseudonym_key", "SHA-256 of the pseudonymisation key file (a new key changes every "
                     "case_id).", SHA256),
        OutputColumn("inputs.code", "SHA-256 over the analysis code and the notebooks' cells.", SHA256),
        OutputColumn("inputs.lock", "SHA-256 of requirements.lock.", SHA256),
        OutputColumn("outputs", "Every output file of the audit's two folders (`processed/...`, `reports/...`) and "
                     "its SHA-256: a run is a no-op only when each still matches and no other file is there.",
                     "map of path to SHA-256"),
        OutputColumn("audit_id", "The audit id: the folders' name.", "text"),
        OutputColumn("earlier_audits", "The audit ids of the earlier audits compared with.", "list of text", "9"),
        OutputColumn("code_version", "The git commit of the code and whether the code, notebooks or lock differed "
                     "from it, as JSON text: `{\"commit\": ..., \"modified\": ...}`.", "text (JSON)"),
        OutputColumn("made_at", "When the run finished (local time).", "date and time (ISO 8601)"),
    )


def _output_files() -> tuple[OutputFile, ...]:
    cleaning = _cleaning_tables()
    measures = _listed(MEASURE_IDS)
    return (
        OutputFile("cases.csv", "One row per included case, pseudonymised: no case reference, name, date of birth "
                   "or comments.", _case_columns()),
        OutputFile("agency_returns.csv", "One row per included agency return.", _return_columns()),
        OutputFile("findings.csv", "One row per measure, in the order of docs/measures.md.", FINDINGS_COLUMNS),
        OutputFile("breakdown_agency_group.csv", "Returns, attendance and reports by agency group (counted per "
                   "return).", AGENCY_GROUP_BREAKDOWN),
        OutputFile("breakdown_category.csv", "Four measures by category of abuse.",
                   _breakdown_columns(_listed(list(CATEGORIES) + [NA_ANSWER, "Not recorded"]))),
        OutputFile("breakdown_age_band.csv", "Four measures by age band at the ICPC.",
                   _breakdown_columns(_listed(AGE_BANDS))),
        OutputFile("comparison.csv", "With earlier audits only: each measure against each earlier audit, most "
                   "recent first.", _comparison_columns()),
        OutputFile("reconciliation.csv", "Every raw row's outcome, per sheet.", cleaning["reconciliation.csv"]),
        OutputFile("data_quality.csv", "Data-quality issues by sheet, column, value and issue.",
                   cleaning["data_quality.csv"]),
        OutputFile("data_quality_rows.csv", "The same issues one per cell, with the Excel row.",
                   cleaning["data_quality_rows.csv"]),
        OutputFile("recommendations.csv", "The Recommendations sheet as read.", cleaning["recommendations.csv"]),
        OutputFile("audit.json", "The Audit sheet's fields after any WINDOW_START/WINDOW_END.", _audit_json()),
        OutputFile("source.json", "The workbook every figure is traced back to.", (
            OutputColumn("raw_file", "The workbook's file name.", "text"),
            OutputColumn("raw_sha256", "Its SHA-256.", SHA256))),
        OutputFile("findings_parameters.json", "The thresholds the findings were computed with.", tuple(
            OutputColumn(name, f"`{name}` (default {default}; docs/measures.md).",
                         TRUE_FALSE if isinstance(default, bool) else "whole number 0-100", spec="7")
            for name, default in vars(Parameters()).items())),
        OutputFile("reaudit.json", "This audit's key fingerprint and, per earlier audit (oldest first), what the "
                   "report states beside the comparison.", _reaudit_json()),
        OutputFile("manifest.json", "Written by `make report` last: every input's and output's SHA-256.",
                   _manifest_json()),
        OutputFile(CHARTS_JSON, "One entry per chart (the PNGs beside it): its words.", (
            OutputColumn("[].name", "The chart's file name without `.png`.", "text"),
            OutputColumn("[].measure_ids", "The measures it draws.", "list of measure ids", measures),
            OutputColumn("[].title", "Its title, stating one finding.", "text"),
            OutputColumn("[].alt", "Its alt text: every number it shows.", "text"),
            OutputColumn("[].caption", "Its caption.", "text"))),
    )


OUTPUT_FILES = _output_files()
OUTPUT_FILES_BY_NAME = {f.name: f for f in OUTPUT_FILES}


# --- another audit's outputs (issue 23): its definition's columns, measures and parameters -------------------

def _declared_answer(column: Column, section: str) -> OutputColumn:
    feeds = f" Feeds {_listed(column.measures)}." if column.measures else ""
    answers = (list(column.scale) + [NA_ANSWER]) if column.kind == "grade" and column.scale else None
    values = _listed(answers) + ", empty (not recorded)" if answers else stored_values(column.kind)
    return OutputColumn(column.name, f"{column.question or column.name}{feeds}", "text", values, f"2, {section}",
                        CASE_ANSWER)


def _declared_dates(column: Column, section: str) -> tuple[OutputColumn, OutputColumn]:
    feeds = f" Feeds {_listed(column.measures)}." if column.measures else ""
    return (OutputColumn(column.name, f"{column.question or column.name}{feeds} Empty when not recorded or "
                         "answered N/A.", DATE, spec=f"2, {section}", personal=EVENT_DATE),
            OutputColumn(f"{column.name}_not_applicable", f"`{column.name}` was answered N/A: the measures it feeds "
                         "are not applicable for this case rather than not recorded.", TRUE_FALSE, spec="7"))


def _declared_sheet_columns(sheet, section: str) -> tuple[OutputColumn, ...]:
    """A sheet's answer and date columns as cleaning writes them (personal and free-text columns never leave)."""
    from ..clean.cleaning import leaving_columns

    answers, dates = leaving_columns(sheet)
    return (*(_declared_answer(sheet.column(name), section) for name in answers),
            *(column for name in dates for column in _declared_dates(sheet.column(name), section)))


def _declared_output_files(definition) -> tuple[OutputFile, ...]:
    """Another audit's outputs: the CP audit's files, with cases.csv, agency_returns.csv, the breakdowns, the
    parameters and the measure ids of its definition, and grade_distribution.csv."""
    from ..measures.stage import GRADE_DISTRIBUTION_COLUMNS
    from .outputs import GRADE_DISTRIBUTION_FILE

    ids = _listed(m.id for m in definition.measures)
    broken_down = _listed(definition.breakdowns.measures)
    params = vars(parameters_for(definition)())
    window = definition.window_date
    has_age = bool(window) and "date_of_birth" in {c.name for c in definition.cases.columns}
    cases = (
        OUTPUT_FILES_BY_NAME["cases.csv"].columns[0],
        *((OutputColumn("age_band", f"Age at the {window}, from the date of birth (which never leaves cleaning).",
                        "text", _listed(AGE_BANDS), "4", QUASI_IDENTIFIER),) if has_age else ()),
        *_declared_sheet_columns(definition.cases, "4"),
        *((OutputColumn(f"no_{window}", f"The case has no {window}, so it could not be checked against the window: "
                        f"kept and listed as `no_{window}_in_window` in data_quality.csv.", TRUE_FALSE, spec="6"),)
          if window else ()),
    )
    returns = (*OUTPUT_FILES_BY_NAME["agency_returns.csv"].columns[:3],
               *_declared_sheet_columns(definition.agency_returns, "5"))

    def with_ids(columns: tuple[OutputColumn, ...], values: str) -> tuple[OutputColumn, ...]:
        return tuple(replace(c, values=values) if c.name in ("measure_id", "[].measure_ids") else c
                     for c in columns)

    def parameters(prefix: str) -> tuple[OutputColumn, ...]:
        return tuple(OutputColumn(f"{prefix}{name}", f"The run's `{name}` (default {default}).",
                                  TRUE_FALSE if isinstance(default, bool) else "whole number 0-100", spec="7")
                     for name, default in params.items())

    manifest = tuple(c for c in OUTPUT_FILES_BY_NAME["manifest.json"].columns
                     if not c.name.startswith("inputs.parameters."))
    manifest += parameters("inputs.parameters.") + (
        OutputColumn("inputs.definition.file", "The audit definition file (AUDIT_DEFINITION).", "text"),
        OutputColumn("inputs.definition.sha256", "Its SHA-256: another definition means a rebuild.", SHA256))
    grade_words = {"measure_id": ("The grade_distribution measure.", "text", ids),
                   "column": ("The grade column it counts.", "text", ""),
                   "level": ("A level of the column's grade scale, best first.", "text", ""),
                   "count": ("Graded answers (cases, or agency returns for a column of that sheet) at this level; "
                             "N/A and missing grades are not graded.", WHOLE, ""),
                   "percent": ("100 x count / the graded answers of the measure.", PERCENT, ""),
                   "at_or_above": ("The level meets the measure (at or above its at_least).", TRUE_FALSE, "")}
    replaced = {
        "cases.csv": cases, "agency_returns.csv": returns,
        "findings.csv": with_ids(FINDINGS_COLUMNS, ids),
        "breakdown_agency_group.csv": AGENCY_GROUP_BREAKDOWN if "agency_reports" in definition.breakdowns.by
        else AGENCY_GROUP_BREAKDOWN[:2],
        "breakdown_category.csv": with_ids(_breakdown_columns("the values of the first category column"),
                                           broken_down),
        "breakdown_age_band.csv": with_ids(_breakdown_columns(_listed(AGE_BANDS)), broken_down),
        "comparison.csv": with_ids(_comparison_columns(), ids),
        "findings_parameters.json": parameters(""),
        "manifest.json": manifest,
        CHARTS_JSON: with_ids(OUTPUT_FILES_BY_NAME[CHARTS_JSON].columns, ids),
    }
    # The CP audit's words name its category of abuse and its conference: another audit's say what it declares.
    described = {name: f"The breakdown measures ({broken_down or 'none declared'}) by {by}; the header alone "
                 f"when the definition's `breakdowns: by:` does not list `{key}`."
                 for name, by, key in (("breakdown_category.csv", "the first category column", "category"),
                                       ("breakdown_age_band.csv", f"age band at the {window or 'window date'}",
                                        "age_band"))}
    files = tuple(replace(f, what=described.get(f.name, f.what), columns=replaced.get(f.name, f.columns))
                  for f in OUTPUT_FILES)
    return files + (OutputFile(GRADE_DISTRIBUTION_FILE, "Only for an audit with a grade_distribution measure: "
                               "each such measure's grades counted per level.", tuple(
                                   OutputColumn(name, *grade_words[name], spec="7") for name in
                                   GRADE_DISTRIBUTION_COLUMNS)),)


def output_files(definition=None) -> tuple[OutputFile, ...]:
    """The outputs of an audit of this definition (the child protection conference audit's by default)."""
    if definition is None or definition is cp_conferences():
        return OUTPUT_FILES
    return _declared_output_files(definition)


# --- what an audit's folder holds, to check against the declarations ---------------------------------

# JSON fields whose value maps names (file paths) to values: one entry each, not one per name.
MAP_FIELDS = frozenset({"outputs"})


def json_fields(value, prefix: str = "") -> set[str]:
    """The field paths of a JSON value: `a.b` inside objects, `a[].b` inside lists of objects."""
    if isinstance(value, dict):
        fields = set()
        for key, inner in value.items():
            name = f"{prefix}{key}"
            fields |= {name} if name in MAP_FIELDS else json_fields(inner, f"{name}.")
        return fields
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        return set().union(*(json_fields(item, f"{prefix.rstrip('.')}[].") for item in value))
    return {prefix.rstrip(".")}


def folder_columns(folder) -> dict[str, set[str]]:
    """Every output file of an audit's folder and its columns (CSV header) or fields (JSON)."""
    import csv
    import json
    from pathlib import Path

    folder = Path(folder)
    found = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as handle:
                found[name] = set(next(csv.reader(handle), []))
        elif path.suffix == ".json":
            found[name] = json_fields(json.loads(path.read_text()))
    return found


def undeclared(folder, definition=None) -> dict[str, set[str]]:
    """The files of `folder` this dictionary does not declare, and the undeclared columns of those it does
    (`definition`: the audit's, the child protection conference audit's by default)."""
    by_name = {f.name: f for f in output_files(definition)}
    missing = {}
    for name, columns in folder_columns(folder).items():
        declared = by_name.get(name)
        extra = columns - set(declared.names) if declared else columns | {"(the file itself)"}
        if extra:
            missing[name] = extra
    return missing
