"""The command behind `make report`: one audit, from its workbook to its board report, checked by content.

    python -m helpers.run.pipeline report [--raw PATH] [--earlier "A.xlsx; B.xlsx"] [--icpc-working-days 20] ...
    python -m helpers.run.pipeline report --audit-definition audits/neglect.yaml [--strategy-working-days 5] ...
    python -m helpers.run.pipeline clean-outputs [--audit ID] [--confirm 1]

A run, in order (`report`):
1. every setting is checked before anything runs (`request_from`);
2. if the audit's manifest shows outputs made from exactly these inputs, each still with its recorded
   SHA-256, nothing is done (`up_to_date`);
3. otherwise `helpers.audit()` reads, cleans, measures and compares the audit in this process, and
   `Audit.write` puts every output in a staging folder;
4. the notebooks display the staged outputs, one kernel for all of them, and nbconvert exports notebook 04
   as the board report and its published version (`render_reports`);
5. the manifest is written and the audit's folders are replaced as a whole (`put_in_place`).

Values not given on the command line come from the environment variables the Makefile exports (`CPA_RAW`,
`CPA_ICPC_WORKING_DAYS`, ...), passed through unexpanded so any path works. Bad input ends with one line on
stderr and a non-zero exit; nothing changes.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import config
from ..domain.definition import CP_CONFERENCES, AuditDefinition, definition_at
from ..domain.measures import Parameters, parameters_for
from ..errors import AuditInputError
from ..read.lock_file import lock_file_warning
from .audit_folders import AuditFolders, folders_for, known_audits, remove_audit, replace_audit
from .manifest import read_manifest, run_inputs, why_rebuild
from .provenance import key_fingerprint, read_run_record, write_run_record
from .settings import check_given_settings

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1
TRUE_TEXT, FALSE_TEXT = {"1", "true", "yes", "y"}, {"", "0", "false", "no", "n"}
VERSIONS = ("board", "published")  # both on every run, so no later run removes the published version
INDEX_NAME = "audit-index.json"     # which audits a workbook made: where to look for a manifest, nothing more
NOTHING_YET = "no outputs from this workbook yet"


class StageFailed(Exception):
    """A notebook failed for a reason that is not the input's."""


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the request: every setting checked before anything runs ---------------------------------

@dataclass
class RunRequest:
    raw: Path
    params: Parameters
    window_start: str = ""
    window_end: str = ""
    earlier: list[Path] = field(default_factory=list)
    allow_later: bool = False
    definition: AuditDefinition | None = None  # None: the child protection conference audit

    @property
    def window(self) -> dict:
        return {"start": self.window_start, "end": self.window_end}

    @property
    def is_cp(self) -> bool:
        return self.definition is None or self.definition.path.resolve() == CP_CONFERENCES.resolve()

    def inputs(self) -> dict:
        inputs = run_inputs(self.raw, self.earlier, asdict(self.params), self.window, self.allow_later)
        if not self.is_cp:  # the CP file is part of the code's fingerprint (audits/); another may be anywhere
            inputs["definition"] = definition_input(self.definition.path)
        return inputs


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


def workbook_path(value: str, name: str) -> Path:
    """A path given as RAW or EARLIER that must be a workbook file: one line when it is not."""
    path = Path(value)
    if not path.exists():
        several = "; several earlier audits are separated by ;" if name == "EARLIER" else ""
        raise AuditInputError("file not found", file=path, hint=f"check the path given as {name}=...{several}")
    if path.is_dir():
        raise AuditInputError("is a folder, not a workbook", file=path, hint="give the path of the .xlsx file")
    return path


def earlier_paths(text: str) -> list[str]:
    """EARLIER: one path, or several separated by `;` (a path may hold spaces, apostrophes, `$`, accents)."""
    return [piece.strip() for piece in text.split(";") if piece.strip()]


