"""Which rows are analysed (spec section 6), data quality and pseudonymisation."""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import KEY, case_row, quorate_returns, return_row, write_workbook
from helpers.clean.cleaning import clean_workbook, read_audit_settings
from helpers.clean.pseudonym import case_ids, load_or_create_key
from helpers.errors import AuditInputError

WINDOW = {"audit_title": "T", "window_start": "01/04/2025", "window_end": "30/09/2025", "population": 40}


def clean(tmp_path, cases, returns, audit=WINDOW, recs=None, **kwargs):
    return clean_workbook(write_workbook(tmp_path / "w.xlsx", cases, returns, audit, recs), KEY, **kwargs)


def outcomes(series):
    return series.tolist()


def test_each_case_outcome(tmp_path):
    cases = [case_row("A1"), {}, case_row("", child_name="No ref"), case_row("A2", audit_date="01/09/2025"),
             case_row("a2 "), case_row("A3", icpc_date="31/03/2025"), case_row("A4", icpc_date="30/09/2025"),
             case_row("A5", icpc_date="")]
    result = clean(tmp_path, cases, [])
    assert outcomes(result.case_outcomes) == ["included", "blank", "missing_case_ref", "superseded_duplicate",
                                              "included", "outside_terms_of_reference", "included", "included"]
    recon = result.reconciliation.set_index(["sheet", "outcome"])["rows"]
    assert recon["Cases"].sum() == len(cases)
    assert recon[("Cases", "superseded_duplicate")] == 1


def test_duplicate_keeps_latest_audit_even_when_it_comes_first(tmp_path):
    cases = [case_row("A1", audit_date="02/11/2025", plan_smart="Yes"),
             case_row("A1", audit_date="01/11/2025", plan_smart="No")]
    result = clean(tmp_path, cases, [])
    assert outcomes(result.case_outcomes) == ["included", "superseded_duplicate"]
    assert result.cases["plan_smart"].tolist() == ["Yes"]


def test_missing_audit_date_is_older_and_ties_go_to_the_last_row(tmp_path):
    cases = [case_row("A1", audit_date="01/11/2025", plan_smart="Yes"), case_row("A1", audit_date=None),
             case_row("B1", audit_date="01/11/2025", plan_smart="No"),
             case_row("B1", audit_date="01/11/2025", plan_smart="Partly")]
    result = clean(tmp_path, cases, [])
    assert outcomes(result.case_outcomes) == ["included", "superseded_duplicate", "superseded_duplicate", "included"]
    assert result.cases["plan_smart"].tolist() == ["Yes", "Partly"]


def test_each_return_outcome(tmp_path):
    cases = [case_row("A1"), case_row("A2", icpc_date="01/01/2025"), case_row("A1", audit_date="01/01/2025")]
    returns = [return_row("A1", "HV", agreed_with_decision="No"), return_row("A1", "Health Visitor"),
               return_row("A1", "Police"), {}, return_row("", "Police"), return_row("ZZ", "Police"),
               return_row("A2", "Police"), return_row("A2", "Police"), return_row("a1", "Barnardo's")]
    result = clean(tmp_path, cases, returns)
    assert outcomes(result.return_outcomes) == [
        "superseded_duplicate", "included", "included", "blank", "missing_case_ref", "orphan_return",
        "superseded_duplicate", "outside_terms_of_reference", "included"]
    assert result.agency_returns["agreed_with_decision"].tolist() == ["Yes", "Yes", "Yes"]
    recon = result.reconciliation.set_index(["sheet", "outcome"])["rows"]
    assert recon["Agency returns"].sum() == len(returns)


def test_orphan_means_no_row_of_cases_at_all(tmp_path):
    # A return whose case is only a superseded or outside row is not an orphan.
    cases = [case_row("A1", icpc_date="01/01/2025"), case_row("B1")]
    result = clean(tmp_path, cases, [return_row("A1", "Police")])
    assert outcomes(result.return_outcomes) == ["outside_terms_of_reference"]


def test_no_window_keeps_every_date_and_case_without_icpc_date_is_flagged_under_a_window(tmp_path):
    cases = [case_row("A1", icpc_date="01/01/2020"), case_row("A2", icpc_date="not known")]
    assert outcomes(clean(tmp_path, cases, [], audit=None).case_outcomes) == ["included", "included"]
    flagged = clean(tmp_path, cases, [])
    assert outcomes(flagged.case_outcomes) == ["outside_terms_of_reference", "included"]
    assert flagged.data_quality.query("issue == 'no_icpc_date_in_window'")["rows"].tolist() == [1]


