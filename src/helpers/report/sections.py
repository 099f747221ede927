"""The board report's sections as HTML, built from the processed outputs.

Headings are generated here so that there is one <h1> and the levels never
skip; every chart comes with its alt text and the same numbers in a table.
The `published` version applies disclosure control (see disclosure.py).
"""
from __future__ import annotations

import html
from fractions import Fraction

import pandas as pd

from ..domain.answers import NO, PARTLY, YES
from ..domain.definition import AuditDefinition, cp_conferences
from ..domain.measures import SECONDARY, Parameters, definition_of, measures_by_id, measures_of
from . import charts, narrative
from .board_paper import back_to_contents, contents_nav, section_heading
from .disclosure import (
    AGENCY_COUNTS,
    AGENCY_PAIRS,
    FOOTNOTE,
    NOT_APPLICABLE_SYMBOL,
    SMALL_BASE_WORDS,
    SUPPRESSED,
    WITHHELD_OR_NONE,
    WITHHELD_WORDS,
    agency_key,
    apply_suppression,
    breakdown_key,
    breakdown_totals,
    count_text,
    is_small,
    measure_key,
    one_decimal,
    percent_text,
    report_figures,
    rows_key,
    small_count_shown,
    withheld_counts,
    withheld_once,
)

BOARD, PUBLISHED = "board", "published"
# DfE category codes as a board member reads them.
CATEGORY_NAMES = {"NEG": "Neglect (NEG)", "PHY": "Physical abuse (PHY)", "SAB": "Sexual abuse (SAB)",
                  "EMO": "Emotional abuse (EMO)", "MUL": "Multiple (MUL)"}
MARKING = {BOARD: "OFFICIAL-SENSITIVE: for the safeguarding partnership board. Do not publish.",
           PUBLISHED: "OFFICIAL: published version, with small numbers withheld."}


def esc(value) -> str:
    return html.escape(str(value))


