"""Disclosure control for the published version (DfE convention).

Counts of 1 to 5 are shown as `c`, with secondary suppression so that no
suppressed count can be recovered from a row (met + not met = assessed) or
from a column total published elsewhere; no percentage on fewer than 10
cases. `z` marks not applicable (nothing to measure).
"""
from __future__ import annotations

import pandas as pd

# DfE symbols: the only place they are spelled.
SUPPRESSED = "c"
NOT_APPLICABLE_SYMBOL = "z"
NOT_AVAILABLE = "x"
WITHHELD_OR_NONE = (SUPPRESSED, NOT_APPLICABLE_SYMBOL)
SMALLEST_SHOWN = 6
SMALLEST_PERCENT_BASE = 10
FOOTNOTE = ("c = a count of 1 to 5, or a figure from which one could be worked out, withheld to protect "
            "children's identities; z = not applicable (no case to measure); x = not available. "
            "No percentage is shown for fewer than 10 cases.")


def one_decimal(values: pd.Series) -> pd.Series:
    """Percentages as text to one decimal place; nothing to measure is `z`."""
    return values.map(lambda v: f"{v:.1f}", na_action="ignore").astype(object).fillna(NOT_APPLICABLE_SYMBOL)


def small_count_shown(counts: pd.Series) -> pd.Series:
    """Counts as text with the small ones (1 to 5) withheld, for a list whose total is not published."""
    return counts.astype(int).astype(str).where(~_small(counts), SUPPRESSED)


def _small(values: pd.Series) -> pd.Series:
    return (values >= 1) & (values < SMALLEST_SHOWN)


def suppression_mask(table: pd.DataFrame, count_columns: list[str], pairs: list[tuple[str, str]] = (),
                     column_totals: bool = True) -> pd.DataFrame:
    """Which count cells to withhold.

    `pairs` are (part, whole) columns in one row, such as (met, assessed): a
    part is withheld when it or its complement (whole - part) is 1 to 5, or
    when its whole is withheld. Then, where a column's total is published
    elsewhere (`column_totals`: the rows are groups of one whole), a lone
    withheld cell is joined by the smallest other non-zero cell so that the
    total cannot give it away.
    """
    counts = table[count_columns].astype(int)
    mask = counts.apply(_small)
    changed = True
    while changed:
        before = mask.copy()
        for part, whole in pairs:
            complement_small = _small(counts[whole] - counts[part])
            mask[part] |= complement_small | mask[whole]
            # A withheld whole with its part shown (or the reverse) still gives the complement only.
        for column in count_columns if column_totals else ():
            withheld = mask[column]
            if withheld.sum() == 1:
                candidates = counts.loc[~withheld & (counts[column] > 0), column]
                if not candidates.empty:
                    mask.loc[candidates.idxmin(), column] = True
        changed = not mask.equals(before)
    return mask


def apply_suppression(table: pd.DataFrame, count_columns: list[str], pairs: list[tuple[str, str]] = (),
                      percent_columns: dict[str, tuple[str, str]] | None = None,
                      column_totals: bool = True) -> pd.DataFrame:
    """The table as text for publication: withheld counts as `c`, percentages withheld as `c`.

    `percent_columns` maps a percent (or interval) column to its (part, whole) counts.
    """
    mask = suppression_mask(table, count_columns, pairs, column_totals)
    shown = table.astype(object).copy()
    for column in count_columns:
        shown[column] = table[column].astype(int).astype(str).where(~mask[column], SUPPRESSED)
    for column, (part, whole) in (percent_columns or {}).items():
        hide = mask[part] | mask[whole] | (table[whole] < SMALLEST_PERCENT_BASE)
        shown[column] = (one_decimal(table[column]).where(~hide, SUPPRESSED)
                         .where(table[whole] > 0, NOT_APPLICABLE_SYMBOL))
    return shown
