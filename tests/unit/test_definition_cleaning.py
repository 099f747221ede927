"""Issue 23: the reading and cleaning follow an audit definition that is not the child protection conference
audit's: its headers and aliases, its window date, its personal columns, its grade scale, its measure ids in the
Recommendations sheet and its working-days intervals. Every expected value is worked out from the rows below."""
from __future__ import annotations

import textwrap

import openpyxl
import pandas as pd
import pytest

import helpers
from helpers.domain.definition import load_definition

DEFINITION = textwrap.dedent("""\
    title: "Neglect, in short"
    key_lines_of_enquiry:
      - {id: "1 Timeliness", title: "Timeliness"}
    grade_scales:
      practice: ["Strong", "Fair", "Weak"]
    window_date: referral_date
    columns:
      Cases:
        - {name: case_ref, kind: case_ref, aliases: [child_id]}
        - {name: child_name, kind: text, required: false, personal: true}
        - {name: date_of_birth, kind: date, aliases: [dob], personal: true}
        - {name: referral_date, kind: date}
        - {name: strategy_date, kind: date}
        - {name: tool_used, kind: yn}
      Agency returns:
        - {name: case_ref, kind: case_ref, aliases: [child_id]}
        - {name: agency, kind: agency}
        - {name: practice_grade, kind: grade, scale: practice}
    parameters:
      strategy_working_days: {kind: working_days, default: 3}
    measures:
      - id: strategy_timely
        key_line: "1 Timeliness"
        label: "Strategy discussion within {strategy_working_days} working days"
        definition: "working days from referral to strategy discussion <= {strategy_working_days}"
        statement: "the strategy discussion was held in time"
        rule: {kind: working_days, from: referral_date, to: strategy_date, at_most: strategy_working_days}
      - id: practice_fair
        key_line: secondary
        label: "Practice fair or strong"
        definition: "every graded return Fair or Strong"
        statement: "practice was fair or strong"
        rule: {kind: grade_distribution, column: practice_grade, at_least: "Fair"}
    breakdowns: {by: [age_band]}
    glossary:
      - {term: "Strategy discussion", meaning: "The meeting that decides whether to start enquiries."}
    """)

# Child id, name, dob, referral, strategy discussion, tool used. N03's strategy discussion is before its referral
# (a negative interval); N04's referral is outside the window.
CASES = [("N01", "Ada Zephyrine", "01/02/2015", "02/06/2025", "04/06/2025", "Yes"),
         ("N02", "Bo Quillfeather", "03/03/2018", "09/06/2025", "20/06/2025", "No"),
         ("N03", "Cy Marchbanks", "05/05/2012", "10/06/2025", "09/06/2025", "Yes"),
         ("N04", "Di Oakenshield", "07/07/2016", "10/01/2025", "11/01/2025", "Yes")]
# Grades written as levels, as their numbers (1 the best) and N/A.
RETURNS = [("N01", "Police", "Strong"), ("N01", "School", "2"), ("N02", "Police", "3"), ("N03", "GP", "N/A"),
           ("N04", "Police", "Strong")]


def workbook(path):
    book = openpyxl.Workbook()
    cases = book.active
    cases.title = "Cases"
    cases.append(["Child ID", "child_name", "DOB", "Referral date", "Strategy date", "Tool used"])
    for row in CASES:
        cases.append(list(row))
    returns = book.create_sheet("Agency returns")
    returns.append(["child_id", "Agency", "Practice grade"])
    for row in RETURNS:
        returns.append(list(row))
    audit = book.create_sheet("Audit")
    for row in (["field", "value"], ["window_start", "01/04/2025"], ["window_end", "30/09/2025"]):
        audit.append(row)
    recs = book.create_sheet("Recommendations")
    for row in (["recommendation", "measures"], ["Hold them sooner", "strategy_timely; icpc_timely"]):
        recs.append(row)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    folder = tmp_path_factory.mktemp("neglect")
    definition_path = folder / "neglect-short.yaml"
    definition_path.write_text(DEFINITION, encoding="utf-8")
    definition = load_definition(definition_path)
    return helpers.audit(workbook(folder / "short.xlsx"), definition=definition, key=b"k" * 32), definition


