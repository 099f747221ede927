"""The whole report body from the report's inputs, in one call (the sections notebook 04 displays, in order).

`inputs` is the dict `helpers.run.loaders.load_report_inputs(folder)` returns. The notebook shows the same
sections cell by cell; this function lets the tests compare the board and published versions sentence by
sentence on random audits without a kernel, and gives the PDF writer and the briefing the same words.
"""
from __future__ import annotations

import pandas as pd

from . import board_paper, comparison_section, sections
from .context_section import context_section, method_note


def report_body(inputs: dict, version: str, context=None, today: pd.Timestamp | None = None,
                provenance: dict | None = None, versions: dict | None = None) -> str:
    """The report's HTML body for `version` ("board" or "published").

    `context`: the census context (`helpers.context.build_context`); None leaves the context section out.
    `today`: the day overdue is judged on (default: today). `versions`: package versions for the appendix.
    """
    audit, findings, included = inputs["audit"], inputs["findings"], inputs["included_cases"]
    params, drawn = inputs["params"], inputs.get("charts") or {}
    withheld = sections.withheld_of(inputs, version)
    comparison, reaudit = inputs.get("comparison"), inputs.get("reaudit")
    present = board_paper.present_sections(comparison=comparison is not None, context=context is not None)
    since = comparison_section.summary_sentence(comparison, reaudit, findings, version, withheld)
    carried = comparison_section.carried_forward_of(inputs["recommendations"], reaudit)
    parts = [sections.title_section(audit, included, version, inputs.get("synthetic", False), present),
             board_paper.executive_summary(findings, inputs["recommendations"], params, included, since,
                                           figures=sections.prose_figures(findings, version, withheld),
                                           carried_forward=carried)]
    if comparison is not None:
        parts.append(comparison_section.since_last_audit_section(comparison, reaudit, findings, version, today,
                                                                 withheld))
    parts += [sections.summary_section(findings, audit, included, version, drawn, withheld),
              sections.kloe_sections(findings, audit, included, version, params, drawn, withheld,
                                     inputs["yes_partly_no"]),
              sections.secondary_section(findings, inputs["by_agency_group"], inputs["by_category"],
                                         inputs["by_age_band"], audit, included, version, params, drawn, withheld)]
    population_note = ""
    if context is not None:
        icpc_timely = findings.set_index("measure_id").loc["icpc_timely"].rename("icpc_timely")
        parts.append(context_section(context, icpc_timely, version, withheld))
        population_note = method_note(context)
    parts += [sections.recommendations_section(inputs["recommendations"], findings, version, params, today,
                                               withheld, carried),
              board_paper.glossary_section(),
              sections.method_section(audit, included, inputs.get("parameters", {}), provenance or {}, params,
                                      population_note,
                                      comparison_section.method_note(comparison, reaudit, findings)),
              sections.definitions_section(params),
              sections.data_quality_section(inputs["reconciliation"], inputs["data_quality"], version, withheld),
              sections.appendix_section(versions or {}),
              sections.footnote_section(version)]
    return "\n".join(parts)
