"""The command line behind `make report`: runs the papermill notebooks stage by stage.

Each stage executes its notebook into build/notebooks with a staging folder as
its output folder, and moves the staged files into place only when the whole
stage succeeded. Bad input ends with one line on stderr (file, sheet, column,
row, and what to do) and a non-zero exit; no traceback, no output changed.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from .. import config
from .outputs import publish_staged

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


class StageFailed(Exception):
    def __init__(self, message: str, bad_input: bool = False):
        super().__init__(message)
        self.bad_input = bad_input


def run_notebook(name: str, parameters: dict, step: str) -> Path:
    """Execute one notebook with papermill, with progress shown, a kernel named, and a timeout."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    executed = config.BUILD / "notebooks" / name
    executed.parent.mkdir(parents=True, exist_ok=True)
    print(f"{step} running notebooks/{name}", file=sys.stderr, flush=True)
    try:
        papermill.execute_notebook(
            str(config.NOTEBOOKS / name), str(executed), parameters=parameters,
            kernel_name=config.KERNEL_NAME, cwd=str(config.NOTEBOOKS), progress_bar=sys.stderr.isatty(),
            execution_timeout=600, log_output=False,
            # Keep the kernel's own start-up chatter off the user's terminal.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except PapermillExecutionError as error:
        if error.ename == "AuditInputError":
            raise StageFailed(error.evalue, bad_input=True) from None
        raise StageFailed(f"notebooks/{name} failed in cell {error.exec_count}: {error.ename}: "
                          f"{error.evalue} (the executed copy is {_shown(executed)})") from None
    return executed


def stage_clean(args) -> list[Path]:
    raw = Path(args.raw).resolve()
    with tempfile.TemporaryDirectory(dir=_staging_root()) as staging:
        run_notebook("01_clean.ipynb", {"raw_path": str(raw), "output_dir": staging,
                                        "window_start": args.window_start or "",
                                        "window_end": args.window_end or ""}, "[clean]")
        return publish_staged(Path(staging), config.DATA_PROCESSED)


def stage_findings(args) -> list[Path]:
    params = json.loads(Path(args.params).read_text()) if args.params else {}
    values = {
        "report_share_working_days": int(params.get("report_share_working_days", 2)),
        "icpc_working_days": int(params.get("icpc_working_days", 15)),
        "core_group_working_days": int(params.get("core_group_working_days", 10)),
        "health_counts_as_one": str(params.get("health_counts_as_one", "true")).lower() in ("true", "1", "yes"),
    }
    with tempfile.TemporaryDirectory(dir=_staging_root()) as staging:
        common = {"input_dir": str(config.DATA_PROCESSED), "output_dir": staging}
        run_notebook("02_findings.ipynb", {**common, **values}, "[findings]")
        run_notebook("03_secondary_findings.ipynb", {**common, **values}, "[secondary findings]")
        # findings.csv last, so make's target for this stage is only new when the whole stage is done.
        return publish_staged(Path(staging), config.DATA_PROCESSED)


def stage_report(args) -> list[Path]:
    from ..report.export import export_report

    publish = str(args.publish).lower() in ("1", "true", "yes")
    versions = ["board"] + (["published"] if publish else [])
    written = []
    with tempfile.TemporaryDirectory(dir=_staging_root()) as staging:
        for version in versions:
            executed = run_notebook("04_report.ipynb", {"input_dir": str(config.DATA_PROCESSED),
                                                         "version": version}, f"[report: {version}]")
            written.append(export_report(executed, Path(staging), version))
        paths = publish_staged(Path(staging), config.REPORTS)
    stamp = config.BUILD / "report.stamp"
    stamp.write_text("".join(f"report: {_shown(p)}\n" for p in paths))
    return paths


def _shown(path: Path) -> str:
    """A path as the user reads it: relative to the project when it is inside it."""
    try:
        return str(path.relative_to(config.PROJECT_ROOT))
    except ValueError:
        return str(path)


def _staging_root() -> str:
    root = config.BUILD / "staging"
    root.mkdir(parents=True, exist_ok=True)
    return str(root)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.pipeline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    clean = commands.add_parser("clean", help="clean the raw workbook into data/processed")
    clean.add_argument("--raw", default=str(config.DEMO_WORKBOOK))
    clean.add_argument("--window-start", default="")
    clean.add_argument("--window-end", default="")
    findings = commands.add_parser("findings", help="compute findings and secondary findings")
    findings.add_argument("--params", default="")
    report = commands.add_parser("report", help="render the HTML report(s) into reports/")
    report.add_argument("--publish", default="0")
    args = parser.parse_args(argv)
    stages = {"clean": stage_clean, "findings": stage_findings, "report": stage_report}
    started = time.monotonic()
    try:
        written = stages[args.command](args)
    except StageFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT if error.bad_input else EXIT_FAILED
    except KeyboardInterrupt:
        print("error: interrupted; outputs are as they were before this run", file=sys.stderr)
        return EXIT_FAILED
    if args.command != "report":  # the report's paths are printed by `make report` from its stamp
        for path in written:
            print(f"{args.command}: wrote {_shown(path)}", file=sys.stderr)
    print(f"{args.command}: done in {time.monotonic() - started:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
