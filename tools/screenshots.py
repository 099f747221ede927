"""`make screenshots`: the report's summary and one key-line section, as a board member sees them."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from browser import INSTALL_HINT, chromium_path, screenshot
from helpers import config


def board_report() -> Path:
    """The board report the last `make report` wrote (listed in build/report.stamp)."""
    stamp = config.BUILD / "report.stamp"
    written = stamp.read_text().split() if stamp.exists() else []
    reports = [config.PROJECT_ROOT / p for p in written if p.endswith(".html") and not p.endswith("-published.html")]
    if not reports:
        raise SystemExit("error: no report yet: run `make report` first")
    return reports[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.screenshots")
    parser.add_argument("--out", default=str(config.PROJECT_ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    if chromium_path() is None:
        print(f"error: Chromium not found: {INSTALL_HINT}", file=sys.stderr)
        return 1
    report, out = board_report(), Path(args.out)
    shots = [screenshot(report, out / "summary.png", "xpath=//h2[.='Summary']/ancestor::div[contains(@class,'cell') or contains(@class,'jp-Cell')][1]"),
             screenshot(report, out / "key-line-4-planning.png", "section.kloe >> nth=3"),
             screenshot(report, out / "title.png")]
    for shot in shots:
        print(f"screenshots: wrote {shot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
