"""The board report's sections as HTML, built from the processed outputs.

Headings are generated here so that there is one <h1> and the levels never
skip; every chart comes with its alt text and the same numbers in a table.
The `published` version applies disclosure control (see disclosure.py).
"""
from __future__ import annotations

import html

import pandas as pd

from ..domain.answers import UNMAPPED
from ..domain.measures import KLOES, MEASURES, MEASURES_BY_ID, SECONDARY, Parameters
from . import charts, narrative
from .board_paper import back_to_contents, contents_nav, section_heading, whole
from .disclosure import FOOTNOTE, SUPPRESSED, WITHHELD_OR_NONE, apply_suppression, one_decimal, small_count_shown

BOARD, PUBLISHED = "board", "published"
# DfE category codes as a board member reads them.
CATEGORY_NAMES = {"NEG": "Neglect (NEG)", "PHY": "Physical abuse (PHY)", "SAB": "Sexual abuse (SAB)",
                  "EMO": "Emotional abuse (EMO)", "MUL": "Multiple (MUL)"}
MARKING = {BOARD: "OFFICIAL-SENSITIVE: for the safeguarding partnership board. Do not publish.",
           PUBLISHED: "OFFICIAL: published version, with small numbers withheld."}


def esc(value) -> str:
    return html.escape(str(value))


