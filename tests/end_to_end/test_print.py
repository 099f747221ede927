"""Issue 22: the demo board paper and its published version printed to A4 PDF, each rule measured.

Each PDF is printed once per session (one browser for both) and every test reads the same files.
"""
from __future__ import annotations

import os

import pytest

import print_rules as rules
from browser import INSTALL_HINT
from conftest import report_files
from helpers.report.pdf import chromium_path, print_pdfs

pytestmark = pytest.mark.slow
TITLE = "SYNTHETIC DEMO board paper"


@pytest.fixture(scope="session")
def printed_demo(demo_run, tmp_path_factory):
    """{version: (html text, pdf path, pages)} for the demo's board and published versions."""
    if chromium_path() is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required here (REQUIRE_BROWSER is set): {INSTALL_HINT}")
        pytest.skip(f"Chromium not found: {INSTALL_HINT}")
    folder = tmp_path_factory.mktemp("printed")
    reports = report_files(demo_run)
    jobs = [(reports[v], folder / f"{v}.pdf", f"{TITLE} ({v})") for v in ("board", "published")]
    print_pdfs(jobs)
    return {v: (html.read_text(), pdf, rules.read_pages(pdf)) for v, (html, pdf, _) in zip(reports, jobs)}


@pytest.mark.parametrize("version", ["board", "published"])
def test_every_chart_prints_its_text_at_8_pt_or_more(printed_demo, version):
    html, _, pages = printed_demo[version]
    sizes = rules.chart_text_sizes(html, pages)
    assert len(sizes) >= 5
    assert min(sizes) >= rules.SMALLEST_PT, sizes


@pytest.mark.parametrize("version", ["board", "published"])
def test_every_page_has_the_title_and_its_number_in_the_footer(printed_demo, version):
    _, pdf, pages = printed_demo[version]
    assert rules.footers_missing(pages, f"{TITLE} ({version})") == []
    assert rules.smallest_text(pdf) >= rules.SMALLEST_PT - 0.01  # the footer is the smallest text, at 8 pt


@pytest.mark.parametrize("version", ["board", "published"])
def test_no_heading_ends_a_page(printed_demo, version):
    _, _, pages = printed_demo[version]
    found = rules.headings_ending_a_page(pages)
    if found and version == "published":
        pytest.xfail(f"known (issue 22, open): a chart title ends a page in the published demo: {found}")
    assert found == []


@pytest.mark.parametrize("version", ["board", "published"])
def test_no_page_but_the_last_is_more_than_a_third_blank(printed_demo, version):
    _, _, pages = printed_demo[version]
    found = rules.mostly_blank_pages(pages)
    if found and version == "board":
        pytest.xfail(f"known (issue 22, open): the census figure does not fit below its text: {found}")
    assert found == []
