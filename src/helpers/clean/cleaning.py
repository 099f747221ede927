"""The cleaning stage: raw workbook to included, pseudonymised, reconciled data (spec sections 2-6).

Every raw row of Cases and Agency returns ends in exactly one outcome; the
reconciliation counts them per sheet and those counts add up to the sheet's
raw rows. Personal data (names, dates of birth, comments, case references)
stops here: what leaves carries a pseudonymous ``case_id`` and an age band.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..domain.answers import MISSING_VALUES
from ..domain.measures import MEASURE_ID_ALIASES, MEASURE_IDS
from ..domain.schema import AGENCY_RETURNS, ANSWER_KINDS, AUDIT, CASES, RECOMMENDATIONS, Sheet
from ..domain.workdays import working_days_between
from ..errors import AuditInputError
from ..read.cells import (
    age_band,
    map_agencies,
    normalise_answer_text,
    normalise_case_ref,
    normalise_header,
    read_answers,
    read_dates,
)
from ..read.workbook import RawSheet, RawWorkbook, read_workbook
from .pseudonym import case_ids

OUTCOMES = ("blank", "missing_case_ref", "orphan_return", "superseded_duplicate",
            "outside_terms_of_reference", "included")
SHEET_OUTCOMES = {
    CASES.name: tuple(o for o in OUTCOMES if o != "orphan_return"),
    AGENCY_RETURNS.name: OUTCOMES,
}
REDACTED = "[personal data withheld]"
DATA_QUALITY_COLUMNS = ["sheet", "column", "value", "issue", "rows"]

# Columns that leave cleaning, in the order cases.csv shows them.
CASE_DATE_COLUMNS = ("strategy_discussion_date", "icpc_date", "first_core_group_date", "audit_date")
CASE_ANSWER_COLUMNS = tuple(c.name for c in CASES.columns if c.kind in ANSWER_KINDS)
RETURN_ANSWER_COLUMNS = tuple(c.name for c in AGENCY_RETURNS.columns if c.kind in ANSWER_KINDS)


@dataclass
class AuditSettings:
    """The Audit sheet's fields after any overrides from the run's parameters."""
    title: str = "Multi-agency audit of child protection conferences"
    window_start: pd.Timestamp | None = None
    window_end: pd.Timestamp | None = None
    population: int | None = None

    @property
    def has_window(self) -> bool:
        return self.window_start is not None or self.window_end is not None

    def as_dict(self) -> dict:
        iso = lambda d: None if d is None else d.strftime("%Y-%m-%d")  # noqa: E731
        return {"audit_title": self.title, "window_start": iso(self.window_start),
                "window_end": iso(self.window_end), "population": self.population}


@dataclass
class CleanedAudit:
    cases: pd.DataFrame
    agency_returns: pd.DataFrame
    case_outcomes: pd.Series
    return_outcomes: pd.Series
    reconciliation: pd.DataFrame
    data_quality: pd.DataFrame
    settings: AuditSettings
    recommendations: pd.DataFrame = field(default_factory=pd.DataFrame)


# --- reading columns --------------------------------------------------------

@dataclass
class ReadColumns:
    values: pd.DataFrame          # canonical answers and dates
    not_applicable: pd.DataFrame  # date cells answered N/A
    issues: list                  # data-quality rows


def read_columns(raw: RawSheet, sheet: Sheet) -> ReadColumns:
    """Normalise every answer and date column of a sheet and list unrecognised values."""
    values, not_applicable, issues = {}, {}, []
    for column in sheet.columns:
        cells = raw.rows[column.name]
        if column.kind in ANSWER_KINDS:
            read, unrecognised = read_answers(cells, column.kind)
            values[column.name] = read
        elif column.kind == "date":
            read, is_na, unrecognised = read_dates(cells)
            values[column.name] = read
            not_applicable[column.name] = is_na
        else:
            continue
        if unrecognised.any():
            shown = normalise_answer_text(cells[unrecognised])
            if column.personal:
                shown = pd.Series(REDACTED, index=shown.index)
            for value, rows in shown.value_counts(sort=False).items():
                issues.append((sheet.name, column.name, value, "unrecognised", int(rows)))
    return ReadColumns(pd.DataFrame(values, index=raw.rows.index),
                       pd.DataFrame(not_applicable, index=raw.rows.index), issues)


# --- the Audit and Recommendations sheets ----------------------------------

def read_audit_settings(raw: RawSheet | None, window_start=None, window_end=None) -> tuple[AuditSettings, list]:
    """Fields of the optional Audit sheet, and its unrecognised values; run parameters override the window."""
    settings, issues = AuditSettings(), []
    if raw is not None:
        fields = raw.rows["field"].map(normalise_header)
        table = pd.Series(raw.rows["value"].to_numpy(), index=fields.to_numpy())
        table = table[~table.index.duplicated(keep="first")]
        if pd.notna(table.get("audit_title")) and str(table.get("audit_title")).strip():
            settings.title = str(table["audit_title"]).strip()
        window = table.reindex(["window_start", "window_end"])
        dates, _, unrecognised = read_dates(window)
        settings.window_start = None if pd.isna(dates.iloc[0]) else dates.iloc[0]
        settings.window_end = None if pd.isna(dates.iloc[1]) else dates.iloc[1]
        issues += [(AUDIT.name, name, value, "unrecognised", 1)
                   for name, value in normalise_answer_text(window[unrecognised.to_numpy()]).items()]
        population_text = normalise_answer_text(pd.Series([table.get("population")])).str.replace(",", "")
        population = pd.to_numeric(population_text, errors="coerce").iloc[0]
        if pd.notna(population) and population > 0 and float(population).is_integer():
            settings.population = int(population)
        elif population_text.iloc[0] not in MISSING_VALUES:
            issues.append((AUDIT.name, "population", population_text.iloc[0], "unrecognised", 1))
    for name, override in (("window_start", window_start), ("window_end", window_end)):
        if override not in (None, ""):
            parsed, _, unrecognised = read_dates(pd.Series([str(override)]))
            if unrecognised.iloc[0] or pd.isna(parsed.iloc[0]):
                raise AuditInputError(f"the {name} parameter '{override}' is not a date",
                                      hint="use dd/mm/yyyy or yyyy-mm-dd")
            setattr(settings, name, parsed.iloc[0])
    return settings, issues


def read_recommendations(raw: RawSheet | None) -> tuple[pd.DataFrame, list]:
    """Recommendations with their measure ids; unknown ids are listed, never dropped silently."""
    columns = ["recommendation", "measures"]
    if raw is None:
        return pd.DataFrame(columns=columns), []
    text = raw.rows["recommendation"].astype("string").fillna("").str.replace("\u00a0", " ").str.strip()
    ids = raw.rows["measures"].astype("string").fillna("").str.lower().str.split(r"[,;]")
    # Old ids that named a threshold still work (spec section 3b).
    ids = ids.map(lambda parts: [MEASURE_ID_ALIASES.get(p.strip(), p.strip()) for p in parts if p.strip()])
    kept = (text != "") | (ids.str.len() > 0)
    flat = ids[kept].explode().dropna()
    unknown = flat[~flat.isin(MEASURE_IDS)]
    issues = [(RECOMMENDATIONS.name, "measures", value, "unknown_measure", int(rows))
              for value, rows in unknown.value_counts(sort=False).items()]
    known = ids[kept].map(lambda parts: "; ".join(p for p in parts if p in MEASURE_IDS))
    return pd.DataFrame({"recommendation": text[kept], "measures": known}).reset_index(drop=True), issues



# --- outcomes ---------------------------------------------------------------

def case_outcomes(case_ref: pd.Series, blank: pd.Series, audit_date: pd.Series,
                  icpc_date: pd.Series, settings: AuditSettings) -> pd.Series:
    """One outcome per Cases row, the first of spec section 6's list that applies."""
    missing_ref = ~blank & (case_ref == "")
    candidates = ~blank & ~missing_ref
    order = pd.DataFrame({"case_ref": case_ref, "audit_date": audit_date,
                          "position": np.arange(len(case_ref))})[candidates]
    # Latest audit date wins; a missing date is older than any; ties go to the later row.
    kept = order.sort_values(["audit_date", "position"], na_position="first").groupby("case_ref").tail(1).index
    superseded = candidates & ~case_ref.index.isin(kept)
    outside = candidates & ~superseded & outside_window(icpc_date, settings)
    return _label([blank, missing_ref, superseded, outside],
                  ["blank", "missing_case_ref", "superseded_duplicate", "outside_terms_of_reference"],
                  case_ref.index)


