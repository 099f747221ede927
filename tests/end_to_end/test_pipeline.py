"""The pipeline as `make report` runs it: papermill notebooks, atomic outputs, one-line errors."""
from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from conftest import case_row, quorate_returns, report_files, run_stage, write_workbook

pytestmark = pytest.mark.slow


def test_pipeline_writes_every_output(fixture_run):
    processed = fixture_run / "processed"
    for name in ("cases.csv", "agency_returns.csv", "reconciliation.csv", "data_quality.csv", "findings.csv",
                 "recommendations.csv", "audit.json", "run_clean.json", "run_findings.json",
                 "breakdown_agency_group.csv", "breakdown_category.csv", "breakdown_age_band.csv", "measure_statuses.csv"):
        assert (processed / name).exists(), name
    findings = pd.read_csv(processed / "findings.csv")
    assert len(findings) == 22
    assert (findings["denominator"] + findings["not_applicable"] + findings["not_recorded"] == 3).all()
    assert json.loads((processed / "run_clean.json").read_text())["raw_sha256"]
    assert set(report_files(fixture_run)) == {"board", "published"}
    assert report_files(fixture_run)["board"].name == "fixture-audit.html"


def test_every_notebook_was_executed_by_papermill(fixture_run):
    for name in ("01_clean", "02_findings", "03_secondary_findings", "04_report"):
        notebook = json.loads((fixture_run / "build" / "notebooks" / f"{name}.ipynb").read_text())
        assert "papermill" in notebook["metadata"] and not notebook["metadata"]["papermill"].get("exception")
        assert not any(o.get("output_type") == "error" for c in notebook["cells"] for o in c.get("outputs", []))


def snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


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


@pytest.mark.parametrize("kind", list(BAD_INPUTS))
def test_bad_input_is_one_line_nonzero_and_changes_nothing(fixture_run, kind, tmp_path):
    before = snapshot(fixture_run / "processed")
    result = run_stage(fixture_run, "clean", "--raw", str(make_bad(kind, tmp_path)))
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
    assert snapshot(fixture_run / "processed") == before


def test_same_workbook_gives_identical_outputs(fixture_run):
    processed = fixture_run / "processed"
    before = snapshot(processed)
    board = report_files(fixture_run)["board"]
    html_before = board.read_text().splitlines()
    for args in (("clean", "--raw", str(fixture_run / "identifying.xlsx")), ("findings",), ("report", "--publish", "1")):
        assert run_stage(fixture_run, *args).returncode == 0
    assert snapshot(processed) == before
    html_after = board.read_text().splitlines()
    differing = [(a, b) for a, b in zip(html_before, html_after) if a != b]
    assert len(html_before) == len(html_after) and all("generated-at" in a for a, _ in differing)
    assert len(differing) <= 1


def test_every_notebook_runs_top_to_bottom_with_its_defaults(tmp_path, monkeypatch):
    """As an analyst runs them in JupyterLab: no parameters, starting from nothing (the demo is written)."""
    import papermill

    from conftest import ROOT, pipeline_env

    for name, value in pipeline_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AUDIT_DEMO_WORKBOOK", str(tmp_path / "raw" / "SYNTHETIC_demo.xlsx"))
    for name in ("01_clean", "02_findings", "03_secondary_findings", "04_report"):
        papermill.execute_notebook(str(ROOT / "notebooks" / f"{name}.ipynb"), str(tmp_path / f"{name}.ipynb"),
                                   kernel_name="cp-conference-audit", cwd=str(ROOT / "notebooks"),
                                   progress_bar=False, execution_timeout=600)
    assert (tmp_path / "raw" / "SYNTHETIC_demo.xlsx").exists()
    assert len(pd.read_csv(tmp_path / "processed" / "findings.csv")) == 22


def test_a_workbook_with_no_cases_still_gives_a_report(tmp_path):
    from conftest import run_pipeline

    workbook = write_workbook(tmp_path / "empty.xlsx", [], [])
    run_pipeline(tmp_path, workbook, publish=True)
    findings = pd.read_csv(tmp_path / "processed" / "findings.csv")
    assert (findings["denominator"] == 0).all() and findings["percent"].isna().all()
    assert "No included case could be assessed" in report_files(tmp_path)["board"].read_text()
