"""Issue 22: the board paper, its published version and the briefing printed to A4 PDF, each rule measured.

`make report` prints every PDF itself (one browser per run); these tests read the PDFs of three runs, made once
per session: the demo, the demo re-audit and a 30-case audit. The briefing's worst case (22 measures, every one
an area for improvement) is printed once here.
"""
from __future__ import annotations

import dataclasses
import json
import os

import pytest

import print_rules as rules
from briefing_inputs import worst_case_inputs
from browser import INSTALL_HINT, axe_violations
from conftest import run_pipeline
from helpers.report.briefing import briefing_document
from helpers.report.pdf import chromium_path, print_pdfs
from helpers.report.readability import flesch_reading_ease, plain_text

pytestmark = pytest.mark.slow
AUDITS = ("demo", "reaudit", "thirty")
VERSIONS = ("board", "published")
BRIEFING_PAGES = 2
PLAIN_ENGLISH = 60


def require_chromium():
    if chromium_path() is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required here (REQUIRE_BROWSER is set): {INSTALL_HINT}")
        pytest.skip(f"Chromium not found: {INSTALL_HINT}")


def thirty_cases(demo):
    """The demo's first 30 cases and their returns, as a smaller audit with its own title."""
    ref = lambda row: (row or {}).get("case_ref")  # noqa: E731
    refs = list(dict.fromkeys(ref(r) for r in demo.cases if ref(r)))[:30]
    audit = [[f, "SYNTHETIC 30-case audit of child protection conferences" if f == "audit_title" else v]
             for f, v in demo.audit]
    return dataclasses.replace(demo, cases=[r for r in demo.cases if ref(r) in refs],
                               returns=[r for r in demo.returns if ref(r) in refs], audit=audit)


@pytest.fixture(scope="session")
def thirty_run(tmp_path_factory):
    from helpers.run.demo import build_demo, write_workbook

    workdir = tmp_path_factory.mktemp("thirty")
    return run_pipeline(workdir, write_workbook(thirty_cases(build_demo()), workdir / "SYNTHETIC_30.xlsx"))


class Printed:
    """One run's printed outputs: {version: (html text, pdf path, pages)} and its title."""

    def __init__(self, workdir):
        (folder,) = [p for p in (workdir / "reports").iterdir() if p.is_dir()]
        self.title = json.loads((workdir / "processed" / folder.name / "audit.json").read_text())["audit_title"]
        names = {"board": f"{folder.name}", "published": f"{folder.name}-published",
                 "briefing": f"{folder.name}-briefing"}
        self.files = {}
        for version, name in names.items():
            pdf = folder / f"{name}.pdf"
            assert pdf.exists(), f"make report printed no {pdf.name}"
            self.files[version] = ((folder / f"{name}.html").read_text(), pdf, rules.read_pages(pdf))

    def footer_title(self, version: str) -> str:
        return {"board": self.title, "published": f"{self.title} (published version)",
                "briefing": f"Learning briefing: {self.title}"}[version]


@pytest.fixture(scope="session")
def printed(request):
    require_chromium()
    runs = {"demo": "demo_run", "reaudit": "reaudit_run", "thirty": "thirty_run"}
    return {audit: Printed(request.getfixturevalue(fixture)) for audit, fixture in runs.items()}


@pytest.mark.parametrize("audit", AUDITS)
@pytest.mark.parametrize("version", VERSIONS)
def test_every_chart_prints_its_text_at_8_pt_or_more(printed, audit, version):
    html, _, pages = printed[audit].files[version]
    sizes = rules.chart_text_sizes(html, pages)
    assert len(sizes) >= 5
    assert min(sizes) >= rules.SMALLEST_PT, sizes


@pytest.mark.parametrize("audit", AUDITS)
@pytest.mark.parametrize("version", VERSIONS + ("briefing",))
def test_every_page_has_the_title_and_its_number_in_the_footer(printed, audit, version):
    _, _, pages = printed[audit].files[version]
    assert rules.footers_missing(pages, printed[audit].footer_title(version)) == []
    assert rules.smallest_text(pages) >= rules.SMALLEST_PT - 0.01  # the footer is the smallest text, at 8 pt


@pytest.mark.parametrize("audit", AUDITS)
@pytest.mark.parametrize("version", VERSIONS + ("briefing",))
def test_no_heading_ends_a_page(printed, audit, version):
    assert rules.headings_ending_a_page(printed[audit].files[version][2]) == []