LONG_TABLE_ROWS = 8  # more rows than this: printed, the table may break between rows


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
    # In print a long table may run on to the next page (its header repeated) instead of leaving a gap.
    wrap = "table-wrap long-table" if len(frame) > LONG_TABLE_ROWS else "table-wrap"
    return (f'<div class="{wrap}"><table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


# Answer kinds whose questions are answered Yes, Partly or No (Partly counts as not met).
YES_PARTLY_NO_KINDS = ("ypn", "outcomes")
BY_CATEGORY, BY_AGE = "Category of abuse", "Age band"


def yes_partly_no_questions(definition: AuditDefinition | None = None) -> list:
    """The Cases columns (the definition's declarations) answered Yes, Partly or No."""
    return [column for column in (definition or cp_conferences()).cases.columns
            if column.kind in YES_PARTLY_NO_KINDS and not column.personal]


def yes_partly_no_columns(definition: AuditDefinition | None = None) -> list[str]:
    """The names of the Cases columns `yes_partly_no` counts."""
    return [column.name for column in yes_partly_no_questions(definition)]


def yes_partly_no(cases: pd.DataFrame, definition: AuditDefinition | None = None) -> pd.DataFrame:
    """For each Yes/Partly/No question's measure: how many cases were answered Yes, Partly and No."""
    rows = []
    for column in yes_partly_no_questions(definition):
        if column.name in cases:
            answers = cases[column.name].astype("string")
            for measure_id in column.measures:
                rows.append({"measure_id": measure_id, "yes": int((answers == YES).sum()),
                             "partly": int((answers == PARTLY).sum()), "no": int((answers == NO).sum())})
    return pd.DataFrame(rows, columns=["measure_id", "yes", "partly", "no"])


def category_named(by_category: pd.DataFrame) -> pd.DataFrame:
    """The category breakdown with DfE codes as a board member reads them."""
    return by_category.assign(group=by_category["group"].map(CATEGORY_NAMES).fillna(by_category["group"]))


def published_withheld(findings: pd.DataFrame, split: pd.DataFrame | None = None,
                       agency_groups: pd.DataFrame | None = None, by_category: pd.DataFrame | None = None,
                       by_age: pd.DataFrame | None = None, reconciliation: pd.DataFrame | None = None) -> set:
    """Every count the published report withholds, decided across all its tables at once."""
    breakdowns = {}
    if by_category is not None:
        breakdowns[BY_CATEGORY] = category_named(by_category)
    if by_age is not None:
        breakdowns[BY_AGE] = by_age
    return withheld_counts(report_figures(findings, split, breakdowns, agency_groups, reconciliation))


def withheld_of(inputs: dict, version: str) -> set | None:
    """What the published version withholds, from the report's inputs; None for the board version."""
    if version != PUBLISHED:
        return None
    by = inputs.get("definition", cp_conferences()).breakdowns.by  # only the breakdowns its report shows
    return published_withheld(inputs["findings"], inputs["yes_partly_no"],
                              inputs["by_agency_group"] if "agency_reports" in by else None,
                              inputs["by_category"] if "category" in by else None,
                              inputs["by_age_band"] if "age_band" in by else None, inputs["reconciliation"])


def findings_display(findings: pd.DataFrame, version: str, withheld: set | None = None,
                     split: pd.DataFrame | None = None) -> pd.DataFrame:
    """Findings as a board member reads them: measure, %, interval, met, (Partly), assessed, not counted.

    `split` (from `yes_partly_no`) adds the number answered Partly for the Yes/Partly/No questions.
    In the published version `withheld` is what the whole report withholds; without it, each row
    stands alone.
    """
    table = findings.reset_index(drop=True)
    table = table.assign(percent=narrative.table_percent(table["numerator"], table["denominator"]))
    partly = {} if split is None else split.set_index("measure_id")["partly"].to_dict()
    with_partly = any(m in partly for m in table["measure_id"])
    ids = table["measure_id"]
    if version == PUBLISHED:
        if withheld is None:
            withheld = withheld_counts(report_figures(table, split))
        met = [measure_key(m, "met") in withheld for m in ids]
        assessed = [measure_key(m, "assessed") in withheld for m in ids]
        limits = {column: [percent_text(v, p, w, n) for v, p, w, n
                           in zip(table[column], met, assessed, table["denominator"])]
                  for column in ("percent", "ci_lower", "ci_upper")}
        shown_met = [count_text(v, w) for v, w in zip(table["numerator"], met)]
        shown_assessed = [count_text(v, w) for v, w in zip(table["denominator"], assessed)]
        shown_partly = [count_text(partly[m], measure_key(m, "partly") in withheld) if m in partly
                        else NOT_APPLICABLE_SYMBOL for m in ids]
    else:
        limits = {column: list(one_decimal(table[column])) for column in ("percent", "ci_lower", "ci_upper")}
        shown_met, shown_assessed = list(table["numerator"]), list(table["denominator"])
        shown_partly = [partly.get(m, NOT_APPLICABLE_SYMBOL) for m in ids]
    interval = [f"{lo} to {hi}" if lo not in WITHHELD_OR_NONE else lo
                for lo, hi in zip(limits["ci_lower"], limits["ci_upper"])]
    display = {"Measure": table["label"], "% met": limits["percent"], "95% interval (%)": interval,
               "Met": shown_met}
    if with_partly:
        display["Partly (not met)"] = shown_partly
    display["Assessed"] = shown_assessed
    if version == BOARD:  # the counts left out can be 1 to 5: only the board sees them
        display.update({"Not applicable": table["not_applicable"], "Not recorded": table["not_recorded"]})
    return pd.DataFrame(display)


NUMERIC_FINDINGS = ("% met", "95% interval (%)", "Met", "Partly (not met)", "Assessed", "Not applicable",
                    "Not recorded")


def _chart(findings: pd.DataFrame, what: str, version: str, drawn: dict | None = None,
           withheld: set | None = None) -> str:
    """The chart of these findings (the one the findings stage drew when it shows the same figures).

    None for fewer than two bars: one finding reads better as its sentence and table. The caption that
    every chart shares is in the method, so a chart here has its title and alt text only. The published
    version charts the same measures; a withheld figure (no percentage on fewer than 10 cases, none that
    reveals a withheld count) keeps its row, labelled "figure withheld", with no bar.
    """
    if len(findings) < 2:
        return ""
    figures = prose_figures(findings, version, withheld) if version == PUBLISHED else None
    any_withheld = figures is not None and (figures["percent"] != pd.Series(
        [narrative.board_figures(r)["percent"] for _, r in findings.iterrows()], index=figures.index)).any()
    by_measures = {tuple(chart.measure_ids): chart for chart in (drawn or {}).values()}
    chart = None if any_withheld else by_measures.get(tuple(findings["measure_id"]))
    if chart is None:
        chart = charts.chart_of("", findings, what, "", figures if any_withheld else None)
    return chart.html(caption=False)


def title_section(audit: dict, included: int, version: str, synthetic: bool, present: tuple[str, ...] = (),
                  definition: AuditDefinition | None = None) -> str:
    parts = [f"<h1>{esc(audit['audit_title'])}</h1>",
             f'<p class="marking"><strong>{esc(MARKING[version])}</strong></p>']
    if synthetic:
        parts.append('<p class="synthetic"><strong>Synthetic demonstration data.</strong> No real child, '
                     "family or case is in this report.</p>")
    population = audit.get("population")
    if definition is None or definition is cp_conferences():
        scope = (f"This report sets out the findings of the multi-agency audit of child protection conferences: "
                 f"{included} case files{narrative.audit_period(audit)}")
        scope += (f", from about {population:,} children subject to a child protection plan." if population
                  else ".")
    else:
        scope = (f"This report sets out the findings of the {definition.title[:1].lower()}{definition.title[1:]}: "
                 f"{included} case files{narrative.audit_period(audit, definition)}")
        scope += f", from a population of about {population:,} children." if population else "."
    parts.append(f"<p>{esc(scope)}</p>")
    if present:
        parts.append(contents_nav(present))
    return "\n".join(parts)


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve")


def summary_section(findings: pd.DataFrame, audit: dict, included: int, version: str,
                    drawn: dict | None = None, withheld: set | None = None,
                    definition: AuditDefinition | None = None) -> str:
    """The key lines at a glance: one chart; its numbers are in each key line's table below."""
    key_lines = findings[findings["kloe"] != SECONDARY]
    count = key_lines["kloe"].nunique()
    counted = NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else str(count)
    children = "all children on plans" if definition is None or definition is cp_conferences() \
        else "all the children the audit sampled"
    # One block in print: the heading, its words and the chart (most of a page) move to a new page together.
    parts = ['<section class="at-a-glance">', section_heading("summary"),
             f"<p>The headline findings for the {counted} key line{'s' if count != 1 else ''} of enquiry. Each "
             "percentage is of the cases where the standard could be assessed, with its 95% interval (the range the "
             f"true figure for {children} is likely to lie in). The numbers behind the chart are in the table "
             'of each <a href="#key-lines">key line</a> below.</p>',
             _chart(key_lines, "the percentage of cases meeting each key-line standard", version, drawn, withheld),
             back_to_contents(), "</section>"]
    return "\n".join(p for p in parts if p)


def kloe_sections(findings: pd.DataFrame, audit: dict, included: int, version: str,
                  params: Parameters | None = None, drawn: dict | None = None, withheld: set | None = None,
                  split: pd.DataFrame | None = None) -> str:
    parts = [section_heading("key-lines"),
             "<p>For the questions answered Yes, Partly or No, the tables give the number answered Partly: "
             "Partly counts as not met.</p>",
             f'<p class="table-key">{esc(table_key(version))}</p>']
    for kloe, title in definition_of(params).key_lines.items():
        rows = findings[findings["kloe"] == kloe]
        parts.append(f'<section class="kloe"><h3>{esc(kloe.split(" ", 1)[0])}. {esc(title)}</h3>')
        parts.append("<ul>" + "".join(f"<li>{esc(_sentence(row, version, params, withheld))}</li>"
                                      for _, row in rows.iterrows()) + "</ul>")
        parts.append(_chart(rows, f"{title.lower()} measures", version, drawn, withheld))
        parts.append(html_table(findings_display(rows, version, withheld, split), f"{title}: findings",
                                numeric=NUMERIC_FINDINGS))
        parts.append("</section>")
    return "\n".join([p for p in parts if p] + [back_to_contents()])


def table_key(version: str) -> str:
    """The symbols of the tables, said where the first findings table is (the footnote says them again)."""
    if version == PUBLISHED:
        return f"Key to the tables: {FOOTNOTE}"
    return f"Key to the tables: {NOT_APPLICABLE_SYMBOL} = not applicable (no case to measure)."


def _sentence(row: pd.Series, version: str, params: Parameters | None, withheld: set | None = None) -> str:
    figures = prose_figures(row.to_frame().T, version, withheld).iloc[0].to_dict()
    return narrative.measure_sentence(row, params=params, shown=figures)


def percent_withheld_words(met_withheld: bool, assessed_withheld: bool) -> str:
    """Why a percentage is not given: a withheld count, or fewer than 10 cases assessed (DfE convention)."""
    return WITHHELD_WORDS if met_withheld or assessed_withheld else SMALL_BASE_WORDS


def prose_figures(findings: pd.DataFrame, version: str, withheld: set | None = None) -> pd.DataFrame:
    """Each finding's figures as a sentence gives them (indexed by measure_id): percent and interval as whole
    numbers, met, assessed, not applicable and not recorded.

    The published version says "withheld (...)" where the tables show `c` (same decision), and where a
    percentage has fewer than 10 cases behind it. The counts left out of a measure (not applicable, not
    recorded) are withheld when either is 1 to 5 (one would give the other away, as audited less assessed
    is published) or when the measure's assessed count is withheld.
    """
    table = findings.reset_index(drop=True)
    rows = [narrative.board_figures(row) for _, row in table.iterrows()]
    if version == PUBLISHED:
        shown = findings_display(table, version, withheld)
        for figures, (_, row), (_, text) in zip(rows, table.iterrows(), shown.iterrows()):
            met_withheld, assessed_withheld = text["Met"] == SUPPRESSED, text["Assessed"] == SUPPRESSED
            if met_withheld:
                figures["met"] = WITHHELD_WORDS
            if assessed_withheld:
                figures["assessed"] = WITHHELD_WORDS
            if text["% met"] == SUPPRESSED:
                figures["percent"] = figures["interval"] = percent_withheld_words(met_withheld, assessed_withheld)
            left_out = [int(row["not_applicable"]), int(row["not_recorded"])]
            if assessed_withheld or any(is_small(v) for v in left_out):
                figures["not_applicable"] = figures["not_recorded"] = WITHHELD_WORDS
    return pd.DataFrame(rows, index=table["measure_id"].to_numpy())


def secondary_section(findings: pd.DataFrame, agency_groups: pd.DataFrame, by_category: pd.DataFrame,
                      by_age: pd.DataFrame, audit: dict, included: int, version: str,
                      params: Parameters | None = None, drawn: dict | None = None,
                      withheld: set | None = None, grades: pd.DataFrame | None = None) -> str:
    """The secondary findings, as the audit's definition declares them: its sentences, its secondary measures, the
    levels of its grade_distribution measures, and its breakdowns (by agency group, category of abuse, age band)."""
    params = params or Parameters()
    definition = definition_of(params)
    by = definition.breakdowns.by
    rows = findings[findings["kloe"] == SECONDARY]
    parts = [section_heading("secondary")]
    parts += [f"<p>{esc(sentence)}</p>" for sentence in definition.secondary_findings]
    if len(rows):
        parts += ["<ul>" + "".join(f"<li>{esc(_sentence(r, version, params, withheld))}</li>"
                                   for _, r in rows.iterrows()) + "</ul>",
                  _chart(rows, "secondary measures", version, drawn, withheld),
                  html_table(findings_display(rows, version, withheld), "Secondary findings",
                             numeric=NUMERIC_FINDINGS)]
    if grades is not None and len(grades):
        parts.append(grade_distribution_section(grades, version, params))
    if "agency_reports" in by:
        parts += ["<h3>Attendance and reports by agency group</h3>",
                  "<p>Each agency group's returns across the audited cases: whether it attended the initial "
                  "conference, submitted a report, and shared that report with parents in time.</p>",
                  agency_group_table(agency_groups, version, withheld, findings, params)]
    if "category" in by or "age_band" in by:
        parts.append('<div class="breakdowns">')
        if "category" in by:
            parts += ["<h3>By category of abuse</h3>",
                      breakdown_table(category_named(by_category), BY_CATEGORY, version, withheld, params)]
        if "age_band" in by:
            parts += [f"<h3>By age band at the {narrative.window_event(definition)}</h3>",
                      breakdown_table(by_age, BY_AGE, version, withheld, params)]
        parts.append("</div>")
    if by:
        parts.append(f"<p>A difference between groups is called a difference only when their 95% intervals do not "
                     f"overlap; groups with fewer than {narrative.SMALLEST_RANKED_GROUP} cases, and cases whose group "
                     "is not known, are never called the highest or lowest.</p>")
    if len(parts) == 1:
        parts.append("<p>This audit has no secondary findings.</p>")
    parts.append(back_to_contents())
    return "\n".join(p for p in parts if p)


def grade_distribution_section(grades: pd.DataFrame, version: str, params: Parameters) -> str:
    """Each grade_distribution measure's levels: a stacked bar of their shares and a table of their counts. The
    published version withholds a count of 1 to 5 and then every percentage and the chart too: a count shown
    beside its percentage gives the total, and the total less the shown counts the withheld one."""
    from .charts import grade_distribution_figure

    by_id = measures_by_id(params)
    parts = []
    for measure_id, rows in grades.groupby("measure_id", sort=False):
        label = by_id[measure_id].label_for(params)
        counts = rows["count"].astype(int)
        withheld = version == PUBLISHED and any(is_small(c) for c in counts)
        shown = small_count_shown(counts) if version == PUBLISHED else counts.astype(str)
        percent = [SUPPRESSED if withheld else one_decimal(pd.Series([p])).iloc[0] for p in rows["percent"]]
        table = pd.DataFrame({"Grade": rows["level"].to_numpy(), "Count": shown.to_numpy(), "% of graded": percent})
        parts.append(f"<h3>{esc(label)}: grades given</h3>")
        if not withheld:
            parts.append(grade_distribution_figure(rows, label))
        parts.append(html_table(table, f"{label}: grades given", numeric=("Count", "% of graded")))
    return "\n".join(parts)


def agency_display(table: pd.DataFrame, version: str, withheld: set | None = None) -> pd.DataFrame:
    """Returns, attendance and reports by agency group, as published (withheld counts as `c`)."""
    table = table.assign(percent_in_time=narrative.table_percent(table["reports_shared_in_time"],
                                                                 table["reports_submitted"]))
    if version == PUBLISHED:
        if withheld is None:
            withheld = withheld_counts(report_figures(None, agency_groups=table))
        mask = pd.DataFrame({c: [agency_key(g, c) in withheld for g in table["agency_group"]] for c in AGENCY_COUNTS},
                            index=table.index)
        shown = apply_suppression(table, list(AGENCY_COUNTS), list(AGENCY_PAIRS),
                                  {"percent_in_time": ("reports_shared_in_time", "reports_submitted")}, mask=mask)
    else:
        shown = table.astype(object)
        shown["percent_in_time"] = one_decimal(table["percent_in_time"])
    return pd.DataFrame({"Agency group": table["agency_group"], "Returns": shown["returns"],
                         "Attended": shown["attended"], "Reports submitted": shown["reports_submitted"],
                         "Shared in time": shown["reports_shared_in_time"],
                         "% shared in time": shown["percent_in_time"]})


def agency_group_table(table: pd.DataFrame, version: str, withheld: set | None = None,
                       findings: pd.DataFrame | None = None, params: Parameters | None = None) -> str:
    frame = agency_display(table, version, withheld)
    table_html = html_table(frame, "Returns, attendance and reports by agency group",
                            numeric=("Returns", "Attended", "Reports submitted", "Shared in time", "% shared in time"))
    comparable = table.rename(columns={"reports_shared_in_time": "met", "reports_submitted": "assessed",
                                       "percent_in_time": "percent"})
    published = pd.Series((~frame["% shared in time"].isin(WITHHELD_OR_NONE)).to_numpy(), index=comparable.index)
    sentence = narrative.group_comparison(comparable, "agency_group", "Reports shared in time", published)
    parts = [table_html, f"<p>{esc(sentence)}</p>"]
    if findings is not None:
        case_level = findings[findings["measure_id"] == "reports_shared_timely"]
        if not case_level.empty:
            figure = prose_figures(case_level, version, withheld).iloc[0]["percent"] or None
            parts.append(f"<p>{esc(narrative.sharing_rates_differ(figure, params or Parameters()))}</p>")
    return "\n".join(parts)


def breakdown_display(rows: pd.DataFrame, dimension: str, version: str, withheld: set | None = None) -> pd.DataFrame:
    """One measure's breakdown as published: met, assessed, % met and its 95% interval by group."""
    rows = rows.reset_index(drop=True)
    rows = rows.assign(percent=narrative.table_percent(rows["met"], rows["assessed"]))
    if version == PUBLISHED:
        if withheld is None:
            # Standing alone, each column adds up to the headline figure the findings table publishes.
            withheld = withheld_counts(report_figures(breakdown_totals(rows), breakdowns={dimension: rows}))
        mask = pd.DataFrame({c: [breakdown_key(dimension, m, g, c) in withheld
                                 for m, g in zip(rows["measure_id"], rows["group"])] for c in ("met", "assessed")})
        shown = apply_suppression(rows, ["met", "assessed"], [("met", "assessed")],
                                  {c: ("met", "assessed") for c in ("percent", "ci_lower", "ci_upper")}, mask=mask)
    else:
        shown = rows.astype(object)
        for column in ("percent", "ci_lower", "ci_upper"):
            shown[column] = one_decimal(rows[column])
    interval = [f"{lo} to {hi}" if lo not in WITHHELD_OR_NONE else lo
                for lo, hi in zip(shown["ci_lower"], shown["ci_upper"])]
    return pd.DataFrame({dimension: rows["group"], "Met": shown["met"], "Assessed": shown["assessed"],
                         "% met": shown["percent"], "95% interval (%)": interval})


def breakdown_table(table: pd.DataFrame, dimension: str, version: str, withheld: set | None = None,
                    params: Parameters | None = None) -> str:
    parts = []
    for measure_id, rows in table.groupby("measure_id", sort=False):
        rows = rows.reset_index(drop=True)
        frame = breakdown_display(rows, dimension, version, withheld)
        label = measures_by_id(params)[measure_id].label
        parts.append(html_table(frame, f"{label}, by {dimension.lower()}",
                                numeric=("Met", "Assessed", "% met", "95% interval (%)")))
        published = pd.Series((~frame["% met"].isin(WITHHELD_OR_NONE)).to_numpy(), index=rows.index)
        parts.append(f"<p>{esc(narrative.group_comparison(rows, 'group', label, published))}</p>")
    return "\n".join(parts)


def recommendations_section(recommendations: pd.DataFrame, findings: pd.DataFrame, version: str,
                            params: Parameters | None = None, today: pd.Timestamp | None = None,
                            withheld: set | None = None, carried_forward: pd.Series | None = None) -> str:
    """Each recommendation with its evidence now, target and whether it is met, owner, due date and status;
    one carried forward from an earlier audit (`carried_forward`, spec section 3b) says so."""
    params = params or Parameters()
    today = today or pd.Timestamp.today().normalize()
    parts = ['<section id="recommendations">', section_heading("recommendations")]
    if recommendations.empty:
        parts += ["<p>The workbook has no Recommendations sheet.</p>", back_to_contents(), "</section>"]
        return "\n".join(parts)
    by_id = findings.set_index("measure_id")
    figures = prose_figures(findings, version, withheld)
    parts.append('<ol class="recommendations">')
    for _, rec in recommendations.iterrows():
        named = [m.strip() for m in str(rec["measures"]).split(";") if m.strip()]
        ids = [m for m in named if m in by_id.index]
        unknown = [m for m in named if m not in by_id.index]
        items = [f"<p>{esc(rec['recommendation'])}</p>"]
        if carried_forward is not None and bool(carried_forward.get(rec.name, False)):
            items.append(f'<p class="tracking">{esc(carried_forward_note(rec))}</p>')
        if not ids:
            items.append('<p class="evidence">Evidence now: no measure named.</p>')
        if unknown:
            items.append(f'<p class="evidence">{esc(unknown_measures_note(unknown))}</p>')
        for measure_id in ids:
            row = by_id.loc[measure_id]
            target = _target(rec)
            anchor = "secondary" if row["kloe"] == SECONDARY else "key-lines"
            if row["denominator"] == 0:
                now = f"{row['label']}: no cases to measure"
            else:
                figure = figures.loc[measure_id]
                now = f"{row['label']}: {figure['percent']} ({figure['met']} of {figure['assessed']})"
                if target is not None:
                    reached = target_reached(row["numerator"], row["denominator"], target)
                    # Whether a withheld figure reaches its target would say something about it.
                    verdict = ("met" if reached else "not yet met") if figure["percent"][0].isdigit() \
                        else figure["percent"]
                    now += f"; target {narrative.standard_text(target)}: {verdict}"
                now = withheld_once(now)
            items.append(f'<p class="evidence">Evidence now: <a href="#{anchor}">{esc(now)}</a></p>')
        tracking = _tracking(rec, today)
        if tracking:
            items.append(f'<p class="tracking">{esc(tracking)}</p>')
        parts.append("<li>" + "".join(items) + "</li>")
    parts += ["</ol>", back_to_contents(), "</section>"]
    return "\n".join(parts)


def carried_forward_note(rec: pd.Series) -> str:
    """Beside a recommendation an earlier audit raised: which one, when the `raised` column says."""
    raised = str(rec.get("raised", "") or "").strip()
    return f"Carried forward from {raised}." if raised else "Carried forward from an earlier audit."


def unknown_measures_note(unknown: list[str]) -> str:
    """Beside the evidence of a recommendation that also names measures the report does not know."""
    names = ", ".join(f"'{m}'" for m in unknown)
    return f"Evidence not shown for the unknown measure{'s' if len(unknown) != 1 else ''} {names}."


def target_reached(numerator, denominator, target: float) -> bool:
    """Whether 100 x met / assessed (unrounded, exact) is at least the target."""
    return 100 * Fraction(int(numerator), int(denominator)) >= Fraction(str(float(target)))


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
                   params: Parameters | None = None, population_note: str = "", comparison_note: str = "") -> str:
    """`population_note`: the census check of the population when it differs by more than half (issue 13);
    `comparison_note`: how the re-audit decides a change and how large a change it could show (issue 22)."""
    params = params or Parameters()
    cp_audit = definition_of(params) is cp_conferences()
    population = audit.get("population")
    sampling = audit.get("sampling") or "not stated in the Audit sheet"
    parts = [section_heading("method"),
             f"<p>How the cases were chosen: {esc(sampling)}. The intervals assume a random sample of cases.</p>",
             f"<p>The audit panel reviewed {included} case files"
             f"{esc(narrative.audit_period(audit, None if cp_audit else definition_of(params)))}"
             + ((f" from a population of {population:,} children (the children subject to a child protection "
                 "plan when the sample was drawn)" if cp_audit else f" from a population of {population:,} children")
                if population else "")
             + (". Each agency invited to the initial child protection conference sent a return for the case; "
                if cp_audit else ". Each agency involved sent a return for the case; ")
             + "the panel recorded its agreed judgement.</p>",
             *([f"<p>{esc(population_note)}</p>"] if population_note else []),
             "<p>Each percentage is of the cases that could be assessed: cases where the standard did not apply, "
             "or where no answer was recorded, are counted separately and left out of the percentage. "
             "Working days exclude weekends and England and Wales bank holidays. "
             "The 95% intervals are Wilson score intervals"
             + ((" with a finite population correction (the sample is a sizeable part of all children on plans)"
                 if cp_audit else " with a finite population correction (the sample is a sizeable part of the "
                 "population)") if population else "") + ".</p>",
             *([f"<p>{esc(comparison_note)}</p>"] if comparison_note else []),
             f"<p>{esc(narrative.chart_note(audit, included, None if cp_audit else definition_of(params)))}</p>",
             '<p>What each measure counts is in the <a href="#definitions">annex of definitions</a>.</p>',
             html_table(settings_in_words(parameters), "Thresholds and settings used"),
             html_table(pd.DataFrame({"Item": [k for k in provenance if not k.startswith(PACKAGE_PREFIX)],
                                      "Value": [str(v) for k, v in provenance.items()
                                                if not k.startswith(PACKAGE_PREFIX)]}),
                        "What this run used"),
             f"<p>The expected standard for a measure is the target its recommendation sets; for a measure with no "
             f"target it is {standards_in_words(params)}. Strengths and "
             "areas for improvement are measures whose whole 95% interval lies above or below it. The versions "
             'of the software used are in the <a href="#appendix">appendix</a>.</p>',
             back_to_contents()]
    return "\n".join(parts)


