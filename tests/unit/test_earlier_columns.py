"""An earlier audit's workbook may lack answer columns (spec section 9, issue 10); a current one may not."""
import json

import pytest

from conftest import KEY, case_row, quorate_returns, write_workbook
from helpers.clean.cleaning import clean_workbook
from helpers.domain.schema import AGENCY_RETURNS, CASES, IDENTIFYING_COLUMNS, earlier_audit_may_lack
from helpers.errors import AuditInputError
from helpers.measures.comparison import measures_lacking
from helpers.run.outputs import write_clean_outputs


@pytest.fixture
def without_plan_smart(tmp_path):
    refs = [f"CP{n}" for n in range(1, 6)]
    return write_workbook(tmp_path / "last year.xlsx", [case_row(ref) for ref in refs],
                          [row for ref in refs for row in quorate_returns(ref)],
                          audit={"audit_title": "Last year", "window_start": "01/04/2025",
                                 "window_end": "30/09/2025"},
                          drop_case_columns=("plan_smart", "recording_quality"))


def test_a_current_audit_lacking_a_required_column_stops_with_one_line(without_plan_smart):
    with pytest.raises(AuditInputError, match="plan_smart"):
        clean_workbook(without_plan_smart, KEY)


def test_an_earlier_audit_lacking_columns_is_cleaned_and_says_which(without_plan_smart, tmp_path):
    cleaned = clean_workbook(without_plan_smart, KEY, earlier=True)
    assert cleaned.missing_columns == ("plan_smart", "recording_quality")
    assert len(cleaned.cases) == 5
    assert cleaned.cases["plan_smart"].isna().all()
    write_clean_outputs(cleaned, tmp_path / "out")
    record = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert record["missing_columns"] == ["plan_smart", "recording_quality"]
    assert measures_lacking(record["missing_columns"]) == ["plan_smart", "recording_quality_good"]


def test_a_complete_earlier_audit_records_nothing_missing(tmp_path):
    path = write_workbook(tmp_path / "full.xlsx", [case_row("CP1")], quorate_returns("CP1"),
                          audit={"window_start": "01/04/2025", "window_end": "30/09/2025"})
    cleaned = clean_workbook(path, KEY, earlier=True)
    assert cleaned.missing_columns == ()
    assert "missing_columns" not in cleaned.audit_record()


def test_the_identifying_columns_are_required_even_of_an_earlier_audit(tmp_path):
    path = write_workbook(tmp_path / "no icpc.xlsx", [case_row("CP1")], quorate_returns("CP1"),
                          drop_case_columns=("icpc_date",))
    with pytest.raises(AuditInputError, match="icpc_date"):
        clean_workbook(path, KEY, earlier=True)


def test_what_an_earlier_audit_may_lack_is_every_other_required_column():
    required = {c.name for sheet in (CASES, AGENCY_RETURNS) for c in sheet.columns if c.required}
    assert earlier_audit_may_lack() == required - IDENTIFYING_COLUMNS
    assert IDENTIFYING_COLUMNS <= required
