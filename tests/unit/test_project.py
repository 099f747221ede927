"""The project's own promises: pinned environment, clean notebooks, data kept out of git."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT


def lock_versions() -> dict:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def test_environment_yml_pins_the_same_versions_as_the_lock_file():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = lock_versions()
    checked = 0
    for dependency in env["dependencies"]:
        entries = dependency["pip"] if isinstance(dependency, dict) else [dependency]
        for entry in entries:
            match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*={1,2}\s*([^\s=]+)", entry)
            if not match or match.group(1) == "python":
                continue
            name = match.group(1).lower().replace("_", "-")
            assert name in pins, f"{name} is in environment.yml but not requirements.lock"
            assert pins[name] == match.group(2), f"{name}: environment.yml {match.group(2)} != lock {pins[name]}"
            checked += 1
    assert checked >= 15


def test_every_top_level_requirement_is_pinned():
    pins = lock_versions()
    for line in (ROOT / "requirements.in").read_text().splitlines():
        name = line.split("#")[0].strip().lower()
        if name:
            assert name in pins, name


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs_and_take_parameters(notebook):
    # The committed copy: an analyst's working copy may hold outputs, which the nbstripout filter drops.
    committed = subprocess.run(["git", "show", f"HEAD:notebooks/{notebook.name}"], cwd=ROOT, capture_output=True,
                               text=True)
    content = json.loads(committed.stdout if committed.returncode == 0 else notebook.read_text())
    code = [c for c in content["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and not c.get("execution_count") for c in code)
    assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in code)
    assert content["metadata"]["kernelspec"]["name"] == "cp-conference-audit"


def test_data_and_reports_are_ignored_by_git():
    for path in ("data/raw/real.xlsx", "data/processed/cases.csv", "reports/board.html", "config/pseudonym.key",
                 "build/notebooks/01_clean.ipynb"):
        result = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
        assert result.returncode == 0, f"{path} is not ignored"
    for path in ("data/raw/README.md", "data/processed/README.md"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 1


def test_make_help_lists_the_user_targets():
    result = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True)
    for target in ("report", "test", "lab", "screenshots", "benchmark"):
        assert re.search(rf"make {target}\s+\S", result.stdout), target


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert readme.index("make report") < readme.index("make test") < 800


def test_docs_are_generated_from_the_declarations():
    from make_docs import DATA_DICTIONARY, DEFINITION_DOCS, GENERATED, INPUT_FORMAT, TARGET

    # The CP audit's three pages, and three for every other definition in audits/ (docs/audits/<name>/).
    assert {TARGET, INPUT_FORMAT, DATA_DICTIONARY} <= set(GENERATED)
    others = set(GENERATED) - {TARGET, INPUT_FORMAT, DATA_DICTIONARY}
    assert all(DEFINITION_DOCS in path.parents for path in others)
    assert len(others) == 3 * (len(list((ROOT / "audits").glob("*.yaml"))) - 1)
    for target, render in GENERATED.items():
        assert target.read_text() == render(), f"{target.name} is stale: run `python tools/make_docs.py`"


def test_code_passes_the_linter():
    folders = ["src", "tests", "benchmarks", "tools", "notebooks"]
    result = subprocess.run([sys.executable, "-m", "ruff", "check", *folders], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
