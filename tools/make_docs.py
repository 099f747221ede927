"""Writes docs/measures.md, docs/input-format.md and docs/data-dictionary.md from the declarations
(`python tools/make_docs.py`), and for every other audit definition in audits/ its own measures.md,
input-format.md and data-dictionary.md in docs/audits/<name>/.

The pages are generated, never edited: the vocabularies, columns and measures they list are the ones the
code reads, and a test fails when a committed copy is stale.
"""
from __future__ import annotations

import sys

from helpers import config
from helpers.context.authorities import SUGGESTIONS
from helpers.context.census import EXTRACT_DIR, LICENCE, release_name
from helpers.context.comparisons import ICPC_WITHIN_15_DAYS, POPULATION_TOLERANCE, REPEAT_PLANS, YEARS_SHOWN, Rate
from helpers.domain.answers import (
    AGENCY_GROUPS,
    AGENCY_SYNONYMS,
    ANSWER_CHOICES,
    GRADES,
    MISSING_VALUES,
    NA_VALUES,
    PARTICIPATION_CODES,
    UNMAPPED,
    VOCABULARIES,
    agency_display_name,
)
from helpers.domain.definition import AuditDefinition, cp_conferences, load_definition
from helpers.domain.measures import MEASURE_ID_ALIASES, WORKING_DAYS_RULE, measures_of, parameters_for
from helpers.domain.quality import ISSUE_WORDS, OUTCOME_WORDS, words_for
from helpers.domain.schema import AUDIT, AUDIT_FIELD_COLUMNS, RECOMMENDATIONS, SHEETS, Column, Sheet
from helpers.run.dictionary import BREAKDOWN_RULE, OUTPUT_FILES, OutputFile, output_files
from helpers.template.choices import accepted_form
from helpers.template.workbook import DATE_FORMAT, EARLIEST_DATE, LATEST_DATE

DOCS = config.PROJECT_ROOT / "docs"
TARGET = DOCS / "measures.md"
INPUT_FORMAT = DOCS / "input-format.md"


def measures_markdown(definition: AuditDefinition | None = None) -> str:
    definition = definition or cp_conferences()
    cp_audit = definition is cp_conferences()
    defaults = parameters_for(definition)()
    key_lines = definition.key_lines
    lines = [
        "# The measures" if cp_audit else f"# The measures of the {definition.title[:1].lower()}{definition.title[1:]}",
        "",
        ("Generated from `src/helpers/domain/measures.py`" if cp_audit else
         f"Generated from `audits/{definition.path.name}`") + " by `python tools/make_docs.py`; a test fails when it "
        "is out of date.",
        "",
        "For every measure each included case is met, not met (together: the denominator), not applicable",
        "(an N/A answer, or a condition that does not hold) or not recorded (missing or unrecognised data).",
        "Percent is 100 x met / denominator to one decimal place; the 95% interval is the Wilson score",
        "interval, with n replaced by n(N - 1)/(N - n) when the population N from the Audit sheet is larger than n.",
        "Working days exclude weekends and England and Wales bank holidays (numpy `busday_count`, which counts",
        "[begin, end)).",
        "",
        "Thresholds (parameters, with their defaults): "
        + ", ".join(f"`{name}` = {getattr(defaults, name)}" for name in defaults.__dataclass_fields__) + ".",
        "",
        "The last column is what the practitioner briefing asks of practitioners when the measure is an area for",
        "improvement (its whole 95% interval below the expected standard).",
        "",
        "| measure_id | key line of enquiry | label | met / in the denominator | what a practitioner can do |",
        "|---|---|---|---|---|",
    ]
    for m in measures_of(definition):
        kloe = f"{m.kloe}: {key_lines[m.kloe]}" if m.kloe in key_lines else "secondary"
        lines.append(f"| `{m.id}` | {kloe} | {m.label_for(defaults)} | {m.definition_for(defaults)} | "
                     f"{m.practice_for(defaults)} |")
    if definition.standards:
        lines += ["", "Standards set before the audit (a measure without one is judged against the expected "
                  "standard): " + ", ".join(f"`{m}` {v}%" for m, v in definition.standards.items()) + "."]
    return "\n".join(lines + (census_section() if definition.census_context == "cp-plans" else [])) + "\n"


