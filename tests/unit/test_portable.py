"""Nothing in the analysis path needs a Unix-only facility (issue 24): analysts run it on Windows laptops.

The source of src/helpers is read with `ast`, so comments never count, and each rule looks only where a
Unix-only use can be: a fork, a shell, a module Windows does not have, or a path with `/` written by hand.
Strings that merely contain a slash (URLs, MIME types, dates, "N/A", ratios such as f"{met}/{assessed}", the
member names of a zip archive, which the zip format writes with `/` on every system) are left alone.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from conftest import ROOT

SOURCE = ROOT / "src" / "helpers"

FORK_FUNCTIONS = {"fork", "forkpty"}
# The start methods multiprocessing offers only on Unix.
UNIX_START_METHODS = {"fork", "forkserver"}
START_METHOD_CALLS = {"get_context", "set_start_method"}
SHELL_CALLS = {("os", "system"), ("os", "popen"), ("subprocess", "getoutput"), ("subprocess", "getstatusoutput"),
               ("asyncio", "create_subprocess_shell")}
SHELLS = {"sh", "bash", "/bin/sh", "/bin/bash"}
UNIX_ONLY_MODULES = {"fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "posix", "syslog"}
# Calls whose arguments are file system paths.
PATH_CALLS = {"Path", "PurePath", "open", "joinpath", "makedirs", "mkdir", "listdir", "remove", "rename",
              "replace", "rmtree", "copy", "copy2", "copyfile", "copytree", "move", "exists", "isfile", "isdir",
              "join"}
# A whole string that is a relative path: folder/…/name, no spaces.
RELATIVE_PATH = re.compile(r"(?:[\w.-]+/)+[\w.-]*")
PROJECT_FOLDERS = {"benchmarks", "build", "config", "data", "docs", "notebooks", "reports", "src", "tests", "tools"}
PROJECT_SUFFIXES = {".py", ".ipynb", ".csv", ".json", ".xlsx", ".html", ".md", ".css", ".png", ".lock", ".toml",
                    ".yml", ".key", ".txt"}


def dotted_name(node: ast.AST) -> tuple[str, ...]:
    """`os.path.join` as ("os", "path", "join"); () for anything that is not a plain dotted name."""
    if isinstance(node, ast.Name):
        return (node.id,)
    if isinstance(node, ast.Attribute):
        inner = dotted_name(node.value)
        return inner + (node.attr,) if inner else ()
    return ()


def called_name(call: ast.Call) -> str:
    """The last part of what is called: `join` for os.path.join(...), `Path` for Path(...)."""
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def string_text(node: ast.AST) -> str | None:
    """The literal text of a string or f-string (its formatted parts left out), None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value for part in node.values if isinstance(part, ast.Constant))
    return None


def has_hand_made_separator(node: ast.AST) -> bool:
    text = string_text(node)
    return text is not None and "/" in text and "://" not in text


def looks_like_project_path(text: str) -> bool:
    """'data/processed', 'notebooks/01_clean.ipynb', 'report/charts.py': a path of this project, by its first
    folder or its file's suffix (zip members such as 'xl/workbook.xml' and MIME types such as 'text/html' are
    neither)."""
    if not RELATIVE_PATH.fullmatch(text):
        return False
    return text.split("/")[0] in PROJECT_FOLDERS or Path(text).suffix in PROJECT_SUFFIXES


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def f_string_parts(tree: ast.AST) -> set[int]:
    return {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}


def guards_a_platform(node: ast.AST) -> bool:
    """`try: import fcntl / except ImportError:` or `if sys.platform ...` / `if os.name ...`: the code has
    another way on Windows."""
    if isinstance(node, ast.Try):
        caught = [name for handler in node.handlers if handler.type is not None
                  for name in ast.walk(handler.type) if isinstance(name, ast.Name)]
        return any(name.id in ("ImportError", "ModuleNotFoundError") for name in caught)
    if isinstance(node, ast.If):
        return any(dotted_name(part) in (("sys", "platform"), ("os", "name")) for part in ast.walk(node.test))
    return False


