"""The pipeline as `make report` runs it: papermill notebooks, one folder per audit, one-line errors."""
from __future__ import annotations

import json
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from conftest import (
    ROOT,
    case_row,
    pipeline_env,
    processed_folder,
    quorate_returns,
    report_files,
    run_pipeline,
    run_report,
    write_workbook,
)

pytestmark = pytest.mark.slow


def test_pipeline_writes_every_output(fixture_run):
    processed = processed_folder(fixture_run)
    assert processed.name == "fixture-audit-2025-04-01-to-2025-09-30"
    for name in ("cases.csv", "agency_returns.csv", "reconciliation.csv", "data_quality.csv", "findings.csv",
                 "recommendations.csv", "audit.json", "source.json", "manifest.json", "breakdown_agency_group.csv",
                 "breakdown_category.csv", "breakdown_age_band.csv", "charts/charts.json"):
        assert (processed / name).exists(), name
    assert not (processed / "measure_statuses.csv").exists()  # nothing reads it, so it is not written
    findings = pd.read_csv(processed / "findings.csv")
    assert len(findings) == 22
    assert (findings["denominator"] + findings["not_applicable"] + findings["not_recorded"] == 3).all()
    record = json.loads((processed / "manifest.json").read_text())
    assert record["inputs"]["workbook"]["sha256"] and record["inputs"]["lock"] and "commit" in record["code_version"]
    assert record["inputs"]["parameters"]["icpc_working_days"] == 15
    reports = report_files(fixture_run)
    assert reports["board"].name == f"{processed.name}.html"
    assert reports["published"].name == f"{processed.name}-published.html"


def test_every_notebook_was_executed_by_papermill(fixture_run):
    executed = fixture_run / "build" / "notebooks" / processed_folder(fixture_run).name
    for name in ("01_clean", "02_findings", "03_secondary_findings", "04_report_board", "04_report_published"):
        notebook = json.loads((executed / f"{name}.ipynb").read_text())
        assert "papermill" in notebook["metadata"] and not notebook["metadata"]["papermill"].get("exception")
        assert not any(o.get("output_type") == "error" for c in notebook["cells"] for o in c.get("outputs", []))


def snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


BAD_INPUTS = {
    "missing column": ("Cases", "icpc_date"),
    "missing sheet": ("Agency returns", None),
    "not xlsx": (None, None),
    "missing file": (None, None),
    "password protected": (None, None),
    "no header": ("Cases", None),
}


def make_bad(kind, folder):
    path = folder / f"{kind.replace(' ', '-')}.xlsx"
    if kind == "missing column":
        write_workbook(path, [case_row("A1")], quorate_returns("A1"), drop_case_columns=("icpc_date",))
    elif kind == "missing sheet":
        book = openpyxl.Workbook()
        book.active.title = "Cases"
        book.active.append(list(case_row("A1")))
        book.save(path)
    elif kind == "not xlsx":
        path.write_text("this is not a workbook")
    elif kind == "password protected":
        from msoffcrypto.format.ooxml import OOXMLFile

        plain = write_workbook(folder / "plain.xlsx", [case_row("A1")], quorate_returns("A1"))
        with plain.open("rb") as source, path.open("wb") as target:
            OOXMLFile(source).encrypt("secret", target)
    elif kind == "no header":
        book = openpyxl.Workbook()
        book.active.title = "Cases"
        book.create_sheet("Agency returns")
        book.save(path)
    return path


def everything(workdir):
    return {name: snapshot(workdir / name) for name in ("processed", "reports")}


@pytest.mark.parametrize("kind", list(BAD_INPUTS))
def test_bad_input_is_one_line_nonzero_and_changes_nothing(fixture_run, kind, tmp_path):
    before = everything(fixture_run)
    result = run_report(fixture_run, "--raw", str(make_bad(kind, tmp_path)))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and "Traceback" not in result.stderr
    error = lines[-1]
    assert f"{kind.replace(' ', '-')}.xlsx" in error
    sheet, column = BAD_INPUTS[kind]
    if sheet:
        assert f"sheet '{sheet}'" in error
    if column:
        assert f"column '{column}'" in error
    assert everything(fixture_run) == before


@pytest.mark.parametrize("variable, value", [("ICPC_WORKING_DAYS", "fifteen"), ("HEALTH_COUNTS_AS_ONE", "perhaps"),
                                             ("PUBLISH", "maybe"), ("WINDOW_START", "09/30/2025"),
                                             ("EXPECTED_STANDARD", "eighty")])
def test_a_bad_parameter_stops_before_any_stage_with_one_line(fixture_run, variable, value):
    before = everything(fixture_run)
    result = run_report(fixture_run, "--raw", str(fixture_run / "identifying.xlsx"),
                        env={f"CPA_{variable}": value})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and value in lines[0], result.stderr
    if value == "09/30/2025":
        assert "US order" in lines[0]
    assert everything(fixture_run) == before


def test_a_second_run_with_nothing_changed_does_nothing_and_still_names_its_outputs(fixture_run):
    before = everything(fixture_run)
    result = run_report(fixture_run, "--raw", str(fixture_run / "identifying.xlsx"), "--publish", "1")
    assert result.returncode == 0 and "notebooks/" not in result.stderr and "up to date" in result.stderr
    assert everything(fixture_run) == before
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines if not line.startswith(("pdf:", "briefing:"))] == \
        ["report", "report", "data"]


