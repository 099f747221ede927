"""The spec's tables (sections 1, 2 and 5) as test cases for every normaliser."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from helpers.domain.answers import AGENCY_GROUPS
from helpers.read.cells import (
    age_band,
    map_agencies,
    normalise_agency_name,
    normalise_answer_text,
    normalise_case_ref,
    normalise_header,
    normalise_sheet_name,
    normalised_answer_cells,
    read_answers,
    read_dates,
)


def one_answer(value, kind):
    values, unrecognised = read_answers(pd.Series([value], dtype="object"), kind)
    return (None if pd.isna(values.iloc[0]) else values.iloc[0]), bool(unrecognised.iloc[0])


@pytest.mark.parametrize("raw, expected", [
    ("Case Ref.", "case_ref"), (" case  ref ", "case_ref"), ("Case\u00a0Ref", "case_ref"),
    ("Date of Initial Child Protection Conference", "date_of_initial_child_protection_conference"),
    ("Early Help Assessment Completed?", "early_help_assessment_completed"), ("DOB", "dob"),
    ("__x__", "x"), (None, ""), (3, "3"),
])
def test_normalise_header(raw, expected):
    assert normalise_header(raw) == expected


@pytest.mark.parametrize("raw", ["Agency returns", "agency_returns", "AGENCY RETURNS", "Agency-Returns!",
                                 "agencyreturns"])
def test_sheet_names_ignore_case_spaces_underscores_punctuation(raw):
    assert normalise_sheet_name(raw) == "agencyreturns"


@pytest.mark.parametrize("raw, expected", [
    ("  Yes. ", "yes"), ("a) Yes", "yes"), ("B)  No", "no"), ("Not\u00a0 known", "not known"),
    ("n.a.", "n.a"), ("yes  -   partly", "yes - partly"), (None, ""),
])
def test_normalise_answer_text(raw, expected):
    assert normalise_answer_text(pd.Series([raw], dtype="object")).iloc[0] == expected


@pytest.mark.parametrize("dtype", ["object", "category"])
def test_normalised_answer_cells_are_each_cells_normalised_text_in_row_order(dtype):
    cells = pd.Series(["  Yes. ", None, "maybe", "B)  No", "  Yes. ", "maybe"], index=[5, 6, 7, 8, 9, 10],
                      dtype=dtype)
    expected = normalise_answer_text(cells.astype("object"))
    shown = normalised_answer_cells(cells)
    assert shown.index.tolist() == cells.index.tolist()
    assert shown.tolist() == expected.tolist() == ["yes", "", "maybe", "no", "yes", "maybe"]


MISSING = ["", "-", "#N/A", "NK", "n/k", "Not known", "unknown", "Not recorded", "?", "TBC", None, "  "]
NA = ["N/A", "na", "n.a", "N.A.", "Not applicable"]
YES = ["Yes", "y", "TRUE", "true", True, "a) Yes", "Yes."]
PARTLY = ["Partly", "partially", "part", "in part", "yes - partly", "Yes partly", "yes (partly)"]
NO = ["No", "n", "FALSE", False, "b) no"]


@pytest.mark.parametrize("kind", ["yn", "ypn", "eha", "outcomes", "attended"])
@pytest.mark.parametrize("value", MISSING)
def test_missing_values_read_as_missing_and_are_not_unrecognised(kind, value):
    assert one_answer(value, kind) == (None, False)


@pytest.mark.parametrize("kind", ["yn", "ypn", "grade", "category", "participation"])
@pytest.mark.parametrize("value", NA)
def test_na_values_read_as_na(kind, value):
    assert one_answer(value, kind) == ("N/A", False)


@pytest.mark.parametrize("value", YES)
def test_yes(value):
    assert one_answer(value, "ypn") == ("Yes", False)
    assert one_answer(value, "yn") == ("Yes", False)


@pytest.mark.parametrize("value", NO)
def test_no(value):
    assert one_answer(value, "ypn") == ("No", False)


@pytest.mark.parametrize("value", PARTLY)
def test_partly_in_ypn_but_unrecognised_in_yn(value):
    assert one_answer(value, "ypn") == ("Partly", False)
    assert one_answer(value, "yn") == (None, True)


@pytest.mark.parametrize("value", ["maybe", "yes please", "0"])
def test_unrecognised_values_are_flagged_never_mapped(value):
    assert one_answer(value, "ypn") == (None, True)


@pytest.mark.parametrize("value", ["started", "In progress", "Started not completed", "started - not completed"])
def test_eha_started_reads_as_no(value):
    assert one_answer(value, "eha") == ("No", False)
    assert one_answer(value, "yn") == (None, True)


@pytest.mark.parametrize("value", ["too early", "Too early to say"])
def test_outcomes_too_early_reads_as_na(value):
    assert one_answer(value, "outcomes") == ("N/A", False)


@pytest.mark.parametrize("value", ["apologies", "Sent apologies", "report only"])
def test_attended_apologies_reads_as_no(value):
    assert one_answer(value, "attended") == ("No", False)


@pytest.mark.parametrize("value, expected", [
    ("Outstanding", "Outstanding"), (1, "Outstanding"), (1.0, "Outstanding"), ("good", "Good"), ("2", "Good"),
    ("Requires improvement", "Requires improvement"), ("RI", "Requires improvement"),
    ("req imp", "Requires improvement"), ("Requires improvement to be good", "Requires improvement"),
    (3, "Requires improvement"), ("Inadequate", "Inadequate"), (4, "Inadequate"),
])
def test_grades(value, expected):
    text = "1" if value == 1.0 and isinstance(value, float) else value
    assert one_answer(str(text) if not isinstance(text, str) else text, "grade") == (expected, False)


def test_grade_five_is_unrecognised():
    assert one_answer("5", "grade") == (None, True)


@pytest.mark.parametrize("value, expected", [
    ("neg", "NEG"), ("Neglect", "NEG"), ("PHY", "PHY"), ("physical", "PHY"), ("Physical abuse", "PHY"),
    ("sab", "SAB"), ("sexual", "SAB"), ("Sexual abuse", "SAB"), ("emo", "EMO"), ("emotional", "EMO"),
    ("Emotional Abuse", "EMO"), ("mul", "MUL"), ("multiple", "MUL"), ("Multiple/not recommended", "MUL"),
])
def test_categories(value, expected):
    assert one_answer(value, "category") == (expected, False)


@pytest.mark.parametrize("value, expected", [
    ("PN3", "PN3"), ("pn 3", "PN3"), ("PN3 - attends, conveys views", "PN3"), ("PN0", "PN0"),
    ("pn7 - absent", "PN7"), ("PN  5", "PN5"),
])
def test_participation_codes(value, expected):
    assert one_answer(value, "participation") == (expected, False)


@pytest.mark.parametrize("value", ["PN8", "PN 9 - other", "attends", "P N3", "views PN3"])
def test_participation_unrecognised(value):
    assert one_answer(value, "participation") == (None, True)


def one_date(value):
    dates, not_applicable, unrecognised = read_dates(pd.Series([value], dtype="object"))
    date = None if pd.isna(dates.iloc[0]) else dates.iloc[0].date()
    return date, bool(not_applicable.iloc[0]), bool(unrecognised.iloc[0])


@pytest.mark.parametrize("value", [
    "03/12/2019", "3/12/19", "03-12-2019", "03.12.2019", "2019-12-03", "3 Dec 2019", "3 December 2019",
    "3rd December 2019", "43802", "43802.75", " 3\u00a0Dec 2019 ", "3/12/2019",
])
def test_every_date_form(value):
    assert one_date(value) == (dt.date(2019, 12, 3), False, False)


def test_ambiguous_dates_are_day_first():
    assert one_date("04/11/2019")[0] == dt.date(2019, 11, 4)


def test_two_digit_years_are_20yy():
    assert one_date("1/2/99")[0] == dt.date(2099, 2, 1)


@pytest.mark.parametrize("value", ["31/02/2019", "2019/12/03", "Dec 3 2019", "13/13/2019", "soon", "3 Decembre 2019"])
def test_unrecognised_dates(value):
    assert one_date(value) == (None, False, True)


@pytest.mark.parametrize("value", ["", "#N/A", "not known", None])
def test_missing_dates(value):
    assert one_date(value) == (None, False, False)


def test_na_date():
    assert one_date("N/A") == (None, True, False)


def test_case_ref_trimmed_and_upper_cased_only():
    refs = normalise_case_ref(pd.Series(["  ab-12\u00a0", "x y", 1001, None], dtype="object"))
    assert refs.tolist() == ["AB-12", "X Y", "1001", ""]


@pytest.mark.parametrize("raw, normalised", [
    ("Children's Social Care", "childrens social care"), ("Drug & Alcohol Service", "drug and alcohol service"),
    ("0-19 Service", "0 19 service"), ("  MASH\u00a0Police ", "mash police"), ("School Nurse’s", "school nurses"),
])
def test_agency_name_normalisation(raw, normalised):
    assert normalise_agency_name(pd.Series([raw])).iloc[0] == normalised


@pytest.mark.parametrize("group, name", [(g, n) for g, names in AGENCY_GROUPS.items() for n in names])
def test_every_agency_name_maps_to_its_group(group, name):
    mapped = map_agencies(pd.Series([name.upper()]))
    assert mapped["agency_group"].iloc[0] == group
    assert not mapped["unmapped"].iloc[0]


def test_synonyms_share_an_agency_and_other_names_stay_apart():
    mapped = map_agencies(pd.Series(["HV", "Health Visitor", "CSC", "Children's Social Care", "GP Surgery", "GP",
                                     "School Nurse", "Social care"]))
    assert mapped["agency"].tolist() == ["health visitor", "health visitor", "childrens social care",
                                         "childrens social care", "gp", "gp", "school nurse", "social care"]


def test_unmapped_agency_keeps_its_name():
    mapped = map_agencies(pd.Series(["Barnardo's Family Centre"]))
    assert mapped.iloc[0].tolist() == ["barnardos family centre", "Unmapped", True, False]


@pytest.mark.parametrize("value", ["", None, "-", "n/k", "#N/A", " Not known "])
def test_an_empty_or_missing_agency_is_missing_not_unmapped(value):
    mapped = map_agencies(pd.Series([value], dtype="object"))
    assert mapped.iloc[0].tolist() == ["", "Unmapped", False, True]


@pytest.mark.parametrize("dob, icpc, band", [
    ("2025-05-15", "2025-05-15", "Under 1"), ("2024-05-16", "2025-05-15", "Under 1"),
    ("2024-05-15", "2025-05-15", "1-4"), ("2020-05-16", "2025-05-15", "1-4"), ("2020-05-15", "2025-05-15", "5-9"),
    ("2015-05-15", "2025-05-15", "10-15"), ("2009-05-16", "2025-05-15", "10-15"),
    ("2009-05-15", "2025-05-15", "16+"), ("2025-06-01", "2025-05-15", "Not known"),
    (None, "2025-05-15", "Not known"), ("2020-01-01", None, "Not known"),
])
def test_age_band(dob, icpc, band):
    result = age_band(pd.Series([pd.Timestamp(dob) if dob else pd.NaT]),
                      pd.Series([pd.Timestamp(icpc) if icpc else pd.NaT]))
    assert result.iloc[0] == band
