"""The synthetic demo written from an audit definition (helpers.run.demo_definition)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from test_definition_properties import definitions as random_definitions

import helpers
from conftest import KEY, ROOT, examples
from helpers.domain.answers import AGENCY_GROUP_OF, NA_ANSWER
from helpers.domain.definition import load_definition
from helpers.domain.workdays import business_calendar
from helpers.read.cells import normalise_agency_name, normalise_header
from helpers.run.demo_definition import SYNTHETIC, build_rows, write_definition_demo

NEGLECT = ROOT / "audits" / "neglect.yaml"

MINIMAL = """\
title: "Minimal audit"
key_lines_of_enquiry: [{id: "1 Plan", title: "Planning"}]
window_date: plan_date
columns:
  Cases: {case_ref: case_ref, plan_date: date, review_date: date, plan_reviewed: ypn}
  Agency returns: {case_ref: case_ref, agency: agency}
parameters: {review_working_days: {kind: working_days, default: 20}}
measures:
  - {id: plan_reviewed, key_line: "1 Plan", label: "Plan reviewed", definition: "Yes / Yes, Partly or No",
     statement: "the plan was reviewed", rule: {kind: answer, column: plan_reviewed, met: ["Yes"]}}
  - {id: review_timely, key_line: "1 Plan", label: "Review within {review_working_days} working days",
     definition: "working days <= {review_working_days}", statement: "the review was in time",
     rule: {kind: working_days, from: plan_date, to: review_date, at_most: review_working_days}}
