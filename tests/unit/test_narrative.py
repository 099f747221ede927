"""Words from numbers: titles, sentences and comparisons true for any data."""
from __future__ import annotations

import html
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.report import charts, narrative


def finding(measure_id="plan_smart", label="Plan SMART", numerator=41, denominator=98, percent=41.8,
            lower=33.0, upper=51.2, not_applicable=0, not_recorded=2):
    return pd.Series({"measure_id": measure_id, "label": label, "numerator": numerator, "denominator": denominator,
                      "percent": percent, "ci_lower": lower, "ci_upper": upper, "not_applicable": not_applicable,
                      "not_recorded": not_recorded})


def test_measure_sentence():
    text = narrative.measure_sentence(finding())
    # Prose gives whole percentages; tables keep one decimal place.
    assert text == ("In 42% of cases (41 of 98) the plan was SMART (95% interval 33% to 51%). "
                    "Not counted: 2 with no answer recorded.")
    assert "Not counted" not in narrative.measure_sentence(finding(), show_exclusions=False)


def test_measure_sentence_with_nothing_to_measure():
    row = finding(numerator=0, denominator=0, percent=float("nan"), lower=float("nan"), upper=float("nan"))
    assert narrative.measure_sentence(row).startswith("No included case could be assessed")


def test_titles_state_one_finding_in_twelve_words_or_fewer():
    low = finding("eha_completed", "Early help assessment completed", 23, 100, 23.0, 16.2, 31.7)
    high = finding("plan_linked_to_needs", "Plan linked to presenting needs", 90, 100, 90.0, 83.0, 94.3)
    near = finding("plan_progress_monitored", "Progress of the plan monitored", 85, 100, 85.0, 76.7, 90.7)
    title = narrative.chart_title(pd.DataFrame([low, high]))
    assert title == "Early help assessment completed in 23% of cases, the lowest"
    # Overlapping intervals: the lowest is stated, not called the lowest; never a range.
    assert narrative.chart_title(pd.DataFrame([near, high])) == "Progress of the plan monitored in 85% of cases"
    for rows in ([low, high], [near, high]):
        title = narrative.chart_title(pd.DataFrame(rows))
        assert len(title.split()) <= narrative.MAX_TITLE_WORDS and " to " not in title


def test_small_and_unknown_groups_are_never_highest_or_lowest():
    groups = pd.DataFrame({"group": ["A", "B", "Not known", "C"], "met": [45, 5, 1, 0], "assessed": [50, 50, 1, 9],
                           "percent": [90.0, 10.0, 100.0, 0.0], "ci_lower": [78.6, 4.3, 20.7, 0.0],
                           "ci_upper": [95.7, 21.4, 100.0, 29.9]})
    sentence = narrative.group_comparison(groups, "group", "X")
    assert "higher for A (90%) than for B (10%)" in sentence and "Not known" not in sentence and "C (" not in sentence
    assert "too few groups with 10 or more cases" in narrative.group_comparison(groups.iloc[1:], "group", "X")


def test_the_sharing_rates_sentence_says_why_they_differ():
    from helpers.domain.measures import Parameters
    text = narrative.sharing_rates_differ(narrative.whole_percent(2, 3), Parameters())
    assert "(67%)" in text and "every report submitted" in text and "2 working days" in text
    assert "(" not in narrative.sharing_rates_differ(None, Parameters())


def test_definitions_and_settings_have_no_signs_or_code_names():
    from dataclasses import asdict

    from helpers.domain.measures import MEASURES, Parameters
    from helpers.report import sections
    assert all("<=" not in narrative.plain_definition(m.definition) and ">=" not in
               narrative.plain_definition(m.definition) for m in MEASURES)
    words = sections.settings_in_words(asdict(Parameters()))
    assert set(sections.SETTING_WORDS) == set(asdict(Parameters()))  # a new setting needs its words
    assert not words["Setting"].str.contains("_").any()


def test_group_comparison_only_calls_separated_intervals_a_difference():
    groups = pd.DataFrame({"group": ["A", "B"], "met": [45, 5], "assessed": [50, 50], "percent": [90.0, 10.0],
                           "ci_lower": [78.6, 4.3], "ci_upper": [95.7, 21.4]})
    assert "higher for A (90%) than for B (10%)" in narrative.group_comparison(groups, "group", "X")
    close = groups.assign(met=[6, 5], assessed=[10, 10], percent=[60.0, 50.0], ci_lower=[31.3, 23.7],
                          ci_upper=[83.2, 76.3])
    assert "too few cases to tell" in narrative.group_comparison(close, "group", "X")
    assert "too few groups" in narrative.group_comparison(close.iloc[:1], "group", "X")


def test_alt_text_gives_every_number():
    text = charts.alt_text(pd.DataFrame([finding()]), "planning measures")
    assert text == ("Horizontal bar chart of planning measures. Plan SMART: 41.8% (41 of 98 cases; "
                    "95% interval 33.0% to 51.2%).")


