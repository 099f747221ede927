"""The neglect audit end to end (issue 23): `make report AUDIT_DEFINITION=audits/neglect.yaml` with no RAW gives
its board paper and published version from its synthetic demo; `make template` and `make check` follow the
definition; a re-audit compares the demo with an earlier one."""
from __future__ import annotations

import json
import subprocess

import openpyxl
import pandas as pd
import pytest

from conftest import ROOT, as_a_user_runs_make, pipeline_env, processed_folder, report_files, run_report
from helpers.domain.definition import load_definition
from helpers.read.cells import normalise_header
from helpers.run.demo_definition import CASE_REF, write_definition_demo

pytestmark = pytest.mark.slow

NEGLECT = ROOT / "audits" / "neglect.yaml"
DEFINITION = "audits/neglect.yaml"


def make(workdir, *arguments):
    return subprocess.run(["make", "--no-print-directory", *arguments, f"AUDIT_DEFINITION={DEFINITION}"], cwd=ROOT,
                          env=as_a_user_runs_make({**pipeline_env(workdir),
                                                   "AUDIT_DEMO_WORKBOOK": str(workdir / "raw" / "demo.xlsx")}),
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def neglect_run(tmp_path_factory):
    """`make report AUDIT_DEFINITION=audits/neglect.yaml`: no RAW, so the demo generated from the definition."""
    workdir = tmp_path_factory.mktemp("neglect")
    result = make(workdir, "report", "PUBLISH=1")
    assert result.returncode == 0, result.stderr
    return workdir


def outputs_text(workdir) -> str:
    return "\n".join(p.read_text(errors="ignore") for folder in ("processed", "reports")
                     for p in (workdir / folder).rglob("*") if p.is_file() and p.suffix in (".csv", ".json", ".html"))


def test_the_board_paper_and_published_version_come_from_the_neglect_demo(neglect_run):
    definition = load_definition(NEGLECT)
    folder = processed_folder(neglect_run)
    assert folder.name.startswith("neglect")
    findings = pd.read_csv(folder / "findings.csv")
    assert list(findings["measure_id"]) == [m.id for m in definition.measures]
    assert (findings["denominator"] + findings["not_applicable"] + findings["not_recorded"]
            == definition.demo.cases).all()
    reports = report_files(neglect_run)
    board, published = reports["board"].read_text(), reports["published"].read_text()
    for page in (board, published):
        assert definition.title in page and "SYNTHETIC DEMO" in page
    # Its own words: the measures' labels, not the conference audit's.
    assert "Neglect assessment tool used" in board and "Child's lived experience recorded" in board
    assert "conference quorate" not in board.lower()


def test_the_grade_distribution_is_written_and_drawn(neglect_run):
    folder = processed_folder(neglect_run)
    levels = pd.read_csv(folder / "grade_distribution.csv")
    practice = levels[levels["measure_id"] == "practice_good"]
    assert list(practice["level"]) == ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    assert practice["count"].sum() > 0


def test_no_case_reference_name_or_comment_reaches_an_output(neglect_run):
    text = outputs_text(neglect_run)
    assert CASE_REF.format(1) not in text and "SYN-00" not in text
    assert "Synthetic Child" not in text and "Synthetic note about" not in text


def test_make_template_follows_the_definition(tmp_path):
    blank = tmp_path / "neglect_template.xlsx"
    result = make(tmp_path, "template", f"OUT={blank}")
    assert result.returncode == 0, result.stderr
    definition = load_definition(NEGLECT)
    book = openpyxl.load_workbook(blank)
    for sheet in definition.sheets.values():
        header = [normalise_header(cell.value) for cell in book[sheet.name][1] if cell.value]
        assert set(c.name for c in sheet.columns if c.required) <= set(header), sheet.name
    # The graded column's drop-down offers the practice scale's four levels.
    lists = " ".join(str(v.formula1) for v in book["Agency returns"].data_validations.dataValidation)
    assert "Requires improvement" in lists or any(
        "Requires improvement" in str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row)


def test_make_check_finds_nothing_to_fix_in_the_demo_and_lists_a_wrong_answer(tmp_path):
    definition = load_definition(NEGLECT)
    demo = write_definition_demo(definition, tmp_path / "neglect_demo.xlsx")
    clean = make(tmp_path, "check", f"RAW={demo}", f"OUT={tmp_path / 'feedback.xlsx'}")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    book = openpyxl.load_workbook(demo)
    header = [normalise_header(c.value) for c in book["Cases"][1]]
    book["Cases"].cell(2, header.index("plan_smart") + 1).value = "Maybe"
    wrong = tmp_path / "wrong.xlsx"
    book.save(wrong)
    checked = make(tmp_path, "check", f"RAW={wrong}", f"OUT={tmp_path / 'feedback2.xlsx'}")
    assert checked.returncode != 0
    assert "plan_smart" in checked.stdout + checked.stderr or "Plan smart" in checked.stdout + checked.stderr


def test_a_reaudit_compares_the_neglect_demo_with_an_earlier_one(tmp_path):
    definition = load_definition(NEGLECT)
    current = write_definition_demo(definition, tmp_path / "current.xlsx")
    earlier = write_definition_demo(definition, tmp_path / "earlier.xlsx", earlier=True)
    result = run_report(tmp_path, "--audit-definition", str(NEGLECT), "--raw", str(current),
                        "--earlier", str(earlier), "--publish", "1")
    assert result.returncode == 0, result.stderr
    folder = processed_folder(tmp_path)
    comparison = pd.read_csv(folder / "comparison.csv")
    assert list(comparison["measure_id"]) == [m.id for m in definition.measures]
    assert set(comparison["verdict"]) <= {"higher", "lower", "no clear change", "not comparable"}
    record = json.loads((folder / "reaudit.json").read_text())
    (before,) = record["earlier"]
    assert before["overlapping_cases"] == 3 and before["same_key"] and not before["windows_overlap"]
    board = report_files(tmp_path)["board"].read_text()
    assert "October 2024 to March 2025" in board
