"""Exploring an audit in a few lines: the analysts' documented, read-only way in.

    from helpers import explore
    audit = explore.load("<audit-id>")              # or a processed folder, or a workbook; empty: the demo
    audit.measure("conference_quorate", where="father_attended == 'Yes'")
    audit.measure("reports_shared_timely", by="agency_group")

Everything here is read from what `make report` wrote, or computed in memory by the spine (`helpers.audit()`),
and goes through the project's own functions: statuses (`measure_statuses`), the findings table
(`findings_table`), the report's breakdowns (`measure_by_group`, `agency_group_breakdown`), the comparison of
spec section 9 (`compare_audits`) and the published version's disclosure rule. No measure is computed twice.
Nothing is ever written into data/processed or reports.

The one rule for subgroups (the report's breakdowns' rule): a figure for the whole audit is the findings.csv
row, with the finite population correction when the Audit sheet gives a population larger than the
denominator; a figure for any subgroup (`by` or `where`) has no correction, because the population says how
many children were on plans in all, not how many of them are in the subgroup. Every result says which applied
(`result.attrs["finite_population_correction"]` and a printed note).
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

import pandas as pd

from . import config
from .domain.answers import AGE_BANDS, CATEGORIES, NA_ANSWER
from .domain.measures import Parameters, definition_of, measures_by_id
from .errors import AuditInputError
from .measures.breakdowns import agency_group_breakdown, measure_by_group
from .measures.findings import FINDINGS_COLUMNS, findings_table
from .measures.stage import NOT_RECORDED_GROUP
from .measures.statuses import NOT_APPLICABLE, NOT_RECORDED, measure_statuses

# The measure counted per agency return (report) rather than per case: the report's agency-group table.
RETURN_LEVEL_MEASURE = "reports_shared_timely"
# Groups in the order the report's breakdowns list them; other columns' groups are sorted.
GROUP_ORDER = {"cp_category": list(CATEGORIES) + [NA_ANSWER, NOT_RECORDED_GROUP], "age_band": list(AGE_BANDS)}
WHERE_GROUP = "where"
SUBGROUP_RULE = ("no finite population correction: a subgroup's population is not known (the report's "
                 "breakdowns' rule, docs/data-dictionary.md)")


def closest(name: str, known) -> str:
    """' (did you mean 'x'?)'-style hint: the closest known name, or the list when none is close."""
    known = list(known)
    match = difflib.get_close_matches(str(name), known, n=1, cutoff=0.5)
    return f"did you mean '{match[0]}'?" if match else "known: " + ", ".join(known)


class ExploredAudit:
    """One audit as an analyst explores it: tables as read-only copies, measures, comparison, disclosure.

    Made by `load`; nothing of it writes a file. Its tables are handed out as copies, so an analyst's edits
    never change what `measure` counts.
    """

    def __init__(self, *, audit_id: str, name: str, source: str, settings: dict, params: Parameters,
                 cases: pd.DataFrame, returns: pd.DataFrame, findings: pd.DataFrame, breakdowns: dict,
                 comparison: pd.DataFrame | None, reaudit: dict, recommendations: pd.DataFrame,
                 key_fingerprint: str | None, statuses: pd.DataFrame | None = None):
        statuses = measure_statuses(cases, returns, params, definition_of(params)) if statuses is None else statuses
        state = dict(audit_id=audit_id, name=name, source=source, settings=dict(settings), params=params,
                     _cases=cases, _returns=returns, _findings=findings, _breakdowns=dict(breakdowns),
                     _comparison=comparison, _reaudit=dict(reaudit), _recommendations=recommendations,
                     key_fingerprint=key_fingerprint, _statuses=statuses)
        for attribute, value in state.items():
            object.__setattr__(self, attribute, value)

    def __setattr__(self, attribute, value):
        raise AttributeError("an explored audit is read-only: copy a table (audit.cases) to change it")

    def __repr__(self) -> str:
        population = self.population
        return (f"<audit {self.audit_id}: {len(self._cases)} cases, {len(self._returns)} agency returns, "
                f"population {population if population else 'not known'}, from {self.source}>")

    # --- the tables ------------------------------------------------------------------------------

    @property
    def cases(self) -> pd.DataFrame:
        """cases.csv: one row per included case, pseudonymised (docs/data-dictionary.md)."""
        return self._cases.copy()

    @property
    def returns(self) -> pd.DataFrame:
        """agency_returns.csv: one row per included agency return (docs/data-dictionary.md)."""
        return self._returns.copy()

    @property
    def findings(self) -> pd.DataFrame:
        """findings.csv: the 22 measures as the report gives them."""
        return self._findings.copy()

    @property
    def breakdowns(self) -> dict[str, pd.DataFrame]:
        """The report's breakdown tables (breakdown_*.csv), by their file names' last word."""
        return {name: table.copy() for name, table in self._breakdowns.items()}

    @property
    def recommendations(self) -> pd.DataFrame:
        return self._recommendations.copy()

    @property
    def comparison(self) -> pd.DataFrame | None:
        """comparison.csv as `make report EARLIER=...` wrote it (None without one); `compare` makes a new one."""
        return None if self._comparison is None else self._comparison.copy()

    @property
    def population(self) -> int | None:
        return self.settings.get("population")

    # --- measures --------------------------------------------------------------------------------

    def measure(self, measure_id: str, by: str | None = None, where: str | None = None) -> pd.DataFrame:
        """One measure with the columns of findings.csv: one row for the whole audit, or one per value of `by`.

        `by` is a column of `cases` (missing values are the group "Not recorded"), or `agency_group` (or
        another column of `returns`) for reports_shared_timely, which is then counted per report as in the
        report's agency-group table. `where` is a pandas query on `cases`, such as "father_attended == 'Yes'".
        The whole audit takes the finite population correction (when the population is known); a subgroup
        never does. `attrs` say which, and what was counted.
        """
        measure_id = self._known_measure(measure_id)
        chosen = self._chosen_cases(where)
        if by is None and where is None:
            result = self._whole_audit(measure_id)
        elif by is not None and by not in self._cases.columns:
            result = self._per_return(measure_id, by, chosen)
        else:
            result = self._per_group(measure_id, self._groups(by, chosen), by or WHERE_GROUP)
            if by is None:  # one subgroup: the rows of `where`, without a group column
                result = result.drop(columns=WHERE_GROUP)
        result.attrs.update(measure_id=measure_id, by=by, where=where)
        print(f"note: {measure_id}{f' by {by}' if by else ''}{f' where {where}' if where else ''} counts "
              f"{result.attrs['counted']}; {result.attrs['interval']}")
        return result

    def _known_measure(self, measure_id: str) -> str:
        known = list(measures_by_id(self.params))  # the audit's measures (its definition's)
        if measure_id not in known:
            raise AuditInputError(f"unknown measure '{measure_id}'", hint=f"{closest(measure_id, known)} "
                                  "every measure is in docs/measures.md")
        return measure_id

    def _chosen_cases(self, where: str | None) -> pd.Series:
        """The cases `where` selects, as a boolean mask on `cases` (every case without `where`)."""
        if where is None:
            return pd.Series(True, index=self._cases.index)
        try:
            chosen = self._cases.eval(where)
        except pd.errors.UndefinedVariableError as error:
            name = re.search(r"name '([^']+)'", str(error))
            unknown = name.group(1) if name else where
            raise AuditInputError(f"where: no column '{unknown}' in cases",
                                  hint=f"{closest(unknown, self._cases.columns)} the columns are in "
                                       "docs/data-dictionary.md") from None
        except Exception as error:  # pandas' parser raises many types; the analyst needs one line
            raise AuditInputError(f"where: cannot read \"{where}\" ({str(error).splitlines()[0]})",
                                  hint="write a pandas query on cases, such as \"father_attended == 'Yes'\"") \
                from None
        if not isinstance(chosen, pd.Series) or not (pd.api.types.is_bool_dtype(chosen)
                                                     or chosen.dropna().isin([True, False]).all()):
            raise AuditInputError(f"where: \"{where}\" does not say yes or no for each case",
                                  hint="compare a column with a value, such as \"father_attended == 'Yes'\"")
        # A comparison with a missing answer is <NA>: the case is not chosen.
        chosen = chosen.astype("boolean").fillna(False).astype(bool)
        if not chosen.any():
            raise AuditInputError(f"where: \"{where}\" chooses no case",
                                  hint="values are as cases.csv holds them, such as 'Yes', 'NEG' or '1-4' "
                                       "(docs/data-dictionary.md)")
        return chosen

    def _whole_audit(self, measure_id: str) -> pd.DataFrame:
        """findings.csv's row, computed as findings.csv is (findings_table with the audit's population)."""
        table = findings_table(self._statuses, self.population, self.params, definition_of(self.params))
        row = table[table["measure_id"] == measure_id].reset_index(drop=True)
        corrected = bool(self.population and self.population > row.at[0, "denominator"])
        row.attrs.update(
            counted="cases", finite_population_correction=corrected,
            interval=(f"finite population correction applied (population {self.population:,})" if corrected
                      else "no finite population correction (population not known, or not larger than the "
                           "denominator)"))
        return row

    def _groups(self, by: str | None, chosen: pd.Series) -> pd.Series:
        """Each chosen case's group: the value of `by` ("Not recorded" when missing), or one group."""
        if by is None:
            return pd.Series(WHERE_GROUP, index=self._cases.index)[chosen]
        values = self._cases.loc[chosen, by]
        return values.astype(object).where(values.notna(), NOT_RECORDED_GROUP)

    def _per_group(self, measure_id: str, groups: pd.Series, group_column: str) -> pd.DataFrame:
        """One row per group, through the report's breakdown function: no population correction."""
        statuses = self._statuses.loc[groups.index]
        order = GROUP_ORDER.get(group_column) or sorted(groups.unique(), key=str)
        table = measure_by_group(statuses, groups, [measure_id], order=order)
        # measure_by_group counts met and assessed; the rest of each group splits as findings.csv splits it.
        rest = pd.crosstab(groups.to_numpy(), statuses[measure_id].to_numpy()).reindex(
            index=table["group"], columns=[NOT_APPLICABLE, NOT_RECORDED], fill_value=0)
        result = self._findings_columns(measure_id, group_column, table.rename(columns={"group": group_column}),
                                        rest[NOT_APPLICABLE].to_numpy(), rest[NOT_RECORDED].to_numpy())
        result.attrs.update(counted="cases", finite_population_correction=False, interval=SUBGROUP_RULE)
        return result

    def _per_return(self, measure_id: str, by: str, chosen: pd.Series) -> pd.DataFrame:
        """reports_shared_timely per report, grouped by a column of the returns: the report's agency table."""
        if by not in self._returns.columns or measure_id != RETURN_LEVEL_MEASURE:
            return_columns = [c for c in self._returns.columns if c not in self._cases.columns]
            if by in return_columns:
                raise AuditInputError(f"by: '{by}' is a column of the agency returns, and {measure_id} counts "
                                      "cases", hint=f"only {RETURN_LEVEL_MEASURE} is counted per return (as the "
                                      "report's agency-group table); choose cases with where=... instead")
            known = list(self._cases.columns) + (return_columns if measure_id == RETURN_LEVEL_MEASURE else [])
            raise AuditInputError(f"by: no column '{by}' in cases", hint=f"{closest(by, known)} the columns "
                                  "are in docs/data-dictionary.md")
        cases = self._cases[chosen]
        returns = self._returns[self._returns["case_id"].isin(cases["case_id"])]
        # agency_group_breakdown groups by the column named agency_group: give it the column asked for.
        table = agency_group_breakdown(cases, returns.assign(agency_group=returns[by]), self.params)
        table = table.rename(columns={"agency_group": by, "reports_shared_in_time": "met",
                                      "reports_submitted": "assessed", "percent_in_time": "percent"})
        result = self._findings_columns(measure_id, by, table, (table["returns"] - table["assessed"]).to_numpy(),
                                        0)
        result.attrs.update(
            counted="reports (agency returns), not cases: a return without a submitted report is not applicable",
            finite_population_correction=False, interval=SUBGROUP_RULE)
        return result

    def _findings_columns(self, measure_id: str, group_column: str, computed: pd.DataFrame, not_applicable,
                          not_recorded) -> pd.DataFrame:
        """The findings.csv columns, beside each group, of rows a report's breakdown function computed."""
        measure = measures_by_id(self.params)[measure_id]
        result = pd.DataFrame({
            group_column: computed[group_column].to_numpy(), "measure_id": measure_id, "kloe": measure.kloe,
            "label": measure.label_for(self.params), "numerator": computed["met"].to_numpy().astype(int),
            "denominator": computed["assessed"].to_numpy().astype(int), "not_applicable": not_applicable,
            "not_recorded": not_recorded, "percent": computed["percent"].to_numpy(),
            "ci_lower": computed["ci_lower"].to_numpy(), "ci_upper": computed["ci_upper"].to_numpy()})
        return result[[group_column, *FINDINGS_COLUMNS]]

    # --- comparison and disclosure ---------------------------------------------------------------

    def compare(self, other: "ExploredAudit | str | Path") -> pd.DataFrame:
        """Spec section 9: each measure here against `other` (an earlier audit, or what `load` accepts).

        `other` is measured again with this audit's thresholds, as `make report EARLIER=...` measures it, and
        compared by `compare_audits`: the change in points, its Newcombe interval and the verdict.
        `attrs["reaudit"]` holds what reaudit.json would (children in both audits, overlapping windows).
        """
        from .measures.comparison import check_earlier_before_current, compare_audits

        earlier = other if isinstance(other, ExploredAudit) else load(other, definition_of(self.params))
        try:
            check_earlier_before_current(earlier.name, earlier.settings.get("window_end"), self.name,
                                         self.settings.get("window_end"))
        except AuditInputError as error:  # its hint speaks of make's settings; here the call is swapped
            raise AuditInputError(error.problem, hint="compare the later audit with the earlier one: "
                                                      "later.compare(earlier)") from None
        definition = definition_of(self.params)
        earlier_findings = findings_table(measure_statuses(earlier._cases, earlier._returns, self.params, definition),
                                          earlier.population, self.params, definition)
        comparison, record = compare_audits(self._compared(self._findings), [earlier._compared(earlier_findings)])
        comparison.attrs["reaudit"] = record
        return comparison

    def _compared(self, findings: pd.DataFrame):
        from .spine import compared

        return compared(self.name, self.settings, findings, self._cases["case_id"], self._recommendations,
                        self.key_fingerprint)

    def disclosure(self, table: pd.DataFrame | None = None) -> pd.DataFrame:
        """`table` as the published version would show it (default: the findings), before it is shared.

        The published version's rule (helpers.report.disclosure): counts of 1 to 5, and any count from which
        one could be worked out, are `c`; a percentage or interval is shown only when both its counts are and
        the base is 10 or more. Not applicable and not recorded counts are left out, as the published report
        leaves them out. `disclosed` says which tables it recognises.
        """
        return disclosed(self._findings if table is None else table)

    def chart(self, result: pd.DataFrame):
        """`result` (of `measure(..., by=...)`) drawn as the report draws its findings: see `chart`."""
        return chart(result)