def outside_window(icpc_date: pd.Series, settings: AuditSettings) -> pd.Series:
    """ICPC date outside the window, both ends included; an unknown date is kept."""
    outside = pd.Series(False, index=icpc_date.index)
    if settings.window_start is not None:
        outside |= icpc_date.notna() & (icpc_date < settings.window_start)
    if settings.window_end is not None:
        outside |= icpc_date.notna() & (icpc_date > settings.window_end)
    return outside


def return_outcomes(case_ref: pd.Series, blank: pd.Series, agency: pd.Series,
                    all_case_refs: pd.Series, outside_case_refs: pd.Series) -> pd.Series:
    """One outcome per Agency returns row; duplicates are found among rows still in play."""
    missing_ref = ~blank & (case_ref == "")
    orphan = ~blank & ~missing_ref & ~case_ref.isin(all_case_refs)
    candidates = ~blank & ~missing_ref & ~orphan
    keys = pd.DataFrame({"case_ref": case_ref, "agency": agency})[candidates]
    superseded = candidates & keys.duplicated(keep="last").reindex(case_ref.index, fill_value=False)
    outside = candidates & ~superseded & case_ref.isin(outside_case_refs)
    return _label([blank, missing_ref, orphan, superseded, outside],
                  ["blank", "missing_case_ref", "orphan_return", "superseded_duplicate",
                   "outside_terms_of_reference"], case_ref.index)


