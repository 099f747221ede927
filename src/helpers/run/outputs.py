"""Writing and reading the processed outputs (spec section 8).

The pipeline gives every stage a staging folder and puts an audit's folder
in place only when the whole run succeeded (see audit_folders.py).
"""
from __future__ import annotations

import json
import multiprocessing
import os
import warnings
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterator

import pandas as pd

from ..clean.cleaning import CASE_DATE_COLUMNS, CleanedAudit
from ..measures.stage import FindingsOutputs

CSV_OPTIONS = {"index": False, "encoding": "utf-8", "lineterminator": "\n", "date_format": "%Y-%m-%d"}


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a table as CSV, safe to open in a spreadsheet (spec section 8, OWASP's rule against formula
    injection): a text value beginning with =, +, -, @, a tab or a carriage return gets a leading '. Only text
    is changed (a negative number stays a number), column by column, and only columns holding such a value."""
    safe = frame
    for position, dtype in enumerate(frame.dtypes):
        if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
            continue
        column = frame.iloc[:, position]
        column = column.astype("object") if isinstance(dtype, pd.CategoricalDtype) else column
        # Each distinct value is looked at once (a column of half a million answers holds a handful).
        distinct = pd.Series(pd.unique(column.to_numpy(dtype=object)), dtype="object")
        try:
            risky = distinct[distinct.str.match(r"[=+\-@\t\r]", na=False)]  # a cell that is not text: kept
        except AttributeError:  # no text in the column at all
            continue
        if len(risky):
            starts = column.isin(set(risky))
            safe = frame.copy(deep=False) if safe is frame else safe
            safe.isetitem(position, column.where(~starts, "'" + column.astype("string")))
    safe.to_csv(path, **CSV_OPTIONS)
    return path


# A table at least this long is written by a forked copy of the process while this one writes the others.
# Formatting CSV holds Python's lock, so threads cannot share the work; at 100,000 cases the agency returns
# (half a million rows) take 2 s to write and the other tables as long again. Below this, a fork costs more
# than it saves.
WRITTEN_ASIDE_FROM_ROWS = 50_000


def write_tables(tables: dict[Path, pd.DataFrame]) -> list[Path]:
    """Write each table to its path as CSV; the longest, if long enough, in a forked process beside the rest."""
    longest = max(tables, key=lambda path: len(tables[path]), default=None)
    aside = longest if longest is not None and len(tables[longest]) >= WRITTEN_ASIDE_FROM_ROWS else None
    with written_aside(tables[aside], aside) if aside is not None else nullcontext():
        for path, frame in tables.items():
            if path != aside:
                write_csv(frame, path)
    return list(tables)


@contextmanager
def written_aside(frame: pd.DataFrame, path: Path) -> Iterator[None]:
    """Write `frame` to `path` in a forked copy of this process while the body runs; its error is raised after.

    The copy shares the frame's memory (nothing is pickled), writes one file and exits. Where a fork is not
    available or fails, the frame is written here after the body.
    """
    writer = _start_writer(frame, path)
    if writer is None:
        yield
        write_csv(frame, path)
        return
    process, receiver = writer
    try:
        yield
    finally:  # an error of the body wins, but only once the copy has finished
        error = _writer_error(process, receiver, path)
    if error is not None:
        raise error


def _start_writer(frame: pd.DataFrame, path: Path):
    """A forked copy of this process writing `frame`, and the pipe its error comes back on; None without a fork."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    fork = multiprocessing.get_context("fork")
    receiver, sender = fork.Pipe(duplex=False)
    process = fork.Process(target=_write_in_copy, args=(frame, path, sender), daemon=True, name=f"writing {path.name}")
    try:
        with warnings.catch_warnings():
            # Python 3.12 and later warn when a process with threads (a kernel's) forks; the copy uses none of
            # them and leaves by os._exit (see _write_in_copy).
            warnings.simplefilter("ignore", DeprecationWarning)
            process.start()
    except OSError:  # no memory or process left for a copy: the table is written here instead
        receiver.close()
        sender.close()
        return None
    sender.close()
    return process, receiver


def _writer_error(process, receiver, path: Path) -> BaseException | None:
    """Wait for the forked writer: None if it wrote its file, else the error it sent back or how it stopped."""
    try:
        # Read before joining: an error larger than the pipe's buffer would otherwise leave each waiting for the
        # other. End of file means the copy exited without sending anything.
        try:
            sent = receiver.recv()
        except EOFError:
            sent = None
        except Exception as unreadable:  # an error that pickled but does not unpickle
            sent = OSError(f"{path}: {unreadable}")
    finally:
        receiver.close()
        process.join()
    if process.exitcode == 0:
        return None
    if sent is not None:
        return sent
    if process.exitcode < 0:
        return OSError(f"{path}: the process writing it was stopped by signal {-process.exitcode} "
                       "(out of memory?)")
    return OSError(f"{path}: the process writing it stopped (exit code {process.exitcode})")