# --- disclosure of an analyst's table --------------------------------------------------------------

# The shapes of table the published version knows: its counts, the (part, whole) pairs a reader could take
# one from the other, and each percentage's (part, whole).
MEASURE_SHAPE = (("numerator", "denominator"), ("percent", "ci_lower", "ci_upper"))
BREAKDOWN_SHAPE = (("met", "assessed"), ("percent", "ci_lower", "ci_upper"))
LEFT_OUT = ("not_applicable", "not_recorded")  # the board's counts only: the published report never gives them


def disclosed(table: pd.DataFrame) -> pd.DataFrame:
    """Any table with the published version's rule applied (counts `c`, percentages `c` or `z`).

    A table of `measure` or findings.csv (numerator, denominator, percent, interval) or of a report breakdown
    (met, assessed, ...) is protected as the report protects those; any other table's whole-number columns
    are counts. A table of groups (`measure(..., by=...)`, a breakdown) is protected as the report's
    breakdowns are: its column totals are taken as published. A fractional column the rule cannot tie to
    its counts stops with an error rather than be published unprotected.
    """
    from .report.disclosure import AGENCY_COUNTS, AGENCY_PAIRS, apply_suppression

    table = table.drop(columns=[c for c in LEFT_OUT if c in table]).reset_index(drop=True)
    grouped = bool(table.attrs.get("by")) or "group" in table or "agency_group" in table
    counts, pairs, percents = [], [], {}
    for (part, whole), percent_columns in (MEASURE_SHAPE, BREAKDOWN_SHAPE):
        if part in table and whole in table:
            counts += [part, whole]
            pairs.append((part, whole))
            percents.update({c: (part, whole) for c in percent_columns if c in table})
    if set(AGENCY_COUNTS) <= set(table.columns):
        counts += [c for c in AGENCY_COUNTS if c not in counts]
        pairs += [p for p in AGENCY_PAIRS if p not in pairs]
        percents.update({c: ("reports_shared_in_time", "reports_submitted")
                         for c in ("percent_in_time", "ci_lower", "ci_upper") if c in table})
    numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])
               and not pd.api.types.is_bool_dtype(table[c])]
    counts += [c for c in numeric if c not in counts and c not in percents and is_whole(table[c])]
    unprotected = [c for c in numeric if c not in counts and c not in percents]
    if unprotected:
        raise AuditInputError(f"disclosure: cannot tell which counts '{unprotected[0]}' is made from",
                              hint="publish counts, or a table of audit.measure(...) or a breakdown, whose "
                                   "percentages the rule knows")
    shown = apply_suppression(table, counts, pairs, percents, column_totals=grouped)
    shown.attrs.update(table.attrs, disclosure="published version's rule (helpers.report.disclosure)")
    return shown


