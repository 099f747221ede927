"""Re-audit through the pipeline (issue 10, spec section 9): `make report RAW=current EARLIER=earlier`."""
from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

import helpers
from conftest import KEY, run_report
from helpers.measures.comparison import COMPARISON_COLUMNS
from helpers.run import demo
from helpers.run.demo import EARLIER_FILE_NAME, build_demo, build_earlier_demo, write_workbook

pytestmark = pytest.mark.slow

# What the earlier demo was designed to show (tests/back/test_earlier_demo.py checks the numbers by hand).
HIGHER_NOW = ["icpc_timely", "reports_shared_timely", "plan_linked_to_needs", "partnership_working_effective",
              "father_invited", "father_attended"]
LOWER_NOW = ["eha_completed"]


def current_folder(workdir):
    folders = [p for p in (workdir / "processed").iterdir() if (p / "comparison.csv").exists()]
    assert len(folders) == 1, folders
    return folders[0]


def test_comparison_csv_has_every_measure_with_the_designed_verdicts(reaudit_run):
    comparison = pd.read_csv(current_folder(reaudit_run) / "comparison.csv")
    assert list(comparison.columns) == COMPARISON_COLUMNS
    assert len(comparison) == 22 and comparison["measure_id"].is_unique
    assert (comparison["earlier_audit"] == demo.EARLIER_TITLE).all()
    verdicts = comparison.set_index("measure_id")["verdict"]
    assert verdicts[verdicts == "higher"].index.tolist() == HIGHER_NOW
    assert verdicts[verdicts == "lower"].index.tolist() == LOWER_NOW
    row = comparison.set_index("measure_id").loc["eha_completed"]
    counts = row[["earlier_numerator", "earlier_denominator", "numerator", "denominator"]]
    assert tuple(counts) == (36, 80, 23, 100)
    assert (row["difference"], row["difference_ci_lower"], row["difference_ci_upper"]) == (-22.0, -34.5, -8.8)


def test_every_output_of_a_reaudit_run_is_in_the_data_dictionary(reaudit_run):
    from helpers.run.dictionary import folder_columns, undeclared

    folder = current_folder(reaudit_run)
    assert "manifest.json" in folder_columns(folder)  # written by make report only
    assert undeclared(folder) == {}


def test_the_earlier_audit_gets_no_folder_and_the_overlap_is_recorded(reaudit_run):
    folders = sorted(p.name for p in (reaudit_run / "processed").iterdir() if p.is_dir())
    assert len(folders) == 1  # an earlier audit is measured inside this run, never written to its own folders
    record = json.loads((current_folder(reaudit_run) / "reaudit.json").read_text())
    (earlier,) = record["earlier"]
    assert earlier["same_key"] and earlier["overlap_checked"]
    assert earlier["overlapping_cases"] == len(demo.SHARED_CASE_REFS)
    assert earlier["windows_overlap"] is False
    assert earlier["key_fingerprint"] == record["audit"]["key_fingerprint"]


def test_the_report_answers_since_the_last_audit_first(reaudit_run):
    audit_id = current_folder(reaudit_run).name
    board = (reaudit_run / "reports" / audit_id / f"{audit_id}.html").read_text()
    contents = board[board.index('id="contents"'):]
    assert contents.index("#executive-summary") < contents.index("#since-last-audit") < contents.index("#summary")
    summary = board[board.index('id="executive-summary"'):board.index('id="since-last-audit"')]
    assert "6 measures are higher" in summary and "1 measure is lower" in summary
    section = board[board.index('id="since-last-audit"'):board.index('id="summary"')]
    assert "lower than in the audit of October 2024 to March 2025" in section and demo.EARLIER_TITLE in section
    assert "Progress on the last audit" in section and "(overdue)" in section
    assert "number of children in both audits (the same pseudonymised case id) is 3." in section
    assert "improved" not in section.replace("Outcomes improved for the child", "")
    # Small samples said plainly (issue 22): how large a change this pair of audits could show, in both places.
    detectable = ("No clear change does not mean no change. With 100 cases in this audit and 80 in the audit of "
                  "October 2024 to March 2025, only changes of about 13 points or more in a key-line measure can be "
                  "told apart from chance")
    assert detectable in section and detectable in board[board.index('id="method"'):]
    published = (reaudit_run / "reports" / audit_id / f"{audit_id}-published.html").read_text()
    published_section = published[published.index('id="since-last-audit"'):published.index('id="summary"')]
    assert "fewer than 6" in published_section and "3 children" not in published_section


def test_an_earlier_audit_after_the_current_one_stops_the_run(tmp_path):
    current = write_workbook(build_demo(), tmp_path / "SYNTHETIC_demo.xlsx")
    earlier = write_workbook(build_earlier_demo(), tmp_path / EARLIER_FILE_NAME)
    swapped = run_report(tmp_path, "--raw", str(earlier), "--earlier", str(current))
    assert swapped.returncode == 2
    error = swapped.stderr.strip().splitlines()[-1]
    assert error.startswith("error: ") and "Traceback" not in swapped.stderr
    assert "the earlier audit SYNTHETIC_demo.xlsx" in error and EARLIER_FILE_NAME in error
    assert "ALLOW_LATER=1" in error
    assert not (tmp_path / "processed").exists()


def without_column(source, target, column_header):
    book = openpyxl.load_workbook(source)
    sheet = next(book[name] for name in book.sheetnames if name.strip().lower() == "cases")
    header_row = next(r for r in range(1, 21) if any(c.value == "Case Ref." for c in sheet[r]))
    position = next(c.column for c in sheet[header_row] if c.value == column_header)
    sheet.delete_cols(position)
    book.save(target)
    return target


def test_an_earlier_workbook_without_a_question_gives_not_comparable(tmp_path):
    current = write_workbook(build_demo(), tmp_path / "SYNTHETIC_demo.xlsx")
    earlier = without_column(write_workbook(build_earlier_demo(), tmp_path / "full.xlsx"),
                             tmp_path / EARLIER_FILE_NAME, "SMART plan")
    comparison = helpers.audit(current, earlier=[earlier], key=KEY).comparison.set_index("measure_id")
    assert comparison.loc["plan_smart", "verdict"] == "not comparable"
    assert pd.isna(comparison.loc["plan_smart", "earlier_denominator"])
    assert (comparison.drop(index="plan_smart")["verdict"] != "not comparable").sum() >= 20
