"""Re-audit comparison (spec section 9): the Newcombe interval on a change, verdicts, comparison.csv,
which earlier audit, independence of the samples, and progress on the earlier recommendations."""
from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import confint_proportions_2indep

from conftest import spec_alpha, wilson_by_hand
from helpers.clean.pseudonym import case_ids
from helpers.errors import AuditInputError
from helpers.measures import MEASURE_IDS
from helpers.measures.comparison import (
    COMPARISON_COLUMNS,
    PROGRESS_COLUMNS,
    audit_name,
    check_earlier_before_current,
    comparison_summary,
    comparison_table,
    key_fingerprint,
    newcombe_difference,
    order_earlier_audits,
    overlap_checked,
    overlapping_cases,
    recommendation_progress,
    verdict,
    windows_overlap,
)
from helpers.run.outputs import write_csv


def newcombe_by_hand(x_c, n_c, x_e, n_e, population_c=None, population_e=None):
    """Spec section 9 written out, in percentage points."""
    p_c, p_e = x_c / n_c, x_e / n_e
    l_c, u_c = wilson_by_hand(x_c, n_c, population_c)
    l_e, u_e = wilson_by_hand(x_e, n_e, population_e)
    d = p_c - p_e
    return (100 * d, 100 * (d - math.sqrt((p_c - l_c) ** 2 + (u_e - p_e) ** 2)),
            100 * (d + math.sqrt((u_c - p_c) ** 2 + (p_e - l_e) ** 2)))


def one(x_c, n_c, x_e, n_e, population_c=None, population_e=None) -> pd.Series:
    frame = newcombe_difference(pd.Series([x_c]), pd.Series([n_c]), pd.Series([x_e]), pd.Series([n_e]),
                                population_c, population_e)
    return frame.iloc[0]


# --- the interval -------------------------------------------------------------

# Newcombe (1998), Statistics in Medicine 17: 873-890, Table II, method 10 (4 decimals, as published).
@pytest.mark.parametrize("x_c, n_c, x_e, n_e, lower, upper", [
    (56, 70, 48, 80, 0.0524, 0.3339), (9, 10, 3, 10, 0.1705, 0.8090), (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926), (0, 10, 0, 20, -0.1611, 0.2775), (0, 10, 0, 10, -0.2775, 0.2775),
    (10, 10, 0, 20, 0.6791, 1.0000), (10, 10, 0, 10, 0.6075, 1.0000)])
def test_newcombe_reproduces_the_published_examples(x_c, n_c, x_e, n_e, lower, upper):
    row = one(x_c, n_c, x_e, n_e)
    assert round(row["difference_ci_lower"] / 100, 4) == lower
    assert round(row["difference_ci_upper"] / 100, 4) == upper


@pytest.mark.parametrize("x_c, n_c, x_e, n_e, population_c, population_e", [
    (56, 70, 48, 80, None, None), (90, 100, 56, 80, 1000, 950), (90, 100, 56, 80, 1000, None),
    (90, 100, 56, 80, None, 950), (12, 12, 3, 40, 30, 45), (0, 5, 5, 5, 6, 6), (66, 99, 30, 79, 100, 80)])
def test_newcombe_matches_the_formula_by_hand(x_c, n_c, x_e, n_e, population_c, population_e):
    row = one(x_c, n_c, x_e, n_e, population_c, population_e)
    d, lower, upper = newcombe_by_hand(x_c, n_c, x_e, n_e, population_c, population_e)
    assert row["difference"] == pytest.approx(d, abs=1e-9)
    assert row["difference_ci_lower"] == pytest.approx(lower, abs=1e-6)
    assert row["difference_ci_upper"] == pytest.approx(upper, abs=1e-6)


def test_hand_computed_example_with_populations():
    # 90/100 of 1000 now, 56/80 of 950 then. n_eff = 100 x 999 / 900 = 111.0 and 80 x 949 / 870 = 87.264...
    # Wilson (z = 1.959964): now 83.01 to 94.31, then 59.71 to 78.60 (percent).
    # lower = 20 - sqrt(6.99^2 + 8.60^2) = 8.92, upper = 20 + sqrt(4.31^2 + 10.29^2) = 31.16.
    row = one(90, 100, 56, 80, 1000, 950)
    assert (round(row["ci_lower"], 2), round(row["ci_upper"], 2)) == (83.01, 94.31)
    assert (round(row["earlier_ci_lower"], 2), round(row["earlier_ci_upper"], 2)) == (59.71, 78.60)
    assert (round(row["difference_ci_lower"], 2), round(row["difference_ci_upper"], 2)) == (8.92, 31.16)


