"""The two-page practitioner briefing (issue 22): what the audit looked at, what it found, what the partnership will
do, what each practitioner can do differently, and where to read more.

Made by the same run as the board report, from the same inputs (`helpers.run.loaders.load_report_inputs`). A
briefing is shared widely, so it follows the published version's disclosure rules: its figures are those the
published report prints, and a measure whose figure the published version withholds is never ranked among the
strongest or weakest. Percentages are whole numbers of children, rounded once, half up, from the counts.
"""
from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pandas as pd

from ..domain.measures import SECONDARY, Parameters, measures_by_id
from . import board_paper, narrative, sections

STYLESHEET = Path(__file__).with_name("briefing.css")
NAMED = 3  # the strongest and the weakest key-line findings named
MARKING = "OFFICIAL: for practitioners across the partnership. Small numbers are withheld, as in the published report."
READ_MORE = ("Working Together to Safeguard Children (2023), and your partnership's child protection procedures, "
             "say what each agency must do.")


def esc(value) -> str:
    return html.escape(str(value))


def published_figures(inputs: dict) -> pd.DataFrame:
    """Each measure's figures as the published report's sentences give them (indexed by measure_id)."""
    withheld = sections.withheld_of(inputs, sections.PUBLISHED)
    return sections.prose_figures(inputs["findings"], sections.PUBLISHED, withheld)


