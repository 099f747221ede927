"""docs/audit-definitions.md shows the error lines an analyst gets: each is what the loader says today for the
breakage of audits/neglect.yaml named beside it, so the guide's examples (and their line numbers) stay true."""
from __future__ import annotations

import pytest

from conftest import ROOT
from helpers.domain.definition import load_definition
from helpers.errors import AuditInputError

NEGLECT = ROOT / "audits" / "neglect.yaml"
GUIDE = ROOT / "docs" / "audit-definitions.md"

# What the analyst got wrong: (text of neglect.yaml, what they wrote instead).
BREAKAGES = {
    "a misspelt rule kind": ("rule: {kind: answer, column: neglect_tool_used",
                             "rule: {kind: anwser, column: neglect_tool_used"),
    "a misspelt column kind": ("{name: referral_date, kind: date", "{name: referral_date, kind: datum"),
    "an undeclared column": ("column: chronology_up_to_date, met", "column: chronology_uptodate, met"),
    "a gate that can never open": ('when: {column: drift_delay_identified, is: ["Yes"]}',
                                   'when: {column: drift_delay_identified, is: ["Maybe"]}'),
    "two measures with one id": ("  - id: no_drift_or_delay", "  - id: plan_smart"),
    "a level not on the scale": ('at_least: "Good"}', 'at_least: "Very good"}'),
    "an undeclared threshold": ("at_most: strategy_working_days}", "at_most: strategy_days}"),
    "a rule reading personal data": ("column: neglect_tool_used, met", "column: date_of_birth, met"),
    "a tab used to indent": ('title: "Multi-agency audit of neglect"',
                             'title: "Multi-agency audit of neglect"\n\tbad: 1'),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_the_guide_shows_the_line_the_loader_gives(breakage, tmp_path):
    text, broken = BREAKAGES[breakage]
    source = NEGLECT.read_text(encoding="utf-8")
    assert source.count(text) == 1, text
    folder = tmp_path / "audits"
    folder.mkdir()
    (folder / "neglect.yaml").write_text(source.replace(text, broken), encoding="utf-8")
    with pytest.raises(AuditInputError) as raised:
        load_definition(folder / "neglect.yaml")
    line = "error: " + str(raised.value).replace(str(tmp_path) + "/", "")
    assert line in GUIDE.read_text(encoding="utf-8")


def test_the_neglect_definition_the_guide_explains_loads():
    definition = load_definition(NEGLECT)
    assert len(definition.measures) >= 12
    guide = GUIDE.read_text(encoding="utf-8")
    # Every rule kind the guide explains is one the loader knows, and the neglect audit uses the new one.
    from helpers.domain.definition import RULE_KINDS
    for kind in RULE_KINDS:
        assert f"### `{kind}`" in guide, kind
