"""The command behind `make report`: every stage of one audit, staged, then put in place as a whole.

    python -m helpers.run.pipeline report [--raw PATH] [--earlier "A.xlsx B.xlsx"] [--publish 1] ...
    python -m helpers.run.pipeline clean-outputs [--audit ID] [--confirm 1]

Values not given on the command line come from the environment variables the
Makefile exports (`CPA_RAW`, `CPA_ICPC_WORKING_DAYS`, ...), passed through
unexpanded so any path works. Every parameter is checked before any stage
runs. Stages execute their notebooks with papermill into a staging folder; a
stage whose recorded inputs (raw file checksum, parameters, code, lock file)
equal this run's is copied from the audit's folder instead of re-run. Only
when every stage has succeeded do the audit's folders get replaced, as a
whole. Bad input ends with one line on stderr and a non-zero exit; nothing
changes.
"""
from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import functools
import json
import os
import shlex
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import config
from ..domain.measures import Parameters
from ..errors import AuditInputError
from .audit_folders import AuditFolders, audit_id, folders_for, known_audits, remove_audit, replace_audit
from .background import in_background
from .kernel import NotebookKernel, notebook_kernel
from .provenance import code_version, file_sha256, lock_sha256, read_run_record, stage_fingerprint, write_run_record

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1
TRUE_TEXT, FALSE_TEXT = {"1", "true", "yes", "y"}, {"", "0", "false", "no", "n"}
INDEX_NAME = "audit-index.json"
# Files of each stage in an audit's processed folder; the report stage writes to the reports folder.
CLEAN_FILES = ("cases.csv", "agency_returns.csv", "reconciliation.csv", "data_quality.csv", "data_quality_rows.csv",
               "recommendations.csv", "audit.json", "source.json")
FINDINGS_FILES = ("findings.csv", "breakdown_agency_group.csv", "breakdown_category.csv", "breakdown_age_band.csv",
                  "comparison.csv", "reaudit.json", "charts", "findings_parameters.json")


class StageFailed(Exception):
    def __init__(self, message: str, bad_input: bool = False):
        super().__init__(message)
        self.bad_input = bad_input


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the request: every parameter checked before anything runs ---------------

@dataclass
class RunRequest:
    raw: Path
    params: Parameters
    window_start: str = ""
    window_end: str = ""
    publish: bool = False
    earlier: list[Path] = field(default_factory=list)
    allow_later: bool = False
    earlier_audit: bool = False  # this is an earlier audit compared with: it may lack answer columns

    @property
    def window_overrides(self) -> dict:
        return {"window_start": self.window_start, "window_end": self.window_end}

    @property
    def clean_inputs(self) -> dict:
        return {**self.window_overrides, **({"earlier_audit": True} if self.earlier_audit else {})}


def flag(name: str, value: str) -> bool:
    text = str(value).strip().lower()
    if text not in TRUE_TEXT | FALSE_TEXT:
        raise AuditInputError(f"{name}='{value}' is not 1 or 0", hint=f"give {name}=1 or leave it out")
    return text in TRUE_TEXT


def check_window(name: str, value: str) -> str:
    """A window date given as a parameter must be a date, day first; US order is called out."""
    if not value.strip():
        return ""
    from ..read.window import check_window_date  # pandas only when a window is given

    return check_window_date(name, value)


def request_from(args: argparse.Namespace) -> RunRequest:
    try:
        params = Parameters.from_values(**{name: getattr(args, name) for name in Parameters.__dataclass_fields__})
    except ValueError as error:
        raise AuditInputError(str(error), hint="see `make help` for the accepted values") from None
    window_start = check_window("WINDOW_START", args.window_start or "")
    window_end = check_window("WINDOW_END", args.window_end or "")
    if window_start and window_end and window_end < window_start:
        raise AuditInputError(f"WINDOW_END={args.window_end} is before WINDOW_START={args.window_start}",
                              hint="give the window's start first, day first: 01/04/2025 to 30/09/2025")
    raw = Path(args.raw) if args.raw else config.DEMO_WORKBOOK
    earlier = [Path(p) for p in shlex.split(args.earlier or "")]
    return RunRequest(raw=raw, params=params, window_start=window_start, window_end=window_end,
                      publish=flag("PUBLISH", args.publish or ""), earlier=earlier,
                      allow_later=flag("ALLOW_LATER", args.allow_later or ""))


