"""Back tests: the synthetic demo against outputs reviewed by hand (tests/reference/)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import KEY
from helpers.clean.cleaning import clean_workbook
from helpers.measures import Parameters
from helpers.measures.findings import findings_table
from helpers.measures.statuses import measure_statuses
from helpers.run.demo import build_demo, write_workbook
from helpers.run.outputs import write_csv

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def demo_outputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    workbook = write_workbook(build_demo(), folder / "SYNTHETIC_demo.xlsx")
    cleaned = clean_workbook(workbook, KEY)
    findings = findings_table(measure_statuses(cleaned.cases, cleaned.agency_returns, Parameters()),
                              cleaned.settings.population)
    for name, frame in (("findings", findings), ("reconciliation", cleaned.reconciliation),
                        ("data_quality", cleaned.data_quality)):
        write_csv(frame, folder / f"{name}.csv")
    return folder, cleaned, findings


@pytest.mark.parametrize("name", ["findings", "reconciliation", "data_quality"])
def test_demo_outputs_match_the_reviewed_copies(demo_outputs, name):
    folder, _, _ = demo_outputs
    assert (folder / f"{name}.csv").read_text() == (REFERENCE / f"demo_{name}.csv").read_text()


def test_demo_reproduces_the_published_figures(demo_outputs):
    _, _, findings = demo_outputs
    percent = findings.set_index("measure_id")["percent"]
    assert percent["plan_linked_to_needs"] == 90.0
    assert percent["plan_progress_monitored"] == 55.0
    assert percent["professional_agreement"] == 60.0
    assert percent["partnership_working_effective"] == 78.0
    assert percent["reports_shared_timely"] == 66.7
    assert percent["eha_completed"] < 50 < percent["referral_reason_clear"]
    assert percent["historical_involvement"] > 50
    assert percent["father_attended"] < 50 and percent["conference_quorate"] < 100


def test_demo_reconciliation_is_what_the_generator_put_in(demo_outputs):
    _, cleaned, _ = demo_outputs
    expected = build_demo().expected_outcomes
    actual = cleaned.reconciliation.set_index(["sheet", "outcome"])["rows"]
    for key, rows in expected.items():
        assert actual[key] == rows, key
    assert len(cleaned.cases) == 100


def test_demo_is_seeded_and_marked_synthetic(tmp_path):
    first = write_workbook(build_demo(), tmp_path / "a.xlsx")
    second = write_workbook(build_demo(), tmp_path / "b.xlsx")
    assert first.read_bytes() == second.read_bytes()
    import openpyxl
    book = openpyxl.load_workbook(first)
    assert "SYNTHETIC" in book["About this file"]["A1"].value
    assert "SYNTHETIC" in book["audit"]["B2"].value


def test_demo_carries_the_mess_the_spec_lists():
    demo = build_demo()
    values = [v for row in demo.cases + demo.returns for v in row.values()]
    text = [v for v in values if isinstance(v, str)]
    assert "#N/A" in text and any("\u00a0" in v for v in text) and any(v.startswith("a) ") for v in text)
    assert True in values and False in values
    assert any(isinstance(v, int) and 40000 < v < 50000 for v in values)          # Excel serial
    assert any(isinstance(v, float) and 40000 < v < 50000 for v in values)        # fractional serial
    for form in (r"^\d{2}/\d{2}/\d{4}$", r"^\d{1,2}/\d{1,2}/\d{2}$", r"^\d{2}-\d{2}-\d{4}$", r"^\d{2}\.\d{2}\.\d{4}$",
                 r"^\d{4}-\d{2}-\d{2}$", r"^\d{1,2} [A-Z][a-z]{2} \d{4}$", r"^\d{1,2} [A-Z][a-z]{3,} \d{4}$",
                 r"^\d{1,2}(st|nd|rd|th) [A-Z][a-z]+ \d{4}$"):
        assert any(pd.Series(text).str.match(form)), form
