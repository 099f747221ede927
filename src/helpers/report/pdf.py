"""The report as an A4 PDF for the board pack, printed by headless Chromium (Debian's `chromium`).

Chromium prints the self-contained HTML with the report's print stylesheet; the footer on every page
carries the report's title and "Page n of N" (Chromium's own header and footer, with the date and the
file's address, are replaced). Without Chromium nothing is printed and `print_pdf` returns None: the
HTML report is made either way, and the caller says once how to get the PDF (`NO_CHROMIUM`).
"""
from __future__ import annotations

import html
import queue
import shutil
import threading
from pathlib import Path

# The same flags the report's browser checks use: no network, no sync, no first-run work.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
NO_CHROMIUM = ("note: no PDF was printed, as Chromium is not installed; install Debian's chromium "
               "(sudo apt-get install chromium) to get the PDF beside the HTML report")
# A4 portrait. The bottom margin holds the footer; the print stylesheet's content width is 186 mm.
MARGINS = {"top": "14mm", "bottom": "18mm", "left": "12mm", "right": "12mm"}
FOOTER_PT = 8  # the footer's text size: the smallest text the board pack prints


def chromium_path() -> str | None:
    """Debian's chromium (or chromium-browser), None when not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def footer_template(title: str) -> str:
    """Chromium's footer: the report's title on the left, "Page n of N" on the right, in 8 pt Arial."""
    return (f'<div style="font-family: Arial, Helvetica, sans-serif; font-size: {FOOTER_PT}pt; color: #0b0c0c; '
            'width: 100%; margin: 0 12mm; display: flex; justify-content: space-between;">'
            f'<span>{html.escape(title)}</span>'
            '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>')


def print_pdf(html_path: str | Path, pdf_path: str | Path, title: str) -> Path | None:
    """Print one HTML report to an A4 PDF with `title` and page numbers in the footer; None without Chromium."""
    written = print_pdfs([(Path(html_path), Path(pdf_path), title)])
    return written[0] if written else None


def print_pdfs(jobs) -> list[Path]:
    """Print several reports with one browser (html path, pdf path, title); [] without Chromium.

    `jobs` is any iterable, read as the browser gets to it: `BackgroundPrinter` hands it a queue."""
    executable = chromium_path()
    if executable is None:
        return []
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            for html_path, pdf_path, title in jobs:
                page = browser.new_page()
                # The report is self-contained: refuse every request that is not the file itself.
                page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                           else route.abort())
                page.goto(Path(html_path).resolve().as_uri())
                page.emulate_media(media="print")
                Path(pdf_path).parent.mkdir(parents=True, exist_ok=True)
                page.pdf(path=str(pdf_path), format="A4", print_background=True, display_header_footer=True,
                         header_template="<span></span>", footer_template=footer_template(title), margin=MARGINS,
                         prefer_css_page_size=False)
                page.close()
                written.append(Path(pdf_path))
        finally:
            browser.close()
    return written


class BackgroundPrinter:
    """Prints each report as soon as it is written, on a thread of its own, while the run renders the next.

    The notebooks' kernel keeps one core busy and the run's own process mostly waits for it, so Chromium's
    start (about 0.7 s) and each page (about 0.4 s) cost a run little while they overlap; printed at the
    end, the three PDFs added about 2 s to every run. A job may give, instead of an HTML file, the function
    that writes it (the briefing, nbconvert's export of each report): it is then written on this thread too,
    in the order asked, with or without Chromium.
    `finish()` waits for the last page and raises what the thread raised; without Chromium nothing is
    printed and `finish()` returns [].
    """

    _END = None

    def __init__(self):
        self._jobs: queue.Queue = queue.Queue()
        self._written: list[Path] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._print_until_the_end, name="pdf-printer", daemon=True)
        self._thread.start()

    def _print_until_the_end(self) -> None:
        try:
            documents = ((html() if callable(html) else html, pdf_path, title)
                         for html, pdf_path, title in iter(self._jobs.get, self._END))
            self._written = print_pdfs(documents)
            for _ in documents:  # without Chromium nothing was read: the documents are still to be written
                pass
        except BaseException as error:  # handed to the run's thread by finish()
            self._error = error

    def print_later(self, html, pdf_path: Path, title: str) -> None:
        """Print `html` (an HTML file, or a function writing one and returning its path) to `pdf_path`."""
        self._jobs.put((html if callable(html) else Path(html), Path(pdf_path), title))

    def finish(self) -> list[Path]:
        """Every PDF asked for, once printed; [] without Chromium."""
        self._jobs.put(self._END)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._written

    def abandon(self) -> None:
        """Let the printing end after what was asked, leaving its error (if any) unraised: the run failed."""
        self._jobs.put(self._END)
        self._thread.join()
