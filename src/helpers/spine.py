"""One audit from its workbook to every figure the report shows: `helpers.audit(raw, params, earlier)`.

This is the whole analysis of a run, in the order the data flows, as plain function calls in one process:

    read the workbook -> clean it -> measure it -> draw the charts -> compare with earlier audits

`audit()` writes nothing (only the pseudonymisation key is created on first use); `Audit.write(folder)`
writes every output of spec section 8 into one folder. `make report` (helpers.run.pipeline), `make check`,
the notebooks and the tests all go through here, so a newcomer reads this file to see a whole run.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import pandas as pd

from .clean.cleaning import CleanedAudit, clean_raw_workbook
from .clean.pseudonym import load_or_create_key
from .context import with_unknown_local_authorities
from .domain.definition import AuditDefinition, cp_conferences, measure_columns
from .domain.measures import Parameters, parameters_for
from .domain.schema import earlier_audit_may_lack
from .measures.comparison import (
    ComparedAudit,
    audit_name,
    check_earlier_before_current,
    compare_audits,
    key_fingerprint,
)
from .measures.stage import FindingsOutputs, compute_findings
from .read.workbook import RawWorkbook, read_workbook
from .report.charts import Chart, findings_charts, write_charts
from .run.audit_folders import audit_id
from .run.outputs import write_clean_outputs, write_comparison_outputs, write_findings_outputs
from .run.provenance import file_sha256, write_run_record


@dataclass(frozen=True)
class Window:
    """A window given as parameters (dd/mm/yyyy or yyyy-mm-dd); empty bounds are the Audit sheet's."""
    start: str = ""
    end: str = ""


@dataclass
class Audit:
    """Everything one run knows of one audit, in memory. `write` puts it on disk."""
    raw: Path
    raw_sha256: str
    params: Parameters
    cleaned: CleanedAudit
    measured: FindingsOutputs
    charts: list[Chart]
    comparison: pd.DataFrame          # empty without earlier audits
    reaudit: dict                     # reaudit.json: this audit's key fingerprint, each earlier audit's facts
    earlier: tuple["Audit", ...] = field(default_factory=tuple)
    definition: AuditDefinition = field(default_factory=cp_conferences)

    @property
    def settings(self) -> dict:
        """The Audit sheet's fields as audit.json holds them (title, window, population, ...)."""
        return self.cleaned.audit_record()

    @property
    def audit_id(self) -> str:
        return audit_id(self.settings, self.raw.name, self.definition)

    @property
    def findings(self) -> pd.DataFrame:
        return self.measured.findings

    @property
    def source(self) -> dict:
        """source.json: the workbook every figure is traced back to."""
        return {"raw_file": self.raw.name, "raw_sha256": self.raw_sha256}

    def write(self, folder: str | Path) -> list[Path]:
        """Every processed output of this audit into `folder` (spec section 8), and the paths written."""
        folder = Path(folder)
        written = write_clean_outputs(self.cleaned, folder)
        written.append(write_run_record(folder / "source.json", self.source))
        written += write_measured(self.measured, self.charts, self.params, folder)
        written += write_comparison_outputs(self.comparison, self.reaudit, folder)
        return written


def audit(raw: str | Path, params: Parameters | None = None, earlier: Sequence[str | Path] = (), *,
          window: Window = Window(), allow_later: bool = False, key: bytes | None = None,
          definition: AuditDefinition | None = None, after_reading: Callable[[], None] | None = None) -> Audit:
    """Read, clean, measure, draw and compare one audit workbook; nothing is written.

    `definition` is the audit's (helpers.domain.definition.load_definition), the child protection conference
    audit's by default; `params` are then its parameters (`parameters_for(definition)`), defaults when None.

    `earlier` names earlier audits' workbooks (re-audit, spec section 9): each is read and measured here by
    this same code with these parameters, and none of their own outputs is touched. One that ends after this
    audit stops the run unless `allow_later`. A problem with any input raises AuditInputError, one line.

    `after_reading` is called once this audit's workbook has been read, before it is cleaned: `make report`
    starts the notebooks' kernel then, so a workbook that cannot be read stops the run before a kernel has
    started, and a readable one has the kernel booting while it is cleaned and measured.
    """
    definition = definition or cp_conferences()
    params = parameters_for(definition)() if params is None else params
    key = load_or_create_key() if key is None else key
    this = clean(raw, key, window, definition=definition, after_reading=after_reading)
    earlier_audits = [audit_of(clean(path, key, earlier=True, definition=definition), params, definition=definition)
                      for path in earlier]
    for path, before in zip(earlier, earlier_audits):
        check_earlier_before_current(Path(path).name, before.settings.get("window_end"), Path(raw).name,
                                     this.settings.get("window_end"), allow_later)
    return audit_of(this, params, earlier_audits, key, definition)


@dataclass
class CleanedWorkbook:
    """A workbook read and cleaned: the first half of `audit`, shared with `make check`."""
    raw: Path
    raw_sha256: str
    cleaned: CleanedAudit
    workbook: RawWorkbook  # the sheets as read: headers as written, Excel rows (for `make check`'s feedback)

    @property
    def settings(self) -> dict:
        return self.cleaned.audit_record()