def audit_definition(value: str) -> AuditDefinition | None:
    """AUDIT_DEFINITION: None (the child protection conference audit) when not given, else the definition read
    and checked before any workbook (its problems are one line naming its file and line)."""
    if not value.strip():
        return None
    path = Path(value)
    if not path.is_file():
        raise AuditInputError("audit definition not found", file=path,
                              hint="give AUDIT_DEFINITION=audits/<name>.yaml (audits/ lists the definitions)")
    return definition_at(str(path))


def definition_input(path: Path) -> dict:
    from .provenance import file_sha256

    return {"file": str(path), "sha256": file_sha256(path)}


def parameter_values(args: argparse.Namespace, cls: type) -> dict:
    """Each parameter's value as given: an option (--name), else CPA_NAME, else NAME given to make."""
    given = set(os.environ.get("CPA_GIVEN", "").split())
    values = {}
    for name in cls.__dataclass_fields__:
        value = getattr(args, name, None) or os.environ.get(f"CPA_{name.upper()}", "")
        if not value and name.upper() in given:
            value = os.environ.get(name.upper(), "")
        values[name] = value
    return values


def request_from(args: argparse.Namespace) -> RunRequest:
    definition = audit_definition(getattr(args, "audit_definition", "") or "")
    cls = Parameters if definition is None else parameters_for(definition)
    for name in Parameters.__dataclass_fields__:  # the CP audit's thresholds, given to another audit
        if name not in cls.__dataclass_fields__ and (getattr(args, name, "") or "").strip():
            raise AuditInputError(f"{name.upper()} is not a parameter of this audit", file=definition.path,
                                  hint="its parameters are " + (", ".join(
                                      n.upper() for n in cls.__dataclass_fields__) or "none"))
    try:
        params = cls.from_values(**parameter_values(args, cls))
    except ValueError as error:
        raise AuditInputError(str(error), hint="see `make help` for the accepted values") from None
    window_start = check_window("WINDOW_START", args.window_start or "")
    window_end = check_window("WINDOW_END", args.window_end or "")
    if window_start and window_end and window_end < window_start:
        raise AuditInputError(f"WINDOW_END={args.window_end} is before WINDOW_START={args.window_start}",
                              hint="give the window's start first, day first: 01/04/2025 to 30/09/2025")
    flag("PUBLISH", args.publish or "")  # accepted for old commands: the published version is always made
    is_cp = definition is None or definition is definition_at(str(CP_CONFERENCES))
    raw = workbook_path(args.raw, "RAW") if args.raw else config.DEMO_WORKBOOK if is_cp else demo_path(definition)
    earlier = [workbook_path(piece, "EARLIER") for piece in earlier_paths(args.earlier or "")]
    check_distinct_workbooks(raw, earlier)
    return RunRequest(raw=raw, params=params, window_start=window_start, window_end=window_end, earlier=earlier,
                      allow_later=flag("ALLOW_LATER", args.allow_later or ""), definition=definition)


def demo_path(definition: AuditDefinition) -> Path:
    """Where the synthetic demo of another audit than the child protection conference audit is written: beside the
    CP demo (AUDIT_DEMO_WORKBOOK's folder), named with a digest of the definition and the generator, so an edited
    definition or generator gets a new demo rather than a stale one (reading two files imports nothing)."""
    from .provenance import file_sha256

    generator = Path(__file__).with_name("demo_definition.py")
    made_from = file_sha256(definition.path) + (file_sha256(generator) if generator.exists() else "")
    digest = hashlib.sha256(made_from.encode("ascii")).hexdigest()[:8]
    return config.DEMO_WORKBOOK.parent / f"SYNTHETIC_{definition.name}_demo_{digest}_audit_workbook.xlsx"


def write_demo(request: "RunRequest") -> None:
    """The synthetic demo of the run's audit, when no RAW is given and it does not exist yet."""
    if request.is_cp:
        from .demo import build_demo, write_workbook

        write_workbook(build_demo(), request.raw)
        return
    try:
        from .demo_definition import write_definition_demo
    except ImportError:
        raise AuditInputError("no synthetic demo can be generated for this definition yet", file=request.raw,
                              hint="give the audit's workbook as RAW=...") from None
    write_definition_demo(request.definition, request.raw)


