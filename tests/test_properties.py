"""Property tests: whatever the workbook, every raw row ends in exactly one outcome."""
from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CASE_COLUMNS, KEY, RETURN_COLUMNS, case_row, return_row, write_workbook
from helpers.clean import OUTCOMES, clean_raw_workbook, clean_workbook
from helpers.schema import AGENCY_RETURNS, CASES
from helpers.workbook import RawSheet, RawWorkbook

REFS = st.sampled_from(["A1", "a1 ", "A2", "B7", "C9", "", "  "])
DATES = st.sampled_from(["15/05/2025", "01/01/2025", "30/09/2025", "not known", "2025-10-01", "garbage", None])
AUDIT_DATES = st.sampled_from(["01/11/2025", "02/11/2025", None, "x"])
AGENCIES = st.sampled_from(["Police", "HV", "Health visitor", "CSC", "School", "Mystery agency", ""])


@st.composite
def case_rows(draw):
    if draw(st.integers(0, 9)) == 0:
        return {}
    return case_row(draw(REFS), icpc_date=draw(DATES), audit_date=draw(AUDIT_DATES),
                    plan_smart=draw(st.sampled_from(["Yes", "no", "maybe", None])))


@st.composite
def return_rows(draw):
    if draw(st.integers(0, 9)) == 0:
        return {}
    return return_row(draw(st.sampled_from(["A1", "A2", "B7", "ZZ", "", "c9"])), draw(AGENCIES),
                      attended=draw(st.sampled_from(["Yes", "apologies", None])))


def raw_sheet(name, rows, columns, sheet):
    frame = pd.DataFrame([[(row or {}).get(c) for c in columns] for row in rows], columns=columns, dtype="object")
    blank = frame.apply(lambda col: col.isna() | (col.astype("string").str.strip() == "")).all(axis=1) \
        if len(frame) else pd.Series(dtype=bool)
    for column in sheet.columns:
        if column.name not in frame:
            frame[column.name] = None
    return RawSheet(name, frame, pd.Series(range(2, 2 + len(frame))), blank.astype(bool))


def check_every_row_once(result, n_cases, n_returns):
    assert len(result.case_outcomes) == n_cases and len(result.return_outcomes) == n_returns
    assert result.case_outcomes.isin(OUTCOMES).all() and result.return_outcomes.isin(OUTCOMES).all()
    totals = result.reconciliation.groupby("sheet")["rows"].sum()
    assert totals["Cases"] == n_cases and totals["Agency returns"] == n_returns
    assert (result.case_outcomes == "included").sum() == len(result.cases)
    assert (result.return_outcomes == "included").sum() == len(result.agency_returns)
    assert result.cases["case_id"].is_unique
    assert not result.agency_returns.duplicated(["case_id", "agency"]).any()
    assert set(result.agency_returns["case_id"]) <= set(result.cases["case_id"])


@settings(max_examples=150, deadline=None)
@given(st.lists(case_rows(), max_size=12), st.lists(return_rows(), max_size=15), st.booleans())
def test_every_row_lands_in_exactly_one_outcome(cases, returns, with_window):
    audit = None
    if with_window:
        audit = raw_sheet("Audit", [{"field": "window_start", "value": "01/04/2025"},
                                    {"field": "window_end", "value": "30/09/2025"}], ["field", "value"],
                          type("S", (), {"columns": ()})())
    raw = RawWorkbook(None, raw_sheet("Cases", cases, CASE_COLUMNS, CASES),
                      raw_sheet("Agency returns", returns, RETURN_COLUMNS, AGENCY_RETURNS), audit, None)
    check_every_row_once(clean_raw_workbook(raw, KEY), len(cases), len(returns))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(case_rows(), max_size=8), st.lists(return_rows(), max_size=8))
def test_every_row_of_a_written_workbook_lands_in_exactly_one_outcome(tmp_path, cases, returns):
    path = write_workbook(tmp_path / "p.xlsx", cases, returns,
                          {"window_start": "01/04/2025", "window_end": "30/09/2025"})
    # Trailing empty rows are not rows of an .xlsx (nothing is stored for them).
    while cases and not cases[-1]:
        cases = cases[:-1]
    while returns and not returns[-1]:
        returns = returns[:-1]
    check_every_row_once(clean_workbook(path, KEY), len(cases), len(returns))