# --- running notebooks ---------------------------------------------------------

def run_notebook(name: str, parameters: dict, step: str, executed: Path, kernel: NotebookKernel) -> Path:
    """Execute one notebook with papermill into `executed`, in the run's kernel, with a timeout and progress."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    executed.parent.mkdir(parents=True, exist_ok=True)
    progress(f"{step} running notebooks/{name}")
    try:
        papermill.execute_notebook(
            str(config.NOTEBOOKS / name), str(executed), parameters=parameters,
            kernel_name=config.KERNEL_NAME, cwd=str(config.NOTEBOOKS), progress_bar=False,
            execution_timeout=600, log_output=False, km=kernel.kernel_for_next_notebook(),
        )
    except PapermillExecutionError as error:
        if error.ename == "AuditInputError":
            raise StageFailed(error.evalue, bad_input=True) from None
        raise StageFailed(f"notebooks/{name} failed in cell {error.exec_count}: {error.ename}: "
                          f"{error.evalue} (the executed copy is {shown(executed)})") from None
    return executed


@functools.cache
def code_version_of_run():
    """The code version the report shows and the run record keeps: git is asked once, while notebooks run."""
    return in_background(code_version)


def run_kernel():
    """The one kernel a run's notebooks execute in, started only when a stage has to run."""
    # Keep the kernel's own start-up chatter off the user's terminal.
    return notebook_kernel(config.KERNEL_NAME, str(config.NOTEBOOKS), ["--IPKernelApp.log_level=ERROR"])


def shown(path: Path) -> str:
    """A path as the user reads it: relative to the project when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(config.PROJECT_ROOT))
    except ValueError:
        return str(path)


# --- one audit ----------------------------------------------------------------------

@dataclass
class AuditRun:
    """What one audit's run produced, for the audits that compare with it."""
    folders: AuditFolders
    record: dict


