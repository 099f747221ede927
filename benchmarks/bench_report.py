"""Times `make report` cold (no outputs) and warm (nothing changed), and prints the figures.

A benchmark, not a test: run it with `make benchmark` and compare figures between commits.
Cold includes executing the four notebooks; the environment and demo workbook must exist
already (the first `make report` makes them), so setup time is not counted.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    timed("setup")
    timed("demo")
    cold = []
    for _ in range(2):
        timed("clean-outputs")
        cold.append(timed("report"))
    warm = [timed("report") for _ in range(5)]
    print(f"make report, cold (4 notebooks, demo workbook): {statistics.median(cold):.1f}s median of {len(cold)} "
          f"({', '.join(f'{t:.1f}' for t in cold)})")
    print(f"make report, warm (nothing changed):           {statistics.median(warm):.2f}s median of {len(warm)} "
          f"({', '.join(f'{t:.2f}' for t in warm)})")
    scale_measures()
    return 0


def scale_measures(copies: int = 1000) -> None:
    """The 22 measures over the demo's cases and returns copied `copies` times (vectorised code scales)."""
    import pandas as pd
    from helpers.findings import findings_table, measure_statuses
    from helpers.outputs import load_clean_outputs

    from helpers.config import DATA_PROCESSED
    from helpers.measures import Parameters

    data = load_clean_outputs(DATA_PROCESSED)
    cases, returns = [], []
    for copy in range(copies):
        cases.append(data["cases"].assign(case_id=data["cases"]["case_id"] + f"-{copy}"))
        returns.append(data["agency_returns"].assign(case_id=data["agency_returns"]["case_id"] + f"-{copy}"))
    cases = pd.concat(cases, ignore_index=True)
    returns = pd.concat(returns, ignore_index=True)
    started = time.perf_counter()
    findings_table(measure_statuses(cases, returns, Parameters()), None)
    print(f"22 measures over {len(cases):,} cases and {len(returns):,} returns:  {time.perf_counter() - started:.2f}s")


if __name__ == "__main__":
    sys.exit(main())
