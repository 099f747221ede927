"""`python -m helpers COMMAND [options]`: every `make` target as a plain Python command, for machines without make.

    python -m helpers setup                       register the Jupyter kernel and the notebook-output git filter
    python -m helpers report [--raw PATH] [...]   clean, measure and report one audit (as `make report`)
    python -m helpers check [--raw PATH] [...]    for the audit team: every problem by row (as `make check`)
    python -m helpers template [--out PATH]       a blank workbook with drop-downs (as `make template`)
    python -m helpers demo                        the synthetic demo workbooks in data/raw (as `make demo`)
    python -m helpers clean-outputs [--audit ID]  remove one audit's outputs (as `make clean-outputs`)
    python -m helpers test [pytest options]       the test suite (as `make test`)
    python -m helpers lab [jupyter lab options]   JupyterLab on the project kernel (as `make lab`)

The Makefile's targets call these commands, so the two cannot drift. `report`, `check`, `template` and
`clean-outputs` hand their options unchanged to the modules behind them (`python -m helpers report --help` lists
them); an option not given is read from the `CPA_*` variable that make exports, as before.
Run it with the project environment's Python (`.venv/bin/python`, or `.venv\\Scripts\\python` on Windows).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable

from . import config
from .supported_python import problem

KERNEL_DISPLAY_NAME = "Python (cp-conference-audit)"
SETUP_HINT = "make .venv with one of them: py -3.11 -m venv .venv on Windows, python3.11 -m venv .venv elsewhere"
EXIT_USAGE = 2


# --- setup -------------------------------------------------------------------------------------------

def kernel_install_command() -> list[str]:
    """Register this environment's Python as the notebooks' kernel, inside the environment (--sys-prefix)."""
    return [sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", config.KERNEL_NAME,
            "--display-name", KERNEL_DISPLAY_NAME]


def git_filter_command() -> list[str]:
    """nbstripout as the repository's filter for notebooks (it writes this Python's path into .git/config)."""
    return [sys.executable, "-m", "nbstripout", "--install", "--attributes", ".gitattributes"]


def in_git_repository() -> bool:
    """A copy without git (a downloaded zip, a machine without git) has no repository to put a filter in."""
    try:
        found = subprocess.run(["git", "rev-parse", "--git-dir"], cwd=config.PROJECT_ROOT,
                               capture_output=True)
    except OSError:
        return False
    return found.returncode == 0


def setup(argv: list[str]) -> int:
    """Register the Jupyter kernel and the git filter that strips notebook outputs (after pip install)."""
    argparse.ArgumentParser(prog="python -m helpers setup", description=setup.__doc__).parse_args(argv)
    message = problem(sys.version_info, SETUP_HINT)
    if message:
        print(message, file=sys.stderr)
        return 1
    subprocess.run(kernel_install_command(), check=True, stdout=subprocess.DEVNULL)
    if in_git_repository():
        subprocess.run(git_filter_command(), cwd=config.PROJECT_ROOT, check=True)
    else:
        print("setup: no git repository here, so no notebook-output filter is installed", file=sys.stderr)
    print("setup: done")
    return 0


# --- the commands of the pipeline: options go through unchanged -----------------------------------

def report(argv: list[str]) -> int:
    from .run import pipeline

    return pipeline.main(["report", *argv])


def clean_outputs(argv: list[str]) -> int:
    from .run import pipeline

    return pipeline.main(["clean-outputs", *argv])


def check(argv: list[str]) -> int:
    from .run import check as check_module

    return check_module.main(argv)


def template(argv: list[str]) -> int:
    from .template.__main__ import main as template_main

    return template_main(argv)


def demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers demo", description="Write the synthetic demo "
                                     "workbooks (current and earlier audit) to data/raw.")
    parser.add_argument("--audit-definition", default=os.environ.get("CPA_AUDIT_DEFINITION", ""),
                        help="another audit's definition file: its demo, from its definition")
    args = parser.parse_args(argv)
    if args.audit_definition:
        return definition_demo(args.audit_definition)
    from .run import demo as demo_module

    # demo.main reads its arguments as sys.argv does, program name first.
    for arguments in (["demo"], ["demo", "--earlier"]):
        status = demo_module.main(arguments)
        if status:
            return status
    return 0


def definition_demo(path: str) -> int:
    """Another audit's synthetic demo and its earlier demo, generated from its definition (session B's generator)."""
    from .errors import AuditInputError
    from .run.pipeline import audit_definition, demo_path

    try:
        definition = audit_definition(path)
        if definition is None or definition.name == "cp-conferences":
            return demo([])
        from .run.demo_definition import write_definition_demo
    except AuditInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ImportError:
        print("error: no synthetic demo can be generated for another definition yet", file=sys.stderr)
        return 2
    current = demo_path(definition)
    earlier = current.with_name(current.name.replace("_demo_", "_demo_earlier_"))
    write_definition_demo(definition, current)
    write_definition_demo(definition, earlier, earlier=True)
    print(f"demo: wrote the SYNTHETIC demo workbook {current}")
    print(f"demo: wrote the SYNTHETIC earlier demo workbook {earlier}")
    return 0


# --- tools: their own processes, run from the project folder ------------------------------------------

def pytest_command(argv: list[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", *argv]


def run_tests(argv: list[str]) -> int:
    # From the project folder, where pyproject.toml names the tests and their import paths.
    return subprocess.run(pytest_command(argv), cwd=config.PROJECT_ROOT).returncode


def running_as_root() -> bool:
    # Windows has no user ids (and no root).
    return hasattr(os, "geteuid") and os.geteuid() == 0


def lab_command(argv: list[str]) -> list[str]:
    # JupyterLab refuses to start as root unless told to (containers, CI machines).
    as_root = ["--allow-root"] if running_as_root() else []
    return [sys.executable, "-m", "jupyterlab", f"--notebook-dir={config.PROJECT_ROOT}", *as_root, *argv]


def lab(argv: list[str]) -> int:
    return subprocess.run(lab_command(argv), cwd=config.PROJECT_ROOT).returncode


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "setup": setup, "report": report, "check": check, "template": template, "demo": demo,
    "clean-outputs": clean_outputs, "test": run_tests, "lab": lab,
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    command = COMMANDS.get(argv[0])
    if command is None:
        print(f"error: unknown command '{argv[0]}'; the commands are {', '.join(COMMANDS)} "
              "(python -m helpers --help)", file=sys.stderr)
        return EXIT_USAGE
    return command(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
