"""`make check` (issue 12): feedback the audit team can fix their workbook from, and its exit status."""
from __future__ import annotations

import re
import resource
import subprocess
import sys
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest

from conftest import ROOT, case_row, quorate_returns, return_row, write_workbook
from helpers import spine
from helpers.clean.cleaning import clean_workbook
from helpers.run import check

# The cleaner's contract: one row per problem cell, one per raw row with its outcome.
CELLS = pd.DataFrame([
    ("Agency returns", 9, "agency", "Organisation", "womens aid refuge", "unmapped_agency"),
    ("Cases", 14, "plan_smart", "SMART plan", "maybe", "unrecognised"),
    ("Recommendations", 3, "measures", "measures", "no_such_measure", "unknown_measure"),
    ("Cases", 5, "icpc_date", "Date of ICPC", "09/30/2025", "unrecognised"),
    ("Cases", 5, "My notes", "My notes", "[personal data withheld]", "unused_column"),
    ("Cases", 8, "My notes", "My notes", "[personal data withheld]", "unused_column"),
    ("Audit", 4, "population", "value", "c. 1,000", "unrecognised"),
], columns=["sheet", "row", "column", "header", "value", "issue"])
OUTCOMES = pd.DataFrame([
    ("Cases", 2, "included", ""), ("Cases", 3, "superseded_duplicate", "superseded by row 14"),
    ("Cases", 4, "blank", ""), ("Cases", 6, "outside_terms_of_reference", "ICPC date 15/01/2025"),
    ("Cases", 7, "missing_case_ref", ""), ("Agency returns", 2, "orphan_return", "ZZ9 is not in Cases"),
    ("Agency returns", 3, "included", ""),
], columns=["sheet", "row", "outcome", "detail"])


def cleaned(cells=CELLS, outcomes=OUTCOMES):
    return SimpleNamespace(data_quality_rows=cells, row_outcomes=outcomes,
                           settings=SimpleNamespace(local_authorities_text=None))


def raw_sheet(name: str, headers: dict, case_refs: dict, unused: pd.DataFrame | None = None):
    """What the reader gives: headers as written, case references by Excel row, columns not used."""
    return SimpleNamespace(name=name, headers=headers, unused=pd.DataFrame() if unused is None else unused,
                           excel_row=pd.Series(list(case_refs)),
                           rows=pd.DataFrame({"case_ref": list(case_refs.values())}))


RAW = SimpleNamespace(
    path="audit.xlsx",
    cases=raw_sheet("Cases", {"case_ref": "Case Ref.", "plan_smart": "SMART plan"},
                    {2: "A1", 3: "A2", 4: None, 5: "A3", 6: "A4", 7: None},
                    pd.DataFrame({"My notes": ["x", None, "y", None, None, None]})),
    agency_returns=raw_sheet("Agency returns", {"case_ref": "Case reference"}, {2: "ZZ9", 3: "A1"}),
    audit=None, recommendations=None)


def feedback_of(cells=CELLS, outcomes=OUTCOMES):
    return check.feedback_from(cleaned(cells, outcomes), RAW)


def test_one_problem_per_cell_grouped_by_sheet_and_sorted_by_row():
    problems = feedback_of().problems
    assert list(zip(problems["sheet"], problems["row"])) == [
        ("Cases", 5), ("Cases", 7), ("Cases", 14), ("Agency returns", 2), ("Agency returns", 9),
        ("Audit", 4), ("Recommendations", 3)]
    smart = problems[problems["row"] == 14].iloc[0]
    assert smart["header"] == "SMART plan" and smart["value"] == "maybe"
    assert smart["accepted"] == "one of: Yes, Partly, No, N/A"
    assert "not accept" in smart["what_is_wrong"]
    date = problems[problems["column"] == "icpc_date"].iloc[0]
    assert "dd/mm/yyyy" in date["accepted"] and date["header"] == "Date of ICPC"
    assert "Children's social care" in problems[problems["issue"] == "unmapped_agency"].iloc[0]["accepted"]
    assert "whole number" in problems[problems["sheet"] == "Audit"].iloc[0]["accepted"]


