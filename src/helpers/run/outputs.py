"""Writing and reading the processed outputs (spec section 8).

`helpers.spine.Audit.write` writes them; the pipeline writes into a staging
folder and puts an audit's folder in place only when the whole run succeeded
(see audit_folders.py). The notebooks and the report read them back here.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..clean.cleaning import CleanedAudit
from ..errors import AuditInputError
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


FORMULA_SAFE = r"^'[=+\-@\t\r]"  # how write_csv marks a text value a spreadsheet would read as a formula


def formula_marks_removed(frame: pd.DataFrame) -> pd.DataFrame:
    """A table read back from write_csv with its text as it was: the leading ' before =, +, -, @, a tab or a
    carriage return removed, so a recommendation written "- Improve plans" reaches the report as written."""
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            marked = column.astype("string").str.match(FORMULA_SAFE, na=False)
            if marked.any():
                frame[name] = column.where(~marked.to_numpy(), column.astype("string").str[1:])
    return frame


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
    written = [write_csv(frame, path) for path, frame in tables.items()]
    audit_path = folder / "audit.json"
    audit_path.write_text(json.dumps(cleaned.audit_record(), indent=2, sort_keys=True) + "\n")
    return written + [audit_path]


CLEANED_FILES = ("cases.csv", "agency_returns.csv", "reconciliation.csv", "data_quality.csv", "recommendations.csv",
                 "audit.json")


def require_cleaned_files(folder: str | Path) -> Path:
    """The folder, if it holds every file of the cleaning stage; else one line naming those deleted."""
    folder = Path(folder)
    missing = [name for name in CLEANED_FILES if not (folder / name).is_file()]
    if missing:
        raise AuditInputError(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing from this "
                              "audit's folder", file=folder,
                              hint="run make report again on the workbook that made it: it rebuilds what was deleted")
    return folder


def load_clean_outputs(folder: str | Path) -> dict:
    """Read the cleaning stage's outputs back with their types (dates, flags, answers as text); a file deleted
    by hand is one line naming it, not a traceback."""
    folder = require_cleaned_files(folder)
    return {"cases": load_cases(folder), "agency_returns": load_agency_returns(folder), **load_audit_tables(folder)}


def load_cases(folder: Path) -> pd.DataFrame:
    cases = pd.read_csv(folder / "cases.csv", dtype="string", keep_default_na=False, na_values=[""])
    # A date column is written with its `_not_applicable` flag beside it (any audit's, whatever its definition).
    for name in [c[:-len(NOT_APPLICABLE)] for c in cases.columns if c.endswith(NOT_APPLICABLE)]:
        cases[name] = pd.to_datetime(cases[name], format="%Y-%m-%d")
        cases[f"{name}{NOT_APPLICABLE}"] = cases[f"{name}{NOT_APPLICABLE}"] == "True"
    for name in [c for c in cases.columns if c.endswith("_working_days")]:
        cases[name] = pd.to_numeric(cases[name]).astype("Int64")
    for name in [c for c in cases.columns if c.startswith("no_") and c.endswith("_date") or c.endswith("_negative")]:
        cases[name] = cases[name] == "True"
    return cases


NOT_APPLICABLE = "_not_applicable"


def load_case_answers(folder: Path, columns: list[str]) -> pd.DataFrame:
    """`case_id` and the named answer columns of cases.csv (those it has), as text: one row per included case."""
    wanted = {"case_id", *columns}  # case_id always: with no column read, read_csv would give no rows either
    return pd.read_csv(folder / "cases.csv", usecols=lambda name: name in wanted, dtype="string",
                       keep_default_na=False, na_values=[""])


def load_audit_tables(folder: Path) -> dict:
    """The cleaning stage's small outputs: reconciliation, data quality, recommendations and the audit's settings."""
    return {
        "reconciliation": pd.read_csv(folder / "reconciliation.csv"),
        "data_quality": formula_marks_removed(pd.read_csv(folder / "data_quality.csv", dtype={"value": "string"},
                                                          keep_default_na=False)),
        "recommendations": formula_marks_removed(pd.read_csv(folder / "recommendations.csv", dtype="string",
                                                             keep_default_na=False)),
        "audit": json.loads((folder / "audit.json").read_text()),
    }


def load_agency_returns(folder: Path) -> pd.DataFrame:
    returns = pd.read_csv(folder / "agency_returns.csv", dtype="string", keep_default_na=False, na_values=[""])
    for name in [c[:-len(NOT_APPLICABLE)] for c in returns.columns if c.endswith(NOT_APPLICABLE)]:
        returns[name] = pd.to_datetime(returns[name], format="%Y-%m-%d")
        returns[f"{name}{NOT_APPLICABLE}"] = returns[f"{name}{NOT_APPLICABLE}"] == "True"
    return returns


BREAKDOWN_FILES = {"by_agency_group": "breakdown_agency_group.csv", "by_category": "breakdown_category.csv",
                   "by_age_band": "breakdown_age_band.csv"}


def write_findings_outputs(outputs: FindingsOutputs, folder: str | Path) -> list[Path]:
    """findings.csv and the breakdowns (case statuses stay in memory: nothing reads them from disk)."""
    folder = Path(folder)
    written = [write_csv(outputs.findings, folder / "findings.csv")]
    written += [write_csv(getattr(outputs, name), folder / file) for name, file in BREAKDOWN_FILES.items()]
    if outputs.grade_distribution is not None:  # only an audit whose definition has a grade_distribution measure
        written.append(write_csv(outputs.grade_distribution, folder / GRADE_DISTRIBUTION_FILE))
    return written


GRADE_DISTRIBUTION_FILE = "grade_distribution.csv"


def load_findings_outputs(folder: str | Path) -> dict:
    """findings.csv and the breakdowns; group names such as "N/A" stay text."""
    folder = Path(folder)
    loaded = {"findings": pd.read_csv(folder / "findings.csv")}
    for name, file in BREAKDOWN_FILES.items():
        loaded[name] = pd.read_csv(folder / file, keep_default_na=False, na_values=[""])
    if (folder / GRADE_DISTRIBUTION_FILE).exists():
        loaded["grade_distribution"] = formula_marks_removed(pd.read_csv(
            folder / GRADE_DISTRIBUTION_FILE, dtype={"measure_id": "string", "level": "string"},
            keep_default_na=False, na_values=[""]))
    return loaded


# Beside comparison.csv: this audit's key fingerprint and, per earlier audit, its window, population, overlap and
# recommendations (helpers.measures.comparison.compare_audits).
REAUDIT_RECORD = "reaudit.json"


def write_comparison_outputs(comparison: pd.DataFrame, reaudit: dict, folder: Path) -> list[Path]:
    """reaudit.json always (this audit's key fingerprint, for later runs), comparison.csv when there is an
    earlier audit to compare with."""
    from .provenance import write_run_record

    written = [write_run_record(Path(folder) / REAUDIT_RECORD, reaudit)]
    if reaudit["earlier"]:
        written.append(write_csv(comparison, Path(folder) / "comparison.csv"))
    return written