def check_distinct_workbooks(raw: Path, earlier: list[Path]) -> None:
    """The current audit is never compared with itself, nor an earlier audit twice."""
    seen = {raw.resolve(): "RAW"} if raw.exists() else {}
    for path in earlier:
        if path.resolve() in seen:
            raise AuditInputError(f"given as EARLIER and as {seen[path.resolve()]}", file=path,
                                  hint="an audit is compared with other audits' workbooks, each named once")
        seen[path.resolve()] = "EARLIER"


def check_distinct_contents(inputs: dict) -> None:
    """A copy of the current workbook given as EARLIER would compare the audit with itself."""
    for earlier in inputs["earlier"]:
        if earlier["sha256"] == inputs["workbook"]["sha256"]:
            raise AuditInputError("has the same content as RAW", file=earlier["file"],
                                  hint="EARLIER names the workbooks of earlier audits, not a copy of this one")


# --- a run ----------------------------------------------------------------------------------------

def report(request: RunRequest) -> AuditFolders:
    """Make one audit's outputs and reports, or do nothing when they verify against their manifest."""
    inputs = request.inputs()
    check_distinct_contents(inputs)
    current, reason = up_to_date(inputs)
    if current is not None:
        progress(f"up to date: {current.audit_id} (every output matches its manifest)")
        return current
    progress(f"{reason}: {'building' if reason == NOTHING_YET else 'rebuilding'}")
    from ..clean.pseudonym import load_or_create_key

    key = load_or_create_key()
    inputs["pseudonym_key"] = key_fingerprint()  # the key may have been made just now
    with tempfile.TemporaryDirectory(prefix="run-", dir=staging_root()) as staging, run_kernel() as kernel:
        code_version_lookup()
        # The kernel boots on one core while this process cleans and measures the audit on the other; it is
        # started once the workbook has been read, so a workbook that cannot be read costs no kernel.
        audit = compute(request, key, after_reading=kernel.launch)
        folders = folders_for(audit.audit_id)
        for line in replacement_notes(folders.audit_id, read_manifest(folders.processed), inputs):
            progress(line)
        processed, reports = Path(staging) / "processed", Path(staging) / "reports"
        audit.write(processed)
        render_reports(processed, reports, folders, kernel, request.definition)
        inputs["workbook"]["sha256"] = audit.raw_sha256  # what the figures were made from, read once
        put_in_place(folders, processed, reports, inputs, audit)
    remember(inputs["workbook"]["sha256"], folders.audit_id)
    return folders


def up_to_date(inputs: dict) -> tuple[AuditFolders | None, str]:
    """The audit folders this workbook made with exactly these inputs, if every output verifies; else why not."""
    reasons = []
    for audit_id_ in reversed(known_ids(inputs["workbook"]["sha256"])):  # the most recent first
        folders = folders_for(audit_id_)
        why = why_rebuild(read_manifest(folders.processed), inputs, output_roots(folders))
        if why is None:
            return folders, ""
        reasons.append(why)
    return None, (reasons or [NOTHING_YET])[0]


def compute(request: RunRequest, key: bytes, after_reading=None):
    """The whole analysis of the audit and its earlier audits, in this process (`helpers.audit`)."""
    from ..spine import Window, audit

    earlier = f" and {len(request.earlier)} earlier audit(s)" if request.earlier else ""
    progress(f"[1/3 audit] reading, cleaning and measuring {request.raw.name}{earlier}")
    return audit(request.raw, request.params, request.earlier, window=Window(request.window_start, request.window_end),
                 allow_later=request.allow_later, key=key, definition=request.definition,
                 after_reading=after_reading)


