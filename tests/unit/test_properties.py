"""Property tests: whatever the workbook, every raw row ends in exactly one outcome."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CASE_COLUMNS, KEY, RETURN_COLUMNS, case_row, damage_workbook, examples, return_row, write_workbook
from helpers.clean.cleaning import OUTCOMES, clean_raw_workbook, clean_workbook
from helpers.domain.schema import AGENCY_RETURNS, CASES
from helpers.errors import AuditInputError
from helpers.read.workbook import RawSheet, RawWorkbook

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


def clean_or_no_case(clean, *args):
    """Clean, or the one-line error of a workbook whose cases are all excluded (there is no zero-case report)."""
    try:
        return clean(*args)
    except AuditInputError as error:
        message = str(error)
        assert "\n" not in message and "sheet 'Cases'" in message
        assert "no case can be analysed" in message or "no case rows" in message
        return None


def check_every_row_once(result, n_cases, n_returns):
    if result is None:
        return
    assert len(result.case_outcomes) == n_cases and len(result.return_outcomes) == n_returns
    assert result.case_outcomes.isin(OUTCOMES).all() and result.return_outcomes.isin(OUTCOMES).all()
    totals = result.reconciliation.groupby("sheet")["rows"].sum()
    assert totals["Cases"] == n_cases and totals["Agency returns"] == n_returns
    assert (result.case_outcomes == "included").sum() == len(result.cases)
    assert (result.return_outcomes == "included").sum() == len(result.agency_returns)
    assert result.cases["case_id"].is_unique
    assert not result.agency_returns.duplicated(["case_id", "agency"]).any()
    assert set(result.agency_returns["case_id"]) <= set(result.cases["case_id"])


@settings(max_examples=examples(dev=25, ci=80), deadline=None)
@given(st.lists(case_rows(), max_size=12), st.lists(return_rows(), max_size=15), st.booleans())
def test_every_row_lands_in_exactly_one_outcome(cases, returns, with_window):
    audit = None
    if with_window:
        audit = raw_sheet("Audit", [{"field": "window_start", "value": "01/04/2025"},
                                    {"field": "window_end", "value": "30/09/2025"}], ["field", "value"],
                          type("S", (), {"columns": ()})())
    raw = RawWorkbook(None, raw_sheet("Cases", cases, CASE_COLUMNS, CASES),
                      raw_sheet("Agency returns", returns, RETURN_COLUMNS, AGENCY_RETURNS), audit, None)
    check_every_row_once(clean_or_no_case(clean_raw_workbook, raw, KEY), len(cases), len(returns))


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
    check_every_row_once(clean_or_no_case(clean_workbook, path, KEY), len(cases), len(returns))


ANY_CELL = st.one_of(st.none(), st.text(max_size=12), st.integers(-5, 50000), st.booleans(),
                     st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
                     st.sampled_from(["Yes", "N/A", "partly", "PN3", "#N/A", "3rd May 2025", "RI", "apologies"]))


@st.composite
def wild_case(draw):
    row = case_row(draw(REFS))
    for column in ("icpc_date", "strategy_discussion_date", "first_core_group_date", "plan_smart", "father_invited",
                   "child_participation", "recording_quality", "drift_delay_identified", "date_of_birth"):
        if draw(st.booleans()):
            row[column] = draw(ANY_CELL)
    return row


@st.composite
def wild_return(draw):
    row = return_row(draw(st.sampled_from(["A1", "A2", "B7", "ZZ"])), draw(AGENCIES))
    for column in ("attended", "report_submitted", "report_shared_date", "agreed_with_decision"):
        if draw(st.booleans()):
            row[column] = draw(ANY_CELL)
    return row


@settings(max_examples=examples(dev=30, ci=100), deadline=None)
@given(st.lists(wild_case(), max_size=10), st.lists(wild_return(), max_size=12))
def test_any_values_give_every_case_exactly_one_status_on_every_measure(cases, returns):
    from helpers.measures import Parameters
    from helpers.measures.findings import findings_table
    from helpers.measures.statuses import measure_statuses

    def stringify(rows):
        # Cells arrive as text from the reader (cell_to_text): emulate it for generated values.
        from helpers.read.workbook import cell_to_text
        return [{k: cell_to_text(v) for k, v in row.items()} for row in rows]

    raw = RawWorkbook(None, raw_sheet("Cases", stringify(cases), CASE_COLUMNS, CASES),
                      raw_sheet("Agency returns", stringify(returns), RETURN_COLUMNS, AGENCY_RETURNS), None, None)
    result = clean_or_no_case(clean_raw_workbook, raw, KEY)
    check_every_row_once(result, len(cases), len(returns))
    if result is None:
        return
    findings = findings_table(measure_statuses(result.cases, result.agency_returns, Parameters()), None)
    assert (findings["denominator"] + findings["not_applicable"] + findings["not_recorded"] == len(result.cases)).all()
    assert ((findings["numerator"] <= findings["denominator"]) & (findings["numerator"] >= 0)).all()


# --- realistic damage (issue 8): the same numbers as the clean workbook, or one line -------------

VALID_REFS = ["100001", "100002", "100003", "100004", "100005"]


@st.composite
def valid_audit(draw):
    """A small valid workbook: cases with numeric-looking refs (some duplicated) and their returns in runs."""
    refs = draw(st.lists(st.sampled_from(VALID_REFS), min_size=1, max_size=5))
    cases = [case_row(ref, plan_smart=draw(st.sampled_from(["Yes", "No", "Partly"])),
                      icpc_date=draw(st.sampled_from(["15/05/2025", "01/01/2025"])),
                      audit_date=draw(st.sampled_from(["01/11/2025", "02/11/2025"])))
             for ref in refs]
    returns = [return_row(ref, agency, attended=draw(st.sampled_from(["Yes", "No"])))
               for ref in dict.fromkeys(refs) for agency in draw(st.sets(st.sampled_from(
                   ["Children's social care", "Police", "Health visitor", "School"]), min_size=1))]
    return cases, returns


DAMAGE = st.fixed_dictionaries({"merge_refs": st.booleans(), "format_bottom": st.booleans(),
                                "title_rows": st.integers(0, 4), "pad_refs": st.booleans()})


def comparable(cleaned) -> tuple:
    return (cleaned.reconciliation.to_csv(), cleaned.cases.drop(columns="case_id").to_csv(),
            cleaned.agency_returns.drop(columns="case_id").to_csv(), sorted(cleaned.cases["case_id"]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(valid_audit(), DAMAGE)
def test_realistic_damage_gives_the_same_numbers_or_one_line(tmp_path, audit, damages):
    cases, returns = audit
    window = {"window_start": "01/04/2025", "window_end": "30/09/2025"}
    clean_path = write_workbook(tmp_path / "clean.xlsx", cases, returns, window)
    damaged_path = write_workbook(tmp_path / "damaged.xlsx", cases, returns, window)
    damage_workbook(damaged_path, **damages)
    try:
        expected = comparable(clean_workbook(clean_path, KEY))
    except AuditInputError as error:  # every case outside the window: the damaged copy must say the same
        with pytest.raises(AuditInputError) as caught:
            clean_workbook(damaged_path, KEY)
        assert str(caught.value).replace("damaged.xlsx", "clean.xlsx") == str(error)
        return
    try:
        assert comparable(clean_workbook(damaged_path, KEY)) == expected
    except AuditInputError as error:
        assert "\n" not in str(error)