def census_rate_row(rate: Rate) -> str:
    return f"| {rate.label} | {' + '.join(f'`{c}`' for c in rate.numerator)} | `{rate.denominator}` |"


def census_section() -> list[str]:
    """The report's Context section: what it computes from the DfE census extract, and its rules."""
    from helpers.report.context_section import MEASURES_DIFFER

    return [
        "", "## National and local context (the children in need census)", "",
        f'From the shipped extract of DfE "{release_name(EXTRACT_DIR)}" ({LICENCE}),',
        "in `data/external/`, read by column name. Each census rate is computed from counts, summed over the",
        "partnership's local authorities (never an average of percentages), for them, their region, England,",
        "and the median, lowest and highest",
        "of their statistical neighbours (the extract's statistical neighbour model; the partnership's own",
        "authorities are not their own neighbours).", "",
        "| census rate | numerator (counts) | denominator |", "|---|---|---|",
        census_rate_row(ICPC_WITHIN_15_DAYS), census_rate_row(REPEAT_PLANS), "",
        f"- **Years**: {YEARS_SHOWN} census years (each ends 31 March), up to and including the one covering the",
        f"  audit's window end; the latest {YEARS_SHOWN} in the extract when the audit is newer.",
        "- **Suppressed cells**: where a local authority's count is `c`, its rate is `c` and nothing is computed",
        "  from it (a sum with a `c` part is `c`; a neighbour with `c` is left out of the median). A range is",
        "  given only where published totals bound the hidden count more narrowly than 0 to 100%, and it is",
        "  labelled as a range. National and regional counts are rounded by DfE to the nearest 10.",
        "- **Missing years**: a year without a census row for an authority (boundary changes) is a gap (`x`),",
        "  never zero; a predecessor listed with its successors makes one continuous series.",
        "- **Population check**: the Audit sheet's `population` beside the census count of children on a plan",
        f"  at 31 March of the latest year shown; when they differ by more than {POPULATION_TOLERANCE:.0%} of the",
        "  census count, the method section says so (usually a mistyped population).",
        f"- {MEASURES_DIFFER}",
    ]


# --- docs/input-format.md ---------------------------------------------------------------------------------

# What one row of each sheet is: words for the page, checked against the declared sheets below.
ROW_IS = {"Cases": "audited case (the panel's agreed judgement)",
          "Agency returns": "case and agency invited to the initial conference",
          "Audit": "field of the audit, in columns `field` and `value`",
          "Recommendations": "recommendation of the audit panel"}

def _code(values) -> str:
    return ", ".join(f"`{v}`" if v else "empty" for v in values)


def sheets_section(sheets: tuple[Sheet, ...] = SHEETS) -> list[str]:
    lines = ["## Sheets", "", "| sheet | needed | one row per |", "|---|---|---|"]
    lines += [f"| `{s.name}` | {'yes' if s.required else 'no'} | {ROW_IS[s.name]} |" for s in sheets]
    return lines + [
        "",
        "A workbook is recognised by its content, not its file name. Sheet names match ignoring case, spaces,",
        "underscores and punctuation (`agency_returns`, `AGENCY RETURNS`); other sheets are ignored, and two",
        "sheets that match one name are an error naming both. The header of `Cases` and `Agency returns` is the",
        "first row, among the first 20, with a cell that reads as `case_ref` or one of its aliases; the header of",
        "`Audit` and `Recommendations` is their first non-empty row. A header matches its column after",
        "non-breaking spaces become spaces, it is trimmed and lower-cased, and every run of characters other than",
        "letters and digits becomes one `_` (leading and trailing `_` dropped): `Case Ref.` is `case_ref`.",
        "A missing required column stops the run with one line naming the sheet and column. Columns of your own",
        "are not read (`make check` lists them as not used); two columns that match one name are an error.",
        "",
    ]