def parents_of(tree: ast.AST) -> dict[int, ast.AST]:
    return {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def is_guarded(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    while id(node) in parents:
        node = parents[id(node)]
        if guards_a_platform(node):
            return True
    return False


def fork_use(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute) and dotted_name(node) in {("os", name) for name in FORK_FUNCTIONS}:
        return f"os.{node.attr} (Unix only)"
    if isinstance(node, ast.ImportFrom) and node.module == "os":
        forks = [alias.name for alias in node.names if alias.name in FORK_FUNCTIONS]
        if forks:
            return f"from os import {', '.join(forks)} (Unix only)"
    if isinstance(node, ast.Call) and called_name(node) in START_METHOD_CALLS:
        methods = [string_text(arg) for arg in [*node.args, *(k.value for k in node.keywords)]]
        unix = [method for method in methods if method in UNIX_START_METHODS]
        if unix:
            return f"multiprocessing's {unix[0]!r} start method (Unix only)"
    return None


def shell_use(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    for keyword in node.keywords:
        if keyword.arg == "shell" and not (isinstance(keyword.value, ast.Constant) and not keyword.value.value):
            return "shell=True (runs /bin/sh, or cmd.exe on Windows)"
    name = dotted_name(node.func)
    if name[-2:] in SHELL_CALLS:
        return f"{'.'.join(name)}() runs a shell"
    if node.args and isinstance(node.args[0], (ast.List, ast.Tuple)) and node.args[0].elts:
        program = string_text(node.args[0].elts[0])
        if program in SHELLS:
            return f"runs {program} (not on Windows)"
    return None


def unix_module_import(node: ast.AST, parents: dict[int, ast.AST]) -> str | None:
    if isinstance(node, ast.Import):
        modules = [alias.name.split(".")[0] for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        modules = [node.module.split(".")[0]]
    else:
        return None
    unix = [module for module in modules if module in UNIX_ONLY_MODULES]
    if unix and not is_guarded(node, parents):
        return f"import {unix[0]} (a Unix-only module, imported without a Windows alternative)"
    return None


def hand_made_path(node: ast.AST, skipped: set[int]) -> str | None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        for operand in (node.left, node.right):
            if has_hand_made_separator(operand):
                return f"path joined with '/' inside the string {string_text(operand)!r} (join the parts with /)"
    if isinstance(node, ast.Call) and called_name(node) in PATH_CALLS:
        for arg in node.args:
            if has_hand_made_separator(arg):
                return f"{called_name(node)}() given a path with '/' written in: {string_text(arg)!r}"
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
        if looks_like_project_path(node.value):
            return f"path with '/' written in a string: {node.value!r} (build it with pathlib)"
    return None


def unix_only_uses(source: str) -> list[tuple[int, str]]:
    """(line, what) for every Unix-only use in one module's source."""
    tree = ast.parse(source)
    parents = parents_of(tree)
    skipped = docstrings(tree) | f_string_parts(tree)
    found = set()
    for node in ast.walk(tree):
        for what in (fork_use(node), shell_use(node), unix_module_import(node, parents),
                     hand_made_path(node, skipped)):
            if what:
                found.add((node.lineno, what))
    return sorted(found)


def test_src_helpers_needs_no_unix_only_facility():
    offences = [f"{path.relative_to(ROOT).as_posix()}:{line}: {what}"
                for path in sorted(SOURCE.rglob("*.py")) for line, what in unix_only_uses(path.read_text())]
    assert not offences, "Unix-only code in src/helpers (issue 24):\n" + "\n".join(offences)


# --- the rules themselves: what they catch and what they leave alone -------------------------------------

@pytest.mark.parametrize("code", [
    "import os\npid = os.fork()",
    "from os import fork",
    "import multiprocessing\ncontext = multiprocessing.get_context('fork')",
    "import multiprocessing\nmultiprocessing.set_start_method(method='forkserver')",
    "import subprocess\nsubprocess.run('ls data', shell=True)",
    "import subprocess\nsubprocess.run(command, shell=use_shell)",
    "import os\nos.system('make report')",
    "import subprocess\nsubprocess.run(['bash', '-c', 'make report'])",
    "import fcntl",
    "from fcntl import flock",
    "if ready:\n    import pwd",
    "root / 'data/processed'",
    "root / f'{audit}/{name}'",
    "Path(f'{folder}/{name}.csv')",
    "open('build/run.lock')",
    "os.path.join(root, 'data/raw')",
    "FOLDER = 'data/processed'",
    "CODE = ('report/charts.py',)",
    "for entry in entries:\n    notebook = entry.startswith('notebooks/')",
], ids=lambda code: code.splitlines()[-1].strip())
def test_each_unix_only_use_is_found_with_its_line(code):
    # The last line is the offending one (a string in a path joined by / may be named twice).
    assert {line for line, _ in unix_only_uses(code)} == {len(code.splitlines())}


@pytest.mark.parametrize("code", [
    '"""Written to data/processed/<audit>/findings.csv by notebooks/01_clean.ipynb."""',
    "x = 1  # see data/processed/findings.csv",
    "URL = 'https://explore-education-statistics.service.gov.uk/find-statistics/x'",
    "MIME = 'text/html'",
    "label = f'{met}/{assessed}'",
    "date = when.strftime('%d/%m/%Y')",
    "MISSING = ('N/A', 'n/k', '#N/A')",
    "archive.read('xl/workbook.xml')",
    "path = target.lstrip('/') if target.startswith('/') else f'xl/{target}'",
    "hint = 'run notebooks/01_clean.ipynb or `make report` first'",
    "raise StageFailed(f'notebooks/{name} failed in cell {cell}')",
    "import subprocess\nsubprocess.run(['git', 'rev-parse'], shell=False)",
    "import multiprocessing\nmultiprocessing.get_context('spawn')",
    "try:\n    import fcntl\nexcept ImportError:\n    fcntl = None",
    "import sys\nif sys.platform != 'win32':\n    import fcntl",
    "path = config.BUILD / 'check' / f'{stem}-feedback.xlsx'",
])
def test_strings_that_only_contain_a_slash_are_left_alone(code):
    assert unix_only_uses(code) == []
