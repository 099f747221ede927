"""Issue 8, "no silent wrong numbers", proved the way a user runs the project: `make report RAW=...`.

Each numbered case of the issue builds its workbook in code. A case the project can read must give the
numbers of the clean workbook's run; a case it cannot read must stop with exit code 2, exactly one
`error:` line on stderr that names where the problem is and what to do next, no traceback, and every
earlier output (processed data and reports) byte for byte as it was.

Full runs are few: the clean workbook once, every readable damage together in one workbook at an awkward
path through make (cases 1, 2, 3, 6 and 13's missing extension), and the .ods copy. Each error stops in the
cleaning notebook or before it.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import helpers
from conftest import (
    ROOT,
    case_row,
    damage_workbook,
    pipeline_env,
    processed_folder,
    quorate_returns,
    return_row,
    run_report,
    workbook_rows,
    write_lock_file,
    write_ods,
    write_workbook,
)
from helpers.clean.pseudonym import load_or_create_key

pytestmark = pytest.mark.slow

WINDOW = {"window_start": "01/04/2025", "window_end": "30/09/2025"}
AUDIT = {"audit_title": "Issue 8 audit", **WINDOW, "population": 40}
EXIT_BAD_INPUT = 2
TITLE_ROWS = 2


def clean_audit() -> tuple[list[dict], list[dict]]:
    """Six cases with numeric references (as case systems give them) and varied answers; two are not
    quorate. It also holds what the extra data-quality checks list, never fatal: a date of birth after
    the ICPC, one more than 18 years before it (a year typed as 1905), an ICPC after the audit date."""
    cases = [case_row("000101"), case_row("000102", plan_smart="No", date_of_birth="20/05/2025"),
             case_row("000103", plan_smart="Partly", date_of_birth="01/02/1905"),
             case_row("000104", recording_quality="Inadequate", audit_date="01/05/2025"),
             case_row("000105", father_invited="No"), case_row("000106", child_participation="PN7")]
    returns = [r for ref in ("000101", "000102", "000103", "000104") for r in quorate_returns(ref)]
    returns += [return_row("000105", "Children's social care"), return_row("000105", "Police", attended="No"),
                return_row("000106", "Children's social care"), return_row("000106", "School", attended="No"),
                return_row("000106", "GP")]
    return cases, returns


def write_clean_workbook(path: Path) -> Path:
    cases, returns = clean_audit()
    path = write_workbook(path, cases, returns, AUDIT)
    book = openpyxl.load_workbook(path)  # a column of the team's own, with one value: listed, never fatal
    book["Cases"].cell(1, 30, "Team notes")
    book["Cases"].cell(3, 30, "chase")
    book.save(path)
    return path


def output_digest(workdir: Path) -> dict[str, str]:
    """Every file of the processed data and the reports, by its SHA-256."""
    return {str(p.relative_to(workdir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for name in ("processed", "reports") for p in sorted((workdir / name).rglob("*")) if p.is_file()}


def make_report(workdir: Path, **variables: str) -> subprocess.CompletedProcess:
    """`make report NAME=value ...` as a user types it, every output sent into `workdir`."""
    arguments = [f"{name}={value}" for name, value in variables.items()]
    return subprocess.run(["make", "--no-print-directory", "report", *arguments], cwd=ROOT,
                          env=pipeline_env(workdir), capture_output=True, text=True, timeout=900)


def the_one_error_line(stderr: str) -> str:
    """The run's single error line; it must say what to do next (the hint in brackets at its end)."""
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, stderr
    assert re.search(r"\(.*\b(run|give|check|add|keep|write|save|open|copy|leave|see)\b.*\)$", errors[0]), errors[0]
    return errors[0]


def csv_outputs(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*.csv"))}


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory) -> Path:
    """The clean workbook through make: the numbers every readable case must give, and the outputs every
    failing case must leave untouched."""
    workdir = tmp_path_factory.mktemp("issue8-clean")
    result = make_report(workdir, RAW=str(write_clean_workbook(workdir / "clean.xlsx")))
    assert result.returncode == 0, result.stderr
    return workdir


def same_key(clean_run: Path, workdir: Path) -> None:
    """The same pseudonymisation key, so that the case ids, and every output, can be compared."""
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copy(clean_run / "test.key", workdir / "test.key")