def column_row(column: Column) -> str:
    scale = f" ({', '.join(column.scale)})" if column.scale and column.scale != GRADES else ""
    kind = f"{column.kind}{scale}" + (" (personal data: never leaves cleaning)" if column.personal else "")
    feeds = ", ".join(f"`{m}`" for m in column.measures)
    return (f"| `{column.name}` | {_code(column.aliases)} | {'yes' if column.required else 'no'} | {kind} | "
            f"{column.question} | {feeds} |")


def columns_section(sheet: Sheet) -> list[str]:
    lines = [f"## Sheet `{sheet.name}`", "", "| column | aliases | required | kind | question | feeds |",
             "|---|---|---|---|---|---|"]
    return lines + [column_row(c) for c in sheet.columns] + [""]


def audit_fields_section() -> list[str]:
    lines = [f"Fields of `{AUDIT.name}` (the table may start anywhere in the first 10 rows and columns; field",
             "names match like headers, so `Window start:` is `window_start`). An absent field or empty value:",
             "no window, no population, sampling not stated.", "",
             "| field | kind | what to give |", "|---|---|---|"]
    return lines + [f"| `{c.name}` | {c.kind} | {c.question} |" for c in AUDIT_FIELD_COLUMNS] + [""]


def local_authorities_section() -> list[str]:
    return [
        "`local_authorities` names the partnership's local authorities as the DfE children in need census does:",
        "a 3-digit code (`302`), an E-code (`E09000003`) or a name (`Barnet`); case, spaces and punctuation do",
        "not matter. Separate several with commas or semicolons (a census name with a comma, such as",
        "`Bristol, City of`, stays whole). The report's Context section sums their census counts and compares",
        "them with their region, England and their statistical neighbours (docs/measures.md). An entry the",
        "census does not know is listed in the data-quality output as `unknown_local_authority`, with up to",
        f"{SUGGESTIONS} nearest names (\"did you mean ...?\"); the others still get their context. Without the",
        "field the section shows England only, and says how to add it.", "",
    ]


def answers_section() -> list[str]:
    lines = [
        "## Answers", "",
        "Every text cell is put in Unicode NFC form (a decomposed `é` is the precomposed one) and zero-width and",
        "direction marks are removed wherever they stand; then every answer is read as text, every Unicode space",
        "becomes a space, it is trimmed and lower-cased, loses a leading `a) `-style code, collapses its spaces",
        "and drops one trailing full stop. Excel TRUE/FALSE read as `yes`/`no`.", "",
        f"Read as missing: {_code(sorted(MISSING_VALUES))}. Read as N/A: {_code(sorted(NA_VALUES))}.",
        "(`#N/A` is Excel's error, so it is missing, not N/A.) Anything else a column does not accept is",
        "**unrecognised**: it counts as not recorded and is listed in `data_quality.csv`; nothing is guessed.",
        "Excel's other error values (`#REF!`, `#VALUE!`, `#DIV/0!`, `#NAME?`, `#NUM!`, `#NULL!`) are unrecognised",
        "too. A category drop-down value such as `NEG - Neglect` (a code, ` - ` and any text) reads as its code.", "",
        "| kind | reads as | accepted values (after normalising) | the template's drop-down |",
        "|---|---|---|---|",
    ]
    for kind, vocabulary in VOCABULARIES.items():
        rows = [(answer, _code(sorted(v for v, a in vocabulary.items() if a == answer)))
                for answer in dict.fromkeys(vocabulary.values())]
        if kind == "participation":
            # Participation is read from the code at the start of the cell; its vocabulary holds only N/A.
            codes = "the code at the start: `pn`, optional spaces, a digit 0-7"
            rows.insert(0, (f"{min(PARTICIPATION_CODES)}-{max(PARTICIPATION_CODES)}", codes))
        for position, (answer, accepted) in enumerate(rows):
            first = position == 0
            lines.append(f"| {kind if first else ''} | {answer} | {accepted} | "
                         f"{', '.join(ANSWER_CHOICES[kind]) if first else ''} |")
    lines.append("")
    return lines


