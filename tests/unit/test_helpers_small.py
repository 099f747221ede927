"""Unit tests for the smaller helpers: breakdowns, outputs, provenance, publishing, errors."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from conftest import KEY, ROOT, case_row, quorate_returns, return_row, write_workbook
from helpers.clean.cleaning import clean_workbook
from helpers.errors import AuditInputError
from helpers.measures import Parameters
from helpers.measures.breakdowns import agency_group_breakdown, measure_by_group
from helpers.measures.statuses import measure_statuses
from helpers.report.export import _board_outputs_only, document, report_title
from helpers.run.audit_folders import AuditFolders, audit_id, replace_audit, slug
from helpers.run.outputs import load_clean_outputs, write_clean_outputs
from helpers.run.provenance import file_sha256, package_versions, read_run_record, write_run_record


def cleaned(tmp_path):
    cases = [case_row("A1", icpc_date="08/05/2025"), case_row("A2", icpc_date="08/05/2025", cp_category="PHY",
                                                                plan_progress_monitored="No")]
    returns = quorate_returns("A1", report_shared_date="06/05/2025") + [
        return_row("A2", "Police", report_shared_date="07/05/2025"), return_row("A2", "CSC", report_submitted="No"),
        return_row("A2", "Mystery", attended="No")]
    return clean_workbook(write_workbook(tmp_path / "w.xlsx", cases, returns), KEY)


def test_agency_group_breakdown(tmp_path):
    result = cleaned(tmp_path)
    table = agency_group_breakdown(result.cases, result.agency_returns, Parameters()).set_index("agency_group")
    counts = ["returns", "attended", "reports_submitted", "reports_shared_in_time"]
    assert table.loc["Police", counts].tolist() == [2, 2, 2, 1]
    assert table.loc["Police", "percent_in_time"] == 50.0
    assert table.loc["Children's social care", "reports_submitted"] == 1
    # The unmapped agency sent apologies but its report, shared after the conference, still counts as late.
    assert table.loc["Unmapped", ["attended", "reports_submitted", "percent_in_time"]].tolist() == [0, 1, 0.0]


def test_measure_by_group_counts_met_and_assessed(tmp_path):
    result = cleaned(tmp_path)
    statuses = measure_statuses(result.cases, result.agency_returns, Parameters())
    table = measure_by_group(statuses, result.cases["cp_category"], ["plan_progress_monitored"],
                             order=["NEG", "PHY", "SAB"])
    assert table[["group", "met", "assessed", "cases", "percent"]].values.tolist() == [
        ["NEG", 1, 1, 1, 100.0], ["PHY", 0, 1, 1, 0.0]]


def test_clean_outputs_round_trip(tmp_path):
    result = cleaned(tmp_path)
    written = write_clean_outputs(result, tmp_path / "out")
    assert {p.name for p in written} == {"cases.csv", "agency_returns.csv", "reconciliation.csv", "data_quality.csv",
                                         "data_quality_rows.csv", "recommendations.csv", "audit.json"}
    loaded = load_clean_outputs(tmp_path / "out")
    pd.testing.assert_series_equal(loaded["cases"]["icpc_date"], result.cases["icpc_date"], check_dtype=False)
    assert loaded["cases"]["plan_progress_monitored"].tolist() == ["Yes", "No"]
    assert loaded["agency_returns"]["report_shared_date_not_applicable"].tolist() == [False] * 6


def test_the_report_counts_cases_and_their_answers_as_from_the_whole_cases_file(tmp_path):
    from helpers.report.sections import yes_partly_no, yes_partly_no_columns
    from helpers.run.outputs import load_case_answers, load_cases

    write_clean_outputs(cleaned(tmp_path), tmp_path / "out")
    whole = load_cases(tmp_path / "out")
    answers = load_case_answers(tmp_path / "out", yes_partly_no_columns())
    assert len(answers) == len(whole) == 2
    pd.testing.assert_frame_equal(yes_partly_no(answers), yes_partly_no(whole))
    assert yes_partly_no(answers).set_index("measure_id").loc["plan_progress_monitored", "no"] == 1
    # a cases file without any of the questions still has its rows
    whole.drop(columns=yes_partly_no_columns()).to_csv(tmp_path / "out" / "cases.csv", index=False)
    assert len(load_case_answers(tmp_path / "out", yes_partly_no_columns())) == 2


def test_replace_audit_replaces_both_folders_whole_and_nothing_beside_them(tmp_path):
    folders = AuditFolders("a", tmp_path / "processed", tmp_path / "reports")
    staged = {"processed": tmp_path / "staging" / "processed", "reports": tmp_path / "staging" / "reports"}
    neighbour = tmp_path / "processed" / "b"
    for folder in (*staged.values(), folders.processed, folders.reports, neighbour):
        folder.mkdir(parents=True)
    (folders.reports / "old-published.html").write_text("stale")
    (neighbour / "keep.csv").write_text("other audit")
    (staged["processed"] / "findings.csv").write_text("new")
    (staged["reports"] / "a.html").write_text("new")
    replace_audit(folders, staged["processed"], staged["reports"])
    assert [p.name for p in folders.processed.iterdir()] == ["findings.csv"]
    assert [p.name for p in folders.reports.iterdir()] == ["a.html"]
    assert not staged["processed"].exists() and (neighbour / "keep.csv").read_text() == "other audit"
    assert sorted(p.name for p in (tmp_path / "processed").iterdir()) == ["a", "b"]


def test_audit_id_is_the_title_and_window_or_the_file_name():
    audit = {"audit_title": "Northshire CP conferences", "window_start": "2025-04-01", "window_end": "2025-09-30"}
    assert audit_id(audit, "x.xlsx") == "northshire-cp-conferences-2025-04-01-to-2025-09-30"
    assert audit_id({"audit_title": "", "window_start": None, "window_end": None}, "CP audit (2025).xlsx") == \
        "cp-audit-2025"
    assert audit_id({"audit_title": "Écoles d’Été: audit"}, "x.xlsx") == "ecoles-dete-audit"


def test_long_titles_that_share_their_start_never_share_a_slug():
    start = "Northshire multi-agency audit of child protection conferences and their plans, "
    first, second = slug(start + "April to September 2025"), slug(start + "October 2025 to March 2026")
    assert first != second and len(first) <= 60 and len(second) <= 60
    assert slug("!!!") == ""


def test_audit_folders_name_the_published_version():
    folders = AuditFolders("a-2025", Path("/p"), Path("/r"))
    assert folders.report_path("published").name == "a-2025-published.html"
    assert folders.report_path("board") == Path("/r/a-2025/a-2025.html")


def test_provenance(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"abc")
    assert file_sha256(path) == hashlib.sha256(b"abc").hexdigest()
    assert set(package_versions()) >= {"python", "pandas", "numpy", "python-calamine", "holidays"}
    write_run_record(tmp_path / "run.json", {"raw_sha256": "x", "when": dt.date(2025, 1, 2)})
    assert read_run_record(tmp_path / "run.json") == {"raw_sha256": "x", "when": "2025-01-02"}
    assert read_run_record(tmp_path / "missing.json") == {}


def test_report_title():
    assert report_title("<div><h1>Audit &amp; review</h1></div>") == "Audit & review"


def test_document_is_a_whole_page_with_one_generated_line():
    page = document("<h1>T</h1>", "T & co", generated=dt.datetime(2025, 11, 27, 9, 30))
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>T &amp; co</title>" in page and "<script" not in page and "http" not in page
    assert [line for line in page.splitlines() if line.startswith('<p class="generated-at"')] == [
        '<p class="generated-at">Generated 27/11/2025 09:30.</p>']


def test_only_html_display_outputs_reach_the_report():
    notebook = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("x")
    code.outputs = [nbformat.v4.new_output("stream", name="stderr", text="warning"),
                    nbformat.v4.new_output("display_data", data={"text/html": "<p>kept</p>", "text/plain": "kept"}),
                    nbformat.v4.new_output("execute_result", data={"text/plain": "dropped"}, execution_count=1)]
    notebook.cells = [nbformat.v4.new_markdown_cell("# for analysts"), code, nbformat.v4.new_code_cell("y")]
    kept = _board_outputs_only(notebook)
    assert len(kept.cells) == 1 and kept.cells[0].outputs == [
        {"output_type": "display_data", "data": {"text/html": "<p>kept</p>"}, "metadata": {}}]


def test_error_message_is_one_line_naming_where():
    error = AuditInputError("bad\nthing", file="a.xlsx", sheet="Cases", column="icpc_date", row=7, hint="fix it")
    assert str(error) == "a.xlsx, sheet 'Cases', column 'icpc_date', row 7: bad thing (fix it)"


def test_parameters_from_text_have_one_home_for_defaults():
    from helpers.measures import Parameters

    assert Parameters.from_values() == Parameters()
    assert Parameters.from_values(health_counts_as_one="false").health_counts_as_one is False
    assert Parameters.from_values(icpc_working_days="20", report_share_working_days="").icpc_working_days == 20
    for bad in ({"icpc_working_days": "fifteen"}, {"health_counts_as_one": "perhaps"},
                {"expected_standard": "101"}):
        with pytest.raises(ValueError, match=list(bad.values())[0]):
            Parameters.from_values(**bad)


def test_window_dates_are_day_first_and_us_order_is_named():
    from helpers.read.window import check_window_date, looks_month_first

    assert check_window_date("WINDOW_START", "01/04/2025") == "2025-04-01"
    assert looks_month_first("09/30/2025") and not looks_month_first("30/09/2025")
    with pytest.raises(AuditInputError, match="US order"):
        check_window_date("WINDOW_END", "09/30/2025")
    with pytest.raises(AuditInputError, match="not a date"):
        check_window_date("WINDOW_END", "soon")


def test_code_fingerprint_covers_the_analysis_code_and_notebooks_not_the_tools():
    from helpers.run.provenance import CODE, _code_files, code_fingerprint

    files = {p.relative_to(ROOT).as_posix() for p in _code_files()}
    assert {"src/helpers/spine.py", "src/helpers/report/report.css", "notebooks/04_report.ipynb"} <= files
    assert not any(name.startswith("tools/") for name in files) and len(CODE) == 2
    assert len(code_fingerprint()) == 64


def test_an_audits_report_files_are_named_by_its_id():
    from helpers.report.briefing import briefing_path

    folders = AuditFolders("ours", Path("p"), Path("r"))
    assert [folders.report_path(v).name for v in ("board", "published", "briefing")] == [
        "ours.html", "ours-published.html", "ours-briefing.html"]
    assert folders.report_path("briefing") == briefing_path(folders.reports, "ours")  # what the report writes
