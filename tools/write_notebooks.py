"""Writes the narrative notebooks from the cell texts below (`python tools/write_notebooks.py`).

Kept as a tool so cell ids stay stable and notebooks carry no outputs; edit the
notebooks in JupyterLab freely afterwards.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def notebook(cells: list[tuple[str, str]], parameters_index: int = 1) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python (cp-conference-audit)", "language": "python",
                                  "name": "cp-conference-audit"},
                   "language_info": {"name": "python"}}
    for number, (kind, text) in enumerate(cells):
        cell = nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
        cell.id = f"cell-{number:02d}"
        if number == parameters_index:
            cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    return nb


CLEAN = [
    ("md", """# 1. Cleaning the audit workbook

How the raw workbook was read: every raw row's outcome, the values the cleaner did not recognise, and the included
cases. `helpers.audit()` reads the workbook exactly as the audit team filled it (data/raw is never written),
normalises every answer, date, case reference and agency name as `docs/input-format.md` describes, and keeps
names, dates of birth, case references and comments out of every output.

`make report` gives this notebook the folder it has just made (`input_dir`); the notebook only displays it. Run by
hand with its defaults it cleans the **synthetic** demo (or `raw_path`) into `build/notebooks-by-hand/<audit-id>/`
(or `output_dir`), never into data/processed or reports."""),
    ("code", """# Parameters: papermill injects the run's values in a cell after this one.
input_dir = ""     # an audit's outputs to display (the folder `make report` printed as data:); empty: clean raw_path
raw_path = ""      # the workbook to clean when input_dir is empty; empty means the synthetic demo
output_dir = ""    # where a workbook cleaned here is written; empty means build/notebooks-by-hand/<audit-id>/
window_start = ""  # overrides the Audit sheet's window start (dd/mm/yyyy or yyyy-mm-dd)
window_end = ""    # overrides the Audit sheet's window end"""),
    ("code", """import pandas as pd
from IPython.display import Markdown, display

from helpers.run.loaders import notebook_folder
from helpers.run.outputs import load_audit_tables, load_case_answers

folder = notebook_folder(input_dir, raw_path, output_dir, window_start, window_end)
tables = load_audit_tables(folder)
settings = tables["audit"]
display(Markdown(f"**{settings['audit_title']}**  \\nWindow: {settings['window_start']} to "
                 f"{settings['window_end']}; population: {settings['population']}  \\nOutputs: `{folder}`"))"""),
    ("md", """## What was received, what was excluded and why

Every raw row ends in exactly one outcome; per sheet the rows add up to the rows received."""),
    ("code", """reconciliation = tables["reconciliation"]
by_outcome = reconciliation.pivot(index="outcome", columns="sheet", values="rows")
display(by_outcome.reindex(reconciliation["outcome"].unique()))
display(reconciliation.groupby("sheet")["rows"].sum().rename("rows received"))"""),
    ("md", """## Unrecognised values and other data-quality issues

Unrecognised values read as not recorded and are never mapped silently; values in personal-data columns are
withheld. A local authority of the Audit sheet that the children in need census does not know is listed as
`unknown_local_authority`. `data_quality_rows.csv` lists each problem with its Excel row, for the audit team."""),
    ("code", """quality = tables["data_quality"]
display(quality if not quality.empty else Markdown("No data-quality issues."))"""),
    ("md", """## The included cases

Pseudonymised: a keyed hash replaces the case reference, and only the age band is kept from the date of birth."""),
    ("code", """cases = load_case_answers(folder, ["cp_category", "age_band"])
display(pd.crosstab(cases["cp_category"].fillna("not recorded"), cases["age_band"], margins=True))
returns = pd.read_csv(folder / "agency_returns.csv", usecols=["case_id", "agency_group"])
display(returns.groupby("agency_group")["case_id"].count().rename("included returns"))"""),
]