def standards_in_words(params: Parameters) -> str:
    """The standard of a measure without a target: "80% (...)", and the standards the definition set in advance."""
    from .board_paper import expected_standard

    words = f"{expected_standard(params)}% (the expected standard set for this run)"
    standards = definition_of(params).standards
    if standards:
        by_id = measures_by_id(params)
        listed = "; ".join(f"{by_id[m].label_for(params)} {v}%" for m, v in standards.items())
        words = f"the standard set before the audit where there is one ({listed}), else {words}"
    return words


def definitions_section(params: Parameters | None = None) -> str:
    """Every measure's definition, with this run's thresholds: an annex of its own, so that in print its long
    table starts a section rather than leaving most of a page of the method blank."""
    params = params or Parameters()
    measures = measures_of(definition_of(params))
    table = pd.DataFrame({"Measure": [m.label_for(params) for m in measures], "Key line": [m.kloe for m in measures],
                          "Met / assessed": [narrative.plain_definition(m.definition_for(params)) for m in measures]})
    return "\n".join([section_heading("definitions"), html_table(table, "Definitions of the measures"),
                      back_to_contents()])


# The run's settings in a board member's words (one line per field of Parameters).
SETTING_WORDS = {
    "report_share_working_days": "Reports shared with parents in time: at least this many working days before "
                                 "the initial conference",
    "icpc_working_days": "Initial conference in time: within this many working days of the strategy discussion",
    "core_group_working_days": "First core group in time: within this many working days of the initial conference",
    "health_counts_as_one": "Quoracy: all health agencies count as one agency group",
    "expected_standard": "Expected standard where a recommendation sets no target",
}
PACKAGE_PREFIX = "package "


