"""Issue 22: what a pair of small samples can show, said plainly, and runs of audits in one direction."""
from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.measures.comparison import (
    FALLING,
    RISING,
    clear_change_margins,
    detectable_change,
    direction_runs,
    margin_counts_suffice,
    newcombe_difference,
    verdict,
)
from helpers.report import comparison_section as cs


def margins_of(numerator, denominator, earlier_numerator, earlier_denominator, population=None):
    limits = newcombe_difference(pd.Series([numerator]), pd.Series([denominator]), pd.Series([earlier_numerator]),
                                 pd.Series([earlier_denominator]), population, population)
    margins = clear_change_margins(limits["ci_lower"], limits["ci_upper"], limits["earlier_ci_lower"],
                                   limits["earlier_ci_upper"], limits["percent"], limits["earlier_percent"])
    return limits.iloc[0], margins.iloc[0]


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 150), st.integers(1, 150), st.data())
def test_a_change_is_clear_exactly_when_it_is_larger_than_its_margin(denominator, earlier_denominator, data):
    numerator = data.draw(st.integers(0, denominator))
    earlier_numerator = data.draw(st.integers(0, earlier_denominator))
    limits, margins = margins_of(numerator, denominator, earlier_numerator, earlier_denominator)
    said = verdict(pd.Series([limits["difference_ci_lower"]]), pd.Series([limits["difference_ci_upper"]])).iloc[0]
    assert (said == "higher") == (limits["difference"] > margins["rise"])
    assert (said == "lower") == (-limits["difference"] > margins["fall"])
    assert margins["smallest"] == min(margins["rise"], margins["fall"])


def test_about_100_cases_in_each_audit_tell_apart_only_changes_of_about_14_points():
    _, margins = margins_of(50, 100, 50, 100)
    assert 13.5 < margins["smallest"] < 14.5  # the example
    _, near_the_top = margins_of(95, 100, 95, 100)
    assert near_the_top["smallest"] < 9  # a measure near 100% needs a smaller change


def test_the_summary_of_margins_leaves_out_measures_with_small_counts():
    assert margin_counts_suffice(pd.Series([6, 5, 6, 50]), pd.Series([12, 40, 11, 100])).tolist() == \
        [True, False, False, True]
    margins = pd.DataFrame({"smallest": [10.0, 20.0, 30.0, float("nan")]})
    found = detectable_change(margins, pd.Series([True, True, False, True]))
    assert (found.typical, found.lowest, found.highest, found.measures) == (15.0, 10.0, 20.0, 2)
    assert detectable_change(margins, pd.Series([False] * 4)) is None


def test_runs_of_three_or_more_audits_in_one_direction():
    assert direction_runs([40, 50, 60]) == [(0, 2, RISING)]
    assert direction_runs([40, 50]) == []
    assert direction_runs([40, 50, 50, 60]) == []  # a tie ends a run
    assert direction_runs([70, 60, 50, 55, 60, 65]) == [(0, 2, FALLING), (2, 5, RISING)]
    assert direction_runs([40, None, 50, 60, 70]) == [(2, 4, RISING)]  # a missing (withheld) figure ends one


def rows_for(pairs, kloe="4 Planning"):
    """`latest_rows` for measures given as (now met, now assessed, then met, then assessed)."""
    frame = pd.DataFrame(pairs, columns=["numerator", "denominator", "earlier_numerator", "earlier_denominator"])
    limits = newcombe_difference(frame["numerator"], frame["denominator"], frame["earlier_numerator"],
                                 frame["earlier_denominator"])
    return frame.join(limits).assign(kloe=kloe, missing_column=False)


def test_the_sentence_says_how_large_a_change_the_two_audits_could_show():
    reaudit = {"audit": {"cases": 100}, "earlier": [{"name": "Last", "cases": 100, "window_start": "2024-10-01",
                                                      "window_end": "2025-03-31"}]}
    sentence = cs.detectable_change_sentence(rows_for([(50, 100, 50, 100), (93, 100, 90, 100)]), reaudit)
    assert sentence.startswith("No clear change does not mean no change. With about 100 cases in each audit, "
                               "only changes of about 11 points or more")
    assert "(from 8 to 14 points across the 2 key-line measures with enough cases" in sentence
    small = cs.detectable_change_sentence(rows_for([(3, 8, 2, 7)]), {**reaudit, "audit": {"cases": 8}})
    assert "8 cases in this audit and 100 in the audit of October 2024 to March 2025" in small
    assert "only very large changes" in small


def test_a_trend_marks_runs_only_on_figures_this_version_shows():
    series = pd.DataFrame({"order": [0, 1, 2, 0, 1, 2], "measure_id": ["a"] * 3 + ["b"] * 3,
                           "numerator": [40, 50, 60, 40, 50, 60], "denominator": [100] * 6})
    runs = cs.trend_runs(series.drop(index=4))  # b's middle audit withheld
    assert runs.to_dict("records") == [{"measure_id": "a", "first": 0, "last": 2, "direction": RISING}]


def test_the_trend_table_names_each_run_and_the_chart_draws_it():
    series = pd.DataFrame({"order": [0, 1, 2] * 2, "audit": ["to Mar 2024", "to Mar 2025", "This audit"] * 2,
                           "measure_id": ["plan_smart"] * 3 + ["icpc_timely"] * 3,
                           "label": ["Plan SMART"] * 3 + ["ICPC in time"] * 3,
                           "numerator": [40, 50, 60, 60, 50, 55], "denominator": [100] * 6})
    series = series.assign(percent=series["numerator"], ci_lower=series["numerator"] - 9.0,
                           ci_upper=series["numerator"] + 9.0)
    html = cs.trend_html(series, "board")
    assert "3 audits each higher than the one before: to Mar 2024, to Mar 2025, This audit" in html
    assert cs.RUN_NOTE.split(" (")[0] in html
    assert html.count("than the one before:") == 1  # icpc_timely fell, then rose: no run
