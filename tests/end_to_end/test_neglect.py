"""The neglect audit end to end (issue 23): `make report AUDIT_DEFINITION=audits/neglect.yaml` with no RAW gives
its board paper and published version from its synthetic demo; `make template` and `make check` follow the
definition; a re-audit compares the demo with an earlier one."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess

import openpyxl
import pandas as pd
import pytest

from conftest import ROOT, as_a_user_runs_make, pipeline_env, processed_folder, report_files, run_report
from helpers.domain.definition import load_definition
from helpers.read.cells import normalise_header
from helpers.run.demo_definition import CASE_REF, build_rows, write_definition_demo

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


def test_the_board_paper_and_published_version_come_from_the_neglect_demo(neglect_run, tmp_path):
    definition = load_definition(NEGLECT)
    folder = processed_folder(neglect_run)
    # Made from the demo as the definition and generator give it today (not from an older copy).
    fresh = write_definition_demo(definition, tmp_path / "fresh.xlsx")
    source = json.loads((folder / "source.json").read_text())
    # Named by the definition and generator it was made from, so an edited definition never reuses an old demo.
    assert re.fullmatch(r"SYNTHETIC_neglect_demo_[0-9a-f]{8}_audit_workbook\.xlsx", source["raw_file"])
    assert source["raw_sha256"] == hashlib.sha256(fresh.read_bytes()).hexdigest()
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
    # Nor the conference audit's general words: the period is of referrals, the population is not of plans.
    for page in (board, published):
        text = page.lower()
        for word in ("conference", "icpc", "quorate", "core group", "children on child protection plans"):
            assert word not in text, word


def test_every_output_of_the_neglect_run_is_in_its_data_dictionary(neglect_run):
    from helpers.run.dictionary import undeclared

    assert undeclared(processed_folder(neglect_run), load_definition(NEGLECT)) == {}


def test_the_grade_distribution_is_written_and_drawn(neglect_run):
    folder = processed_folder(neglect_run)
    levels = pd.read_csv(folder / "grade_distribution.csv")
    practice = levels[levels["measure_id"] == "practice_good"]
    assert list(practice["level"]) == ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    assert practice["count"].sum() > 0
    # The board paper draws the levels as a stacked bar whose description gives each level's count.
    board = report_files(neglect_run)["board"].read_text()
    described = "; ".join(f"{level}: {count} (" for level, count in zip(practice["level"], practice["count"]))
    assert "Stacked bar chart of the grades given" in board
    assert all(part in board for part in described.split("; "))


def test_no_case_reference_name_or_comment_reaches_an_output(neglect_run):
    text = outputs_text(neglect_run)
    assert CASE_REF.format(1) not in text and "SYN-00" not in text
    assert "Synthetic Child" not in text and "Synthetic note about" not in text


def drop_down_values(book, sheet_name: str, column: str) -> list[str]:
    """The answers a column's drop-down offers: its list validation's named range in the Lists sheet."""
    sheet = book[sheet_name]
    letter = openpyxl.utils.get_column_letter([c.value for c in sheet[1]].index(column) + 1)
    (validation,) = [v for v in sheet.data_validations.dataValidation
                     if v.type == "list" and str(v.sqref).startswith(f"{letter}2:")]
    target = book.defined_names[validation.formula1].attr_text  # e.g. Lists!$E$2:$E$5
    lists_sheet, cells = target.split("!")
    return [row[0].value for row in book[lists_sheet.strip("'")][cells.replace("$", "")]]


def test_make_template_follows_the_definition(tmp_path):
    blank = tmp_path / "neglect_template.xlsx"
    result = make(tmp_path, "template", f"OUT={blank}")
    assert result.returncode == 0, result.stderr
    definition = load_definition(NEGLECT)
    book = openpyxl.load_workbook(blank)
    for sheet in definition.sheets.values():
        header = [normalise_header(cell.value) for cell in book[sheet.name][1] if cell.value]
        assert header == [c.name for c in sheet.columns], sheet.name
    # Drop-downs of the declared answers: the practice scale's four levels, best first, and Yes/Partly/No/N/A.
    assert drop_down_values(book, "Agency returns", "practice_grade") == list(
        definition.agency_returns.column("practice_grade").scale)
    assert drop_down_values(book, "Cases", "plan_smart") == ["Yes", "Partly", "No", "N/A"]
    assert drop_down_values(book, "Cases", "outcomes_improved")[-2:] == ["Too early to say", "N/A"]


def blank_required_answers(definition, rows) -> int:
    """The demo's required answers it left empty on purpose (its weights give "" a share): what make check lists."""
    count = 0
    for sheet, table in (("Cases", rows.cases), ("Agency returns", rows.returns)):
        required = [c.name for c in definition.sheets[sheet].columns
                    if c.required and c.name not in ("case_ref", "agency")]
        count += sum(1 for row in table for name in required if row[name] in ("", None))
    return count


def test_make_check_lists_the_demo_blanks_and_a_wrong_answer(tmp_path):
    definition = load_definition(NEGLECT)
    demo = write_definition_demo(definition, tmp_path / "neglect_demo.xlsx")
    blanks = blank_required_answers(definition, build_rows(definition))
    assert blanks > 0
    checked = make(tmp_path, "check", f"RAW={demo}", f"OUT={tmp_path / 'feedback.xlsx'}")
    # Exit 3: problems to fix; the demo's only ones are the answers it leaves blank.
    assert checked.returncode == 2 and "Error 3" in checked.stderr, checked.stdout + checked.stderr
    assert f"{blanks} problems to fix ({blanks} blank_answer)" in checked.stdout
    book = openpyxl.load_workbook(demo)
    header = [normalise_header(c.value) for c in book["Cases"][1]]
    row = next(r for r in range(2, book["Cases"].max_row + 1)
               if book["Cases"].cell(r, header.index("plan_smart") + 1).value)  # an answered cell
    book["Cases"].cell(row, header.index("plan_smart") + 1).value = "Maybe"
    wrong = tmp_path / "wrong.xlsx"
    book.save(wrong)
    rechecked = make(tmp_path, "check", f"RAW={wrong}", f"OUT={tmp_path / 'feedback2.xlsx'}")
    assert f"{blanks + 1} problems to fix" in rechecked.stdout and "1 unrecognised" in rechecked.stdout, \
        rechecked.stdout
    feedback = openpyxl.load_workbook(tmp_path / "feedback2.xlsx")
    cells = [str(c.value) for ws in feedback.worksheets for r in ws.iter_rows() for c in r if c.value is not None]
    assert "Maybe" in cells and "Plan smart" in cells


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