def test_figure_html_embeds_the_png_with_its_title_alt_and_caption():
    figure = charts.build_chart(pd.DataFrame([finding()]))
    html = charts.figure_html(figure, "Plan SMART in 42% of cases", 'alt "quoted"', "caption <b>")
    assert html.startswith('<figure class="chart"><p class="chart-title">Plan SMART in 42% of cases</p>'
                           '<img src="data:image/png;base64,')
    assert 'alt="alt &quot;quoted&quot;"' in html and "<figcaption>caption &lt;b&gt;</figcaption>" in html


def test_chart_png_is_reproducible():
    rows = pd.DataFrame([finding()])
    first = charts.figure_png(charts.build_chart(rows))
    assert first == charts.figure_png(charts.build_chart(rows))


def test_chart_png_drawn_once_is_what_savefig_writes_and_records_the_tick_labels_size():
    import io

    from PIL import Image

    rows = pd.DataFrame([finding(), finding(measure_id="plan_progress_monitored", label="Plan progress monitored")])
    figure = charts.build_chart(rows)
    figure.canvas.draw()
    saved = io.BytesIO()
    figure.savefig(saved, format="png", dpi=charts.DPI,
                   metadata={"Software": None, charts.TEXT_SIZE_KEY: f"{charts.smallest_text_pt(figure):g}"})
    assert charts.figure_png(charts.build_chart(rows)) == saved.getvalue()
    with charts.plt.rc_context({"xtick.labelsize": 7}):  # tick labels exist only in a drawn figure
        recorded = Image.open(io.BytesIO(charts.figure_png(charts.build_chart(rows)))).text[charts.TEXT_SIZE_KEY]
    assert recorded == "7"


# --- one rounding for every percentage (issue: wrong whole-number percentages) ------------------

def test_whole_percent_rounds_half_up_from_the_unrounded_counts():
    # 48/82 = 58.54% (findings.csv: 58.5), 5/11 = 45.45% (45.5), 25/40 = 62.5% exactly.
    assert narrative.whole_percent(48, 82) == "59%"
    assert narrative.whole_percent(5, 11) == "45%"
    assert narrative.whole_percent(25, 40) == "63%"
    assert narrative.whole_percent(1, 8) == "13%" and narrative.whole_percent(0, 7) == "0%"
    # Tables: one decimal, half up from the counts (a float 62.25 rounds half-even to 62.2).
    assert narrative.table_percent(pd.Series([249, 1, 3]), pd.Series([400, 16, 0])).tolist()[:2] == [62.3, 6.3]
    assert pd.isna(narrative.table_percent(pd.Series([3]), pd.Series([0])).iloc[0])
    # A limit or a census rate has no counts: half up from its decimal value, as its table shows it.
    assert narrative.whole_of(62.5) == "63%" and narrative.whole_of(33.4) == "33%"
    assert narrative.standard_text(80.0) == "80%" and narrative.standard_text(62.5) == "62.5%"


def test_sentences_charts_and_titles_use_the_counts_not_the_rounded_percent():
    row = finding("plan_smart", "Plan SMART", 48, 82, 58.5, 47.7, 68.6, 0, 0)
    assert narrative.measure_sentence(row).startswith("In 59% of cases (48 of 82)")
    assert charts._bar_label(row).startswith("59%")
    assert narrative.chart_title(pd.DataFrame([row])) == "Plan SMART in 59% of cases"
    five = finding("eha_completed", "Early help assessment completed", 5, 11, 45.5, 21.3, 72.0, 0, 0)
    assert "In 45% of cases" in narrative.measure_sentence(five)


EXACT = Decimal(1)


def exact_half_up(numerator: int, denominator: int) -> str:
    """The oracle: 100 n / d to 60 significant digits, quantized half up (ties are exact at this precision)."""
    with localcontext() as context:
        context.prec = 60
        return f"{(Decimal(100 * numerator) / Decimal(denominator)).quantize(EXACT, rounding=ROUND_HALF_UP)}%"


