"""helpers.explore (issue 21): the analysts' read-only way in gives the report's own numbers."""
from __future__ import annotations

import hashlib
import html

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helpers
from conftest import case_row, examples, return_row, write_workbook
from helpers import config, explore
from helpers.domain.measures import MEASURE_IDS
from helpers.errors import AuditInputError
from helpers.measures.breakdowns import BREAKDOWN_MEASURES
from helpers.measures.findings import FINDINGS_COLUMNS, wilson_interval
from helpers.run import demo
from helpers.run.outputs import load_findings_outputs

COUNTS = ["numerator", "denominator", "not_applicable", "not_recorded"]
FIGURES = ["percent", "ci_lower", "ci_upper"]


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    """Every folder explore could touch, inside a temporary folder; the demo workbooks written there."""
    root = tmp_path_factory.mktemp("explore")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(config, "PSEUDONYM_KEY_FILE", root / "test.key")
        patch.setattr(config, "DATA_PROCESSED", root / "processed")
        patch.setattr(config, "REPORTS", root / "reports")
        patch.setattr(config, "BUILD", root / "build")
        patch.setattr(config, "DEMO_WORKBOOK", root / "raw" / "SYNTHETIC_demo_audit_workbook.xlsx")
        current = demo.write_workbook(demo.build_demo(), config.DEMO_WORKBOOK)
        earlier = explore.earlier_demo_workbook()
        made = helpers.audit(current, earlier=[earlier])  # a re-audit: every output file a run can write
        folder = made.write(root / "processed" / made.audit_id)
        (root / "reports" / made.audit_id).mkdir(parents=True)
        (root / "reports" / made.audit_id / "board.html").write_text("<p>the board's report</p>")
        yield {"root": root, "current": current, "earlier": earlier, "audit": made, "folder": folder[0].parent}


@pytest.fixture(scope="module")
def explored(places):
    """The demo loaded as an analyst would: by audit id (read from data/processed) and from its workbook."""
    return {"by_id": explore.load(places["audit"].audit_id), "workbook": explore.load(places["current"])}


def findings_csv(folder) -> pd.DataFrame:
    return load_findings_outputs(folder)["findings"]


def assert_same_row(result: pd.DataFrame, expected: pd.Series) -> None:
    assert list(result.columns) == FINDINGS_COLUMNS and len(result) == 1
    row = result.iloc[0]
    for column in ("measure_id", "kloe", "label", *COUNTS):
        assert row[column] == expected[column], column
    for column in FIGURES:
        assert (pd.isna(row[column]) and pd.isna(expected[column])) or row[column] == expected[column], column


# --- the whole audit is findings.csv ---------------------------------------------------------------------

@pytest.mark.parametrize("how", ["by_id", "workbook"])
def test_every_measure_of_the_whole_audit_is_its_findings_csv_row(places, explored, how):
    expected = findings_csv(places["folder"]).set_index("measure_id", drop=False)
    for measure_id in MEASURE_IDS:
        result = explored[how].measure(measure_id)
        assert_same_row(result, expected.loc[measure_id])
    # The demo's population is 1,000: the whole audit takes the finite population correction, and says so.
    assert result.attrs["finite_population_correction"] is True


def test_a_subgroup_has_no_population_correction_and_says_so(explored, capsys):
    audit = explored["by_id"]
    result = audit.measure("conference_quorate", where="father_attended == 'Yes'")
    assert result.attrs["finite_population_correction"] is False
    assert "no finite population correction" in capsys.readouterr().out
    chosen = audit.cases["father_attended"] == "Yes"
    counts = pd.Series([int(chosen.sum())])
    row = result.iloc[0]
    assert row["denominator"] + row["not_applicable"] + row["not_recorded"] == counts[0]
    lower, upper = wilson_interval(result["numerator"], result["denominator"])
    assert (row["ci_lower"], row["ci_upper"]) == (round(lower[0], 1), round(upper[0], 1))
    corrected, _ = wilson_interval(result["numerator"], result["denominator"], audit.population)
    assert round(corrected[0], 1) != row["ci_lower"]  # the rule made a difference here


# --- by a column: the report's breakdown tables ------------------------------------------------------------

@pytest.mark.parametrize("how", ["by_id", "workbook"])
@pytest.mark.parametrize("by, table", [("cp_category", "category"), ("age_band", "age_band")])
def test_by_a_case_column_is_the_reports_breakdown(places, explored, how, by, table):
    breakdown = load_findings_outputs(places["folder"])[f"by_{table}"]
    for measure_id in BREAKDOWN_MEASURES:
        result = explored[how].measure(measure_id, by=by)
        expected = breakdown[breakdown["measure_id"] == measure_id].reset_index(drop=True)
        assert list(result[by]) == list(expected["group"])
        assert list(result["numerator"]) == list(expected["met"])
        assert list(result["denominator"]) == list(expected["assessed"])
        assert list(result["denominator"] + result["not_applicable"] + result["not_recorded"]) == \
            list(expected["cases"])
        pd.testing.assert_frame_equal(result[FIGURES], expected[FIGURES], check_dtype=False)