FINDINGS = [
    ("md", """# 2. Findings by key line of enquiry

The 22 measures declared in `helpers.domain.measures`, with their 95% intervals, each key line of enquiry with
its words, chart and table, and the comparison with earlier audits. `helpers.audit()` computed them once;
notebook 03 and the report display the same files.

Run by hand, this notebook can measure an audit again: give thresholds (empty ones are those the folder was
measured with) or `earlier_dirs`, and the new findings are written beside a copy of the cleaned data in
`build/notebooks-by-hand/<audit-id>/` (or `output_dir`), never into the folder read, data/processed or reports."""),
    ("code", """# Parameters: empty thresholds are those input_dir's findings were computed with.
input_dir = ""     # an audit's outputs (the folder `make report` printed as data:); empty means the synthetic demo
output_dir = ""    # where findings measured again here are written; empty: build/notebooks-by-hand/<audit-id>/
earlier_dirs = []  # folders of earlier audits (`make report` data: folders) to compare with (re-audit)
report_share_working_days = ""
icpc_working_days = ""
core_group_working_days = ""
health_counts_as_one = ""
expected_standard = \"\""""),
    ("code", """from IPython.display import HTML, Markdown, display

from helpers.measures import KLOES
from helpers.measures.comparison import earlier_audits_frame
from helpers.report import narrative
from helpers.run.loaders import displayed_folder, findings_folder, load_findings

folder, params = findings_folder(
    displayed_folder(input_dir), output_dir, earlier_dirs, report_share_working_days=report_share_working_days,
    icpc_working_days=icpc_working_days, core_group_working_days=core_group_working_days,
    health_counts_as_one=health_counts_as_one, expected_standard=expected_standard)
inputs, _ = load_findings(folder)
findings = inputs["findings"]
display(Markdown(f"Findings in `{folder}`, with {params}"))
findings"""),
    ("code", """for number, (kloe, title) in enumerate(KLOES.items(), start=1):
    rows = findings[findings["kloe"] == kloe]
    display(Markdown(f"## {number}. {title}"))
    display(Markdown("\\n".join(f"- {narrative.measure_sentence(row, params=params)}" for _, row in rows.iterrows())))
    display(HTML(inputs["charts"][f"key-line-{number}"].html()))"""),
    ("md", """## Since the last audit (re-audit)

Each earlier audit (`make report EARLIER=...`, or `earlier_dirs` here) was measured with the same parameters, and
every measure is compared with the most recent earlier audit and with each older one: the change in percentage
points, its Newcombe 95% interval and the verdict (spec section 9). A measure is `not comparable` when either
denominator is 0 or the earlier workbook lacks its column. The intervals assume independent samples: children in
both audits are counted (same pseudonymisation key only)."""),
    ("code", """reaudit = inputs["reaudit"]
display(earlier_audits_frame(reaudit) if reaudit and reaudit["earlier"]
        else Markdown("No earlier audit: nothing to compare."))
inputs["comparison"]"""),
]

SECONDARY = [
    ("md", """# 3. Secondary findings and breakdowns

Recording quality, fathers, escalation of drift and delay, quoracy and step-down evidence, then breakdowns by
agency group (attendance, reports submitted and shared in time), by category of abuse and by age band.
Everything here was computed once by `helpers.audit()`; this notebook displays it."""),
    ("code", """# Parameters.
input_dir = \"\"  # an audit's outputs (the folder `make report` printed as data:); empty means the synthetic demo"""),
    ("code", """from IPython.display import HTML, Markdown, display

from helpers.measures import SECONDARY
from helpers.report import narrative
from helpers.run.loaders import findings_parameters, load_findings

inputs, folder = load_findings(input_dir)
params = findings_parameters(folder)
secondary = inputs["findings"][inputs["findings"]["kloe"] == SECONDARY]
display(Markdown("\\n".join(f"- {narrative.measure_sentence(row, params=params)}" for _, row in secondary.iterrows())))
display(HTML(inputs["charts"]["secondary"].html()))"""),
    ("md", "## By agency group"),
    ("code", """inputs["by_agency_group"]"""),
    ("md", "## By category of abuse and by age band"),
    ("code", """display(inputs["by_category"], inputs["by_age_band"])"""),
]

REPORT = [
    ("md", """# 4. The board report

Every code cell below displays one part of the report as HTML built by `helpers.report` from the processed
outputs. `make report` executes this notebook with papermill and nbconvert exports its HTML outputs (only those:
no code, no markdown written for analysts, no warnings) as one self-contained file in `reports/<audit-id>/`.
`version = "published"` applies disclosure control for a version that can be shared beyond the board."""),
    ("code", """# Parameters.
input_dir = \"\"     # an audit's outputs (`make report`'s data: folder); empty means the synthetic demo
version = "board"  # board or published
code_version = \"\"  # the git commit and whether the work tree differed, given by `make report`"""),
    ("code", """import json

from IPython.display import HTML, display

from helpers.context import build_context
from helpers.report import board_paper, comparison_section, sections
from helpers.report.context_section import context_section, method_note
from helpers.run.loaders import load_report_inputs
from helpers.run.provenance import package_versions

inputs = load_report_inputs(input_dir)
audit, findings, included = inputs["audit"], inputs["findings"], inputs["included_cases"]
params, drawn = inputs["params"], inputs["charts"]
withheld = sections.withheld_of(inputs, version)  # published version: what all its tables withhold, decided together
split = inputs["yes_partly_no"]  # Yes, Partly and No answers of the Yes/Partly/No questions"""),
    ("code", """present = board_paper.present_sections(comparison=inputs["comparison"] is not None, context=True)
display(HTML(sections.title_section(audit, included, version, inputs["synthetic"], present)))
since = comparison_section.summary_sentence(inputs["comparison"], inputs["reaudit"], findings, version, withheld)
carried = comparison_section.carried_forward_of(inputs["recommendations"], inputs["reaudit"])  # spec section 3b
display(HTML(board_paper.executive_summary(findings, inputs["recommendations"], params, included, since,
                                           figures=sections.prose_figures(findings, version, withheld),
                                           carried_forward=carried)))"""),
    ("code", """if inputs["comparison"] is not None:
    display(HTML(comparison_section.since_last_audit_section(inputs["comparison"], inputs["reaudit"], findings,
                                                             version, withheld=withheld)))"""),
    ("code", """display(HTML(sections.summary_section(findings, audit, included, version, drawn, withheld)))"""),
    ("code", """display(HTML(sections.kloe_sections(findings, audit, included, version, params, drawn, withheld,
                                    split)))"""),
    ("code", """display(HTML(sections.secondary_section(findings, inputs["by_agency_group"], inputs["by_category"],
                                        inputs["by_age_band"], audit, included, version, params, drawn,
                                        withheld)))"""),
    ("code", """context = build_context(audit.get("local_authorities") or None, audit.get("window_end"),
                        audit.get("population"))
icpc_timely = findings.set_index("measure_id").loc["icpc_timely"].rename("icpc_timely")
display(HTML(context_section(context, icpc_timely, version, withheld)))
population_note = method_note(context)  # the method section says it when the population differs by over half"""),
    ("code", """display(HTML(sections.recommendations_section(inputs["recommendations"], findings, version, params,
                                              withheld=withheld, carried_forward=carried)))
display(HTML(board_paper.glossary_section()))"""),
    ("code", """source = inputs["source"]
provenance = {"raw file": source.get("raw_file", ""), "raw file SHA-256": source.get("raw_sha256", ""),
              **sections.code_version_rows(json.loads(code_version) if code_version else {})}
comparison_note = comparison_section.method_note(inputs["comparison"], inputs["reaudit"], findings)
display(HTML(sections.method_section(audit, included, inputs["parameters"], provenance, params, population_note,
                                     comparison_note)))
display(HTML(sections.definitions_section(params)))"""),
    ("code", """display(HTML(sections.data_quality_section(inputs["reconciliation"], inputs["data_quality"], version,
                                           withheld)))
display(HTML(sections.appendix_section(package_versions())))
display(HTML(sections.footnote_section(version)))"""),
]


