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
                 "breakdown_agency_group.csv", "breakdown_category.csv", "breakdown_age_band.csv"):
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
