"""Issue 22: the funnel plot of every local authority's ICPC timeliness against its number of conferences."""
from __future__ import annotations

import csv

import pytest

from helpers.context import build_context, load_census
from helpers.context.census import EXTRACT_DIR
from helpers.context.funnel import control_limits, england_rate, funnel_points, position
from helpers.report import charts
from helpers.report.context_section import funnel_chart, funnel_html


@pytest.fixture(scope="module")
def context():
    return build_context("Hampshire; Isle of Wight", "2025-09-30")  # the demo's authorities


def published_by_hand(year: int) -> dict[str, tuple[int, int]]:
    """Each local authority's (conferences, within 15 working days) in the census file, read here with csv."""
    path = next(EXTRACT_DIR.glob("c4_*.csv"))
    found = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            cells = (row["ICPC"], row["Duration_0-10_days"], row["Duration_11-15_days"])
            if row["geographic_level"] == "Local authority" and row["time_period"] == str(year) \
                    and all(c.isdigit() for c in cells) and int(cells[0]) > 0:
                found[row["la_name"]] = (int(cells[0]), int(cells[1]) + int(cells[2]))
    return found


def test_every_authority_with_a_published_figure_is_a_point():
    points = funnel_points(load_census(), 2025)
    by_hand = published_by_hand(2025)
    assert len(points) == len(by_hand) > 100
    assert dict(zip(points["la_name"], zip(points["conferences"].astype(int), points["within"].astype(int)))) == by_hand


def test_limits_are_england_s_rate_plus_or_minus_z_standard_errors():
    lower, upper = control_limits(80.0, [100, 10_000], 1.959964)
    assert lower[0] == pytest.approx(80 - 1.959964 * 4) and upper[0] == pytest.approx(80 + 1.959964 * 4)
    assert upper[1] - lower[1] < upper[0] - lower[0]  # the funnel narrows as conferences grow
    assert list(position([95, 80, 60], [100, 100, 100], 80.0, 1.959964)) == ["above", "inside", "below"]
    assert england_rate(load_census(), 2025) == pytest.approx(100 * (6240 + 52430) / 72100)


def test_the_partnership_s_authorities_are_highlighted_with_a_table_and_alt_text(context):
    html = funnel_html(context)
    assert "Hampshire: 1,685 initial conferences" in html and "Isle of Wight: 305 initial conferences" in html
    assert html.count("<tr>") == 3  # the header and our two authorities
    alt = html[html.index('alt="'):]
    assert alt.startswith('alt="Funnel plot') and f"the {len(context.funnel)} local authorities" in alt
    assert "2 of our 2 authorities within England&#x27;s 99.8% limits" in html


def test_the_funnel_chart_prints_no_text_below_9_pt_and_draws_ours_on_top(context):
    figure = funnel_chart(context.funnel, context.funnel_england, ["850", "921"])
    assert charts.smallest_text_pt(figure) >= charts.SMALLEST_TEXT_PT
    collections = figure.axes[0].collections
    assert max(c.get_zorder() for c in collections) == collections[-1].get_zorder()  # ours, the last drawn, on top
    assert len(collections[-1].get_offsets()) == 2


def test_without_our_authorities_the_plot_still_shows_england():
    html = funnel_html(build_context(None, "2025-09-30"))
    assert "are not highlighted: the Audit sheet does not name them" in html and "<table" not in html