def render_reports(processed: Path, reports: Path, folders: AuditFolders, kernel,
                   definition: AuditDefinition | None = None) -> None:
    """Execute the notebooks on the staged outputs (they only display them): notebook 04 twice, for the board
    report and its published version, then notebooks 01-03, which an analyst opens. Beside them, on a thread
    of its own (`BackgroundPrinter`), the practitioner briefing is written (issue 22, from the same outputs,
    published disclosure rules), each report is exported by nbconvert as soon as its notebook has run, and
    each of the three is printed as a PDF: while the kernel runs the next notebook, not after the last.
    The executed notebooks are kept in build/notebooks/<audit-id>/ for an analyst, with the error at its cell
    when a cell fails (papermill writes one only when it ends or a cell raises: not after a timeout or a kernel
    that died)."""
    from ..report.briefing import briefing_path, write_briefing
    from ..report.export import export_report
    from ..report.pdf import NO_CHROMIUM, BackgroundPrinter

    title = read_run_record(processed / "audit.json").get("audit_title") or ""
    footers = {"board": title, "published": f"{title} (published version)", "briefing": f"Learning briefing: {title}"}
    executed = processed.parent / "notebooks"
    # The audit's definition file, for another audit than the child protection conference audit's (the default).
    named = {"audit_definition": str(definition.path.resolve())} if definition is not None and \
        definition.path.resolve() != CP_CONFERENCES.resolve() else {}
    printer = BackgroundPrinter()
    try:
        reports.mkdir(parents=True, exist_ok=True)
        # Written on the printer's thread while the board's notebook runs: it reads only the staged outputs.
        printer.print_later(lambda: write_briefing(processed, reports, folders.audit_id,
                                                   folders.report_path("published").name,
                                                   named.get("audit_definition", "")),
                            briefing_path(reports, folders.audit_id).with_suffix(".pdf"), footers["briefing"])
        for version in VERSIONS:
            notebook = run_notebook("04_report.ipynb", {"input_dir": str(processed), "version": version,
                                                        "code_version": code_version_of_run(), **named},
                                    f"[2/3 report: {version}]", executed / f"04_report_{version}.ipynb", kernel)
            printer.print_later(functools.partial(export_report, notebook, folders.report_path(version).name,
                                                  reports, version),
                                reports / folders.report_path(version).with_suffix(".pdf").name, footers[version])
        for name in ("01_clean.ipynb", "02_findings.ipynb", "03_secondary_findings.ipynb"):
            run_notebook(name, {"input_dir": str(processed), **named}, "[3/3 notebooks]", executed / name, kernel)
        progress("[3/3 report] finishing the exports and PDFs")
        printed = printer.finish()  # before the executed notebooks move: the exports read them
    except BaseException:
        printer.abandon()  # the run's own error is the one to report
        raise
    finally:
        keep_executed_notebooks(executed, folders.audit_id)
    if not printed:
        progress(NO_CHROMIUM)


def put_in_place(folders: AuditFolders, processed: Path, reports: Path, inputs: dict, audit) -> None:
    """The manifest last of all the files, then the audit's folders replaced as a whole."""
    from .manifest import manifest, output_checksums, write_manifest

    outputs = output_checksums({"processed": processed, "reports": reports})
    write_manifest(processed, manifest(inputs, outputs, audit_id=folders.audit_id,
                                       earlier_audits=[e.audit_id for e in audit.earlier],
                                       code_version=code_version_of_run()))
    replace_audit(folders, processed, reports)


def output_roots(folders: AuditFolders) -> dict[str, Path]:
    return {"processed": folders.processed, "reports": folders.reports}


def replacement_notes(audit_id_: str, previous: dict, inputs: dict) -> list[str]:
    """What this run replaces in an audit's folders that the user might not expect, one line each."""
    if not previous:
        return []
    before = previous.get("inputs") or {}
    notes = []
    if before.get("workbook") != inputs["workbook"]:
        made_from = (before.get("workbook") or {}).get("file", "?")
        notes.append(f"replacing the outputs of {audit_id_} (made from {made_from}, {previous.get('made_at', '?')})")
    earlier_before = [e.get("file") for e in before.get("earlier") or []]
    if earlier_before and before.get("earlier") != inputs["earlier"]:
        now = [e["file"] for e in inputs["earlier"]]
        notes.append(f"note: the last run of {audit_id_} compared it with {', '.join(earlier_before)}; this run "
                     + (f"compares it with {', '.join(now)}" if now
                        else "has no EARLIER=, so the comparison is removed (give EARLIER= again to keep it)"))
    return notes