def html_table(frame: pd.DataFrame, caption: str, row_header: str | None = None, numeric=()) -> str:
    """An accessible table: caption, column headers with scope, the first column as row headers."""
    row_header = row_header or frame.columns[0]
    head = "".join(f'<th scope="col"{" class=num" if c in numeric else ""}>{esc(c)}</th>' for c in frame.columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for column in frame.columns:
            value = "" if pd.isna(row[column]) else row[column]
            if column == row_header:
                cells.append(f'<th scope="row">{esc(value)}</th>')
            else:
                cls = ' class="num"' if column in numeric else ""
                cells.append(f"<td{cls}>{esc(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="table-wrap"><table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def findings_display(findings: pd.DataFrame, version: str) -> pd.DataFrame:
    """Findings as a board member reads them: measure, %, interval, met/assessed, not counted."""
    table = findings
    if version == PUBLISHED:
        # Rows are different measures, with no published total across them: row-wise suppression only.
        shown = apply_suppression(table, ["numerator", "denominator"], pairs=[("numerator", "denominator")],
                                  percent_columns={"percent": ("numerator", "denominator"),
                                                   "ci_lower": ("numerator", "denominator"),
                                                   "ci_upper": ("numerator", "denominator")},
                                  column_totals=False)
    else:
        shown = table.astype(object)
        for column in ("percent", "ci_lower", "ci_upper"):
            shown[column] = one_decimal(table[column])
    interval = [f"{lo} to {hi}" if lo not in WITHHELD_OR_NONE else lo
                for lo, hi in zip(shown["ci_lower"], shown["ci_upper"])]
    display = {"Measure": table["label"], "% met": shown["percent"], "95% interval (%)": interval,
               "Met": shown["numerator"], "Assessed": shown["denominator"]}
    if version == BOARD:  # the counts left out can be 1 to 5: only the board sees them
        display.update({"Not applicable": table["not_applicable"], "Not recorded": table["not_recorded"]})
    return pd.DataFrame(display)


NUMERIC_FINDINGS = ("% met", "95% interval (%)", "Met", "Assessed", "Not applicable", "Not recorded")


def _chart(findings: pd.DataFrame, what: str, audit: dict, included: int, version: str,
           drawn: dict | None = None) -> str:
    """The chart of these findings: the one the findings stage drew when it shows the same measures."""
    rows = findings
    if version == PUBLISHED:
        # No percentage on fewer than 10 cases, and none that reveals a count of 1 to 5.
        display = findings_display(findings, PUBLISHED)
        rows = findings[~display["% met"].isin(WITHHELD_OR_NONE).to_numpy()]
        if rows.empty:
            return "<p>Too few cases to show this chart in the published version.</p>"
    by_measures = {tuple(chart.measure_ids): chart for chart in (drawn or {}).values()}
    chart = by_measures.get(tuple(rows["measure_id"]))
    if chart is None:
        chart = charts.chart_of("", rows, what, narrative.caption(rows, audit, included))
    return chart.html()


def title_section(audit: dict, included: int, version: str, synthetic: bool, present: tuple[str, ...] = ()) -> str:
    parts = [f"<h1>{esc(audit['audit_title'])}</h1>",
             f'<p class="marking"><strong>{esc(MARKING[version])}</strong></p>']
    if synthetic:
        parts.append('<p class="synthetic"><strong>Synthetic demonstration data.</strong> No real child, '
                     "family or case is in this report.</p>")
    population = audit.get("population")
    scope = (f"This report sets out the findings of the multi-agency audit of child protection conferences: "
             f"{included} case files{narrative.audit_period(audit)}")
    scope += (f", from about {population:,} children subject to a child protection plan." if population
              else ".")
    parts.append(f"<p>{esc(scope)}</p>")
    if present:
        parts.append(contents_nav(present))
    return "\n".join(parts)


def summary_section(findings: pd.DataFrame, audit: dict, included: int, version: str,
                    drawn: dict | None = None) -> str:
    key_lines = findings[findings["kloe"] != SECONDARY]
    parts = [section_heading("summary"),
             "<p>The headline findings for the seven key lines of enquiry. Each percentage is of the cases "
             "where the standard could be assessed, with its 95% interval (the range the true figure "
             "for all children on plans is likely to lie in).</p>",
             _chart(key_lines, "the percentage of cases meeting each key-line standard", audit, included, version,
                    drawn),
             html_table(findings_display(key_lines, version), "Headline findings by measure",
                        numeric=NUMERIC_FINDINGS), back_to_contents()]
    return "\n".join(parts)


def kloe_sections(findings: pd.DataFrame, audit: dict, included: int, version: str,
                  params: Parameters | None = None, drawn: dict | None = None) -> str:
    parts = [section_heading("key-lines")]
    for kloe, title in KLOES.items():
        rows = findings[findings["kloe"] == kloe]
        parts.append(f'<section class="kloe"><h3>{esc(kloe.split(" ", 1)[0])}. {esc(title)}</h3>')
        parts.append("<ul>" + "".join(f"<li>{esc(_sentence(row, version, params))}</li>" for _, row in rows.iterrows())
                     + "</ul>")
        parts.append(_chart(rows, f"{title.lower()} measures", audit, included, version, drawn))
        parts.append(html_table(findings_display(rows, version), f"{title}: findings", numeric=NUMERIC_FINDINGS))
        parts.append("</section>")
    return "\n".join(parts + [back_to_contents()])


def _sentence(row: pd.Series, version: str, params: Parameters | None) -> str:
    if version == PUBLISHED:
        display = findings_display(row.to_frame().T, PUBLISHED).iloc[0]
        if display["% met"] in WITHHELD_OR_NONE:
            return f"{row['label']}: too few cases to publish a figure."
        # The counts left out can be 1 to 5: the published version does not give them.
        return narrative.measure_sentence(row, show_exclusions=False, params=params)
    return narrative.measure_sentence(row, params=params)


def secondary_section(findings: pd.DataFrame, agency_groups: pd.DataFrame, by_category: pd.DataFrame,
                      by_age: pd.DataFrame, audit: dict, included: int, version: str,
                      params: Parameters | None = None, drawn: dict | None = None) -> str:
    rows = findings[findings["kloe"] == SECONDARY]
    parts = [section_heading("secondary"),
             "<p>Recording quality, fathers, escalation of drift and delay, conference quoracy and evidence "
             "before step-down.</p>",
             "<ul>" + "".join(f"<li>{esc(_sentence(r, version, params))}</li>" for _, r in rows.iterrows()) + "</ul>",
             _chart(rows, "secondary measures", audit, included, version, drawn),
             html_table(findings_display(rows, version), "Secondary findings", numeric=NUMERIC_FINDINGS),
             "<h3>Attendance and reports by agency group</h3>",
             "<p>Each agency group's returns across the audited cases: whether it attended the initial "
             "conference, submitted a report, and shared that report with parents in time.</p>",
             agency_group_table(agency_groups, version),
             "<h3>By category of abuse</h3>",
             breakdown_table(by_category.assign(group=by_category["group"].map(CATEGORY_NAMES).fillna(by_category["group"])),
                             "Category of abuse", version),
             "<h3>By age band at the initial conference</h3>",
             breakdown_table(by_age, "Age band", version), back_to_contents()]
    return "\n".join(parts)


def agency_group_table(table: pd.DataFrame, version: str) -> str:
    counts = ["returns", "attended", "reports_submitted", "reports_shared_in_time"]
    if version == PUBLISHED:
        shown = apply_suppression(table, counts, pairs=[("attended", "returns"), ("reports_submitted", "returns"),
                                                        ("reports_shared_in_time", "reports_submitted")],
                                  percent_columns={"percent_in_time": ("reports_shared_in_time", "reports_submitted")})
    else:
        shown = table.astype(object)
        shown["percent_in_time"] = one_decimal(table["percent_in_time"])
    frame = pd.DataFrame({"Agency group": table["agency_group"], "Returns": shown["returns"],
                          "Attended": shown["attended"], "Reports submitted": shown["reports_submitted"],
                          "Shared in time": shown["reports_shared_in_time"],
                          "% shared in time": shown["percent_in_time"]})
    table_html = html_table(frame, "Returns, attendance and reports by agency group",
                            numeric=("Returns", "Attended", "Reports submitted", "Shared in time", "% shared in time"))
    comparable = table.rename(columns={"reports_shared_in_time": "met", "reports_submitted": "assessed",
                                       "percent_in_time": "percent"})
    comparable = comparable[comparable["agency_group"] != UNMAPPED]
    if version == PUBLISHED:
        comparable = comparable[(shown.loc[comparable.index, "percent_in_time"] != SUPPRESSED).to_numpy()]
    sentence = narrative.group_comparison(comparable, "agency_group", "Reports shared in time")
    return table_html + f"<p>{esc(sentence)}</p>"


def breakdown_table(table: pd.DataFrame, group_name: str, version: str) -> str:
    parts = []
    for measure_id, rows in table.groupby("measure_id", sort=False):
        rows = rows.reset_index(drop=True)
        if version == PUBLISHED:
            shown = apply_suppression(rows, ["met", "assessed"], pairs=[("met", "assessed")],
                                      percent_columns={"percent": ("met", "assessed")})
        else:
            shown = rows.astype(object)
            shown["percent"] = one_decimal(rows["percent"])
        frame = pd.DataFrame({group_name: rows["group"], "Met": shown["met"], "Assessed": shown["assessed"],
                              "% met": shown["percent"]})
        label = MEASURES_BY_ID[measure_id].label
        parts.append(html_table(frame, f"{label}, by {group_name.lower()}", numeric=("Met", "Assessed", "% met")))
        comparable = rows if version == BOARD else rows[(shown["percent"] != SUPPRESSED).to_numpy()]
        parts.append(f"<p>{esc(narrative.group_comparison(comparable, 'group', label))}</p>")
    parts.append("<p>A difference between groups is called a difference only when their 95% intervals do not "
                 "overlap.</p>")
    return "\n".join(parts)


def recommendations_section(recommendations: pd.DataFrame, findings: pd.DataFrame, version: str,
                            params: Parameters | None = None, today: pd.Timestamp | None = None) -> str:
    """Each recommendation with its evidence now, target and whether it is met, owner, due date and status."""
    params = params or Parameters()
    today = today or pd.Timestamp.today().normalize()
    parts = ['<section id="recommendations">', section_heading("recommendations")]
    if recommendations.empty:
        parts += ["<p>The workbook has no Recommendations sheet.</p>", back_to_contents(), "</section>"]
        return "\n".join(parts)
    by_id = findings.set_index("measure_id")
    display = findings_display(findings, version).set_index(findings["measure_id"])
    parts.append('<ol class="recommendations">')
    for _, rec in recommendations.iterrows():
        ids = [m.strip() for m in str(rec["measures"]).split(";") if m.strip() and m.strip() in by_id.index]
        items = [f"<p>{esc(rec['recommendation'])}</p>"]
        if not ids:
            items.append('<p class="evidence">Evidence now: no measure named.</p>')
        for measure_id in ids:
            row, shown = by_id.loc[measure_id], display.loc[measure_id]
            target = _target(rec)
            anchor = "secondary" if row["kloe"] == SECONDARY else "key-lines"
            if shown["% met"] in WITHHELD_OR_NONE:
                why = "too few cases to publish" if shown["% met"] == SUPPRESSED else "no cases to measure"
                now = f"{row['label']}: {why}"
            else:
                now = f"{row['label']}: {whole(row['percent'])} ({shown['Met']} of {shown['Assessed']})"
                if target is not None:
                    now += f"; target {whole(target)}: {'met' if row['percent'] >= target else 'not yet met'}"
            items.append(f'<p class="evidence">Evidence now: <a href="#{anchor}">{esc(now)}</a></p>')
        tracking = _tracking(rec, today)
        if tracking:
            items.append(f'<p class="tracking">{esc(tracking)}</p>')
        parts.append("<li>" + "".join(items) + "</li>")
    parts += ["</ol>", back_to_contents(), "</section>"]
    return "\n".join(parts)


def _target(rec: pd.Series) -> float | None:
    value = pd.to_numeric(pd.Series([rec.get("target", "")]), errors="coerce").iloc[0]
    return None if pd.isna(value) else float(value)


def _tracking(rec: pd.Series, today: pd.Timestamp) -> str:
    """Owner, due date and status, and `overdue` when the due date has passed and it is not Complete."""
    parts = []
    if str(rec.get("owner", "") or "").strip():
        parts.append(f"Owner: {str(rec['owner']).strip()}")
    due = pd.to_datetime(pd.Series([rec.get("due_date", "")]), errors="coerce", format="%Y-%m-%d").iloc[0]
    status = str(rec.get("status", "") or "").strip()
    if pd.notna(due):
        parts.append(f"Due: {due:%d/%m/%Y}")
    parts.append(f"Status: {status or 'not stated'}")
    if pd.notna(due) and due < today and status != "Complete":
        parts.append("Overdue")
    return ". ".join(parts) + "."


def method_section(audit: dict, included: int, parameters: dict, provenance: dict,
                   params: Parameters | None = None, population_note: str = "") -> str:
    """`population_note`: the census check of the population when it differs by more than half (issue 13)."""
    params = params or Parameters()
    population = audit.get("population")
    sampling = audit.get("sampling") or "not stated in the Audit sheet"
    parts = [section_heading("method"),
             f"<p>How the cases were chosen: {esc(sampling)}. The intervals assume a random sample of cases.</p>",
             f"<p>The audit panel reviewed {included} case files{esc(narrative.audit_period(audit))}"
             + (f" from a population of {population:,} children (the children subject to a child protection "
                "plan when the sample was drawn)" if population else "")
             + ". Each agency invited to the initial child protection conference sent a return for the case; "
               "the panel recorded its agreed judgement.</p>",
             *([f"<p>{esc(population_note)}</p>"] if population_note else []),
             "<p>Each percentage is of the cases that could be assessed: cases where the standard did not apply, "
             "or where no answer was recorded, are counted separately and left out of the percentage. "
             "Working days exclude weekends and England and Wales bank holidays. "
             "The 95% intervals are Wilson score intervals"
             + (" with a finite population correction (the sample is a sizeable part of all children on plans)"
                if population else "") + ".</p>",
             html_table(pd.DataFrame({"Measure": [m.label_for(params) for m in MEASURES],
                                      "Key line": [m.kloe for m in MEASURES],
                                      "Met / assessed": [m.definition_for(params) for m in MEASURES]}),
                        "Definitions of the measures"),
             html_table(pd.DataFrame({"Parameter": list(parameters), "Value": [str(v) for v in parameters.values()]}),
                        "Thresholds and settings used"),
             html_table(pd.DataFrame({"Item": list(provenance), "Value": [str(v) for v in provenance.values()]}),
                        "What this run used"),
             f"<p>The expected standard for a measure is the target its recommendation sets; for a measure with no "
             f"target it is {params.expected_standard}% (the expected_standard setting of this run). Strengths and "
             "areas for improvement are measures whose whole 95% interval lies above or below it.</p>",
             back_to_contents()]
    return "\n".join(parts)


def code_version_rows(version: dict) -> dict:
    """The code version as the method section shows it: the commit, and whether the code differed from it."""
    if not version:
        return {"code version": "not recorded (run through `make report` to record it)"}
    modified = " (with local changes not yet committed)" if version.get("modified") else ""
    return {"code version": f"git commit {version.get('commit', 'unknown')}{modified}"}


def data_quality_section(reconciliation: pd.DataFrame, data_quality: pd.DataFrame, version: str) -> str:
    outcome_words = {"blank": "Blank row", "missing_case_ref": "No case reference",
                     "orphan_return": "Return for a case not in the audit",
                     "superseded_duplicate": "Older duplicate (superseded)",
                     "outside_terms_of_reference": "ICPC outside the audit window", "included": "Included"}
    recon = reconciliation.assign(outcome=reconciliation["outcome"].map(outcome_words))
    totals = recon.groupby("sheet", sort=False)["rows"].sum()
    if version == PUBLISHED:
        # Rows of each sheet add up to its published total, so withhold in pairs at least.
        recon = pd.concat([apply_suppression(part, ["rows"]) for _, part in recon.groupby("sheet", sort=False)])
    parts = [section_heading("data-quality"),
             "<p>What was received and what was analysed. Every row of the workbook is accounted for: "
             + esc("; ".join(f"{sheet}: {total} rows" for sheet, total in totals.items())) + ".</p>",
             html_table(recon.rename(columns={"sheet": "Sheet", "outcome": "Outcome", "rows": "Rows"}),
                        "Rows received, by outcome", numeric=("Rows",))]
    if data_quality.empty:
        parts.append("<p>No unrecognised values, unmapped agencies or date problems were found.</p>")
    else:
        issue_words = {"unrecognised": "Unrecognised value (read as not recorded)",
                       "unmapped_agency": "Agency not in the list (not counted for quoracy)",
                       "negative_interval": "Dates in the wrong order (read as not recorded)",
                       "no_icpc_date_in_window": "No ICPC date (kept in the audit)",
                       "unknown_measure": "Recommendation names an unknown measure",
                       "unknown_local_authority": "Local authority not found in the DfE census (left out of the "
                                                  "national comparison)"}
        table = data_quality.assign(issue=data_quality["issue"].map(issue_words).fillna(data_quality["issue"]))
        if version == PUBLISHED:
            # Values can be near-identifying; the published version gives the issue and a count only.
            table = table.drop(columns="value")
            table["rows"] = small_count_shown(table["rows"])
        parts.append(html_table(table.rename(columns={"sheet": "Sheet", "column": "Column", "value": "Value",
                                                      "issue": "Issue", "rows": "Rows"}),
                                "Data-quality issues found while cleaning", numeric=("Rows",)))
    return "\n".join(parts + [back_to_contents()])


def footnote_section(version: str) -> str:
    if version == PUBLISHED:
        return f'<p class="footnote">{esc(FOOTNOTE)}</p>'
    return ('<p class="footnote">z = not applicable (no case to measure). This board version shows small '
            "numbers; use the published version for anything shared beyond the board.</p>")
