"""Writes docs/measures.md from the measure declarations (`python -m helpers.docs`)."""
from __future__ import annotations

import sys

from helpers import config
from helpers.domain.measures import KLOES, MEASURES, Parameters

TARGET = config.PROJECT_ROOT / "docs" / "measures.md"


def measures_markdown() -> str:
    defaults = Parameters()
    lines = [
        "# The measures",
        "",
        "Generated from `src/helpers/domain/measures.py` by `python tools/make_docs.py`; a test fails when it is out of date.",
        "",
        "For every measure each included case is met, not met (together: the denominator), not applicable",
        "(an N/A answer, or a condition that does not hold) or not recorded (missing or unrecognised data).",
        "Percent is 100 x met / denominator to one decimal place; the 95% interval is the Wilson score",
        "interval, with n replaced by n(N - 1)/(N - n) when the population N from the Audit sheet is larger than n.",
        "Working days exclude weekends and England and Wales bank holidays (numpy `busday_count`, which counts",
        "[begin, end)).",
        "",
        "Thresholds (parameters, with their defaults): "
        + ", ".join(f"`{name}` = {getattr(defaults, name)}" for name in defaults.__dataclass_fields__) + ".",
        "",
        "| measure_id | key line of enquiry | label | met / in the denominator |",
        "|---|---|---|---|",
    ]
    for m in MEASURES:
        kloe = f"{m.kloe}: {KLOES[m.kloe]}" if m.kloe in KLOES else "secondary"
        lines.append(f"| `{m.id}` | {kloe} | {m.label_for(defaults)} | {m.definition_for(defaults)} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    TARGET.write_text(measures_markdown())
    print(f"docs: wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
