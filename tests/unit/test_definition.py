"""Audit definitions (issue 23): the child protection conference audit's file, a minimal third audit, and every
definition error stopping with one line that names the file, the line and what to fix."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers.domain.definition import CP_CONFERENCES, _Loader, load_definition
from helpers.errors import AuditInputError
from helpers.measures import MEASURES, Parameters
from helpers.measures.statuses import measure_statuses

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "audits" / "audit-definition.schema.json"

# A minimal third audit: three columns of Cases, two measures. Line numbers below count from its first line.
MINIMAL = textwrap.dedent("""\
    title: "Minimal audit"
    key_lines_of_enquiry:
      - {id: "1 Plans", title: "Plans"}
    parameters:
      visit_working_days: {kind: working_days, default: 5}
    columns:
      Cases: {case_ref: case_ref, plan_reviewed: ypn, review_date: date}
    measures:
      - id: plan_reviewed
        key_line: "1 Plans"
        label: "Plan reviewed"
        definition: "Yes / Yes, Partly or No"
        statement: "the plan was reviewed"
        rule: {kind: answer, column: plan_reviewed, met: ["Yes"]}
      - id: review_recorded_when_reviewed
        key_line: secondary
        label: "Review dated where the plan was reviewed within {visit_working_days} days"
        definition: "where reviewed: review date known"
        statement: "the review was dated"
        rule:
          kind: gated
          when: {column: plan_reviewed, is: ["Yes", "Partly"]}
          not_applicable: ["No"]
          rule: {kind: answer, column: plan_reviewed, met: ["Yes"], of: ["Yes", "Partly"]}
    """)


def written(tmp_path: Path, text: str, name: str = "audit.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_cp_definition_declares_the_22_measures_as_the_code_reads_them():
    definition = load_definition(CP_CONFERENCES)
    assert [m.id for m in definition.measures] == [m.id for m in MEASURES]
    assert [(m.key_line, m.label, m.definition, m.statement) for m in definition.measures] == \
        [(m.kloe, m.label, m.definition, m.statement) for m in MEASURES]
    assert definition.parameter_defaults() == vars(Parameters())


def test_the_cp_definition_and_the_minimal_one_follow_the_published_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in (CP_CONFERENCES, written(tmp_path, MINIMAL), written(tmp_path, LONG, "long.yaml")):
        jsonschema.validate(yaml.load(path.read_text(), Loader=_Loader), schema)
    bad = yaml.load(MINIMAL.replace("kind: answer", "kind: anwser"), Loader=_Loader)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_a_minimal_third_definition_computes_its_statuses(tmp_path):
    definition = load_definition(written(tmp_path, MINIMAL))
    cases = pd.DataFrame({"case_id": ["a", "b", "c", "d", "e"],
                          "plan_reviewed": pd.array(["Yes", "Partly", "No", "N/A", pd.NA], dtype="string")})
    no_returns = pd.DataFrame({"case_id": pd.array([], dtype="string")})
    statuses = measure_statuses(cases, no_returns, Parameters(), definition)
    assert statuses["plan_reviewed"].tolist() == ["met", "not_met", "not_met", "not_applicable", "not_recorded"]
    # Gated on Yes or Partly; No shuts the gate; N/A and missing are neither, so not recorded.
    assert statuses["review_recorded_when_reviewed"].tolist() == \
        ["met", "not_met", "not_applicable", "not_recorded", "not_recorded"]
    assert definition.parameter_defaults() == {"visit_working_days": 5}


def test_yes_and_no_unquoted_are_answers_not_booleans(tmp_path):
    definition = load_definition(written(tmp_path, MINIMAL.replace('met: ["Yes"]}', "met: [Yes]}")))
    assert definition.measures[0].rule.met == ("Yes",)


# (what is changed in MINIMAL, the line it is on, words the message must contain)
ERRORS = [
    ("review_date: date}", "review_date: datum}", 7, "unknown column kind 'datum'"),
    ("kind: answer, column: plan_reviewed, met", "kind: anwser, column: plan_reviewed, met", 14,
     "unknown rule kind 'anwser'"),
    ("kind: answer, column: plan_reviewed, met", "kind: answer, column: plan_reveiwed, met", 14,
     "column 'plan_reveiwed' is not declared"),
    ('is: ["Yes", "Partly"]', 'is: ["Maybe"]', 22, "could never hold"),
    ("- id: review_recorded_when_reviewed", "- id: plan_reviewed", 15, "two measures have the id 'plan_reviewed'"),
    ('key_line: "1 Plans"', 'key_line: "9 Plans"', 10, "key line '9 Plans' is not declared"),
    ("within {visit_working_days} days", "within {visit_days} days", 17, "not a declared parameter"),
    ('not_applicable: ["No"]', 'not_applicable: ["Yes"]', 23, "both opens the gate"),
    ('    statement: "the plan was reviewed"', '   statement: "the plan was reviewed"', 13, "not valid YAML"),
    ("visit_working_days: {kind", "window_start: {kind", 5, "'window_start' cannot name a parameter"),
]


@pytest.mark.parametrize("old, new, line, words", ERRORS, ids=[e[3] for e in ERRORS])
def test_a_definition_error_is_one_line_naming_the_file_the_line_and_what_to_fix(tmp_path, old, new, line, words):
    assert old in MINIMAL
    path = written(tmp_path, MINIMAL.replace(old, new, 1))
    with pytest.raises(AuditInputError) as raised:
        load_definition(path)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"{path}, line {line}: "), message
    assert words in message


def test_a_gate_on_a_measure_that_comes_back_to_itself_is_refused(tmp_path):
    text = MINIMAL.replace("rule: {kind: answer, column: plan_reviewed, met: [\"Yes\"]}",
                           "rule: {kind: gated, when: {measure: review_recorded_when_reviewed, is: [met]}, "
                           "rule: {kind: answer, column: plan_reviewed, met: [\"Yes\"]}}")
    text = text.replace("when: {column: plan_reviewed, is: [\"Yes\", \"Partly\"]}",
                        "when: {measure: plan_reviewed, is: [met]}").replace('not_applicable: ["No"]', "")
    with pytest.raises(AuditInputError, match=r"line 9: measure 'plan_reviewed' is gated on itself"):
        load_definition(written(tmp_path, text))


def test_a_gate_on_a_status_that_does_not_exist_can_never_be_true(tmp_path):
    text = MINIMAL.replace("when: {column: plan_reviewed, is: [\"Yes\", \"Partly\"]}",
                           "when: {measure: plan_reviewed, is: [not_mett]}").replace('not_applicable: ["No"]', "")
    with pytest.raises(AuditInputError, match=r"line 22: .*'not_mett' is not a status, so the gate could never be "
                                              r"true \(did you mean 'not_met'\?\)"):
        load_definition(written(tmp_path, text))


def test_the_code_fingerprint_covers_the_definitions():
    from helpers.run.provenance import _code_files

    files = {p.relative_to(ROOT).as_posix() for p in _code_files()}
    assert {"audits/cp-conferences.yaml", "audits/audit-definition.schema.json"} <= files


# The long form of columns, with a grade scale of the audit's own, a grade per agency return, and the sections a
# report reads (standards, secondary findings, census context, demo). Line numbers count from its first line.
LONG = textwrap.dedent("""\
    title: "Neglect, in short"
    key_lines_of_enquiry:
      - {id: "1 Practice", title: "Practice"}
    grade_scales:
      practice: ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    window_date: referral_date
    census_context: none
    columns:
      Cases:
        - {name: case_ref, kind: case_ref, aliases: [case_reference]}
        - {name: child_name, kind: text, aliases: [name], required: false, personal: true}
        - {name: referral_date, kind: date, question: "When was the referral received?"}
        - {name: tool_used, kind: yn, question: "Was a neglect tool used?", demo: {"Yes": 0.7, "No": 0.3}}
      Agency returns:
        - {name: case_ref, kind: case_ref}
        - {name: agency, kind: agency, aliases: [organisation]}
        - {name: practice_grade, kind: grade, scale: practice, question: "How would you grade the practice?"}
    measures:
      - id: tool_used
        key_line: "1 Practice"
        label: "Neglect tool used"
        definition: "Yes / Yes or No"
        statement: "a neglect tool was used"
        rule: {kind: answer, column: tool_used, met: ["Yes"]}
      - id: practice_good
        key_line: "1 Practice"
        label: "Practice good or better"
        definition: "every graded return Good or Outstanding / cases with a graded return"
        statement: "every agency's practice was good or better"
        rule: {kind: grade_distribution, column: practice_grade, at_least: "Good"}
    secondary_findings: ["Fathers were rarely seen."]
    standards: {tool_used: 90}
    demo: {cases: 40, seed: 7}
    """)


def test_the_long_form_declares_columns_scales_and_the_report_s_sections(tmp_path):
    definition = load_definition(written(tmp_path, LONG))
    assert [c.name for c in definition.cases.columns] == ["case_ref", "child_name", "referral_date", "tool_used"]
    name = definition.cases.column("child_name")
    assert (name.aliases, name.required, name.personal) == (("name",), False, True)
    assert definition.cases.column("tool_used").demo == (("Yes", 0.7), ("No", 0.3))
    grade = definition.agency_returns.column("practice_grade")
    assert grade.scale == ("Outstanding", "Good", "Requires improvement", "Inadequate")
    # Which measures a column feeds comes from the rules that read it.
    assert grade.measures == ("practice_good",)
    assert definition.cases.column("tool_used").measures == ("tool_used",)
    assert definition.cases.column("referral_date").measures == ()
    assert (definition.window_date, definition.census_context) == ("referral_date", "none")
    assert definition.secondary_findings == ("Fathers were rarely seen.",)
    assert definition.standard("tool_used", 80) == 90 and definition.standard("practice_good", 80) == 80
    assert (definition.demo.cases, definition.demo.seed) == (40, 7)
    assert definition.name == "audit"


def test_a_grade_distribution_over_returns_is_met_when_every_graded_return_is_at_or_above_the_level(tmp_path):
    definition = load_definition(written(tmp_path, LONG))
    cases = pd.DataFrame({"case_id": ["a", "b", "c", "d", "e"],
                          "tool_used": pd.array(["Yes"] * 5, dtype="string")})
    # a: Good and Outstanding; b: Good and Inadequate; c: only N/A and a missing grade; d: no return;
    # e: Requires improvement.
    grades = [("a", "Good"), ("a", "Outstanding"), ("b", "Good"), ("b", "Inadequate"), ("c", "N/A"), ("c", None),
              ("e", "Requires improvement")]
    returns = pd.DataFrame({"case_id": pd.array([g[0] for g in grades], dtype="string"),
                            "agency": pd.array(["Police"] * len(grades), dtype="string"),
                            "practice_grade": pd.array([g[1] for g in grades], dtype="string")})
    statuses = measure_statuses(cases, returns, Parameters(), definition)
    assert statuses["practice_good"].tolist() == ["met", "not_met", "not_recorded", "not_recorded", "not_met"]


def test_the_cp_definition_s_columns_feed_the_measures_whose_rules_read_them():
    definition = load_definition(CP_CONFERENCES)
    assert definition.cases.column("icpc_date").measures == ("icpc_timely", "reports_shared_timely",
                                                             "core_group_timely")
    assert definition.agency_returns.column("agency").measures == ("conference_quorate",)
    assert definition.cases.column("recording_quality").scale == ("Outstanding", "Good", "Requires improvement",
                                                                   "Inadequate")
    assert (definition.window_date, definition.census_context) == ("icpc_date", "cp-plans")


LONG_ERRORS = [
    ("scale: practice,", "scale: practise,", 17, "names grade scale 'practise', which grade_scales does not declare"),
    ("kind: yn, question", "kind: yn, scale: practice, question", 13, "only a grade column has a scale"),
    ("rule: {kind: answer, column: tool_used", "rule: {kind: answer, column: child_name", 24,
     "column 'child_name' is personal data"),
    ("aliases: [organisation]", "aliases: [case_ref]", 16, "'case_ref' names two columns"),
    ("window_date: referral_date", "window_date: tool_used", 6, "window_date 'tool_used' is not a date column"),
    ("census_context: none", "census_context: cp_plans", 7, "unknown census_context 'cp_plans'"),
    ("standards: {tool_used: 90}", "standards: {tool_use: 90}", 32, "did you mean 'tool_used'?"),
    ('at_least: "Good"', 'at_least: "Adequate"', 30, "'Adequate' is not a level of column 'practice_grade'"),
    ("    - {name: agency, kind: agency, aliases: [organisation]}\n", "", 14, "lacks the column 'agency'"),
    ('demo: {"Yes": 0.7', 'demo: {"Yse": 0.7', 13, "'Yse' is never an answer of column 'tool_used'"),
    ('practice: ["Outstanding", "Good",', 'practice: ["Good", "Good",', 5, "lists a level twice"),
    ("demo: {cases: 40, seed: 7}", "demo: {cases: 40, seed: 7}\nbreakdowns: {by: [category]}", 34,
     "the breakdown 'category' cannot be made: it needs a Cases column of kind category"),
    ("demo: {cases: 40, seed: 7}", "demo: {cases: 40, seed: 7}\nbreakdowns: {by: [], measures: [tool]}", 34,
     "the breakdowns name measure 'tool', which is not declared"),
    ('rule: {kind: grade_distribution, column: practice_grade, at_least: "Good"}',
     'rule: {kind: all_of, rules: [{kind: grade_distribution, column: practice_grade, at_least: "Good"}, '
     '{kind: answer, column: tool_used, met: ["Yes"]}]}', 30, "a grade_distribution is a measure's own rule"),
]


@pytest.mark.parametrize("old, new, line, words", LONG_ERRORS, ids=[e[3] for e in LONG_ERRORS])
def test_a_column_or_section_error_is_one_line_naming_the_file_the_line_and_what_to_fix(tmp_path, old, new, line,
                                                                                       words):
    assert old in LONG
    path = written(tmp_path, LONG.replace(old, new, 1))
    with pytest.raises(AuditInputError) as raised:
        load_definition(path)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"{path}, line {line}: "), message
    assert words in message


def test_the_columns_each_measure_reads_come_from_its_rules_and_its_gates():
    from helpers.domain.definition import measure_columns
    from helpers.measures.comparison import MEASURE_COLUMNS

    computed = measure_columns(load_definition(CP_CONFERENCES))
    assert list(computed) == list(MEASURE_COLUMNS)
    # The CP audit's hand-written map, but for the agency column, which every workbook has (an identifying column).
    assert {m: set(c) - {"agency"} for m, c in computed.items()} == {m: set(c) for m, c in MEASURE_COLUMNS.items()}
    # inquorate_reason_recorded is gated on conference_quorate, so it reads attendance too.
    assert "attended" in computed["inquorate_reason_recorded"]


def test_a_definition_is_read_again_once_its_file_changes(tmp_path):
    import os

    from helpers.domain.definition import cp_conferences, definition_at

    path = written(tmp_path, MINIMAL)
    first = definition_at(str(path))
    assert definition_at(str(path)) is first  # read once while unchanged
    path.write_text(MINIMAL.replace('title: "Minimal audit"', 'title: "Minimal audit, again"'), encoding="utf-8")
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 1_000_000))
    assert definition_at(str(path)).title == "Minimal audit, again"
    assert definition_at(str(CP_CONFERENCES)) is cp_conferences()


def test_a_definition_named_from_the_project_s_folder_is_found_from_the_notebooks_folder(monkeypatch):
    """Notebooks run in notebooks/; the README and make name definitions from the project's folder."""
    from helpers.domain.definition import CP_CONFERENCES, definition_at

    monkeypatch.chdir(CP_CONFERENCES.parent.parent / "notebooks")
    assert definition_at("audits/neglect.yaml").title == "Multi-agency audit of neglect"
