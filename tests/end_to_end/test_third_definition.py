"""Issue 23: a third, minimal audit definition (3 columns, 2 measures), written in a temporary folder, runs through
the whole pipeline (`python -m helpers report --audit-definition ... --raw ...`) on a workbook generated for it.
Every count below is worked out by hand from the rows the test writes."""
from __future__ import annotations

import json
import textwrap

import openpyxl
import pandas as pd
import pytest

from conftest import processed_folder, report_files, run_report
from helpers.domain.definition import load_definition
from helpers.run.dictionary import undeclared

pytestmark = pytest.mark.slow

# Three columns of Cases (the case reference, a Yes/No question, a grade on a scale of the audit's own) and two
# measures. Agency returns is not declared, so it has its two identifying columns.
DEFINITION = textwrap.dedent("""\
    title: "Audit of home visits"
    key_lines_of_enquiry:
      - {id: "1 Visits", title: "Visits to the child"}
    grade_scales:
      visit: ["Good", "Adequate", "Poor"]
    columns:
      Cases:
        - {name: case_ref, kind: case_ref, aliases: [case_reference]}
        - {name: child_seen_alone, kind: yn, question: "Was the child seen alone?"}
        - {name: visit_quality, kind: grade, scale: visit, question: "How good was the visit?"}
    measures:
      - id: child_seen_alone
        key_line: "1 Visits"
        label: "Child seen alone"
        definition: "Yes / Yes or No"
        statement: "the child was seen alone"
        practice: "See the child on their own at every visit."
        rule: {kind: answer, column: child_seen_alone, met: ["Yes"]}
      - id: visit_good
        key_line: secondary
        label: "Visit good"
        definition: "Good / any grade"
        statement: "the visit was good"
        rule: {kind: grade_distribution, column: visit_quality, at_least: "Good"}
    secondary_findings: ["Visits were rarely recorded on the day."]
    """)

# (case_ref, child seen alone, visit quality): Yes 5, No 3, N/A 1, missing 1 -> 5 met of 8, 1 N/A, 1 not recorded.
# Grades: Good 4 (one written "1"), Adequate 3, Poor 2, N/A 1 -> 4 of 9 graded at or above Good.
CASES = [("V-01", "Yes", "Good"), ("V-02", "yes", "1"), ("V-03", "Yes", "Adequate"), ("V-04", "Y", "Poor"),
         ("V-05", "Yes", "Good"), ("V-06", "No", "adequate"), ("V-07", "No", "Good"), ("V-08", "No", "Poor"),
         ("V-09", "N/A", "Adequate"), ("V-10", None, "N/A")]


def generated_workbook(path, cases=CASES, title=None, without=()):
    """The workbook for the definition: its three columns (but those `without`), four returns, the Audit sheet."""
    headers = [h for h, name in (("Case reference", "case_ref"), ("Child seen alone", "child_seen_alone"),
                                 ("Visit quality", "visit_quality")) if name not in without]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cases"
    sheet.append(headers)  # headers as written; one an alias
    for row in cases:
        sheet.append([value for value, name in zip(row, ("case_ref", "child_seen_alone", "visit_quality"))
                      if name not in without])
    returns = book.create_sheet("Agency returns")
    returns.append(["case_ref", "agency"])
    for ref, _, _ in cases[:4]:
        returns.append([ref, "Police"])
    audit = book.create_sheet("Audit")
    audit.append(["field", "value"])
    audit.append(["population", 40])
    if title:
        audit.append(["audit_title", title])
    book.save(path)
    return path


