"""Back test of the neglect audit (audits/neglect.yaml): a small workbook written here, every measure's numerator,
denominator, not applicable and not recorded worked out by hand in the comments beside the expected values.

Working days are counted in [from, to): weekends and England and Wales bank holidays excluded. The 2025 bank
holidays that matter here: Good Friday 18 April, Easter Monday 21 April, 5 May, 26 May and 25 August.
Working days per month of 2025 used below: June 21 (2-6, 9-13, 16-20, 23-27, 30), July 23 (1-4, 7-11, 14-18,
21-25, 28-31), August 20 (1, 4-8, 11-15, 18-22, 26-29).
"""
# ruff: noqa: E501 (the cases are a table: one case per line, its answers under their column names)
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

import helpers
from conftest import KEY, ROOT
from helpers.domain.definition import load_definition

NEGLECT = ROOT / "audits" / "neglect.yaml"

CASE_COLUMNS = ["case_ref", "child_name", "date_of_birth", "referral_date", "strategy_discussion_date",
                "assessment_completed_date", "neglect_tool_used", "chronology_up_to_date",
                "history_informed_assessment", "parental_factors_considered", "lived_experience_recorded",
                "child_voice_heard", "plan_smart", "drift_delay_identified", "escalation_raised", "was_not_brought",
                "was_not_brought_followed_up", "outcomes_improved", "audit_date", "comments"]
RETURN_COLUMNS = ["case_ref", "agency", "neglect_recognised", "information_shared", "contributed_to_plan",
                  "practice_grade"]

# One row per case: referral, strategy discussion, assessment completed, then the answers in CASE_COLUMNS' order
# from neglect_tool_used to outcomes_improved. "" is an empty cell.
CASES = {
    #      referral      strategy      assessment    tool    chron     hist      parent    lived     voice     smart     drift  escal  wnb    wnb_fu  outcomes
    "N01": ("02/06/2025", "05/06/2025", "02/07/2025", "Yes", "Yes", "Yes", "Yes", "Yes", "Yes", "Partly", "Yes", "Yes", "Yes", "Yes", "Yes"),
    "N02": ("02/06/2025", "09/06/2025", "N/A", "No", "Partly", "Yes", "Yes", "No", "N/A", "Yes", "No", "N/A", "No", "N/A", "Partly"),
    "N03": ("02/06/2025", "N/A", "01/09/2025", "Yes", "No", "No", "Partly", "Partly", "Partly", "No", "Yes", "No", "No", "N/A", "No"),
    "N04": ("10/06/2025", "09/06/2025", "", "", "Yes", "Yes", "No", "Yes", "No", "Partly", "", "Yes", "Yes", "No", "Too early to say"),
    "N05": ("16/04/2025", "22/04/2025", "16/06/2025", "Yes", "Partly", "Yes", "Yes", "No", "Yes", "Yes", "No", "N/A", "No", "N/A", "Yes"),
    "N06": ("02/06/2025", "", "04/08/2025", "No", "Yes", "No", "Yes", "Yes", "N/A", "Yes", "Yes", "", "", "N/A", "Yes"),
    "N07": ("03/06/2025", "03/06/2025", "03/06/2025", "N/A", "No", "Yes", "Yes", "Partly", "Yes", "No", "No", "N/A", "No", "N/A", "No"),
    "N08": ("01/07/2025", "04/07/2025", "N/A", "Yes", "Yes", "Partly", "Partly", "Yes", "No", "Yes", "Yes", "Yes", "No", "N/A", "Partly"),
    "N09": ("01/07/2025", "07/07/2025", "02/09/2025", "maybe", "", "Yes", "No", "Yes", "Partly", "Partly", "No", "N/A", "Yes", "N/A", "Yes"),
    "N10": ("14/07/2025", "N/A", "17/09/2025", "No", "Partly", "No", "Yes", "N/A", "Yes", "", "No", "N/A", "No", "N/A", ""),
    # Referred after the window closes: outside the terms of reference, never measured (nor its return).
    "N11": ("15/10/2025", "16/10/2025", "20/10/2025", "Yes", "Yes", "Yes", "Yes", "Yes", "Yes", "Yes", "No", "N/A", "No", "N/A", "Yes"),
}