def test_each_audit_uses_its_own_population():
    both = one(90, 100, 56, 80, 1000, 950)
    swapped_populations = one(90, 100, 56, 80, 950, 1000)
    neither = one(90, 100, 56, 80)
    assert both["difference_ci_lower"] != pytest.approx(swapped_populations["difference_ci_lower"], abs=1e-6)
    # The finite population correction narrows each Wilson interval, so it narrows the difference's too.
    assert neither["difference_ci_lower"] < both["difference_ci_lower"]
    assert both["difference_ci_upper"] < neither["difference_ci_upper"]


@pytest.mark.parametrize("x_c, n_c, x_e, n_e", [(56, 70, 48, 80), (0, 10, 0, 20), (10, 10, 0, 20), (1, 3, 2, 3),
                                                (90, 100, 56, 80), (23, 100, 36, 80), (5, 11, 2, 8)])
def test_newcombe_agrees_with_statsmodels_without_population(x_c, n_c, x_e, n_e):
    row = one(x_c, n_c, x_e, n_e)
    low, upp = confint_proportions_2indep(x_c, n_c, x_e, n_e, method="newcomb", compare="diff", alpha=spec_alpha())
    assert row["difference_ci_lower"] / 100 == pytest.approx(low, abs=1e-9)
    assert row["difference_ci_upper"] / 100 == pytest.approx(upp, abs=1e-9)


def test_population_not_larger_than_the_sample_gives_no_correction():
    # N <= n: section 7 keeps n, so statsmodels' uncorrected interval applies.
    row = one(10, 10, 4, 12, 10, 5)
    low, upp = confint_proportions_2indep(10, 10, 4, 12, method="newcomb", compare="diff", alpha=spec_alpha())
    assert (row["difference_ci_lower"] / 100, row["difference_ci_upper"] / 100) == pytest.approx((low, upp))


@pytest.mark.parametrize("n_c, n_e", [(0, 10), (10, 0), (0, 0)])
def test_denominator_zero_on_either_side_leaves_the_difference_empty(n_c, n_e):
    row = one(0, n_c, 0, n_e, 100, 100)
    assert row[["difference", "difference_ci_lower", "difference_ci_upper"]].isna().all()


def test_vectorised_rows_are_independent():
    frame = newcombe_difference(pd.Series([56, 0, 9]), pd.Series([70, 0, 10]),
                                pd.Series([48, 3, 3]), pd.Series([80, 4, 10]))
    assert frame["difference_ci_lower"].isna().tolist() == [False, True, False]
    assert frame.loc[2, "difference_ci_lower"] == pytest.approx(one(9, 10, 3, 10)["difference_ci_lower"])


# --- verdicts -----------------------------------------------------------------

@pytest.mark.parametrize("lower, upper, expected", [
    (0.1, 5.0, "higher"), (1e-12, 5.0, "higher"), (0.0, 5.0, "no clear change"), (-0.1, 5.0, "no clear change"),
    (-5.0, -0.1, "lower"), (-5.0, 0.0, "no clear change"), (-5.0, -1e-12, "lower"),
    (np.nan, np.nan, "not comparable")])
def test_verdict_boundaries(lower, upper, expected):
    assert verdict(pd.Series([lower]), pd.Series([upper])).iloc[0] == expected


# --- comparison.csv -------------------------------------------------------------

def findings(counts: dict[str, tuple[int, int]] | None = None, default=(50, 100), drop=()) -> pd.DataFrame:
    counts = counts or {}
    rows = [(m, f"Label of {m}", *counts.get(m, default)) for m in MEASURE_IDS if m not in drop]
    return pd.DataFrame(rows, columns=["measure_id", "label", "numerator", "denominator"])