def test_the_window_applies_to_the_definition_s_window_date(audited):
    audit, _ = audited
    outcomes = audit.cleaned.reconciliation.set_index(["sheet", "outcome"])["rows"]
    assert outcomes["Cases", "included"] == 3 and outcomes["Cases", "outside_terms_of_reference"] == 1
    assert outcomes["Agency returns", "included"] == 4 and outcomes["Agency returns", "outside_terms_of_reference"] == 1


def test_personal_columns_never_leave_and_the_age_band_is_taken_at_the_window_date(audited):
    audit, _ = audited
    cases = audit.cleaned.cases
    assert "child_name" not in cases and "date_of_birth" not in cases and "case_ref" not in cases
    # Born 01/02/2015, referred 02/06/2025: 10; 03/03/2018 -> 7; 05/05/2012 -> 13.
    assert cases["age_band"].tolist() == ["10-15", "5-9", "10-15"]
    assert "no_referral_date" in cases


def test_a_grade_scale_of_the_definition_s_own_reads_levels_and_numbers(audited):
    audit, _ = audited
    assert audit.cleaned.agency_returns["practice_grade"].tolist() == ["Strong", "Fair", "Weak", "N/A"]
    grades = audit.measured.grade_distribution
    assert grades[["level", "count"]].values.tolist() == [["Strong", 1], ["Fair", 1], ["Weak", 1]]
    # N01: Strong and Fair -> met; N02: Weak -> not met; N03: only N/A -> not recorded.
    statuses = audit.measured.statuses.set_index("case_id")["practice_fair"].tolist()
    assert sorted(statuses) == ["met", "not_met", "not_recorded"]


def test_measures_use_the_definition_s_parameters_and_a_negative_interval_is_listed(audited):
    audit, _ = audited
    row = audit.findings.set_index("measure_id").loc["strategy_timely"]
    # N01: 2 working days (met); N02: 9 (not met); N03: negative (not recorded).
    assert (row["numerator"], row["denominator"], row["not_recorded"]) == (1, 2, 1)
    assert row["label"] == "Strategy discussion within 3 working days"
    rows = audit.cleaned.data_quality_rows
    negative = rows[rows["issue"] == "negative_interval"]
    assert negative[["column", "row"]].values.tolist() == [["strategy_date", 4]]


def test_a_recommendation_naming_another_audit_s_measure_is_an_unknown_measure(audited):
    audit, _ = audited
    assert audit.cleaned.recommendations["measures"].tolist() == ["strategy_timely"]
    quality = audit.cleaned.data_quality
    assert quality[quality["issue"] == "unknown_measure"]["value"].tolist() == ["icpc_timely"]


def test_another_definition_s_audit_has_its_own_id_and_title(audited):
    audit, definition = audited
    assert audit.settings["audit_title"] == "Neglect, in short"
    assert audit.audit_id == "neglect-short-short-2025-04-01-to-2025-09-30"
    assert type(audit.params).definition is definition


# --- make template and make check follow the definition -------------------------------------------

@pytest.fixture(scope="module")
def definition(tmp_path_factory):
    path = tmp_path_factory.mktemp("definition") / "neglect-short.yaml"
    path.write_text(DEFINITION, encoding="utf-8")
    return load_definition(path)


