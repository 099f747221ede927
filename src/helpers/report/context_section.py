"""The report's Context section (issue 13): the published census picture beside the audit's own findings.

The census figures are DfE's published statistics (already disclosure-controlled by DfE), so both report
versions show them as published; only the audit's own `icpc_timely` figure goes through this report's
disclosure control. Percentages are whole numbers in sentences and one decimal in tables.
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import is_dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import charts
from .board_paper import back_to_contents, section_heading
from .disclosure import withheld_once
from .narrative import whole_of, whole_percent
from .sections import BOARD, NUMERIC_FINDINGS, esc, findings_display, html_table, prose_figures

LOCAL, REGION, ENGLAND, NEIGHBOURS = "local", "region", "england", "neighbours"
WITHHELD_SYMBOLS = {"c": "withheld by DfE (small numbers)", "x": "not available", "z": "not applicable",
                    "u": "of low reliability"}
MEASURES_DIFFER = ("The audit counts working days from the strategy discussion and the census from the start of "
                   "the section 47 enquiry, so the two are context for each other, not the same measure.")
HOW_TO_ADD = ("To compare with your own authorities, their region and statistical neighbours, add a row to the "
              "Audit sheet with field local_authorities and, as its value, the DfE 3-digit codes, E-codes or "
              "names of the authorities the partnership covers, separated by commas or semicolons "
              "(for example: 302; Enfield).")
# What a census rate counts, as the sentences say it ("83% of ... in Barnet").
TIMELINESS_WHAT = "initial conferences were held within 15 working days of the start of the section 47 enquiry"
REPEATS_WHAT = "child protection plans that started were a second or subsequent plan"
MARKERS = {LOCAL: "o", REGION: "s", ENGLAND: "D", NEIGHBOURS: "^"}
NEIGHBOUR_BAND = "#BFBFBF"
LABEL_WIDTH = 24
OWN_MARKS_ZORDER = 5  # above comparators' lines and markers (matplotlib draws lines at 2)
LABEL_LINE_HEIGHT = 4.5  # percentage points a line of label text takes on the y axis


def get(context, name: str):
    """A field of the context, given as the CensusContext dataclass or as its `to_dict()` mapping."""
    return getattr(context, name, None) if is_dataclass(context) else context.get(name)


def relation_to_england(local: float, england: float) -> tuple[str, str, str]:
    """Ours against England on the one-decimal figures DfE publishes: (relation, ours, England) as a sentence gives
    them. Figures that differ are never "the same": when their whole numbers read alike, both keep one decimal."""
    ours, theirs = f"{float(local):.1f}", f"{float(england):.1f}"
    if ours == theirs:
        return "the same as", whole_of(local), whole_of(england)
    relation = "above" if float(ours) > float(theirs) else "below"
    if whole_of(local) == whole_of(england):
        return relation, f"{ours}%", f"{theirs}%"
    return relation, whole_of(local), whole_of(england)


def cell(row: pd.Series) -> str:
    """One census rate as a table shows it: one decimal, a DfE symbol, or a labelled range for a withheld one."""
    if row["symbol"]:
        if pd.notna(row["range_low"]):
            return f"{row['symbol']} (range {row['range_low']:.1f} to {row['range_high']:.1f})"
        return row["symbol"]
    return f"{row['percent']:.1f}"


def rate_table(rates: pd.DataFrame) -> pd.DataFrame:
    """Comparators down, census years across; the neighbours' median, spread and count on their own rows."""
    years = sorted(rates["year"].unique())
    rows = []
    for (comparator, role), group in rates.groupby(["comparator", "role"], sort=False):
        by_year = group.set_index("year").reindex(years)
        rows.append({"Comparator": comparator, **{str(y): cell(r) for y, r in by_year.iterrows()}})
        if role == NEIGHBOURS:
            rows.append({"Comparator": "Statistical neighbours: lowest to highest",
                         **{str(y): (f"{r['neighbours_low']:.1f} to {r['neighbours_high']:.1f}"
                                     if pd.notna(r["neighbours_low"]) else "x") for y, r in by_year.iterrows()}})
            rows.append({"Comparator": "Statistical neighbours with a figure",
                         **{str(y): f"{int(r['neighbours_with_figure'])} of {int(r['neighbours_total'])}"
                            for y, r in by_year.iterrows()}})
    return pd.DataFrame(rows, columns=["Comparator", *map(str, years)])


