"""Spec section 3b, issue 22: the last audit's recommendations carried forward into this audit's workbook."""
from __future__ import annotations

import pandas as pd
from test_comparison_section import CURRENT, EARLIER, EARLIER_FINDINGS, NOW, RECOMMENDATIONS, audit

from helpers.domain.measures import Parameters
from helpers.measures.comparison import THIS_AUDIT, carried_forward, compare_audits, latest_listing
from helpers.report import board_paper
from helpers.report import comparison_section as cs
from helpers.report.sections import recommendations_section

# This audit's sheet lists the first earlier recommendation again (written differently, now complete, a new
# owner, due date and target) beside one new recommendation.
THIS_SHEET = pd.DataFrame({"recommendation": ["  hold conferences ON TIME.", "Invite fathers"],
                           "measures": ["icpc_timely", "father_invited"], "owner": ["Conference chair", "IRO lead"],
                           "due_date": ["2026-06-30", "2026-09-30"], "target": ["85", ""],
                           "status": ["Complete", "Not started"], "raised": ["", ""]})


def test_the_latest_workbook_that_lists_a_recommendation_gives_its_owner_due_date_target_and_status():
    latest = latest_listing(RECOMMENDATIONS, EARLIER, [("Audit in between", RECOMMENDATIONS.assign(
        status="Not started", owner="Someone")), (THIS_AUDIT, THIS_SHEET)])
    first, second = latest.iloc[0], latest.iloc[1]
    assert (first["owner"], first["due_date"], first["target"], first["status"], first["status_from"]) == \
        ("Conference chair", "2026-06-30", "85", "Complete", THIS_AUDIT)
    # Listed again only by the audit in between: that one is the latest to list it.
    assert (second["owner"], second["status"], second["status_from"]) == ("Someone", "Not started",
                                                                          "Audit in between")
    assert latest["recommendation"].tolist() == RECOMMENDATIONS["recommendation"].tolist()  # text as raised
    alone = latest_listing(RECOMMENDATIONS, EARLIER, [])
    assert (alone["status_from"] == EARLIER).all() and alone["status"].tolist() == ["In progress", "Complete"]


def test_a_carried_forward_recommendation_is_not_counted_again_as_new():
    marked = carried_forward(THIS_SHEET, [RECOMMENDATIONS])
    assert marked.tolist() == [True, False]
    # Without the earlier workbook, the `raised` column says it.
    assert carried_forward(THIS_SHEET.assign(raised=["", "Audit of 2024"]), []).tolist() == [False, True]
    summary = board_paper.executive_summary(CURRENT, THIS_SHEET, Parameters(), 80, carried_forward=marked)
    assert "agree 1 new recommendation and 1 carried forward from an earlier audit" in summary
    assert "hold conferences ON TIME. (carried forward)" in summary
    section = recommendations_section(THIS_SHEET.assign(raised=["Audit of spring 2024", ""]), CURRENT, "board",
                                      carried_forward=marked)
    assert "Carried forward from Audit of spring 2024." in section and section.count("Carried forward") == 1


def test_the_progress_table_uses_the_current_status_and_says_where_it_came_from():
    table, record = compare_audits(audit(NOW, CURRENT, "2025-09-30", recommendations=THIS_SHEET),
                                   [audit(EARLIER, EARLIER_FINDINGS, "2024-05-31", recommendations=RECOMMENDATIONS)])
    assert record["audit"]["carried_forward"] == 1
    html = cs.since_last_audit_section(table, record, CURRENT, "board", today=pd.Timestamp("2026-01-01"))
    progress = html[html.index("Progress on the last audit"):]
    assert "Conference chair" in progress and "30/06/2026" in progress and "Head of service" not in progress
    assert "this audit</td>" in progress and "last audit</td>" in progress
    assert "list the last audit&#x27;s recommendations again in this audit&#x27;s Recommendations sheet" in progress
    sentence = cs.summary_sentence(table, record, CURRENT, "board")
    assert "Of its 2 recommendations, 2 are complete and 0 overdue" in sentence
    assert cs.carried_forward_of(THIS_SHEET, record).tolist() == [True, False]