def test_a_minimal_third_definition_runs_the_whole_pipeline(tmp_path):
    definition = tmp_path / "definitions" / "home-visits.yaml"
    definition.parent.mkdir()
    definition.write_text(DEFINITION, encoding="utf-8")
    workbook = generated_workbook(tmp_path / "visits.xlsx")
    workdir = tmp_path / "run"

    result = run_report(workdir, "--audit-definition", str(definition), "--raw", str(workbook))
    assert result.returncode == 0, result.stderr

    folder = processed_folder(workdir)
    assert folder.name == "home-visits-visits"  # the definition's name first: no CP audit shares its folder
    findings = pd.read_csv(folder / "findings.csv").set_index("measure_id")
    assert list(findings.index) == ["child_seen_alone", "visit_good"]
    seen = findings.loc["child_seen_alone"]
    assert (seen["numerator"], seen["denominator"], seen["not_applicable"], seen["not_recorded"]) == (5, 8, 1, 1)
    assert seen["percent"] == 62.5 and seen["kloe"] == "1 Visits"
    good = findings.loc["visit_good"]
    assert (good["numerator"], good["denominator"], good["not_applicable"], good["not_recorded"]) == (4, 9, 1, 0)

    grades = pd.read_csv(folder / "grade_distribution.csv")
    assert grades[["level", "count"]].values.tolist() == [["Good", 4], ["Adequate", 3], ["Poor", 2]]
    assert grades["at_or_above"].tolist() == [True, False, False]

    cases = pd.read_csv(folder / "cases.csv")
    assert list(cases.columns) == ["case_id", "child_seen_alone", "visit_quality"]  # no case reference leaves
    assert json.loads((folder / "audit.json").read_text())["audit_title"] == "Audit of home visits"
    inputs = json.loads((folder / "manifest.json").read_text())["inputs"]
    assert inputs["definition"]["file"] == str(definition)  # another definition is an input of the run
    assert undeclared(folder, load_definition(definition)) == {}  # its data dictionary declares every column

    board = report_files(workdir)["board"].read_text()
    assert "Audit of home visits" in board and "Visits to the child" in board and "Child seen alone" in board
    assert "Visits were rarely recorded on the day." in board and "Visit good: grades given" in board
    for words in ("child protection conference", "ICPC", "quorate", "Father"):  # nothing of the CP audit's
        assert words not in board, words
    for ref, _, _ in CASES:
        for text in (board, report_files(workdir)["published"].read_text()):
            assert ref not in text

    again = run_report(workdir, "--audit-definition", str(definition), "--raw", str(workbook))
    assert again.returncode == 0 and "up to date" in again.stderr


# An earlier audit of the same definition whose workbook did not ask whether the child was seen alone: 3 of its
# 4 visits good.
EARLIER = [("V-01", None, "Good"), ("V-21", None, "Good"), ("V-22", None, "Poor"), ("V-23", None, "Good")]


def test_the_third_definition_is_re_audited_against_an_earlier_workbook(tmp_path):
    definition = tmp_path / "home-visits.yaml"
    definition.write_text(DEFINITION, encoding="utf-8")
    workbook = generated_workbook(tmp_path / "visits.xlsx")
    earlier = generated_workbook(tmp_path / "earlier.xlsx", EARLIER, "Visits last year", ("child_seen_alone",))
    workdir = tmp_path / "run"

    result = run_report(workdir, "--audit-definition", str(definition), "--raw", str(workbook),
                        "--earlier", str(earlier))
    assert result.returncode == 0, result.stderr
    folder = processed_folder(workdir)
    comparison = pd.read_csv(folder / "comparison.csv").set_index("measure_id")
    assert list(comparison.index) == ["child_seen_alone", "visit_good"]
    assert comparison.loc["child_seen_alone", "verdict"] == "not comparable"  # the earlier workbook lacked it
    good = comparison.loc["visit_good"]
    assert (good["earlier_numerator"], good["earlier_denominator"], good["numerator"], good["denominator"]) == \
        (3, 4, 4, 9)
    reaudit = json.loads((folder / "reaudit.json").read_text())["earlier"][0]
    assert reaudit["not_comparable_missing_column"] == ["child_seen_alone"]
    assert reaudit["overlapping_cases"] == 1  # V-01, with the same key
    board = report_files(workdir)["board"].read_text()
    assert "Visits last year" in board
