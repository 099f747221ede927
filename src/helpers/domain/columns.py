"""A workbook's sheets and columns as declared: by an audit definition (Cases, Agency returns) or by the
project (the Audit and Recommendations sheets every audit shares, domain/schema.py)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    personal: bool = False  # personal data: never leaves cleaning
    # The question the audit team answers in this column: the template's input message and the docs read it.
    question: str = ""
    # Ids of the measures this column feeds (a definition's columns: the measures whose rules read it).
    measures: tuple[str, ...] = ()
    # A grade column's scale, best first (the definition's grade_scales entry it names).
    scale: tuple[str, ...] = ()
    # The synthetic demo's weights of the column's answers, as (answer, weight) pairs; () for the generator's own.
    demo: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    required: bool = True

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)