def run_audit(request: RunRequest, staging_root: Path, kernel: NotebookKernel, earlier_runs: list[AuditRun] = (),
              role: str = "") -> AuditRun:
    """Clean, measure and report one audit into staging, then replace its folders as a whole."""
    raw_sha256 = raw_checksum(request.raw)
    params = asdict(request.params)
    clean_fp = stage_fingerprint("clean", {"raw_sha256": raw_sha256, **request.clean_inputs})
    findings_fp = stage_fingerprint("findings", {"params": params,
                                                 "earlier": [r.record["stages"]["findings"] for r in earlier_runs]},
                                    clean_fp)
    report_fp = stage_fingerprint("report", {"publish": request.publish}, findings_fp)
    fingerprints = {"clean": clean_fp, "findings": findings_fp, "report": report_fp}

    known = lookup_index(clean_fp)
    if known:
        folders = folders_for(known)
        record = read_run_record(folders.run_record)
        if record.get("stages") == fingerprints and all(p.exists() for p in report_paths(folders, record)):
            return AuditRun(folders, record)

    # Work to do. A file that is no workbook (empty, a CSV, Excel's lock file) stops here, before any notebook.
    from ..read.workbook import workbook_format

    workbook_format(request.raw)
    # The kernel boots and imports on one core while this process imports papermill and nbconvert on the other.
    # Its process starts parsing the workbook notebook 01 reads next (a third of the work at 100,000 cases)
    # before it even loads IPython. The kernel starts once per run, so with EARLIER= only the first audit to run
    # is parsed ahead.
    kernel.start(then_import_here=("papermill", "helpers.report.export"), parse_ahead=str(request.raw.resolve()))
    version_of_code = code_version_of_run()  # git, asked once per run, in the background
    staging = Path(tempfile.mkdtemp(prefix="run-", dir=staging_root))
    processed, reports, executed = staging / "processed", staging / "reports", staging / "notebooks"
    processed.mkdir()
    reports.mkdir()
    step = f"[{role}] " if role else ""
    run_notebook("01_clean.ipynb", {"raw_path": str(request.raw.resolve()), "output_dir": str(processed),
                                     "window_start": request.window_start, "window_end": request.window_end,
                                     "earlier_audit": request.earlier_audit},
                 f"{step}[1/4 clean]", executed / "01_clean.ipynb", kernel)
    audit = json.loads((processed / "audit.json").read_text())
    folders = folders_for(audit_id(audit, request.raw.name))
    previous = read_run_record(folders.run_record)
    say_if_replacing(folders, previous, raw_sha256, request, earlier_runs)

    if previous.get("stages", {}).get("findings") == findings_fp and copy_stage(folders.processed, processed,
                                                                                FINDINGS_FILES):
        progress(f"{step}[2/4 findings] unchanged since the last run of {folders.audit_id}: reused")
    else:
        run_notebook("02_findings.ipynb", {"input_dir": str(processed), "output_dir": str(processed),
                                           "earlier_dirs": [str(r.folders.processed) for r in earlier_runs],
                                           **params}, f"{step}[2/4 findings]", executed / "02_findings.ipynb", kernel)
    versions = ["board"] + (["published"] if request.publish else [])
    # The secondary-findings notebook only displays what findings computed, for analysts.
    run_notebook("03_secondary_findings.ipynb", {"input_dir": str(processed)}, f"{step}[3/4 secondary findings]",
                 executed / "03_secondary_findings.ipynb", kernel)
    from ..report.export import export_report

    for version in versions:
        notebook = run_notebook("04_report.ipynb", {"input_dir": str(processed), "version": version,
                                                    "code_version": json.dumps(version_of_code())},
                                f"{step}[4/4 report: {version}]", executed / f"04_report_{version}.ipynb", kernel)
        export_report(notebook, folders.report_path(version).name, reports, version)

    record = {"audit_id": folders.audit_id, "raw_file": request.raw.name, "raw_sha256": raw_sha256,
              "window_overrides": request.window_overrides, "parameters": params, "publish": request.publish,
              "earlier_audits": [r.folders.audit_id for r in earlier_runs],
              "code_version": version_of_code(), "lock_sha256": lock_sha256(), "stages": fingerprints,
              "reports": sorted(p.name for p in reports.iterdir()),
              "made_at": dt.datetime.now().replace(microsecond=0).isoformat()}
    write_run_record(processed / "run.json", record)
    replace_audit(folders, processed, reports)
    keep_executed_notebooks(executed, folders.audit_id)
    remember_index(clean_fp, folders.audit_id)
    return AuditRun(folders, record)


def raw_checksum(raw: Path) -> str:
    if not raw.exists():
        raise AuditInputError("file not found", file=raw, hint="check the path given as RAW=... (or EARLIER=...)")
    if raw.is_dir():
        raise AuditInputError("is a folder, not a workbook", file=raw, hint="give the path of the .xlsx file")
    return file_sha256(raw)


def say_if_replacing(folders: AuditFolders, previous: dict, raw_sha256: str, request: RunRequest,
                     earlier_runs: list[AuditRun] = ()) -> None:
    """Say what this run replaces in an audit's folders, one line each: another workbook of the same audit
    (same title and window), and outputs of the previous run that this one does not make again."""
    for line in replacement_notes(folders.audit_id, previous, raw_sha256, request.raw.name, request.publish,
                                  [r.folders.audit_id for r in earlier_runs]):
        progress(line)