def _series_words(row: pd.Series) -> str:
    """A comparator's figure in a sentence, whole numbers; a withheld one said as such."""
    if row["symbol"]:
        words = WITHHELD_SYMBOLS.get(row["symbol"], "not published")
        if pd.notna(row["range_low"]):
            return f"{words}, between {whole_of(row['range_low'])} and {whole_of(row['range_high'])}"
        return words
    return whole_of(row["percent"])


def comparison_sentence(rates: pd.DataFrame, what: str) -> str:
    """The latest census year in words: ours against England, the region(s) and the neighbours."""
    if rates.empty:
        return "The census extract has no year to show."
    year = rates["year"].max()
    latest = rates[rates["year"] == year]
    england = latest[latest["role"] == ENGLAND].iloc[0]
    ours = latest[latest["role"] == LOCAL]
    period = f"In the year to 31 March {year}"
    if ours.empty:
        return f"{period}, {_series_words(england)} of {what} in England."
    local = ours.iloc[0]
    if local["symbol"]:
        sentence = (f"{period}, the census figure for {local['comparator']} is {_series_words(local)}; "
                    f"England {_series_words(england)}")
    elif england["symbol"]:
        sentence = f"{period}, in {local['comparator']} {whole_of(local['percent'])} of {what}"
    else:
        relation, ours_text, england_text = relation_to_england(local["percent"], england["percent"])
        sentence = (f"{period}, in {local['comparator']} {ours_text} of {what}, {relation} England "
                    f"({england_text})")
    for _, region in latest[latest["role"] == REGION].iterrows():
        sentence += f"; {region['comparator']} {_series_words(region)}"
    neighbours = latest[latest["role"] == NEIGHBOURS]
    if not neighbours.empty and pd.notna(neighbours.iloc[0]["percent"]):
        spread = neighbours.iloc[0]
        sentence += (f"; statistical neighbours a median of {whole_of(spread['percent'])} (from "
                     f"{whole_of(spread['neighbours_low'])} to {whole_of(spread['neighbours_high'])}, "
                     f"{int(spread['neighbours_with_figure'])} of {int(spread['neighbours_total'])} authorities "
                     "with a figure)")
    return sentence + "."


def audit_frame(row) -> pd.DataFrame | None:
    """The audit's own icpc_timely finding as a one-row findings table."""
    if row is None:
        return None
    frame = (row.to_frame().T if isinstance(row, pd.Series) else pd.DataFrame([dict(row)])).reset_index(drop=True)
    # A row taken from findings indexed by measure_id carries its id as its name, not as a column.
    if "measure_id" not in frame:
        frame.insert(0, "measure_id", "icpc_timely")
    numbers = ["numerator", "denominator", "not_applicable", "not_recorded", "percent", "ci_lower", "ci_upper"]
    frame[numbers] = frame[numbers].apply(pd.to_numeric, errors="coerce")
    return frame


def audit_figure(row, version: str, withheld: set | None = None) -> pd.DataFrame | None:
    """The audit's own icpc_timely as the findings tables show it (with this report's disclosure control:
    `withheld` is what the whole published report withholds, so this table reveals nothing the others hide)."""
    frame = audit_frame(row)
    return None if frame is None else findings_display(frame, version, withheld)


def audit_figures(row, version: str, withheld: set | None = None) -> dict | None:
    """The audit's own icpc_timely figures as a sentence gives them in this version (`sections.prose_figures`)."""
    frame = audit_frame(row)
    if frame is None or frame.iloc[0]["denominator"] == 0:
        return None
    return prose_figures(frame, version, withheld).iloc[0].to_dict()


