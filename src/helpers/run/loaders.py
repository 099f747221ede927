"""What the notebooks load, so each also runs on its own, top to bottom, with its defaults.

`make report` always passes explicit folders. A notebook run with its
defaults (in JupyterLab) cleans the synthetic demo into a folder of its own,
`build/notebooks-by-hand/<demo audit id>/`, never into data/processed: so it
can never change what `make report` wrote for any audit, not even for a
corrected workbook with the demo's title and window (the same audit id).
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pandas as pd

from .. import config
from ..domain.measures import Parameters
from ..errors import AuditInputError
from . import demo
from .audit_folders import audit_id, folders_for
from .outputs import load_audit_tables, load_case_answers, load_clean_outputs, load_findings_outputs
from .provenance import read_run_record

# What notebook 02 records beside comparison.csv: this audit's key fingerprint and, per earlier audit, its
# window, population, overlap and recommendations (helpers.measures.comparison.compare_audits).
REAUDIT_RECORD = "reaudit.json"


def demo_audit_folder() -> Path:
    """The demo audit's processed folder, named as `make report` names it."""
    settings = {"audit_title": demo.TITLE, "window_start": demo.WINDOW_START.isoformat(),
                "window_end": demo.WINDOW_END.isoformat()}
    return folders_for(audit_id(settings, config.DEMO_WORKBOOK.name)).processed


def demo_workbook() -> Path:
    """The synthetic demo workbook, written first when it is not there."""
    if not config.DEMO_WORKBOOK.exists():
        demo.write_workbook(demo.build_demo(), config.DEMO_WORKBOOK)
    return config.DEMO_WORKBOOK


def by_hand_folder() -> Path:
    """Where notebooks run with their defaults read and write: outside data/processed, named by the demo audit."""
    return config.BUILD / "notebooks-by-hand" / demo_audit_folder().name


def output_folder(output_dir: str) -> Path:
    """Where a notebook writes: the folder it was given, or the by-hand folder of the synthetic demo."""
    if output_dir:
        return Path(output_dir)
    folder = by_hand_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def clean_demo_into(folder: Path) -> None:
    from ..clean.cleaning import clean_workbook
    from ..clean.pseudonym import load_or_create_key
    from .outputs import write_clean_outputs

    write_clean_outputs(clean_workbook(demo_workbook(), load_or_create_key()), folder)


def load_cleaned(input_dir: str = "") -> tuple[dict, Path]:
    """The cleaned outputs and their folder; with no folder given, the by-hand demo's (cleaned first if empty)."""
    folder = Path(input_dir) if input_dir else by_hand_folder()
    if not (folder / "cases.csv").exists():
        if input_dir:
            raise AuditInputError("no cleaned data here", file=folder,
                                  hint="run notebooks/01_clean.ipynb or `make report` first")
        folder.mkdir(parents=True, exist_ok=True)
        clean_demo_into(folder)
    return load_clean_outputs(folder), folder


def load_findings(input_dir: str = "") -> tuple[dict, Path]:
    """The cleaning stage's small tables plus what the findings stage wrote (findings, breakdowns, charts)."""
    folder = Path(input_dir) if input_dir else by_hand_folder()
    if not (folder / "findings.csv").exists():
        hint = ("run notebooks/02_findings.ipynb first, or give input_dir the folder `make report` printed as data:"
                if not input_dir else "run notebooks/02_findings.ipynb or `make report` first")
        raise AuditInputError("no findings here", file=folder, hint=hint)
    from ..report.charts import read_charts

    # Shown through what the findings computed: the cases themselves are not read (100,000s of rows at scale).
    inputs = load_audit_tables(folder)
    inputs.update(load_findings_outputs(folder))
    inputs["charts"] = read_charts(folder / "charts")
    comparison = folder / "comparison.csv"
    inputs["comparison"] = pd.read_csv(comparison) if comparison.exists() else None
    inputs["reaudit"] = read_run_record(folder / REAUDIT_RECORD) or None
    return inputs, folder


def findings_parameters(folder: Path) -> Parameters:
    """The parameters the findings in `folder` were computed with (recorded by notebook 02)."""
    recorded = read_run_record(folder / "findings_parameters.json")
    return Parameters(**recorded) if recorded else Parameters()


