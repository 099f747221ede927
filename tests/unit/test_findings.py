"""The findings table: counts, percent, Wilson intervals with the finite population correction."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import spec_alpha
from conftest import wilson_by_hand as wilson_proportions
from helpers.measures import MEASURES
from helpers.measures.findings import FINDINGS_COLUMNS, effective_sample_size, findings_table, wilson_interval


def wilson_by_hand(x, n, population=None):
    """The spec's formula written out (conftest), in percent as findings.csv gives it."""
    lower, upper = wilson_proportions(x, n, population)
    return 100 * lower, 100 * upper


@pytest.mark.parametrize("x, n, population", [(90, 100, None), (90, 100, 1000), (0, 12, None), (12, 12, 40),
                                              (55, 100, 1000), (1, 3, None), (66, 99, 100), (5, 5, 5)])
def test_wilson_matches_the_formula(x, n, population):
    lower, upper = wilson_interval(pd.Series([x]), pd.Series([n]), population)
    expected = wilson_by_hand(x, n, population)
    assert lower.iloc[0] == pytest.approx(expected[0], abs=1e-6)
    assert upper.iloc[0] == pytest.approx(expected[1], abs=1e-6)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.one_of(st.none(), st.integers(1, 5000)))
@example((0, 7), None)      # the formula's lower bound is a rounding error below zero here: it must print 0.0
@example((0, 20), 383)
@example((12, 12), 40)
def test_wilson_gives_the_bounds_statsmodels_gives(xn, population):
    """statsmodels' Wilson interval, fed the alpha whose critical value is the spec's z, is the reference: the
    bounds agree to 1e-9 and print the same to one decimal place, sign included."""
    from statsmodels.stats.proportion import proportion_confint

    x, n = xn
    n_eff = effective_sample_size(pd.Series([float(n)]), population)
    low, high = proportion_confint(x / n * n_eff, n_eff, alpha=spec_alpha(), method="wilson")
    lower, upper = wilson_interval(pd.Series([x]), pd.Series([n]), population)
    for ours, reference in ((lower.iloc[0], 100 * low.iloc[0]), (upper.iloc[0], 100 * high.iloc[0])):
        assert ours == pytest.approx(reference, abs=1e-9)
        assert 0 <= ours <= 100 and f"{round(ours, 1):.1f}" == f"{round(reference, 1):.1f}"


def test_published_example_with_correction():
    lower, upper = wilson_interval(pd.Series([90]), pd.Series([100]), 1000)
    assert (round(lower.iloc[0], 1), round(upper.iloc[0], 1)) == (83.0, 94.3)


def test_no_correction_when_population_unknown_or_not_larger():
    n = pd.Series([10.0, 50.0])
    assert effective_sample_size(n, None).tolist() == [10.0, 50.0]
    assert effective_sample_size(n, 50).tolist() == [pytest.approx(10 * 49 / 40), 50.0]


def test_denominator_zero_gives_empty_percent_and_bounds():
    lower, upper = wilson_interval(pd.Series([0]), pd.Series([0]), 100)
    assert np.isnan(lower.iloc[0]) and np.isnan(upper.iloc[0])


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.one_of(st.none(), st.integers(1, 2000)))
def test_interval_contains_the_proportion_and_stays_in_range(xn, population):
    x, n = xn
    lower, upper = wilson_interval(pd.Series([x]), pd.Series([n]), population)
    if n == 0:
        assert np.isnan(lower.iloc[0])
        return
    p = 100 * x / n
    assert -1e-9 <= lower.iloc[0] <= p + 1e-9 and p - 1e-9 <= upper.iloc[0] <= 100 + 1e-9


def test_findings_table_counts_and_identity():
    statuses = pd.DataFrame({"case_id": ["a", "b", "c", "d"]})
    for m in MEASURES:
        statuses[m.id] = ["met", "not_met", "not_applicable", "not_recorded"]
    statuses["plan_smart"] = ["not_recorded"] * 4
    table = findings_table(statuses, population=None)
    assert list(table.columns) == FINDINGS_COLUMNS
    assert (table["denominator"] + table["not_applicable"] + table["not_recorded"] == 4).all()
    first = table.set_index("measure_id").loc["eha_completed"]
    assert (first["numerator"], first["denominator"], first["percent"]) == (1, 2, 50.0)
    smart = table.set_index("measure_id").loc["plan_smart"]
    assert smart["denominator"] == 0 and pd.isna(smart["percent"]) and pd.isna(smart["ci_lower"])


def test_labels_follow_the_thresholds_of_the_run():
    from helpers.measures import Parameters

    statuses = pd.DataFrame({"case_id": ["a"], **{m.id: ["met"] for m in MEASURES}})
    labels = findings_table(statuses, None, Parameters(icpc_working_days=20, core_group_working_days=5))
    labels = labels.set_index("measure_id")["label"]
    assert labels["icpc_timely"] == "ICPC within 20 working days of strategy discussion"
    assert labels["core_group_timely"] == "First core group within 5 working days"
    assert findings_table(statuses).set_index("measure_id").loc["icpc_timely", "label"] == \
        "ICPC within 15 working days of strategy discussion"
