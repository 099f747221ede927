"""Each measure of spec section 7 on small hand-built frames: met, not met, not applicable, not recorded."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.clean.cleaning import CASE_ANSWER_COLUMNS, CASE_DATE_COLUMNS
from helpers.domain.workdays import bank_holidays, working_days_between
from helpers.measures import MEASURES, Parameters
from helpers.measures.statuses import COMPUTE, measure_statuses

MET, NOT_MET, NA, NR = "met", "not_met", "not_applicable", "not_recorded"


def cases(n: int, **columns) -> pd.DataFrame:
    """n included cases; every answer missing and every date missing unless given."""
    frame = pd.DataFrame({"case_id": [f"c{i}" for i in range(n)]})
    for name in CASE_ANSWER_COLUMNS:
        frame[name] = pd.array(columns.get(name, [pd.NA] * n), dtype="string")
    for name in CASE_DATE_COLUMNS:
        frame[name] = pd.to_datetime(pd.Series(columns.get(name, [None] * n), dtype="object"))
        frame[f"{name}_not_applicable"] = columns.get(f"{name}_not_applicable", [False] * n)
    frame["strategy_to_icpc_working_days"] = working_days_between(frame["strategy_discussion_date"], frame["icpc_date"])
    frame["icpc_to_core_group_working_days"] = working_days_between(frame["icpc_date"], frame["first_core_group_date"])
    return frame


def returns(rows: list[tuple]) -> pd.DataFrame:
    """(case_id, agency, group, attended, submitted, shared, agreed, dissent) tuples."""
    frame = pd.DataFrame(rows, columns=["case_id", "agency", "agency_group", "attended", "report_submitted",
                                        "report_shared_date", "agreed_with_decision", "dissent_recorded"])
    for name in ("case_id", "agency", "agency_group", "attended", "report_submitted", "agreed_with_decision",
                 "dissent_recorded"):
        frame[name] = frame[name].astype("string")
    frame["report_shared_date"] = pd.to_datetime(frame["report_shared_date"])
    return frame


NO_RETURNS = returns([])


DEFAULTS = Parameters()


def status(measure_id, case_frame, return_frame=NO_RETURNS, params=DEFAULTS):
    return COMPUTE[measure_id](case_frame, return_frame, params).tolist()


@pytest.mark.parametrize("measure_id, column", [
    ("referral_reason_clear", "referral_reason_clear"), ("plan_linked_to_needs", "plan_linked_to_needs"),
    ("plan_smart", "plan_smart"), ("plan_progress_monitored", "plan_progress_monitored"),
    ("outcomes_improved", "outcomes_improved"), ("partnership_working_effective", "partnership_working_effective"),
    ("core_group_effective", "core_group_effective"),
])
def test_ypn_measures(measure_id, column):
    frame = cases(5, **{column: ["Yes", "Partly", "No", "N/A", pd.NA]})
    assert status(measure_id, frame) == [MET, NOT_MET, NOT_MET, NA, NR]


@pytest.mark.parametrize("measure_id", ["eha_completed", "historical_involvement", "father_invited", "father_attended"])
def test_yn_measures(measure_id):
    frame = cases(4, **{measure_id: ["Yes", "No", "N/A", pd.NA]})
    assert status(measure_id, frame) == [MET, NOT_MET, NA, NR]


def test_child_views_heard():
    frame = cases(6, child_participation=["PN1", "PN6", "PN7", "PN0", "N/A", pd.NA])
    assert status("child_views_heard", frame) == [MET, MET, NOT_MET, NA, NA, NR]


def test_recording_quality_good():
    frame = cases(6, recording_quality=["Outstanding", "Good", "Requires improvement", "Inadequate", "N/A", pd.NA])
    assert status("recording_quality_good", frame) == [MET, MET, NOT_MET, NOT_MET, NA, NR]


def test_escalation_when_drift():
    frame = cases(6, drift_delay_identified=["Yes", "Yes", "Yes", "No", pd.NA, "Yes"],
                  escalation_raised=["Yes", "No", pd.NA, "Yes", "Yes", "N/A"])
    assert status("escalation_when_drift", frame) == [MET, NOT_MET, NR, NA, NR, NA]


def test_sustained_change_before_step_down():
    frame = cases(5, stepped_down_to_cin=["Yes", "Yes", "No", "N/A", pd.NA],
                  sustained_change_evidenced=["Yes", "No", "Yes", "Yes", "Yes"])
    assert status("sustained_change_before_step_down", frame) == [MET, NOT_MET, NA, NA, NR]


# --- working days -------------------------------------------------------------

def test_england_and_wales_bank_holidays_are_known():
    days = set(bank_holidays().astype(str))
    for day in ("2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25",
                "2025-12-26", "2022-09-19", "2023-05-08"):
        assert day in days
    assert "2025-08-04" not in days  # Scotland's summer bank holiday is not England and Wales's


@pytest.mark.parametrize("begin, end, expected", [
    ("2025-05-12", "2025-05-12", 0),   # same day
    ("2025-05-12", "2025-05-13", 1),   # Monday to Tuesday
    ("2025-05-09", "2025-05-12", 1),   # Friday to Monday over a weekend
    ("2025-05-10", "2025-05-12", 0),   # Saturday to Monday
    ("2025-05-02", "2025-05-06", 1),   # Friday to Tuesday over the early May bank holiday
    ("2025-04-17", "2025-04-23", 2),   # over Good Friday and Easter Monday
    ("2025-05-13", "2025-05-12", -1),  # backwards
])
def test_working_days_between(begin, end, expected):
    counts = working_days_between(pd.Series([pd.Timestamp(begin)]), pd.Series([pd.Timestamp(end)]))
    assert counts.iloc[0] == expected == np.busday_count(begin, end, holidays=bank_holidays())


def test_icpc_timely_edges():
    # 15 working days from Thursday 1 May 2025 (5 May a bank holiday) is Friday 23 May.
    frame = cases(6, strategy_discussion_date=["2025-05-01", "2025-05-01", "2025-05-20", None, "2025-05-01", None],
                  icpc_date=["2025-05-23", "2025-05-26", "2025-05-19", "2025-05-19", None, "2025-05-19"],
                  strategy_discussion_date_not_applicable=[False, False, False, False, False, True])
    assert frame["strategy_to_icpc_working_days"].tolist()[:3] == [15, 16, -1]
    assert status("icpc_timely", frame) == [MET, NOT_MET, NR, NR, NR, NA]
    assert status("icpc_timely", frame, params=Parameters(icpc_working_days=16))[:2] == [MET, MET]


def test_core_group_timely():
    frame = cases(3, icpc_date=["2025-05-01", "2025-05-01", "2025-05-01"],
                  first_core_group_date=["2025-05-16", "2025-05-19", "2025-04-30"])
    assert status("core_group_timely", frame) == [MET, NOT_MET, NR]


# --- measures from the agency returns ----------------------------------------

CSC, POL, HEA, EDU = "Children's social care", "Police", "Health", "Education"


def test_reports_shared_timely():
    frame = cases(7, icpc_date=["2025-05-08"] * 5 + [None, "2025-05-08"])
    rows = returns([
        # c0: shared on Tuesday 6 May, two working days before Thursday 8 May: met
        ("c0", "police", POL, "Yes", "Yes", "2025-05-06", "Yes", "N/A"),
        ("c0", "school", EDU, "Yes", "No", None, "Yes", "N/A"),
        # c1: one report shared the day before: not met
        ("c1", "police", POL, "Yes", "Yes", "2025-05-02", "Yes", "N/A"),
        ("c1", "gp", HEA, "Yes", "Yes", "2025-05-07", "Yes", "N/A"),
        # c2: shared on the day of the conference: not met
        ("c2", "police", POL, "Yes", "Yes", "2025-05-08", "Yes", "N/A"),
        # c3: submitted with no shared date: not met
        ("c3", "police", POL, "Yes", "Yes", None, "Yes", "N/A"),
        # c4: returns, none submitted a report: not applicable
        ("c4", "police", POL, "Yes", "No", None, "Yes", "N/A"),
        # c5: no ICPC date: not recorded
        ("c5", "police", POL, "Yes", "Yes", "2025-05-01", "Yes", "N/A"),
        # c6: no returns at all: not recorded
    ])
    assert status("reports_shared_timely", frame, rows) == [MET, NOT_MET, NOT_MET, NOT_MET, NA, NR, NR]
    relaxed = status("reports_shared_timely", frame, rows, Parameters(report_share_working_days=1))
    assert relaxed[1] == MET


def test_conference_quorate_and_inquorate_reason():
    frame = cases(6, inquorate_reason_recorded=["N/A", "Yes", "No", pd.NA, "Yes", "Yes"])
    rows = returns([
        ("c0", "csc", CSC, "Yes", "Yes", None, "Yes", "N/A"), ("c0", "police", POL, "Yes", "Yes", None, "Yes", "N/A"),
        ("c0", "gp", HEA, "Yes", "Yes", None, "Yes", "N/A"),
        # c1: two Health agencies are one group: not quorate
        ("c1", "csc", CSC, "Yes", "Yes", None, "Yes", "N/A"), ("c1", "gp", HEA, "Yes", "Yes", None, "Yes", "N/A"),
        ("c1", "midwife", HEA, "Yes", "Yes", None, "Yes", "N/A"),
        # c2: social care did not attend: not quorate
        ("c2", "csc", CSC, "No", "Yes", None, "Yes", "N/A"), ("c2", "police", POL, "Yes", "Yes", None, "Yes", "N/A"),
        ("c2", "gp", HEA, "Yes", "Yes", None, "Yes", "N/A"),
        # c3: an unmapped agency never counts: not quorate
        ("c3", "csc", CSC, "Yes", "Yes", None, "Yes", "N/A"), ("c3", "police", POL, "Yes", "Yes", None, "Yes", "N/A"),
        ("c3", "mystery", "Unmapped", "Yes", "Yes", None, "Yes", "N/A"),
        # c4: police sent apologies: not quorate
        ("c4", "csc", CSC, "Yes", "Yes", None, "Yes", "N/A"), ("c4", "police", POL, "No", "Yes", None, "Yes", "N/A"),
        ("c4", "gp", HEA, "Yes", "Yes", None, "Yes", "N/A"),
        # c5: no returns
    ])
    assert status("conference_quorate", frame, rows) == [MET, NOT_MET, NOT_MET, NOT_MET, NOT_MET, NR]
    assert status("inquorate_reason_recorded", frame, rows) == [NA, MET, NOT_MET, NR, MET, NR]
    separate_health = Parameters(health_counts_as_one=False)
    assert status("conference_quorate", frame, rows, separate_health)[1] == MET


def test_professional_agreement_and_dissent_recorded():
    frame = cases(5)
    rows = returns([
        ("c0", "csc", CSC, "Yes", "Yes", None, "Yes", "N/A"), ("c0", "police", POL, "Yes", "Yes", None, "Yes", "N/A"),
        ("c1", "csc", CSC, "Yes", "Yes", None, "Yes", "N/A"), ("c1", "police", POL, "Yes", "Yes", None, "No", "Yes"),
        ("c2", "csc", CSC, "Yes", "Yes", None, "Yes", "N/A"), ("c2", "police", POL, "Yes", "Yes", None, "No", "Yes"),
        ("c2", "gp", HEA, "Yes", "Yes", None, "No", "No"),
        # c3: the only disagreement is from an agency that did not attend; the rest have no answer
        ("c3", "police", POL, "No", "Yes", None, "No", "No"), ("c3", "gp", HEA, "Yes", "Yes", None, None, None),
        # c4: no returns
    ])
    assert status("professional_agreement", frame, rows) == [MET, NOT_MET, NOT_MET, NR, NR]
    assert status("dissent_recorded", frame, rows) == [NA, MET, NOT_MET, NA, NA]


def test_every_case_has_exactly_one_status_for_every_measure():
    frame = cases(3, plan_smart=["Yes", pd.NA, "N/A"], icpc_date=["2025-05-08", None, "2025-05-08"])
    statuses = measure_statuses(frame, NO_RETURNS, Parameters())
    assert list(statuses.columns) == ["case_id"] + [m.id for m in MEASURES]
    assert statuses.drop(columns="case_id").isin([MET, NOT_MET, NA, NR]).all().all()


def test_measures_are_declared_once_with_unique_ids_and_every_kloe():
    ids = [m.id for m in MEASURES]
    assert len(ids) == 22 == len(set(ids))
    assert {m.kloe for m in MEASURES} == {"1 Early help", "2 Reason for referral", "3 Participation",
                                         "4 Planning", "5 Impact", "6 Agreement", "7 Partnership", "secondary"}
    assert all(m.label and m.definition and m.statement for m in MEASURES)


def test_every_declared_measure_has_exactly_one_computation_named_by_its_id():
    assert set(COMPUTE) == {m.id for m in MEASURES}