# --- running notebooks -------------------------------------------------------------------------

def run_notebook(name: str, parameters: dict, step: str, executed: Path, kernel) -> Path:
    """Execute one notebook with papermill into `executed`, in the run's kernel, with a timeout."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    executed.parent.mkdir(parents=True, exist_ok=True)
    progress(f"{step} notebooks/{name}")
    try:
        papermill.execute_notebook(
            str(config.NOTEBOOKS / name), str(executed), parameters=parameters,
            kernel_name=config.KERNEL_NAME, cwd=str(config.NOTEBOOKS), progress_bar=False,
            execution_timeout=600, log_output=False, km=kernel.kernel_for_next_notebook(),
            # Written once, when it ends or fails, not after every cell: papermill's saves (about 120 a run,
            # each validated) held up the kernel by about 0.6 s a run. The notebooks run in seconds.
            request_save_on_cell_execute=False,
        )
    except PapermillExecutionError as error:
        raise StageFailed(f"notebooks/{name} failed: {error.ename}: {error.evalue} (nothing was replaced; the "
                          f"executed notebook, with the error at its cell, is in {shown(config.BUILD / 'notebooks')}/)"
                          ) from None
    return executed


def run_kernel():
    """The one kernel a run's notebooks execute in."""
    from .kernel import notebook_kernel

    # Keep the kernel's own start-up chatter off the user's terminal.
    return notebook_kernel(config.KERNEL_NAME, str(config.NOTEBOOKS), ["--IPKernelApp.log_level=ERROR"])


@functools.cache
def code_version_lookup():
    """The git commit the report shows: git is asked once per run, beside the audit's computation."""
    from .background import in_background
    from .provenance import code_version

    return in_background(code_version)


def code_version_of_run() -> str:
    import json

    return json.dumps(code_version_lookup()())


def keep_executed_notebooks(executed: Path, audit_id_: str) -> Path:
    """The executed notebooks stay in build/notebooks/<audit-id>/ for an analyst to open."""
    target = config.BUILD / "notebooks" / audit_id_
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if executed.exists():
        shutil.move(str(executed), str(target))
    return target


def staging_root() -> Path:
    root = config.BUILD / "staging"
    root.mkdir(parents=True, exist_ok=True)
    return root


def shown(path: Path) -> str:
    """A path as the user reads it: relative to the project when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(config.PROJECT_ROOT))
    except ValueError:
        return str(path)


# --- the index: where a workbook's audits are, so a no-op reads no workbook ------------------------

def _index_path() -> Path:
    return config.BUILD / INDEX_NAME


def known_ids(raw_sha256: str) -> list[str]:
    ids = read_run_record(_index_path()).get(raw_sha256, [])
    return ids if isinstance(ids, list) else []


def remember(raw_sha256: str, audit_id_: str) -> None:
    index = read_run_record(_index_path())
    ids = [i for i in index.get(raw_sha256, []) if i != audit_id_] if isinstance(index.get(raw_sha256), list) else []
    index[raw_sha256] = ids + [audit_id_]
    config.BUILD.mkdir(parents=True, exist_ok=True)
    write_run_record(_index_path(), index)


@contextmanager
def run_lock():
    """One run at a time: a second `make report` waits for the first instead of interleaving with it."""
    config.BUILD.mkdir(parents=True, exist_ok=True)
    with (config.BUILD / "run.lock").open("a+") as handle:
        if not _try_lock(handle):
            progress("waiting: another `make report` is running in this project (build/run.lock)")
            _try_lock(handle, wait=True)
        yield


def _try_lock(handle, wait: bool = False) -> bool:
    """An exclusive lock on the open file, on Linux, macOS or Windows."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        while True:
            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
                return True
            except OSError:
                if not wait:
                    return False
                time.sleep(0.2)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        return True
    except BlockingIOError:
        return False