def clean(raw: str | Path, key: bytes, window: Window = Window(), earlier: bool = False,
          definition: AuditDefinition | None = None, after_reading: Callable[[], None] | None = None
          ) -> CleanedWorkbook:
    """Read and clean one workbook. An earlier audit's workbook may lack answer columns (its tool may have
    asked fewer questions): they read as not recorded and are listed, not an error."""
    definition = definition or cp_conferences()
    raw = Path(raw)
    raw_sha256 = file_sha256(raw) if raw.is_file() else ""  # a missing file is read_workbook's one-line error
    workbook = read_workbook(raw, may_lack=earlier_audit_may_lack(definition) if earlier else frozenset(),
                             definition=definition)
    if after_reading is not None:
        after_reading()
    cleaned = clean_raw_workbook(workbook, key, window_start=window.start or None, window_end=window.end or None,
                                 definition=definition)
    # The context step: a local authority the census does not know gets one data-quality line (spec 8).
    return CleanedWorkbook(raw, raw_sha256, with_unknown_local_authorities(cleaned, workbook.audit), workbook)


def audit_of(workbook: CleanedWorkbook, params: Parameters, earlier: Sequence[Audit] = (),
             key: bytes | None = None, definition: AuditDefinition | None = None) -> Audit:
    """Measure a cleaned workbook, draw its charts and compare it with the (already measured) earlier audits."""
    definition = definition or cp_conferences()
    cleaned = workbook.cleaned
    settings = workbook.settings
    measured, charts = measured_and_drawn(cleaned.cases, cleaned.agency_returns, settings, params, definition)
    fingerprint = key_fingerprint(key) if key is not None else None
    names = distinct_names([compared_name(e.settings, e.raw) for e in earlier], [e.settings for e in earlier])
    comparison, reaudit = comparison_of(
        compared(compared_name(settings, workbook.raw), settings, measured.findings, cleaned.cases["case_id"],
                 cleaned.recommendations, fingerprint),
        [compared(name, e.settings, e.findings, e.cleaned.cases["case_id"], e.cleaned.recommendations, fingerprint)
         for e, name in zip(earlier, names)], definition)
    return Audit(workbook.raw, workbook.raw_sha256, params, cleaned, measured, charts, comparison, reaudit,
                 tuple(earlier), definition)


def measured_and_drawn(cases: pd.DataFrame, agency_returns: pd.DataFrame, settings: dict, params: Parameters,
                       definition: AuditDefinition) -> tuple[FindingsOutputs, list[Chart]]:
    """Cleaned tables measured and their charts drawn: a run's step, and notebook 02's when run by hand on a
    folder (`helpers.run.loaders.remeasure`)."""
    measured = compute_findings(cases, agency_returns, settings.get("population"), params, definition)
    return measured, findings_charts(measured.findings, settings, len(cases), definition)


def comparison_of(this: ComparedAudit, earlier: list[ComparedAudit], definition: AuditDefinition):
    """This audit compared with the earlier ones (spec section 9): comparison rows and the re-audit record."""
    return compare_audits(this, earlier, None if definition is cp_conferences() else measure_columns(definition))


def compared_name(settings: dict, raw: Path) -> str:
    return audit_name(settings.get("audit_title"), raw.name)


def distinct_names(names: list[str], settings: list[dict]) -> list[str]:
    """Earlier audits' names, told apart: a partnership keeps its title from one audit to the next, so two
    earlier audits sharing a name are named with their windows too."""
    shared = {name for name in names if names.count(name) > 1}
    return [f"{name} ({s.get('window_start') or '?'} to {s.get('window_end') or '?'})" if name in shared else name
            for name, s in zip(names, settings)]


def compared(name: str, settings: dict, findings: pd.DataFrame, case_ids: pd.Series, recommendations: pd.DataFrame,
             fingerprint: str | None) -> ComparedAudit:
    """An audit as the comparison of spec section 9 sees it (`settings` as audit.json holds them)."""
    return ComparedAudit(name=name, findings=findings, window_start=settings.get("window_start"),
                         window_end=settings.get("window_end"), population=settings.get("population"),
                         case_ids=case_ids, key_fingerprint=fingerprint,
                         missing_columns=tuple(settings.get("missing_columns", ())), recommendations=recommendations)


def write_measured(measured: FindingsOutputs, charts: list[Chart], params: Parameters, folder: Path) -> list[Path]:
    """findings.csv, the breakdowns, the charts and the parameters they were computed with."""
    written = write_findings_outputs(measured, folder)
    written.append(write_charts(charts, folder / "charts"))
    written.append(write_run_record(folder / "findings_parameters.json", asdict(params)))
    return written


def read_parameters(folder: str | Path) -> Parameters:
    """The parameters the findings in `folder` were computed with."""
    recorded = json.loads((Path(folder) / "findings_parameters.json").read_text())
    return Parameters(**recorded)
