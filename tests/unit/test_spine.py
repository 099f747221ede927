"""helpers.audit(): a whole audit in one call, writing nothing; Audit.write puts every output in one folder."""
from __future__ import annotations

import pytest

import helpers
from conftest import KEY, case_row, quorate_returns, write_workbook
from helpers.errors import AuditInputError
from helpers.measures import Parameters


def workbook(path, title="Our audit", start="01/04/2025", end="30/09/2025", plan_smart="Yes", strategy="18/03/2025"):
    # Ten working days from the strategy discussion to the conference (spec section 7).
    cases = [case_row(f"A{i}", plan_smart=plan_smart, icpc_date=start, strategy_discussion_date=strategy)
             for i in range(1, 4)]
    returns = [r for i in range(1, 4) for r in quorate_returns(f"A{i}")]
    return write_workbook(path, cases, returns, {"audit_title": title, "window_start": start, "window_end": end,
                                                 "population": 30})


def tree(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_audit_writes_nothing_and_write_puts_every_output_in_one_folder(tmp_path):
    raw = workbook(tmp_path / "ours.xlsx", plan_smart="No")
    before = tree(tmp_path)
    audit = helpers.audit(raw, Parameters(), key=KEY)
    assert tree(tmp_path) == before
    assert audit.audit_id == "our-audit-2025-04-01-to-2025-09-30"
    assert audit.findings.set_index("measure_id").loc["plan_smart", ["numerator", "denominator"]].tolist() == [0, 3]
    written = audit.write(tmp_path / "out")
    names = {p.name for p in written}
    assert {"cases.csv", "findings.csv", "source.json", "charts", "findings_parameters.json", "reaudit.json",
            "reconciliation.csv", "data_quality.csv", "audit.json"} <= names
    assert "comparison.csv" not in names  # no earlier audit


def test_the_same_inputs_give_the_same_outputs(tmp_path):
    raw = workbook(tmp_path / "ours.xlsx")
    helpers.audit(raw, key=KEY).write(tmp_path / "one")
    helpers.audit(raw, key=KEY).write(tmp_path / "two")
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_thresholds_travel_as_arguments(tmp_path):
    raw = workbook(tmp_path / "ours.xlsx")
    audit = helpers.audit(raw, Parameters(icpc_working_days=5), key=KEY)
    assert audit.findings.set_index("measure_id").loc["icpc_timely", "numerator"] == 0  # 10 working days each
    assert helpers.audit(raw, key=KEY).findings.set_index("measure_id").loc["icpc_timely", "numerator"] == 3


def test_two_earlier_audits_with_one_title_are_told_apart(tmp_path):
    """A partnership keeps its title: the comparison names each earlier audit by its window too (story 4)."""
    now = workbook(tmp_path / "now.xlsx", start="01/04/2025", end="30/09/2025")
    autumn = workbook(tmp_path / "autumn.xlsx", start="01/10/2024", end="31/03/2025", plan_smart="No")
    spring = workbook(tmp_path / "spring.xlsx", start="01/04/2024", end="30/09/2024")
    audit = helpers.audit(now, Parameters(), [autumn, spring], key=KEY)
    names = audit.comparison["earlier_audit"].unique().tolist()
    assert names == ["Our audit (2024-10-01 to 2025-03-31)", "Our audit (2024-04-01 to 2024-09-30)"]
    assert [e["name"] for e in audit.reaudit["earlier"]] == names[::-1]  # oldest first
    smart = audit.comparison.set_index(["earlier_audit", "measure_id"]).loc[(names[0], "plan_smart")]
    assert (smart["earlier_numerator"], smart["numerator"]) == (0, 3)


def test_an_earlier_audit_ending_after_this_one_stops_unless_allowed(tmp_path):
    now = workbook(tmp_path / "now.xlsx", start="01/04/2025", end="30/09/2025")
    later = workbook(tmp_path / "later.xlsx", start="01/10/2025", end="31/03/2026")
    with pytest.raises(AuditInputError, match="after the window of the current audit"):
        helpers.audit(now, Parameters(), [later], key=KEY)
    assert len(helpers.audit(now, Parameters(), [later], key=KEY, allow_later=True).comparison) == 22


def test_a_window_given_as_a_parameter_replaces_the_sheets(tmp_path):
    raw = workbook(tmp_path / "ours.xlsx")
    audit = helpers.audit(raw, key=KEY, window=helpers.Window("01/04/2025", "30/04/2025"))
    assert audit.audit_id == "our-audit-2025-04-01-to-2025-04-30"
    assert len(audit.cleaned.cases) == 3
    with pytest.raises(AuditInputError, match="outside_terms_of_reference"):
        helpers.audit(raw, key=KEY, window=helpers.Window("01/05/2025", "31/05/2025"))


def test_after_reading_is_called_once_the_workbook_is_read_and_never_for_one_that_cannot_be(tmp_path, monkeypatch):
    """make report starts the notebooks' kernel there: after reading, before cleaning."""
    import helpers.spine as spine

    raw = workbook(tmp_path / "audit.xlsx")
    steps = []
    real_clean = spine.clean_raw_workbook
    monkeypatch.setattr(spine, "clean_raw_workbook", lambda *a, **k: steps.append("cleaned") or real_clean(*a, **k))
    helpers.audit(raw, key=KEY, after_reading=lambda: steps.append("read"))
    assert steps == ["read", "cleaned"]
    (tmp_path / "not-a-workbook.xlsx").write_text("case_ref,agency\n")
    with pytest.raises(AuditInputError):
        helpers.audit(tmp_path / "not-a-workbook.xlsx", key=KEY, after_reading=lambda: steps.append("read again"))
    assert steps == ["read", "cleaned"]
