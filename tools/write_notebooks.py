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

Reads the raw workbook exactly as the audit team filled it (data/raw is never written), normalises every
answer, date, case reference and agency name as `docs/input-format.md` describes, decides each row's outcome,
and writes the pseudonymised, included data. Names, dates of birth, case references and comments stop here.

`make report` runs it through papermill into a staging folder. Run top to bottom in JupyterLab with its
defaults, it cleans the **synthetic** demo into `build/notebooks-by-hand/`, never into data/processed."""),
    ("code", """# Parameters: papermill injects the run's values in a cell after this one.
raw_path = ""      # the workbook; empty means the synthetic demo
output_dir = ""    # where outputs go; empty means the synthetic demo's folder in build/notebooks-by-hand
window_start = ""  # overrides the Audit sheet's window start (dd/mm/yyyy or yyyy-mm-dd)
window_end = ""    # overrides the Audit sheet's window end
earlier_audit = False  # an earlier audit compared with (re-audit) may lack answer columns"""),
    ("code", """from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from helpers.clean.cleaning import clean_raw_workbook
from helpers.clean.pseudonym import load_or_create_key
from helpers.context import with_unknown_local_authorities
from helpers.domain.schema import earlier_audit_may_lack
from helpers.read.workbook import read_workbook
from helpers.run.loaders import demo_workbook, output_folder
from helpers.run.outputs import write_clean_outputs, write_source_record

raw = Path(raw_path) if raw_path else demo_workbook()
# An earlier audit's tool may have asked fewer questions: its lacking columns are listed, not an error.
workbook = read_workbook(raw, may_lack=earlier_audit_may_lack() if earlier_audit else frozenset())
cleaned = clean_raw_workbook(workbook, load_or_create_key(), window_start=window_start, window_end=window_end)
# Then the context step: a local authority the census does not know gets one data-quality line (spec 8).
cleaned = with_unknown_local_authorities(cleaned, workbook.audit)
settings = cleaned.settings.as_dict()
display(Markdown(f"**{settings['audit_title']}**  \\nWindow: {settings['window_start']} to "
                 f"{settings['window_end']}; population: {settings['population']}"))"""),
    ("md", """## What was received, what was excluded and why

Every raw row ends in exactly one outcome; per sheet the rows add up to the rows received."""),
    ("code", """reconciliation = cleaned.reconciliation
by_outcome = reconciliation.pivot(index="outcome", columns="sheet", values="rows")
display(by_outcome.reindex(reconciliation["outcome"].unique()))
display(reconciliation.groupby("sheet")["rows"].sum().rename("rows received"))"""),
    ("md", """## Unrecognised values and other data-quality issues

Unrecognised values read as not recorded and are never mapped silently; values in personal-data columns are
withheld. A local authority of the Audit sheet that the children in need census does not know is listed as
`unknown_local_authority`, with the nearest names. `data_quality_rows.csv` lists each problem with its Excel row,
for the audit team."""),
    ("code", """quality = cleaned.data_quality
display(quality if not quality.empty else Markdown("No data-quality issues."))"""),
    ("md", """## The included cases

Pseudonymised: a keyed hash replaces the case reference, and only the age band is kept from the date of birth."""),
    ("code", """cases = cleaned.cases
display(pd.crosstab(cases["cp_category"].fillna("not recorded"), cases["age_band"], margins=True))
display(cleaned.agency_returns.groupby("agency_group")["case_id"].count().rename("included returns"))"""),
    ("code", """out = output_folder(output_dir)
written = write_clean_outputs(cleaned, out) + [write_source_record(raw, out)]
display(Markdown("Wrote: " + ", ".join(p.name for p in written)))"""),
]