def audit_sentence(shown: pd.DataFrame | None, figures: dict | None = None) -> str:
    """The audit's own figure in words: whole-number percent, n of N and the 95% interval.

    `figures` (`sections.prose_figures` of the row) gives each figure as this version prints it, a withheld
    one said as withheld; without it they are read from `shown`, the findings table's row.
    """
    if shown is None:
        return "The audit's own figure for the timeliness of initial conferences is not available here."
    row = shown.iloc[0]
    if row["% met"] == "z":
        return "In this audit, too few cases could be assessed to give a figure for initial conferences in time."
    if figures is None:
        low, high = (float(v) for v in row["95% interval (%)"].split(" to "))
        figures = {"percent": whole_percent(row["Met"], row["Assessed"]), "met": row["Met"],
                   "assessed": row["Assessed"], "interval": f"{whole_of(low)} to {whole_of(high)}"}
    return withheld_once(f"In this audit, the initial conference was held within 15 working days of the strategy "
                         f"discussion in {figures['percent']} of cases ({figures['met']} of {figures['assessed']}; "
                         f"95% interval {figures['interval']}).")


def _label_positions(ends: list[float], heights: list[float]) -> list[float]:
    """Direct labels at the lines' right ends, nudged up so that none overlaps the one below it."""
    order = sorted(range(len(ends)), key=lambda i: ends[i])
    placed = [0.0] * len(ends)
    previous_top = -math.inf
    for i in order:
        placed[i] = max(ends[i], previous_top + heights[i] / 2)
        previous_top = placed[i] + heights[i] / 2
    return placed


def timeliness_chart(rates: pd.DataFrame, audit: pd.DataFrame | None, audit_row=None) -> plt.Figure:
    """Census lines by year (ours in the focus colour, neighbours' median with their spread shaded) and, in a
    panel beside them, the audit's own figure with its 95% interval."""
    charts.use_style()
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    # Ours in the focus colour, England and the neighbours always in the same colours, and each region its own
    # (two regions must not look alike).
    fixed = {LOCAL: charts.FOCUS, ENGLAND: palette[2], NEIGHBOURS: palette[4]}
    region_colours = iter([palette[1], palette[3], palette[5]])
    figure, (axis, side) = plt.subplots(1, 2, figsize=(charts.FIGURE_WIDTH, 3.4), dpi=charts.DPI, sharey=True,
                                        gridspec_kw={"width_ratios": [4, 1]})
    years = sorted(rates["year"].unique())
    ends, labels = [], []
    for (comparator, role), group in rates.groupby(["comparator", "role"], sort=False):
        series = group.set_index("year").reindex(years)
        colour = fixed.get(role) or next(region_colours, charts.TEXT)
        if role == NEIGHBOURS:
            axis.fill_between(years, series["neighbours_low"].astype(float), series["neighbours_high"].astype(float),
                              color=NEIGHBOUR_BAND, alpha=0.5, linewidth=0)
        # The audit's own authorities are drawn last, above every comparator, so their points are never hidden.
        axis.plot(years, series["percent"].astype(float), marker=MARKERS[role], color=colour,
                  linewidth=2.6 if role == LOCAL else 1.6, linestyle="--" if role == NEIGHBOURS else "-",
                  zorder=OWN_MARKS_ZORDER if role == LOCAL else 2, markersize=8 if role == LOCAL else 6)
        # A withheld figure with a range: a bar from its lowest to highest possible value, no point.
        ranged = series[series["range_low"].notna()]
        axis.vlines(ranged.index, ranged["range_low"].astype(float), ranged["range_high"].astype(float),
                    color=colour, linewidth=3)
        known = series["percent"].dropna()
        if not known.empty:
            ends.append(float(known.iloc[-1]))
            labels.append(textwrap.fill(comparator if role != NEIGHBOURS else "Neighbours (median)", LABEL_WIDTH))
    # Labels sit in one column right of the last year, in the order of the lines' latest values.
    heights = [LABEL_LINE_HEIGHT * (text.count("\n") + 1) for text in labels]
    for text, y in zip(labels, _label_positions(ends, heights)):
        axis.annotate(text, (years[-1], y), xytext=(14, 0), textcoords="offset points", va="center",
                      color=charts.TEXT, fontsize=9, annotation_clip=False)
    low = min([v for v in rates[["percent", "range_low", "neighbours_low"]].stack() if pd.notna(v)] or [0])
    if audit_row is not None and pd.notna(audit_row.get("ci_lower")):
        low = min(low, float(audit_row["ci_lower"]))
    axis.set_ylim(max(0, math.floor((low - 5) / 10) * 10), 100)
    axis.set_xticks(years, [str(y) for y in years])
    axis.set_xlim(years[0] - 0.3, years[-1] + 1.6)
    axis.set_ylabel("% within 15 working days")
    axis.yaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
    axis.set_xlabel("Census year (ending 31 March)")
    _audit_panel(side, audit, audit_row)
    figure.tight_layout()
    return figure