def settings_in_words(parameters: dict) -> pd.DataFrame:
    """The thresholds and settings of the run as words and values, with no setting's code name."""
    values = []
    for name, value in parameters.items():
        if isinstance(value, bool):
            values.append("Yes" if value else "No")
        elif name == "expected_standard":
            values.append(f"{value}%")
        elif name.endswith("working_days"):
            values.append(f"{value} working days")
        else:
            values.append(str(value))
    return pd.DataFrame({"Setting": [SETTING_WORDS.get(name, name.replace("_", " ").capitalize())
                                     for name in parameters], "Value": values})


def appendix_section(versions: dict) -> str:
    """The versions of the software the run used (for analysts reproducing the report)."""
    table = pd.DataFrame({"Package": list(versions), "Version": [str(v) for v in versions.values()]})
    return "\n".join([section_heading("appendix"),
                      "<p>The report was produced with these versions of the Python packages it uses.</p>",
                      html_table(table, "Software versions"), back_to_contents()])


def code_version_rows(version: dict) -> dict:
    """The code version as the method section shows it: the commit, and whether the code differed from it."""
    if not version:
        return {"code version": "not recorded (run through `make report` to record it)"}
    modified = " (with local changes not yet committed)" if version.get("modified") else ""
    return {"code version": f"git commit {version.get('commit', 'unknown')}{modified}"}


