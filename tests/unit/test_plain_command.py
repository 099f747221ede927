"""`python -m helpers COMMAND`, the Makefile that calls it, and the Pythons the project accepts (issue 24)."""
from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import tomllib

import pytest
from packaging.specifiers import SpecifierSet

import helpers.__main__ as command
from conftest import ROOT, as_a_user_runs_make
from helpers import config
from helpers.supported_python import MAKE_HINT, SUPPORTED, problem


def run_make(*args: str) -> subprocess.CompletedProcess:
    """make as a user runs it, whatever make runs this test."""
    return subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, env=as_a_user_runs_make(os.environ),
                          capture_output=True, text=True, timeout=120)


# --- supported Pythons -------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [(3, 11, 7), (3, 12, 1), (3, 13, 0)])
def test_a_supported_python_has_no_problem(version):
    assert problem(version, MAKE_HINT) is None


@pytest.mark.parametrize("version", [(2, 7, 18), (3, 10, 13), (3, 14, 0)])
def test_an_unsupported_python_gets_one_line_naming_the_versions_that_work(version):
    message = problem(version, MAKE_HINT)
    assert message == (f"error: Python {version[0]}.{version[1]} found; this project needs Python 3.11, 3.12 or "
                       "3.13 (give PYTHON=python3.11, for example)")


def test_the_supported_versions_are_those_pyproject_requires():
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    accepted = {(3, minor) for minor in range(0, 20) if f"3.{minor}" in SpecifierSet(requires)}
    assert accepted == set(SUPPORTED)


def pretend_python(folder, version: str):
    """An executable that runs the real Python but reports `version`, and logs each way it is called."""
    calls = folder / "calls.log"
    script = folder / f"python{version}"
    major, minor = version.split(".")
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{calls}"\n'
        f'exec "{sys.executable}" -c "import runpy, sys; sys.version_info = ({major}, {minor}, 0); '
        'sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name=\'__main__\')" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, calls


@pytest.mark.parametrize("target", ["report", "setup"])
def test_make_stops_an_older_python_before_anything_is_installed(tmp_path, target):
    python, calls = pretend_python(tmp_path, "3.10")
    venv = tmp_path / "venv"
    result = run_make(target, f"PYTHON={python}", f"VENV={venv}")
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == ("error: Python 3.10 found; this project needs Python 3.11, 3.12 or "
                                             "3.13 (give PYTHON=python3.11, for example)")
    assert "setup: creating" not in result.stdout
    # It was asked only for its version: no venv, no pip.
    assert calls.read_text().splitlines() == ["src/helpers/supported_python.py"]
    assert not venv.exists()


# --- python -m helpers -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, module, given, passed", [
    ("report", "helpers.run.pipeline", ["--raw", "a b.xlsx", "--icpc-working-days", "20"],
     ["report", "--raw", "a b.xlsx", "--icpc-working-days", "20"]),
    ("clean-outputs", "helpers.run.pipeline", ["--audit", "x"], ["clean-outputs", "--audit", "x"]),
    ("check", "helpers.run.check", ["--raw", "C:\\audits\\it's.xlsx"], ["--raw", "C:\\audits\\it's.xlsx"]),
    ("template", "helpers.template.__main__", ["--out", "blank.xlsx"], ["--out", "blank.xlsx"]),
])
def test_commands_pass_their_options_unchanged_to_the_entry_point(monkeypatch, name, module, given, passed):
    import importlib

    received = []
    monkeypatch.setattr(importlib.import_module(module), "main", lambda argv: received.append(argv) or 3)
    assert command.main([name, *given]) == 3
    assert received == [passed]


def test_an_unknown_command_is_one_line_and_exit_2(capsys):
    assert command.main(["reprot"]) == 2
    error = capsys.readouterr().err.splitlines()
    assert len(error) == 1 and "'reprot'" in error[0] and "report" in error[0]


def test_no_command_prints_the_commands(capsys):
    assert command.main([]) == 0
    shown = capsys.readouterr().out
    assert all(f"python -m helpers {name}" in shown for name in command.COMMANDS)


def test_tools_run_with_this_python_and_no_shell():
    kernel = command.kernel_install_command()
    assert kernel[:4] == [sys.executable, "-m", "ipykernel", "install"]
    assert kernel[-3:] == [config.KERNEL_NAME, "--display-name", "Python (cp-conference-audit)"]
    assert command.git_filter_command()[:3] == [sys.executable, "-m", "nbstripout"]
    assert command.pytest_command(["-m", "not slow"]) == [sys.executable, "-m", "pytest", "-m", "not slow"]


def test_lab_allows_root_only_when_run_as_root(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0, raising=False)
    assert "--allow-root" in command.lab_command([])
    monkeypatch.setattr(os, "geteuid", lambda: 1000, raising=False)
    assert "--allow-root" not in command.lab_command([])
    monkeypatch.delattr(os, "geteuid", raising=False)  # Windows
    assert command.lab_command(["--port", "9999"]) == [sys.executable, "-m", "jupyterlab",
                                                       f"--notebook-dir={config.PROJECT_ROOT}", "--port", "9999"]


def test_setup_refuses_an_unsupported_python_before_registering_anything(monkeypatch, capsys):
    monkeypatch.setattr(sys, "version_info", (3, 10, 13))
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail(f"ran {a}"))
    assert command.main(["setup"]) == 1
    assert capsys.readouterr().err.startswith("error: Python 3.10 found; this project needs Python 3.11, 3.12")


# --- the Makefile calls the same commands ---------------------------------------------------------------

@pytest.mark.parametrize("target", ["report", "check", "template", "demo", "clean-outputs", "test", "lab"])
def test_each_make_target_runs_its_plain_command(target):
    venv = sys.prefix  # an environment that exists, so make prints only the target's own command
    result = run_make("--dry-run", target, f"VENV={venv}")
    own = result.stdout.splitlines()[-1]
    assert re.fullmatch(rf"{re.escape(venv)}/bin/python -m helpers {target}\s*", own), result.stdout


def test_make_setup_ends_with_the_plain_setup():
    makefile = (ROOT / "Makefile").read_text()
    stamp_recipe = makefile.split("$(VENV_STAMP): requirements.lock pyproject.toml\n")[1].split("\n\n")[0]
    assert "@$(PY) -m helpers setup" in stamp_recipe
    assert "ipykernel install" not in makefile and "nbstripout --install" not in makefile


def test_make_passes_pytest_options_to_the_plain_test_command():
    result = run_make("--dry-run", "test", f"VENV={sys.prefix}", 'PYTEST_ARGS=-m "not slow"')
    assert result.stdout.splitlines()[-1] == f'{sys.prefix}/bin/python -m helpers test -m "not slow"'


def test_ci_runs_the_quick_suite_on_the_newest_supported_python_in_its_own_ignored_environment():
    newest = "%d.%d" % SUPPORTED[-1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert f"python{newest}" in ci and f"sys.version_info[:2] == {SUPPORTED[-1]}" in ci
    assert f"VENV=.venv-{newest} PYTEST_ARGS='-m \"not slow\"'" in ci
    assert subprocess.run(["git", "check-ignore", "-q", f".venv-{newest}/bin/python"], cwd=ROOT).returncode == 0
