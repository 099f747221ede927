"""Excel's lock file beside a workbook: the workbook is open, and what is not yet saved is not read.

A module of its own, importing nothing heavy, so that even a no-op `make report` can warn.
"""
from __future__ import annotations

from pathlib import Path

LOCK_FILE_PREFIX = "~$"


def lock_file_warning(path: str | Path) -> str | None:
    """A one-line warning when Excel's lock file `~$<name>` stands beside the workbook, else None.

    Excel writes that file while the workbook is open and removes it on closing: changes not yet saved are
    not in the file read. (A lock file left by Excel crashing warns too: deleting it is then the fix.)
    """
    path = Path(path)
    lock = path.with_name(LOCK_FILE_PREFIX + path.name)
    if path.name.startswith(LOCK_FILE_PREFIX) or not lock.is_file():
        return None
    return (f"warning: {path.name} is open in Excel ('{lock.name}' stands beside it): changes not yet saved are "
            "not read (save and close the workbook, then run again; if Excel is not open, delete that file)")
