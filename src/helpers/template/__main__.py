"""`python -m helpers.template [--out PATH]`: write the blank audit workbook and print its path last."""
from __future__ import annotations

import argparse
import os
import sys

from .. import config
from .workbook import write_template

DEFAULT_PATH = config.DATA_RAW / "audit-workbook-template.xlsx"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.template", description=__doc__)
    # `make template OUT=...` passes the path through the environment the Makefile exports.
    parser.add_argument("--out", default=os.environ.get("CPA_OUT", ""),
                        help=f"where to write it (default {DEFAULT_PATH})")
    args = parser.parse_args(argv)
    path = write_template(args.out or DEFAULT_PATH)
    print(f"template: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