def _write_in_copy(frame: pd.DataFrame, path: Path, errors) -> None:
    """The forked copy's work: write the file and send back any error, then leave at once by os._exit.

    Leaving that way runs none of the kernel's exit handlers or stream flushes in the copy, so it never waits
    for a lock that another of the kernel's threads held when it was forked.
    """
    code = 0
    try:
        write_csv(frame, path)
    except BaseException as error:  # whatever it is, the parent raises it: no traceback printed here
        code = 1
        try:
            errors.send(error)
        except Exception:  # an error that cannot be pickled goes back as its text
            errors.send(OSError(f"{path}: {error}"))
    finally:
        os._exit(code)


def write_clean_outputs(cleaned: CleanedAudit, folder: str | Path) -> list[Path]:
    """cases.csv, agency_returns.csv, reconciliation.csv, data_quality.csv, recommendations.csv, audit.json."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {folder / "cases.csv": cleaned.cases, folder / "agency_returns.csv": cleaned.agency_returns,
              folder / "reconciliation.csv": cleaned.reconciliation, folder / "data_quality.csv": cleaned.data_quality,
              folder / "recommendations.csv": cleaned.recommendations}
    rows = getattr(cleaned, "data_quality_rows", None)
    if rows is not None:  # one row per problem cell, so the audit team can find each in their workbook
        tables[folder / "data_quality_rows.csv"] = rows
    written = write_tables(tables)
    audit_path = folder / "audit.json"
    audit_path.write_text(json.dumps(cleaned.audit_record(), indent=2, sort_keys=True) + "\n")
    return written + [audit_path]


def write_source_record(raw: Path, folder: Path) -> Path:
    """source.json: the workbook's file name and SHA-256, which every figure can be traced back to."""
    from .provenance import file_sha256, write_run_record

    return write_run_record(Path(folder) / "source.json", {"raw_file": Path(raw).name,
                                                          "raw_sha256": file_sha256(raw)})


def load_clean_outputs(folder: str | Path) -> dict:
    """Read the cleaning stage's outputs back with their types (dates, flags, answers as text)."""
    folder = Path(folder)
    return {"cases": load_cases(folder), "agency_returns": load_agency_returns(folder), **load_audit_tables(folder)}


def load_cases(folder: Path) -> pd.DataFrame:
    cases = pd.read_csv(folder / "cases.csv", dtype="string", keep_default_na=False, na_values=[""])
    for name in CASE_DATE_COLUMNS:
        cases[name] = pd.to_datetime(cases[name], format="%Y-%m-%d")
        cases[f"{name}_not_applicable"] = cases[f"{name}_not_applicable"] == "True"
    for name in ("strategy_to_icpc_working_days", "icpc_to_core_group_working_days"):
        cases[name] = pd.to_numeric(cases[name]).astype("Int64")
    for name in ("no_icpc_date", "strategy_to_icpc_negative", "icpc_to_core_group_negative"):
        cases[name] = cases[name] == "True"
    return cases


def load_case_answers(folder: Path, columns: list[str]) -> pd.DataFrame:
    """`case_id` and the named answer columns of cases.csv (those it has), as text: one row per included case."""
    wanted = {"case_id", *columns}  # case_id always: with no column read, read_csv would give no rows either
    return pd.read_csv(folder / "cases.csv", usecols=lambda name: name in wanted, dtype="string",
                       keep_default_na=False, na_values=[""])


def load_audit_tables(folder: Path) -> dict:
    """The cleaning stage's small outputs: reconciliation, data quality, recommendations and the audit's settings."""
    return {
        "reconciliation": pd.read_csv(folder / "reconciliation.csv"),
        "data_quality": pd.read_csv(folder / "data_quality.csv", dtype={"value": "string"},
                                    keep_default_na=False),
        "recommendations": pd.read_csv(folder / "recommendations.csv", dtype="string",
                                       keep_default_na=False),
        "audit": json.loads((folder / "audit.json").read_text()),
    }


def load_agency_returns(folder: Path) -> pd.DataFrame:
    returns = pd.read_csv(folder / "agency_returns.csv", dtype="string", keep_default_na=False, na_values=[""])
    returns["report_shared_date"] = pd.to_datetime(returns["report_shared_date"], format="%Y-%m-%d")
    returns["report_shared_date_not_applicable"] = returns["report_shared_date_not_applicable"] == "True"
    return returns


BREAKDOWN_FILES = {"by_agency_group": "breakdown_agency_group.csv", "by_category": "breakdown_category.csv",
                   "by_age_band": "breakdown_age_band.csv"}


def write_findings_outputs(outputs: FindingsOutputs, folder: str | Path) -> list[Path]:
    """findings.csv and the breakdowns (case statuses stay in memory: nothing reads them from disk)."""
    folder = Path(folder)
    written = [write_csv(outputs.findings, folder / "findings.csv")]
    written += [write_csv(getattr(outputs, name), folder / file) for name, file in BREAKDOWN_FILES.items()]
    return written


def load_findings_outputs(folder: str | Path) -> dict:
    """findings.csv and the breakdowns; group names such as "N/A" stay text."""
    folder = Path(folder)
    loaded = {"findings": pd.read_csv(folder / "findings.csv")}
    for name, file in BREAKDOWN_FILES.items():
        loaded[name] = pd.read_csv(folder / file, keep_default_na=False, na_values=[""])
    return loaded
