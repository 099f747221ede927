"""What a run was made from: checksums of the workbooks, the code, the key and the locked environment.

This module imports nothing heavy: a no-op `make report` reads only it and the manifest.
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
# What a run's outputs depend on besides its inputs: the analysis code and the notebooks that display it.
# Development tools live in tools/ and are not in it, so editing them re-runs nothing.
CODE = (HELPERS, config.NOTEBOOKS)
# The audit definitions (audits/*.yaml and their schema) declare the measures' rules: a changed rule is changed code.
DEFINITIONS = config.PROJECT_ROOT / "audits"


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


def _code_files() -> list[Path]:
    code = [p for folder in CODE for p in folder.rglob("*")
            if p.suffix in (".py", ".css", ".ipynb") and "__pycache__" not in p.parts
            and ".ipynb_checkpoints" not in p.parts]
    return sorted(code + [p for p in DEFINITIONS.glob("*") if p.suffix in (".yaml", ".json")])


@lru_cache(maxsize=None)
def code_fingerprint() -> str:
    """SHA-256 over the source of everything a run executes (a notebook's cells only, not its outputs)."""
    digest = hashlib.sha256()
    for path in _code_files():
        digest.update(path.relative_to(config.PROJECT_ROOT).as_posix().encode("utf-8"))
        digest.update(_notebook_source(path) if path.suffix == ".ipynb" else path.read_bytes())
    return digest.hexdigest()


def key_fingerprint(path: str | Path | None = None) -> str:
    """SHA-256 of the pseudonymisation key file ("" before it exists): a new key changes every case_id."""
    path = Path(path or config.PSEUDONYM_KEY_FILE)
    return file_sha256(path) if path.exists() else ""


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