def test_extra_data_quality_checks_are_listed_and_never_fatal(clean_run):
    quality = pd.read_csv(processed_folder(clean_run) / "data_quality.csv")
    listed = quality.groupby(["column", "issue"])["rows"].sum().to_dict()
    assert listed[("date_of_birth", "implausible_date")] == 2  # born after the ICPC; born in 1905
    assert listed[("icpc_date", "implausible_date")] == 1      # ICPC after the audit date
    assert listed[("Team notes", "unused_column")] == 1
    shown = " ".join(quality["value"].fillna("").astype(str))
    assert "1905" not in shown and "2025-05-20" not in shown and "chase" not in shown
    findings = pd.read_csv(processed_folder(clean_run) / "findings.csv").set_index("measure_id")
    assert findings.loc["conference_quorate", ["numerator", "denominator"]].tolist() == [4, 6]


# --- cases 1, 2, 3, 6 and 13 (no extension): the clean workbook's numbers -----------------------------

def test_cases_1_2_3_6_13_damaged_workbook_at_an_awkward_path_gives_the_clean_numbers(clean_run, tmp_path):
    """Case references merged down each case's agency rows (1), formatting to row 1,048,576 (2), case
    references typed as numbers shown `000000` in Cases and typed as text `000101` in Agency returns (6), a
    title block above the header, in a folder with an apostrophe, parentheses, `$` and non-ASCII text and a
    name with `$a` (3), and no file extension (13)."""
    folder = tmp_path / "Children's Services (2025) $HOME é"
    folder.mkdir()
    damaged = write_clean_workbook(tmp_path / "damaged.xlsx")
    damage_workbook(damaged, merge_refs=True, format_bottom=True, title_rows=TITLE_ROWS, pad_refs=True,
                    pad_sheets=("Cases",))
    raw = folder / "CP audit $a"
    damaged.rename(raw)
    workdir = tmp_path / "run"
    same_key(clean_run, workdir)
    result = make_report(workdir, RAW=str(raw))
    assert result.returncode == 0, result.stderr
    damaged_outputs, clean_outputs = csv_outputs(processed_folder(workdir)), csv_outputs(processed_folder(clean_run))
    # Each problem cell keeps its Excel row: two rows further down, below the title block.
    damaged_rows = pd.read_csv(io.StringIO(damaged_outputs.pop("data_quality_rows.csv")))
    clean_rows = pd.read_csv(io.StringIO(clean_outputs.pop("data_quality_rows.csv")))
    assert len(clean_rows) == 4
    assert damaged_rows.assign(row=damaged_rows["row"] - TITLE_ROWS).equals(clean_rows)
    assert damaged_outputs == clean_outputs


def test_case_13_ods_gives_the_clean_numbers(clean_run, tmp_path):
    cases, returns = clean_audit()
    sheets = workbook_rows(cases, returns, AUDIT)
    sheets["Cases"][0] += [None, None, "Team notes"]  # column 30, as in the clean workbook
    sheets["Cases"][2] += [None, None, "chase"]
    ods = write_ods(tmp_path / "audit.ods", sheets)
    # The spine the run calls, with the clean run's key: the run itself is tested on the .xlsx above.
    helpers.audit(ods, key=load_or_create_key(clean_run / "test.key")).write(tmp_path / "ods")
    assert csv_outputs(tmp_path / "ods") == csv_outputs(processed_folder(clean_run))


# --- the cases that stop: one line, exit 2, nothing changed --------------------------------------------

def edited(path: Path, edit) -> Path:
    book = openpyxl.load_workbook(path)
    edit(book)
    book.save(path)
    return path


def formula_without_value(book) -> None:
    book["Cases"]["A3"] = '="1000"&"02"'  # openpyxl never calculates: stored without a value


def alias_left_of_canonical(book) -> None:
    sheet = book["Cases"]
    sheet.insert_cols(1)
    sheet["A1"], sheet["A2"] = "Conference date", "01/01/2025"
    icpc = next(cell for cell in sheet[1] if cell.value == "icpc_date")
    icpc.value = "ICPC date"


def hidden_draft_sheet(book) -> None:
    draft = book.create_sheet("cases_", 0)
    draft.append(["case_ref", "icpc_date"])
    draft.append(["100001", "01/01/2020"])
    draft.sheet_state = "hidden"


def window_in_the_sheet(start: str, end: str):
    def edit(book):
        for row in book["Audit"].iter_rows(min_row=2):
            if row[0].value == "window_start":
                row[1].value = start
            if row[0].value == "window_end":
                row[1].value = end
    return edit


def every_icpc_outside_the_window(book) -> None:
    for (cell,) in book["Cases"].iter_rows(min_row=2, min_col=5, max_col=5):
        cell.value = "15/01/2024"


def only_the_header(path: Path) -> Path:
    return write_workbook(path, [], [], AUDIT)