def test_the_template_has_the_definition_s_columns_and_drop_downs(definition, tmp_path):
    from helpers.template.workbook import write_template

    book = openpyxl.load_workbook(write_template(tmp_path / "template.xlsx", definition))
    assert [c.value for c in book["Cases"][1]] == ["case_ref", "child_name", "date_of_birth", "referral_date",
                                                   "strategy_date", "tool_used"]
    assert [c.value for c in book["Agency returns"][1]] == ["case_ref", "agency", "practice_grade"]
    lists = {column[0].value: [c.value for c in column[1:] if c.value] for column in book["Lists"].iter_cols()}
    grade_list = next(name for name in lists if name.startswith("grade_"))
    assert lists[grade_list] == ["Strong", "Fair", "Weak"]  # the scale, best first
    assert lists["measure_ids"] == ["strategy_timely", "practice_fair"]
    checks = {str(v.sqref).split(":")[0]: v for v in book["Agency returns"].data_validations.dataValidation}
    assert checks["C2"].formula1 == f"choices_{grade_list}"
    cases_checks = {str(v.sqref).split(":")[0]: v for v in book["Cases"].data_validations.dataValidation}
    assert "Used for: Strategy discussion within 3 working days." in cases_checks["E2"].prompt
    assert book.properties.title == "Neglect, in short: audit workbook"


def test_make_check_reads_a_workbook_with_the_definition_and_says_what_a_grade_accepts(definition, tmp_path):
    from helpers.run.check import check_workbook

    path = workbook(tmp_path / "short.xlsx")
    book = openpyxl.load_workbook(path)
    book["Agency returns"]["C3"] = "Middling"  # N01's School return: not a level of the scale
    book.save(path)
    feedback = check_workbook(path, b"k" * 32, definition=definition)
    problems = feedback.problems
    grade = problems[problems["column"] == "practice_grade"]
    assert grade[["row", "value", "issue"]].values.tolist() == [[3, "Middling", "unrecognised"]]
    assert grade["accepted"].iloc[0] == "one of: Strong, Fair, Weak"
    negative = problems[problems["issue"] == "negative_interval"]
    assert negative["value"].tolist() == ["09/06/2025 (before it, Referral date: 10/06/2025)"]


def test_the_docs_of_another_definition_list_its_measures_columns_and_grade_scales(definition):
    import sys

    from helpers import config

    sys.path.insert(0, str(config.PROJECT_ROOT / "tools"))
    from make_docs import input_format_markdown, measures_markdown

    measures = measures_markdown(definition)
    assert "| `strategy_timely` | 1 Timeliness: Timeliness | Strategy discussion within 3 working days |" in measures
    assert "`practice_fair` | secondary" in measures and "icpc_timely" not in measures
    assert "Children subject to a child protection plan" not in measures  # no census context declared
    workbook_format = input_format_markdown(definition)
    assert "| `referral_date` |  | yes | date |  | `strategy_timely` |" in workbook_format
    assert "| `child_name` |  | no | text (personal data: never leaves cleaning) |" in workbook_format
    assert "| `practice_grade` |  | yes | grade (Strong, Fair, Weak) |" in workbook_format
    assert "| practice | 1. Strong, 2. Fair, 3. Weak | `practice_grade` |" in workbook_format
    assert "`strategy_timely`, `practice_fair`. An unknown id" in workbook_format
    assert "icpc_date" not in workbook_format


def test_the_data_dictionary_of_another_definition_declares_its_outputs(audited, tmp_path):
    from helpers.run.dictionary import output_files, undeclared

    audit, definition = audited
    audit.write(tmp_path)
    assert undeclared(tmp_path, definition) == {}
    cases = next(f for f in output_files(definition) if f.name == "cases.csv")
    assert cases.names == ("case_id", "age_band", "tool_used", "referral_date", "referral_date_not_applicable",
                           "strategy_date", "strategy_date_not_applicable", "no_referral_date")
    assert tuple(audit.cleaned.cases.columns) == cases.names
    # The CP audit's dictionary does not declare another audit's columns.
    assert "practice_grade" in undeclared(tmp_path)["agency_returns.csv"]