def test_comparison_table_has_the_spec_columns_and_every_measure_in_order():
    table = comparison_table(findings(), findings(), "Audit 2024", 1000, 950)
    assert list(table.columns) == COMPARISON_COLUMNS
    assert table["measure_id"].tolist() == list(MEASURE_IDS)
    assert (table["earlier_audit"] == "Audit 2024").all()
    assert (table["verdict"] == "no clear change").all()
    assert (table["difference"] == 0.0).all()


def test_comparison_table_rounds_outputs_but_not_the_verdict(tmp_path):
    # 3/20 now against 0/30 then: the lower bound is +0.03 points, shown as 0.0, and the verdict is higher.
    # 10/20 against 7/30: the lower bound is -0.02, shown as 0.0 (never "-0.0"), and there is no clear change.
    current = findings({"eha_completed": (3, 20), "plan_smart": (10, 20)})
    earlier = findings({"eha_completed": (0, 30), "plan_smart": (7, 30)})
    table = comparison_table(current, earlier, "Earlier", None, None).set_index("measure_id")
    assert table.loc["eha_completed", "difference_ci_lower"] == 0.0
    assert table.loc["eha_completed", "verdict"] == "higher"
    assert table.loc["plan_smart", "verdict"] == "no clear change"
    text = write_csv(table.reset_index(), tmp_path / "comparison.csv").read_text()
    assert "-0.0" not in text
    assert "\nplan_smart,Label of plan_smart,Earlier,7,30,23.3,10,20,50.0,26.7,0.0,49.8,no clear change\n" in text


def test_comparison_table_labels_come_from_the_current_run():
    earlier = findings().assign(label="an old label")
    assert comparison_table(findings(), earlier, "E", None, None)["label"].iloc[0] == "Label of eha_completed"


def test_denominator_zero_is_not_comparable_with_counts_kept(tmp_path):
    current = findings({"father_attended": (0, 0)})
    earlier = findings({"dissent_recorded": (0, 0)})
    table = comparison_table(current, earlier, "E", 1000, 950)
    rows = table.set_index("measure_id").loc[["father_attended", "dissent_recorded"]]
    assert (rows["verdict"] == "not comparable").all()
    assert rows[["difference", "difference_ci_lower", "difference_ci_upper"]].isna().all().all()
    lines = write_csv(table, tmp_path / "c.csv").read_text().splitlines()
    assert "dissent_recorded,Label of dissent_recorded,E,0,0,,50,100,50.0,,,,not comparable" in lines
    assert "father_attended,Label of father_attended,E,50,100,50.0,0,0,,,,,not comparable" in lines


def test_a_measure_the_earlier_workbook_lacks_is_not_comparable_with_empty_earlier_counts(tmp_path):
    # plan_smart: its column was missing from the earlier workbook; core_group_effective: absent from its findings.
    table = comparison_table(findings(default=(80, 100)), findings(drop=("core_group_effective",)), "E",
                             None, None, not_comparable_ids=["plan_smart"])
    lines = write_csv(table, tmp_path / "c.csv").read_text().splitlines()
    assert "plan_smart,Label of plan_smart,E,,,,80,100,80.0,,,,not comparable" in lines
    assert "core_group_effective,Label of core_group_effective,E,,,,80,100,80.0,,,,not comparable" in lines
    assert (table["verdict"] == "not comparable").sum() == 2
    assert table.loc[table["measure_id"] == "eha_completed", "verdict"].iloc[0] == "higher"


def test_comparison_summary_names_the_measures_per_verdict():
    current = findings({"eha_completed": (90, 100), "plan_smart": (10, 100), "father_attended": (0, 0)})
    table = comparison_table(current, findings(), "E", None, None)
    summary = comparison_summary(table)
    assert summary["higher"] == ["eha_completed"]
    assert summary["lower"] == ["plan_smart"]
    assert summary["not comparable"] == ["father_attended"]
    assert len(summary["no clear change"]) == len(MEASURE_IDS) - 3


def test_summary_of_several_earlier_audits_needs_the_one_named():
    table = pd.concat([comparison_table(findings({"eha_completed": (90, 100)}), findings(), name, None, None)
                       for name in ("Older", "Newer")])
    with pytest.raises(ValueError):
        comparison_summary(table)
    assert comparison_summary(table, "Newer")["higher"] == ["eha_completed"]