def xlsb_damaged(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return path


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def csv_named_xlsx(path: Path) -> Path:
    path.write_text("case_ref,agency\n000101,Police\n")
    return path


def from_clean(edit=None):
    """A builder: the clean workbook, edited (or as it is, when the parameters are what is wrong)."""
    def build(path: Path) -> Path:
        path = write_clean_workbook(path)
        return edited(path, edit) if edit else path
    return build


# name: (builder of the workbook, parameters, what the one line must name)
FAILING = {
    "4 window ends before it starts": (from_clean(window_in_the_sheet("30/09/2025", "01/04/2025")), {},
                                       ["sheet 'Audit'", "ends (01/04/2025) before it starts (30/09/2025)"]),
    "4 cases sheet with only its header": (only_the_header, {}, ["sheet 'Cases'", "no case rows"]),
    "4 every case outside the window": (from_clean(every_icpc_outside_the_window), {},
                                        ["sheet 'Cases'", "outside_terms_of_reference 6", "2025-04-01"]),
    "7 formula saved without its value": (from_clean(formula_without_value), {},
                                          ["sheet 'Cases'", "cell A3", "open the workbook in Excel and save it"]),
    "8 alias left of the canonical column": (from_clean(alias_left_of_canonical), {},
                                             ["sheet 'Cases'", "'Conference date', 'ICPC date'"]),
    "9 hidden draft sheet before Cases": (from_clean(hidden_draft_sheet), {}, ["'cases_' (hidden)", "'Cases'"]),
    "10 US window in the Audit sheet": (from_clean(window_in_the_sheet("04/01/2025", "09/30/2025")), {},
                                        ["sheet 'Audit'", "'09/30/2025'", "US (month-first)"]),
    "10 US window as parameters": (from_clean(), {"WINDOW_START": "04/01/2025", "WINDOW_END": "09/30/2025"},
                                   ["WINDOW_END", "09/30/2025", "US order"]),
    "11 ICPC_WORKING_DAYS=fifteen": (from_clean(), {"ICPC_WORKING_DAYS": "fifteen"},
                                     ["ICPC_WORKING_DAYS", "fifteen"]),
    "13 damaged .xlsb": (xlsb_damaged, {}, ["cannot be read as .xlsb"]),
    "13 empty file": (empty_file, {}, ["the file is empty (0 bytes)"]),
    "13 CSV saved with an .xlsx name": (csv_named_xlsx, {}, ["it is a text file (for example CSV)"]),
}


def failing_workbook(name: str, folder: Path) -> Path:
    build, _, _ = FAILING[name]
    return build(folder / (re.sub(r"\W+", "-", name).strip("-") + ".xlsx"))


@pytest.mark.parametrize("name", list(FAILING))
def test_a_case_that_cannot_be_read_stops_with_one_line_and_changes_nothing(clean_run, tmp_path, name):
    before = output_digest(clean_run)
    path = failing_workbook(name, tmp_path)
    _, parameters, fragments = FAILING[name]
    arguments = [a for name_, value in parameters.items() for a in (f"--{name_.lower().replace('_', '-')}", value)]
    result = run_report(clean_run, "--raw", str(path), *arguments)
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    line = the_one_error_line(result.stderr)
    for fragment in fragments:
        assert fragment in line, line
    if not parameters:
        assert path.name in line, line
    if name == "13 empty file":
        assert "save it as" not in line
    assert output_digest(clean_run) == before


def test_case_11_a_bad_parameter_stops_before_any_stage(clean_run):
    before = output_digest(clean_run)
    result = make_report(clean_run, RAW=str(clean_run / "clean.xlsx"), ICPC_WORKING_DAYS="fifteen")
    assert result.returncode != 0 and "running notebooks" not in result.stderr
    assert "ICPC_WORKING_DAYS" in the_one_error_line(result.stderr)
    assert output_digest(clean_run) == before


def test_case_12_excels_lock_file_through_make_names_the_real_workbook(clean_run, tmp_path):
    """`~$audit.xlsx`: make must not expand `$a`; the line names Excel's lock file and the workbook's name."""
    folder = tmp_path / "Children's Services (2025)"
    folder.mkdir()
    write_clean_workbook(folder / "audit.xlsx")
    lock = write_lock_file(folder / "~$audit.xlsx")
    before = output_digest(clean_run)
    result = make_report(clean_run, RAW=str(lock))
    assert result.returncode != 0 and "syntax error" not in result.stderr
    line = the_one_error_line(result.stderr)
    assert str(lock) in line and "Excel's lock file" in line and "'audit.xlsx'" in line, line
    assert "save it as" not in line and "(not in that folder)" not in line
    assert output_digest(clean_run) == before
    assert sorted(os.listdir(folder)) == ["audit.xlsx", "~$audit.xlsx"]  # nothing is written beside them