def is_whole(values: pd.Series) -> bool:
    present = values.dropna()
    return bool((present == present.round()).all()) and bool((present >= 0).all())


# --- small charts ------------------------------------------------------------------------------------

def chart(result: pd.DataFrame):
    """A `measure(...)` result as the report draws its findings: Analysis Function bars, 95% interval
    whiskers, met/assessed labels, a title as text and alt text giving every number. Shown by Jupyter;
    `.png` is the image and `.html()` the figure."""
    from .report.charts import Chart, alt_text, build_chart, figure_png

    class ShownChart(Chart):
        def _repr_html_(self) -> str:
            return self.html()

    missing = [c for c in ("numerator", "denominator", "percent", "ci_lower", "ci_upper") if c not in result]
    if missing:
        raise AuditInputError(f"chart: the table has no column '{missing[0]}'",
                              hint="draw a result of audit.measure(...), such as audit.measure(m, by='age_band')")
    by = result.attrs.get("by")
    label = result["label"].iloc[0] if "label" in result and len(result) else "Measure"
    rows = result.assign(label=result[by].astype(str) if by else result.get("label", label))
    counted = result.attrs.get("counted", "cases")
    reports = counted.startswith("reports")
    what = f"{label.lower()}" + (f" by {by.replace('_', ' ')}" if by else "")
    alt = alt_text(rows, what)
    if reports:  # alt_text counts cases; this result counts reports
        alt = alt.replace(" cases; 95% interval", " reports; 95% interval")
    title = f"{label}, by {by.replace('_', ' ')}" if by else label
    caption = (f"Percentage of {'reports' if reports else 'cases'} meeting the standard"
               f"{' in each group' if by else ''}, with 95% intervals (the lines) and numbers (met/assessed); "
               f"{result.attrs.get('interval', SUBGROUP_RULE)}.")
    return ShownChart("explore", [result["measure_id"].iloc[0]] if "measure_id" in result else [], title, alt,
                      caption, figure_png(build_chart(rows)))