def _audit_panel(side: plt.Axes, shown: pd.DataFrame | None, row) -> None:
    side.set_xticks([0], ["This audit"])
    side.set_xlim(-1, 1)
    side.grid(axis="x", visible=False)
    published = shown is not None and shown.iloc[0]["% met"] not in ("c", "z")
    if not published or row is None:
        withheld = shown is not None and shown.iloc[0]["% met"] == "c"
        side.text(0, 50, "figure\nwithheld" if withheld else "no figure", ha="center", color=charts.TEXT, fontsize=9)
        return
    percent, lower, upper = (float(row[k]) for k in ("percent", "ci_lower", "ci_upper"))
    side.errorbar([0], [percent], yerr=[[percent - lower], [upper - percent]], fmt="o", color=charts.FOCUS,
                  ecolor=charts.TEXT, capsize=4, markersize=7)
    side.annotate(f"{shown.iloc[0]['% met']}%", (0, percent), xytext=(8, 0), textcoords="offset points", va="center",
                  color=charts.TEXT, fontsize=9)
    side.set_title("From strategy\ndiscussion", fontsize=9, color=charts.TEXT)


def chart_alt(rates: pd.DataFrame, audit: pd.DataFrame | None, figures: dict | None = None) -> str:
    """Every number on the chart, series by series."""
    parts = []
    for (comparator, role), group in rates.groupby(["comparator", "role"], sort=False):
        values = []
        for _, r in group.iterrows():
            text = f"{r['percent']:.1f}%" if not r["symbol"] else WITHHELD_SYMBOLS.get(r["symbol"], r["symbol"])
            if pd.notna(r["range_low"]):
                text += f" (range {r['range_low']:.1f}% to {r['range_high']:.1f}%)"
            if role == NEIGHBOURS and pd.notna(r["neighbours_low"]):
                text += f" (lowest {r['neighbours_low']:.1f}%, highest {r['neighbours_high']:.1f}%)"
            values.append(f"{r['year']} {text}")
        parts.append(f"{comparator}: " + ", ".join(values))
    if audit is not None:
        parts.append(audit_sentence(audit, figures).rstrip("."))
    years = sorted(rates["year"].unique())
    return (f"Line chart of the percentage of initial child protection conferences held within 15 working days of "
            f"the section 47 start, census years {years[0]} to {years[-1]}. " + "; ".join(parts) + ".")


def chart_caption(rates: pd.DataFrame, years: list[int]) -> str:
    shaded = "; shaded: lowest to highest statistical neighbour" if (rates["role"] == NEIGHBOURS).any() else ""
    return (f"Percentage of initial child protection conferences within 15 working days of the section 47 start, "
            f"census years ending 31 March {years[0]} to {years[-1]}{shaded}. Beside it, this audit's cases within "
            "15 working days of the strategy discussion, with the 95% interval.")


def timeliness_title(rates: pd.DataFrame) -> str:
    """Ten words or fewer, stating the latest year's finding."""
    latest = rates[rates["year"] == rates["year"].max()]
    ours, england = latest[latest["role"] == LOCAL], latest[latest["role"] == ENGLAND].iloc[0]
    if not ours.empty and not ours.iloc[0]["symbol"] and not england["symbol"]:
        local = ours.iloc[0]
        relation = relation_to_england(local["percent"], england["percent"])[0]
        if relation == "the same as":
            return "Census timeliness of initial conferences matches England"
        return f"Census timeliness of initial conferences {relation} England"
    if england["symbol"]:
        return "Census timeliness of initial conferences"
    return f"{whole_of(england['percent'])} of initial conferences in England within 15 days"


# --- the funnel plot (issue 22) ---------------------------------------------------------