@pytest.mark.parametrize("title, expected", [
    ("Audit of conferences 2024", "Audit of conferences 2024"), (None, "last.xlsx"), ("  ", "last.xlsx"),
    ("Multi-agency audit of child protection conferences", "last.xlsx")])
def test_earlier_audit_is_named_by_title_else_file_name(title, expected):
    assert audit_name(title, "data/raw/last.xlsx") == expected


# --- which earlier audit ----------------------------------------------------------

def audit(name, end):
    return SimpleNamespace(name=name, window_end=None if end is None else pd.Timestamp(end))


def test_earlier_audits_are_ordered_by_window_end_oldest_first():
    given_order = [audit("b", "2025-03-31"), audit("a", "2024-03-31"), audit("c", "2024-09-30")]
    assert [a.name for a in order_earlier_audits(given_order)] == ["a", "c", "b"]


def test_equal_window_ends_keep_the_order_given():
    given_order = [audit("x", "2025-03-31"), audit("y", "2025-03-31")]
    assert [a.name for a in order_earlier_audits(given_order)] == ["x", "y"]


def test_without_every_window_end_the_order_given_is_most_recent_first():
    given_order = [audit("last", None), audit("before", "2024-03-31")]
    ordered = order_earlier_audits(given_order)
    assert [a.name for a in ordered] == ["before", "last"]
    assert ordered[-1].name == "last"  # the one the verdicts compare with


def test_order_takes_a_window_end_accessor():
    ordered = order_earlier_audits([("b", dt.date(2025, 1, 1)), ("a", dt.date(2024, 1, 1))], lambda a: a[1])
    assert [a[0] for a in ordered] == ["a", "b"]


def test_an_earlier_audit_ending_after_the_current_one_stops_the_run():
    with pytest.raises(AuditInputError) as error:
        check_earlier_before_current("next.xlsx", pd.Timestamp("2026-03-31"), "this.xlsx", pd.Timestamp("2025-09-30"))
    message = str(error.value)
    assert "\n" not in message
    assert "earlier audit next.xlsx" in message and "current audit this.xlsx" in message
    assert "31/03/2026" in message and "30/09/2025" in message and "ALLOW_LATER=1" in message


@pytest.mark.parametrize("earlier_end, current_end, allow_later", [
    ("2026-03-31", "2025-09-30", True), ("2025-09-30", "2025-09-30", False), ("2025-03-31", "2025-09-30", False),
    (None, "2025-09-30", False), ("2026-03-31", None, False)])
def test_earlier_windows_that_pass(earlier_end, current_end, allow_later):
    end = lambda d: None if d is None else pd.Timestamp(d)  # noqa: E731
    check_earlier_before_current("e.xlsx", end(earlier_end), "c.xlsx", end(current_end), allow_later)


@pytest.mark.parametrize("a, b, expected", [
    (("2024-10-01", "2025-03-31"), ("2025-04-01", "2025-09-30"), False),
    (("2024-10-01", "2025-04-01"), ("2025-04-01", "2025-09-30"), True),   # one shared day: both ends included
    (("2025-01-01", "2025-12-31"), ("2025-04-01", "2025-09-30"), True),
    (("2025-10-01", "2026-03-31"), ("2025-04-01", "2025-09-30"), False),
    ((None, "2025-05-01"), ("2025-04-01", "2025-09-30"), False)])        # not known: no overlap stated
def test_windows_overlap(a, b, expected):
    ts = [None if d is None else pd.Timestamp(d) for d in (*a, *b)]
    assert windows_overlap(*ts) is expected
    assert windows_overlap(ts[2], ts[3], ts[0], ts[1]) is expected


# --- independence -------------------------------------------------------------------

def test_overlapping_cases_counts_children_once():
    assert overlapping_cases(["a", "b", "c", "c", None], ["c", "d", "b", "b"]) == 2
    assert overlapping_cases([], ["a"]) == 0


def test_same_key_gives_the_same_ids_and_the_overlap_is_counted():
    key, other_key = bytes(range(32)), bytes(range(1, 33))
    current = case_ids(pd.Series(["SYN-0007", "SYN-0042", "SYN-0100"]), key)
    earlier_same = case_ids(pd.Series(["SYN-0042", "SYN-E001", "SYN-0007"]), key)
    earlier_other = case_ids(pd.Series(["SYN-0042", "SYN-E001", "SYN-0007"]), other_key)
    same = key_fingerprint(key) == key_fingerprint(key)
    assert overlapping_cases(current, earlier_same) == 2 and overlap_checked(2, same)
    different = key_fingerprint(key) == key_fingerprint(other_key)
    assert overlapping_cases(current, earlier_other) == 0 and not overlap_checked(0, different)