def test_a_run_of_another_definition_takes_its_parameters_and_refuses_the_cp_audit_s(definition, tmp_path,
                                                                                      monkeypatch):
    from helpers.errors import AuditInputError
    from helpers.run import pipeline

    for name in ("CPA_GIVEN", "CPA_ICPC_WORKING_DAYS", "CPA_AUDIT_DEFINITION", "STRATEGY_WORKING_DAYS"):
        monkeypatch.delenv(name, raising=False)
    raw = workbook(tmp_path / "short.xlsx")
    given = ["report", "--audit-definition", str(definition.path), "--raw", str(raw)]
    request = pipeline.request_from(pipeline.parse(given + ["--strategy-working-days", "7"]))
    assert vars(request.params) == {"strategy_working_days": 7}
    assert type(request.params).definition.path == definition.path
    assert request.inputs()["definition"]["file"] == str(definition.path)
    # As a make variable: STRATEGY_WORKING_DAYS=4 on make's command line.
    monkeypatch.setenv("CPA_GIVEN", "AUDIT_DEFINITION RAW STRATEGY_WORKING_DAYS")
    monkeypatch.setenv("STRATEGY_WORKING_DAYS", "4")
    assert vars(pipeline.request_from(pipeline.parse(given)).params) == {"strategy_working_days": 4}
    with pytest.raises(AuditInputError, match="ICPC_WORKING_DAYS is not a parameter of this audit"):
        pipeline.request_from(pipeline.parse(given + ["--icpc-working-days", "20"]))
    with pytest.raises(SystemExit):  # an option no parameter of the definition has
        pipeline.parse(given + ["--strategy-working-day", "7"])


def test_the_breakdowns_and_glossary_are_the_definition_s(audited):
    from helpers.report.board_paper import glossary_of

    audit, definition = audited
    # By age band, the key-line measures (strategy_timely): N01 10-15 met, N02 5-9 not met, N03 10-15 not recorded.
    by_age = audit.measured.by_age_band
    assert by_age[["group", "measure_id", "met", "assessed", "cases"]].values.tolist() == \
        [["5-9", "strategy_timely", 0, 1, 1], ["10-15", "strategy_timely", 1, 1, 2]]
    assert audit.measured.by_category.empty  # not asked for
    assert list(audit.measured.by_agency_group.columns) == ["agency_group", "returns"]
    assert [term for term, _ in glossary_of(definition)] == ["Strategy discussion", "95% interval", "Working days",
                                                             "Partly"]


def test_another_definition_s_demo_sits_beside_the_cp_demo_and_is_renamed_when_its_definition_changes(tmp_path):
    from helpers import config
    from helpers.run.pipeline import demo_path

    path = tmp_path / "neglect-short.yaml"
    path.write_text(DEFINITION, encoding="utf-8")
    first = demo_path(load_definition(path))
    assert first.parent == config.DEMO_WORKBOOK.parent and first.name.startswith("SYNTHETIC_neglect-short_demo_")
    assert demo_path(load_definition(path)) == first  # the same definition, the same demo
    path.write_text(DEFINITION.replace("default: 3", "default: 4"), encoding="utf-8")
    assert demo_path(load_definition(path)) != first


def test_explore_reads_another_definition_s_folder_and_measures_it_again(audited, tmp_path):
    from helpers import explore

    audit, definition = audited
    audit.write(tmp_path / "folder")
    explored = explore.load(tmp_path / "folder", definition)
    assert explored.audit_id == audit.audit_id
    measured = explored.measure("strategy_timely")
    assert measured[["numerator", "denominator"]].values.tolist() == [[1, 2]]
    pd.testing.assert_frame_equal(explored.findings.reset_index(drop=True), audit.findings.reset_index(drop=True),
                                  check_dtype=False)


