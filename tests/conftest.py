"""Shared fixtures: a small workbook builder and an isolated pseudonymisation key."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]

# Hypothesis profiles: "dev" (the default) keeps the whole suite fast on a laptop; "ci" (HYPOTHESIS_PROFILE=ci, set by
# .ci/run) tries more examples. A test that names its own max_examples keeps it; the others take the profile's.
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
_SLOW_DATA = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
settings.register_profile("dev", max_examples=15, deadline=None, suppress_health_check=_SLOW_DATA)
settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=_SLOW_DATA)
settings.load_profile(HYPOTHESIS_PROFILE)


def examples(dev: int, ci: int) -> int:
    """A test's number of examples under the profile in use (for a test that must try at least so many in CI)."""
    return ci if HYPOTHESIS_PROFILE == "ci" else dev

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


def damage_workbook(path: Path, merge_refs: bool = False, format_bottom: bool = False, title_rows: int = 0,
                    pad_refs: bool = False, pad_sheets: tuple = ("Cases", "Agency returns")) -> Path:
    """What an audit team's Excel does to a workbook (issue 8), in place: a case reference merged down each run
    of a case's agency returns, formatting down to row 1,048,576, a title block above the header, numeric case
    references typed as numbers and shown zero-padded (`000000`: `000042` becomes the number 42 shown as
    `000042`) on the sheets named in `pad_sheets`."""
    from openpyxl.styles import PatternFill

    book = openpyxl.load_workbook(path)
    first = 2 + title_rows  # the first data row once the title block is in
    for sheet in (book["Cases"], book["Agency returns"]):
        # Title rows first: openpyxl's insert_rows does not move merged ranges.
        if title_rows:
            sheet.insert_rows(1, title_rows)
            sheet["A1"] = f"{sheet.title}: audit of child protection conferences"
        if pad_refs and sheet.title in pad_sheets:
            for (cell,) in sheet.iter_rows(min_row=first, max_col=1):
                if cell.value and str(cell.value).isdigit():
                    cell.value, cell.number_format = int(cell.value), "000000"
        if merge_refs and sheet.title == "Agency returns":
            run_start = first
            for row in range(first + 1, sheet.max_row + 2):
                if sheet.cell(row, 1).value != sheet.cell(run_start, 1).value:
                    if row - 1 > run_start:
                        sheet.merge_cells(start_row=run_start, start_column=1, end_row=row - 1, end_column=1)
                    run_start = row
        if format_bottom:
            fill = PatternFill("solid", fgColor="FFFF00")
            for column in range(1, 8):
                sheet.cell(1_048_576, column).fill = fill
            sheet.cell(3000, 9).fill = fill
    book.save(path)
    return path


def workbook_rows(cases: list[dict], returns: list[dict], audit: dict | None = None) -> dict[str, list[list]]:
    """The sheets `write_workbook` writes, as rows of cells (for writers of other formats)."""
    # Header rows are copies: a test may add a column to one without changing every later workbook.
    sheets = {"Cases": [list(CASE_COLUMNS)] + [[(row or {}).get(c) for c in CASE_COLUMNS] for row in cases],
              "Agency returns": [list(RETURN_COLUMNS)]
              + [[(row or {}).get(c) for c in RETURN_COLUMNS] for row in returns]}
    if audit is not None:
        sheets["Audit"] = [["field", "value"]] + [[name, value] for name, value in audit.items()]
    return sheets


