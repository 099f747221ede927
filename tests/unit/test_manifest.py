"""The manifest decides a no-op: inputs equal, every output present with its checksum, nothing else there."""
from __future__ import annotations

import json

import pytest

from helpers.run import manifest as manifest_module
from helpers.run.manifest import changed_input, manifest, output_checksums, read_manifest, why_rebuild, write_manifest

INPUTS = {"workbook": {"file": "a.xlsx", "sha256": "1"}, "earlier": [], "parameters": {"icpc_working_days": 15},
          "window": {"start": "", "end": ""}, "allow_later": False, "pseudonym_key": "k", "code": "c", "lock": "l"}


@pytest.fixture
def folders(tmp_path):
    processed, reports = tmp_path / "processed", tmp_path / "reports"
    (processed / "charts").mkdir(parents=True)
    reports.mkdir()
    (processed / "findings.csv").write_text("measure_id\n")
    (processed / "charts" / "summary.png").write_bytes(b"png")
    (reports / "a.html").write_text("<html>")
    roots = {"processed": processed, "reports": reports}
    write_manifest(processed, manifest(INPUTS, output_checksums(roots)))
    return roots


def test_outputs_that_verify_need_no_rebuild(folders):
    assert why_rebuild(read_manifest(folders["processed"]), INPUTS, folders) is None


def test_the_manifest_lists_every_output_but_itself(folders):
    recorded = read_manifest(folders["processed"])["outputs"]
    assert set(recorded) == {"processed/findings.csv", "processed/charts/summary.png", "reports/a.html"}


@pytest.mark.parametrize("damage, reason", [
    (lambda f: (f["processed"] / "findings.csv").write_text("edited\n"), "processed/findings.csv changed since"),
    (lambda f: (f["processed"] / "charts" / "summary.png").unlink(), "processed/charts/summary.png is missing"),
    (lambda f: (f["reports"] / "a.html").unlink(), "reports/a.html is missing"),
    (lambda f: (f["processed"] / "comparison.csv").write_text("x\n"), "processed/comparison.csv was not made by"),
])
def test_an_output_edited_deleted_or_added_by_hand_is_named(folders, damage, reason):
    damage(folders)
    assert why_rebuild(read_manifest(folders["processed"]), INPUTS, folders).startswith(reason)


def test_a_changed_parameter_is_named_with_both_values():
    changed = {**INPUTS, "parameters": {"icpc_working_days": 20}}
    assert changed_input(INPUTS, changed) == "ICPC_WORKING_DAYS changed (15 to 20)"
    assert changed_input(INPUTS, {**INPUTS, "earlier": [{"file": "b.xlsx", "sha256": "2"}]}).startswith("EARLIER")
    assert changed_input(INPUTS, {**INPUTS, "code": "other"}) == "the analysis code or notebooks changed"


@pytest.mark.parametrize("content", ["", "{not json", "[]", json.dumps({"inputs": INPUTS})])
def test_a_missing_or_unreadable_manifest_means_a_rebuild_never_a_crash(folders, content):
    (folders["processed"] / manifest_module.MANIFEST).write_text(content)
    assert read_manifest(folders["processed"]) == {}
    assert why_rebuild({}, INPUTS, folders) == "no complete outputs for these inputs yet"


def test_no_manifest_at_all(tmp_path):
    assert read_manifest(tmp_path) == {}


def test_the_no_op_path_imports_nothing_heavy():
    """A no-op `make report` stays well under a second: the command, the pipeline and the manifest load no
    pandas, matplotlib or notebook machinery (a run that has work to do imports them when it needs them)."""
    import subprocess
    import sys

    code = ("import sys, helpers.__main__, helpers.run.pipeline, helpers.run.manifest\n"
            "print(sorted(m for m in ('pandas', 'matplotlib', 'papermill', 'nbconvert') if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
