"""What the notebooks load: so each one also runs on its own, top to bottom, with its defaults."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import config
from ..domain.measures import Parameters
from ..errors import AuditInputError
from .outputs import load_clean_outputs
from .provenance import read_run_record


def load_or_clean_demo(input_dir: str = "", output_dir: str = "") -> tuple[dict, Path]:
    """The cleaned outputs; when the default folder is empty, clean the synthetic demo into it first."""
    source = Path(input_dir) if input_dir else config.DATA_PROCESSED
    out = Path(output_dir) if output_dir else config.DATA_PROCESSED
    if not (source / "cases.csv").exists():
        if input_dir:
            raise AuditInputError("no cleaned data here", file=source,
                                  hint="run notebooks/01_clean.ipynb or `make report` first")
        clean_demo_into(source)
    return load_clean_outputs(source), out


def clean_demo_into(folder: Path) -> None:
    from ..clean.cleaning import clean_workbook
    from ..clean.pseudonym import load_or_create_key
    from .demo import build_demo, write_workbook
    from .outputs import write_clean_outputs

    if not config.DEMO_WORKBOOK.exists():
        write_workbook(build_demo(), config.DEMO_WORKBOOK)
    write_clean_outputs(clean_workbook(config.DEMO_WORKBOOK, load_or_create_key()), folder)


def load_report_inputs(input_dir: str = "") -> dict:
    """Everything the report shows, from data/processed (findings included)."""
    folder = Path(input_dir) if input_dir else config.DATA_PROCESSED
    if not (folder / "findings.csv").exists():
        raise AuditInputError("no findings here", file=folder,
                              hint="run `make report` (or notebooks 01 to 03) first")
    inputs = load_clean_outputs(folder)
    run_clean = read_run_record(folder / "run_clean.json")
    run_findings = read_run_record(folder / "run_findings.json")
    inputs.update({
        "findings": pd.read_csv(folder / "findings.csv"),
        "by_agency_group": pd.read_csv(folder / "breakdown_agency_group.csv"),
        "by_category": pd.read_csv(folder / "breakdown_category.csv", keep_default_na=False,
                                   na_values=[""]),
        "by_age_band": pd.read_csv(folder / "breakdown_age_band.csv", keep_default_na=False, na_values=[""]),
        "included_cases": len(inputs["cases"]),
        "parameters": run_findings.get("parameters", {}),
        "params": Parameters(**run_findings["parameters"]) if "parameters" in run_findings else Parameters(),
        "run": {"raw file": run_clean.get("raw_file", ""), "raw file SHA-256": run_clean.get("raw_sha256", "")},
        "synthetic": "SYNTHETIC" in (run_clean.get("raw_file", "") + inputs["audit"]["audit_title"]).upper(),
    })
    return inputs
