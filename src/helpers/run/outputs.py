"""Writing and reading the processed outputs (spec section 8).

Outputs are written to a staging folder and moved into place only when the
whole stage succeeded, so a failed run leaves earlier outputs as they were.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from ..clean.cleaning import CASE_DATE_COLUMNS, CleanedAudit

CSV_OPTIONS = {"index": False, "encoding": "utf-8", "lineterminator": "\n", "date_format": "%Y-%m-%d"}


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, **CSV_OPTIONS)
    return path


def write_clean_outputs(cleaned: CleanedAudit, folder: str | Path) -> list[Path]:
    """cases.csv, agency_returns.csv, reconciliation.csv, data_quality.csv, recommendations.csv, audit.json."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [
        write_csv(cleaned.cases, folder / "cases.csv"),
        write_csv(cleaned.agency_returns, folder / "agency_returns.csv"),
        write_csv(cleaned.reconciliation, folder / "reconciliation.csv"),
        write_csv(cleaned.data_quality, folder / "data_quality.csv"),
        write_csv(cleaned.recommendations, folder / "recommendations.csv"),
    ]
    audit_path = folder / "audit.json"
    audit_path.write_text(json.dumps(cleaned.settings.as_dict(), indent=2, sort_keys=True) + "\n")
    return written + [audit_path]


def load_clean_outputs(folder: str | Path) -> dict:
    """Read the cleaning stage's outputs back with their types (dates, flags, answers as text)."""
    folder = Path(folder)
    cases = pd.read_csv(folder / "cases.csv", dtype="string", keep_default_na=False, na_values=[""])
    for name in CASE_DATE_COLUMNS:
        cases[name] = pd.to_datetime(cases[name], format="%Y-%m-%d")
        cases[f"{name}_not_applicable"] = cases[f"{name}_not_applicable"] == "True"
    for name in ("strategy_to_icpc_working_days", "icpc_to_core_group_working_days"):
        cases[name] = pd.to_numeric(cases[name]).astype("Int64")
    for name in ("no_icpc_date", "strategy_to_icpc_negative", "icpc_to_core_group_negative"):
        cases[name] = cases[name] == "True"
    returns = pd.read_csv(folder / "agency_returns.csv", dtype="string", keep_default_na=False, na_values=[""])
    returns["report_shared_date"] = pd.to_datetime(returns["report_shared_date"], format="%Y-%m-%d")
    returns["report_shared_date_not_applicable"] = returns["report_shared_date_not_applicable"] == "True"
    return {
        "cases": cases,
        "agency_returns": returns,
        "reconciliation": pd.read_csv(folder / "reconciliation.csv"),
        "data_quality": pd.read_csv(folder / "data_quality.csv", dtype={"value": "string"},
                                    keep_default_na=False),
        "recommendations": pd.read_csv(folder / "recommendations.csv", dtype="string",
                                       keep_default_na=False),
        "audit": json.loads((folder / "audit.json").read_text()),
    }


def publish_staged(staging: str | Path, destination: str | Path) -> list[Path]:
    """Move every staged file into place (each move atomic); the caller owns the staging folder."""
    staging, destination = Path(staging), Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    moved = []
    for path in sorted(staging.iterdir()):
        target = destination / path.name
        os.replace(path, target)
        moved.append(target)
    return moved
