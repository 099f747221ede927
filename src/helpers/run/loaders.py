"""What the notebooks read, and where a notebook run by hand may write.

`make report` gives each notebook the staged folder of the audit it has just computed (`input_dir`); the
notebooks then only display it and write nothing. Run by hand (in JupyterLab, or papermill), a notebook that
computes something new (notebook 01 cleaning a workbook, notebook 02 with other thresholds or earlier audits)
writes it to `build/notebooks-by-hand/<audit-id>/`, or to the `output_dir` it is given, and never into
data/processed or reports, which only `make report` writes: a figure there is always one `make report` made
and its manifest vouches for.
"""
from __future__ import annotations

import shutil
from dataclasses import asdict, fields
from pathlib import Path

import pandas as pd

from .. import config
from ..domain.definition import AuditDefinition, cp_conferences, definition_at
from ..domain.measures import Parameters, parameters_for
from ..errors import AuditInputError
from . import demo
from .audit_folders import audit_id
from .outputs import (
    REAUDIT_RECORD,
    load_audit_tables,
    load_case_answers,
    load_clean_outputs,
    load_findings_outputs,
    require_cleaned_files,
)
from .provenance import read_run_record

BY_HAND = "notebooks-by-hand"
CLEAN_OUTPUTS = ("cases.csv", "agency_returns.csv", "reconciliation.csv", "data_quality.csv",
                 "data_quality_rows.csv", "recommendations.csv", "audit.json", "source.json")


def demo_workbook() -> Path:
    """The synthetic demo workbook, written first when it is not there."""
    if not config.DEMO_WORKBOOK.exists():
        demo.write_workbook(demo.build_demo(), config.DEMO_WORKBOOK)
    return config.DEMO_WORKBOOK


def by_hand_folder(audit_id_: str) -> Path:
    return config.BUILD / BY_HAND / audit_id_


def output_folder(output_dir: str | Path, audit_id_: str) -> Path:
    """Where a notebook run by hand writes: `output_dir`, or build/notebooks-by-hand/<audit-id>/. A folder inside
    data/processed or reports is refused: only `make report` writes there."""
    folder = Path(output_dir) if str(output_dir) else by_hand_folder(audit_id_)
    resolved = folder.resolve()
    for root in (config.DATA_PROCESSED, config.REPORTS):
        if resolved == Path(root).resolve() or Path(root).resolve() in resolved.parents:
            raise AuditInputError("a notebook run by hand may not write inside data/processed or reports", file=folder,
                                  hint="only `make report` writes there; leave output_dir empty to write to "
                                       f"build/{BY_HAND}/{audit_id_}/, or give another folder")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def audit_id_of(folder: Path) -> str:
    """The audit id of a processed folder, from what it says of itself (its name may be anything)."""
    tables = read_run_record(Path(folder) / "source.json")
    return audit_id(read_run_record(Path(folder) / "audit.json"), tables.get("raw_file", Path(folder).name))


def notebook_folder(input_dir: str = "", raw_path: str = "", output_dir: str = "", window_start: str = "",
                    window_end: str = "", audit_definition: str = "") -> Path:
    """The processed folder a notebook displays.

    With `input_dir`: that folder, only read. Without: the workbook `raw_path` (empty: the synthetic demo) is run
    through `helpers.audit()` with the default parameters and written to `output_folder(output_dir, ...)`.
    """
    if input_dir:
        folder = Path(input_dir)
        if not (folder / "cases.csv").exists():
            raise AuditInputError("no audit outputs here", file=folder,
                                  hint="give the folder `make report` printed as data:, or leave input_dir empty")
        return folder
    from ..spine import Window, audit

    definition = definition_named(audit_definition)
    if not raw_path and definition is not cp_conferences():
        raise AuditInputError("no workbook to clean", hint="give raw_path, the audit's workbook (or input_dir)")
    result = audit(Path(raw_path) if raw_path else demo_workbook(), parameters_for(definition)(),
                   window=Window(window_start, window_end), definition=definition)
    folder = output_folder(output_dir, result.audit_id)
    if not output_dir:  # the by-hand folder is this notebook's own: nothing of an earlier run stays beside
        shutil.rmtree(folder)
        folder.mkdir(parents=True)
    result.write(folder)
    return folder


