"""What makes the report a board paper: an executive summary written from the numbers, contents, glossary.

Every sentence here is generated from the findings and is true for any
workbook: a strength is a measure whose whole 95% interval lies above its
expected standard, an area for improvement one whose whole interval lies
below it. The expected standard is the target a recommendation sets for the
measure, else the run's `expected_standard` parameter.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ..domain.measures import SECONDARY, Parameters, definition_of
from .disclosure import withheld_once
from .narrative import standard_text, whole_percent

# The report's sections, in order: (anchor, heading). The contents list and every heading read this.
SECTIONS = (
    ("executive-summary", "Executive summary"),
    ("since-last-audit", "Since the last audit"),
    ("summary", "Findings at a glance"),
    ("key-lines", "Findings by key line of enquiry"),
    ("secondary", "Secondary findings"),
    ("context", "National and local context"),
    ("recommendations", "Recommendations"),
    ("glossary", "Glossary"),
    ("method", "Method"),
    ("definitions", "Annex: definitions of the measures"),
    ("data-quality", "Annex: data quality"),
    ("appendix", "Appendix: software versions"),
)
HEADING = dict(SECTIONS)
GLOSSARY = (
    ("ICPC", "Initial child protection conference: the first meeting of family and professionals that decides "
             "whether a child needs a child protection plan."),
    ("Strategy discussion", "The meeting of police, children's social care and health that decides whether "
                            "to start child protection enquiries; the audit counts the time to the conference "
                            "from it."),
    ("Child protection plan", "The plan agreed at conference that sets out how the child will be kept safe."),
    ("Core group", "The family and the professionals who put the child protection plan into action between "
                   "conferences; the first one should meet soon after the conference."),
    ("Participation codes (PN0 to PN7)", "How the child took part: PN0 means the child was under 4; PN1 to PN6 "
                                         "mean the child's views were heard, in person, through an advocate or "
                                         "in another way; PN7 means the child was absent and their views were "
                                         "not conveyed."),
    ("Quorate", "Enough agencies attended for the conference to make decisions: children's social care and at "
                "least two other agency groups."),
    ("95% interval", "The range the true figure for all children on plans is likely to lie in, given that the "
                     "audit looked at a sample of cases. A narrow interval means a more certain figure."),
    ("Working days", "Monday to Friday, not counting bank holidays in England and Wales."),
    ("Partly", "For Yes, Partly or No questions, Partly counts as not meeting the standard."),
)
# The terms of any audit (another audit's report leaves out the child protection conference audit's own terms).
ANY_AUDIT_TERMS = ("95% interval", "Working days", "Partly")
ANY_AUDIT_GLOSSARY = tuple((term, meaning.replace("all children on plans", "all the children audited"))
                           for term, meaning in GLOSSARY if term in ANY_AUDIT_TERMS)


def section_heading(anchor: str) -> str:
    return f'<h2 id="{anchor}">{html.escape(HEADING[anchor])}</h2>'


def back_to_contents() -> str:
    return '<p class="back"><a href="#contents">Back to contents</a></p>'


def present_sections(comparison: bool, context: bool) -> tuple[str, ...]:
    """The anchors of the sections this report has."""
    optional = {"since-last-audit": comparison, "context": context}
    return tuple(anchor for anchor, _ in SECTIONS if optional.get(anchor, True))


def contents_nav(present: tuple[str, ...]) -> str:
    """A <nav> of in-page links to every section the report has."""
    items = "".join(f'<li><a href="#{anchor}">{html.escape(title)}</a></li>'
                    for anchor, title in SECTIONS if anchor in present)
    return f'<nav id="contents" aria-labelledby="contents-heading"><h2 id="contents-heading">Contents</h2>' \
           f"<ol>{items}</ol></nav>"


def expected_standards(findings: pd.DataFrame, recommendations: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Each measure's expected standard and where it came from (a recommendation's target, or the parameter)."""
    targets = {}
    if not recommendations.empty and "target" in recommendations:
        with_target = recommendations[pd.to_numeric(recommendations["target"], errors="coerce").notna()]
        for _, rec in with_target.iterrows():
            for measure_id in [m.strip() for m in str(rec["measures"]).split(";") if m.strip()]:
                targets.setdefault(measure_id, float(rec["target"]))
    standard = findings["measure_id"].map(targets)
    # A standard the audit's definition set in advance comes next (issue 23), then the expected standard.
    in_advance = findings["measure_id"].map(definition_of(params).standards)
    source = np.select([standard.notna(), in_advance.notna()], ["recommendation target", "standard set in advance"],
                       default="expected standard")
    return pd.DataFrame({"measure_id": findings["measure_id"],
                         "standard": standard.fillna(in_advance).fillna(expected_standard(params)).astype(float),
                         "source": source})