# Agency returns: (case, agency, neglect recognised, information shared, contributed to plan, practice grade).
RETURNS = [
    ("N01", "Children's social care", "Yes", "Yes", "Yes", "Good"),
    ("N01", "Police", "Yes", "Yes", "Yes", "Outstanding"),
    ("N01", "Health visitor", "Yes", "Yes", "No", "Good"),
    ("N01", "School", "Yes", "Yes", "Yes", "Good"),
    ("N02", "Children's social care", "Yes", "Yes", "Yes", "Requires improvement"),
    ("N02", "GP", "No", "Yes", "Yes", "Good"),
    ("N03", "Children's social care", "Yes", "No", "Yes", "Inadequate"),
    ("N03", "Police", "Yes", "", "Yes", "Good"),
    ("N03", "School nurse", "Yes", "Yes", "Yes", "N/A"),
    ("N03", "Nursery", "", "Yes", "Yes", "Good"),
    ("N04", "Children's social care", "Yes", "Yes", "No", "Good"),
    ("N04", "Housing", "Yes", "Yes", "Yes", "Good"),
    ("N04", "Barnardo's Family Centre", "Yes", "Yes", "Yes", "Outstanding"),  # unmapped agency
    ("N05", "Children's social care", "Yes", "Yes", "Yes", "Outstanding"),
    ("N05", "Police", "Yes", "Yes", "Yes", "Outstanding"),
    ("N05", "Health visitor", "Yes", "Yes", "Yes", "Outstanding"),
    ("N05", "GP", "Yes", "Yes", "Yes", "Good"),
    ("N06", "Children's social care", "", "", "Yes", ""),
    ("N06", "Police", "", "", "Yes", ""),
    ("N07", "Children's social care", "No", "Yes", "Yes", "Requires improvement"),
    ("N07", "School", "No", "No", "No", "Inadequate"),
    ("N08", "Children's social care", "Yes", "Yes", "Yes", "Good"),
    ("N08", "Midwife", "Yes", "Yes", "Yes", "Good"),
    ("N08", "Probation", "Yes", "Yes", "Yes", "RI"),                 # read as Requires improvement
    ("N09", "Children's social care", "Yes", "Yes", "Yes", "Good"),
    ("N09", "Police", "Yes", "Yes", "Yes", "Good"),          # superseded by the later Police return below
    ("N09", "Police", "Yes", "Yes", "Yes", 4),                       # level 4 of the scale: Inadequate
    # N10 has no agency return at all.
    ("N11", "Children's social care", "Yes", "Yes", "Yes", "Good"),  # its case is outside the window
    ("N99", "Police", "Yes", "Yes", "Yes", "Good"),                  # orphan: no such case
]