@pytest.mark.parametrize("how", ["by_id", "workbook"])
def test_reports_shared_by_agency_group_is_the_reports_agency_table(places, explored, how):
    expected = load_findings_outputs(places["folder"])["by_agency_group"]
    result = explored[how].measure("reports_shared_timely", by="agency_group")
    assert list(result["agency_group"]) == list(expected["agency_group"])
    assert list(result["numerator"]) == list(expected["reports_shared_in_time"])
    assert list(result["denominator"]) == list(expected["reports_submitted"])
    assert list(result["denominator"] + result["not_applicable"]) == list(expected["returns"])
    pd.testing.assert_frame_equal(result[FIGURES], expected[["percent_in_time", "ci_lower", "ci_upper"]]
                                  .set_axis(FIGURES, axis=1), check_dtype=False)
    assert result.attrs["counted"].startswith("reports")


def test_groups_add_up_to_the_whole_audit(explored):
    audit = explored["by_id"]
    for measure_id in MEASURE_IDS:
        whole = audit.measure(measure_id).iloc[0]
        groups = audit.measure(measure_id, by="cp_category")
        assert (groups[COUNTS].sum() == whole[COUNTS]).all(), measure_id


def test_where_and_by_together_choose_then_group(explored):
    audit = explored["by_id"]
    result = audit.measure("child_views_heard", by="age_band", where="cp_category == 'NEG'")
    cases = audit.cases
    neglect = cases[cases["cp_category"] == "NEG"]
    sizes = result.set_index("age_band")[["denominator", "not_applicable", "not_recorded"]].sum(axis=1)
    assert sizes.to_dict() == neglect["age_band"].value_counts().to_dict()


# --- errors name the closest known name ------------------------------------------------------------------

@pytest.mark.parametrize("call, words", [
    (lambda a: a.measure("conference_quorat"), "unknown measure 'conference_quorat' (did you mean "
                                               "'conference_quorate'?"),
    (lambda a: a.measure("icpc_timely", by="age_bnd"), "no column 'age_bnd' in cases (did you mean 'age_band'?"),
    (lambda a: a.measure("icpc_timely", where="fathr_attended == 'Yes'"), "did you mean 'father_attended'?"),
    (lambda a: a.measure("icpc_timely", by="agency_group"), "'agency_group' is a column of the agency returns"),
    (lambda a: a.measure("reports_shared_timely", by="agency_grop"), "did you mean 'agency_group'?"),
    (lambda a: a.measure("icpc_timely", where="father_attended == 'yes'"), "chooses no case"),
    (lambda a: a.measure("icpc_timely", where="father_attended =="), "cannot read"),
    (lambda a: a.measure("icpc_timely", where="age_band"), "does not say yes or no"),
])
def test_a_mistake_is_one_line_naming_what_to_do(explored, call, words):
    with pytest.raises(AuditInputError) as caught:
        call(explored["by_id"])
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_an_unknown_audit_names_the_closest_audit_id(places):
    with pytest.raises(AuditInputError, match=f"did you mean '{places['audit'].audit_id}'"):
        explore.load(places["audit"].audit_id[:-3])


# --- read-only ------------------------------------------------------------------------------------------

def tree_hashes(root) -> dict:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def test_loading_and_exploring_change_nothing_in_processed_or_reports(places):
    before = {name: tree_hashes(places["root"] / name) for name in ("processed", "reports")}
    assert before["processed"] and before["reports"]
    earlier = explore.load(places["earlier"])
    # By audit id and by folder (only read), and the default: the demo workbook, measured in memory.
    for source in (places["audit"].audit_id, places["folder"], ""):
        audit = explore.load(source)
        shared = audit.measure("reports_shared_timely", by="agency_group")
        audit.measure("conference_quorate", where="father_attended == 'Yes'")
        audit.disclosure(shared)
        explore.chart(audit.measure("child_views_heard", by="age_band"))
        audit.compare(earlier)
    after = {name: tree_hashes(places["root"] / name) for name in ("processed", "reports")}
    assert after == before


def test_an_explored_audit_cannot_be_changed_through_its_tables(explored):
    audit = explored["by_id"]
    before = audit.measure("father_attended")
    cases = audit.cases
    cases["father_attended"] = "Yes"
    pd.testing.assert_frame_equal(audit.measure("father_attended"), before)
    with pytest.raises(AttributeError, match="read-only"):
        audit.params = None


