"""The Pythons the project runs on, checked before anything is installed.

`make setup` runs this file with the Python it is about to build the environment from
(`python3.10 src/helpers/supported_python.py`), so that an unsupported one stops with one line before pip
starts. It therefore has to run on any Python, including ones the project does not support: no f-strings, no
annotations, no imports from the project. pyproject.toml's requires-python says the same (a test checks).
"""
import sys

SUPPORTED = ((3, 11), (3, 12), (3, 13))
MAKE_HINT = "give PYTHON=python3.11, for example"


def listed(versions):
    """(3, 11), (3, 12), (3, 13) as '3.11, 3.12 or 3.13'."""
    names = ["%d.%d" % version for version in versions]
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def problem(version, hint):
    """The one-line error for a Python the project does not support, or None for a supported one."""
    found = tuple(version[:2])
    if found in SUPPORTED:
        return None
    return "error: Python %d.%d found; this project needs Python %s (%s)" % (found + (listed(SUPPORTED), hint))


def main():
    message = problem(sys.version_info, MAKE_HINT)
    if message:
        sys.stderr.write(message + "\n")  # print() with file= is a syntax error on Python 2
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