FINDINGS = [
    ("md", """# 2. Findings by key line of enquiry

Computes, once for the whole run, every included case's status on the 22 measures declared in
`helpers.domain.measures`, the findings with their 95% intervals, the breakdowns and every chart, and writes
them beside the cleaned data. Then it shows each key line of enquiry with its words, chart and table.
Notebook 03 and the report display what this notebook wrote; they compute nothing again."""),
    ("code", """# Parameters: empty values take the defaults in helpers.measures.Parameters (the only place they live).
input_dir = ""     # cleaned data; empty means the by-hand demo folder (cleaned first if empty)
output_dir = ""    # empty means the same folder
earlier_dirs = []  # processed folders of earlier audits to compare with (re-audit)
report_share_working_days = ""
icpc_working_days = ""
core_group_working_days = ""
health_counts_as_one = \"\"
expected_standard = \"\""""),
    ("code", """from dataclasses import asdict

from IPython.display import HTML, Markdown, display

from helpers.measures import KLOES, Parameters
from helpers.measures.stage import compute_findings
from helpers.report import narrative
from helpers.report.charts import findings_charts, write_charts
from helpers.run.loaders import load_cleaned, output_folder, write_comparison_outputs
from helpers.run.outputs import write_findings_outputs
from helpers.run.provenance import write_run_record

params = Parameters.from_values(
    report_share_working_days=report_share_working_days, icpc_working_days=icpc_working_days,
    core_group_working_days=core_group_working_days, health_counts_as_one=health_counts_as_one,
    expected_standard=expected_standard)
source, source_dir = load_cleaned(input_dir)
cases, returns, audit = source["cases"], source["agency_returns"], source["audit"]
params"""),
    ("code", """outputs = compute_findings(cases, returns, audit["population"], params)
findings = outputs.findings
charts = {chart.name: chart for chart in findings_charts(findings, audit, len(cases))}
findings"""),
    ("code", """for number, (kloe, title) in enumerate(KLOES.items(), start=1):
    rows = findings[findings["kloe"] == kloe]
    display(Markdown(f"## {number}. {title}"))
    display(Markdown("\\n".join(f"- {narrative.measure_sentence(row, params=params)}" for _, row in rows.iterrows())))
    display(HTML(charts[f"key-line-{number}"].html()))"""),
    ("md", """## Since the last audit (re-audit)

Each earlier audit in `earlier_dirs` (the processed folders `make report EARLIER=...` made) is measured again
here from its cleaned data, with this run's parameters, and every measure is compared with the most recent
earlier audit and with each older one: the change in percentage points, its Newcombe 95% interval and the
verdict (spec section 9). A measure is `not comparable` when either denominator is 0 or the earlier workbook
lacks its column. The intervals assume independent samples: children in both audits are counted (same
pseudonymisation key only). With no earlier audit there is nothing to compare and no `comparison.csv`."""),
    ("code", """from helpers.clean.pseudonym import load_or_create_key
from helpers.measures.comparison import compare_audits, earlier_audits_frame, key_fingerprint
from helpers.run.loaders import compared_audit, load_earlier_audits

this_audit = compared_audit(source, source_dir, findings, key_fingerprint(load_or_create_key()))
comparison, reaudit = compare_audits(this_audit, load_earlier_audits(earlier_dirs, params))
display(earlier_audits_frame(reaudit) if reaudit["earlier"] else Markdown("No earlier audit: nothing to compare."))
comparison"""),
    ("code", """out = output_folder(output_dir or input_dir)
written = write_findings_outputs(outputs, out)
written.append(write_charts(list(charts.values()), out / "charts"))
written.append(write_run_record(out / "findings_parameters.json", asdict(params)))
written += write_comparison_outputs(comparison, reaudit, out)
display(Markdown("Wrote: " + ", ".join(p.name for p in written)))"""),
]

SECONDARY = [
    ("md", """# 3. Secondary findings and breakdowns

Recording quality, fathers, escalation of drift and delay, quoracy and step-down evidence, then breakdowns by
agency group (attendance, reports submitted and shared in time), by category of abuse and by age band.
Everything here was computed once by notebook 02; this notebook displays it."""),
    ("code", """# Parameters.
input_dir = \"\"  # findings; empty means the by-hand demo folder"""),
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
input_dir = \"\"     # processed outputs; empty means the by-hand demo folder
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
display(HTML(board_paper.executive_summary(findings, inputs["recommendations"], params, included, since,
                                           figures=sections.prose_figures(findings, version, withheld))))"""),
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
                                              withheld=withheld)))
display(HTML(board_paper.glossary_section()))"""),
    ("code", """source = inputs["source"]
provenance = {"raw file": source.get("raw_file", ""), "raw file SHA-256": source.get("raw_sha256", ""),
              **sections.code_version_rows(json.loads(code_version) if code_version else {})}
display(HTML(sections.method_section(audit, included, inputs["parameters"], provenance, params, population_note)))"""),
    ("code", """display(HTML(sections.data_quality_section(inputs["reconciliation"], inputs["data_quality"], version,
                                           withheld)))
display(HTML(sections.appendix_section(package_versions())))
display(HTML(sections.footnote_section(version)))"""),
]


def main() -> int:
    for name, cells in (("01_clean", CLEAN), ("02_findings", FINDINGS), ("03_secondary_findings", SECONDARY),
                        ("04_report", REPORT)):
        path = ROOT / "notebooks" / f"{name}.ipynb"
        nbformat.write(notebook(cells), str(path))
        print(f"notebooks: wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
