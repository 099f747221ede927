"""Headless Chromium (Debian's `chromium`) driven by Playwright: axe-core checks and screenshots."""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
INSTALL_HINT = "install Debian's chromium (sudo apt-get install chromium) to run this check"


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def report_page(report: Path, width: int = 1100, height: int = 900):
    """A page showing the report file, in a browser that may not reach the network."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError(INSTALL_HINT)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            # The report must be self-contained: refuse every request that is not the file itself.
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                       else route.abort())
            page.goto(Path(report).resolve().as_uri())
            yield page
        finally:
            browser.close()


def axe_violations(report: Path) -> list[dict]:
    """axe-core's violations for the report under the WCAG 2.2 AA tags and best practice."""
    import axe_playwright_python

    script = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
    with report_page(report) as page:
        page.evaluate(script)
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return result["violations"]


def screenshot(report: Path, target: Path, selector: str | None = None, full_page: bool = False) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with report_page(report) as page:
        if selector:
            page.locator(selector).first.screenshot(path=str(target))
        else:
            page.screenshot(path=str(target), full_page=full_page)
    return target
