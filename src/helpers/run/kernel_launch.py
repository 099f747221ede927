"""The run's kernel process: it starts parsing the run's first workbook, then becomes an IPython kernel.

`NotebookKernel.start` launches it as `python -m helpers.run.kernel_launch -f <connection file>` in place of
`ipykernel_launcher`, naming the workbook in the environment variable PARSE_AHEAD_VARIABLE. The parse then
begins as the process starts, while the kernel itself is still importing IPython (a second and a half here),
instead of after it is ready.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

PARSE_AHEAD_VARIABLE = "AUDIT_KERNEL_PARSE_AHEAD"


def main() -> None:
    # Exactly as ipykernel_launcher: the kernel's folder leaves the front of sys.path while the kernel loads
    # (IPython adds it back), so no file there can shadow a module.
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    start_parse_ahead(os.environ.pop(PARSE_AHEAD_VARIABLE, ""))
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


def start_parse_ahead(workbook: str) -> None:
    """Start parsing the workbook; whatever goes wrong, the kernel still starts (notebook 01 reports the problem)."""
    if not workbook:
        return
    try:
        from helpers.read.workbook import parse_ahead

        parse_ahead(workbook)
    except Exception:  # noqa: BLE001 - a kernel that never starts would hide the problem behind a timeout
        return


if __name__ == "__main__":
    main()