def audit_workbook(path, title, window_start, window_end, plan_smart="Yes"):
    cases = [case_row(f"A{i}", plan_smart=plan_smart, icpc_date=window_start) for i in range(1, 4)]
    returns = [r for i in range(1, 4) for r in quorate_returns(f"A{i}")]
    return write_workbook(path, cases, returns, {"audit_title": title, "window_start": window_start,
                                                 "window_end": window_end, "population": 30})


def test_story_2_a_corrected_workbook_replaces_both_versions_and_says_so(tmp_path):
    first = audit_workbook(tmp_path / "audit.xlsx", "Our audit", "01/04/2025", "30/09/2025", plan_smart="No")
    run_pipeline(tmp_path, first, publish=True)
    audit_workbook(tmp_path / "audit.xlsx", "Our audit", "01/04/2025", "30/09/2025", plan_smart="Yes")
    result = run_report(tmp_path, "--raw", str(first))
    assert result.returncode == 0
    assert "replacing the outputs of our-audit-2025-04-01-to-2025-09-30 (made from audit.xlsx" in result.stderr
    reports = report_files(tmp_path)
    assert set(reports) == {"board", "published"}  # the published version is made on every run
    assert [line for line in result.stdout.splitlines() if line.startswith("report:")] == [
        "report: " + str(reports["board"]), "report: " + str(reports["published"])]


def test_story_3_audits_of_different_periods_never_share_a_file(tmp_path):
    import helpers
    from conftest import KEY

    title = "Northshire multi-agency audit of child protection conferences, a long title for the board "
    spring = audit_workbook(tmp_path / "a.xlsx", title + "April to September 2025", "01/04/2025", "30/09/2025")
    autumn = audit_workbook(tmp_path / "b.xlsx", title + "October 2025 to March 2026", "01/10/2025", "31/03/2026")
    ids = [helpers.audit(raw, key=KEY).audit_id for raw in (spring, autumn)]
    assert ids[0] != ids[1] and all(len(name) < 120 for name in ids)


def test_story_4_the_benchmark_sends_every_output_to_its_temporary_folder(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_report import redirected_env

    env = redirected_env(tmp_path)
    outputs = ("AUDIT_DATA_PROCESSED", "AUDIT_REPORTS", "AUDIT_BUILD", "AUDIT_DEMO_WORKBOOK",
               "AUDIT_PSEUDONYM_KEY_FILE")
    assert all(env[name].startswith(str(tmp_path)) for name in outputs)
    assert "make clean-outputs" not in (ROOT / "benchmarks" / "bench_report.py").read_text()


def test_any_path_reaches_the_pipeline_through_make(tmp_path):
    """Apostrophes, parentheses, spaces, `$` and non-ASCII text in RAW, through make itself."""
    folder = tmp_path / "Children's Services (2025) $HOME é"
    folder.mkdir()
    missing = folder / "~$CP audit.xlsx"
    result = subprocess.run(["make", "--no-print-directory", "report", f"RAW={missing}"], cwd=ROOT,
                            env=pipeline_env(tmp_path), capture_output=True, text=True, timeout=600)
    assert result.returncode != 0 and "syntax error" not in result.stderr
    error = next(line for line in result.stderr.splitlines() if line.startswith("error: "))
    assert str(missing) in error


def test_every_notebook_runs_top_to_bottom_with_its_defaults(tmp_path, monkeypatch):
    """As an analyst runs them in JupyterLab: no parameters, starting from nothing (the demo is written)."""
    import papermill

    for name, value in pipeline_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AUDIT_DEMO_WORKBOOK", str(tmp_path / "raw" / "SYNTHETIC_demo.xlsx"))
    for name in ("01_clean", "02_findings", "03_secondary_findings", "04_report", "06_explore"):
        papermill.execute_notebook(str(ROOT / "notebooks" / f"{name}.ipynb"), str(tmp_path / f"{name}.ipynb"),
                                   kernel_name="cp-conference-audit", cwd=str(ROOT / "notebooks"),
                                   progress_bar=False, execution_timeout=600)
    assert (tmp_path / "raw" / "SYNTHETIC_demo.xlsx").exists()
    (by_hand,) = (tmp_path / "build" / "notebooks-by-hand").iterdir()
    assert by_hand.name.startswith("synthetic-demo")
    assert len(pd.read_csv(by_hand / "findings.csv")) == 22
    # Nothing in data/processed: a notebook run by hand never changes what make report wrote.
    assert not (tmp_path / "processed").exists() or not any((tmp_path / "processed").iterdir())


def test_clean_outputs_removes_one_audit_and_asks_before_all(tmp_path):
    import helpers
    from conftest import KEY

    ours = audit_workbook(tmp_path / "ours.xlsx", "Our audit", "01/04/2025", "30/09/2025")
    audit = helpers.audit(ours, key=KEY)  # an audit's folders, as a run leaves them
    audit.write(tmp_path / "processed" / audit.audit_id)
    (tmp_path / "reports" / audit.audit_id).mkdir(parents=True)
    command = [sys.executable, "-m", "helpers", "clean-outputs"]
    listed = subprocess.run(command, env=pipeline_env(tmp_path), capture_output=True, text=True, cwd=ROOT)
    assert "our-audit-2025-04-01-to-2025-09-30" in listed.stdout and "nothing removed" in listed.stdout
    assert processed_folder(tmp_path).exists()
    removed = subprocess.run(command + ["--audit", "our-audit-2025-04-01-to-2025-09-30"], env=pipeline_env(tmp_path),
                             capture_output=True, text=True, cwd=ROOT)
    assert removed.returncode == 0 and not list((tmp_path / "processed").iterdir())
    assert not list((tmp_path / "reports").iterdir())
    assert ours.exists()
