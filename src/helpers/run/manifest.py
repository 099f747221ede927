"""An audit folder's manifest: what its outputs were made from and what they were, by SHA-256.

`data/processed/<audit-id>/manifest.json` records the inputs of the run that made the folder (the workbook
and earlier workbooks, the parameters and window, the pseudonymisation key, the code and the lock file) and
the checksum of every output it wrote, in data/processed and in reports. A run is a no-op only when its
inputs equal the recorded ones and every output is there with its recorded checksum, and nothing else is:
so an output edited, deleted or added by hand (a notebook run into the folder, say) is rebuilt, never
trusted. This module imports nothing heavy: a no-op `make report` reads only it.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from .provenance import code_fingerprint, file_sha256, key_fingerprint, lock_sha256

MANIFEST = "manifest.json"
# How an input is named when it is the reason for a rebuild.
INPUT_WORDS = {"workbook": "the workbook", "earlier": "EARLIER (or an earlier workbook)",
               "window": "the window (WINDOW_START/WINDOW_END)", "allow_later": "ALLOW_LATER",
               "pseudonym_key": "the pseudonymisation key", "code": "the analysis code or notebooks",
               "lock": "requirements.lock"}


def workbook_input(path: Path) -> dict:
    return {"file": path.name, "sha256": file_sha256(path)}


def run_inputs(raw: Path, earlier: list[Path], parameters: dict, window: dict, allow_later: bool) -> dict:
    """Everything a run's outputs depend on, as recorded in the manifest and compared on the next run."""
    return {"workbook": workbook_input(raw), "earlier": [workbook_input(path) for path in earlier],
            "parameters": parameters, "window": window, "allow_later": allow_later,
            "pseudonym_key": key_fingerprint(), "code": code_fingerprint(), "lock": lock_sha256()}


def output_checksums(roots: dict[str, Path]) -> dict[str, str]:
    """SHA-256 of every file under each root, keyed `<root name>/<path inside it>` (the manifest excluded)."""
    checksums = {}
    for name, root in roots.items():
        for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
            relative = path.relative_to(root).as_posix()
            if relative != MANIFEST:
                checksums[f"{name}/{relative}"] = file_sha256(path)
    return checksums


def manifest(inputs: dict, outputs: dict[str, str], **facts) -> dict:
    return {"inputs": inputs, "outputs": outputs, **facts,
            "made_at": dt.datetime.now().replace(microsecond=0).isoformat()}


def write_manifest(folder: Path, record: dict) -> Path:
    path = Path(folder) / MANIFEST
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_manifest(folder: Path) -> dict:
    """The folder's manifest; {} when it is missing or unreadable (which means: rebuild)."""
    try:
        record = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) and isinstance(record.get("outputs"), dict) else {}


def changed_input(recorded: dict, inputs: dict) -> str | None:
    """Which input differs from the recorded one, in words; None when they are all equal."""
    for name, value in inputs.items():
        if recorded.get(name) == value:
            continue
        if name == "parameters":
            before = recorded.get(name) or {}
            changes = [f"{key.upper()} changed ({before.get(key)} to {value[key]})" for key in value
                       if before.get(key) != value[key]]
            return ", ".join(changes) or "the parameters changed"
        return f"{INPUT_WORDS.get(name, name)} changed"
    return None


def changed_output(recorded: dict[str, str], roots: dict[str, Path]) -> str | None:
    """Which output is missing, changed or was not made by the recorded run; None when all verify."""
    found = output_checksums(roots)
    for name, checksum in recorded.items():
        if name not in found:
            return f"{name} is missing"
        if found[name] != checksum:
            return f"{name} changed since the last run"
    extra = sorted(set(found) - set(recorded))
    return f"{extra[0]} was not made by the last run" if extra else None


def why_rebuild(record: dict, inputs: dict, roots: dict[str, Path]) -> str | None:
    """None when the folders hold exactly what a run with these inputs made; otherwise the reason, one phrase."""
    if not record:
        return "no complete outputs for these inputs yet"
    return changed_input(record.get("inputs") or {}, inputs) or changed_output(record["outputs"], roots)
