"""audits/neglect.yaml: what the issue asks of the neglect audit is in it, and it follows the published schema."""
from __future__ import annotations

import json

import pytest
import yaml

from conftest import ROOT
from helpers.domain.definition import (
    RETURNS_SHEET,
    GradeDistribution,
    OverReturns,
    WorkingDays,
    _Loader,
    columns_read,
    load_definition,
)

NEGLECT = ROOT / "audits" / "neglect.yaml"
SCHEMA = ROOT / "audits" / "audit-definition.schema.json"


@pytest.fixture(scope="module")
def neglect():
    return load_definition(NEGLECT)


def test_the_neglect_definition_follows_the_published_schema():
    jsonschema = pytest.importorskip("jsonschema")
    document = yaml.load(NEGLECT.read_text(), Loader=_Loader)
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))


def test_it_asks_what_the_issue_asks(neglect):
    assert len(neglect.measures) >= 12
    by_id = {m.id: m for m in neglect.measures}
    # A neglect assessment tool, the lived experience, the voice of the child, drift and delay.
    for measure_id, column in (("neglect_tool_used", "neglect_tool_used"),
                               ("lived_experience_recorded", "lived_experience_recorded"),
                               ("child_voice_heard", "child_voice_heard"),
                               ("no_drift_or_delay", "drift_delay_identified")):
        assert by_id[measure_id].rule.column == column
    # Graded practice per agency on a four-point scale, as a grade distribution.
    practice = by_id["practice_good"].rule
    assert isinstance(practice, GradeDistribution) and len(practice.levels) == 4
    assert neglect.columns[practice.column][0] == RETURNS_SHEET
    # Timeliness of strategy discussions after a referral, in working days, against a threshold parameter.
    strategy = by_id["strategy_discussion_timely"].rule
    assert isinstance(strategy, WorkingDays)
    assert (strategy.begin, strategy.end, strategy.at_most) == ("referral_date", "strategy_discussion_date",
                                                               "strategy_working_days")
    assert neglect.parameters["strategy_working_days"].kind == "working_days"
    # Rules over the agency returns, and the window on the referral.
    assert any(isinstance(m.rule, OverReturns) for m in neglect.measures)
    assert neglect.window_date == "referral_date"


def test_every_declared_answer_column_is_read_by_a_measure(neglect):
    """A question the audit team answers that no measure reads would be work for nothing."""
    read = {column for m in neglect.measures for column in columns_read(m.rule)}
    answers = {c.name for sheet in neglect.sheets.values() for c in sheet.columns
               if c.kind not in ("case_ref", "agency", "text") and not c.personal and c.name != "audit_date"}
    assert answers - read == set()


def test_every_measure_has_its_practitioner_sentence_and_standards_name_measures(neglect):
    assert all(m.practice for m in neglect.measures)
    assert set(neglect.standards) <= {m.id for m in neglect.measures}
    assert all(0 < value <= 100 for value in neglect.standards.values())
