"""Issue 20: workbooks written by real software, not only by openpyxl. Generated audits, as written and as
transformed by the spec's "changes nothing" rules (tests/metamorphic.py), are converted by LibreOffice
(`soffice --headless --convert-to`) to .xlsx, .ods and .xls; each converted file must give the original's
findings, reconciliation and data quality.

Without soffice these tests skip, saying why; with REQUIRE_SOFFICE=1 (CI, .ci/run) they fail instead.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from metamorphic import (
    TRANSFORMATIONS,
    assert_same_outputs,
    audit_outputs,
    audits,
    expected_outputs,
    transform,
    write_book,
)

pytestmark = pytest.mark.slow

# What the reader does not yet read the same from LibreOffice's .ods and .xls (found by this test; issue 20's
# note, which keeps the issue open for them): in .ods some value cosmetics and merged ranges; in .xls the stored
# text of formulas; in both, a case reference typed as a number with a custom format (`"CP-"0000`), whose format
# the reader does not see outside .xlsx. Those formats are converted without them; .xlsx with every rule.
NOT_YET_READ_THE_SAME = {"xlsx": set(), "ods": {"value_cosmetics", "merged_ranges", "numeric_references"},
                         "xls": {"formulas", "numeric_references"}}


@pytest.fixture(scope="module")
def soffice(tmp_path_factory) -> tuple[str, Path]:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("REQUIRE_SOFFICE") == "1":
            pytest.fail("REQUIRE_SOFFICE=1 but LibreOffice's soffice is not installed "
                        "(apt-get install libreoffice-calc-nogui)")
        pytest.skip("LibreOffice's soffice is not installed (sudo apt-get install libreoffice-calc-nogui); "
                    "CI installs it and requires it")
    # A profile of its own: another soffice running (yours, or another test run's) is never disturbed.
    return found, tmp_path_factory.mktemp("soffice-profile")


def convert(soffice: tuple[str, Path], files: list[Path], to: str, folder: Path) -> list[Path]:
    program, profile = soffice
    folder.mkdir(exist_ok=True)
    result = subprocess.run([program, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", to,
                             "--outdir", str(folder), *map(str, files)], capture_output=True, text=True, timeout=300)
    converted = [folder / f"{path.stem}.{to}" for path in files]
    assert result.returncode == 0 and all(p.exists() for p in converted), result.stderr
    return converted


@pytest.mark.parametrize("to", ["xlsx", "ods", "xls"])
@settings(deadline=None, max_examples=examples(dev=1, ci=3))
@given(book=audits(), data=st.data())
def test_workbooks_saved_by_libreoffice_give_the_same_outputs(soffice, tmp_path_factory, to, book, data):
    folder = tmp_path_factory.mktemp(f"libreoffice-{to}")
    original = write_book(book, folder / "original.xlsx")
    baseline = audit_outputs(original)
    rules = set(TRANSFORMATIONS) - NOT_YET_READ_THE_SAME[to]
    changed, expected = transform(book, data.draw(st.sets(st.sampled_from(sorted(rules)), min_size=1)), data.draw)
    transformed = write_book(changed, folder / "transformed.xlsx")
    saved_original, saved_transformed = convert(soffice, [original, transformed], to, folder / to)
    assert_same_outputs(audit_outputs(saved_original), baseline)
    assert_same_outputs(audit_outputs(saved_transformed), expected_outputs(baseline, expected))