def _label(conditions, labels, index) -> pd.Series:
    return pd.Series(np.select([c.to_numpy(dtype=bool) for c in conditions], labels, default="included"),
                     index=index, dtype="string")


def reconciliation_table(outcomes_by_sheet: dict[str, pd.Series]) -> pd.DataFrame:
    """Rows per outcome for each sheet, every outcome listed (zeros too) in the spec's order."""
    tables = []
    for sheet, outcomes in outcomes_by_sheet.items():
        counts = outcomes.value_counts().reindex(SHEET_OUTCOMES[sheet], fill_value=0)
        tables.append(pd.DataFrame({"sheet": sheet, "outcome": counts.index, "rows": counts.to_numpy()}))
    return pd.concat(tables, ignore_index=True)


# --- the whole stage --------------------------------------------------------

def clean_workbook(path: str | Path, key: bytes, window_start=None, window_end=None) -> CleanedAudit:
    raw = read_workbook(path)
    return clean_raw_workbook(raw, key, window_start, window_end)


def clean_raw_workbook(raw: RawWorkbook, key: bytes, window_start=None, window_end=None) -> CleanedAudit:
    settings, audit_issues = read_audit_settings(raw.audit, window_start, window_end)
    recommendations, recommendation_issues = read_recommendations(raw.recommendations)

    cases_read = read_columns(raw.cases, CASES)
    case_ref = normalise_case_ref(raw.cases.rows["case_ref"])
    case_outcome = case_outcomes(case_ref, raw.cases.blank, cases_read.values["audit_date"],
                                 cases_read.values["icpc_date"], settings)

    returns_read = read_columns(raw.agency_returns, AGENCY_RETURNS)
    return_ref = normalise_case_ref(raw.agency_returns.rows["case_ref"])
    agencies = map_agencies(raw.agency_returns.rows["agency"])
    known_refs = case_ref[~raw.cases.blank & (case_ref != "")]
    outside_refs = case_ref[case_outcome == "outside_terms_of_reference"]
    return_outcome = return_outcomes(return_ref, raw.agency_returns.blank, agencies["agency"],
                                     known_refs, outside_refs)

    included_cases = case_outcome == "included"
    ids = case_ids(case_ref[included_cases], key)
    cases = build_cases(cases_read, included_cases, ids)
    id_of_ref = pd.Series(ids.to_numpy(), index=case_ref[included_cases].to_numpy())
    included_returns = return_outcome == "included"
    agency_returns = build_agency_returns(returns_read, agencies, included_returns,
                                          return_ref[included_returns].map(id_of_ref))

    issues = cases_read.issues + returns_read.issues + recommendation_issues + audit_issues
    unmapped = agencies.loc[agencies["unmapped"] & ~raw.agency_returns.blank, "agency"]
    issues += [(AGENCY_RETURNS.name, "agency", name, "unmapped_agency", int(rows))
               for name, rows in unmapped.value_counts(sort=False).items()]
    issues += flagged_case_issues(cases, settings)

    return CleanedAudit(
        cases=cases, agency_returns=agency_returns,
        case_outcomes=case_outcome, return_outcomes=return_outcome,
        reconciliation=reconciliation_table({CASES.name: case_outcome, AGENCY_RETURNS.name: return_outcome}),
        data_quality=data_quality_table(issues), settings=settings, recommendations=recommendations,
    )


