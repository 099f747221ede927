"""The main path through `python -m helpers`, the command that works without make (issue 24), and through make."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, as_a_user_runs_make, pipeline_env, processed_folder, report_files, run_report


def made_files(folder: Path) -> dict[str, bytes]:
    """Every file a run made in a processed folder, by name, but its manifest (which records when and how)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


def run_plain(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpers", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env=env)


def make_report(workdir: Path, raw: Path) -> subprocess.CompletedProcess:
    """`make report RAW=...` in this test's environment (VENV is the Python running the tests), without the
    variables of a `make test ...` running this test."""
    return subprocess.run(["make", "--no-print-directory", "report", f"RAW={raw}", f"VENV={sys.prefix}"], cwd=ROOT,
                          env=as_a_user_runs_make(pipeline_env(workdir)), capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_the_plain_command_and_make_report_write_the_same_bytes(small_workbook, tmp_path):
    plain, made = tmp_path / "plain", tmp_path / "make"
    by_plain = run_report(plain, "--raw", str(small_workbook))
    assert by_plain.returncode == 0, by_plain.stderr
    made.mkdir()
    shutil.copy(plain / "test.key", made / "test.key")  # the same key, the same case ids
    by_make = make_report(made, small_workbook)
    assert by_make.returncode == 0, by_make.stderr
    # The same workbook gives the same outputs, byte for byte, whichever way it is run: every processed file,
    # and the board report but for its generation time and code version (a commit may land between two runs).
    ours, theirs = made_files(processed_folder(plain)), made_files(processed_folder(made))
    assert "findings.csv" in ours and "charts/summary.png" in ours
    assert ours.keys() == theirs.keys()
    assert [name for name in ours if ours[name] != theirs[name]] == []
    board_plain, board_made = (report_files(workdir)["board"].read_text().splitlines() for workdir in (plain, made))
    differing = [line for line, other in zip(board_plain, board_made) if line != other]
    assert len(board_plain) == len(board_made) and len(differing) <= 2
    assert all("generated-at" in line or "git commit" in line for line in differing)
    # Both end by naming the reports and the data (make may first have set up its environment).
    for result in (by_plain, by_make):
        named = [line.split(":")[0] for line in result.stdout.splitlines()
                 if line.split(":")[0] not in ("pdf", "briefing")]
        assert named[-3:] == ["report", "report", "data"]


def test_a_bad_workbook_stops_the_plain_command_with_one_line(tmp_path):
    missing = tmp_path / "Children's Services (2025) é" / "audit.xlsx"
    result = run_plain("report", "--raw", str(missing), env=pipeline_env(tmp_path))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"error: {missing}: file not found (check the path given as RAW=...)"]
    assert not (tmp_path / "processed").exists()


def test_a_bad_parameter_stops_the_plain_command_before_any_stage(small_workbook, tmp_path):
    result = run_plain("report", "--raw", str(small_workbook), "--icpc-working-days", "fifteen",
                       env=pipeline_env(tmp_path))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "fifteen" in result.stderr
    assert "running notebooks" not in result.stderr


def test_check_and_template_through_the_plain_command(small_workbook, tmp_path):
    blank = tmp_path / "blank.xlsx"
    made = run_plain("template", "--out", str(blank))
    assert made.returncode == 0 and made.stdout.splitlines()[-1] == f"template: {blank}"
    feedback = tmp_path / "feedback.xlsx"
    checked = run_plain("check", "--raw", str(small_workbook), "--out", str(feedback), env=pipeline_env(tmp_path))
    # The small workbook has a duplicate case and a return for an unknown case: problems to fix, exit 3.
    assert checked.returncode == 3, checked.stderr
    assert feedback.exists()
