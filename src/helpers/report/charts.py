"""Charts in the Analysis Function style: horizontal bars, 95% interval whiskers, direct labels, n/N.

One style for every chart. Figures are reproducible: fixed size and DPI, and
PNGs written without software or time metadata. Each chart is published as
an HTML ``<figure>`` with its own alt text and caption, because nbconvert's
templates give images only a placeholder alt text.
"""
from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from .disclosure import withheld_once  # noqa: E402
from .narrative import table_percent, whole_percent  # noqa: E402

# Analysis Function focus colour (report guide); the afcharts style carries the rest of the palette.
FOCUS = "#12436D"
TEXT = "#0B0C0C"
# Printed on A4 the figure fills the 186 mm text width at about its own size (7.2 in = 183 mm), so a font
# size here is close to the printed size; no text is set below SMALLEST_TEXT_PT (8 pt printed, issue 22).
FIGURE_WIDTH = 7.2
DPI = 110
SMALLEST_TEXT_PT = 9
BAR_SPACING_IN = 0.42  # inches per bar: 15 key-line bars fit a third of a page less than a page
TEXT_SIZE_KEY = "SmallestTextPt"  # PNG text chunk: the smallest font size in the figure, for the print checks


def use_style() -> None:
    """The afcharts matplotlib style, with the settings this report needs on top."""
    plt.style.use("afcharts.afcharts")
    plt.rcParams.update({"font.size": 11, "svg.hashsalt": "cp-conference-audit",
                         "axes.titlesize": 12, "figure.dpi": DPI})


WITHHELD_ON_CHART = "figure withheld"  # the alt text and the sentences say why


def _bar_label(row, withheld: bool = False) -> str:
    if withheld:
        return WITHHELD_ON_CHART
    if pd.isna(row["percent"]):
        return "no cases (0/0)"
    # Whole numbers on the chart, as in prose (from the counts); the table beside it keeps one decimal place.
    met, assessed = int(row["numerator"]), int(row["denominator"])
    return f"{whole_percent(met, assessed)}  ({met}/{assessed})"


def build_chart(findings: pd.DataFrame, withheld_ids=frozenset()) -> plt.Figure:
    """Horizontal bars of % of cases meeting each measure, with interval whiskers and n/N labels.

    `findings` has the findings.csv columns; one bar per row in the order given. The title is
    not drawn in the image: `figure_html` sets it as text, which screen readers and zoom handle.
    A measure in `withheld_ids` (published version) keeps its row, labelled "figure withheld", with no bar.
    """
    use_style()
    rows = findings.reset_index(drop=True)
    withheld = rows["measure_id"].isin(list(withheld_ids)) if "measure_id" in rows else pd.Series(False, rows.index)
    rows = rows.astype({c: float for c in ("percent", "ci_lower", "ci_upper")})
    rows.loc[withheld, ["percent", "ci_lower", "ci_upper"]] = float("nan")
    height = 0.9 + BAR_SPACING_IN * len(rows)
    figure, axis = plt.subplots(figsize=(FIGURE_WIDTH, height), dpi=DPI)
    positions = range(len(rows))[::-1]
    values = rows["percent"].fillna(0)
    axis.barh(list(positions), values, color=FOCUS, height=0.6)
    has_interval = rows["ci_lower"].notna()
    whisker_y = [p for p, ok in zip(positions, has_interval) if ok]
    whisker_x = [values[has_interval] - rows.loc[has_interval, "ci_lower"],
                 rows.loc[has_interval, "ci_upper"] - values[has_interval]]
    # A white halo under a dark whisker keeps it visible over the dark bar and the white background.
    for colour, width, cap in (("#FFFFFF", 3.6, 4), ("#0B0C0C", 1.4, 3)):
        axis.errorbar(values[has_interval], whisker_y, xerr=whisker_x, fmt="none", ecolor=colour,
                      elinewidth=width, capsize=cap, capthick=width)
    for position, (_, row) in zip(positions, rows.iterrows()):
        right = row["ci_upper"] if pd.notna(row["ci_upper"]) else 0
        axis.text(min(right + 1.5, 101), position, _bar_label(row, bool(withheld[row.name])),
                  va="center", ha="left",
                  color=TEXT, fontsize=10)
    axis.set_yticks(list(positions), [_wrap(label) for label in rows["label"]], color=TEXT)
    axis.set_xlim(0, 125)
    axis.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    axis.grid(axis="x", color="#D9D9D9")
    axis.grid(axis="y", visible=False)
    figure.tight_layout()
    return figure


