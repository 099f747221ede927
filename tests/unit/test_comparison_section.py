"""The re-audit's report words, tables and record (issue 10): words follow verdicts, small counts withheld in the
published version, a question the earlier workbook lacked is `not comparable`, overlap stated."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from helpers.errors import AuditInputError
from helpers.measures import MEASURE_IDS
from helpers.measures.comparison import (
    MEASURE_COLUMNS,
    ComparedAudit,
    compare_audits,
    measures_lacking,
)
from helpers.report import comparison_section as cs
from helpers.report.disclosure import NOT_AVAILABLE, SUPPRESSED
from helpers.run.loaders import workbook_window_end

EARLIER, NOW = "Audit of spring 2024", "Audit of autumn 2025"


def findings(counts: dict[str, tuple[int, int]], default=(40, 80)) -> pd.DataFrame:
    """A findings table: every measure at `default` unless given (numerator, denominator)."""
    from helpers.measures import MEASURES, Parameters
    from helpers.measures.findings import wilson_interval

    rows = pd.DataFrame({"measure_id": [m.id for m in MEASURES], "kloe": [m.kloe for m in MEASURES],
                         "label": [m.label_for(Parameters()) for m in MEASURES]})
    rows["numerator"] = [counts.get(m, default)[0] for m in rows["measure_id"]]
    rows["denominator"] = [counts.get(m, default)[1] for m in rows["measure_id"]]
    rows["percent"] = 100 * rows["numerator"] / rows["denominator"].where(rows["denominator"] > 0)
    rows["ci_lower"], rows["ci_upper"] = wilson_interval(rows["numerator"], rows["denominator"])
    rows["not_applicable"] = rows["not_recorded"] = 0
    return rows


def audit(name, found, end, ids=(), key="aaaa1111", missing=(), recommendations=None, start=None):
    return ComparedAudit(name=name, findings=found, window_start=start, window_end=end,
                         case_ids=pd.Series(list(ids), dtype="string"), key_fingerprint=key,
                         missing_columns=tuple(missing), recommendations=recommendations)


CURRENT = findings({"eha_completed": (20, 80), "icpc_timely": (70, 80), "dissent_recorded": (3, 4)})
EARLIER_FINDINGS = findings({"eha_completed": (40, 80), "icpc_timely": (40, 80), "dissent_recorded": (2, 4)})
RECOMMENDATIONS = pd.DataFrame({"recommendation": ["Hold conferences on time", "Record dissent"],
                                "measures": ["icpc_timely", "dissent_recorded; plan_smart"],
                                "owner": ["Head of service", ""], "due_date": ["2025-01-31", "2030-01-01"],
                                "target": ["80", "90"], "status": ["In progress", "Complete"]})


@pytest.fixture()
def compared():
    current = audit(NOW, CURRENT, "2025-09-30", ids=["a", "b", "c"], start="2025-04-01")
    earlier = audit(EARLIER, EARLIER_FINDINGS, "2024-05-31", ids=["b", "c", "d"], missing=["plan_smart"],
                    recommendations=RECOMMENDATIONS, start="2024-01-01")
    return compare_audits(current, [earlier])


def test_every_measure_reads_known_columns_and_a_missing_one_makes_it_not_comparable(compared):
    assert set(MEASURE_COLUMNS) == set(MEASURE_IDS)
    assert measures_lacking(["plan_smart"]) == ["plan_smart"]
    assert measures_lacking(["attended"]) == ["professional_agreement", "dissent_recorded", "conference_quorate",
                                              "inquorate_reason_recorded"]
    table, record = compared
    row = table.set_index("measure_id").loc["plan_smart"]
    assert row["verdict"] == "not comparable" and pd.isna(row["earlier_denominator"])
    assert record["earlier"][0]["not_comparable_missing_column"] == ["plan_smart"]


def test_the_record_counts_children_in_both_audits_and_states_the_windows(compared):
    _, record = compared
    (earlier,) = record["earlier"]
    assert (earlier["overlapping_cases"], earlier["overlap_checked"], earlier["same_key"]) == (2, True, True)
    assert earlier["windows_overlap"] is False
    assert record["audit"]["cases"] == 3 and record["audit"]["window_end"] == "2025-09-30"


def test_under_different_keys_the_overlap_could_not_be_checked():
    _, record = compare_audits(audit(NOW, CURRENT, "2025-09-30", ids=["a"], key="aaaa1111"),
                               [audit(EARLIER, EARLIER_FINDINGS, "2024-05-31", ids=["b"], key="bbbb2222")])
    (earlier,) = record["earlier"]
    assert not earlier["overlap_checked"]
    words = cs.independence_sentences(record["audit"], earlier, "board")
    assert words[0].startswith("Overlap could not be checked")


def test_several_earlier_audits_most_recent_first_and_no_earlier_audit_writes_no_rows():
    older = audit("Audit of 2023", EARLIER_FINDINGS, "2023-05-31")
    recent = audit(EARLIER, EARLIER_FINDINGS, "2024-05-31")
    table, record = compare_audits(audit(NOW, CURRENT, "2025-09-30"), [older, recent])
    assert list(table["earlier_audit"].drop_duplicates()) == [EARLIER, "Audit of 2023"]
    assert [e["name"] for e in record["earlier"]] == ["Audit of 2023", EARLIER]
    empty, record = compare_audits(audit(NOW, CURRENT, "2025-09-30"), [])
    assert empty.empty and record["earlier"] == [] and record["audit"]["key_fingerprint"] == "aaaa1111"


def latest(compared):
    table, record = compared
    return cs.latest_rows(table, record, CURRENT).set_index("measure_id")


@pytest.mark.parametrize("measure, verdict, words", [
    ("icpc_timely", "higher", f"higher than in {EARLIER}"),
    ("eha_completed", "lower", f"lower than in {EARLIER}"),
    ("referral_reason_clear", "no clear change", "no clear change"),
    ("plan_smart", "not comparable", "did not ask this question"),
])
def test_words_follow_the_verdict_exactly(compared, measure, verdict, words):
    row = latest(compared).loc[measure]
    assert row["verdict"] == verdict
    sentence = cs.change_sentence(row.rename(None).to_frame().T.assign(measure_id=measure).iloc[0], EARLIER)
    assert words in sentence
    others = {"higher", "lower"} - {verdict}
    assert not any(f"{w} than" in sentence for w in others)
    assert "improv" not in sentence.replace(row["label"], "")


def test_a_change_within_its_interval_is_never_called_higher(compared):
    rows = latest(compared)
    unchanged = rows[rows["verdict"] == "no clear change"]
    for measure_id, row in unchanged.iterrows():
        sentence = cs.change_sentence(row, EARLIER)
        assert "higher than" not in sentence and "lower than" not in sentence, measure_id


def test_published_tables_withhold_small_counts_and_mark_a_question_not_asked(compared):
    table, record = compared
    rows = cs.latest_rows(table, record, CURRENT)
    board = cs.shown_rows(rows, "board").set_index(rows["measure_id"])
    published = cs.shown_rows(rows, "published").set_index(rows["measure_id"])
    assert board.loc["dissent_recorded", "counts"] == "3 / 4"
    assert published.loc["dissent_recorded", "counts"] == SUPPRESSED
    # The verdict is not a count: withholding the figures never changes the claim (issue 22).
    assert published.loc["dissent_recorded", ["difference", "verdict"]].tolist() == \
        [SUPPRESSED, board.loc["dissent_recorded", "verdict"]]
    assert board.loc["plan_smart", "earlier_counts"] == NOT_AVAILABLE
    assert published.loc["icpc_timely", "counts"] == "70 / 80"
    # The change printed is the difference of the one-decimal percentages printed beside it.
    assert board.loc["icpc_timely", "difference"] == "+37.5"


def test_summary_names_the_measures_by_verdict_and_the_recommendations_progress(compared):
    table, record = compared
    sentence = cs.summary_sentence(table, record, CURRENT, "board")
    assert "1 measure is higher (ICPC within" in sentence
    assert "1 measure is lower (Early help assessment completed)" in sentence
    assert "1 measure could not be compared (Plan SMART)" in sentence
    assert "Of its 2 recommendations, 1 is complete and 1 overdue" in sentence
    published = cs.summary_sentence(table, record, CURRENT, "published")
    assert published == sentence  # the same verdicts: no figure stands in this sentence
    assert cs.summary_sentence(None, None, CURRENT, "board") == ""


def test_the_section_gives_progress_and_overlap_and_a_trend_only_with_three_audits(compared):
    table, record = compared
    html = cs.since_last_audit_section(table, record, CURRENT, "board", today=pd.Timestamp("2026-01-01"))
    assert 'id="since-last-audit"' in html and "In progress (overdue)" in html
    assert "the due date had passed on 1 January 2026, when this report was made" in html
    assert "number of children in both audits (the same pseudonymised case id) is 2." in html
    assert "Over the audits" not in html
    assert "Record dissent" in html and "no measure named" not in html
    three = compare_audits(audit(NOW, CURRENT, "2025-09-30"),
                           [audit("Audit of 2023", EARLIER_FINDINGS, "2023-05-31"),
                            audit(EARLIER, EARLIER_FINDINGS, "2024-05-31")])
    html = cs.since_last_audit_section(*three, CURRENT, "published")
    assert "Over the audits" in html and "set out no recommendations" in html


def test_the_later_window_check_reads_the_audit_sheet_or_the_parameter(tmp_path):
    from helpers.measures.comparison import check_earlier_before_current
    from helpers.run.demo import build_earlier_demo, write_workbook

    path = write_workbook(build_earlier_demo(), tmp_path / "earlier.xlsx")
    assert workbook_window_end(path) == pd.Timestamp("2025-03-31")
    assert workbook_window_end(path, window_end="01/01/2026") == pd.Timestamp("2026-01-01")
    with pytest.raises(AuditInputError, match="earlier.xlsx has a window ending 31/03/2025"):
        check_earlier_before_current("earlier.xlsx", workbook_window_end(path), "now.xlsx", pd.Timestamp("2024-12-31"))


def test_published_comparison_shows_this_audits_figures_as_the_whole_report_decided(compared):
    """A count the report-wide decision withholds (for example a secondary suppression of a count above 5) is
    withheld in the comparison too, and its change with it: nothing the other tables protect leaks. The verdict
    stays (issue 22: withholding a figure never changes a statement into a different claim)."""
    from helpers.report.disclosure import measure_key

    table, record = compared
    rows = cs.latest_rows(table, record, CURRENT)
    withheld = {measure_key("eha_completed", "met"), measure_key("eha_completed", "assessed")}
    current = cs.current_shown(CURRENT, "published", withheld)
    shown = cs.shown_rows(rows, "published", current).set_index(rows["measure_id"])
    assert shown.loc["eha_completed", "counts"] == SUPPRESSED
    assert shown.loc["eha_completed", "percent"] == SUPPRESSED
    assert shown.loc["eha_completed", "difference"] == SUPPRESSED
    assert shown.loc["eha_completed", "verdict"] == rows.set_index("measure_id").loc["eha_completed", "verdict"]
    # Without the report-wide decision the same row stands alone, and 20 of 80 would be shown.
    alone = cs.shown_rows(rows, "published").set_index(rows["measure_id"])
    assert alone.loc["eha_completed", "counts"] == "20 / 80"
    assert shown.loc["icpc_timely", "counts"] == "70 / 80"
    assert cs.current_shown(CURRENT, "board", withheld) is None
    html = cs.since_last_audit_section(table, record, CURRENT, "published", withheld=withheld)
    assert "20 / 80" not in html


def test_sentences_name_the_earlier_audit_by_its_months_once_the_section_gave_its_title(compared):
    table, record = compared
    html = cs.since_last_audit_section(table, record, CURRENT, "board", today=pd.Timestamp("2026-01-01"))
    assert html.count(EARLIER) >= 1
    assert "lower than in the audit of January 2024 to May 2024" in html
    assert cs.short_name({"name": EARLIER, "window_start": None, "window_end": "2024-05-31"}) == EARLIER
    summary = cs.summary_sentence(table, record, CURRENT, "board")
    assert "Since the last audit (January 2024 to May 2024), of all 22 measures:" in summary


def test_the_chart_title_and_the_summary_each_say_which_measures_they_count(compared):
    table, record = compared
    rows = cs.latest_rows(table, record, CURRENT)
    key = rows[(rows["kloe"] != "secondary") & (rows["verdict"] != "not comparable")]
    title = cs.change_chart_title(key)
    assert title.startswith("Key-line measures: ") and title.endswith("no clear change")
    counts = [int(n) for n in re.findall(r"(\d+) (?:higher|lower|no clear)", title)]
    assert sum(counts) == len(key)
    assert f"of all {len(rows)} measures:" in cs.summary_sentence(table, record, CURRENT, "board")


def test_the_change_in_points_is_rounded_once_from_the_counts():
    row = pd.Series({"label": "X", "verdict": "higher", "numerator": 25, "denominator": 40,
                     "earlier_numerator": 0, "earlier_denominator": 1, "difference": 62.5,
                     "difference_ci_lower": 40.04, "difference_ci_upper": 75.0})
    sentence = cs.change_sentence(row, "the last audit")
    assert "63% now against 0%" in sentence and "a change of +63 points" in sentence
    exact = cs.exact_difference(pd.Series({"numerator": 249, "denominator": 400, "earlier_numerator": 0,
                                           "earlier_denominator": 1}))
    assert cs._points(exact) == "+62.3"
    assert cs._whole_points(-2.5) == "-3" and cs._points(-0.04) == "+0.0"


def test_the_summary_gives_each_verdict_its_own_line_read_as_a_list(compared):
    from helpers.report.board_paper import lines_html

    table, record = compared
    text = cs.summary_sentence(table, record, CURRENT, "board")
    lines = text.split("\n")
    assert lines[0].startswith("Since the last audit (January 2024 to May 2024), of all 22 measures:")
    assert "- 1 measure is higher (ICPC within" in text and "- 1 measure is lower (Early help" in text
    assert lines[-1].startswith("Of its 2 recommendations")
    html = lines_html(text)
    assert html.startswith("<p>Since the last audit") and html.count("<ul>") == 1
    assert "<li>1 measure is lower (Early help assessment completed)</li>" in html
    assert html.endswith("measure targets are now met.</p>")