# --- comparison, disclosure and charts ---------------------------------------------------------------------

def test_compare_is_the_comparison_make_report_writes(places, monkeypatch):
    monkeypatch.setattr("helpers.spine.findings_charts", lambda *args: [])  # not compared, and slow to draw
    made = helpers.audit(places["current"], earlier=[places["earlier"]])
    compared = explore.load(places["current"]).compare(places["earlier"])  # with this test's key, as `made`
    pd.testing.assert_frame_equal(compared, made.comparison, check_dtype=False)
    assert compared.attrs["reaudit"]["earlier"] == made.reaudit["earlier"]


def test_comparing_the_wrong_way_round_says_so(places, explored):
    earlier = explore.load(places["earlier"])
    with pytest.raises(AuditInputError, match=r"later\.compare\(earlier\)"):
        earlier.compare(explored["by_id"])


def test_disclosure_withholds_small_counts_and_what_reveals_them(explored):
    audit = explored["by_id"]
    result = audit.measure("child_views_heard", by="age_band")
    shown = audit.disclosure(result).set_index("age_band")
    assert "not_applicable" not in shown and "not_recorded" not in shown  # the published report gives neither
    small = result.set_index("age_band")
    for group, row in small.iterrows():
        if 1 <= row["numerator"] <= 5:
            assert shown.at[group, "numerator"] == "c"
        if row["denominator"] < 10 and row["denominator"] > 0:
            assert shown.at[group, "percent"] == "c" and shown.at[group, "ci_lower"] == "c"
        if row["denominator"] == 0:
            assert shown.at[group, "percent"] == "z"
    assert (shown["numerator"] == "c").any()  # the demo has a small group: the test above is not empty


def test_disclosure_refuses_a_figure_it_cannot_tie_to_counts(explored):
    with pytest.raises(AuditInputError, match="cannot tell which counts 'rate'"):
        explored["by_id"].disclosure(pd.DataFrame({"group": ["a"], "rate": [12.5]}))


def test_disclosure_of_an_analysts_counts_withholds_small_ones(explored):
    counts = explored["by_id"].cases.groupby("age_band").size().rename("children").reset_index()
    shown = explored["by_id"].disclosure(counts)
    assert set(shown.loc[counts["children"].between(1, 5), "children"]) <= {"c"}
    assert (counts["children"].between(1, 5)).any()


def test_a_small_chart_is_drawn_as_the_report_draws_with_every_number_in_its_alt_text(explored):
    result = explored["by_id"].measure("child_views_heard", by="age_band")
    chart = explore.chart(result)
    assert chart.png.startswith(b"\x89PNG")
    for _, row in result[result["denominator"] > 0].iterrows():
        assert f"{row['age_band']}: {row['percent']:.1f}% ({row['numerator']} of {row['denominator']} cases" \
            in chart.alt
    assert "no finite population correction" in chart.caption
    assert f'alt="{html.escape(chart.alt)}"' in chart._repr_html_()
    assert html.escape(chart.title) in chart._repr_html_()
    by_agency = explore.chart(explored["by_id"].measure("reports_shared_timely", by="agency_group"))
    assert " reports; 95% interval" in by_agency.alt and " cases; 95%" not in by_agency.alt


# --- generated audits (property) -----------------------------------------------------------------------

ANSWERS = st.sampled_from(["Yes", "No", "Partly", "N/A", None, "maybe"])


@st.composite
def generated_audit(draw):
    """A workbook of 1 to 12 cases with mixed answers, dates and returns, and a population or none."""
    refs = [f"G{n}" for n in range(draw(st.integers(1, 12)))]
    cases = [case_row(ref, plan_smart=draw(ANSWERS), father_attended=draw(ANSWERS),
                      drift_delay_identified=draw(ANSWERS), escalation_raised=draw(ANSWERS),
                      cp_category=draw(st.sampled_from(["Neglect", "PHY", "N/A", None])),
                      date_of_birth=draw(st.sampled_from(["01/02/2018", "01/02/2010", "01/08/2024", None])),
                      child_participation=draw(st.sampled_from(["PN0", "PN3", "PN7", None])),
                      strategy_discussion_date=draw(st.sampled_from(["01/05/2025", "20/04/2025", "20/05/2025"])),
                      icpc_date=draw(st.sampled_from(["15/05/2025", None])))
             for ref in refs]
    returns = [return_row(ref, agency, attended=draw(st.sampled_from(["Yes", "No", None])),
                          report_submitted=draw(st.sampled_from(["Yes", "No"])),
                          report_shared_date=draw(st.sampled_from(["12/05/2025", "14/05/2025", None])),
                          agreed_with_decision=draw(st.sampled_from(["Yes", "No"])))
               for ref in refs for agency in draw(st.sets(st.sampled_from(
                   ["Children's social care", "Police", "Health visitor", "School", "Mystery"]), max_size=4))]
    population = draw(st.sampled_from([None, 12, 60, 1000]))
    audit = {"window_start": "01/04/2025", "window_end": "30/09/2025", "population": population}
    return cases, returns, audit