def dates_section() -> list[str]:
    return [
        "## Dates", "",
        f"Text as {accepted_form(Column('date', 'date'))}; an Excel date",
        "cell; or an Excel serial number (whole or fractional days, 1900 system). Always day first: `04/11/2019`",
        "is 4 November 2019. Two-digit years are 20yy. A date with a time of day gives its date. Impossible",
        "dates (`31/02/2025`) are unrecognised. A date before 1 January 1900 or after 31 December 2099 (a year",
        "typed `1025`, a serial number past any real date) is read as missing and listed as `implausible_date`;",
        "it never stops the run. The template checks every date column for a date between",
        f"{EARLIEST_DATE:%d/%m/%Y} and {LATEST_DATE:%d/%m/%Y} and shows it as {DATE_FORMAT}. {WORKING_DAYS_RULE}",
        "",
    ]


def agencies_section() -> list[str]:
    lines = [
        "## Agencies", "",
        "Agency names are lower-cased, lose apostrophes, `&` becomes `and` and other punctuation becomes spaces;",
        "they are then matched to a group (quoracy counts groups). Each name is its own agency within its group,",
        f"except pure synonyms: {', '.join(f'`{a}` = `{b}`' for a, b in AGENCY_SYNONYMS.items())}. A name not",
        f"listed is kept as its own agency in group `{UNMAPPED}`, listed in the data-quality output, and never",
        "counts towards quoracy.", "",
        "| group | names that map to it | as the template writes them |", "|---|---|---|",
    ]
    for group, names in AGENCY_GROUPS.items():
        shown = ", ".join(agency_display_name(n) for n in names if n not in AGENCY_SYNONYMS)
        lines.append(f"| {group} | {_code(names)} | {shown} |")
    return lines + [""]


def recommendations_section(definition: AuditDefinition | None = None) -> list[str]:
    definition = definition or cp_conferences()
    if definition is not cp_conferences():
        return ["Measure ids for `measures` (measures.md beside this page defines each): "
                + ", ".join(f"`{m.id}`" for m in definition.measures) + ". An unknown id is listed in the",
                "data-quality output, never dropped silently.", ""]
    aliases = ", ".join(f"`{old}` (read as `{new}`)" for old, new in MEASURE_ID_ALIASES.items())
    return [
        "Measure ids for `measures` (docs/measures.md defines each): "
        + ", ".join(f"`{m.id}`" for m in measures_of(definition))
        + f". Older ids still read: {aliases}. An unknown id is",
        "listed in the data-quality output, never dropped silently.", "",
    ]


def grade_scales_section(definition: AuditDefinition) -> list[str]:
    """The audit's own grade scales: each level as written, or as its number (1 the best), or N/A."""
    lines = ["## Grade scales of this audit", "",
             "A grade column reads its scale's levels (case and spaces do not matter), their numbers from 1 (the",
             "best) and N/A; anything else is unrecognised.", "",
             "| scale | levels, best first | columns |", "|---|---|---|"]
    for name, levels in definition.grade_scales.items():
        columns = [f"`{c.name}`" for sheet in definition.sheets.values() for c in sheet.columns if c.scale == levels]
        lines.append(f"| {name} | " + ", ".join(f"{n}. {level}" for n, level in enumerate(levels, start=1))
                     + f" | {', '.join(columns)} |")
    return lines + [""]