FUNNEL_GREY = "#BFBFBF"  # every other authority: the Analysis Function's grey against the focus colour
LIMIT_STYLES = {"95%": ("--", "#28A197"), "99.8%": (":", "#801650")}
POSITION_WORDS = {"inside": "inside the {limit} limits", "above": "above the {limit} upper limit",
                  "below": "below the {limit} lower limit"}
FUNNEL_NOTE = ("A funnel plot compares authorities without ranking them. Authorities with few conferences vary "
               "more by chance, so the limits widen to the left. An authority outside the 99.8% limits is unlikely "
               "to differ from England by chance alone; inside them, the census cannot tell it apart from England. "
               "Many authorities lie outside, so differences between authorities are more than chance.")


def funnel_chart(points: pd.DataFrame, england: float, ours: list[str]) -> plt.Figure:
    """Every authority's percent against its conferences (log scale), England's rate and its 95% and 99.8%
    limits; the partnership's authorities drawn last, in the focus colour, labelled directly."""
    from ..context.funnel import LIMITS, control_limits

    charts.use_style()
    figure, axis = plt.subplots(figsize=(charts.FIGURE_WIDTH, 3.8), dpi=charts.DPI)
    others = points[~points["old_la_code"].isin(ours)]
    own = points[points["old_la_code"].isin(ours)]
    axis.scatter(others["conferences"], others["percent"], s=16, color=FUNNEL_GREY, edgecolor="#3D3D3D",
                 linewidth=0.3, zorder=2, label="Other local authorities")
    grid = np.geomspace(max(5, points["conferences"].min() * 0.8), points["conferences"].max() * 1.25, 200)
    axis.axhline(england, color=charts.TEXT, linewidth=1.4, zorder=3)
    # Direct labels at the left, where the funnel is widest and the lines lie apart.
    label_box = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}
    axis.annotate(f"England {whole_of(england)}", (grid[0], england), xytext=(3, 2), textcoords="offset points",
                  va="bottom", color=charts.TEXT, fontsize=9, bbox=label_box, zorder=4)
    for name, z in LIMITS.items():
        style, colour = LIMIT_STYLES[name]
        lower, upper = control_limits(england, grid, z)
        axis.plot(grid, lower, linestyle=style, color=colour, linewidth=1.6, zorder=3)
        axis.plot(grid, upper, linestyle=style, color=colour, linewidth=1.6, zorder=3)
        axis.annotate(f"{name} limits", (grid[0], upper[0]), xytext=(3, 2), textcoords="offset points",
                      va="bottom", color=charts.TEXT, fontsize=9, bbox=label_box, zorder=4)
    axis.scatter(own["conferences"], own["percent"], s=70, color=charts.FOCUS, edgecolor="white", linewidth=1.2,
                 zorder=OWN_MARKS_ZORDER)
    for _, row in own.iterrows():
        axis.annotate(row["la_name"], (row["conferences"], row["percent"]), xytext=(7, 7), textcoords="offset points",
                      color=charts.TEXT, fontsize=9, fontweight="bold", zorder=OWN_MARKS_ZORDER, bbox=label_box)
    axis.set_xscale("log")
    ticks = [t for t in (10, 30, 100, 300, 1000, 3000) if grid[0] <= t <= grid[-1]]
    axis.set_xticks(ticks, [f"{t:,}" for t in ticks])
    axis.minorticks_off()
    axis.set_xlim(grid[0], grid[-1])
    axis.set_ylim(max(0, math.floor((points["percent"].min() - 5) / 10) * 10), 100)
    axis.yaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
    axis.set_xlabel("Initial conferences in the year (log scale)")
    axis.set_ylabel("% within 15 working days")
    figure.tight_layout()
    return figure


def funnel_counts(points: pd.DataFrame, limit: str = "99.8%") -> dict[str, int]:
    """How many authorities lie above, below and inside the `limit` limits."""
    counts = points[limit].value_counts()
    return {where: int(counts.get(where, 0)) for where in ("above", "below", "inside")}