def replacement_notes(audit_id_: str, previous: dict, raw_sha256: str, raw_file: str, publish: bool,
                      earlier_audits: list[str]) -> list[str]:
    if not previous:
        return []
    notes = []
    if previous.get("raw_sha256") != raw_sha256 or previous.get("raw_file") != raw_file:
        notes.append(f"replacing the outputs of {audit_id_} (made from {previous.get('raw_file', '?')}, "
                     f"{previous.get('made_at', '?')})")
    before = previous.get("earlier_audits") or []
    if before and before != earlier_audits:
        notes.append(f"note: the last run of {audit_id_} compared it with {', '.join(before)}; this run "
                     + (f"compares it with {', '.join(earlier_audits)}" if earlier_audits
                        else "has no EARLIER=, so the comparison is removed (give EARLIER= again to keep it)"))
    if previous.get("publish") and not publish:
        notes.append(f"note: the published version of {audit_id_} is removed, as this run has no PUBLISH=1 "
                     "(give PUBLISH=1 to keep it)")
    return notes


def copy_stage(source: Path, target: Path, names: tuple[str, ...]) -> bool:
    """Copy a stage's outputs from an audit's folder into staging; False when any is missing."""
    present = [source / name for name in names if (source / name).exists()]
    if not present:
        return False
    for path in present:
        (shutil.copytree if path.is_dir() else shutil.copy2)(path, target / path.name)
    return True


def report_paths(folders: AuditFolders, record: dict) -> list[Path]:
    return [folders.reports / name for name in record.get("reports", [])] or [folders.report_path("board")]


def keep_executed_notebooks(executed: Path, audit_id_: str) -> None:
    """The executed notebooks stay in build/notebooks/<audit-id>/ for an analyst to open."""
    target = config.BUILD / "notebooks" / audit_id_
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(executed), str(target))


# --- the index: which audit a workbook made, so a no-op reads no workbook ----------

def _index_path() -> Path:
    return config.BUILD / INDEX_NAME


def lookup_index(clean_fp: str) -> str | None:
    return read_run_record(_index_path()).get(clean_fp)


def remember_index(clean_fp: str, audit_id_: str) -> None:
    index = read_run_record(_index_path())
    index[clean_fp] = audit_id_
    write_run_record(_index_path(), index)


@contextmanager
def run_lock():
    """One run at a time: a second `make report` waits for the first instead of interleaving with it."""
    config.BUILD.mkdir(parents=True, exist_ok=True)
    with (config.BUILD / "run.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress("waiting: another `make report` is running in this project (build/run.lock)")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


# --- commands ------------------------------------------------------------------

def command_report(args: argparse.Namespace) -> int:
    request = request_from(args)
    if not args.raw and not request.raw.exists():
        from .demo import build_demo, write_workbook

        write_workbook(build_demo(), request.raw)
    check_earlier_windows(request)
    with run_lock():
        staging_root = config.BUILD / "staging"
        staging_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=staging_root) as staging, run_kernel() as kernel:
            earlier_runs = run_earlier(request, Path(staging), kernel)
            current = run_audit(request, Path(staging), kernel, earlier_runs)
    for path in report_paths(current.folders, current.record):
        print(f"report: {shown(path)}")
    print(f"data: {shown(current.folders.processed)}")
    return 0


def run_earlier(request: RunRequest, staging: Path, kernel: NotebookKernel) -> list[AuditRun]:
    """Each earlier audit, cleaned and measured by this code with this run's parameters, into its own folder."""
    runs = []
    for number, raw in enumerate(request.earlier, start=1):
        earlier = RunRequest(raw=raw, params=request.params, earlier_audit=True)
        runs.append(run_audit(earlier, staging, kernel, role=f"earlier audit {number} of {len(request.earlier)}"))
    return runs


def check_earlier_windows(request: RunRequest) -> None:
    """No earlier audit may end after the current one unless ALLOW_LATER=1 (spec section 9). Read from the
    workbooks' Audit sheets before any stage runs, so that swapped RAW and EARLIER change nothing."""
    if not request.earlier or request.allow_later:
        return
    for raw in request.earlier:
        if not raw.exists():
            raise AuditInputError("file not found", file=raw, hint="check the paths given as EARLIER=...")
    # These workbooks' windows were checked before: a no-op run reads no workbook (and stays under a second).
    checked, remembered = windows_checked_key(request), read_run_record(config.BUILD / WINDOWS_CHECKED)
    if checked in remembered:
        return
    from ..measures.comparison import check_earlier_before_current
    from .loaders import workbook_window_end

    current_end = workbook_window_end(request.raw, request.window_start, request.window_end)
    for raw in request.earlier:
        check_earlier_before_current(raw.name, workbook_window_end(raw), request.raw.name, current_end)
    remembered[checked] = True
    config.BUILD.mkdir(parents=True, exist_ok=True)
    write_run_record(config.BUILD / WINDOWS_CHECKED, remembered)


