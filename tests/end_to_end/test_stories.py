"""Issue 19's six stories, each through a real `make report` (or its pipeline command): none can happen now."""
from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT, as_a_user_runs_make, case_row, pipeline_env, quorate_returns, run_report, write_workbook

pytestmark = pytest.mark.slow


def audit_workbook(path, title="Our audit", start="01/04/2025", end="30/09/2025", plan_smart="Yes"):
    # Conferences 10 and 20 working days after their strategy discussions: 15 days meets one, 20 both.
    cases = [case_row("A1", plan_smart=plan_smart, strategy_discussion_date="18/03/2025", icpc_date=start),
             case_row("A2", plan_smart=plan_smart, strategy_discussion_date="04/03/2025", icpc_date=start)]
    returns = [r for ref in ("A1", "A2") for r in quorate_returns(ref)]
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_workbook(path, cases, returns, {"audit_title": title, "window_start": start, "window_end": end,
                                                 "population": 30})


def tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def ok(result):
    assert result.returncode == 0, result.stderr
    return result


def data_folder(result):
    from pathlib import Path

    return Path(next(line[len("data: "):] for line in result.stdout.splitlines() if line.startswith("data: ")))


def icpc_timely(folder):
    return pd.read_csv(folder / "findings.csv").set_index("measure_id").loc["icpc_timely", "numerator"]


def make(tmp_path, *arguments):
    return subprocess.run(["make", "--no-print-directory", "report", *arguments, f"VENV={sys.prefix}"], cwd=ROOT,
                          env=as_a_user_runs_make(pipeline_env(tmp_path)), capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    """One audit made by the pipeline: its workdir, workbook and data folder (the stories below share it; each
    leaves it as a fresh run would)."""
    workdir = tmp_path_factory.mktemp("ours")
    raw = audit_workbook(workdir / "ours.xlsx")
    return workdir, raw, data_folder(ok(run_report(workdir, "--raw", str(raw))))


def test_story_1_a_notebook_run_by_hand_on_a_report_folder_never_writes_into_it(ours):
    tmp_path, raw, folder = ours
    before = tree(folder)
    assert icpc_timely(folder) == 1
    script = ("import papermill; papermill.execute_notebook("
              f"{str(ROOT / 'notebooks' / '02_findings.ipynb')!r}, {str(tmp_path / 'out.ipynb')!r}, "
              f"parameters={{'input_dir': {str(folder)!r}, 'icpc_working_days': 20}}, "
              "kernel_name='cp-conference-audit', progress_bar=False)")
    subprocess.run([sys.executable, "-c", script], env=pipeline_env(tmp_path), check=True, cwd=ROOT,
                   capture_output=True)
    assert tree(folder) == before
    by_hand = tmp_path / "build" / "notebooks-by-hand" / folder.name
    assert icpc_timely(by_hand) == 2  # measured again with 20 days, beside, not in place
    again = ok(run_report(tmp_path, "--raw", str(raw)))
    assert "up to date" in again.stderr and icpc_timely(folder) == 1
    into_folder = script.replace("'icpc_working_days': 20", f"'icpc_working_days': 20, 'output_dir': {str(folder)!r}")
    refused = subprocess.run([sys.executable, "-c", into_folder], env=pipeline_env(tmp_path), cwd=ROOT,
                             capture_output=True, text=True)
    assert refused.returncode != 0 and "may not write inside data/processed" in refused.stderr
    assert tree(folder) == before


def test_story_2_a_deleted_output_is_rebuilt_and_named(ours):
    tmp_path, raw, folder = ours
    reference = tree(folder)
    (folder / "findings.csv").unlink()
    rebuilt = ok(run_report(tmp_path, "--raw", str(raw)))
    assert "processed/findings.csv is missing: rebuilding" in rebuilt.stderr
    assert (folder / "findings.csv").read_bytes() == reference["findings.csv"]
    reports = tmp_path / "reports" / folder.name
    assert sorted(p.name for p in reports.glob("*.html")) == [f"{folder.name}-briefing.html",
                                                             f"{folder.name}-published.html", f"{folder.name}.html"]


def test_story_3_a_re_audit_never_rewrites_the_earlier_audits_folders(tmp_path):
    earlier = audit_workbook(tmp_path / "earlier.xlsx", start="01/10/2024", end="31/03/2025")
    later = audit_workbook(tmp_path / "later.xlsx")
    ok(run_report(tmp_path, "--raw", str(earlier)))
    before = {root: tree(tmp_path / root) for root in ("processed", "reports")}
    result = ok(run_report(tmp_path, "--raw", str(later), "--earlier", str(earlier), "--icpc-working-days", "20"))
    assert "replacing" not in result.stderr
    for root in ("processed", "reports"):
        after = tree(tmp_path / root)
        assert {k: v for k, v in after.items() if k in before[root]} == before[root]
    assert (data_folder(result) / "comparison.csv").exists()


def test_story_4_and_5_two_earlier_audits_with_one_title_at_awkward_paths_through_make(tmp_path):
    folder = tmp_path / "Northshire's audits (2025) $HOME é"
    first = audit_workbook(folder / "earliest one.xlsx", start="01/04/2024", end="30/09/2024")
    second = audit_workbook(folder / "earlier.xlsx", start="01/10/2024", end="31/03/2025", plan_smart="No")
    current = audit_workbook(tmp_path / "now.xlsx")
    result = make(tmp_path, f"RAW={current}", f"EARLIER={second}; {first}")
    assert result.returncode == 0, result.stderr
    comparison = pd.read_csv(data_folder(result) / "comparison.csv")
    assert comparison["earlier_audit"].unique().tolist() == ["Our audit (2024-10-01 to 2025-03-31)",
                                                             "Our audit (2024-04-01 to 2024-09-30)"]
    missing = make(tmp_path, f"RAW={current}", f"EARLIER={second}; {folder / 'no such.xlsx'}")
    assert missing.returncode != 0
    error = [line for line in missing.stderr.splitlines() if line.startswith("error:")]
    assert error == [f"error: {folder / 'no such.xlsx'}: file not found (check the path given as EARLIER=...; "
                     "several earlier audits are separated by ;)"]


@pytest.mark.parametrize("setting, closest", [("icpc_working_days=20", "ICPC_WORKING_DAYS"),
                                              ("ICPC_WORKING_DAY=20", "ICPC_WORKING_DAYS")])
def test_story_6_a_mistyped_setting_stops_before_anything_runs(tmp_path, setting, closest):
    result = make(tmp_path, setting)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: unknown setting '{setting.split('=')[0]}': did you mean {closest}? "
                      "(nothing was run; `make help` lists the settings)"]
    assert not (tmp_path / "processed").exists()


def test_the_same_workbook_as_raw_and_earlier_is_refused(ours):
    tmp_path, raw, _ = ours
    result = run_report(tmp_path, "--raw", str(raw), "--earlier", str(raw))
    assert result.returncode == 2 and "given as EARLIER and as RAW" in result.stderr


def test_the_manifest_records_inputs_and_every_output(ours):
    _, _, folder = ours
    record = json.loads((folder / "manifest.json").read_text())
    assert record["inputs"]["workbook"]["file"] == "ours.xlsx"
    assert record["inputs"]["parameters"]["icpc_working_days"] == 15
    assert {"processed/findings.csv", f"reports/{folder.name}.html"} <= set(record["outputs"])