def _wrap(label: str, width: int = 28) -> str:
    words, lines, line = label.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join(lines + [line])


def smallest_text_pt(figure: plt.Figure) -> float:
    """The smallest font size (points, at the figure's own size) of any visible, non-empty text in the figure."""
    from matplotlib.text import Text

    if figure.stale:  # tick labels exist only once drawn (figure_png has just drawn it)
        figure.canvas.draw()
    sizes = [t.get_fontsize() for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return float(min(sizes)) if sizes else 0.0


def figure_png(figure: plt.Figure) -> bytes:
    """The figure as PNG at DPI, without software or time metadata; its smallest text size is recorded
    (TEXT_SIZE_KEY) so the print checks can measure the printed size of every chart's text.

    Drawn once and saved from the drawn pixels, as savefig does after drawing again: the same bytes, and
    a third less time for every chart of a run (savefig draws anew, and the text size needs a drawn figure).
    """
    import matplotlib.image

    figure.set_dpi(DPI)
    figure.canvas.draw()
    buffer = io.BytesIO()
    matplotlib.image.imsave(buffer, figure.canvas.buffer_rgba(), format="png", dpi=DPI,
                            metadata={"Software": None, TEXT_SIZE_KEY: f"{smallest_text_pt(figure):g}"})
    plt.close(figure)
    return buffer.getvalue()


def alt_text(findings: pd.DataFrame, what: str, figures: pd.DataFrame | None = None) -> str:
    """Says what the chart shows and every number on it (percentages as the tables give them).

    `figures` (`sections.prose_figures`, published version): a withheld figure is said as withheld where
    its value would stand.
    """
    parts = []
    percents = table_percent(findings["numerator"], findings["denominator"])
    for percent, (_, row) in zip(percents, findings.iterrows()):
        shown = None if figures is None else figures.loc[row["measure_id"]]
        if pd.isna(percent):
            parts.append(f"{row['label']}: no cases to measure")
        elif shown is not None and shown["percent"] != whole_percent(row["numerator"], row["denominator"]):
            parts.append(f"{row['label']}: {shown['percent']} ({shown['met']} of {shown['assessed']} cases; "
                         f"95% interval {shown['interval']})")
        else:
            parts.append(f"{row['label']}: {percent:.1f}% ({int(row['numerator'])} of "
                         f"{int(row['denominator'])} cases; 95% interval {row['ci_lower']:.1f}% to "
                         f"{row['ci_upper']:.1f}%)")
    return withheld_once(f"Horizontal bar chart of {what}. " + "; ".join(parts) + ".")


def figure_html(figure: plt.Figure, title: str, alt: str, caption: str) -> str:
    """A self-contained <figure>: its title as text, the PNG embedded as data with its alt text, a caption."""
    return png_figure_html(figure_png(figure), title, alt, caption)


def png_figure_html(png: bytes, title: str, alt: str, caption: str) -> str:
    """The figure; an empty caption (said once elsewhere, such as in the method) gives no <figcaption>."""
    encoded = base64.b64encode(png).decode("ascii")
    below = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return (f'<figure class="chart"><p class="chart-title">{html.escape(title)}</p>'
            f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}">{below}</figure>')


# Shades of the focus colour for a grade scale, best level darkest (sequential: the levels are ordered).
GRADE_SHADES = ("#12436D", "#2073BC", "#6BACE6", "#BFDCF5", "#E3EEF8", "#F2F7FC")


def build_grade_distribution(rows: pd.DataFrame) -> plt.Figure:
    """One horizontal bar split into the levels of a grade scale, best first, each share labelled where wide
    enough; a legend names the levels in their order."""
    use_style()
    figure, axis = plt.subplots(figsize=(FIGURE_WIDTH, 1.6))
    left = 0.0
    graded = int(rows["count"].sum())
    for index, (_, row) in enumerate(rows.iterrows()):
        share = 100 * int(row["count"]) / graded if graded else 0.0
        colour = GRADE_SHADES[min(index, len(GRADE_SHADES) - 1)]
        axis.barh([0], [share], left=left, color=colour, edgecolor="white", label=str(row["level"]))
        if share >= 8:
            axis.text(left + share / 2, 0, f"{share:.0f}%", ha="center", va="center", fontsize=SMALLEST_TEXT_PT,
                      color="white" if index < 2 else TEXT)
        left += share
    axis.set_xlim(0, 100)
    axis.set_yticks([])
    axis.set_xlabel(f"% of graded answers ({graded} graded)")
    axis.legend(ncol=max(1, len(rows)), loc="upper center", bbox_to_anchor=(0.5, -0.6), frameon=False,
                fontsize=SMALLEST_TEXT_PT)
    figure.tight_layout()
    return figure


def grade_distribution_figure(rows: pd.DataFrame, label: str) -> str:
    """The stacked bar of one grade_distribution measure as a <figure> with its alt text."""
    graded = int(rows["count"].sum())
    shares = "; ".join(f"{row['level']}: {int(row['count'])} ({whole_percent(int(row['count']), graded)})"
                       for _, row in rows.iterrows()) if graded else "no answer graded"
    alt = f"Stacked bar chart of the grades given for {label.lower()}, best first. {shares}."
    return figure_html(build_grade_distribution(rows), f"{label}: grades given", alt,
                       "Each grade as a share of the graded answers (N/A and missing grades are not graded).")


# --- charts drawn once per run --------------------------------------------------

@dataclass
class Chart:
    """One drawn chart and its words; the findings stage draws it, notebooks and the report show it."""
    name: str
    measure_ids: list[str]
    title: str
    alt: str
    caption: str
    png: bytes = b""

    def html(self, caption: bool = True) -> str:
        """The figure; `caption=False` leaves out the caption every chart shares (the report says it once)."""
        return png_figure_html(self.png, self.title, self.alt, self.caption if caption else "")


def chart_of(name: str, rows: pd.DataFrame, what: str, caption: str, figures: pd.DataFrame | None = None) -> Chart:
    """A chart of these findings; `figures` (published version) marks the ones whose figure is withheld."""
    from . import narrative

    withheld = set() if figures is None else {
        m for m, text in figures["percent"].items()
        if m in set(rows["measure_id"]) and text and not text[0].isdigit()}
    return Chart(name, list(rows["measure_id"]), narrative.chart_title(rows, figures), alt_text(rows, what, figures),
                 caption, figure_png(build_chart(rows, withheld)))


def write_charts(charts: list[Chart], folder: Path) -> Path:
    """charts/<name>.png and charts/charts.json (titles, alt texts, captions, measures)."""
    folder.mkdir(parents=True, exist_ok=True)
    for chart in charts:
        (folder / f"{chart.name}.png").write_bytes(chart.png)
    manifest = [{k: v for k, v in asdict(chart).items() if k != "png"} for chart in charts]
    (folder / "charts.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return folder


def read_charts(folder: Path) -> dict[str, Chart]:
    manifest = json.loads((folder / "charts.json").read_text())
    return {entry["name"]: Chart(**entry, png=(folder / f"{entry['name']}.png").read_bytes()) for entry in manifest}


def findings_charts(findings: pd.DataFrame, audit: dict, included: int, definition=None) -> list[Chart]:
    """Every chart of the findings: the summary of the key lines, one per key line, and the secondary measures
    (`definition`: the audit's key lines and words, the child protection conference audit's by default)."""
    from ..domain.measures import KLOES, SECONDARY
    from . import narrative

    key_lines = KLOES if definition is None else definition.key_lines

    def drawn(name: str, rows: pd.DataFrame, what: str) -> Chart:
        return chart_of(name, rows, what, narrative.caption(rows, audit, included, definition))

    charts = [drawn("summary", findings[findings["kloe"] != SECONDARY],
                    "the percentage of cases meeting each key-line standard")]
    for number, (kloe, title) in enumerate(key_lines.items(), start=1):
        charts.append(drawn(f"key-line-{number}", findings[findings["kloe"] == kloe], f"{title.lower()} measures"))
    charts.append(drawn("secondary", findings[findings["kloe"] == SECONDARY], "secondary measures"))
    return charts