@st.composite
def counts(draw):
    denominator = draw(st.integers(1, 400))
    return draw(st.integers(0, denominator)), denominator


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts())
def test_the_whole_number_is_exact_half_up_and_the_same_everywhere_it_appears(pair):
    from helpers.domain.measures import MEASURES_BY_ID, Parameters
    from helpers.measures.findings import wilson_interval
    from helpers.report import board_paper, comparison_section, sections

    numerator, denominator = pair
    expected = exact_half_up(numerator, denominator)
    assert narrative.whole_percent(numerator, denominator) == expected
    lower, upper = wilson_interval(pd.Series([float(numerator)]), pd.Series([float(denominator)]))
    measure = MEASURES_BY_ID["plan_smart"]
    row = pd.Series({"measure_id": "plan_smart", "kloe": measure.kloe, "label": measure.label_for(Parameters()),
                     "numerator": numerator, "denominator": denominator,
                     "percent": round(100 * numerator / denominator, 1), "ci_lower": round(lower.iloc[0], 1),
                     "ci_upper": round(upper.iloc[0], 1), "not_applicable": 0, "not_recorded": 0})
    findings = pd.DataFrame([row])
    places = {
        "sentence": narrative.measure_sentence(row),
        "chart label": charts._bar_label(row),
        "chart title": narrative.chart_title(findings),
        "summary": board_paper.executive_summary(findings, pd.DataFrame(), Parameters(), denominator),
        "evidence": sections.recommendations_section(
            pd.DataFrame({"recommendation": ["Make plans SMART"], "measures": ["plan_smart"], "target": [""]}),
            findings, "board"),
        "comparison": comparison_section.change_sentence(
            pd.concat([row, pd.Series({"earlier_numerator": 0, "earlier_denominator": 1, "verdict": "no clear change",
                                       "difference_ci_lower": -1.0, "difference_ci_upper": 1.0})]), "the last audit"),
    }
    for place, text in places.items():
        shown = re.findall(r"(?<![\d.])(\d+)%", text)
        assert shown and shown[0] + "%" == expected, (place, text, expected)


# --- group sentences ----------------------------------------------------------------------------

GROUPS = pd.DataFrame({"group": ["Under 1", "1-4", "16+", "Not known"], "met": [12, 5, 5, 2],
                       "assessed": [20, 12, 7, 2], "percent": [60.0, 41.7, 71.4, 100.0],
                       "ci_lower": [38.7, 19.3, 35.9, 34.2], "ci_upper": [78.1, 68.0, 91.8, 100.0]})


def test_a_group_sentence_says_it_ranks_only_known_groups_of_10_or_more():
    sentence = narrative.group_comparison(GROUPS, "group", "Progress of the plan monitored")
    assert sentence.startswith("Progress of the plan monitored, among the known groups with 10 or more cases: "
                               "highest for Under 1 (60%) and lowest for 1-4 (42%)")


def test_when_a_rankable_group_is_withheld_the_ranking_is_withheld_and_said_so():
    published = pd.Series([True, False, True, True])  # 1-4 (12 cases) is withheld
    sentence = narrative.group_comparison(GROUPS, "group", "X", published)
    assert sentence == narrative.ranking_withheld("X")
    assert "which group is highest and which lowest is withheld" in sentence and "Under 1" not in sentence
    # Withholding only small or unknown groups changes nothing.
    shown = narrative.group_comparison(GROUPS, "group", "X", pd.Series([True, True, False, False]))
    assert shown == narrative.group_comparison(GROUPS, "group", "X")
    # Too few groups is said only when they do not exist.
    assert "too few groups" in narrative.group_comparison(GROUPS.iloc[1:], "group", "X",
                                                          pd.Series([True, True, True], index=[1, 2, 3]))


# --- the executive summary --------------------------------------------------------------------

def summary_findings(pairs):
    from helpers.domain.measures import MEASURES, SECONDARY, Parameters
    from helpers.measures.findings import wilson_interval

    key = [m for m in MEASURES if m.kloe != SECONDARY][:len(pairs)]
    frame = pd.DataFrame({"measure_id": [m.id for m in key], "kloe": [m.kloe for m in key],
                          "label": [m.label_for(Parameters()) for m in key],
                          "numerator": [n for n, _ in pairs], "denominator": [d for _, d in pairs]})
    frame["percent"] = (100 * frame["numerator"] / frame["denominator"]).round(1)
    lower, upper = wilson_interval(frame["numerator"].astype(float), frame["denominator"].astype(float))
    frame["ci_lower"], frame["ci_upper"] = lower.round(1), upper.round(1)
    frame["not_applicable"] = frame["not_recorded"] = 0
    return frame


def test_summary_lists_areas_lowest_first_and_names_no_lowest_measure_twice():
    from helpers.domain.measures import Parameters
    from helpers.report import board_paper

    findings = summary_findings([(30, 100), (10, 100), (95, 100), (75, 100)])
    recommendations = pd.DataFrame({"recommendation": ["Do better"], "measures": [""], "target": [""]})
    html_text = html.unescape(board_paper.executive_summary(findings, recommendations, Parameters(), 100))
    areas = html_text[html_text.index("Areas for improvement"):]
    listed = re.findall(r"<li>(.*?):", areas.split("</ul>")[0])
    assert listed == [findings.loc[i, "label"] for i in (1, 0)]  # 10% then 30%: lowest first
    assert "The lowest measures were" not in html_text
    # The third lowest (75%) is not clearly below 80%: named once as among the lowest.
    assert f"Also among the lowest, not clearly below the standard: {findings.loc[3, 'label']}: 75%" in html_text
    for label in findings["label"]:
        assert html_text.count(label) <= 1, label
    # The ask is linked from the first lines, before the lists.
    assert html_text.index('href="#board-asks"') < html_text.index("Strengths")
    assert 'id="board-asks"' in html_text