def test_rows_left_out_until_corrected_are_problems_and_the_others_are_listed_with_their_reason():
    feedback = feedback_of()
    by_row = feedback.problems.set_index(["sheet", "row"])
    assert by_row.loc[("Agency returns", 2), "issue"] == "orphan_return"
    assert "ZZ9 is not in Cases" in by_row.loc[("Agency returns", 2), "what_is_wrong"]
    assert by_row.loc[("Agency returns", 2), ["header", "value"]].tolist() == ["Case reference", "ZZ9"]
    assert by_row.loc[("Cases", 7), "issue"] == "missing_case_ref"
    assert by_row.loc[("Cases", 7), "header"] == "Case Ref."
    assert ("Cases", 3) not in by_row.index and ("Cases", 6) not in by_row.index
    excluded = feedback.excluded.set_index(["sheet", "row"])
    assert excluded.loc[("Cases", 3), "detail"] == "superseded by row 14"
    assert "duplicate" in excluded.loc[("Cases", 3), "reason"]
    assert "outside the audit window" in excluded.loc[("Cases", 6), "reason"]
    assert set(feedback.excluded["outcome"]) == {"superseded_duplicate", "blank", "outside_terms_of_reference",
                                                 "missing_case_ref", "orphan_return"}


def test_columns_of_their_own_are_listed_as_not_used_not_as_problems():
    feedback = feedback_of()
    assert feedback.not_used.to_dict("records") == [{"sheet": "Cases", "header": "My notes", "cells": 2}]
    assert "unused_column" not in set(feedback.problems["issue"])


def test_summary_counts_problems_by_kind_and_excluded_rows_by_reason():
    feedback = feedback_of()
    kinds = dict(zip(feedback.problems_by_kind()["issue"], feedback.problems_by_kind()["problems"]))
    assert kinds == {"unrecognised": 3, "missing_case_ref": 1, "orphan_return": 1, "unmapped_agency": 1,
                     "unknown_measure": 1}
    reasons = feedback.excluded_by_reason()
    assert reasons["rows"].sum() == 5 and len(reasons) == 5


def run_main(monkeypatch, capsys, result, tmp_path):
    monkeypatch.setattr(spine, "read_workbook", lambda path, may_lack=frozenset(), definition=None: RAW)
    monkeypatch.setattr(spine, "clean_raw_workbook", lambda *args, **kwargs: result)
    out = tmp_path / "feedback.xlsx"
    (tmp_path / "audit.xlsx").write_bytes(b"read by the stand-in reader")
    status = check.main(["--raw", str(tmp_path / "audit.xlsx"), "--out", str(out)])
    return status, capsys.readouterr(), out


def sheet_text(path, name) -> str:
    sheet = openpyxl.load_workbook(path)[name]
    return "\n".join(" | ".join(str(c) for c in row if c is not None) for row in sheet.iter_rows(values_only=True))


def test_problems_exit_3_and_the_feedback_workbook_says_where_each_one_is(monkeypatch, capsys, tmp_path):
    status, printed, out = run_main(monkeypatch, capsys, cleaned(), tmp_path)
    assert status == check.EXIT_PROBLEMS == 3
    assert printed.out.strip().splitlines()[-1] == f"feedback: {out}"
    summary = sheet_text(out, "Summary")
    assert "OFFICIAL-SENSITIVE" in summary and "no personal data beyond what the audit team already has" in summary
    assert "7 problems to fix" in summary and "My notes" in summary
    problems = openpyxl.load_workbook(out)["Problems"]
    assert [c.value for c in problems[1]] == check.PROBLEM_HEADINGS
    assert [c.value for c in problems[4]][:4] == ["Cases", 14, "SMART plan", "maybe"]
    assert "superseded by row 14" in sheet_text(out, "Rows not analysed")