def load_report_inputs(input_dir: str = "") -> dict:
    """Everything the report shows, with what the run was made from."""
    from ..report.sections import yes_partly_no, yes_partly_no_columns

    inputs, folder = load_findings(input_dir)
    answers = load_case_answers(folder, yes_partly_no_columns())  # of cases.csv, only what the report counts
    inputs["included_cases"] = len(answers)
    inputs["yes_partly_no"] = yes_partly_no(answers)  # Yes, Partly and No answers of those questions
    inputs["params"] = findings_parameters(folder)
    inputs["parameters"] = asdict(inputs["params"])
    inputs["source"] = read_run_record(folder / "source.json")
    title = inputs["audit"].get("audit_title", "")
    inputs["synthetic"] = "SYNTHETIC" in (inputs["source"].get("raw_file", "") + title).upper()
    return inputs


# --- re-audit: the audits a run compares ------------------------------------------

def compared_audit(source: dict, folder: Path, findings: pd.DataFrame, key_fingerprint: str | None):
    """This run's audit as the comparison sees it (`source` as load_cleaned gives it)."""
    from ..measures.comparison import ComparedAudit, audit_name

    audit = source["audit"]
    raw_file = read_run_record(folder / "source.json").get("raw_file", folder.name)
    return ComparedAudit(name=audit_name(audit.get("audit_title"), raw_file), findings=findings,
                         window_start=audit.get("window_start"), window_end=audit.get("window_end"),
                         population=audit.get("population"), case_ids=source["cases"]["case_id"],
                         key_fingerprint=key_fingerprint, missing_columns=tuple(audit.get("missing_columns", ())),
                         recommendations=source["recommendations"])


def load_earlier_audits(earlier_dirs, params: Parameters) -> list:
    """Each earlier audit's cleaned data, measured again here with this run's parameters (spec section 9), in
    the order given. Its key fingerprint is the one its own findings stage recorded (None before it did)."""
    from ..measures.findings import findings_table
    from ..measures.statuses import measure_statuses

    audits = []
    for folder in map(Path, earlier_dirs or ()):
        if not (folder / "cases.csv").exists():
            raise AuditInputError("no cleaned data for this earlier audit", file=folder,
                                  hint="run `make report RAW=<earlier workbook>` first, or give it as EARLIER=...")
        source = load_clean_outputs(folder)
        findings = findings_table(measure_statuses(source["cases"], source["agency_returns"], params),
                                  source["audit"].get("population"), params)
        fingerprint = read_run_record(folder / REAUDIT_RECORD).get("audit", {}).get("key_fingerprint")
        audits.append(compared_audit(source, folder, findings, fingerprint))
    return audits


def workbook_window_end(path: Path, window_start: str = "", window_end: str = ""):
    """The window end an audit's run will use (a parameter, else its Audit sheet), read before any stage runs so
    that an earlier audit named after the current one stops the run before anything changes. Only the Audit
    sheet is read, with the reader and rules cleaning uses; None when the workbook gives no window end."""
    from ..clean.cleaning import read_audit_settings
    from ..domain.schema import AUDIT
    from ..read.workbook import find_sheet, open_workbook, read_sheet, sheet_grid

    workbook = open_workbook(path)
    name = find_sheet(workbook, AUDIT)
    grid = sheet_grid(workbook, name) if name else None
    raw = read_sheet(workbook, name, AUDIT, grid) if grid is not None and grid.size else None
    settings, _ = read_audit_settings(raw, window_start or None, window_end or None, file=workbook.path)
    return settings.window_end


def write_comparison_outputs(comparison: pd.DataFrame, reaudit: dict, folder: Path) -> list[Path]:
    """reaudit.json always (this audit's key fingerprint, for later runs), comparison.csv when there is an
    earlier audit to compare with."""
    from .outputs import write_csv
    from .provenance import write_run_record

    written = [write_run_record(Path(folder) / REAUDIT_RECORD, reaudit)]
    if reaudit["earlier"]:
        written.append(write_csv(comparison, Path(folder) / "comparison.csv"))
    return written