def build_cases(read: ReadColumns, included: pd.Series, ids: pd.Series) -> pd.DataFrame:
    """Included cases: pseudonymous id, age band, normalised answers, dates and derived working days."""
    values = read.values[included]
    cases = pd.DataFrame({"case_id": ids.to_numpy()}, index=values.index)
    cases["age_band"] = age_band(values["date_of_birth"], values["icpc_date"])
    for name in CASE_ANSWER_COLUMNS:
        cases[name] = values[name]
    for name in CASE_DATE_COLUMNS:
        cases[name] = values[name]
        cases[f"{name}_not_applicable"] = read.not_applicable.loc[included, name]
    cases["strategy_to_icpc_working_days"] = working_days_between(
        cases["strategy_discussion_date"], cases["icpc_date"])
    cases["icpc_to_core_group_working_days"] = working_days_between(
        cases["icpc_date"], cases["first_core_group_date"])
    # Derived flags: what the data-quality output lists, case by case.
    cases["no_icpc_date"] = cases["icpc_date"].isna()
    cases["strategy_to_icpc_negative"] = (cases["strategy_to_icpc_working_days"] < 0).fillna(False).astype(bool)
    cases["icpc_to_core_group_negative"] = (cases["icpc_to_core_group_working_days"] < 0).fillna(False).astype(bool)
    return cases.reset_index(drop=True)


def build_agency_returns(read: ReadColumns, agencies: pd.DataFrame, included: pd.Series,
                         case_id: pd.Series) -> pd.DataFrame:
    values = read.values[included]
    returns = pd.DataFrame({"case_id": case_id.astype("string").to_numpy()}, index=values.index)
    returns["agency"] = agencies.loc[included, "agency"]
    returns["agency_group"] = agencies.loc[included, "agency_group"]
    for name in RETURN_ANSWER_COLUMNS:
        returns[name] = values[name]
    returns["report_shared_date"] = values["report_shared_date"]
    returns["report_shared_date_not_applicable"] = read.not_applicable.loc[included, "report_shared_date"]
    return returns.reset_index(drop=True)


def flagged_case_issues(cases: pd.DataFrame, settings: AuditSettings) -> list:
    """The derived flags the data-quality output lists: negative working-day intervals (read as not
    recorded, spec section 7) and, under a window, included cases with no ICPC date."""
    # A negative interval is listed under the later date's column: the one the audit team would check.
    flagged = [("icpc_date", "strategy_to_icpc_negative", "negative_interval"),
               ("first_core_group_date", "icpc_to_core_group_negative", "negative_interval")]
    if settings.has_window:
        flagged.append(("icpc_date", "no_icpc_date", "no_icpc_date_in_window"))
    counts = [(column, issue, int(cases[flag].sum())) for column, flag, issue in flagged]
    return [(CASES.name, column, "", issue, rows) for column, issue, rows in counts if rows]


def data_quality_table(issues: list) -> pd.DataFrame:
    table = pd.DataFrame(issues, columns=DATA_QUALITY_COLUMNS)
    table["rows"] = table["rows"].astype(int)
    return table.sort_values(["sheet", "column", "issue", "value"], kind="stable").reset_index(drop=True)
