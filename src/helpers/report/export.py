"""nbconvert publishes the executed report notebook as one self-contained, accessible HTML file.

The `basic` template gives the cells' HTML without any script, style or font
from the internet (the default `lab` template loads require.js and MathJax
from a CDN); this module wraps it in a document with `lang="en"`, a title,
the report's own stylesheet (screen and print) and nothing else. Inputs,
prompts, markdown written for analysts, stderr and warnings are left out.
"""
from __future__ import annotations

import datetime as dt
import functools
import html
import re
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

STYLESHEET = Path(__file__).with_name("report.css")
GENERATED_MARKER = "generated-at"


def _board_outputs_only(notebook):
    """Keep only display outputs (HTML) of code cells: no stderr, warnings, errors or markdown."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if o.get("output_type") in ("display_data", "execute_result")
                            and "text/html" in o.get("data", {})]
            for output in cell.outputs:
                output["data"] = {"text/html": output["data"]["text/html"]}
    notebook.cells = [c for c in notebook.cells if c.cell_type == "code" and c.outputs]
    return notebook


@functools.cache
def report_exporter() -> HTMLExporter:
    """One exporter for a run's two versions: making one compiles nbconvert's templates (about 0.1 s)."""
    return HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True, exclude_markdown=True, exclude_raw=True)


def render_body(executed_notebook: str | Path) -> str:
    notebook = _board_outputs_only(nbformat.read(str(executed_notebook), as_version=4))
    body, _ = report_exporter().from_notebook_node(notebook)
    return body


def document(body: str, title: str, generated: dt.datetime | None = None) -> str:
    """A whole HTML document around the report body. Only one line carries the generation time."""
    generated = generated or dt.datetime.now().replace(microsecond=0)
    css = STYLESHEET.read_text()
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n<main>\n"
        f"{body}\n"
        f"<p class=\"{GENERATED_MARKER}\">Generated {generated:%d/%m/%Y %H:%M}.</p>\n"
        "</main>\n</body>\n</html>\n"
    )


def report_title(body: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", body, flags=re.S)
    return html.unescape(match.group(1)) if match else "Audit of child protection conferences"


def export_report(executed_notebook: str | Path, file_name: str, folder: Path, version: str) -> Path:
    """Write the report's HTML document as `folder/file_name` and return its path."""
    body = render_body(executed_notebook)
    title = report_title(body)
    path = Path(folder) / file_name
    path.write_text(document(body, title + (" (published version)" if version == "published" else "")),
                    encoding="utf-8")
    return path
