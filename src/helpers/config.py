"""Paths resolved from the project root, so code works from any working directory."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_RAW = PROJECT_ROOT / "data" / "raw"
# Output folders can be moved (the tests run the whole pipeline in a temporary folder).
DATA_PROCESSED = Path(os.environ.get("AUDIT_DATA_PROCESSED", PROJECT_ROOT / "data" / "processed"))
REPORTS = Path(os.environ.get("AUDIT_REPORTS", PROJECT_ROOT / "reports"))
BUILD = Path(os.environ.get("AUDIT_BUILD", PROJECT_ROOT / "build"))
NOTEBOOKS = PROJECT_ROOT / "notebooks"
DEMO_WORKBOOK = Path(os.environ.get("AUDIT_DEMO_WORKBOOK", DATA_RAW / "SYNTHETIC_demo_audit_workbook.xlsx"))
KERNEL_NAME = "cp-conference-audit"

# The pseudonymisation key lives outside git (config/*.key is ignored); tests
# point this at a temporary file.
PSEUDONYM_KEY_FILE = Path(
    os.environ.get("AUDIT_PSEUDONYM_KEY_FILE", PROJECT_ROOT / "config" / "pseudonym.key")
)
