"""Report inputs for the briefing's worst case (issue 22): all 22 measures with a finding, every one an area for
improvement, and ten long recommendations: the most a briefing has to fit on two pages."""
from __future__ import annotations

import pandas as pd

from helpers.domain.measures import MEASURES, Parameters
from helpers.measures.findings import findings_table

CASES = 60
RECOMMENDATIONS = pd.DataFrame({
    "recommendation": [f"Recommendation {n}: every agency reviews how it meets this standard, trains its staff on "
                       "what good practice looks like, and reports its progress to the partnership board within "
                       "six months." for n in range(1, 11)],
    "measures": [""] * 10})


def every_measure_low(cases: int = CASES, met: int = 12) -> pd.DataFrame:
    """Findings of `cases` cases with `met` meeting every measure (20%: the whole interval below 80%)."""
    statuses = pd.DataFrame({m.id: ["met"] * met + ["not_met"] * (cases - met) for m in MEASURES})
    return findings_table(statuses)


def worst_case_inputs() -> dict:
    return {"audit": {"audit_title": "A 22-measure audit", "window_start": "2025-04-01",
                      "window_end": "2025-09-30", "sampling": "Random sample of initial conferences in the window"},
            "findings": every_measure_low(), "included_cases": CASES, "params": Parameters(),
            "recommendations": RECOMMENDATIONS, "yes_partly_no": None, "by_agency_group": None, "by_category": None,
            "by_age_band": None, "reconciliation": None, "synthetic": False}