def outcomes_section(definition: AuditDefinition | None = None) -> list[str]:
    issue_words, outcome_words = (ISSUE_WORDS, OUTCOME_WORDS) if definition is None else words_for(definition)
    lines = ["## Which rows are analysed", "",
             "Each raw row of `Cases` and `Agency returns` takes the first of these outcomes that applies;",
             "`reconciliation.csv` counts them per sheet and the counts add up to the rows received.", ""]
    lines += [f"{n}. `{outcome}`: {words}." for n, (outcome, words) in enumerate(outcome_words.items(), start=1)]
    lines += ["", "## Data-quality issues", "", "| issue | what is wrong |", "|---|---|"]
    lines += [f"| `{issue}` | {words} |" for issue, words in issue_words.items()]
    return lines + ["", "Values in personal columns (name, date of birth, comments) are never shown: they are",
                    "listed as `[personal data withheld]`.", ""]


def input_format_markdown(definition: AuditDefinition | None = None) -> str:
    definition = definition or cp_conferences()
    cp_audit = definition is cp_conferences()
    sheets = SHEETS if cp_audit else (definition.cases, definition.agency_returns, AUDIT, RECOMMENDATIONS)
    lines = [
        "# The audit workbook: what the analysis reads" if cp_audit else
        f"# The workbook of the {definition.title[:1].lower()}{definition.title[1:]}: what the analysis reads", "",
        ("Generated from the declarations in `src/helpers/domain/`" if cp_audit else
         f"Generated from `audits/{definition.path.name}` and the declarations in `src/helpers/domain/`")
        + " by `python tools/make_docs.py`; a test fails",
        "when it is out of date. `make template` writes a blank workbook in this format, with a drop-down on",
        "every answer column; `make check RAW=...` lists every problem of a filled-in workbook with its sheet,",
        "Excel row and column."
        + ("" if cp_audit else f" Give AUDIT_DEFINITION=audits/{definition.path.name} to both."),
        "",
    ]
    lines += sheets_section(sheets)
    for sheet in sheets:
        lines += columns_section(sheet)
        if sheet is AUDIT:
            lines += audit_fields_section() + local_authorities_section()
        if sheet.name == "Recommendations":
            lines += recommendations_section(definition)
    lines += answers_section() + ([] if cp_audit or not definition.grade_scales else grade_scales_section(definition))
    lines += dates_section() + agencies_section() + outcomes_section(None if cp_audit else definition)
    return "\n".join(lines).rstrip("\n") + "\n"


# --- docs/data-dictionary.md --------------------------------------------------------------------------

DATA_DICTIONARY = DOCS / "data-dictionary.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|") or " "


def output_file_section(output: OutputFile) -> list[str]:
    lines = [f"## `{output.name}`", "", output.what, "",
             "| column | meaning | type | allowed values | spec | personal or sensitive |", "|---|---|---|---|---|---|"]
    lines += [f"| `{c.name}` | {_cell(c.meaning)} | {_cell(c.type)} | {_cell(c.values or 'any')} | {c.spec} | "
              f"{_cell(c.personal)} |" for c in output.columns]
    return lines + [""]