EXPLORE = [
    ("md", """# 6. Exploring an audit

The board's questions answered in a few lines each with `helpers.explore`, the analysts' documented way in. It only
reads what `make report` wrote (or measures a workbook in memory) and never writes into data/processed or reports.
Run with its defaults it explores the **synthetic** demo and compares it with the demo's earlier audit. Every
column is explained in `docs/data-dictionary.md` and every measure in `docs/measures.md`.

One rule for intervals, the report's: the whole audit is findings.csv, with the finite population correction when
the population is known; a subgroup (`by` or `where`) has none, because its population is not known. Each result
says which applied, under the cell and in `result.attrs`."""),
    ("code", """# Parameters: papermill injects values in a cell after this one.
audit_id = ""  # an audit id `make report` made, its processed folder or a workbook; empty: the synthetic demo
earlier = ""   # an earlier audit to compare with (id, folder or workbook); empty: the demo's earlier audit"""),
    ("code", """from helpers import explore

audit = explore.load(audit_id)
earlier = earlier or ("" if audit_id else explore.earlier_demo_workbook())
audit"""),
    ("md", """## What is the quoracy rate where the father attended?

A subgroup of cases chosen with a pandas query on `audit.cases`."""),
    ("code", """audit.measure("conference_quorate", where="father_attended == 'Yes'")"""),
    ("md", """## Which agency's reports were least often shared in time, with intervals?

Counted per report, as the report's agency-group table counts them (a group with no report submitted has no
percentage)."""),
    ("code", """shared = audit.measure("reports_shared_timely", by="agency_group")
shared.sort_values("percent")[["agency_group", "numerator", "denominator", "percent", "ci_lower", "ci_upper"]]"""),
    ("md", """## Were children's views heard less often at some ages?

Any `measure(..., by=...)` drawn as the report draws its charts: Analysis Function colours, 95% intervals, alt
text with every number."""),
    ("code", """explore.chart(audit.measure("child_views_heard", by="age_band"))"""),
    ("md", """## What changed since the last audit?

Spec section 9: the earlier audit measured with this audit's thresholds, the change in percentage points with its
95% interval, and a verdict the words must follow."""),
    ("code", """changes = audit.compare(earlier) if earlier else None  # no earlier audit: nothing to compare
changed = ["label", "earlier_percent", "percent", "difference", "difference_ci_lower", "difference_ci_upper"]
None if changes is None else changes.loc[changes["verdict"] != "no clear change", changed + ["verdict"]]"""),
    ("md", """## Before a table is shared

The published version's rule: counts of 1 to 5, and any count from which one could be worked out, are `c`; no
percentage on fewer than 10; `z` where there is nothing to measure."""),
    ("code", """audit.disclosure(shared)"""),
]


def main() -> int:
    for name, cells in (("01_clean", CLEAN), ("02_findings", FINDINGS), ("03_secondary_findings", SECONDARY),
                        ("04_report", REPORT), ("06_explore", EXPLORE)):
        path = ROOT / "notebooks" / f"{name}.ipynb"
        nbformat.write(notebook(cells), str(path))
        print(f"notebooks: wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
