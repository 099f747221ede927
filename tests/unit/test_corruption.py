"""Issue 20: every file-format failure gives one line and no traceback. Random byte-level corruptions of a real
workbook go through the reading and cleaning entry point (read_workbook, clean_raw_workbook): each either reads
or is an AuditInputError whose message is one line naming the file; any other exception fails the test. A few go
through `make report` itself (helpers.run.pipeline report), whose stderr must be one `error:` line."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import (
    KEY,
    case_row,
    examples,
    quorate_returns,
    return_row,
    run_report,
    workbook_rows,
    write_ods,
    write_workbook,
    write_xlsb,
)
from helpers.clean.cleaning import clean_raw_workbook
from helpers.errors import AuditInputError
from helpers.read.workbook import read_workbook

WINDOW = {"window_start": "01/04/2025", "window_end": "30/09/2025", "population": 40}


@pytest.fixture(scope="module")
def workbook_bytes(tmp_path_factory) -> bytes:
    cases = [case_row(f"C{n}", plan_smart="maybe" if n == 2 else "Yes") for n in range(5)]
    returns = [r for n in range(5) for r in quorate_returns(f"C{n}")] + [return_row("C9", "Nowhere")]
    path = write_workbook(tmp_path_factory.mktemp("whole") / "whole.xlsx", cases, returns, WINDOW,
                          [("Monitor plans", "plan_smart")])
    return path.read_bytes()


@st.composite
def corruptions(draw, whole: bytes) -> bytes:
    """A workbook's bytes damaged as copies and disks damage them: cut short, bytes flipped or overwritten, a
    slice lost or repeated, garbage before it; several at once."""
    data = bytearray(whole)
    for _ in range(draw(st.integers(1, 3))):
        if not data:
            break
        kind = draw(st.sampled_from(["cut", "flip", "overwrite", "delete", "repeat", "prefix", "zero"]))
        at = draw(st.integers(0, len(data) - 1))
        if kind == "cut":
            data = data[:at]
        elif kind == "flip":
            for position in draw(st.lists(st.integers(0, len(data) - 1), min_size=1, max_size=20)):
                data[position] ^= draw(st.integers(1, 255))
        elif kind == "overwrite":
            garbage = draw(st.binary(min_size=1, max_size=400))
            data[at:at + len(garbage)] = garbage
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 2000))]
        elif kind == "repeat":
            data[at:at] = data[at:at + draw(st.integers(1, 2000))]
        elif kind == "prefix":
            data[0:0] = draw(st.binary(min_size=1, max_size=64))
        else:
            data[at:at + draw(st.integers(1, 4000))] = bytes(min(4000, len(data) - at))
    return bytes(data)


def read_and_clean(path: Path) -> None:
    """Read and clean as notebook 01 does; a one-line AuditInputError naming the file is the only failure allowed."""
    try:
        clean_raw_workbook(read_workbook(path), KEY)
    except AuditInputError as error:
        message = str(error)
        assert "\n" not in message and message.startswith(str(path)), message
        assert "Traceback" not in message


# At least 200 corruptions per CI run (HYPOTHESIS_PROFILE=ci).
@settings(deadline=None, max_examples=examples(dev=40, ci=200))
@given(data=st.data())
def test_random_corruptions_of_a_workbook_read_or_give_one_line(tmp_path_factory, workbook_bytes, data):
    path = tmp_path_factory.mktemp("corrupt") / "audit.xlsx"
    path.write_bytes(data.draw(corruptions(workbook_bytes)))
    read_and_clean(path)


def damaged_member(whole: bytes, member: str) -> bytes:
    """The workbook with the compressed bytes of one part garbled (a bad CRC, or no stream at all)."""
    import io

    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        info = archive.getinfo(member)
    data = bytearray(whole)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start + 3, min(start + info.compress_size, start + 60)):
        data[offset] ^= 0x5A
    return bytes(data)


@pytest.mark.parametrize("damage", ["empty", "truncated", "ole-garbage", "not-a-zip", "styles", "sheet"])
def test_each_file_format_failure_is_one_line(tmp_path, workbook_bytes, damage):
    data = {"empty": b"", "truncated": workbook_bytes[: len(workbook_bytes) // 3],
            "ole-garbage": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4,
            "not-a-zip": b"PK\x03\x04" + b"\x00" * 300,
            "styles": damaged_member(workbook_bytes, "xl/styles.xml"),
            "sheet": damaged_member(workbook_bytes, "xl/worksheets/sheet1.xml")}[damage]
    path = tmp_path / "audit.xlsx"
    path.write_bytes(data)
    with pytest.raises(AuditInputError) as caught:
        clean_raw_workbook(read_workbook(path), KEY)
    assert "\n" not in str(caught.value)


@pytest.mark.slow
def test_make_report_on_corrupted_workbooks_gives_one_line_and_no_traceback(tmp_path, workbook_bytes):
    """The whole command, as `make report RAW=<corrupted>` runs it: a cut zip and an OLE header over garbage stop
    before any notebook; a garbled sheet stops inside notebook 01's kernel. Each is one `error:` line."""
    corrupted = {"cut.xlsx": workbook_bytes[:2000],
                 "ole.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4,
                 "garbled.xlsx": damaged_member(workbook_bytes, "xl/worksheets/sheet1.xml")}
    for name, data in corrupted.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = run_report(tmp_path / f"run-{path.stem}", "--raw", str(path))
        assert result.returncode != 0, name
        assert "Traceback" not in result.stderr, result.stderr
        lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(lines) == 1 and name in lines[0], result.stderr


@pytest.fixture(scope="module")
def other_format_bytes(tmp_path_factory) -> dict[str, bytes]:
    """The same audit as an .xlsb and an .ods, whose error cells, merges and formats the reader reads itself
    (helpers.read.xlsb, helpers.read.ods): their parsers too must give one line for any damage."""
    cases = [case_row(f"C{n}", plan_smart="#REF!" if n == 2 else "Yes") for n in range(5)]
    returns = [r for n in range(5) for r in quorate_returns(f"C{n}")] + [return_row("C9", "Nowhere")]
    sheets = workbook_rows(cases, returns, WINDOW)
    folder = tmp_path_factory.mktemp("formats")
    return {"xlsb": write_xlsb(folder / "whole.xlsb", sheets).read_bytes(),
            "ods": write_ods(folder / "whole.ods", sheets).read_bytes()}


@pytest.mark.parametrize("suffix", ["xlsb", "ods"])
@settings(deadline=None, max_examples=examples(dev=20, ci=100))
@given(data=st.data())
def test_random_corruptions_of_an_xlsb_or_ods_read_or_give_one_line(tmp_path_factory, other_format_bytes, suffix,
                                                                     data):
    path = tmp_path_factory.mktemp("corrupt") / f"audit.{suffix}"
    path.write_bytes(data.draw(corruptions(other_format_bytes[suffix])))
    read_and_clean(path)
