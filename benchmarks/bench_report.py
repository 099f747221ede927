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
    return 0


if __name__ == "__main__":
    sys.exit(main())
