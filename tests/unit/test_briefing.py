"""Issue 22: the practitioner briefing's words, figures and reading ease (its printing: tests/end_to_end/test_print)."""
from __future__ import annotations

import re
from html import unescape

import pytest

from briefing_inputs import CASES, RECOMMENDATIONS, every_measure_low, worst_case_inputs
from helpers.domain.measures import MEASURES, Parameters
from helpers.report import briefing
from helpers.report.disclosure import WITHHELD_WORDS
from helpers.report.readability import flesch_reading_ease, plain_text, syllables

PLAIN_ENGLISH = 60  # Flesch reading ease of 60 to 70 is plain English; higher reads more easily


def test_every_measure_declares_one_plain_sentence_for_practitioners():
    for measure in MEASURES:
        sentence = measure.practice_for(Parameters(icpc_working_days=20))
        assert sentence.endswith(".") and sentence.count(". ") == 0 and len(sentence.split()) <= 22, measure.id
        assert "{" not in sentence
    assert "20 working days" in next(m for m in MEASURES if m.id == "icpc_timely").practice_for(
        Parameters(icpc_working_days=20))


def test_one_sentence_per_area_for_improvement_lowest_first():
    inputs = worst_case_inputs()
    findings = inputs["findings"]
    findings.loc[findings["measure_id"] == "father_invited", "numerator"] = 3  # the lowest
    said = briefing.practice_sentences(findings, RECOMMENDATIONS, Parameters())
    assert len(said) == 22 and said[0] == "Find the child's father and invite him to the conference."
    none_below = briefing.practice_sentences(every_measure_low(met=CASES), RECOMMENDATIONS, Parameters())
    assert none_below == []


def test_the_strongest_and_weakest_are_published_figures_as_whole_percentages_of_children():
    inputs = worst_case_inputs()
    findings = inputs["findings"]
    for measure_id, met in (("plan_smart", 50), ("icpc_timely", 2), ("eha_completed", 31), ("child_views_heard", 7),
                            ("plan_linked_to_needs", 59)):
        findings.loc[findings["measure_id"] == measure_id, "numerator"] = met
    html = briefing.briefing_body(inputs, "a-published.html")
    found = [unescape(item) for item in re.findall(r"<li>([^<]*of children[^<]*)</li>", html)]
    assert found[0] == "Plan SMART: 83% of children (50 of 60)"  # 83.3%, rounded once from the counts
    assert found[1] == "Early help assessment completed: 52% of children (31 of 60)"
    assert found[3] == "Child's views heard: 12% of children (7 of 60)"  # the weakest first
    # 2 of 60, and 59 of 60 (1 not met), are withheld in the published version: never ranked, never printed.
    assert "ICPC within" not in " ".join(found) and "Plan linked" not in " ".join(found)
    assert WITHHELD_WORDS not in html
    assert len(found) == 6


def test_a_small_audit_names_no_finding_it_would_have_to_withhold():
    inputs = {**worst_case_inputs(), "findings": every_measure_low(cases=8, met=3), "included_cases": 8}
    html = briefing.briefing_body(inputs)
    assert "Too few cases could be assessed" in html and not re.findall(r"<li>[^<]*of children", html)


def test_the_briefing_is_one_self_contained_document_with_its_sections():
    document = briefing.briefing_document(worst_case_inputs(), "a-published.html")
    assert document.count("<h1>") == 1 and '<html lang="en">' in document
    assert re.findall(r"<h2>(.*?)</h2>", document) == ["What the audit looked at", "What it found",
                                                       "What the partnership will do", "What you can do differently",
                                                       "Read more"]
    assert "http" not in document.replace("http-equiv", "") and "<script" not in document
    assert "a-published.html" in document and RECOMMENDATIONS["recommendation"][9] in document


def test_reading_ease_is_flesch_s_formula():
    assert syllables("cat") == 1 and syllables("conference") == 3
    # 6 words, 1 sentence, 6 syllables: 206.835 - 1.015 x 6 - 84.6 x 1
    assert flesch_reading_ease("The cat sat on the mat.") == pytest.approx(116.145)
    assert plain_text("<h2>Read</h2><ul><li>One thing.</li><li>Two</li></ul>") == "Read\nOne thing.\nTwo"


def test_the_worst_case_briefing_reads_as_plain_english():
    score = flesch_reading_ease(plain_text(briefing.briefing_document(worst_case_inputs(), "a-published.html")))
    assert score >= PLAIN_ENGLISH, score