def write_ods(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A minimal OpenDocument spreadsheet (what LibreOffice saves), every cell as text."""
    from xml.sax.saxutils import escape

    def cell(value):
        if value is None:
            return "<table:table-cell/>"
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'
    tables = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>" for name, rows in sheets.items())
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
               "</office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return path


# Excel's error values and their codes in a binary workbook (MS-XLSB 2.5.97.2): a cell holding one of these texts is
# written by `write_xlsb` as an error cell.
XLSB_ERROR_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D, "#NUM!": 0x24,
                    "#N/A": 0x2A}


def xlsb_record(kind: int, body: bytes = b"") -> bytes:
    """One record of a binary part: its type (one or two bytes), its size (7 bits a byte), its body."""
    head = bytes([kind]) if kind < 0x80 else bytes([(kind & 0x7F) | 0x80, kind >> 7])
    size, encoded = len(body), b""
    while True:
        byte, size = size & 0x7F, size >> 7
        encoded += bytes([byte | (0x80 if size else 0)])
        if not size:
            return head + encoded + body


def write_xlsb(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A minimal Excel binary workbook (.xlsb), as calamine reads it: text cells inline (BrtCellSt), numbers
    (BrtCellReal), booleans (BrtCellBool), and Excel's error values (BrtCellError) for the texts of
    XLSB_ERROR_CODES; a cell given as (number, format code) is the number in a cell style of that custom number
    format (styles.bin: BrtFmt, BrtXF). LibreOffice cannot write .xlsb, so the tests write it (MS-XLSB 2.4)."""
    import struct
    import zipfile

    codes = list(dict.fromkeys(v[1] for rows in sheets.values() for r in rows for v in r if isinstance(v, tuple)))

    def wide(text: str) -> bytes:
        return struct.pack("<I", len(text)) + text.encode("utf-16-le")

    def sheet_part(rows: list[list]) -> bytes:
        width = max((len(r) for r in rows), default=1)
        part = xlsb_record(0x81) + xlsb_record(0x94, struct.pack("<IIII", 0, max(len(rows) - 1, 0), 0, width - 1))
        part += xlsb_record(0x91)
        for r, values in enumerate(rows):
            part += xlsb_record(0x00, struct.pack("<IIHBBBI", r, 0, 300, 0, 0, 0, 0))
            for c, value in enumerate(values):
                style = 0
                if isinstance(value, tuple):  # (number, format code): cell style 1 + the code's position
                    value, style = value[0], codes.index(value[1]) + 1
                cell = struct.pack("<II", c, style)
                if value is None:
                    continue
                if isinstance(value, str) and value in XLSB_ERROR_CODES:
                    part += xlsb_record(0x03, cell + bytes([XLSB_ERROR_CODES[value]]))
                elif isinstance(value, bool):
                    part += xlsb_record(0x04, cell + bytes([value]))
                elif isinstance(value, (int, float)):
                    part += xlsb_record(0x05, cell + struct.pack("<d", value))
                else:
                    part += xlsb_record(0x06, cell + wide(str(value)))
        return part + xlsb_record(0x92) + xlsb_record(0x82)

    # Custom number formats are numbered from 164; cell style 0 is General, style i + 1 has format 164 + i.
    styles = xlsb_record(0x296) + xlsb_record(0x267, struct.pack("<I", len(codes)))
    styles += b"".join(xlsb_record(0x2C, struct.pack("<H", 164 + i) + wide(code)) for i, code in enumerate(codes))
    styles += xlsb_record(0x268) + xlsb_record(0x269, struct.pack("<I", len(codes) + 1))
    for number_format in [0] + [164 + i for i in range(len(codes))]:
        styles += xlsb_record(0x2F, struct.pack("<HHHHHBBHBB", 0xFFFF, number_format, 0, 0, 0, 0, 0, 0, 0, 0))
    styles += xlsb_record(0x26A) + xlsb_record(0x297)
    book, relationships = xlsb_record(0x83) + xlsb_record(0x8F), ""
    for number, name in enumerate(sheets, start=1):
        book += xlsb_record(0x9C, struct.pack("<II", 0, number) + wide(f"rId{number}") + wide(name))
        relationships += (f'<Relationship Id="rId{number}" Type="http://schemas.openxmlformats.org/officeDocument/'
                          f'2006/relationships/worksheet" Target="worksheets/sheet{number}.bin"/>')
    book += xlsb_record(0x90) + xlsb_record(0x84)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                         'openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType='
                         '"application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>')
        archive.writestr("xl/workbook.bin", book)
        archive.writestr("xl/styles.bin", styles)
        archive.writestr("xl/_rels/workbook.bin.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns='
                         f'"http://schemas.openxmlformats.org/package/2006/relationships">{relationships}'
                         "</Relationships>")
        for number, rows in enumerate(sheets.values(), start=1):
            archive.writestr(f"xl/worksheets/sheet{number}.bin", sheet_part(rows))
    return path


def write_lock_file(path: Path, user: str = "Alice") -> Path:
    """What Excel writes beside an open workbook as `~$name.xlsx`: the user's name, not a workbook."""
    path.write_bytes(bytes([len(user)]) + user.encode() + b" " * 48 + user.encode("utf-16-le") + b"\x00" * 100)
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


# What a `make test VENV=... PYTEST_ARGS=...` running the tests puts in their environment: make exports the
# variables of its command line, and hands them to the makes it starts through MAKEFLAGS.
RUNNING_MAKE = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PYTHON", "VENV", "PYTEST_ARGS")


