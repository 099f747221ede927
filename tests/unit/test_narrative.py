"""Words from numbers: titles, sentences and comparisons true for any data."""
from __future__ import annotations

import pandas as pd

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
    text = narrative.sharing_rates_differ("66.7", Parameters())
    assert "(67%)" in text and "every report submitted" in text and "2 working days" in text
    assert "(" not in narrative.sharing_rates_differ("c", Parameters())


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