def test_the_published_grade_distribution_withholds_every_percentage_beside_a_small_count(definition):
    from helpers.domain.measures import parameters_for
    from helpers.report.sections import grade_distribution_section

    rows = pd.DataFrame({"measure_id": "practice_fair", "column": "practice_grade", "level": ["Strong", "Fair", "Weak"],
                         "count": [3, 7, 0], "percent": [30.0, 70.0, 0.0], "at_or_above": [True, True, False]})
    params = parameters_for(definition)()
    published = grade_distribution_section(rows, "published", params)
    cells = [cell for cell in published.split('<td class="num">')[1:]]
    assert [cell.split("<")[0] for cell in cells] == ["c", "c", "7", "c", "0", "c"]  # 7 of 70% would give 10
    assert "<img" not in published
    board = grade_distribution_section(rows, "board", params)
    assert "<img" in board and "Strong: 3 (30%)" in board


def test_the_check_and_the_report_speak_of_the_definition_s_window_date_and_never_of_quoracy(definition, tmp_path):
    """Another audit's feedback and data-quality annex: its window date (not the ICPC's) and an unknown agency
    kept in group Unmapped (quoracy is the conference audit's)."""
    from helpers.report.sections import data_quality_section
    from helpers.run.check import check_workbook

    path = workbook(tmp_path / "short.xlsx")
    book = openpyxl.load_workbook(path)
    book["Agency returns"]["B3"] = "Neighbourhood hub"  # N01's School return: an agency not in the list
    book.save(path)
    feedback = check_workbook(path, b"k" * 32, definition=definition)
    words = " ".join([*feedback.problems["what_is_wrong"], *feedback.excluded["reason"],
                      *feedback.excluded_by_reason()["reason"], *feedback.problems_by_kind()["what_is_wrong"]])
    assert "group Unmapped" in words and "referral_date is before window_start" in words
    assert "quoracy" not in words and "ICPC" not in words
    quality = pd.DataFrame({"sheet": ["Agency returns", "Cases"], "column": ["agency", "referral_date"],
                            "value": ["neighbourhood hub", ""], "issue": ["unmapped_agency",
                                                                         "no_referral_date_in_window"],
                            "rows": [1, 1]})
    reconciliation = pd.DataFrame({"sheet": ["Cases"], "outcome": ["included"], "rows": [4]})
    annex = data_quality_section(reconciliation, quality, "board", cp_audit=False)
    assert "kept in group Unmapped" in annex and "No referral date (kept in the audit)" in annex
    assert "quoracy" not in annex and "ICPC" not in annex


def test_notebook_02_by_hand_takes_another_audit_s_thresholds_and_refuses_the_cp_audit_s(audited, tmp_path):
    """`thresholds` in notebook 02 (`findings_folder`) measures another audit again with its own thresholds; a
    conference-audit threshold given to it is refused with one line instead of being dropped."""
    from helpers.errors import AuditInputError
    from helpers.run.loaders import findings_folder

    audit, definition = audited
    audit.write(tmp_path / "folder")
    folder, params = findings_folder(tmp_path / "folder", str(tmp_path / "again"), (), str(definition.path),
                                     strategy_working_days="30")
    assert params.strategy_working_days == 30 and folder == tmp_path / "again"
    again = pd.read_csv(folder / "findings.csv").set_index("measure_id")
    before = audit.findings.set_index("measure_id")
    # N02's strategy discussion came 9 working days after its referral: late at 3 days, in time at 30.
    assert before.loc["strategy_timely", ["numerator", "denominator"]].tolist() == [1, 2]
    assert again.loc["strategy_timely", ["numerator", "denominator"]].tolist() == [2, 2]
    assert (pd.read_csv(tmp_path / "folder" / "findings.csv").set_index("measure_id")["numerator"]
            == before["numerator"]).all()  # the folder read is unchanged
    with pytest.raises(AuditInputError, match="'icpc_working_days' is not a threshold of this audit"):
        findings_folder(tmp_path / "folder", str(tmp_path / "other"), (), str(definition.path),
                        icpc_working_days="20")