def test_make_check_passes_the_workbook_and_feedback_path_through_the_environment(monkeypatch, capsys, tmp_path):
    seen = []
    monkeypatch.setattr(spine, "read_workbook", lambda path, **_: seen.append(path) or RAW)
    monkeypatch.setattr(spine, "clean_raw_workbook", lambda *args, **kwargs: cleaned())
    (tmp_path / "their audit.xlsx").write_bytes(b"read by the stand-in reader")
    monkeypatch.setenv("CPA_RAW", str(tmp_path / "their audit.xlsx"))
    monkeypatch.setenv("CPA_OUT", str(tmp_path / "feedback.xlsx"))
    assert check.main([]) == check.EXIT_PROBLEMS
    assert seen == [tmp_path / "their audit.xlsx"]
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"feedback: {tmp_path / 'feedback.xlsx'}"


def test_a_window_parameter_in_us_order_is_refused_as_make_report_refuses_it(capsys, tmp_path):
    assert check.main(["--raw", str(tmp_path / "a.xlsx"), "--window-start", "09/30/2025"]) == check.EXIT_UNREADABLE
    assert "US order" in capsys.readouterr().err


def test_a_clean_workbook_exits_0(monkeypatch, capsys, tmp_path):
    clean = cleaned(CELLS.iloc[0:0], OUTCOMES[OUTCOMES["outcome"] == "included"])
    status, printed, out = run_main(monkeypatch, capsys, clean, tmp_path)
    assert status == check.EXIT_CLEAN == 0
    assert printed.out.strip().splitlines()[-1] == f"feedback: {out}"
    assert "No problems to fix" in sheet_text(out, "Summary")


