"""`python -m helpers.template [--out PATH] [--audit-definition FILE]`: write the blank audit workbook and print its
path last."""
from __future__ import annotations

import argparse
import os
import sys

from .. import config
from ..errors import AuditInputError
from ..run.pipeline import audit_definition
from .workbook import write_template

DEFAULT_PATH = config.DATA_RAW / "audit-workbook-template.xlsx"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.template", description=__doc__)
    # `make template OUT=...` passes the path through the environment the Makefile exports.
    parser.add_argument("--out", default=os.environ.get("CPA_OUT", ""),
                        help=f"where to write it (default {DEFAULT_PATH})")
    parser.add_argument("--audit-definition", default=os.environ.get("CPA_AUDIT_DEFINITION", ""),
                        help="the audit's definition file (default: audits/cp-conferences.yaml)")
    args = parser.parse_args(argv)
    try:
        definition = audit_definition(args.audit_definition)
    except AuditInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    default = DEFAULT_PATH if definition is None else DEFAULT_PATH.with_name(
        f"audit-workbook-template-{definition.name}.xlsx")
    path = write_template(args.out or default, definition)
    print(f"template: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