@settings(max_examples=examples(dev=4, ci=10), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated_audit())
def test_on_generated_audits_measure_is_findings_csv_and_the_breakdowns(tmp_path_factory, monkeypatch, made):
    # Charts are not what is tested, and drawing them is most of an audit's time.
    monkeypatch.setattr("helpers.spine.findings_charts", lambda *args: [])
    cases, returns, audit = made
    workdir = tmp_path_factory.mktemp("generated")
    workbook = write_workbook(workdir / "generated.xlsx", cases, returns, audit)
    folder = workdir / "processed"
    helpers.audit(workbook).write(folder)
    written = load_findings_outputs(folder)
    expected = written["findings"].set_index("measure_id", drop=False)
    for explored_audit in (explore.load(folder), explore.load(workbook)):
        for measure_id in MEASURE_IDS:
            assert_same_row(explored_audit.measure(measure_id), expected.loc[measure_id])
        for by, table in (("cp_category", "by_category"), ("age_band", "by_age_band")):
            for measure_id in BREAKDOWN_MEASURES:
                result = explored_audit.measure(measure_id, by=by)
                breakdown = written[table][written[table]["measure_id"] == measure_id].reset_index(drop=True)
                assert list(result[by]) == list(breakdown["group"])
                assert list(result["numerator"]) == list(breakdown["met"])
                assert list(result["denominator"]) == list(breakdown["assessed"])
                pd.testing.assert_frame_equal(result[FIGURES], breakdown[FIGURES], check_dtype=False)


# --- the data dictionary covers every output ------------------------------------------------------------

def test_every_column_of_every_output_file_is_in_the_data_dictionary(places):
    from helpers.run.dictionary import OUTPUT_FILES_BY_NAME, folder_columns, undeclared

    written = folder_columns(places["folder"])
    assert "comparison.csv" in written and "charts/charts.json" in written
    assert undeclared(places["folder"]) == {}
    # And nothing is declared that no audit writes (manifest.json is written by `make report`: test_reaudit).
    assert set(OUTPUT_FILES_BY_NAME) - {"manifest.json"} == set(written)


def test_a_column_missing_from_the_dictionary_is_found(places, tmp_path):
    from helpers.run.dictionary import undeclared

    findings = pd.read_csv(places["folder"] / "findings.csv").assign(odds_ratio=1.0)
    findings.to_csv(tmp_path / "findings.csv", index=False)
    (tmp_path / "source.json").write_text('{"raw_file": "a.xlsx", "raw_sha256": "0", "raw_size": 3}')
    (tmp_path / "notes.csv").write_text("note\n")
    assert undeclared(tmp_path) == {"findings.csv": {"odds_ratio"}, "source.json": {"raw_size"},
                                    "notes.csv": {"note", "(the file itself)"}}


def test_the_dictionarys_allowed_values_hold_every_value_of_the_demo(places):
    import re

    from helpers.run.dictionary import OUTPUT_FILES_BY_NAME

    tables = {"cases.csv": places["audit"].cleaned.cases, "agency_returns.csv": places["audit"].cleaned.agency_returns}
    checked = 0
    for name, table in tables.items():
        for column in OUTPUT_FILES_BY_NAME[name].columns:
            allowed = set(re.findall(r"`([^`]+)`", column.values))
            if allowed and column.type == "text":
                values = set(table[column.name].dropna().astype(str))
                assert values <= allowed, (name, column.name, values - allowed)
                checked += 1
    assert checked >= 25


def test_each_worked_question_of_notebook_06_is_answered_in_three_lines_or_fewer():
    import json

    from conftest import ROOT

    cells = json.loads((ROOT / "notebooks" / "06_explore.ipynb").read_text())["cells"]
    questions = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "".join(c["source"])
                 .startswith("## ")]
    assert len(questions) >= 5  # the two of the issue, a chart, a comparison, and disclosure before sharing
    for index in questions:
        answer = cells[index + 1]
        assert answer["cell_type"] == "code"
        assert len("".join(answer["source"]).splitlines()) <= 3, "".join(cells[index]["source"]).splitlines()[0]


def test_a_folder_made_with_earlier_audits_keeps_its_comparison_and_thresholds(places, explored):
    written = pd.read_csv(places["folder"] / "comparison.csv")
    pd.testing.assert_frame_equal(explored["by_id"].comparison, written)
    assert explored["workbook"].comparison is None  # measured in memory without EARLIER
    assert explored["by_id"].params == places["audit"].params