def test_key_fingerprint_is_short_stable_and_does_not_show_the_key():
    key = bytes(range(32))
    fingerprint = key_fingerprint(key)
    assert fingerprint == key_fingerprint(bytes(range(32))) != key_fingerprint(bytes(range(1, 33)))
    assert len(fingerprint) == 8 and int(fingerprint, 16) >= 0
    assert fingerprint not in key.hex()


@pytest.mark.parametrize("overlap, same_key, expected", [
    (0, True, True), (3, True, True), (0, False, False), (0, None, False), (2, None, True)])
def test_overlap_could_be_checked(overlap, same_key, expected):
    assert overlap_checked(overlap, same_key) is expected


# --- recommendations --------------------------------------------------------------

TODAY = dt.date(2026, 3, 1)


def progress_comparison() -> pd.DataFrame:
    current = findings({"eha_completed": (23, 100), "plan_linked_to_needs": (8997, 10000),
                        "plan_smart": (41, 98), "icpc_timely": (71, 100), "father_attended": (0, 0)})
    earlier = findings({"eha_completed": (36, 80), "plan_linked_to_needs": (56, 80), "icpc_timely": (36, 80)})
    return comparison_table(current, earlier, "Earlier audit", 1000, 950)


def recommendations(**columns) -> pd.DataFrame:
    base = {"recommendation": ["Early help", "Plans", "Timeliness", "Tool", "Fathers"],
            "measures": ["eha_completed", "plan_linked_to_needs; plan_smart", "icpc_within_15_working_days", "",
                         "father_attended"],
            "owner": ["Head of Early Help", "Principal Social Worker", "Chairs", "LSCP", ""],
            "due_date": ["2025-12-31", "2026-06-30", "2025-06-30", "2026-03-01", ""],
            "target": ["50", "90", "75", "", "40"],
            "status": ["In progress", "In progress", "Complete", "Not started", ""]}
    base.update(columns)
    return pd.DataFrame(base, dtype="string")


def test_recommendation_progress_rows_and_columns():
    progress = recommendation_progress(recommendations(), progress_comparison(), TODAY)
    assert list(progress.columns) == PROGRESS_COLUMNS
    assert progress["recommendation_number"].tolist() == [1, 2, 2, 3, 4, 5]
    assert progress["measure_id"].tolist()[:4] == ["eha_completed", "plan_linked_to_needs", "plan_smart",
                                                   "icpc_timely"]  # the old id read as its stable id
    assert pd.isna(progress["measure_id"].iloc[4])  # no measure named: one row, no evidence
    assert progress["verdict"].fillna("").tolist() == ["lower", "higher", "no clear change", "higher", "",
                                                       "not comparable"]
    first = progress.iloc[0]
    assert (first["earlier_percent"], first["percent"], first["owner"]) == (45.0, 23.0, "Head of Early Help")
    assert first["due_date"] == pd.Timestamp("2025-12-31")


def test_overdue_when_the_due_date_has_passed_and_not_complete():
    progress = recommendation_progress(recommendations(), progress_comparison(), TODAY)
    overdue = progress.drop_duplicates("recommendation_number")["overdue"].tolist()
    # past and in progress; future; past but complete; due today (not passed yet); no due date
    assert overdue == [True, False, False, False, False]


def test_complete_is_read_whatever_its_case_and_spacing():
    recs = recommendations(status=[" complete ", "COMPLETE", "Complete", "", None])
    progress = recommendation_progress(recs, progress_comparison(), dt.date(2030, 1, 1))
    assert progress.drop_duplicates("recommendation_number")["overdue"].tolist() == [False, False, False, True,
                                                                                     False]


