"""What a run used: the raw file's SHA-256, parameter values and package versions."""
from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

PACKAGES = ("pandas", "numpy", "matplotlib", "seaborn", "openpyxl", "holidays", "statsmodels",
            "papermill", "nbconvert")


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_versions() -> dict:
    return {"python": platform.python_version(), **{name: metadata.version(name) for name in PACKAGES}}


def write_run_record(path: str | Path, record: dict) -> Path:
    path = Path(path)
    path.write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")
    return path


def read_run_record(path: str | Path) -> dict:
    path = Path(path)
    return json.loads(path.read_text()) if path.exists() else {}