def demo_audit_id() -> str:
    """The synthetic demo's audit id, as `make report` names its folders."""
    settings = {"audit_title": demo.TITLE, "window_start": demo.WINDOW_START.isoformat(),
                "window_end": demo.WINDOW_END.isoformat()}
    return audit_id(settings, config.DEMO_WORKBOOK.name)


def demo_folder() -> Path:
    """The synthetic demo's outputs, for notebooks run with their defaults: made here when not made yet."""
    folder = by_hand_folder(demo_audit_id())
    return folder if (folder / "findings.csv").exists() else notebook_folder()


def displayed_folder(input_dir: str = "") -> Path:
    """The folder notebooks 02 to 04 display: `input_dir`, or the by-hand demo's."""
    return notebook_folder(input_dir) if input_dir else demo_folder()


def findings_folder(folder: Path, output_dir: str = "", earlier_dirs=(), audit_definition: str = "",
                    **thresholds) -> tuple[Path, Parameters]:
    """The folder whose findings notebook 02 shows, and their parameters.

    Thresholds left empty are those the folder's findings were computed with; when every one is, and no
    earlier audit is named, that is the folder itself. Otherwise the audit is measured again here with these
    parameters (and compared with `earlier_dirs`), into `output_folder(output_dir, ...)` beside a copy of
    the cleaned data: never into `folder` itself.
    """
    recorded = findings_parameters(folder, audit_definition)
    given = {name: value for name, value in thresholds.items() if str(value).strip()}
    known = [field_.name for field_ in fields(recorded)]
    for name in given:
        if name not in known:  # a threshold of another audit would otherwise be dropped without a word
            raise AuditInputError(f"'{name}' is not a threshold of this audit ({', '.join(known)})", file=folder,
                                  hint="give one of these, in `thresholds` for an audit other than the "
                                       "child protection conference audit")
    params = type(recorded).from_values(**{**asdict(recorded), **given})
    if params == recorded and not earlier_dirs:
        return folder, params
    require_cleaned_files(folder)  # before anything is copied
    out = output_folder(output_dir, audit_id_of(folder))
    if out.resolve() == Path(folder).resolve():
        raise AuditInputError("output_dir is the folder being read", file=folder,
                              hint="give another folder, or leave output_dir empty")
    for name in CLEAN_OUTPUTS:
        if (Path(folder) / name).exists():
            shutil.copy2(Path(folder) / name, out / name)
    remeasure(out, params, earlier_dirs)
    return out, params


def remeasure(folder: Path, params: Parameters, earlier_dirs=()) -> None:
    """Measure a folder's cleaned data again with `params`, compared with earlier audits' folders, in place."""
    from ..clean.pseudonym import load_or_create_key
    from ..measures.comparison import key_fingerprint
    from ..spine import comparison_of, measured_and_drawn, write_measured
    from .outputs import write_comparison_outputs

    source = load_clean_outputs(folder)
    definition = type(params).definition
    measured, charts = measured_and_drawn(source["cases"], source["agency_returns"], source["audit"], params,
                                          definition)
    this = compared_audit(source, folder, measured.findings, key_fingerprint(load_or_create_key()))
    comparison, reaudit = comparison_of(this, load_earlier_audits(earlier_dirs, params), definition)
    stale = Path(folder) / "comparison.csv"
    if stale.exists():
        stale.unlink()
    write_measured(measured, charts, params, Path(folder))
    write_comparison_outputs(comparison, reaudit, Path(folder))


def load_cleaned(input_dir: str = "") -> tuple[dict, Path]:
    """The cleaned outputs and their folder."""
    folder = displayed_folder(input_dir)
    return load_clean_outputs(folder), folder


def load_findings(input_dir: str | Path = "") -> tuple[dict, Path]:
    """The cleaning stage's small tables plus what the findings stage wrote (findings, breakdowns, charts)."""
    folder = displayed_folder(str(input_dir))
    if not (folder / "findings.csv").exists():
        raise AuditInputError("no findings here", file=folder, hint="give the folder `make report` printed as data:")
    from ..report.charts import read_charts

    # Shown through what the findings computed: the cases themselves are not read (100,000s of rows at scale).
    inputs = load_audit_tables(folder)
    inputs.update(load_findings_outputs(folder))
    inputs["charts"] = read_charts(folder / "charts")
    comparison = folder / "comparison.csv"
    inputs["comparison"] = pd.read_csv(comparison) if comparison.exists() else None
    inputs["reaudit"] = read_run_record(folder / REAUDIT_RECORD) or None
    return inputs, folder


