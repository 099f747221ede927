"""Shared fixtures: a small workbook builder and an isolated pseudonymisation key."""
from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]

CASE_COLUMNS = ["case_ref", "child_name", "date_of_birth", "strategy_discussion_date", "icpc_date",
                "cp_category", "eha_completed", "referral_reason_clear", "historical_involvement",
                "child_participation", "plan_linked_to_needs", "plan_smart", "plan_progress_monitored",
                "outcomes_improved", "partnership_working_effective", "first_core_group_date",
                "core_group_effective", "father_invited", "father_attended", "drift_delay_identified",
                "escalation_raised", "inquorate_reason_recorded", "stepped_down_to_cin",
                "sustained_change_evidenced", "recording_quality", "audit_date", "comments"]
RETURN_COLUMNS = ["case_ref", "agency", "attended", "report_submitted", "report_shared_date",
                  "agreed_with_decision", "dissent_recorded"]


def case_row(ref: str, **values) -> dict:
    """A complete, valid case: every answer Yes, dates in May 2025, overridable by keyword."""
    row = {name: "Yes" for name in CASE_COLUMNS}
    row.update({"case_ref": ref, "child_name": f"Test Child {ref}", "date_of_birth": "01/02/2018",
                "strategy_discussion_date": "01/05/2025", "icpc_date": "15/05/2025", "cp_category": "Neglect",
                "child_participation": "PN3", "first_core_group_date": "22/05/2025",
                "recording_quality": "Good", "audit_date": "01/11/2025", "comments": f"comment {ref}"})
    row.update(values)
    return row


def return_row(ref: str, agency: str, **values) -> dict:
    row = {"case_ref": ref, "agency": agency, "attended": "Yes", "report_submitted": "Yes",
           "report_shared_date": "12/05/2025", "agreed_with_decision": "Yes", "dissent_recorded": "N/A"}
    row.update(values)
    return row


def quorate_returns(ref: str, **values) -> list[dict]:
    return [return_row(ref, agency, **values) for agency in ("Children's social care", "Police", "Health visitor")]


def write_workbook(path: Path, cases: list[dict], returns: list[dict], audit: dict | None = None,
                   recommendations: list[tuple] | None = None, case_headers: dict | None = None,
                   drop_case_columns: tuple = (), sheet_names: dict | None = None) -> Path:
    """Write a workbook; a row given as {} (or None) is written as an empty row."""
    names = {"cases": "Cases", "returns": "Agency returns", **(sheet_names or {})}
    book = openpyxl.Workbook()
    cases_sheet = book.active
    cases_sheet.title = names["cases"]
    columns = [c for c in CASE_COLUMNS if c not in drop_case_columns]
    headers = case_headers or {}
    cases_sheet.append([headers.get(c, c) for c in columns])
    for row in cases:
        cases_sheet.append([(row or {}).get(c) for c in columns])
    returns_sheet = book.create_sheet(names["returns"])
    returns_sheet.append(RETURN_COLUMNS)
    for row in returns:
        returns_sheet.append([(row or {}).get(c) for c in RETURN_COLUMNS])
    if audit is not None:
        sheet = book.create_sheet("Audit")
        sheet.append(["field", "value"])
        for field, value in audit.items():
            sheet.append([field, value])
    if recommendations is not None:
        sheet = book.create_sheet("Recommendations")
        sheet.append(["recommendation", "measures"])
        for row in recommendations:
            sheet.append(list(row))
    book.save(path)
    return path


@pytest.fixture(autouse=True)
def isolated_key(tmp_path_factory, monkeypatch):
    """Tests never create or read the project's real pseudonymisation key."""
    key_file = tmp_path_factory.getbasetemp() / "test-pseudonym.key"
    monkeypatch.setenv("AUDIT_PSEUDONYM_KEY_FILE", str(key_file))
    from helpers import config
    monkeypatch.setattr(config, "PSEUDONYM_KEY_FILE", key_file)
    return key_file


KEY = bytes(range(32))


