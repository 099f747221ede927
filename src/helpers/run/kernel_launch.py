"""The run's kernel process: it starts parsing the run's first workbook, then becomes an IPython kernel.

`NotebookKernel.start` launches it as `python -m helpers.run.kernel_launch -f <connection file>` in place of
`ipykernel_launcher`, naming the workbook in the environment variable PARSE_AHEAD_VARIABLE. The parse then
begins as the process starts, while the kernel itself is still importing IPython (a second and a half here),
instead of after it is ready.
"""
from __future__ import annotations

import os
import sys

PARSE_AHEAD_VARIABLE = "AUDIT_KERNEL_PARSE_AHEAD"


def main() -> None:
    workbook = os.environ.pop(PARSE_AHEAD_VARIABLE, "")
    if workbook:
        from helpers.read.workbook import parse_ahead

        parse_ahead(workbook)
    if sys.path and sys.path[0] == "":  # exactly as ipykernel_launcher does
        del sys.path[0]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
