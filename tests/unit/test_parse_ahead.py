"""A workbook's parse started ahead of its read (the run's kernel starts it as it boots) gives exactly the
read a fresh parse gives, and is never used for a file that changed since."""
from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

from conftest import case_row, quorate_returns, write_workbook
from helpers.errors import AuditInputError
from helpers.read import workbook as reader
from helpers.run.kernel import WARM_UP, warm_up_code


def sheets_of(raw):
    return {name: getattr(raw, name) for name in ("cases", "agency_returns", "audit", "recommendations")}


def assert_same_read(left, right):
    for name, sheet in sheets_of(left).items():
        other = getattr(right, name)
        if sheet is None:
            assert other is None
            continue
        pd.testing.assert_frame_equal(sheet.rows.astype(object), other.rows.astype(object))
        pd.testing.assert_series_equal(sheet.excel_row, other.excel_row)
        pd.testing.assert_series_equal(sheet.blank, other.blank)
        assert sheet.headers == other.headers


@pytest.fixture(autouse=True)
def no_parse_ahead_left_over():
    reader.let_go_of_parses_ahead()
    yield
    reader.let_go_of_parses_ahead()


@pytest.fixture
def workbook(tmp_path):
    return write_workbook(tmp_path / "audit.xlsx", [case_row("A1"), case_row("A2", plan_smart="maybe")],
                          quorate_returns("A1") + quorate_returns("A2"), {"window_start": "01/04/2025"})


def test_a_parse_ahead_reads_exactly_as_a_fresh_parse_and_is_used_once(workbook, monkeypatch):
    fresh = reader.read_workbook(workbook)
    reader.parse_ahead(workbook)
    assert reader.file_identity(workbook) in reader._PARSED_AHEAD

    def parse_again(path):
        raise AssertionError("the read parsed the workbook again instead of taking the parse started ahead")

    monkeypatch.setattr(reader, "start_parsing", parse_again)
    ahead = reader.read_workbook(workbook)
    assert_same_read(fresh, ahead)
    assert reader._PARSED_AHEAD == {}, "a parse ahead is taken by the read: a second read parses afresh"


def test_a_workbook_changed_since_its_parse_ahead_is_parsed_again(workbook, tmp_path):
    reader.parse_ahead(workbook)
    changed = write_workbook(tmp_path / "changed.xlsx", [case_row("B9")], quorate_returns("B9"),
                             {"window_start": "01/04/2025"})
    os.replace(changed, workbook)  # the corrected workbook saved over the first, as an analyst does
    raw = reader.read_workbook(workbook)
    assert raw.cases.rows["case_ref"].astype(object).tolist() == ["B9"]
    assert reader._PARSED_AHEAD == {}


def test_a_workbook_overwritten_in_place_since_its_parse_ahead_is_parsed_again(workbook, tmp_path):
    reader.parse_ahead(workbook)
    inode = workbook.stat().st_ino
    changed = write_workbook(tmp_path / "changed.xlsx", [case_row("B9"), case_row("B10"), case_row("B11")],
                             quorate_returns("B9"), {"window_start": "01/04/2025"})
    shutil.copyfile(changed, workbook)  # the same file written again: same inode, new size and time
    assert workbook.stat().st_ino == inode
    raw = reader.read_workbook(workbook)
    assert raw.cases.rows["case_ref"].astype(object).tolist() == ["B9", "B10", "B11"]


def test_a_parse_ahead_of_another_file_is_let_go(workbook, tmp_path):
    other = write_workbook(tmp_path / "other.xlsx", [case_row("C3")], quorate_returns("C3"))
    reader.parse_ahead(other)
    raw = reader.read_workbook(workbook)
    assert raw.cases.rows["case_ref"].astype(object).tolist() == ["A1", "A2"]
    assert reader._PARSED_AHEAD == {}


