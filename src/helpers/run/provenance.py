"""What a run was made from: the raw file's SHA-256, the parameters, the code and the locked environment.

Each stage's record is a fingerprint of its inputs. A stage whose recorded
fingerprint differs from this run's re-runs, whatever the file times say.
This module imports nothing heavy: a no-op `make report` reads only it.
"""
from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .. import config

PACKAGES = ("pandas", "numpy", "matplotlib", "seaborn", "openpyxl", "python-calamine", "holidays", "papermill",
            "nbconvert")
HELPERS = config.PROJECT_ROOT / "src" / "helpers"

# The code each stage depends on, cumulatively (read -> clean -> measure -> report; run drives them all):
# files, and folders whose .py and .css files all count. Development tools live in tools/ and are in none of
# these, so editing them re-runs nothing.
STAGE_CODE = {
    "clean": tuple(HELPERS / name for name in ("__init__.py", "config.py", "errors.py", "domain", "read", "clean",
                                               "context", "run"))
    + (config.NOTEBOOKS / "01_clean.ipynb",),
    "findings": (HELPERS / "measures", HELPERS / "report" / "charts.py", HELPERS / "report" / "narrative.py",
                 config.NOTEBOOKS / "02_findings.ipynb", config.NOTEBOOKS / "03_secondary_findings.ipynb"),
    "report": (HELPERS / "report", config.NOTEBOOKS / "04_report.ipynb"),
}
STAGES = tuple(STAGE_CODE)


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _notebook_source(path: Path) -> bytes:
    """A notebook's cell sources only: outputs saved from JupyterLab do not change the code."""
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    return json.dumps([[c.get("cell_type"), "".join(c.get("source", ""))] for c in cells]).encode("utf-8")


def _code_files(entry: Path) -> list[Path]:
    if entry.is_dir():
        return sorted(p for p in entry.rglob("*") if p.suffix in (".py", ".css") and "__pycache__" not in p.parts)
    return [entry] if entry.exists() else []


@lru_cache(maxsize=None)
def code_fingerprint(stage: str) -> str:
    """SHA-256 over the source of everything the stage (and the stages before it) runs."""
    digest = hashlib.sha256()
    for name in STAGES[:STAGES.index(stage) + 1]:
        for entry in STAGE_CODE[name]:
            for path in _code_files(entry):
                # With / between folders on every system, so Windows and Linux agree on the same code.
                digest.update(path.relative_to(config.PROJECT_ROOT).as_posix().encode("utf-8"))
                digest.update(_notebook_source(path) if path.suffix == ".ipynb" else path.read_bytes())
    return digest.hexdigest()


def lock_sha256() -> str:
    lock = config.PROJECT_ROOT / "requirements.lock"
    return file_sha256(lock) if lock.exists() else ""


def code_version() -> dict:
    """The git commit and whether the work tree differs from it (the analysis code, notebooks and lock)."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=config.PROJECT_ROOT, capture_output=True, text=True,
                                  timeout=10, check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    commit = git("rev-parse", "HEAD")
    changed = git("status", "--porcelain", "--", "src", "notebooks", "requirements.lock") if commit else ""
    return {"commit": commit or "unknown (not a git checkout)", "modified": bool(changed)}


def stage_fingerprint(stage: str, inputs: dict, upstream: str = "") -> str:
    """One stage's fingerprint: its own inputs, its code, the lock file and the stage before it."""
    record = {"stage": stage, "inputs": inputs, "code": code_fingerprint(stage), "lock": lock_sha256(),
              "upstream": upstream}
    return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def package_versions() -> dict:
    return {"python": platform.python_version(), **{name: metadata.version(name) for name in PACKAGES}}


def write_run_record(path: str | Path, record: dict) -> Path:
    path = Path(path)
    path.write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")
    return path


def read_run_record(path: str | Path) -> dict:
    path = Path(path)
    try:
        return json.loads(path.read_text()) if path.exists() else {}
    except (OSError, ValueError):
        return {}