@pytest.fixture
def small_workbook(tmp_path) -> Path:
    """Four cases (one duplicate, one outside the window) and their returns."""
    cases = [case_row("A1"), case_row("A2", plan_smart="No"), {},
             case_row("A2", audit_date="01/10/2025", plan_smart="Yes"),
             case_row("A3", icpc_date="15/01/2025")]
    returns = quorate_returns("A1") + quorate_returns("A2") + quorate_returns("A3") + [
        return_row("ZZ9", "Police")]
    audit = {"audit_title": "Test audit", "window_start": "01/04/2025", "window_end": "30/09/2025",
             "population": 50}
    recs = [("Monitor plans", "plan_progress_monitored; plan_smart"), ("Typo", "no_such_measure")]
    return write_workbook(tmp_path / "small.xlsx", cases, returns, audit, recs)


def pipeline_env(workdir: Path) -> dict:
    """Environment that sends every output of the pipeline into `workdir`."""
    env = dict(os.environ)
    env.update({"AUDIT_DATA_PROCESSED": str(workdir / "processed"), "AUDIT_REPORTS": str(workdir / "reports"),
                "AUDIT_BUILD": str(workdir / "build"), "AUDIT_PSEUDONYM_KEY_FILE": str(workdir / "test.key")})
    return env


def run_report(workdir: Path, *args: str, env: dict | None = None):
    """`python -m helpers.run.pipeline report ...` as `make report` runs it, every output inside `workdir`."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "helpers.run.pipeline", "report", *args],
                          env={**pipeline_env(workdir), **(env or {})}, capture_output=True, text=True, timeout=900,
                          cwd=ROOT)


def run_pipeline(workdir: Path, workbook: Path, publish: bool = True) -> Path:
    result = run_report(workdir, "--raw", str(workbook), "--publish", "1" if publish else "0")
    assert result.returncode == 0, result.stderr
    return workdir


def processed_folder(workdir: Path, audit: str | None = None) -> Path:
    """The processed folder of the audit (the only one when not named)."""
    folders = [p for p in (workdir / "processed").iterdir() if p.is_dir()]
    if audit:
        return workdir / "processed" / audit
    assert len(folders) == 1, folders
    return folders[0]


IDENTIFYING_CASES = [
    case_row("ZQX-4417", child_name="Persephone Quartermaine", date_of_birth="17/03/2016",
             comments="Mother disclosed at the Quartermaine home visit"),
    case_row("ZQX-4418", child_name="Bartholomew Ffoulkes-Smythe", date_of_birth="1 Feb 2011",
             comments="Uncle Ebenezer known to probation", plan_smart="maybe"),
    case_row("ZQX-4419", child_name="Wilhelmina Oyelaran", date_of_birth="29/11/2013",
             comments="Free text: Zanzibar marmalade incident"),
]
IDENTIFIERS = ["ZQX-4417", "ZQX-4418", "ZQX-4419", "zqx", "Persephone", "Quartermaine", "Bartholomew",
               "Ffoulkes", "Wilhelmina", "Oyelaran", "2016-03-17", "17/03/2016", "2011-02-01", "1 Feb 2011",
               "2013-11-29", "29/11/2013", "Mother disclosed", "Ebenezer", "Zanzibar", "marmalade"]


@pytest.fixture(scope="session")
def fixture_run(tmp_path_factory) -> Path:
    """The whole pipeline on a small workbook with known identifiers, board and published versions."""
    workdir = tmp_path_factory.mktemp("pipeline")
    returns = [r for case in IDENTIFYING_CASES for r in quorate_returns(case["case_ref"])]
    workbook = write_workbook(workdir / "identifying.xlsx", IDENTIFYING_CASES, returns,
                              {"audit_title": "Fixture audit", "window_start": "01/04/2025",
                               "window_end": "30/09/2025", "population": 30},
                              [("Monitor plans", "plan_progress_monitored")])
    return run_pipeline(workdir, workbook)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> Path:
    """The whole pipeline on the synthetic demo, as `make report PUBLISH=1` runs it."""
    from helpers.run.demo import build_demo
    from helpers.run.demo import write_workbook as write_demo

    workdir = tmp_path_factory.mktemp("demo-pipeline")
    return run_pipeline(workdir, write_demo(build_demo(), workdir / "SYNTHETIC_demo.xlsx"))


def report_files(workdir: Path) -> dict:
    reports = sorted((workdir / "reports").glob("*/*.html"))
    found = {"board": [p for p in reports if not p.stem.endswith("-published")],
             "published": [p for p in reports if p.stem.endswith("-published")]}
    return {version: paths[0] for version, paths in found.items() if paths}