def data_dictionary_markdown(definition: AuditDefinition | None = None) -> str:
    if definition is not None and definition is not cp_conferences():
        return declared_data_dictionary_markdown(definition)
    lines = [
        "# Data dictionary: every output of an audit", "",
        "Generated from `src/helpers/run/dictionary.py` (and the workbook's declarations in `src/helpers/domain/`)",
        "by `python tools/make_docs.py`; a test fails when it is out of date, and another when an audit writes a",
        "column or field that is not here. Each audit's files are in `data/processed/<audit-id>/`; in Python,",
        "`helpers.explore` reads them (README, \"Exploring in JupyterLab\"). The spec column names the section",
        "of the contract (`audit-workbook.md`) that defines the column.", "",
        "## Reading the tables", "",
        "- **Not recorded and not applicable.** For every measure each included case is met, not met, not",
        "  applicable (an N/A answer, or a condition that does not hold) or not recorded (missing or unrecognised);",
        "  an answer column is empty when its answer was not recorded. A date answered N/A is empty too, and its",
        "  `*_not_applicable` column is true: the measures it feeds are then not applicable, not not recorded.",
        "- **Intervals.** findings.csv's 95% Wilson intervals take the finite population correction when the",
        "  Audit sheet's population is larger than the denominator. The breakdowns do not: " + BREAKDOWN_RULE + ".",
        "  `helpers.explore` follows the same rule: the whole audit as findings.csv, any subgroup (`by` or",
        "  `where`) without the correction, and each result says which.",
        "- **Personal data.** Names, dates of birth, case references and comments never leave cleaning. Every row",
        "  of cases.csv and agency_returns.csv is about a child on a child protection plan: both files are",
        "  OFFICIAL-SENSITIVE and stay with the partnership. The published report shows none of their rows.",
        "- **Event dates in cases.csv are kept**, flagged sensitive below, because the analysis needs them after",
        "  cleaning: `icpc_date` (with agency_returns.csv's `report_shared_date`) lets `reports_shared_timely` be",
        "  measured again with another REPORT_SHARE_WORKING_DAYS, which notebook 02 and the re-audit comparison",
        "  of a processed folder do without the workbook; the strategy discussion and first core group dates are",
        "  what a `negative_interval` in data_quality.csv points the analyst to, and let the working-day counts",
        "  be checked; `audit_date` shows which of two rows of a case was kept (spec section 6). The date of",
        "  birth, the one date that identifies a child by itself, is reduced to the age band.", "",
    ]
    for output in OUTPUT_FILES:
        lines += output_file_section(output)
    return "\n".join(lines).rstrip("\n") + "\n"


def declared_data_dictionary_markdown(definition: AuditDefinition) -> str:
    """Another audit's data dictionary: its files and columns (`helpers.run.dictionary.output_files`)."""
    lines = [
        f"# Data dictionary: every output of an audit of `audits/{definition.path.name}`", "",
        "Generated from `src/helpers/run/dictionary.py` and the audit's definition by `python tools/make_docs.py`;",
        "a test fails when it is out of date. Each audit's files are in `data/processed/<audit-id>/` (the id starts",
        f"with `{definition.name}-`). The spec column names the section of the contract (`audit-workbook.md`) that",
        "defines the column.", "",
        "- **Not recorded and not applicable.** For every measure each included case is met, not met, not",
        "  applicable or not recorded; an answer column is empty when its answer was not recorded. A date answered",
        "  N/A is empty too, and its `*_not_applicable` column is true.",
        "- **Intervals.** findings.csv's 95% Wilson intervals take the finite population correction when the",
        "  Audit sheet's population is larger than the denominator. The breakdowns do not: " + BREAKDOWN_RULE + ".",
        "- **Personal data.** The columns the definition declares personal, free text and case references never",
        "  leave cleaning. cases.csv and agency_returns.csv are OFFICIAL-SENSITIVE and stay with the partnership.",
        "",
    ]
    for output in output_files(definition):
        lines += output_file_section(output)
    return "\n".join(lines).rstrip("\n") + "\n"


GENERATED = {TARGET: measures_markdown, INPUT_FORMAT: input_format_markdown, DATA_DICTIONARY: data_dictionary_markdown}
DEFINITION_DOCS = DOCS / "audits"  # docs/audits/<name>/: another definition's measures.md and input-format.md


def definition_docs() -> dict:
    """Each audit definition in audits/ other than the child protection conference audit's: its two pages."""
    generated = {}
    for path in sorted((config.PROJECT_ROOT / "audits").glob("*.yaml")):
        if path.resolve() == config.PROJECT_ROOT.joinpath("audits", "cp-conferences.yaml").resolve():
            continue
        definition = load_definition(path)
        folder = DEFINITION_DOCS / path.stem
        generated[folder / "measures.md"] = lambda d=definition: measures_markdown(d)
        generated[folder / "input-format.md"] = lambda d=definition: input_format_markdown(d)
        generated[folder / "data-dictionary.md"] = lambda d=definition: data_dictionary_markdown(d)
    return generated


GENERATED.update(definition_docs())


def main() -> int:
    for target, render in GENERATED.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render())
        print(f"docs: wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
