"""Measuring a printed report (issue 22's "Print as a board pack"), from the PDF itself with pdfplumber.

Every number here is measured: text sizes from the PDF's characters, chart text from each chart image's
printed width and the smallest font size its PNG records, blank space from where the last text, image or
rule on each page ends.
"""
from __future__ import annotations

import base64
import html as html_lib
import io
import re
from dataclasses import dataclass

import pdfplumber
from PIL import Image

from helpers.report.charts import DPI, TEXT_SIZE_KEY
from helpers.report.pdf import MARGINS

MM = 72 / 25.4
TOP, BOTTOM = (float(MARGINS[side].removesuffix("mm")) * MM for side in ("top", "bottom"))
HEADING_PT = 11.0  # h2 and h3 print at 11.5 pt and more; body text at 9.6 pt, captions and chart titles at 10 pt
SECTION_PT = 12.5  # h2, a section's heading, prints at 13 pt
CHART_TITLE_PT = 10.0  # .chart-title prints at 10.1 pt bold
SMALLEST_PT = 8.0
MOST_BLANK = 1 / 3


@dataclass
class PrintedPage:
    number: int
    lines: list[tuple[float, float, str]]  # (top, largest character size, text), top to bottom
    content_bottom: float  # where the lowest text, image or rule ends (points from the top)
    area_top: float
    area_bottom: float
    images: list[dict]
    footer: str
    smallest_size: float  # the smallest character on the page (pt), footer included

    @property
    def blank_fraction(self) -> float:
        return max(0.0, (self.area_bottom - self.content_bottom) / (self.area_bottom - self.area_top))


def heading_size(chars: list[dict]) -> float:
    """A line's largest character size; a line wholly in bold at a chart title's size (what must stay with the
    chart below it) counts as a heading's size. Table captions and row headers print bold at the tables' size
    and are not counted (a caption is kept with its table by the stylesheet)."""
    size = max(c["size"] for c in chars)
    if size >= CHART_TITLE_PT and all("Bold" in c["fontname"] for c in chars if c["text"].strip()):
        return max(size, HEADING_PT)
    return size


def read_pages(pdf_path) -> list[PrintedPage]:
    pages = []
    with pdfplumber.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            area_bottom = page.height - BOTTOM
            body = [c for c in page.chars if c["bottom"] <= area_bottom]
            footer = "".join(c["text"] for c in page.chars if c["top"] > area_bottom)
            rows: dict[float, list] = {}
            for char in body:
                rows.setdefault(round(char["top"] / 2) * 2, []).append(char)
            lines = [(top, heading_size(chars), "".join(c["text"] for c in sorted(chars, key=lambda c: c["x0"])))
                     for top, chars in sorted(rows.items())]
            bottoms = [c["bottom"] for c in body] + [i["bottom"] for i in page.images]
            # Rules and borders count; the page's own background (a rectangle over the whole area) does not.
            bottoms += [r["bottom"] for r in page.rects + page.lines
                        if r["bottom"] <= area_bottom and r["bottom"] - r["top"] < 0.9 * (area_bottom - TOP)]
            pages.append(PrintedPage(number, lines, max(bottoms, default=TOP), TOP, area_bottom,
                                     list(page.images), footer, min((c["size"] for c in page.chars),
                                                                    default=float("inf"))))
    return pages


def chart_text_sizes(html: str, pages: list[PrintedPage]) -> list[float]:
    """The printed size (pt) of the smallest text in each chart, in document order.

    A chart's PNG records its smallest font size at the drawn size (`charts.TEXT_SIZE_KEY`); printed, that
    text is scaled by the image's printed width over its drawn width (pixels / DPI, in points).
    """
    charts = []
    for data in re.findall(r'<img [^>]*src="data:image/png;base64,([^"]+)"', html):
        image = Image.open(io.BytesIO(base64.b64decode(data)))
        charts.append((float(image.text[TEXT_SIZE_KEY]), image.width))
    printed = [image for page in pages for image in page.images]
    assert len(printed) == len(charts), f"{len(charts)} charts in the HTML, {len(printed)} images in the PDF"
    return [smallest * (image["x1"] - image["x0"]) / (width / DPI * 72)
            for (smallest, width), image in zip(charts, printed)]


