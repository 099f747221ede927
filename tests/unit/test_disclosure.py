"""Disclosure control: small counts withheld, and not recoverable from rows or column totals."""
from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.report.disclosure import apply_suppression, suppression_mask


def recoverable(table, mask, count_columns, pairs):
    """Try to back-calculate: a lone withheld cell in a column (total known), or a small complement in a row."""
    for column in count_columns:
        if mask[column].sum() == 1:
            return True
    for part, whole in pairs:
        shown = ~mask[part] & ~mask[whole]
        complement = table[whole] - table[part]
        if ((complement >= 1) & (complement <= 5) & shown).any():
            return True
        # a withheld part with its whole shown is only safe when the complement is hidden too
    return False


def test_primary_and_secondary_suppression():
    table = pd.DataFrame({"group": ["A", "B", "C", "D"], "met": [3, 20, 30, 40], "assessed": [10, 40, 50, 44]})
    mask = suppression_mask(table, ["met", "assessed"], [("met", "assessed")])
    # A is 3; D's not-met complement (44 - 40) is 4: two withheld, so the column total gives neither away.
    assert mask["met"].tolist() == [True, False, False, True]
    assert not recoverable(table, mask, ["met", "assessed"], [("met", "assessed")])
    lone = table.iloc[:3]
    mask = suppression_mask(lone, ["met", "assessed"], [("met", "assessed")])
    assert mask["met"].tolist() == [True, True, False]  # B, the next smallest, joins A
    assert not recoverable(lone, mask, ["met", "assessed"], [("met", "assessed")])


def test_zero_is_shown_and_percent_needs_ten_cases():
    table = pd.DataFrame({"met": [0, 8], "assessed": [6, 9], "percent": [0.0, 88.9]})
    shown = apply_suppression(table, ["met", "assessed"], [("met", "assessed")], {"percent": ("met", "assessed")})
    assert shown["percent"].tolist() == ["c", "c"]
    assert shown.loc[0, "met"] == "0"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), min_size=1, max_size=8))
def test_nothing_withheld_can_be_worked_out(rows):
    table = pd.DataFrame([(min(a, b), max(a, b)) for a, b in rows], columns=["met", "assessed"])
    mask = suppression_mask(table, ["met", "assessed"], [("met", "assessed")])
    assert ((table[["met", "assessed"]] >= 1) & (table[["met", "assessed"]] <= 5) <= mask).all().all()
    # A column with one withheld cell would give it away through the column total.
    for column in ("met", "assessed"):
        nonzero_shown = (~mask[column] & (table[column] > 0)).sum()
        assert mask[column].sum() != 1 or nonzero_shown == 0