# measure id: (numerator, denominator, not applicable, not recorded), over the 10 included cases N01-N10.
EXPECTED = {
    # Returns answering Yes or No are considered; met when every considered return says Yes.
    # Met: N01, N03 (Nursery's empty answer is not considered), N04, N05, N08, N09 = 6.
    # Not met: N02 (GP No), N07 (both No) = 2. Not recorded: N06 (no return answered), N10 (no return) = 2.
    "neglect_recognised": (6, 8, 0, 2),
    # Working days from referral to strategy discussion <= 3:
    # N01 [2 Jun, 5 Jun) = 3 met; N02 [2 Jun, 9 Jun) = 5 not met; N03 strategy N/A: not applicable;
    # N04 strategy 9 Jun before referral 10 Jun: negative, not recorded; N05 [16 Apr, 22 Apr) = 16, 17 Apr
    # (18 and 21 April are bank holidays) = 2 met; N06 no strategy date: not recorded; N07 same day = 0 met;
    # N08 [1 Jul, 4 Jul) = 3 met; N09 [1 Jul, 7 Jul) = 4 not met; N10 N/A: not applicable.
    "strategy_discussion_timely": (4, 6, 2, 2),
    # Yes: N01, N03, N05, N08; No: N02, N06, N10; N/A: N07; missing N04 and unrecognised 'maybe' N09.
    "neglect_tool_used": (4, 7, 1, 2),
    # Working days from referral to assessment completed <= 45:
    # N01 [2 Jun, 2 Jul) = June 21 + 1 July = 22 met; N02 N/A; N03 [2 Jun, 1 Sep) = 21 + 23 + 20 = 64 not met;
    # N04 no assessment date: not recorded; N05 [16 Apr, 16 Jun) = April 9 (16, 17, 22-25, 28-30) + May 20
    # (1, 2, 6-9, 12-16, 19-23, 27-30) + June 10 = 39 met; N06 [2 Jun, 4 Aug) = 21 + 23 + 1 = 45 met (at the
    # threshold); N07 0 met; N08 N/A; N09 [1 Jul, 2 Sep) = 23 + 20 + 1 = 44 met; N10 [14 Jul, 17 Sep) =
    # July 14 (14-18, 21-25, 28-31) + August 20 + September 12 (1-5, 8-12, 15, 16) = 46 not met.
    "assessment_timely": (5, 7, 2, 1),
    # Yes: N01, N04, N06, N08; Partly: N02, N05, N10; No: N03, N07; missing: N09.
    "chronology_up_to_date": (4, 9, 0, 1),
    # Yes: N01, N02, N04, N05, N07, N09; No: N03, N06, N10; 'Partly' is no answer of a Yes/No column: N08.
    "history_informed_assessment": (6, 9, 0, 1),
    # Yes: N01, N02, N05, N06, N07, N10; Partly: N03, N08; No: N04, N09.
    "parental_factors_considered": (6, 10, 0, 0),
    # Yes: N01, N04, N06, N08, N09; Partly: N03, N07; No: N02, N05; N/A: N10.
    "lived_experience_recorded": (5, 9, 1, 0),
    # Yes: N01, N05, N07, N10; Partly: N03, N09; No: N04, N08; N/A (a baby): N02, N06.
    "child_voice_heard": (4, 8, 2, 0),
    # Yes: N02, N05, N06, N08; Partly: N01, N04, N09; No: N03, N07; missing: N10.
    "plan_smart": (4, 9, 0, 1),
    # Met when no drift or delay (No): N02, N05, N07, N09, N10; Yes: N01, N03, N06, N08; missing: N04.
    "no_drift_or_delay": (5, 9, 0, 1),
    # Gate open (drift Yes): N01 escalated Yes met, N03 No not met, N06 missing: not recorded, N08 Yes met.
    # Gate shut (drift No): N02, N05, N07, N09, N10 not applicable. Drift missing: N04 not recorded.
    "escalation_when_drift": (2, 3, 5, 2),
    # Considered returns answering Yes or No. Met: N01, N02, N04, N05, N08, N09 = 6. Not met: N03 (children's
    # social care No; Police's empty answer not considered), N07 (School No) = 2. Not recorded: N06, N10.
    "information_shared": (6, 8, 0, 2),
    # Agency groups other than children's social care (and Unmapped) with a return that contributed:
    # N01 Police, Education (the health visitor did not) = 2 met; N02 Health = 1; N03 Police, Health, Education
    # = 3 met; N04 Housing = 1 (Barnardo's is unmapped); N05 Police, Health (health visitor and GP one group)
    # = 2 met; N06 Police = 1; N07 none; N08 Health, Probation = 2 met; N09 Police = 1. N10: no returns, not
    # recorded.
    "multi_agency_plan": (4, 9, 0, 1),
    # Over graded returns (N/A and empty are not graded): met when every one is Good or better.
    # Met: N01 (Good, Outstanding, Good, Good), N04 (Good, Good, Outstanding), N05 (three Outstanding, Good).
    # Not met: N02 (Requires improvement), N03 (Inadequate), N07, N08 (Requires improvement), N09 (the kept
    # Police return is Inadequate) = 5. Not recorded: N06 (no grade), N10 (no return).
    "practice_good": (3, 8, 0, 2),
    # Yes: N01, N05, N06, N09; Partly: N02, N08; No: N03, N07; too early to say (N/A): N04; missing: N10.
    "outcomes_improved": (4, 8, 1, 1),
    # Gate open (not brought Yes): N01 followed up Yes met; N04 No not met; N09 N/A: not applicable.
    # Gate shut (No): N02, N03, N05, N07, N08, N10 not applicable. Gate missing: N06 not recorded.
    "not_brought_followed_up": (1, 2, 7, 1),
}