# --- loading -----------------------------------------------------------------------------------------

def load(audit: "str | Path | ExploredAudit" = "", definition=None) -> ExploredAudit:
    """An audit to explore: an audit id (a folder of data/processed), a processed folder, or a workbook.

    Empty: the synthetic demo workbook. A folder is only read. A workbook is run through `helpers.audit()`
    with the default thresholds, in memory: nothing is written into data/processed or reports.
    `definition`: the audit's definition (a loaded one, or its file's path); the CP audit's by default.
    """
    if isinstance(audit, ExploredAudit):
        return audit
    from .run.loaders import definition_named

    definition = definition_named(definition or "")
    if not str(audit):
        from .run.loaders import demo_workbook

        return from_workbook(demo_workbook())
    path = Path(audit)
    if path.is_dir():
        return from_folder(path, definition)
    if path.is_file():
        return from_workbook(path, definition)
    by_id = Path(config.DATA_PROCESSED) / str(audit)
    if path.name == str(audit) and by_id.is_dir():
        return from_folder(by_id, definition)
    made = sorted(p.name for p in Path(config.DATA_PROCESSED).glob("*") if (p / "findings.csv").exists())
    raise AuditInputError(f"no audit, folder or workbook '{audit}'",
                          hint=(closest(str(audit), made) + " " if made else "") + "give an audit id that `make "
                               "report` made, a processed folder, or a workbook's path")