def test_target_met_from_the_unrounded_current_percent():
    progress = recommendation_progress(recommendations(), progress_comparison(), TODAY)
    # eha 23% < 50: not met; plan linked 89.97% shows as 90.0 but is below 90: not met; plan_smart 41.8 < 90;
    # icpc 71 < 75; no target; father_attended: denominator 0, so not known.
    assert progress["target_met"].tolist()[:4] == [False, False, False, False]
    assert pd.isna(progress["target_met"].iloc[4]) and pd.isna(progress["target_met"].iloc[5])
    assert progress["percent"].iloc[1] == 90.0
    met = recommendation_progress(recommendations(target=["20", "89.9", "40", "", "0"]), progress_comparison(),
                                  TODAY)
    # The target applies to each measure named: plan_smart's 41.8% is still below 89.9.
    assert met["target_met"].tolist()[:4] == [True, True, False, True]


def test_recommendations_without_the_optional_columns_still_show_progress():
    older = recommendations()[["recommendation", "measures"]]
    progress = recommendation_progress(older, progress_comparison(), TODAY)
    assert list(progress.columns) == PROGRESS_COLUMNS
    assert not progress["overdue"].any()
    assert progress["owner"].isna().all() and progress["target"].isna().all() and progress["target_met"].isna().all()
    assert progress["verdict"].iloc[0] == "lower"


def test_no_recommendations_gives_an_empty_table():
    empty = pd.DataFrame({"recommendation": pd.Series(dtype="string"), "measures": pd.Series(dtype="string")})
    progress = recommendation_progress(empty, progress_comparison(), TODAY)
    assert progress.empty and list(progress.columns) == PROGRESS_COLUMNS


# --- properties -------------------------------------------------------------------

counts = st.integers(0, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))
populations = st.one_of(st.none(), st.integers(1, 3000))
# Many measures per example, as the table computes them: one vectorised call per direction.
measures = st.lists(st.tuples(counts, counts), min_size=1, max_size=30)


def columns(pairs):
    return [pd.Series([pair[side][k] for pair in pairs]) for side in (0, 1) for k in (0, 1)]


@settings(max_examples=100, deadline=None)
@given(measures, populations, populations)
def test_interval_contains_the_difference_and_swapping_audits_negates_it(pairs, pop_c, pop_e):
    x_c, n_c, x_e, n_e = columns(pairs)
    forward = newcombe_difference(x_c, n_c, x_e, n_e, pop_c, pop_e)
    backward = newcombe_difference(x_e, n_e, x_c, n_c, pop_e, pop_c)
    empty = (n_c == 0) | (n_e == 0)
    bounds = ["difference", "difference_ci_lower", "difference_ci_upper"]
    assert forward.loc[empty, bounds].isna().all().all()
    forward, backward = forward[~empty], backward[~empty]
    assert (forward["difference_ci_lower"] >= -100 - 1e-9).all()
    assert (forward["difference_ci_lower"] <= forward["difference"] + 1e-9).all()
    assert (forward["difference"] <= forward["difference_ci_upper"] + 1e-9).all()
    assert (forward["difference_ci_upper"] <= 100 + 1e-9).all()
    assert np.allclose(backward["difference_ci_lower"], -forward["difference_ci_upper"], rtol=0, atol=1e-9)
    assert np.allclose(backward["difference_ci_upper"], -forward["difference_ci_lower"], rtol=0, atol=1e-9)
    there = verdict(forward["difference_ci_lower"], forward["difference_ci_upper"])
    back = verdict(backward["difference_ci_lower"], backward["difference_ci_upper"])
    assert back.tolist() == there.replace({"higher": "lower", "lower": "higher"}).tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(counts, counts).filter(lambda pair: pair[0][1] > 0 and pair[1][1] > 0),
                min_size=1, max_size=30))
def test_agrees_with_statsmodels_everywhere_without_population(pairs):
    x_c, n_c, x_e, n_e = columns(pairs)
    frame = newcombe_difference(x_c, n_c, x_e, n_e)
    low, upp = confint_proportions_2indep(x_c.to_numpy(), n_c.to_numpy(), x_e.to_numpy(), n_e.to_numpy(),
                                          method="newcomb", compare="diff", alpha=spec_alpha())
    assert np.allclose(frame["difference_ci_lower"] / 100, low, rtol=0, atol=1e-9)
    assert np.allclose(frame["difference_ci_upper"] / 100, upp, rtol=0, atol=1e-9)