@pytest.mark.parametrize("content", [None, b"", b"case_ref,agency\nA1,Police\n"])
def test_a_parse_ahead_never_raises_and_the_read_reports_the_problem_as_usual(tmp_path, content):
    path = tmp_path / "audit.xlsx"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(AuditInputError) as without:
        reader.read_workbook(path)
    reader.parse_ahead(path)
    assert reader._PARSED_AHEAD == {}
    with pytest.raises(AuditInputError) as caught:
        reader.read_workbook(path)
    assert str(caught.value) == str(without.value) and path.name in str(caught.value)


def test_a_missing_sheet_is_reported_as_without_a_parse_ahead(tmp_path):
    path = write_workbook(tmp_path / "audit.xlsx", [case_row("A1")], quorate_returns("A1"),
                          sheet_names={"returns": "Returns (draft)"})
    with pytest.raises(AuditInputError) as without:
        reader.read_workbook(path)
    reader.parse_ahead(path)
    with pytest.raises(AuditInputError) as caught:
        reader.read_workbook(path)
    assert str(caught.value) == str(without.value) and "Agency returns" in str(caught.value)


def test_the_kernel_warm_up_starts_the_parse_before_its_imports(monkeypatch):
    assert warm_up_code() == WARM_UP
    path = "/data/Children's Services (2025) $HOME é/audit \"v2\".xlsx"
    code = warm_up_code(path)
    assert code.endswith(WARM_UP) and code.index("parse_ahead") < code.index(WARM_UP)
    asked = []
    monkeypatch.setattr(reader, "parse_ahead", asked.append)
    exec(code.removesuffix(WARM_UP), {})  # noqa: S102 - the kernel's first lines, the path passed through intact
    assert asked == [path]


def test_the_run_kernel_is_launched_through_kernel_launch_in_place_of_ipykernel_launcher():
    from jupyter_client.kernelspec import KernelSpec

    from helpers.run.kernel import parsing_kernel_manager

    manager = parsing_kernel_manager()(kernel_name="python3")
    manager._kernel_spec = KernelSpec(argv=["/venv/bin/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher",
                                            "-f", "{connection_file}"], resource_dir="/nowhere")
    command = manager.format_kernel_cmd()
    assert command[:4] == ["/venv/bin/python", "-Xfrozen_modules=off", "-m", "helpers.run.kernel_launch"]
    assert command[4] == "-f"
    manager._kernel_spec.argv = ["/venv/bin/python", "-m", "other_kernel", "-f", "{connection_file}"]
    assert manager.format_kernel_cmd()[2] == "other_kernel"


def test_kernel_launch_starts_the_parse_then_runs_the_kernel(monkeypatch, tmp_path):
    import sys

    from helpers.run import kernel_launch

    calls = []
    monkeypatch.setenv(kernel_launch.PARSE_AHEAD_VARIABLE, "/data/audit é.xlsx")
    monkeypatch.setattr(reader, "parse_ahead", lambda path: calls.append(("parse", path)))
    monkeypatch.setattr("ipykernel.kernelapp.launch_new_instance", lambda: calls.append(("kernel",)))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(tmp_path), "/lib/python"])  # as `python -m` starts in the kernel's folder
    kernel_launch.main()
    assert calls == [("parse", "/data/audit é.xlsx"), ("kernel",)]
    assert kernel_launch.PARSE_AHEAD_VARIABLE not in os.environ  # not passed on to what notebooks start
    assert sys.path == ["/lib/python"]  # the kernel's folder left the front, as ipykernel_launcher does


def test_kernel_launch_starts_the_kernel_whatever_the_parse_does(monkeypatch):
    import sys

    from helpers.run import kernel_launch

    monkeypatch.setattr(sys, "path", list(sys.path))  # main() may take the first entry out: this process's own

    def broken(path):
        raise RuntimeError("no reader")
    calls = []
    monkeypatch.setenv(kernel_launch.PARSE_AHEAD_VARIABLE, "/data/audit.xlsx")
    monkeypatch.setattr(reader, "parse_ahead", broken)
    monkeypatch.setattr("ipykernel.kernelapp.launch_new_instance", lambda: calls.append("kernel"))
    kernel_launch.main()
    assert calls == ["kernel"]