def earlier_demo_workbook() -> Path:
    """The synthetic demo's earlier audit (as `make demo` writes it), written first when it is not there."""
    from .run import demo

    path = config.DEMO_WORKBOOK.with_name(demo.EARLIER_FILE_NAME)
    if not path.exists():
        demo.write_workbook(demo.build_earlier_demo(), path)
    return path


BREAKDOWN_NAMES = {"by_agency_group": "agency_group", "by_category": "category", "by_age_band": "age_band"}


def from_workbook(path: str | Path, definition=None) -> ExploredAudit:
    """A workbook measured in memory by the spine, with the default thresholds."""
    from .spine import audit, compared_name

    result = audit(path, definition=definition)
    measured = result.measured
    return ExploredAudit(
        audit_id=result.audit_id, name=compared_name(result.settings, result.raw), source=str(path),
        settings=result.settings, params=result.params, cases=result.cleaned.cases,
        returns=result.cleaned.agency_returns, findings=result.findings,
        breakdowns={name: getattr(measured, field) for field, name in BREAKDOWN_NAMES.items()},
        comparison=None, reaudit=result.reaudit, recommendations=result.cleaned.recommendations,
        key_fingerprint=result.reaudit["audit"]["key_fingerprint"], statuses=measured.statuses)


def from_folder(folder: str | Path, definition=None) -> ExploredAudit:
    """An audit's processed folder, as `make report` wrote it: only read."""
    from .run.audit_folders import audit_id
    from .run.loaders import findings_parameters
    from .run.outputs import REAUDIT_RECORD, load_clean_outputs, load_findings_outputs
    from .run.provenance import read_run_record
    from .spine import compared_name

    folder = Path(folder)
    if not (folder / "findings.csv").exists():
        raise AuditInputError("no audit outputs here", file=folder,
                              hint="give the folder `make report` printed as data:, or its audit id")
    tables = load_clean_outputs(folder)
    measured = load_findings_outputs(folder)
    settings = tables["audit"]
    raw_file = read_run_record(folder / "source.json").get("raw_file", folder.name)
    reaudit = read_run_record(folder / REAUDIT_RECORD)
    comparison = folder / "comparison.csv"
    return ExploredAudit(
        audit_id=audit_id(settings, raw_file, definition), name=compared_name(settings, Path(raw_file)),
        source=str(folder),
        settings=settings, params=findings_parameters(folder, definition or ""), cases=tables["cases"],
        returns=tables["agency_returns"], findings=measured["findings"],
        breakdowns={name: measured[field] for field, name in BREAKDOWN_NAMES.items()},
        comparison=pd.read_csv(comparison) if comparison.exists() else None, reaudit=reaudit,
        recommendations=tables["recommendations"],
        key_fingerprint=reaudit.get("audit", {}).get("key_fingerprint"))