def test_window_parameters_override_the_audit_sheet(tmp_path):
    cases = [case_row("A1", icpc_date="15/05/2025"), case_row("A2", icpc_date="15/07/2025")]
    result = clean(tmp_path, cases, [], window_end="30/06/2025")
    assert outcomes(result.case_outcomes) == ["included", "outside_terms_of_reference"]
    with pytest.raises(AuditInputError, match="window_start"):
        clean(tmp_path, cases, [], window_start="next tuesday")


def test_data_quality_lists_unrecognised_unmapped_negative_and_unknown_measures(tmp_path):
    cases = [case_row("A1", plan_smart="maybe", father_invited="Partly"),
             case_row("A2", plan_smart="Maybe.", first_core_group_date="10/05/2025", date_of_birth="31/02/2019"),
             case_row("A3", strategy_discussion_date="20/05/2025")]
    returns = [return_row("A1", "Barnardo's"), return_row("A2", "barnardos"),
               return_row("A3", "Police", attended="maybe")]
    result = clean(tmp_path, cases, returns, recs=[("r", "plan_smart; nope"), ("s", "nope")])
    table = result.data_quality.set_index(["sheet", "column", "issue", "value"])["rows"]
    assert table[("Cases", "plan_smart", "unrecognised", "maybe")] == 2
    assert table[("Cases", "father_invited", "unrecognised", "partly")] == 1
    assert table[("Cases", "date_of_birth", "unrecognised", "[personal data withheld]")] == 1
    assert table[("Agency returns", "agency", "unmapped_agency", "barnardos")] == 2
    assert table[("Agency returns", "attended", "unrecognised", "maybe")] == 1
    assert table[("Cases", "first_core_group_date", "negative_interval", "")] == 1
    assert table[("Cases", "icpc_date", "negative_interval", "")] == 1
    assert table[("Recommendations", "measures", "unknown_measure", "nope")] == 2
    assert list(result.data_quality.columns) == ["sheet", "column", "value", "issue", "rows"]
    assert result.recommendations["measures"].tolist() == ["plan_smart", ""]


def test_personal_data_never_leaves_cleaning(tmp_path):
    result = clean(tmp_path, [case_row("SECRET-REF", child_name="Ada Lovelace", date_of_birth="10/12/2015",
                                       comments="a private comment")], quorate_returns("SECRET-REF"))
    text = result.cases.to_csv() + result.agency_returns.to_csv() + result.data_quality.to_csv()
    for needle in ("SECRET-REF", "Ada", "Lovelace", "2015-12-10", "10/12/2015", "private comment"):
        assert needle not in text
    assert not {"case_ref", "child_name", "date_of_birth", "comments"} & set(result.cases.columns)
    assert result.cases["age_band"].tolist() == ["5-9"]


def test_case_ids_are_keyed_stable_and_shared_with_returns(tmp_path):
    result = clean(tmp_path, [case_row("A1"), case_row("A2")], quorate_returns("A1") + quorate_returns("a2"))
    assert result.cases["case_id"].tolist() == case_ids(pd.Series(["A1", "A2"]), KEY).tolist()
    assert set(result.agency_returns["case_id"]) == set(result.cases["case_id"])
    assert case_ids(pd.Series(["A1"]), b"another key").iloc[0] != result.cases["case_id"].iloc[0]


def test_key_is_created_once_and_private(tmp_path):
    path = tmp_path / "k" / "pseudonym.key"
    first = load_or_create_key(path)
    assert load_or_create_key(path) == first and len(first) == 32
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_audit_settings_without_sheet_have_no_window():
    settings, issues = read_audit_settings(None)
    assert settings.window_start is None and settings.population is None and not settings.has_window
    assert issues == []


def test_unrecognised_population_is_listed_with_its_row(tmp_path):
    result = clean(tmp_path, [case_row("A1")], [], audit={"Window End": "30/09/2025", "population": "about 1,000"})
    assert result.settings.window_start is None and result.settings.window_end.day == 30
    assert result.settings.population is None
    table = result.data_quality.set_index(["sheet", "column"])["value"]
    assert table[("Audit", "population")] == "about 1000"
    assert result.data_quality_rows.query("sheet == 'Audit'")["row"].tolist() == [3]


def test_a_window_date_that_is_not_a_date_stops_the_run(tmp_path):
    with pytest.raises(AuditInputError, match=r"sheet 'Audit', row 2: the Audit field window_start 'sometime' is not"):
        clean(tmp_path, [case_row("A1")], [], audit={"Window Start": "sometime", "window_end": "30/09/2025"})


def test_population_with_thousands_separator(tmp_path):
    result = clean(tmp_path, [case_row("A1")], [], audit={"population": "1,250"})
    assert result.settings.population == 1250 and result.data_quality.empty