# --- commands --------------------------------------------------------------------------------------

def command_report(args: argparse.Namespace) -> int:
    request = request_from(args)
    if not args.raw and not request.raw.exists():
        write_demo(request)
    for path in [request.raw, *request.earlier]:
        warning = lock_file_warning(path)
        if warning:  # said first: the workbook may hold corrections that Excel has not saved yet
            progress(warning)
    with run_lock():
        folders = report(request)
    for version in VERSIONS:
        print(f"report: {shown(folders.report_path(version))}")
    for version in VERSIONS:
        if folders.report_path(version).with_suffix(".pdf").exists():
            print(f"pdf: {shown(folders.report_path(version).with_suffix('.pdf'))}")
    briefing = folders.report_path("briefing")  # the same name helpers.report.briefing writes
    for path in (briefing, briefing.with_suffix(".pdf")):
        if path.exists():
            print(f"briefing: {shown(path)}")
    print(f"data: {shown(folders.processed)}")
    return 0


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
    report_ = commands.add_parser("report", help="clean, measure and report one audit")
    report_.add_argument("--raw", default=env("CPA_RAW", ""))
    report_.add_argument("--earlier", default=env("CPA_EARLIER", ""),
                         help="earlier audit workbooks: one path, or several separated by ;")
    report_.add_argument("--window-start", default=env("CPA_WINDOW_START", ""))
    report_.add_argument("--window-end", default=env("CPA_WINDOW_END", ""))
    report_.add_argument("--publish", default=env("CPA_PUBLISH", ""),
                         help="accepted and ignored: the published version is always made")
    report_.add_argument("--allow-later", default=env("CPA_ALLOW_LATER", ""))
    report_.add_argument("--audit-definition", default=env("CPA_AUDIT_DEFINITION", ""),
                         help="the audit's definition file (default: audits/cp-conferences.yaml)")
    for name in Parameters.__dataclass_fields__:
        report_.add_argument(f"--{name.replace('_', '-')}", dest=name, default=env(f"CPA_{name.upper()}", ""))
    clean = commands.add_parser("clean-outputs", help="remove one audit's outputs, or all after confirmation")
    clean.add_argument("--audit", default=env("CPA_AUDIT", ""))
    clean.add_argument("--confirm", default=env("CPA_CONFIRM", ""))
    return top


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line; another definition's parameters (--strategy-working-days 5) are accepted as options
    once the definition named by --audit-definition (or AUDIT_DEFINITION) is known."""
    top = parser()
    args, rest = top.parse_known_args(argv)
    if rest and args.command == "report":
        definition = audit_definition(args.audit_definition or "")
        if definition is not None:
            extra = argparse.ArgumentParser(prog="python -m helpers report", allow_abbrev=False)
            for name in definition.parameters:
                if not hasattr(args, name):
                    extra.add_argument(f"--{name.replace('_', '-')}", dest=name, default="")
            args, rest = extra.parse_known_args(rest, namespace=args)
    if rest:
        top.error(f"unrecognized arguments: {' '.join(rest)}")
    return args


def skip_iri_parser() -> None:
    """Keep jsonschema from building an IRI parser that no notebook schema uses (about 1 s of every run).

    papermill and nbconvert validate notebooks with nbformat, which imports jsonschema; jsonschema imports
    rfc3987-syntax whenever it is installed (JupyterLab's jupyter-events installs it), and that import
    builds a Lark grammar. nbformat's schemas check no "iri" format, so notebooks validate exactly as before.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def main(argv: list[str] | None = None) -> int:
    skip_iri_parser()
    started = time.monotonic()
    try:
        check_given_settings()
        args = parse(argv)
        command = {"report": command_report, "clean-outputs": command_clean_outputs}[args.command]
        status = command(args)
    except AuditInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except StageFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("error: interrupted; outputs are as they were before this run", file=sys.stderr)
        return EXIT_FAILED
    if args.command == "report":
        progress(f"report: done in {time.monotonic() - started:.1f}s")
    return status


if __name__ == "__main__":
    sys.exit(main())