demo: {cases: 12, seed: 7}
"""


@pytest.fixture(scope="module")
def neglect():
    return load_definition(NEGLECT)


@pytest.fixture(scope="module")
def neglect_demo(neglect, tmp_path_factory):
    return write_definition_demo(neglect, tmp_path_factory.mktemp("demo") / "neglect_demo.xlsx")


def sheet_rows(path, name):
    book = openpyxl.load_workbook(path)
    rows = list(book[name].iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_every_declared_column_is_written_under_a_header_the_reader_matches(neglect, neglect_demo):
    for sheet in neglect.sheets.values():
        header, _ = sheet_rows(neglect_demo, sheet.name)
        assert [normalise_header(h) for h in header] == [c.name for c in sheet.columns]


def test_the_demo_has_the_declared_number_of_cases_and_two_to_five_returns_each(neglect, neglect_demo):
    _, cases = sheet_rows(neglect_demo, "Cases")
    _, returns = sheet_rows(neglect_demo, "Agency returns")
    assert len(cases) == neglect.demo.cases
    refs = [row[0] for row in cases]
    assert len(set(refs)) == len(refs)
    per_case = {ref: sum(1 for row in returns if row[0] == ref) for ref in refs}
    assert set(per_case.values()) <= {2, 3, 4, 5} and len(set(per_case.values())) > 1
    # Every agency is one of spec section 5's names: none is unmapped.
    assert all(normalise_agency_name_one(row[1]) in AGENCY_GROUP_OF for row in returns)


def normalise_agency_name_one(name: str) -> str:
    import pandas as pd
    return normalise_agency_name(pd.Series([name]))[0]


def test_same_definition_same_bytes_and_the_earlier_demo_differs(neglect, tmp_path):
    first = write_definition_demo(neglect, tmp_path / "a.xlsx").read_bytes()
    second = write_definition_demo(neglect, tmp_path / "b.xlsx").read_bytes()
    earlier = write_definition_demo(neglect, tmp_path / "c.xlsx", earlier=True).read_bytes()
    assert first == second
    assert earlier != first


def test_another_seed_gives_other_answers(tmp_path):
    path = tmp_path / "neglect.yaml"
    path.write_text(NEGLECT.read_text().replace("seed: 2026", "seed: 2027"))
    reseeded = build_rows(load_definition(path))
    original = build_rows(load_definition(NEGLECT))
    assert [row["neglect_tool_used"] for row in reseeded.cases] != [row["neglect_tool_used"] for row in original.cases]


def test_the_demo_says_it_is_synthetic(neglect, neglect_demo):
    book = openpyxl.load_workbook(neglect_demo)
    fields = dict(row for row in book["Audit"].iter_rows(min_row=2, values_only=True))
    assert fields["audit_title"].startswith(SYNTHETIC) and neglect.title in fields["audit_title"]
    assert SYNTHETIC in book["About this file"]["A1"].value


def test_dates_are_day_first_date_cells_in_the_past_and_the_window_dates_in_the_window(neglect, neglect_demo):
    book = openpyxl.load_workbook(neglect_demo)
    header, *rows = list(book["Cases"].iter_rows())
    names = [normalise_header(cell.value) for cell in header]
    fields = dict(row for row in book["Audit"].iter_rows(min_row=2, values_only=True))
    start, end = fields["window_start"], fields["window_end"]
    for column in (c for c in neglect.cases.columns if c.kind == "date"):
        cells = [row[names.index(column.name)] for row in rows]
        dated = [cell for cell in cells if isinstance(cell.value, dt.datetime)]
        assert dated, column.name
        assert all(cell.number_format == "dd/mm/yyyy" for cell in dated)
        assert all(cell.value.date() < dt.date.today() for cell in dated)
        assert all(cell.value in (None, NA_ANSWER) for cell in cells if cell not in dated)
        if column.name == neglect.window_date:
            assert len(dated) == len(cells) and all(start <= cell.value <= end for cell in dated)


def test_working_day_intervals_fall_on_both_sides_of_their_thresholds(neglect):
    rows = build_rows(neglect).cases
    for begin, end, threshold in (("referral_date", "strategy_discussion_date", 3),
                                  ("referral_date", "assessment_completed_date", 45)):
        pairs = [(r[begin], r[end]) for r in rows if not np.isnat(r[end])]
        days = np.busday_count(np.array([p[0] for p in pairs], dtype="datetime64[D]"),
                               np.array([p[1] for p in pairs], dtype="datetime64[D]"), busdaycal=business_calendar())
        assert (days >= 0).all()
        assert (days <= threshold).any() and (days > threshold).any(), (end, days)
        assert len(pairs) < len(rows)  # a few answered N/A: no strategy discussion or assessment was needed


def test_an_answer_behind_a_gate_is_na_where_the_gate_is_shut(neglect):
    for row in build_rows(neglect).cases:
        if row["drift_delay_identified"] == "No":
            assert row["escalation_raised"] == NA_ANSWER
        if row["was_not_brought"] == "No":
            assert row["was_not_brought_followed_up"] == NA_ANSWER


def test_demo_weights_shape_the_answers(neglect):
    returns = build_rows(neglect).returns
    shared = np.mean([r["information_shared"] == "Yes" for r in returns])
    grades = {r["practice_grade"] for r in returns}
    assert 0.7 < shared < 0.97  # declared 0.85 of about 200 returns
    assert grades == {"Outstanding", "Good", "Requires improvement", "Inadequate"}


def test_every_answer_is_accepted_by_the_cleaning(neglect, neglect_demo):
    audit = helpers.audit(neglect_demo, definition=neglect, key=KEY)
    quality = audit.cleaned.data_quality
    assert quality[quality["issue"] == "unrecognised"].empty
    outcomes = audit.cleaned.reconciliation.set_index(["sheet", "outcome"])["rows"]
    assert outcomes[("Cases", "included")] == neglect.demo.cases
    assert outcomes.drop([("Cases", "included"), ("Agency returns", "included")], errors="ignore").sum() == 0


def test_a_minimal_definition_gets_its_demo_too(tmp_path):
    path = tmp_path / "minimal.yaml"
    path.write_text(MINIMAL)
    definition = load_definition(path)
    workbook = write_definition_demo(definition, tmp_path / "minimal.xlsx")
    header, cases = sheet_rows(workbook, "Cases")
    assert [normalise_header(h) for h in header] == ["case_ref", "plan_date", "review_date", "plan_reviewed"]
    assert len(cases) == 12
    assert {row[3] for row in cases} <= {"Yes", "Partly", "No"}
    audit = helpers.audit(workbook, definition=definition, key=KEY)
    findings = audit.findings.set_index("measure_id")
    assert (findings["denominator"] + findings["not_applicable"] + findings["not_recorded"] == 12).all()


def test_the_current_demo_lists_the_earlier_recommendations_again_with_their_progress(neglect):
    earlier, current = build_rows(neglect, earlier=True).recommendations, build_rows(neglect).recommendations
    assert [r["status"] for r in earlier] == ["In progress", "In progress"]
    assert [r["recommendation"] for r in current[:2]] == [r["recommendation"] for r in earlier]
    assert [r["status"] for r in current] == ["Complete", "In progress", "Not started"]
    key_lines = [neglect.measure(r["measures"]).key_line for r in current]
    assert key_lines == list(neglect.key_lines)[:3]


def test_a_definition_without_dates_gets_a_demo_that_cleans(tmp_path):
    path = tmp_path / "undated.yaml"
    path.write_text(MINIMAL.replace("window_date: plan_date\n", "").replace(
        "{case_ref: case_ref, plan_date: date, review_date: date, plan_reviewed: ypn}",
        "{case_ref: case_ref, plan_reviewed: ypn}").split("  - {id: review_timely")[0]
        + "demo: {cases: 12, seed: 7}\n")
    definition = load_definition(path)
    workbook = write_definition_demo(definition, tmp_path / "undated.xlsx")
    header, cases = sheet_rows(workbook, "Cases")
    assert [normalise_header(h) for h in header] == ["case_ref", "plan_reviewed"]
    findings = helpers.audit(workbook, definition=definition, key=KEY).findings
    assert findings["denominator"].sum() + findings["not_applicable"].sum() + findings["not_recorded"].sum() == 12


def test_same_bytes_in_another_process_whatever_its_hash_seed(neglect, tmp_path):
    """Python orders a set of names differently in each process (PYTHONHASHSEED): the demo must not follow it."""
    import hashlib
    import os
    import subprocess
    import sys

    here = hashlib.sha256(write_definition_demo(neglect, tmp_path / "here.xlsx").read_bytes()).hexdigest()
    script = ("import hashlib, sys; from helpers.domain.definition import load_definition; "
              "from helpers.run.demo_definition import write_definition_demo; "
              "print(hashlib.sha256(write_definition_demo(load_definition(sys.argv[1]), sys.argv[2]).read_bytes())"
              ".hexdigest())")
    for seed in map(str, range(1, examples(dev=3, ci=8) + 1)):  # a set's order differs under most seeds
        result = subprocess.run([sys.executable, "-c", script, str(NEGLECT), str(tmp_path / f"{seed}.xlsx")],
                                env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True, check=True)
        assert result.stdout.strip() == here


def test_two_dates_measured_against_each_other_only_are_spread_around_their_threshold(tmp_path):
    """A working_days rule between two dates tied to no window date still gets intervals either side of it."""
    path = tmp_path / "loose.yaml"
    path.write_text(MINIMAL.replace(
        "{case_ref: case_ref, plan_date: date, review_date: date, plan_reviewed: ypn}",
        "{case_ref: case_ref, plan_date: date, visit_date: date, visit_report_date: date, plan_reviewed: ypn}")
        .replace("from: plan_date, to: review_date", "from: visit_date, to: visit_report_date")
        .replace("cases: 12", "cases: 80"))
    definition = load_definition(path)
    rows = build_rows(definition).cases
    pairs = [(r["visit_date"], r["visit_report_date"]) for r in rows
             if not (np.isnat(r["visit_date"]) or np.isnat(r["visit_report_date"]))]
    days = np.busday_count(np.array([p[0] for p in pairs], dtype="datetime64[D]"),
                           np.array([p[1] for p in pairs], dtype="datetime64[D]"), busdaycal=business_calendar())
    assert (days >= 0).all() and (days <= 20).any() and (days > 20).any()
    assert all(r["visit_date"] >= r["plan_date"] for r in rows if not np.isnat(r["visit_date"]))


@settings(max_examples=examples(10, 40))
@given(random_definitions(), st.integers(0, 2**31 - 1))
def test_any_definition_gets_a_demo_the_cleaning_accepts_whole(tmp_path_factory, document, seed):
    """Random definitions built from every rule kind (the property test's): the demo written for each is cleaned
    with no unrecognised value and every row included, and each measure accounts for every case."""
    folder = tmp_path_factory.mktemp("random")
    path = folder / "random.yaml"
    path.write_text(yaml.safe_dump({**document, "demo": {"cases": 15, "seed": seed}}, sort_keys=False))
    definition = load_definition(path)
    audit = helpers.audit(write_definition_demo(definition, folder / "demo.xlsx"), definition=definition, key=KEY)
    quality = audit.cleaned.data_quality
    assert quality[quality["issue"].isin(["unrecognised", "unmapped_agency", "implausible_date"])].empty
    outcomes = audit.cleaned.reconciliation.set_index(["sheet", "outcome"])["rows"]
    assert outcomes[("Cases", "included")] == 15
    assert outcomes.drop([("Cases", "included"), ("Agency returns", "included")], errors="ignore").sum() == 0
    findings = audit.findings
    assert (findings["denominator"] + findings["not_applicable"] + findings["not_recorded"] == 15).all()