def funnel_authority_words(row: pd.Series) -> str:
    """One of the partnership's authorities on the funnel plot, in words."""
    against = " and ".join(POSITION_WORDS[row[limit]].format(limit=limit) for limit in ("95%", "99.8%"))
    return (f"{row['la_name']}: {int(row['conferences']):,} initial conferences, {whole_of(row['percent'])} within "
            f"15 working days, {against}.")


def funnel_title(points: pd.DataFrame, ours: list[str]) -> str:
    """Ten words or fewer stating the finding: how many of our authorities lie within England's 99.8% limits
    (without ours: how many authorities lie outside them)."""
    own = points[points["old_la_code"].isin(ours)]
    if own.empty:
        outside = int((points["99.8%"] != "inside").sum())
        return f"{outside} of {len(points)} authorities outside England's 99.8% limits"
    inside = int((own["99.8%"] == "inside").sum())
    return f"{inside} of our {len(own)} authorities within England's 99.8% limits"


def funnel_table(points: pd.DataFrame, england: float, ours: list[str]) -> pd.DataFrame:
    """The partnership's authorities, with the 95% and 99.8% limits at their number of conferences."""
    from ..context.funnel import LIMITS, control_limits

    own = points[points["old_la_code"].isin(ours)]
    rows = []
    for _, row in own.iterrows():
        cells = {"Local authority": row["la_name"], "Initial conferences": f"{int(row['conferences']):,}",
                 "Within 15 working days (%)": f"{row['percent']:.1f}"}
        for name, z in LIMITS.items():
            lower, upper = control_limits(england, [row["conferences"]], z)
            cells[f"{name} limits (%)"] = f"{lower[0]:.1f} to {upper[0]:.1f}"
            cells[f"Against the {name} limits"] = row[name]
        rows.append(cells)
    return pd.DataFrame(rows)


def funnel_html(context) -> str:
    """The funnel plot with its alt text, caption, the partnership's authorities in a table and in words."""
    points, year, england = get(context, "funnel"), get(context, "funnel_year"), get(context, "funnel_england")
    if points is None or points.empty or england is None:
        return ""
    ours = [a.old_la_code for a in get(context, "authorities") or ()]
    own = points[points["old_la_code"].isin(ours)]
    counts = funnel_counts(points)
    summary = (f"In the year to 31 March {year}, {len(points)} local authorities published a figure. England's "
               f"rate was {whole_of(england)}; {counts['above']} authorities were above the 99.8% limits and "
               f"{counts['below']} below them.")
    words = [funnel_authority_words(r) for _, r in own.iterrows()]
    if not ours:
        words = ["The partnership's own authorities are not highlighted: the Audit sheet does not name them."]
    elif own.empty:
        words = ["None of the partnership's authorities published a figure for this year."]
    alt = (f"Funnel plot of the percentage of initial child protection conferences within 15 working days of the "
           f"section 47 start against the number of initial conferences, for the {len(points)} local authorities "
           f"with a published figure in the year to 31 March {year}, with England's rate ({england:.1f}%) and its "
           f"95% and 99.8% control limits. " + summary.split(". ", 1)[1] + " " + " ".join(words))
    caption = (f"Each grey dot is a local authority; the partnership's authorities are in dark blue and named. "
               f"Limits: England's rate plus or minus 1.96 (95%) and 3.09 (99.8%) standard errors at each number "
               f"of conferences. Source: DfE children in need census, year to 31 March {year}; authorities whose "
               "figure is withheld (c) are left out.")
    title = funnel_title(points, ours)
    parts = ["<h3>Every local authority against England</h3>", f"<p>{esc(FUNNEL_NOTE)}</p>",
             f"<p>{esc(summary)}</p>", *[f"<p>{esc(w)}</p>" for w in words],
             charts.figure_html(funnel_chart(points, england, ours), title, alt, caption)]
    if not own.empty:
        parts.append(html_table(funnel_table(points, england, ours), f"Initial conferences within 15 working days, "
                                f"year to 31 March {year}: the partnership's authorities against England's limits",
                                numeric=("Initial conferences", "Within 15 working days (%)", "95% limits (%)",
                                         "99.8% limits (%)")))
    return "\n".join(parts)