def expected_standard(params: Parameters) -> int:
    """The percentage a measure without a target is judged against: the expected_standard parameter (80 for an
    audit whose definition declares none)."""
    return getattr(params, "expected_standard", DEFAULT_EXPECTED_STANDARD)


DEFAULT_EXPECTED_STANDARD = 80


def strengths_and_areas(findings: pd.DataFrame, standards: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Measures whose whole interval lies above their standard, and those whose whole interval lies below it."""
    rows = findings.merge(standards, on="measure_id")
    measured = rows[rows["denominator"] > 0]
    return measured[measured["ci_lower"] > measured["standard"]], measured[measured["ci_upper"] < measured["standard"]]


LOWEST_NAMED = 3  # the summary names this many of the lowest key-line measures


def _item(row: pd.Series, figures: pd.DataFrame | None = None) -> str:
    """"Label: 42% (standard 80%)"; a figure this version withholds reads "figure withheld (...)"."""
    return f"{row['label']}: {_figure(row, figures)} (standard {standard_text(row['standard'])})"


def _figure(row: pd.Series, figures: pd.DataFrame | None) -> str:
    """A measure's whole-number percentage as this version gives it (`figures`: `sections.prose_figures`)."""
    shown = whole_percent(row["numerator"], row["denominator"])
    if figures is not None and row["measure_id"] in figures.index:
        given = figures.at[row["measure_id"], "percent"]
        if given != shown:
            return f"figure {given}"
    return shown


def _lowest_first(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows in order of their unrounded proportion met, lowest first (declaration order breaks ties)."""
    share = rows["numerator"] / rows["denominator"]
    return rows.assign(_share=share).sort_values("_share", kind="stable").drop(columns="_share")


def _bullets(rows: pd.DataFrame, figures: pd.DataFrame | None = None) -> str:
    return '<ul class="summary-list">' + "".join(f"<li>{html.escape(withheld_once(_item(r, figures)))}</li>"
                                                 for _, r in rows.iterrows()) + "</ul>"


def lowest_not_listed(measured: pd.DataFrame, areas: pd.DataFrame, standards: pd.DataFrame) -> pd.DataFrame:
    """The lowest key-line measures that the areas for improvement do not already name, lowest first."""
    lowest = _lowest_first(measured).head(LOWEST_NAMED)
    return lowest[~lowest["measure_id"].isin(areas["measure_id"])].merge(standards, on="measure_id")


def lines_html(text: str) -> str:
    """Text of one point per line as HTML: lines starting "- " become a list, the others paragraphs."""
    blocks, items = [], []
    for line in text.split("\n"):
        if line.startswith("- "):
            items.append(f"<li>{html.escape(line[2:])}</li>")
            continue
        if items:
            blocks.append(f"<ul>{''.join(items)}</ul>")
            items = []
        blocks.append(f"<p>{html.escape(line)}</p>")
    if items:
        blocks.append(f"<ul>{''.join(items)}</ul>")
    return "".join(blocks)


def executive_summary(findings: pd.DataFrame, recommendations: pd.DataFrame, params: Parameters, included: int,
                      comparison_sentence: str = "", figures: pd.DataFrame | None = None,
                      carried_forward: pd.Series | None = None) -> str:
    """The first screen: the headline, the re-audit, what is asked of the board, strengths, areas for improvement.

    Strengths and areas are short bulleted lists; the areas are in order, lowest first, and the lowest
    measures are named again only when the areas do not already list them. `figures` (from
    `sections.prose_figures`) gives each measure's figures as this version prints them: the published
    version makes every statement the board version makes, about the same measures and with the same
    counts, and says "withheld (...)" where a figure is withheld (issue 22). `carried_forward`: which of
    the recommendations an earlier audit raised (spec section 3b, `comparison_section.carried_forward_of`);
    they are marked and not counted as new.
    """
    standards = expected_standards(findings, recommendations, params)
    key_lines = findings[findings["kloe"] != SECONDARY]
    strengths, areas = (_lowest_first(rows) for rows in strengths_and_areas(key_lines, standards))
    measured = key_lines[key_lines["denominator"] > 0]
    parts = [section_heading("executive-summary")]
    if measured.empty:
        parts.append(f"<p>The audit included {included} cases, but none could be assessed on the key lines.</p>")
    else:
        ordered = _lowest_first(measured)
        low, high = ordered.iloc[0], ordered.iloc[-1]
        headline = withheld_once(
            f"The audit looked at {included} cases against {len(measured)} key-line standards. "
            f"Key-line standards were met in between {_figure(low, figures).removeprefix('figure ')}"
            f" and {_figure(high, figures).removeprefix('figure ')} of cases.")
        parts.append(f"<p>{html.escape(headline)}</p>")
    if comparison_sentence:  # "are we getting better?" comes straight after the headline
        parts.append(lines_html(comparison_sentence))
    carried = (pd.Series(False, index=recommendations.index) if carried_forward is None
               else carried_forward.reindex(recommendations.index).fillna(False).astype(bool))
    asked = recommendations_asked(len(recommendations), int(carried.sum()))
    if not recommendations.empty:  # the ask, reachable from the first lines
        parts.append(f'<p>The audit panel asks the board to agree <a href="#board-asks">{html.escape(asked)}</a> '
                     "(listed at the end of this summary).</p>")
    if not measured.empty:
        parts.append("<p><strong>Strengths</strong> (the whole 95% interval above the expected standard)"
                     + (":</p>" + _bullets(strengths, figures) if not strengths.empty
                        else ": none is clearly above its standard on this sample.</p>"))
        parts.append("<p><strong>Areas for improvement</strong> (the whole 95% interval below the expected "
                     "standard)" + (", lowest first:</p>" + _bullets(areas, figures) if not areas.empty
                                    else ": none is clearly below its standard on this sample.</p>"))
        others = lowest_not_listed(measured, areas, standards)
        if not others.empty:
            lead = ("The lowest measures" if areas.empty else "Also among the lowest, not clearly below the standard")
            parts.append(f"<p>{lead}: " + html.escape(withheld_once(
                "; ".join(_item(r, figures) for _, r in others.iterrows()))) + ".</p>")
    if recommendations.empty:
        parts.append("<p>The workbook sets out no recommendations for the board.</p>")
    else:
        asks = "".join(f"<li>{html.escape(text)}{' (carried forward)' if again else ''}</li>"
                       for text, again in zip(recommendations["recommendation"], carried))
        parts.append(f'<p id="board-asks">The audit panel asks the board to agree {html.escape(asked)}:</p>'
                     f"<ol>{asks}</ol>")
    return "\n".join(parts)


def recommendations_asked(listed: int, carried_forward: int = 0) -> str:
    """"10 recommendations", or "7 new recommendations and 3 carried forward from earlier audits" (spec 3b:
    a carried-forward recommendation is not counted again as a new one)."""
    new = listed - carried_forward
    if not carried_forward:
        return f"{listed} recommendation{'s' if listed != 1 else ''}"
    return (f"{new} new recommendation{'s' if new != 1 else ''} and {carried_forward} carried forward from "
            f"an earlier audit")


def glossary_section(cp_audit: bool = True) -> str:
    """The glossary; `cp_audit` False: another audit's, without the child protection conference audit's terms."""
    terms = GLOSSARY if cp_audit else ANY_AUDIT_GLOSSARY
    items = "".join(f"<dt>{html.escape(term)}</dt><dd>{html.escape(meaning)}</dd>" for term, meaning in terms)
    return section_heading("glossary") + f"<dl class=\"glossary\">{items}</dl>" + back_to_contents()
