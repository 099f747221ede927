"""Writing the processed tables: the longest, when long, in a forked copy of the process beside the others."""
import multiprocessing
import os
import signal

import pandas as pd
import pytest

from helpers.run import outputs
from helpers.run.outputs import write_csv, write_tables


def _tables(folder, long_rows=40):
    long = pd.DataFrame({"case_id": [f"{n:016x}" for n in range(long_rows)],
                         "agency": ["police", "health, school", 'said "no"', None] * (long_rows // 4),
                         "report_shared_date": pd.to_datetime(["2025-05-12"] * long_rows),
                         "report_shared_date_not_applicable": [False, True] * (long_rows // 2)})
    short = pd.DataFrame({"sheet": ["Cases"], "rows": [3]})
    return {folder / "agency_returns.csv": long, folder / "reconciliation.csv": short}


def _written_by(monkeypatch, folder):
    """Record which process writes each file (a forked copy runs the patched function too)."""
    def recording_write(frame, path):
        (folder / f"{path.name}.pid").write_text(str(os.getpid()))
        return original(frame, path)
    original = outputs.write_csv
    monkeypatch.setattr(outputs, "write_csv", recording_write)


def test_the_longest_table_is_written_by_another_process_with_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "WRITTEN_ASIDE_FROM_ROWS", 10)
    expected = tmp_path / "expected"
    expected.mkdir()
    for path, frame in _tables(expected).items():
        write_csv(frame, path)
    _written_by(monkeypatch, tmp_path)

    written = write_tables(_tables(tmp_path))

    assert written == list(_tables(tmp_path))  # in the order given
    for path in written:
        assert path.read_bytes() == (expected / path.name).read_bytes()
    assert (tmp_path / "agency_returns.csv.pid").read_text() != str(os.getpid())
    assert (tmp_path / "reconciliation.csv.pid").read_text() == str(os.getpid())


def test_short_tables_are_written_here(tmp_path, monkeypatch):
    _written_by(monkeypatch, tmp_path)  # 40 rows: below the threshold

    write_tables(_tables(tmp_path))

    assert (tmp_path / "agency_returns.csv.pid").read_text() == str(os.getpid())


def test_without_fork_the_long_table_is_written_here(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "WRITTEN_ASIDE_FROM_ROWS", 10)
    monkeypatch.setattr(outputs.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    _written_by(monkeypatch, tmp_path)

    write_tables(_tables(tmp_path))

    assert (tmp_path / "agency_returns.csv.pid").read_text() == str(os.getpid())
    assert len((tmp_path / "agency_returns.csv").read_text().splitlines()) == 41


def test_the_forked_writers_error_is_raised_here_as_it_would_be_without_it(tmp_path, monkeypatch):
    missing = tmp_path / "no such folder"
    with pytest.raises(OSError) as serially:
        write_csv(_tables(missing)[missing / "agency_returns.csv"], missing / "agency_returns.csv")
    monkeypatch.setattr(outputs, "WRITTEN_ASIDE_FROM_ROWS", 10)
    tables = _tables(missing)
    del tables[missing / "reconciliation.csv"]  # nothing written here: only the forked copy fails

    with pytest.raises(OSError) as aside:
        write_tables(tables)

    assert type(aside.value) is type(serially.value)
    assert str(aside.value) == str(serially.value)


def test_an_error_here_waits_for_the_forked_writer_and_is_the_one_raised(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "WRITTEN_ASIDE_FROM_ROWS", 10)
    tables = _tables(tmp_path)
    tables[tmp_path / "no such folder" / "reconciliation.csv"] = tables.pop(tmp_path / "reconciliation.csv")

    with pytest.raises(OSError, match="no such folder"):
        write_tables(tables)

    # the forked copy finished its file before the error reached the caller
    assert len((tmp_path / "agency_returns.csv").read_text().splitlines()) == 41


def test_a_writer_that_dies_is_an_error_naming_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "WRITTEN_ASIDE_FROM_ROWS", 10)
    monkeypatch.setattr(outputs, "write_csv", lambda frame, path: os._exit(9) if path.name == "agency_returns.csv"
                        else path.write_text(""))

    with pytest.raises(OSError, match=r"agency_returns.csv: the process writing it stopped \(exit code 9\)"):
        write_tables(_tables(tmp_path))


def test_a_writer_killed_by_a_signal_is_an_error_naming_the_file_and_the_signal(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "WRITTEN_ASIDE_FROM_ROWS", 10)
    monkeypatch.setattr(outputs, "write_csv", lambda frame, path: os.kill(os.getpid(), signal.SIGKILL)
                        if path.name == "agency_returns.csv" else path.write_text(""))

    with pytest.raises(OSError, match=r"agency_returns.csv: the process writing it was stopped by signal 9"):
        write_tables(_tables(tmp_path))


def test_when_no_copy_can_be_forked_the_table_is_written_here(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "WRITTEN_ASIDE_FROM_ROWS", 10)

    def no_fork(process):
        raise OSError(12, "Cannot allocate memory")
    monkeypatch.setattr(multiprocessing.get_context("fork").Process, "start", no_fork)
    _written_by(monkeypatch, tmp_path)

    write_tables(_tables(tmp_path))

    assert (tmp_path / "agency_returns.csv.pid").read_text() == str(os.getpid())
    assert len((tmp_path / "agency_returns.csv").read_text().splitlines()) == 41


class _Unreadable(Exception):
    """An error that pickles but cannot be rebuilt from its pickle (its __init__ wants two arguments)."""
    def __init__(self, path, why):
        super().__init__(f"{path}: {why}")


def test_an_error_that_does_not_unpickle_comes_back_as_its_text(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "WRITTEN_ASIDE_FROM_ROWS", 10)

    def failing(frame, path):
        if path.name == "agency_returns.csv":
            raise _Unreadable(path, "disk full")
        return path.write_text("")
    monkeypatch.setattr(outputs, "write_csv", failing)

    with pytest.raises(OSError, match="agency_returns.csv"):
        write_tables(_tables(tmp_path))


def test_csv_outputs_are_safe_to_open_in_a_spreadsheet(tmp_path):
    """Spec section 8 (OWASP): text beginning with =, +, -, @, a tab or a carriage return gets a leading '; numbers,
    dates and other text are written as they are, and the frame given is not changed."""
    from helpers.run.outputs import write_csv

    frame = pd.DataFrame({
        "value": ["=HYPERLINK(\"http://x\")", "+44 20", "-1", "@SUM(A1)", "\tx", "\rx", "plain", None],
        "number": [-1, 2, -3, 4, 5, 6, 7, 8],
        "date": pd.to_datetime(["2025-05-01"] * 8),
        "category": pd.Categorical(["=1", "a", "a", "a", "a", "a", "a", "a"]),
        "mixed": pd.Series(["-x", 3, None, "ok", "a", "b", "c", "d"], dtype="object"),
    })
    before = frame.copy()
    path = write_csv(frame, tmp_path / "t.csv")
    assert b"\n'\rx," in path.read_bytes()  # a carriage return is not read back as one by read_csv
    written = pd.read_csv(path, dtype="string", keep_default_na=False)
    assert written["value"].tolist()[:5] == ["'=HYPERLINK(\"http://x\")", "'+44 20", "'-1", "'@SUM(A1)", "'\tx"]
    assert written["value"].tolist()[-2:] == ["plain", ""]
    assert written["number"].tolist()[:3] == ["-1", "2", "-3"]
    assert written["category"].tolist()[:2] == ["'=1", "a"]
    assert written["mixed"].tolist()[:4] == ["'-x", "3", "", "ok"]
    pd.testing.assert_frame_equal(frame, before)