def run_check(*args):
    return subprocess.run([sys.executable, "-m", "helpers.run.check", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("make_input", [lambda p: p / "missing.xlsx",
                                        lambda p: (p / "notes.xlsx").write_text("not a workbook") and p / "notes.xlsx"],
                         ids=["missing", "not-a-workbook"])
def test_an_unreadable_workbook_exits_2_with_the_usual_one_line_error(tmp_path, make_input):
    result = run_check("--raw", str(make_input(tmp_path)), "--out", str(tmp_path / "feedback.xlsx"))
    assert result.returncode == check.EXIT_UNREADABLE == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "feedback.xlsx").exists()


# --- on the real cleaning stage ----------------------------------------------------------------------------

def test_check_of_a_messy_workbook_lists_each_mess_with_its_row(tmp_path, isolated_key):
    cases = [case_row("A1"), case_row("A2", plan_smart="maybe"), {},
             case_row("A2", audit_date="01/12/2025"), case_row("A3", icpc_date="15/01/2025")]
    returns = quorate_returns("A1") + [return_row("ZZ9", "Police"), return_row("A1", "womens aid refuge")]
    workbook = write_workbook(tmp_path / "messy.xlsx", cases, returns,
                              {"window_start": "01/04/2025", "window_end": "30/09/2025"},
                              [("Monitor plans", "no_such_measure")])
    feedback = check.check_workbook(workbook, bytes(range(32)))
    problems = set(zip(feedback.problems["sheet"], feedback.problems["row"], feedback.problems["issue"]))
    assert ("Agency returns", 5, "orphan_return") in problems
    assert ("Agency returns", 6, "unmapped_agency") in problems
    assert ("Recommendations", 2, "unknown_measure") in problems
    assert ("Cases", 3, "unrecognised") in problems  # listed although the row is superseded
    excluded = feedback.excluded.set_index(["sheet", "row"])
    assert excluded.loc[("Cases", 3), "outcome"] == "superseded_duplicate"
    assert excluded.loc[("Cases", 6), "outcome"] == "outside_terms_of_reference"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from helpers.run.demo import build_demo
    from helpers.run.demo import write_workbook as write_demo

    built = build_demo()
    return built, write_demo(built, tmp_path_factory.mktemp("demo") / "SYNTHETIC_demo.xlsx")


def test_check_of_the_demo_lists_every_deliberate_mess_with_its_row(demo):
    built, path = demo
    feedback = check.check_workbook(path, bytes(range(32)))
    # Every row the demo puts out of the analysis is there, with its outcome.
    for (sheet, outcome), rows in built.expected_outcomes.items():
        if outcome != "included":
            excluded = feedback.excluded
            listed = excluded[(excluded["sheet"] == sheet) & (excluded["outcome"] == outcome)]
            assert len(listed) == rows and listed["row"].is_unique, (sheet, outcome)
    # Every cell data_quality.csv counts is one problem row (values withheld where personal).
    counted = clean_workbook(path, bytes(range(32))).data_quality.groupby(["sheet", "column", "issue"])["rows"].sum()
    listed = feedback.problems.groupby(["sheet", "column", "issue"]).size()
    assert listed.reindex(counted.index).tolist() == counted.tolist()
    assert feedback.problems["row"].gt(1).all() and feedback.problems["accepted"].str.len().gt(0).all()
    assert "orphan_return" in set(feedback.problems["issue"]) and "unmapped_agency" in set(feedback.problems["issue"])


def test_check_of_the_demo_exits_3_in_under_3_seconds_of_work(demo):
    _, path = demo
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = run_check("--raw", str(path), "--out", str(path.with_name("feedback.xlsx")))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time, not wall time: other work on a shared machine must not fail the test.
    assert (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime) < 3
    assert result.returncode == check.EXIT_PROBLEMS, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"feedback: {path.with_name('feedback.xlsx')}"


def test_every_outcome_and_spec_issue_has_words_for_the_audit_team():
    from helpers.clean.cleaning import OUTCOMES
    from helpers.domain.quality import ISSUE_WORDS, OUTCOME_WORDS

    assert set(OUTCOMES) <= set(OUTCOME_WORDS)
    spec_issues = {"unrecognised", "unmapped_agency", "missing_agency", "negative_interval", "no_icpc_date_in_window",
                   "unknown_measure", "unknown_local_authority", "implausible_date"}
    assert spec_issues <= set(ISSUE_WORDS)


# --- every deliberate mess of the demo, found in the workbook itself, is in the feedback at its row -----------

def written_rows(path, sheet: str, header_row: int) -> tuple[dict, list[tuple[int, dict]]]:
    """A sheet of the written demo as the audit team sees it in Excel: header -> column, and (Excel row, cells by
    header) for every row below the header up to the last one holding a value."""
    worksheet = openpyxl.load_workbook(path)[sheet]
    headers = [cell.value for cell in worksheet[header_row]]
    rows = [(number, dict(zip(headers, (c.value for c in cells))))
            for number, cells in enumerate(worksheet.iter_rows(min_row=header_row + 1), start=header_row + 1)]
    while rows and all(is_empty(v) for v in rows[-1][1].values()):
        rows.pop()
    return headers, rows


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def ref(value) -> str:
    return "" if is_empty(value) else str(value).strip().upper()


def planted_mess(path) -> tuple[list[tuple], list[tuple]]:
    """What demo.py plants, located by scanning the written workbook (never through the cleaner):
    cells to correct as (sheet, row, header, value as written or None when personal, issue), and rows left
    out as (sheet, row, outcome, the row that supersedes it or None)."""
    from helpers.run.demo import CASE_HEADERS, PARTLY_FORMS, RETURN_HEADERS

    cells, rows = [], []
    case_headers, cases = written_rows(path, "CASES", header_row=2)
    h = CASE_HEADERS
    for number, row in cases:
        if row[h["first_core_group_date"]] == "31/02/2025":
            cells.append(("Cases", number, h["first_core_group_date"], "31/02/2025", "unrecognised"))
        if row[h["date_of_birth"]] == "sometime in 2019":
            cells.append(("Cases", number, h["date_of_birth"], None, "unrecognised"))
        if row[h["plan_smart"]] == "maybe":
            cells.append(("Cases", number, h["plan_smart"], "maybe", "unrecognised"))
        if row[h["father_invited"]] in PARTLY_FORMS:  # a yes/no question answered "partly"
            # Shown as written in the cell, so the team can search for it (issue 20).
            cells.append(("Cases", number, h["father_invited"], row[h["father_invited"]], "unrecognised"))
        if ref(row[h["case_ref"]]) == "SYN-0042":  # its core group is dated three working days before the ICPC
            # Both dates of the negative interval are shown, each as written (issue 20).
            cells.append(("Cases", number, h["first_core_group_date"],
                          f"{row[h['first_core_group_date']]} (before it, {h['icpc_date']}: {row[h['icpc_date']]})",
                          "negative_interval"))
        if all(is_empty(v) for v in row.values()):
            rows.append(("Cases", number, "blank", None))
        elif is_empty(row[h["case_ref"]]):
            cells.append(("Cases", number, h["case_ref"], "", "missing_case_ref"))
        elif ref(row[h["case_ref"]]).startswith("SYN-9"):
            rows.append(("Cases", number, "outside_terms_of_reference", None))
    case_rows = {}
    for number, row in cases:
        if not is_empty(row[h["case_ref"]]):
            case_rows.setdefault(ref(row[h["case_ref"]]), []).append(number)
    rows += [("Cases", numbers, "superseded_duplicate", None) for numbers in case_rows.values() if len(numbers) > 1]

    h = RETURN_HEADERS
    _, returns = written_rows(path, "Agency_Returns", header_row=1)
    pairs = {}
    for number, row in returns:
        if all(is_empty(v) for v in row.values()):
            rows.append(("Agency returns", number, "blank", None))
            continue
        if row[h["agency"]] == "Barnardo's Family Centre":
            cells.append(("Agency returns", number, h["agency"], "Barnardo's Family Centre", "unmapped_agency"))
        case = ref(row[h["case_ref"]])
        if not case:
            cells.append(("Agency returns", number, h["case_ref"], "", "missing_case_ref"))
        elif case.startswith("SYN-7"):
            cells.append(("Agency returns", number, h["case_ref"], case, "orphan_return"))
        elif case.startswith("SYN-9"):
            rows.append(("Agency returns", number, "outside_terms_of_reference", None))
        else:
            pairs.setdefault((case, row[h["agency"]]), []).append(number)
    rows += [("Agency returns", numbers, "superseded_duplicate", None) for numbers in pairs.values()
             if len(numbers) > 1]

    _, recommendations = written_rows(path, "Recommendations ", header_row=1)
    # The id of a column (recording_quality), not of a measure (recording_quality_good): a typo.
    cells += [("Recommendations", number, "Measures", "recording_quality", "unknown_measure")
              for number, row in recommendations
              if "recording_quality" in [part.strip() for part in re.split(r"[;,]", str(row["Measures"]))]]
    return cells, rows


def test_every_deliberate_mess_of_the_demo_is_in_the_feedback_at_its_row_with_what_to_do(demo):
    _, path = demo
    cells, rows = planted_mess(path)
    # What demo.py says it plants: the scan found all of it.
    assert len([c for c in cells if c[4] == "unrecognised"]) == 6 and len(cells) == 13
    assert sum(1 for r in rows if r[2] == "superseded_duplicate") == 6
    feedback = check.check_workbook(path, bytes(range(32)))
    problems = feedback.problems.set_index(["sheet", "row", "issue"])
    for sheet, row, header, value, issue in cells:
        found = problems.loc[(sheet, row, issue)]
        assert " ".join(found["header"].split()) == " ".join(header.split()), (sheet, row, issue)
        assert found["value"] == ("[personal data withheld]" if value is None else value), (sheet, row, issue)
        assert found["what_is_wrong"] and found["accepted"], (sheet, row, issue)
    # Nothing else is listed as a problem: each of the team's corrections is one the demo planted, or a required
    # answer left blank (issue 20), which is an empty cell of the written workbook.
    blanks = feedback.problems[feedback.problems["issue"].isin([check.BLANK_ANSWER, check.EMPTY_COLUMN])]
    assert len(feedback.problems) - len(blanks) == len(cells)
    assert set(blanks["issue"]) == {check.BLANK_ANSWER}
    written = {"Cases": written_rows(path, "CASES", header_row=2)[1],
               "Agency returns": written_rows(path, "Agency_Returns", header_row=1)[1]}
    for blank in blanks.itertuples():
        row = dict(written[blank.sheet])[blank.row]
        assert is_empty(row[blank.header]) and not is_empty(row[next(iter(row))]), blank
    excluded = feedback.excluded.set_index(["sheet", "row"])
    for sheet, row, outcome, _ in rows:
        if outcome == "superseded_duplicate":
            # One copy is kept and the other is listed with the row that supersedes it.
            left_out = [r for r in row if (sheet, r) in excluded.index]
            assert len(left_out) == 1, (sheet, row)
            (other,) = set(row) - set(left_out)
            assert excluded.loc[(sheet, left_out[0]), "detail"] == f"superseded by row {other}"
        else:
            assert excluded.loc[(sheet, row), "outcome"] == outcome, (sheet, row)
            assert excluded.loc[(sheet, row), "reason"], (sheet, row)


# --- the same refusals as `make report`, in the same words ------------------------------------------------------

def refusal(capsys, run) -> str:
    status = run()
    printed = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(printed) == 1 and printed[0].startswith("error: ")
    return printed[0]


@pytest.mark.parametrize("variables", [
    {"CPA_WINDOW_START": "09/30/2025"}, {"CPA_WINDOW_START": "01/10/2025", "CPA_WINDOW_END": "01/04/2025"},
    {"CPA_ICPC_WORKING_DAYS": "fifteen"}, {"CPA_PUBLISH": "maybe"}])
def test_a_make_variable_report_refuses_is_refused_with_its_words(monkeypatch, capsys, tmp_path, variables):
    from helpers.run import pipeline

    workbook = tmp_path / "audit.xlsx"
    workbook.write_bytes(b"never read: the variables are refused first")
    monkeypatch.setenv("CPA_RAW", str(workbook))
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    report = refusal(capsys, lambda: pipeline.main(["report"]))
    assert refusal(capsys, lambda: check.main([])) == report


def test_a_missing_file_or_a_folder_is_refused_with_report_s_words(capsys, tmp_path):
    from helpers.errors import AuditInputError
    from helpers.run.pipeline import workbook_path

    for given in (tmp_path / "missing.xlsx", tmp_path):
        with pytest.raises(AuditInputError) as refused:
            workbook_path(str(given), "RAW")  # what `make report` asks of RAW before anything runs
        assert refusal(capsys, lambda path=given: check.main(["--raw", str(path)])) == f"error: {refused.value}"


@pytest.mark.parametrize("damage", ["no icpc_date column", "no Cases sheet", "window in US order"])
def test_a_workbook_report_cannot_use_is_refused_with_the_cleaning_stage_s_words(capsys, tmp_path, damage):
    """Notebook 01 of `make report` stops with the cleaning stage's AuditInputError, printed as `error: ...`."""
    from helpers.errors import AuditInputError

    audit = {"window_start": "09/30/2025"} if damage == "window in US order" else None
    path = write_workbook(tmp_path / "bad.xlsx", [case_row("A1")], quorate_returns("A1"), audit,
                          drop_case_columns=("icpc_date",) if damage == "no icpc_date column" else (),
                          sheet_names={"cases": "Case list"} if damage == "no Cases sheet" else None)
    with pytest.raises(AuditInputError) as refused:
        clean_workbook(path, bytes(range(32)))
    assert refusal(capsys, lambda: check.main(["--raw", str(path), "--out", str(tmp_path / "f.xlsx")])) == (
        f"error: {refused.value}")
    assert not (tmp_path / "f.xlsx").exists()


@pytest.mark.slow
def test_make_check_and_make_report_refuse_an_unusable_workbook_with_the_same_line(tmp_path):
    path = write_workbook(tmp_path / "no ICPC date.xlsx", [case_row("A1")], quorate_returns("A1"),
                          drop_case_columns=("icpc_date",))
    last_lines = []
    for target in ("check", "report"):
        result = subprocess.run(["make", "--no-print-directory", target, f"RAW={path}"], cwd=ROOT,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode != 0
        last_lines.append([line for line in result.stderr.splitlines() if line.startswith("error: ")])
    assert len(last_lines[0]) == 1 and last_lines[0] == last_lines[1]
    assert "icpc_date" in last_lines[0][0]


def test_an_orphan_return_and_a_negative_interval_say_what_to_write():
    import pandas as pd

    from helpers.run.check import cell_problems, row_problems

    orphan = row_problems(pd.DataFrame({"sheet": ["Agency returns"], "row": [7], "outcome": ["orphan_return"],
                                        "detail": [""]}), {}, {("Agency returns", 7): "CP-9"})
    assert orphan["accepted"].tolist() == ["a case reference that is on the Cases sheet: check its spelling, or "
                                           "add the case to Cases"]
    negative = cell_problems(pd.DataFrame({"sheet": ["Cases"], "row": [4], "column": ["icpc_date"],
                                           "header": ["ICPC date"], "value": ["01/05/2025"],
                                           "issue": ["negative_interval"]}))
    assert negative["accepted"].tolist() == ["a date on or after the date it should follow: check both dates"]


# --- issue 20: what the audit team sees ------------------------------------------------------------------------

def checked(tmp_path, cases, returns, **kwargs):
    window = {"window_start": "01/04/2025", "window_end": "30/09/2025"}
    return check.check_workbook(write_workbook(tmp_path / "w.xlsx", cases, returns, window, **kwargs),
                                bytes(range(32)))


def test_values_are_shown_as_written_in_the_cell_so_the_team_can_search_for_them(tmp_path):
    cases = [case_row("A1", plan_smart="  Maybe  "), case_row("A2")]
    returns = quorate_returns("A1") + quorate_returns("A2") + [return_row("A1", "Women's Aid refuge")]
    problems = checked(tmp_path, cases, returns).problems.set_index("issue")
    assert problems.loc["unmapped_agency", "value"] == "Women's Aid refuge"
    assert problems.loc["unrecognised", "value"] == "  Maybe  "


def test_a_required_answer_left_blank_is_listed_by_row_and_an_empty_column_once(tmp_path):
    cases = [case_row(f"A{n}", inquorate_reason_recorded=None, plan_smart=None if n == 2 else "Yes",
                      escalation_raised=None, drift_delay_identified="Yes" if n == 3 else "No")
             for n in range(1, 31)]
    returns = [r for n in range(1, 31) for r in quorate_returns(f"A{n}")]
    feedback = checked(tmp_path, cases, returns)
    blank = feedback.problems[feedback.problems["issue"].isin([check.BLANK_ANSWER, check.EMPTY_COLUMN])]
    assert sorted(zip(blank["row"], blank["column"], blank["issue"])) == [
        (1, "inquorate_reason_recorded", check.EMPTY_COLUMN),   # empty in all 30 rows: one problem, at the header
        (3, "plan_smart", check.BLANK_ANSWER),
        (4, "escalation_raised", check.BLANK_ANSWER)]           # needed only where drift was identified
    assert check.console_summary(feedback).startswith("check: w.xlsx: 3 problems to fix")


def test_a_negative_interval_shows_both_dates(tmp_path):
    cases = [case_row("A1", strategy_discussion_date="20/05/2025", icpc_date="15/05/2025")]
    problem = checked(tmp_path, cases, quorate_returns("A1")).problems.set_index("issue").loc["negative_interval"]
    assert problem["value"] == "15/05/2025 (before it, strategy_discussion_date: 20/05/2025)"


def test_the_nearest_agency_and_case_reference_are_suggested(tmp_path):
    cases = [case_row("CP-0001"), case_row("CP-0002")]
    returns = quorate_returns("CP-0001") + [return_row("CP-0001", "health visiting"),
                                            return_row("CP-O002", "Police"), return_row("ZZZZZZZZ", "Police")]
    problems = checked(tmp_path, cases, returns).problems
    by_issue = problems.groupby("issue")["suggestion"].apply(list).to_dict()
    assert by_issue["unmapped_agency"] == ["did you mean 'Health visitor'?"]
    assert by_issue["orphan_return"] == ["did you mean 'CP-0002'?", ""]  # nothing near ZZZZZZZZ


def test_the_check_warns_when_the_workbook_is_open_in_excel(tmp_path):
    from conftest import write_lock_file

    workbook = write_workbook(tmp_path / "audit.xlsx", [case_row("A1")], quorate_returns("A1"))
    write_lock_file(tmp_path / "~$audit.xlsx")
    result = run_check("--raw", str(workbook), "--out", str(tmp_path / "feedback.xlsx"))
    assert result.returncode == check.EXIT_CLEAN, result.stderr
    assert result.stderr.startswith("warning: audit.xlsx is open in Excel")
    assert "is open in Excel" in sheet_text(tmp_path / "feedback.xlsx", "Summary")