def population_words(check) -> str:
    """The population check as a sentence (also for the method section when it differs)."""
    if check is None:
        return ""
    if get(check, "census_on_plan") is None:
        symbol = get(check, "symbol")
        return (f"The census count of children on plans at 31 March {get(check, 'census_year')} for these "
                f"authorities is {WITHHELD_SYMBOLS.get(symbol, 'not available')}, so the population was not checked.")
    if get(check, "population") is None:
        return (f"The census counted {get(check, 'census_on_plan'):,.0f} children on child protection plans in these "
                f"authorities at 31 March {get(check, 'census_year')}; the Audit sheet gives no population.")
    return check.sentence


def method_note(context) -> str:
    """For the method section: a sentence only when the population differs from the census by more than half."""
    check = get(context, "population_check")
    return check.sentence if check is not None and check.differs else ""


def _source(context) -> str:
    years = get(context, "years")
    return (f"Source: {get(context, 'citation')}; census years ending 31 March {years[0]} to {years[-1]}; "
            f"statistical neighbours from the {get(context, 'neighbour_model')}. National and regional counts are "
            "rounded by DfE to the nearest 10. c = withheld by DfE (small numbers); a range after c is the "
            "lowest to highest value the published totals allow; x = not available (no census row); "
            "z = not applicable; u = low reliability.")


def context_section(context, audit_icpc_timely_row=None, version: str = BOARD, withheld: set | None = None) -> str:
    """The Context section's HTML: census ICPC timeliness and repeat plans beside the audit's own figure."""
    authorities = get(context, "authorities") or ()
    timeliness, repeats = get(context, "icpc_timeliness"), get(context, "repeat_plans")
    names = get(context, "authority_names") or ""
    shown = audit_figure(audit_icpc_timely_row, version, withheld)
    figures = audit_figures(audit_icpc_timely_row, version, withheld)
    parts = [section_heading("context")]
    if authorities:
        parts.append(f"<p>How the children in need census figures for {esc(names)} compare with their region, "
                     "England and their statistical neighbours, set beside this audit's own findings.</p>")
    else:
        parts.append("<p>The Audit sheet does not name the partnership's local authorities, so this section shows "
                     f"England only. {esc(HOW_TO_ADD)}</p>")
    unknown = get(context, "unknown") or ()
    if unknown:
        listed = "; ".join(f"{get(u, 'value')} ({u.hint})" for u in unknown)
        parts.append(f"<p>Not found in the census, so left out: {esc(listed)}.</p>")
    parts += [f"<p>{esc(note)}</p>" for note in get(context, "notes") or ()]
    if timeliness is None or timeliness.empty:
        return "\n".join(parts + ["<p>The census extract has no year to show.</p>"])
    parts += ["<h3>Initial conferences within 15 working days</h3>",
              f"<p>{esc(comparison_sentence(timeliness, TIMELINESS_WHAT))}</p>",
              f"<p>{esc(audit_sentence(shown, figures))} {esc(MEASURES_DIFFER)}</p>"]
    row = None if audit_icpc_timely_row is None else pd.Series(dict(audit_icpc_timely_row))
    years = get(context, "years")
    parts.append(charts.figure_html(timeliness_chart(timeliness, shown, row), timeliness_title(timeliness),
                                    chart_alt(timeliness, shown, figures),
                                    chart_caption(timeliness, years)))
    parts.append(html_table(rate_table(timeliness), "% of initial conferences within 15 working days of the section "
                            "47 start, by census year", numeric=tuple(map(str, years))))
    if shown is not None:
        parts.append(html_table(shown, "This audit: initial conferences within 15 working days of the strategy "
                                "discussion", numeric=NUMERIC_FINDINGS))
    parts.append(funnel_html(context))
    parts += ["<h3>Repeat child protection plans</h3>",
              f"<p>{esc(comparison_sentence(repeats, REPEATS_WHAT))}</p>",
              html_table(rate_table(repeats), "% of child protection plans starting in the year that were a second "
                         "or subsequent plan, by census year", numeric=tuple(map(str, years)))]
    check = get(context, "population_check")
    if check is not None:
        parts += ["<h3>Population check</h3>", f"<p>{esc(population_words(check))}</p>"]
    parts.append(f'<p class="footnote">{esc(_source(context))}</p>')
    return "\n".join(parts + [back_to_contents()])
