"""The settings a user may give `make`, checked by name before anything runs.

make silently ignores a variable nobody reads, so `make report icpc_working_days=20` or `ICPC_WORKING_DAY=20`
would run with the default. The Makefile passes the names given on its command line in CPA_GIVEN; each must
be one of these, spelled exactly.
"""
from __future__ import annotations

import difflib
import os

from ..domain.measures import Parameters
from ..errors import AuditInputError

RUN_SETTINGS = ("RAW", "EARLIER", "WINDOW_START", "WINDOW_END", "PUBLISH", "ALLOW_LATER", "AUDIT", "CONFIRM", "OUT",
                "AUDIT_DEFINITION")
THRESHOLDS = tuple(name.upper() for name in Parameters.__dataclass_fields__)
# make's own: which Python builds the environment, where, and what `make test` passes to pytest.
MAKE_SETTINGS = ("PYTHON", "VENV", "PYTEST_ARGS")
KNOWN_SETTINGS = RUN_SETTINGS + THRESHOLDS + MAKE_SETTINGS


def check_setting_names(given: list[str], parameters: tuple[str, ...] = ()) -> None:
    """Every name given must be a known setting, spelled exactly (upper case): else one line naming the closest.
    `parameters`: the names of the audit definition's own parameters (AUDIT_DEFINITION), in capitals."""
    known = KNOWN_SETTINGS + tuple(parameters)
    for name in given:
        if name in known:
            continue
        closest = difflib.get_close_matches(name.upper(), known, n=1, cutoff=0.6)
        problem = f"unknown setting '{name}'" + (f": did you mean {closest[0]}?" if closest else "")
        raise AuditInputError(problem, hint="nothing was run; `make help` lists the settings")


def check_given_settings() -> None:
    """The names make was given on its command line (CPA_GIVEN, space-separated), checked; the parameters of the
    definition given as AUDIT_DEFINITION are settings too (the definition is read and checked first)."""
    given = os.environ.get("CPA_GIVEN", "").split()
    path = os.environ.get("CPA_AUDIT_DEFINITION", "").strip()
    parameters: tuple[str, ...] = ()
    if path and any(name not in KNOWN_SETTINGS for name in given):
        from pathlib import Path

        from ..domain.definition import definition_at

        if Path(path).is_file():  # a missing file is the pipeline's one-line error
            parameters = tuple(name.upper() for name in definition_at(path).parameters)
    check_setting_names(given, parameters)