def data_quality_section(reconciliation: pd.DataFrame, data_quality: pd.DataFrame, version: str,
                         withheld: set | None = None, cp_audit: bool = True) -> str:
    outcome_words = {"blank": "Blank row", "missing_case_ref": "No case reference",
                     "orphan_return": "Return for a case not in the audit",
                     "superseded_duplicate": "Older duplicate (superseded)",
                     "outside_terms_of_reference": ("ICPC" if cp_audit else "Date") + " outside the audit window",
                     "included": "Included", "missing_agency": "No agency given"}
    recon = reconciliation.assign(outcome=reconciliation["outcome"].map(outcome_words))
    totals = recon.groupby("sheet", sort=False)["rows"].sum()
    if version == PUBLISHED:
        # Rows of each sheet add up to its published total; returns included add up to the agency groups' returns.
        if withheld is None:
            withheld = withheld_counts(report_figures(None, reconciliation=reconciliation))
        mask = pd.DataFrame({"rows": [rows_key(sheet, outcome) in withheld for sheet, outcome
                                      in zip(reconciliation["sheet"], reconciliation["outcome"])]},
                            index=recon.index)
        recon = apply_suppression(recon, ["rows"], mask=mask)
    parts = [section_heading("data-quality"),
             "<p>What was received and what was analysed. Every row of the workbook is accounted for: "
             + esc("; ".join(f"{sheet}: {total} rows" for sheet, total in totals.items())) + ".</p>",
             html_table(recon.rename(columns={"sheet": "Sheet", "outcome": "Outcome", "rows": "Rows"}),
                        "Rows received, by outcome", numeric=("Rows",))]
    if data_quality.empty:
        parts.append("<p>No unrecognised values, unmapped agencies or date problems were found.</p>")
    else:
        issue_words = {"unrecognised": "Unrecognised value (read as not recorded)",
                       # Quoracy is the conference audit's; another audit keeps the agency in group Unmapped.
                       "unmapped_agency": "Agency not in the list (not counted for quoracy)" if cp_audit
                       else "Agency not in the list (kept in group Unmapped)",
                       "negative_interval": "Dates in the wrong order (read as not recorded)",
                       "no_icpc_date_in_window": "No ICPC date (kept in the audit)",
                       "unknown_measure": "Recommendation names an unknown measure",
                       "unknown_local_authority": "Local authority not found in the DfE census (left out of the "
                                                  "national comparison)"}
        window_date_missing = data_quality["issue"].str.fullmatch(r"no_.+_in_window") & ~data_quality["issue"].isin(
            list(issue_words))
        words = data_quality["issue"].map(issue_words).mask(
            window_date_missing, "No " + data_quality["issue"].str.slice(3, -10).str.replace("_", " ")
            + " (kept in the audit)")
        table = data_quality.assign(issue=words.fillna(data_quality["issue"]))
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