def headings_ending_a_page(pages: list[PrintedPage]) -> list[str]:
    """Headings that are the last thing on a page: the page's last text line is in a heading's size and no
    image (a chart, whose words are in the picture) is printed below it."""
    found = []
    for page in pages[:-1]:
        if not page.lines or page.lines[-1][1] < HEADING_PT:
            continue
        heading_top = page.lines[-1][0]
        if not any(image["top"] > heading_top for image in page.images):
            found.append(f"page {page.number}: {page.lines[-1][2]}")
    return found


def squeezed(text: str) -> str:
    """Text without spaces, as pdfplumber's lines and the HTML are compared (it drops some spaces)."""
    return re.sub(r"\s+", "", html_lib.unescape(text))


def tables_of(html: str) -> list[tuple[str, str]]:
    """Each table's caption and the text of its last row's first cell, in document order."""
    found = []
    for table in re.findall(r"<table>(.*?)</table>", html, flags=re.S):
        caption = re.search(r"<caption>(.*?)</caption>", table, flags=re.S)
        rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
        first_cell = re.search(r"<t[hd][^>]*>(.*?)</t[hd]>", rows[-1], flags=re.S) if rows else None
        if caption and first_cell:
            found.append((re.sub(r"<[^>]+>", "", caption.group(1)), re.sub(r"<[^>]+>", "", first_cell.group(1))))
    return found


def _find(pages: list[PrintedPage], text: str, start: tuple[int, float]) -> tuple[int, float, float] | None:
    """The first line at or after `start` (page index, top), in a table's size (not a heading), that holds all of
    `text` or, for text wrapped over lines, whose text begins it: (page index, top, the line's bottom). Compared
    without spaces."""
    wanted = squeezed(text)
    for index in range(start[0], len(pages)):
        for top, size, line in pages[index].lines:
            printed = squeezed(line)
            if (index, top) >= start and size < HEADING_PT and wanted \
                    and (wanted in printed or (len(printed) >= 20 and wanted.startswith(printed))):
                return index, top, top + size
    return None


def split_tables(html: str, pages: list[PrintedPage]) -> list[str]:
    """Tables printed across two pages although shorter than a page: the caption on one page, the last row on a
    later one, and the two parts together shorter than a page's printed area."""
    found, position = [], (0, 0.0)
    for caption, last_row in tables_of(html):
        start = _find(pages, caption, position)
        if start is None:
            continue
        end = _find(pages, last_row, (start[0], start[1]))
        if end is None:
            continue
        position = (end[0], end[1])
        if end[0] == start[0]:
            continue
        first, last = pages[start[0]], pages[end[0]]
        height = (first.area_bottom - start[1]) + sum(p.area_bottom - p.area_top for p in pages[start[0] + 1:end[0]]) \
            + (end[2] - last.area_top)
        if height < first.area_bottom - first.area_top:
            found.append(f"pages {start[0] + 1} to {end[0] + 1}: {caption} ({height / MM:.0f} mm)")
    return found


def ends_a_section(pages: list[PrintedPage], index: int) -> bool:
    """Whether the page at `index` is the last page of a section: the next page starts with a section heading."""
    following = pages[index + 1] if index + 1 < len(pages) else None
    return following is None or (bool(following.lines) and following.lines[0][1] >= SECTION_PT)


def mostly_blank_pages(pages: list[PrintedPage]) -> list[str]:
    """Pages more than a third blank below their content, except the last page of a section (issue 22's rule)."""
    return [f"page {p.number}: {p.blank_fraction:.0%} blank" for i, p in enumerate(pages)
            if p.blank_fraction > MOST_BLANK and not ends_a_section(pages, i)]


def smallest_text(pages: list[PrintedPage]) -> float:
    """The smallest character size (pt) anywhere in the PDF, footers included (read once, by `read_pages`)."""
    return min(page.smallest_size for page in pages)


def footers_missing(pages: list[PrintedPage], title: str) -> list[int]:
    """Pages whose footer does not give the title and "Page n of N"."""
    total = len(pages)
    squeeze = lambda text: re.sub(r"\s+", "", text)  # noqa: E731 (pdfplumber drops some spaces)
    return [p.number for p in pages if squeeze(f"Page {p.number} of {total}") not in squeeze(p.footer)
            or squeeze(title)[:40] not in squeeze(p.footer)]