# Included returns per practice level (N09's superseded Police return, N11's and the orphan are not included):
# Outstanding N01 Police, N04 Barnardo's, N05 children's social care, Police, health visitor = 5;
# Good N01 (3), N02 GP, N03 Police and Nursery, N04 (2), N05 GP, N08 (2), N09 children's social care = 12;
# Requires improvement N02, N07 children's social care, N08 Probation = 3;
# Inadequate N03 children's social care, N07 School, N09 Police = 3.
EXPECTED_LEVELS = {"Outstanding": 5, "Good": 12, "Requires improvement": 3, "Inadequate": 3}


def write_neglect_workbook(path):
    book = openpyxl.Workbook()
    cases = book.active
    cases.title = "Cases"
    cases.append(CASE_COLUMNS)
    for ref, (referral, strategy, assessment, *answers) in CASES.items():
        row = {"case_ref": ref, "child_name": f"Test Child {ref}", "date_of_birth": "01/02/2019",
               "referral_date": referral, "strategy_discussion_date": strategy,
               "assessment_completed_date": assessment, "audit_date": "01/11/2025", "comments": f"comment {ref}"}
        row.update(zip(CASE_COLUMNS[6:18], answers))
        cases.append([row.get(c) or None for c in CASE_COLUMNS])
    returns = book.create_sheet("Agency returns")
    returns.append(RETURN_COLUMNS)
    for row in RETURNS:
        returns.append([value if value != "" else None for value in row])
    audit = book.create_sheet("Audit")
    for field, value in (("field", "value"), ("audit_title", "Back test: neglect"),
                         ("window_start", "01/04/2025"), ("window_end", "30/09/2025")):
        audit.append([field, value])
    book.save(path)
    return path


@pytest.fixture(scope="module")
def neglect_audit(tmp_path_factory):
    raw = write_neglect_workbook(tmp_path_factory.mktemp("neglect") / "neglect_back_test.xlsx")
    return helpers.audit(raw, definition=load_definition(NEGLECT), key=KEY)


def test_every_measure_of_the_definition_is_worked_out_here():
    assert [m.id for m in load_definition(NEGLECT).measures] == list(EXPECTED)


@pytest.mark.parametrize("measure_id", list(EXPECTED))
def test_neglect_measure_matches_the_hand_count(neglect_audit, measure_id):
    row = neglect_audit.findings.set_index("measure_id").loc[measure_id]
    counted = (row["numerator"], row["denominator"], row["not_applicable"], row["not_recorded"])
    assert tuple(int(v) for v in counted) == EXPECTED[measure_id]


def test_neglect_rows_are_reconciled(neglect_audit):
    outcomes = neglect_audit.cleaned.reconciliation.set_index(["sheet", "outcome"])["rows"]
    assert outcomes[("Cases", "included")] == 10
    assert outcomes[("Cases", "outside_terms_of_reference")] == 1
    assert outcomes[("Agency returns", "included")] == 26
    assert outcomes[("Agency returns", "superseded_duplicate")] == 1
    assert outcomes[("Agency returns", "orphan_return")] == 1
    assert outcomes[("Agency returns", "outside_terms_of_reference")] == 1


def test_the_negative_interval_is_listed_under_the_later_date(neglect_audit):
    # N04: strategy discussion on 9 June, the day before the referral of 10 June. The strategy date is the later
    # column of the interval referral -> strategy discussion; the assessment date of N04 is missing, so no other.
    quality = neglect_audit.cleaned.data_quality
    negative = quality[quality["issue"] == "negative_interval"]
    assert list(zip(negative["column"], negative["rows"])) == [("strategy_discussion_date", 1)]


def test_practice_grades_are_counted_per_level(neglect_audit, tmp_path):
    neglect_audit.write(tmp_path)
    counts = pd.read_csv(tmp_path / "grade_distribution.csv")
    practice = counts[counts["measure_id"] == "practice_good"]
    assert dict(zip(practice["level"], practice["count"])) == EXPECTED_LEVELS
    # Percent of the 23 graded returns; Outstanding and Good are at or above the measure's level.
    assert list(practice["percent"]) == [21.7, 52.2, 13.0, 13.0]
    assert list(practice["at_or_above"]) == [True, True, False, False]
