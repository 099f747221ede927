"""Helpers for the multi-agency audit of child protection conferences.

Logic lives here as small, named, tested functions; the notebooks in ``notebooks/`` are the narrative that
calls them. ``helpers.audit(raw, params, earlier)`` is a whole run's analysis (see ``helpers.spine``).
"""
from __future__ import annotations


def __getattr__(name: str):
    # Imported on first use: `import helpers.run.manifest` (a no-op run) must not load pandas.
    if name in ("audit", "Audit", "Window"):
        from . import spine

        return getattr(spine, name)
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