@pytest.mark.parametrize("audit", AUDITS)
@pytest.mark.parametrize("version", VERSIONS + ("briefing",))
def test_no_table_shorter_than_a_page_is_split(printed, audit, version):
    html, _, pages = printed[audit].files[version]
    assert rules.split_tables(html, pages) == []


@pytest.mark.parametrize("audit", AUDITS)
@pytest.mark.parametrize("version", VERSIONS + ("briefing",))
def test_no_page_but_the_last_of_a_section_is_more_than_a_third_blank(printed, audit, version):
    assert rules.mostly_blank_pages(printed[audit].files[version][2]) == []


def test_the_print_rules_catch_what_they_look_for():
    """The measurements themselves: a split table, a heading ending a page, a blank page are found."""
    area = (rules.TOP, 800.0)
    page = lambda number, lines, bottom, images=(): rules.PrintedPage(  # noqa: E731
        number, lines, bottom, area[0], area[1], list(images), "", 9.6)
    html = ("<table><caption>Plans by age</caption><tbody><tr><th>Under 1</th></tr>"
            "<tr><th>Not known</th></tr></tbody></table>")
    split = [page(1, [(700, 9.6, "Plans by age"), (720, 9.6, "Under 1")], 730),
             page(2, [(60, 9.6, "Not known"), (80, 12.96, "Method")], 90)]
    assert rules.split_tables(html, split) == ["pages 1 to 2: Plans by age (46 mm)"]
    whole = [page(1, [(60, 9.6, "Plans by age"), (80, 9.6, "Under 1"), (100, 9.6, "Not known")], 110)]
    assert rules.split_tables(html, whole) == []
    assert rules.headings_ending_a_page(split[:1] + [page(2, [(60, 12.96, "Glossary")], 70)]) == []
    ending = [page(1, [(60, 9.6, "Text"), (700, 11.52, "Secondary measures")], 715), page(2, [], 60)]
    assert rules.headings_ending_a_page(ending) == ["page 1: Secondary measures"]
    with_chart_below = dataclasses.replace(ending[0], images=[{"top": 720}])  # the title's chart follows it
    assert rules.headings_ending_a_page([with_chart_below, ending[1]]) == []
    assert rules.mostly_blank_pages([whole[0], page(2, [(60, 9.6, "More text")], 700)]) == ["page 1: 91% blank"]
    assert rules.mostly_blank_pages([whole[0], page(2, [(60, 12.96, "Method")], 700)]) == []  # a section ends
    footer_at_7 = dataclasses.replace(whole[0], smallest_size=7.0)
    assert rules.smallest_text([footer_at_7, split[1]]) == 7.0


# --- the briefing ------------------------------------------------------------------------

@pytest.fixture(scope="session")
def worst_briefing(tmp_path_factory):
    """The briefing of a 22-measure audit where every measure is an area for improvement, printed."""
    require_chromium()
    folder = tmp_path_factory.mktemp("briefing")
    html = folder / "worst-briefing.html"
    html.write_text(briefing_document(worst_case_inputs(), "a-22-measure-audit-published.html"))
    (pdf,) = print_pdfs([(html, folder / "worst-briefing.pdf", "Learning briefing: A 22-measure audit")])
    return html, pdf, rules.read_pages(pdf)


@pytest.mark.parametrize("audit", AUDITS)
def test_the_briefing_prints_on_two_pages_at_most_and_reads_as_plain_english(printed, audit):
    html, _, pages = printed[audit].files["briefing"]
    assert len(pages) <= BRIEFING_PAGES
    assert flesch_reading_ease(plain_text(html)) >= PLAIN_ENGLISH


def test_the_worst_case_briefing_still_prints_on_two_pages(worst_briefing):
    html, _, pages = worst_briefing
    assert len(pages) <= BRIEFING_PAGES
    assert html.read_text().count("<li>") >= 22 + 10  # every practice sentence and every recommendation
    assert rules.headings_ending_a_page(pages) == [] and rules.footers_missing(
        pages, "Learning briefing: A 22-measure audit") == []


def test_the_briefing_passes_axe(printed):
    folder = printed["demo"].files["briefing"][1].parent
    violations = axe_violations(next(folder.glob("*-briefing.html")))
    assert violations == [], [(v["id"], v["help"]) for v in violations]
