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
    for path in (CP_CONFERENCES, written(tmp_path, MINIMAL)):
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