def definition_named(audit_definition: str | AuditDefinition = "") -> AuditDefinition:
    """A notebook's `audit_definition` parameter: a definition file's path; empty for the child protection
    conference audit's."""
    if isinstance(audit_definition, AuditDefinition):
        return audit_definition
    return definition_at(str(audit_definition)) if str(audit_definition).strip() else cp_conferences()


def findings_parameters(folder: Path, audit_definition: str | AuditDefinition = "") -> Parameters:
    """The parameters the findings in `folder` were computed with (of the audit's definition)."""
    recorded = read_run_record(Path(folder) / "findings_parameters.json")
    cls = parameters_for(definition_named(audit_definition))
    return cls(**recorded) if recorded else cls()


def load_report_inputs(input_dir: str | Path = "", audit_definition: str = "") -> dict:
    """Everything the report shows, with what the run was made from (`audit_definition`: the audit's definition
    file; empty for the child protection conference audit)."""
    from ..report.sections import yes_partly_no, yes_partly_no_columns

    definition = definition_named(audit_definition)
    inputs, folder = load_findings(input_dir)
    # of cases.csv, only what the report counts
    answers = load_case_answers(folder, yes_partly_no_columns(definition))
    inputs["included_cases"] = len(answers)
    inputs["yes_partly_no"] = yes_partly_no(answers, definition)  # Yes, Partly and No answers of those questions
    inputs["definition"] = definition
    inputs["params"] = findings_parameters(folder, definition)
    inputs["parameters"] = asdict(inputs["params"])
    inputs["source"] = read_run_record(folder / "source.json")
    title = inputs["audit"].get("audit_title", "")
    inputs["synthetic"] = "SYNTHETIC" in (inputs["source"].get("raw_file", "") + title).upper()
    return inputs


# --- re-audit by hand: earlier audits' folders ------------------------------------------------------

def compared_audit(source: dict, folder: Path, findings: pd.DataFrame, key_fingerprint: str | None):
    """An audit's folder as the comparison sees it (`source` as load_clean_outputs gives it)."""
    from ..spine import compared, compared_name

    audit = source["audit"]
    raw_file = read_run_record(Path(folder) / "source.json").get("raw_file", Path(folder).name)
    return compared(compared_name(audit, Path(raw_file)), audit, findings, source["cases"]["case_id"],
                    source["recommendations"], key_fingerprint)


def load_earlier_audits(earlier_dirs, params: Parameters) -> list:
    """Each earlier audit's cleaned data, measured again here with these parameters (spec section 9), in the
    order given. Its key fingerprint is the one its own run recorded."""
    from ..measures.findings import findings_table
    from ..measures.statuses import measure_statuses

    audits = []
    for folder in map(Path, earlier_dirs or ()):
        if not (folder / "cases.csv").exists():
            raise AuditInputError("no cleaned data for this earlier audit", file=folder,
                                  hint="give the folder `make report RAW=<earlier workbook>` printed as data:")
        source = load_clean_outputs(folder)
        definition = type(params).definition
        findings = findings_table(measure_statuses(source["cases"], source["agency_returns"], params, definition),
                                  source["audit"].get("population"), params, definition)
        fingerprint = read_run_record(folder / REAUDIT_RECORD).get("audit", {}).get("key_fingerprint")
        audits.append(compared_audit(source, folder, findings, fingerprint))
    return audits


def workbook_window_end(path: Path, window_start: str = "", window_end: str = ""):
    """The window end an audit's run will use (a parameter, else its Audit sheet), from the Audit sheet only,
    read with the reader and rules cleaning uses; None when the workbook gives no window end."""
    from ..clean.cleaning import read_audit_settings
    from ..domain.schema import AUDIT
    from ..read.workbook import find_sheet, open_workbook, read_sheet, sheet_grid

    workbook = open_workbook(path)
    name = find_sheet(workbook, AUDIT)
    grid = sheet_grid(workbook, name) if name else None
    raw = read_sheet(workbook, name, AUDIT, grid) if grid is not None and grid.size else None
    settings, _ = read_audit_settings(raw, window_start or None, window_end or None, file=workbook.path)
    return settings.window_end
