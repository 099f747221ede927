"""`make screenshots`: the demo report's first screen, one key line and the recommendations.

With `--reaudit` (the demo run with its earlier audit): the first screen and the "Since the last audit" section.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from browser import INSTALL_HINT, chromium_path, screenshot
from helpers import config


def board_report() -> Path:
    """The demo's board report, as `make report` (run just before by `make screenshots`) wrote it."""
    from helpers.run.loaders import demo_audit_id

    audit_id = demo_audit_id()
    report = Path(config.REPORTS) / audit_id / f"{audit_id}.html"
    if not report.exists():
        raise SystemExit("error: no demo report yet: run `make report` first")
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/screenshots.py")
    parser.add_argument("--out", default=str(config.PROJECT_ROOT / "docs" / "screenshots"))
    parser.add_argument("--reaudit", action="store_true", help="the demo report made with EARLIER=")
    args = parser.parse_args(argv)
    if chromium_path() is None:
        print(f"error: Chromium not found: {INSTALL_HINT}", file=sys.stderr)
        return 1
    report, out = board_report(), Path(args.out)
    if args.reaudit:
        shots = [screenshot(report, out / "first-screen-reaudit.png"),
                 screenshot(report, out / "since-last-audit.png", "section.since-last-audit")]
    else:
        shots = [screenshot(report, out / "first-screen.png"),
                 screenshot(report, out / "key-line-4-planning.png", "section.kloe >> nth=3"),
                 screenshot(report, out / "recommendations.png", "section#recommendations")]
    for shot in shots:
        print(f"screenshots: wrote {shot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