WINDOWS_CHECKED = "windows-checked.json"  # the RAW and EARLIER contents (and window overrides) found in order


def windows_checked_key(request: RunRequest) -> str:
    """The current and earlier workbooks' contents and the window overrides: what the window order depends on."""
    return json.dumps([raw_checksum(request.raw), request.window_start, request.window_end,
                       [raw_checksum(raw) for raw in request.earlier]])


def command_clean_outputs(args: argparse.Namespace) -> int:
    audits = known_audits()
    if args.audit:
        if args.audit not in audits:
            raise AuditInputError(f"no outputs for audit '{args.audit}'",
                                  hint="the audits with outputs are: " + (", ".join(audits) or "none"))
        for folder in remove_audit(args.audit):
            print(f"removed: {shown(folder)}")
        return 0
    if not audits:
        print("clean-outputs: no audit has outputs")
        return 0
    print("audits with outputs:\n" + "\n".join(f"  {a}" for a in audits))
    if not flag("CONFIRM", args.confirm or ""):
        print("clean-outputs: nothing removed; run `make clean-outputs AUDIT=<id>` for one audit, "
              "or `make clean-outputs CONFIRM=1` for all of them (data/raw is never touched)")
        return 0
    for audit in audits:
        for folder in remove_audit(audit):
            print(f"removed: {shown(folder)}")
    return 0


def parser() -> argparse.ArgumentParser:
    env = os.environ.get
    top = argparse.ArgumentParser(prog="python -m helpers.run.pipeline", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = top.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="clean, measure and report one audit")
    report.add_argument("--raw", default=env("CPA_RAW", ""))
    report.add_argument("--earlier", default=env("CPA_EARLIER", ""), help="earlier audit workbooks, space-separated")
    report.add_argument("--window-start", default=env("CPA_WINDOW_START", ""))
    report.add_argument("--window-end", default=env("CPA_WINDOW_END", ""))
    report.add_argument("--publish", default=env("CPA_PUBLISH", ""))
    report.add_argument("--allow-later", default=env("CPA_ALLOW_LATER", ""))
    for name in Parameters.__dataclass_fields__:
        report.add_argument(f"--{name.replace('_', '-')}", dest=name, default=env(f"CPA_{name.upper()}", ""))
    clean = commands.add_parser("clean-outputs", help="remove one audit's outputs, or all after confirmation")
    clean.add_argument("--audit", default=env("CPA_AUDIT", ""))
    clean.add_argument("--confirm", default=env("CPA_CONFIRM", ""))
    return top


def skip_iri_parser() -> None:
    """Keep jsonschema from building an IRI parser that no notebook schema uses.

    papermill and nbconvert validate notebooks with nbformat, which imports jsonschema; jsonschema imports
    rfc3987-syntax whenever it is installed (JupyterLab's jupyter-events installs it), and that import
    builds a Lark grammar: 3 s of CPU, more than the cleaning of the demo. nbformat's schemas check no
    "iri" format, so without it jsonschema validates notebooks exactly as before.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def main(argv: list[str] | None = None) -> int:
    skip_iri_parser()
    args = parser().parse_args(argv)
    started = time.monotonic()
    command = {"report": command_report, "clean-outputs": command_clean_outputs}[args.command]
    try:
        status = command(args)
    except AuditInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except StageFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT if error.bad_input else EXIT_FAILED
    except KeyboardInterrupt:
        print("error: interrupted; outputs are as they were before this run", file=sys.stderr)
        return EXIT_FAILED
    if args.command == "report":
        progress(f"report: done in {time.monotonic() - started:.1f}s")
    return status


if __name__ == "__main__":
    sys.exit(main())