def ranked_findings(findings: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """Key-line findings whose percentage the published version prints, highest first (on the unrounded
    proportion; declaration order breaks ties). A withheld figure is not ranked: its place would say something."""
    key_lines = findings[(findings["kloe"] != SECONDARY) & (findings["denominator"] > 0)]
    shown = key_lines[key_lines["measure_id"].map(lambda m: figures.at[m, "percent"][:1].isdigit())]
    share = shown["numerator"] / shown["denominator"]
    return shown.assign(_share=share).sort_values("_share", ascending=False, kind="stable").drop(columns="_share")


def strongest_and_weakest(findings: pd.DataFrame, figures: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The NAMED strongest and NAMED weakest published key-line findings; with fewer than 2 x NAMED ranked, the
    weakest are those not already named strongest."""
    ranked = ranked_findings(findings, figures)
    strongest = ranked.head(NAMED)
    weakest = ranked.drop(index=strongest.index).tail(NAMED).iloc[::-1]
    return strongest, weakest


def finding_item(row: pd.Series, figures: pd.DataFrame) -> str:
    """"Plan SMART: 42% of children (42 of 100)"."""
    shown = figures.loc[row["measure_id"]]
    return f"{row['label']}: {shown['percent']} of children ({shown['met']} of {shown['assessed']})"


def practice_sentences(findings: pd.DataFrame, recommendations: pd.DataFrame, params: Parameters) -> list[str]:
    """One sentence per area for improvement (every measure whose whole 95% interval lies below its expected
    standard), lowest first, in the words declared with the measure (`Measure.practice`)."""
    standards = board_paper.expected_standards(findings, recommendations, params)
    _, areas = board_paper.strengths_and_areas(findings, standards)
    ordered = areas.assign(_share=areas["numerator"] / areas["denominator"]).sort_values("_share", kind="stable")
    return [measures_by_id(params)[m].practice_for(params) for m in ordered["measure_id"]]


def what_we_looked_at(inputs: dict) -> str:
    audit, findings = inputs["audit"], inputs["findings"]
    key_lines = findings[(findings["kloe"] != SECONDARY) & (findings["denominator"] > 0)]
    period = narrative.audit_period(inputs["audit"], inputs.get("definition")).removeprefix(", ")
    when = f" ({period})" if period else ""
    definition = inputs.get("definition")
    cp_audit = narrative.is_cp_audit(definition)
    files = "child protection case files" if cp_audit else "case files"
    scope = "from early help to the work after the first conference" if cp_audit else \
        "across " + "; ".join(title.lower() for title in definition.key_lines.values())
    return (f"<p>The partnership's audit panel read {inputs['included_cases']} {files}"
            f"{esc(when)}. It checked {len(key_lines)} standards of practice, {esc(scope)}. Each figure below is "
            "the share of children whose case met the standard, out of the cases where it applied.</p>"
            + (f"<p>{esc(audit.get('sampling'))}.</p>" if audit.get("sampling") else ""))


def what_we_found(findings: pd.DataFrame, figures: pd.DataFrame) -> str:
    strongest, weakest = strongest_and_weakest(findings, figures)
    if strongest.empty:
        return ("<p>Too few cases could be assessed to name the strongest and weakest findings without revealing "
                "small numbers.</p>")
    items = lambda rows: "".join(f"<li>{esc(finding_item(r, figures))}</li>" for _, r in rows.iterrows())  # noqa: E731
    parts = [f"<h3>Done best</h3><ul>{items(strongest)}</ul>"]
    if not weakest.empty:
        parts.append(f"<h3>Done least well</h3><ul>{items(weakest)}</ul>")
    return '<div class="findings">' + "".join(f"<div>{p}</div>" for p in parts) + "</div>"


def what_the_partnership_will_do(recommendations: pd.DataFrame) -> str:
    if recommendations.empty:
        return "<p>The audit panel set out no recommendations.</p>"
    return ("<p>The partnership board has been asked to agree these actions:</p><ol>"
            + "".join(f"<li>{esc(text)}</li>" for text in recommendations["recommendation"]) + "</ol>")


def what_you_can_do(findings: pd.DataFrame, recommendations: pd.DataFrame, params: Parameters) -> str:
    said = practice_sentences(findings, recommendations, params)
    if not said:
        return ("<p>No standard was clearly below what is expected. Keep doing what works, and read the findings "
                "above with your team.</p>")
    return ("<p>Where practice was clearly below the expected standard:</p><ul>"
            + "".join(f"<li>{esc(s)}</li>" for s in said) + "</ul>")


def read_more(published_name: str) -> str:
    report = (f"The full published report, {esc(published_name)}, gives every finding with its 95% interval, "
              "and how the audit was done." if published_name else
              "The full published report gives every finding with its 95% interval, and how the audit was done.")
    return f"<p>{report}</p><p>{esc(READ_MORE)}</p>"


def briefing_body(inputs: dict, published_name: str = "") -> str:
    """The briefing's HTML body: one <h1>, five sections under <h2> headings."""
    findings, recommendations = inputs["findings"], inputs["recommendations"]
    params = inputs.get("params") or Parameters()
    figures = published_figures(inputs)
    title = inputs["audit"].get("audit_title") or "Multi-agency audit of child protection conferences"
    parts = [f"<h1>Learning briefing: {esc(title)}</h1>", f'<p class="marking">{esc(MARKING)}</p>']
    if inputs.get("synthetic"):
        parts.append('<p class="synthetic"><strong>Synthetic demonstration data.</strong> No real child, family '
                     "or case is in this briefing.</p>")
    parts += ["<h2>What the audit looked at</h2>", what_we_looked_at(inputs),
              "<h2>What it found</h2>", what_we_found(findings, figures),
              "<h2>What the partnership will do</h2>", what_the_partnership_will_do(recommendations),
              "<h2>What you can do differently</h2>", what_you_can_do(findings, recommendations, params),
              "<h2>Read more</h2>", read_more(published_name)]
    return "\n".join(parts)


def briefing_document(inputs: dict, published_name: str = "", generated: dt.datetime | None = None) -> str:
    """The whole briefing as one self-contained HTML document (no script, font or image from the internet)."""
    generated = generated or dt.datetime.now().replace(microsecond=0)
    title = inputs["audit"].get("audit_title") or "Multi-agency audit of child protection conferences"
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>Learning briefing: {esc(title)}</title>\n<style>\n{STYLESHEET.read_text()}\n</style>\n"
            f"</head>\n<body>\n<main>\n{briefing_body(inputs, published_name)}\n"
            f'<p class="generated-at">Made {generated:%d/%m/%Y} from the same audit as the board report.</p>\n'
            "</main>\n</body>\n</html>\n")


def briefing_path(reports: Path, audit_id: str) -> Path:
    """reports/<audit-id>/<audit-id>-briefing.html (its PDF beside it)."""
    return Path(reports) / f"{audit_id}-briefing.html"


def write_briefing(processed: Path, reports: Path, audit_id: str, published_name: str,
                   audit_definition: str = "") -> Path:
    """Read the staged outputs as notebook 04 does and write the briefing beside the reports."""
    from ..run.loaders import load_report_inputs

    path = briefing_path(reports, audit_id)
    path.write_text(briefing_document(load_report_inputs(processed, audit_definition), published_name),
                    encoding="utf-8")
    return path
