"""`make benchmark`: `make report` timed against the floor measured in the same run.

The floor is papermill running a one-chart notebook that imports pandas,
matplotlib and seaborn, plus an nbconvert HTML export: what any notebook
pipeline pays. Every figure is also given as a ratio to it.

A benchmark, not a test. It works in a temporary folder (every output is
redirected there through the AUDIT_* variables), so the user's data/processed,
reports and key are never touched.

    python benchmarks/bench_report.py [--scale-cases 100000] [--skip-scale]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

FLOOR_NOTEBOOK = {
    "cells": [
        {"cell_type": "code", "execution_count": None, "id": "imports", "metadata": {}, "outputs": [],
         "source": "import matplotlib.pyplot as plt\nimport pandas as pd\nimport seaborn as sns"},
        {"cell_type": "code", "execution_count": None, "id": "chart", "metadata": {}, "outputs": [],
         "source": "frame = pd.DataFrame({'measure': list('abc'), 'percent': [90, 55, 60]})\n"
                   "sns.barplot(frame, x='percent', y='measure')\nplt.show()"},
    ],
    "metadata": {"kernelspec": {"name": "cp-conference-audit", "display_name": "Python", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def timed(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def floor_seconds(folder: Path, env: dict) -> float:
    import json

    source = folder / "floor.ipynb"
    source.write_text(json.dumps(FLOOR_NOTEBOOK))
    script = ("import papermill, nbconvert, sys\n"
              f"papermill.execute_notebook({str(source)!r}, {str(folder / 'floor-out.ipynb')!r}, "
              "kernel_name='cp-conference-audit', progress_bar=False)\n"
              f"body, _ = nbconvert.HTMLExporter().from_filename({str(folder / 'floor-out.ipynb')!r})\n"
              f"open({str(folder / 'floor.html')!r}, 'w').write(body)\n")
    return timed([PYTHON, "-c", script], env)


def redirected_env(folder: Path) -> dict:
    env = dict(os.environ)
    env.update({"AUDIT_DATA_PROCESSED": str(folder / "processed"), "AUDIT_REPORTS": str(folder / "reports"),
                "AUDIT_BUILD": str(folder / "build"), "AUDIT_DEMO_WORKBOOK": str(folder / "raw" / "demo.xlsx"),
                "AUDIT_PSEUDONYM_KEY_FILE": str(folder / "bench.key")})
    return env


def report_command(raw: Path | None = None) -> list[str]:
    return [PYTHON, "-m", "helpers.run.pipeline", "report"] + (["--raw", str(raw)] if raw else [])


def scale_workbook(path: Path, cases: int, returns_per_case: int = 5, strings: str = "shared") -> Path:
    """The demo's included rows repeated with new references, written with XlsxWriter.

    `strings="shared"` writes text once in a shared-strings table, as Excel saves every workbook;
    `"inline"` writes it in each cell, as some export tools do (the XML is half as large again, so
    parsing it takes longer). XlsxWriter writes inline strings only in its constant-memory mode.
    """
    import xlsxwriter

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import CASE_COLUMNS, RETURN_COLUMNS, case_row, return_row

    agencies = ["Children's social care", "Police", "Health visitor", "School", "GP"][:returns_per_case]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": strings == "inline"})
    cases_sheet, returns_sheet = book.add_worksheet("Cases"), book.add_worksheet("Agency returns")
    cases_sheet.write_row(0, 0, CASE_COLUMNS)
    returns_sheet.write_row(0, 0, RETURN_COLUMNS)
    answers = ["Yes", "No", "Partly", "N/A", "maybe"]
    for number in range(cases):
        ref = f"CP{number:07d}"
        row = case_row(ref, plan_smart=answers[number % 5], plan_progress_monitored=answers[(number // 5) % 5])
        cases_sheet.write_row(number + 1, 0, [row[c] for c in CASE_COLUMNS])
        for offset, agency in enumerate(agencies):
            values = return_row(ref, agency, attended=answers[(number + offset) % 3])
            returns_sheet.write_row(number * returns_per_case + offset + 1, 0, [values[c] for c in RETURN_COLUMNS])
    book.close()
    return path


def scale_run(workbook: Path, folder: Path) -> tuple[float, float]:
    """Seconds for `make report RAW=workbook` in its own folder, and the peak memory of its largest process.

    Each run is a child of a fresh helper process, so its peak is not mixed with an earlier run's.
    """
    script = ("import resource, subprocess, sys, time\n"
              "started = time.perf_counter()\n"
              "run = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
              "if run.returncode:\n"
              "    sys.exit(run.stderr)\n"
              "print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    result = subprocess.run([PYTHON, "-c", script, *report_command(workbook)], cwd=ROOT, env=redirected_env(folder),
                            capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"benchmark: make report RAW={workbook.name} failed:\n{result.stderr}")
    seconds, peak_kb = result.stdout.split()
    return float(seconds), int(peak_kb) / 1024


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--scale-cases", type=int, default=100_000)
    arguments.add_argument("--skip-scale", action="store_true")
    arguments.add_argument("--repeats", type=int, default=2)
    options = arguments.parse_args()
    with tempfile.TemporaryDirectory(prefix="cp-audit-benchmark-") as temporary:
        folder = Path(temporary)
        floors, colds = [], []
        for repeat in range(options.repeats):
            run_folder = folder / f"run{repeat}"
            run_folder.mkdir()
            env = redirected_env(run_folder)
            floors.append(floor_seconds(run_folder, env))
            if repeat == 0:  # the demo workbook is written once, outside the timing
                subprocess.run(report_command(), cwd=ROOT, env=env, check=True, capture_output=True)
                demo = run_folder / "raw" / "demo.xlsx"
                subprocess.run(["rm", "-rf", str(run_folder / "processed"), str(run_folder / "reports"),
                                str(run_folder / "build")], check=True)
            else:
                (run_folder / "raw").mkdir()
                (run_folder / "raw" / "demo.xlsx").write_bytes(demo.read_bytes())
                (run_folder / "bench.key").write_bytes((folder / "run0" / "bench.key").read_bytes())
            colds.append(timed(report_command(), env))
        warm = [timed(report_command(), redirected_env(folder / "run0")) for _ in range(5)]
        floor = statistics.median(floors)
        cold = statistics.median(colds)
        print(f"floor (papermill one-chart notebook + nbconvert export): {floor:.1f}s median of {len(floors)} "
              f"({', '.join(f'{t:.1f}' for t in floors)})")
        print(f"make report, cold demo: {cold:.1f}s median ({', '.join(f'{t:.1f}' for t in colds)}), "
              f"{cold / floor:.2f} x the floor")
        print(f"make report, no-op:     {statistics.median(warm):.2f}s median of {len(warm)}")
        if not options.skip_scale:
            for strings, written_as in (("shared", "saved as Excel saves it"),
                                        ("inline", "text inline in each cell, as some export tools write it")):
                big = scale_workbook(folder / f"scale-{strings}.xlsx", options.scale_cases, strings=strings)
                seconds, peak_mb = scale_run(big, folder / f"scale-{strings}")
                print(f"make report RAW= {options.scale_cases:,} cases x 5 returns ({written_as}): "
                      f"{seconds:.1f}s end to end ({seconds / floor:.1f} x the floor), "
                      f"peak memory of one process {peak_mb:,.0f} MB", flush=True)
                big.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
