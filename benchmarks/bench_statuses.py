"""Timing of `measure_statuses` on 100,000 cases with 5 agency returns each (issue 23: rules from the definition).

The frames are built directly as cleaning leaves them (random answers, dates and agencies, a fixed seed), so only
the measures are timed. Prints the best of --repeat runs in seconds.

    .venv/bin/python benchmarks/bench_statuses.py [--cases 100000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from helpers.clean.cleaning import CASE_ANSWER_COLUMNS, CASE_DATE_COLUMNS
from helpers.domain.answers import AGENCY_GROUPS, UNMAPPED, VOCABULARIES
from helpers.domain.schema import CASES
from helpers.domain.workdays import working_days_between
from helpers.measures import Parameters
from helpers.measures.statuses import measure_statuses

PARTICIPATION = [f"PN{i}" for i in range(8)] + ["N/A"]


def answers(kind: str, n: int, rng: np.random.Generator) -> pd.Series:
    """Canonical answers of a column kind, with about one in ten missing."""
    choices = PARTICIPATION if kind == "participation" else sorted(set(VOCABULARIES[kind].values()))
    values = pd.Series(rng.choice(choices, n), dtype="string")
    return values.mask(rng.random(n) < 0.1)


def dates(n: int, rng: np.random.Generator, start: str) -> pd.Series:
    days = pd.Series(pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, 60, n), unit="D"))
    return days.mask(rng.random(n) < 0.05)


def generated_audit(n_cases: int, returns_per_case: int = 5, seed: int = 23) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    kinds = {c.name: c.kind for c in CASES.columns}
    cases = pd.DataFrame({"case_id": [f"c{i}" for i in range(n_cases)]})
    for name in CASE_ANSWER_COLUMNS:
        cases[name] = answers(kinds[name], n_cases, rng)
    for name, start in zip(CASE_DATE_COLUMNS, ("2025-04-01", "2025-04-20", "2025-05-10", "2025-11-01")):
        cases[name] = dates(n_cases, rng, start)
        cases[f"{name}_not_applicable"] = rng.random(n_cases) < 0.02
    cases["strategy_to_icpc_working_days"] = working_days_between(cases["strategy_discussion_date"], cases["icpc_date"])
    cases["icpc_to_core_group_working_days"] = working_days_between(cases["icpc_date"],
                                                                    cases["first_core_group_date"])
    n_returns = n_cases * returns_per_case
    groups = list(AGENCY_GROUPS) + [UNMAPPED]
    group = rng.choice(groups, n_returns)
    returns = pd.DataFrame({
        "case_id": pd.Series(np.repeat(cases["case_id"].to_numpy(), returns_per_case), dtype="string"),
        "agency": pd.Series([f"{g.lower()} {i % 3}" for i, g in enumerate(group)], dtype="string"),
        "agency_group": pd.Series(group, dtype="string"),
        "attended": answers("attended", n_returns, rng),
        "report_submitted": answers("yn", n_returns, rng),
        "report_shared_date": dates(n_returns, rng, "2025-04-10"),
        "agreed_with_decision": answers("yn", n_returns, rng),
        "dissent_recorded": answers("yn", n_returns, rng),
    })
    returns["report_shared_date_not_applicable"] = False
    return cases, returns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cases, returns = generated_audit(args.cases)
    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        measure_statuses(cases, returns, Parameters())
        timings.append(time.perf_counter() - start)
    print(f"measure_statuses, {args.cases:,} cases, {len(returns):,} returns: best {min(timings):.3f} s, "
          f"median {sorted(timings)[len(timings) // 2]:.3f} s")


if __name__ == "__main__":
    main()