def as_a_user_runs_make(env: dict) -> dict:
    """`env` without the variables of the make running the tests, for a test that runs make itself."""
    return {name: value for name, value in env.items() if name not in RUNNING_MAKE}


def run_report(workdir: Path, *args: str, env: dict | None = None):
    """`python -m helpers report ...`, the command `make report` runs, every output inside `workdir`."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "helpers", "report", *args],
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


def built_once(tmp_path_factory, worker_id: str, name: str, build) -> Path:
    """A whole-pipeline fixture's folder, built by the first test worker that asks and read by the others.

    Session fixtures are per worker under pytest-xdist, and the files that read these runs rarely share a
    worker: each run (about 10 s) was made once per worker. The runs are only read once made."""
    if worker_id == "master":  # not under xdist
        return build(tmp_path_factory.mktemp(name))
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent  # this session's, common to its workers
    folder, built = shared / name, shared / f"{name}.built"
    with FileLock(str(shared / f"{name}.lock")):
        if not built.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a worker's failed attempt
            folder.mkdir()
            build(folder)
            built.touch()
    return folder


@pytest.fixture(scope="session")
def fixture_run(tmp_path_factory, worker_id) -> Path:
    """The whole pipeline on a small workbook with known identifiers, board and published versions."""
    def build(workdir: Path) -> Path:
        returns = [r for case in IDENTIFYING_CASES for r in quorate_returns(case["case_ref"])]
        workbook = write_workbook(workdir / "identifying.xlsx", IDENTIFYING_CASES, returns,
                                  {"audit_title": "Fixture audit", "window_start": "01/04/2025",
                                   "window_end": "30/09/2025", "population": 30},
                                  [("Monitor plans", "plan_progress_monitored")])
        return run_pipeline(workdir, workbook)

    return built_once(tmp_path_factory, worker_id, "pipeline", build)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, worker_id) -> Path:
    """The whole pipeline on the synthetic demo, as `make report PUBLISH=1` runs it."""
    from helpers.run.demo import build_demo
    from helpers.run.demo import write_workbook as write_demo

    return built_once(tmp_path_factory, worker_id, "demo-pipeline", lambda workdir: run_pipeline(
        workdir, write_demo(build_demo(), workdir / "SYNTHETIC_demo.xlsx")))


@pytest.fixture(scope="session")
def reaudit_run(tmp_path_factory, worker_id) -> Path:
    """The whole pipeline on the synthetic demo compared with its earlier audit (`make report EARLIER=...`)."""
    from helpers.run.demo import EARLIER_FILE_NAME, build_demo, build_earlier_demo
    from helpers.run.demo import write_workbook as write_demo

    def build(workdir: Path) -> Path:
        current = write_demo(build_demo(), workdir / "SYNTHETIC_demo.xlsx")
        earlier = write_demo(build_earlier_demo(), workdir / EARLIER_FILE_NAME)
        result = run_report(workdir, "--raw", str(current), "--earlier", str(earlier), "--publish", "1")
        assert result.returncode == 0, result.stderr
        return workdir

    return built_once(tmp_path_factory, worker_id, "reaudit", build)


def report_files(workdir: Path) -> dict:
    reports = sorted(p for p in (workdir / "reports").glob("*/*.html") if not p.stem.endswith("-briefing"))
    found = {"board": [p for p in reports if not p.stem.endswith("-published")],
             "published": [p for p in reports if p.stem.endswith("-published")]}
    return {version: paths[0] for version, paths in found.items() if paths}


SPEC_Z = 1.959964  # the spec's z (section 7)


def spec_alpha() -> float:
    """The alpha whose two-sided critical value is the spec's z: what statsmodels' intervals, the tests'
    reference, take instead of z."""
    from scipy.stats import norm

    return 2 * norm.sf(SPEC_Z)


def wilson_by_hand(x, n, population=None):
    """Spec section 7 written out (proportion kept, n replaced by n_eff), as a proportion: a second writing of
    the formula, apart from the code's own, that the tests check it against."""
    import math

    p = x / n
    if population and population > n:
        n = n * (population - 1) / (population - n)
    centre = (p + SPEC_Z**2 / (2 * n)) / (1 + SPEC_Z**2 / n)
    half = SPEC_Z / (1 + SPEC_Z**2 / n) * math.sqrt(p * (1 - p) / n + SPEC_Z**2 / (4 * n**2))
    return centre - half, centre + half
