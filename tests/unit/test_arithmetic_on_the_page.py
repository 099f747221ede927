"""Issue 22: wherever two percentages and their difference stand side by side, the reader's sum works.

The change printed equals the difference of the two percentages printed beside it (whole numbers in
prose, one decimal in tables); the verdict still comes from the unrounded figures (spec section 9).
"""
from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers.measures.comparison import newcombe_difference, verdict
from helpers.report import comparison_section as cs


@st.composite
def audit_pairs(draw):
    """Counts of one measure in two audits (both denominators above 0), with or without populations."""
    denominator = draw(st.integers(1, 150))
    earlier_denominator = draw(st.integers(1, 150))
    population = draw(st.one_of(st.none(), st.integers(150, 2000)))
    return (draw(st.integers(0, denominator)), denominator, draw(st.integers(0, earlier_denominator)),
            earlier_denominator, population)


def comparison_row(numerator, denominator, earlier_numerator, earlier_denominator, population) -> pd.DataFrame:
    """One measure's row as `latest_rows` gives it: both audits' counts, unrounded limits and the verdict."""
    limits = newcombe_difference(pd.Series([numerator]), pd.Series([denominator]), pd.Series([earlier_numerator]),
                                 pd.Series([earlier_denominator]), population, population)
    rows = pd.DataFrame({"measure_id": ["plan_smart"], "label": ["Plan SMART"], "kloe": ["4 Planning"],
                         "numerator": [numerator], "denominator": [denominator],
                         "earlier_numerator": [earlier_numerator], "earlier_denominator": [earlier_denominator],
                         "missing_column": [False]}).join(limits)
    rows["verdict"] = verdict(rows["difference_ci_lower"], rows["difference_ci_upper"]).astype(str)
    return rows


SENTENCE = re.compile(r": (\d+)% now against (\d+)%.*a change of ([-+]?\d+) points?")


@settings(max_examples=20, deadline=None)
@given(audit_pairs())
@example((63, 100, 62, 99, None))  # 63% against 63% (62.6%): the change printed is 0 points, not +1
@example((50, 68, 85, 100, None))  # 74% (73.5%) against 85%: the change printed is -11 points, not -12
def test_every_printed_change_is_the_difference_of_the_printed_percentages(pair):
    rows = comparison_row(*pair)
    row = rows.iloc[0]
    sentence = cs.change_sentence(row, "the audit of October 2024 to March 2025")
    now, then, change = (int(v) for v in SENTENCE.search(sentence).groups())
    assert change == now - then, sentence
    table = cs.shown_rows(rows, "board").iloc[0]
    assert Decimal(table["difference"]) == Decimal(table["percent"]) - Decimal(table["earlier_percent"]), table
    # The verdict is the unrounded one, and the words follow it.
    assert table["verdict"] == row["verdict"]
    if row["verdict"] == "no clear change":
        assert "no clear change" in sentence and "higher than" not in sentence and "lower than" not in sentence
    else:
        assert f"{row['verdict']} than in" in sentence


def test_the_issue_examples_now_add_up():
    first_core_group = cs.change_sentence(comparison_row(63, 100, 62, 99, None).iloc[0], "the last audit")
    assert "63% now against 63%" in first_core_group and "a change of 0 points" in first_core_group
    views = cs.change_sentence(comparison_row(50, 68, 85, 100, None).iloc[0], "the last audit")
    assert "74% now against 85%" in views and "a change of -11 points" in views
