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

from ..domain.answers import MISSING_VALUES, answer_kind
from ..domain.definition import AuditDefinition, case_intervals, cp_conferences
from ..domain.measures import MEASURE_ID_ALIASES, MEASURE_IDS
from ..domain.schema import AGENCY_RETURNS, ANSWER_KINDS, AUDIT, AUDIT_FIELDS, CASES, Sheet, earlier_audit_may_lack
from ..domain.workdays import working_days_between
from ..errors import AuditInputError
from ..read.cells import (
    age_band,
    map_agencies,
    month_first_dates,
    normalise_answer_text,
    normalise_case_ref,
    normalise_header,
    normalised_answer_cells,
    plain_spaces,
    read_answer_columns,
    read_dates,
    read_percentages,
    read_statuses,
    split_list,
)
from ..read.workbook import RawSheet, RawWorkbook, read_workbook
from .pseudonym import case_ids

OUTCOMES = ("blank", "missing_case_ref", "missing_agency", "orphan_return", "superseded_duplicate",
            "outside_terms_of_reference", "included")
SHEET_OUTCOMES = {
    CASES.name: tuple(o for o in OUTCOMES if o not in ("missing_agency", "orphan_return")),
    AGENCY_RETURNS.name: OUTCOMES,
}
REDACTED = "[personal data withheld]"
DATA_QUALITY_COLUMNS = ["sheet", "column", "value", "issue", "rows"]
# One row per problem cell: the rows data_quality.csv counts (spec section 8), with the Excel row and the
# header as written, so the audit team can find the cell. Personal values are withheld here too.
DATA_QUALITY_ROW_COLUMNS = ["sheet", "row", "column", "header", "value", "issue"]
ROW_OUTCOME_COLUMNS = ["sheet", "row", "outcome", "detail"]
RECOMMENDATION_COLUMNS = ["recommendation", "measures", "owner", "due_date", "target", "status", "raised"]
# A child on a plan is under 18 at the ICPC: a date of birth further back is a slip (a year typed as a number).
MAX_AGE_AT_ICPC_YEARS = 18



def leaving_columns(sheet: Sheet) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The answer and date columns that leave cleaning, in the order the sheet declares them. Personal columns
    and free text never leave (names, dates of birth, comments)."""
    kept = [c for c in sheet.columns if not c.personal]
    return (tuple(c.name for c in kept if c.kind in ANSWER_KINDS), tuple(c.name for c in kept if c.kind == "date"))


# The child protection conference audit's columns that leave cleaning, in the order cases.csv shows them.
CASE_ANSWER_COLUMNS, CASE_DATE_COLUMNS = leaving_columns(CASES)
RETURN_ANSWER_COLUMNS = leaving_columns(AGENCY_RETURNS)[0]


@dataclass
class AuditSettings:
    """The Audit sheet's fields after any overrides from the run's parameters."""
    title: str = "Multi-agency audit of child protection conferences"
    window_start: pd.Timestamp | None = None
    window_end: pd.Timestamp | None = None
    population: int | None = None
    sampling: str | None = None                 # free text: how the cases were chosen (spec section 3)
    local_authorities_text: str | None = None   # the field as written
    local_authorities: list[str] = field(default_factory=list)

    @property
    def has_window(self) -> bool:
        return self.window_start is not None or self.window_end is not None

    def as_dict(self) -> dict:
        iso = lambda d: None if d is None else d.strftime("%Y-%m-%d")  # noqa: E731
        return {"audit_title": self.title, "window_start": iso(self.window_start),
                "window_end": iso(self.window_end), "population": self.population, "sampling": self.sampling,
                "local_authorities": list(self.local_authorities)}


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
    # One row per problem cell (DATA_QUALITY_ROW_COLUMNS) and one per raw row with its outcome
    # (ROW_OUTCOME_COLUMNS): no case reference, name, date of birth or comment in either.
    data_quality_rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DATA_QUALITY_ROW_COLUMNS))
    row_outcomes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ROW_OUTCOME_COLUMNS))
    missing_columns: tuple[str, ...] = ()  # required columns an earlier audit's workbook lacked

    def audit_record(self) -> dict:
        """audit.json: the Audit sheet's fields, and the columns an earlier audit's workbook lacked, if any."""
        record = self.settings.as_dict()
        if self.missing_columns:
            record["missing_columns"] = list(self.missing_columns)
        return record


# --- reading columns --------------------------------------------------------

@dataclass
class ReadColumns:
    values: pd.DataFrame          # canonical answers and dates
    not_applicable: pd.DataFrame  # date cells answered N/A
    issues: list                  # data-quality rows, one frame of DATA_QUALITY_ROW_COLUMNS per problem


def issue_rows(raw: RawSheet, mask: pd.Series, column: str, value, issue: str, personal: bool = False,
               header: str | None = None) -> pd.DataFrame:
    """One data-quality row per cell of `raw` selected by `mask` (its Excel row and header as written)."""
    mask = mask.reindex(raw.rows.index, fill_value=False).astype(bool)
    rows = raw.excel_row.set_axis(raw.rows.index)[mask]
    if isinstance(value, pd.Series):
        value = value.reindex(rows.index).astype("string").fillna("")
    return pd.DataFrame({"sheet": raw.name, "row": rows.astype(int).to_numpy(), "column": column,
                         "header": header if header is not None else raw.headers.get(column, column),
                         "value": REDACTED if personal else value if not isinstance(value, pd.Series)
                         else value.to_numpy(), "issue": issue}, columns=DATA_QUALITY_ROW_COLUMNS)


def read_columns(raw: RawSheet, sheet: Sheet) -> ReadColumns:
    """Normalise every answer and date column of a sheet and list unrecognised values and dates outside
    1900-2099 (spec section 2: `implausible_date`, read as missing; a personal column's value is withheld)."""
    kinds = {c.name: answer_kind(c.kind, c.scale) for c in sheet.columns if c.kind in ANSWER_KINDS or c.kind == "date"}
    values, unrecognised, not_applicable, implausible = read_answer_columns(raw.rows, kinds)
    issues = []
    for column in sheet.columns:
        for issue, masks in (("unrecognised", unrecognised), ("implausible_date", implausible)):
            if column.name in masks and masks[column.name].any():
                mask = masks[column.name]
                shown = normalised_answer_cells(raw.rows[column.name])[mask]
                issues.append(issue_rows(raw, mask, column.name, shown, issue, column.personal))
    return ReadColumns(values, not_applicable, issues)


def unused_column_issues(raw: RawSheet | None) -> list:
    """A filled column the spec does not read is listed (spec section 8: `unused_column`): `column` and `value`
    hold its header as written (empty for a column with no header) and each filled cell is one row; its
    values are never shown (they may be personal). Two columns may share a header: each is read by position."""
    if raw is None or raw.unused is None or raw.unused.empty:
        return []
    letters = raw.unused_letters or [""] * raw.unused.shape[1]
    issues = []
    for (header, cells), letter in zip(raw.unused.items(), letters):
        cells = cells.astype("string")
        filled = cells.notna() & (plain_spaces(cells.fillna("")).str.strip() != "")
        issues.append(issue_rows(raw, filled.set_axis(raw.rows.index), header, header, "unused_column",
                                 header=header or f"(no header, column {letter})"))
    return issues


# --- the Audit and Recommendations sheets ----------------------------------

WINDOW_FIELDS = ("window_start", "window_end")
DATE_FORMS_HINT = "write it day first, dd/mm/yyyy (30/09/2025), or as yyyy-mm-dd"


def audit_field_rows(raw: RawSheet) -> pd.DataFrame:
    """Every row of the Audit sheet naming a field: canonical field name, the field as written, value, Excel row."""
    table = pd.DataFrame({"field": raw.rows["field"].map(normalise_header).to_numpy(),
                          "written": raw.rows["field"].to_numpy(),
                          "value": raw.rows["value"].to_numpy(),
                          "row": raw.excel_row.set_axis(raw.rows.index).to_numpy()})
    return table[table["field"] != ""]


def audit_value_text(values: pd.Series) -> pd.Series:
    """An Audit value as compared between two rows of one field: section 2's normalised text ("" when empty)."""
    return normalise_answer_text(values.astype("object").where(values.notna(), None))


def audit_fields(raw: RawSheet, file: str | Path | None = None) -> pd.DataFrame:
    """The Audit sheet's known fields: canonical field name -> value and Excel row (spec section 3).

    A field given on two rows with different values is an error naming the field and both rows: the terms of
    reference must be certain. The same value twice is fine, and a row with an empty value gives nothing.
    """
    rows = audit_field_rows(raw)
    rows = rows[rows["field"].isin(AUDIT_FIELDS)]
    given = rows[audit_value_text(rows["value"]) != ""]
    text = audit_value_text(given["value"])
    differing = given.assign(text=text.to_numpy()).drop_duplicates(["field", "text"])
    repeated = differing[differing.duplicated("field", keep=False)]
    if len(repeated):
        field_name = repeated["field"].iloc[0]
        first, second = repeated.loc[repeated["field"] == field_name, "row"].iloc[:2]
        raise AuditInputError(
            f"the field '{field_name}' is given twice with different values, in rows {first} and {second}",
            file=file, sheet=AUDIT.name, column="field",
            hint="keep one row for the field (delete or correct the other) and run again")
    # The first row giving the field counts; a field given only empty reads as absent.
    return pd.concat([given, rows]).drop_duplicates("field", keep="first").set_index("field")


def unknown_field_issues(raw: RawSheet | None) -> list:
    """Rows of the Audit sheet whose field is none of spec section 3's (`unknown_field`: a window written as
    `From:` / `To:` must not vanish silently). `value` is the field as written."""
    if raw is None or "field" not in raw.rows:
        return []
    rows = audit_field_rows(raw)
    unknown = rows[~rows["field"].isin(AUDIT_FIELDS)]
    written = unknown["written"].astype("string").str.strip()
    return [pd.DataFrame({"sheet": AUDIT.name, "row": unknown["row"].astype(int).to_numpy(), "column": "field",
                          "header": raw.headers.get("field", "field"), "value": written.to_numpy(),
                          "issue": "unknown_field"}, columns=DATA_QUALITY_ROW_COLUMNS)]


def read_audit_settings(raw: RawSheet | None, window_start=None, window_end=None,
                        file: str | Path | None = None, default_title: str | None = None) -> tuple[AuditSettings, list]:
    """Fields of the optional Audit sheet, and its unrecognised values; run parameters override the window.

    A window date that is not a date, or a window ending before it starts, stops the run: the terms of
    reference must be certain (spec section 2).
    """
    # Without an audit_title field the audit is called by its definition's title.
    settings, issues = (AuditSettings() if default_title is None else AuditSettings(title=default_title)), []
    fields = audit_fields(raw, file) if raw is not None else pd.DataFrame(columns=["value", "row"])

    def text_of(name):
        value = fields["value"].get(name)
        return None if value is None or pd.isna(value) or not str(value).strip() else str(value).strip()

    if text_of("audit_title"):
        settings.title = text_of("audit_title")
    settings.sampling = text_of("sampling")
    settings.local_authorities_text = text_of("local_authorities")
    settings.local_authorities = split_list(settings.local_authorities_text)
    overrides = {"window_start": window_start, "window_end": window_end}
    written = {}
    for name in WINDOW_FIELDS:
        if overrides[name] not in (None, ""):  # a parameter replaces the sheet's value, which is then not read
            written[name] = (str(overrides[name]), f"the {name} parameter", None, None)
        elif text_of(name) is not None:
            written[name] = (text_of(name), f"the Audit field {name}", AUDIT.name, int(fields.loc[name, "row"]))
    for name, bound in read_window(written, file).items():
        setattr(settings, name, bound)

    population_text = normalise_answer_text(pd.Series([fields["value"].get("population")])).str.replace(",", "")
    population = pd.to_numeric(population_text, errors="coerce").iloc[0]
    if pd.notna(population) and population > 0 and float(population).is_integer():
        settings.population = int(population)
    elif population_text.iloc[0] not in MISSING_VALUES:
        issues.append(pd.DataFrame([[AUDIT.name, int(fields.loc["population", "row"]), "population",
                                     "population", population_text.iloc[0], "unrecognised"]],
                                   columns=DATA_QUALITY_ROW_COLUMNS))
    return settings, issues


def read_window(written: dict, file=None) -> dict:
    """The window's dates from their text (`name -> (text, where, sheet, row)`), or one clear error.

    A date that is not day first but would be month first (`09/30/2025`), or a window in order only
    month first, is called out as US order: the start must not silently become 4 January.
    """
    texts = pd.Series({name: text for name, (text, *_) in written.items()}, dtype="object")
    dates, _, _ = read_dates(texts)
    us_dates = month_first_dates(texts)
    for name, (text, where, sheet, row) in written.items():
        if pd.isna(dates[name]):
            looks_us = pd.notna(us_dates[name])
            problem = (f"{where} '{text}' looks like a US (month-first) date" if looks_us
                       else f"{where} '{text}' is not a recognised date")
            raise AuditInputError(problem, file=file, sheet=sheet, row=row,
                                  hint=DATE_FORMS_HINT + ("; dates are read day first (UK order)" if looks_us else ""))
    if len(written) == 2 and dates["window_end"] < dates["window_start"]:
        start, end = written["window_start"][0], written["window_end"][0]
        in_us_order = us_dates.notna().all() and us_dates["window_end"] >= us_dates["window_start"]
        sheet = written["window_end"][2]
        raise AuditInputError(
            f"the window ends ({end}) before it starts ({start})"
            + (": the dates look like US (month-first) order" if in_us_order else ""),
            file=file, sheet=sheet, row=written["window_end"][3],
            hint=DATE_FORMS_HINT + " and check that window_end is not before window_start")
    return {name: dates[name] for name in written}


def read_recommendations(raw: RawSheet | None,
                         definition: AuditDefinition | None = None) -> tuple[pd.DataFrame, list]:
    """Recommendations with their measure ids, owner, due date, target, status and, for one carried forward
    from an earlier audit, the audit that raised it (spec section 3b).

    Unknown ids, unrecognised dates, targets and statuses are listed, never dropped silently.
    """
    if raw is None:
        return pd.DataFrame(columns=RECOMMENDATION_COLUMNS), []
    measure_ids = MEASURE_IDS if definition is None else [m.id for m in definition.measures]
    aliases = MEASURE_ID_ALIASES if definition is None or definition is cp_conferences() else {}
    rows = raw.rows
    text = plain_spaces(rows["recommendation"].astype("string").fillna("")).str.strip()
    ids = rows["measures"].astype("string").fillna("").str.lower().str.split(r"[,;]")
    # Old ids that named a threshold still work (spec section 3b).
    ids = ids.map(lambda parts: [aliases.get(p.strip(), p.strip()) for p in parts if p.strip()])
    kept = (text != "") | (ids.str.len() > 0)
    flat = ids[kept].explode().dropna()
    unknown = flat[~flat.isin(measure_ids)]
    # One data-quality row per unknown id (a row may name several).
    issues = [pd.DataFrame({"sheet": raw.name, "row": raw.excel_row.set_axis(rows.index)[unknown.index].to_numpy(),
                            "column": "measures", "header": raw.headers.get("measures", "measures"),
                            "value": unknown.to_numpy(), "issue": "unknown_measure"},
                           columns=DATA_QUALITY_ROW_COLUMNS)]
    known = ids[kept].map(lambda parts: "; ".join(p for p in parts if p in measure_ids))

    owner = plain_spaces(rows["owner"].astype("string").fillna("")).str.strip()
    raised = plain_spaces(rows["raised"].astype("string").fillna("")).str.strip()
    due, _, due_unrecognised = read_dates(rows["due_date"])
    target, target_unrecognised = read_percentages(rows["target"])
    status, status_unrecognised = read_statuses(rows["status"])
    for column, unrecognised in (("due_date", due_unrecognised), ("target", target_unrecognised),
                                 ("status", status_unrecognised)):
        unrecognised = unrecognised & kept
        if unrecognised.any():
            shown = normalise_answer_text(rows.loc[unrecognised, column])
            issues.append(issue_rows(raw, unrecognised, column, shown, "unrecognised"))
    table = pd.DataFrame({"recommendation": text, "measures": known.reindex(rows.index), "owner": owner,
                          "due_date": due.dt.strftime("%Y-%m-%d").astype("string").fillna(""),
                          "target": target, "status": status, "raised": raised}, index=rows.index)
    return table[kept].reset_index(drop=True)[RECOMMENDATION_COLUMNS], issues


# --- outcomes ---------------------------------------------------------------

def case_outcomes(case_ref: pd.Series, blank: pd.Series, audit_date: pd.Series,
                  icpc_date: pd.Series | None, settings: AuditSettings) -> pd.Series:
    """One outcome per Cases row, the first of spec section 6's list that applies (`icpc_date`: the date the
    window is about, the definition's window_date; None when it declares none, and then no row is outside)."""
    missing_ref = ~blank & (case_ref == "")
    candidates = ~blank & ~missing_ref
    order = pd.DataFrame({"case_ref": case_ref, "audit_date": audit_date,
                          "position": np.arange(len(case_ref))})[candidates]
    # Latest audit date wins; a missing date is older than any; ties go to the later row.
    kept = order.sort_values(["audit_date", "position"], na_position="first").groupby("case_ref").tail(1).index
    superseded = candidates & ~case_ref.index.isin(kept)
    outside = candidates & ~superseded & (outside_window(icpc_date, settings) if icpc_date is not None else False)
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
                    all_case_refs: pd.Series, outside_case_refs: pd.Series,
                    missing_agency: pd.Series | None = None) -> pd.Series:
    """One outcome per Agency returns row; duplicates are found among rows still in play.

    A return with no agency (empty, or a missing value such as `n/k`) is `missing_agency`: two such
    returns are never duplicates of each other, and neither counts toward quoracy.
    """
    if missing_agency is None:
        missing_agency = agency.fillna("") == ""
    missing_ref = ~blank & (case_ref == "")
    no_agency = ~blank & ~missing_ref & missing_agency.astype(bool)
    orphan = ~blank & ~missing_ref & ~no_agency & ~case_ref.isin(all_case_refs)
    candidates = ~blank & ~missing_ref & ~no_agency & ~orphan
    keys = pd.DataFrame({"case_ref": case_ref, "agency": agency})[candidates]
    superseded = candidates & keys.duplicated(keep="last").reindex(case_ref.index, fill_value=False)
    outside = candidates & ~superseded & case_ref.isin(outside_case_refs)
    return _label([blank, missing_ref, no_agency, orphan, superseded, outside],
                  ["blank", "missing_case_ref", "missing_agency", "orphan_return", "superseded_duplicate",
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


def superseding_rows(keys: pd.DataFrame, outcomes: pd.Series, excel_row: pd.Series) -> pd.Series:
    """For each superseded duplicate, the Excel row of the row kept for its key ("" for other rows)."""
    superseded = outcomes == "superseded_duplicate"
    detail = pd.Series("", index=outcomes.index, dtype="string")
    if not superseded.any():  # most workbooks: no key to build for half a million rows
        return detail
    in_play = ~outcomes.isin(["blank", "missing_case_ref", "missing_agency", "orphan_return"])
    kept = in_play & ~superseded
    key = keys.iloc[:, 0].astype("string").fillna("")
    for name in keys.columns[1:]:
        key = key + "\x1f" + keys[name].astype("string").fillna("")
    row_of_key = pd.Series(excel_row[kept].to_numpy(), index=key[kept].to_numpy())
    detail[superseded] = "superseded by row " + key[superseded].map(row_of_key).astype("Int64").astype("string")
    return detail


def row_outcomes_table(sheet: str, outcomes: pd.Series, excel_row: pd.Series, detail: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"sheet": sheet, "row": excel_row.to_numpy(dtype=int), "outcome": outcomes.to_numpy(),
                         "detail": detail.to_numpy()}, columns=ROW_OUTCOME_COLUMNS)


def require_cases(case_outcome: pd.Series, settings: AuditSettings, file, window_date: str = "icpc_date") -> None:
    """There is no report of zero cases (spec section 1): say what became of every row instead."""
    if (case_outcome == "included").any():
        return
    counts = case_outcome.value_counts().reindex(SHEET_OUTCOMES[CASES.name], fill_value=0)
    listed = ", ".join(f"{outcome} {rows}" for outcome, rows in counts.items() if rows)
    if not len(case_outcome) or counts["blank"] == len(case_outcome):
        problem, hint = "no case rows below the header", "add one row per audited case below the header row"
    else:
        problem = f"no case can be analysed (rows: {listed})"
        hint = "check the case references"
        if counts["outside_terms_of_reference"]:
            iso = settings.as_dict()
            date = "ICPC date" if window_date == "icpc_date" else window_date
            hint = (f"every case with a reference has its {date} outside the window {iso['window_start'] or '...'}"
                    f" to {iso['window_end'] or '...'}: check window_start and window_end, and the {date}s")
    raise AuditInputError(problem, file=file, sheet=CASES.name, hint=hint)


def implausible_date_issues(raw: RawSheet, values: pd.DataFrame, window_date: str | None = "icpc_date") -> list:
    """Dates that cannot both be right (listed, never fatal): a date of birth after the ICPC or more than
    18 years before it (a year typed as a number reads as 1905), an ICPC date after the audit date. (The ICPC
    date is the definition's window_date; a definition without one of these dates has none of these checks.)"""
    if window_date is None or not {"date_of_birth", "audit_date"} <= set(values.columns):
        return []
    dob, icpc, audit = values["date_of_birth"], values[window_date], values["audit_date"]
    too_old = dob < icpc - pd.DateOffset(years=MAX_AGE_AT_ICPC_YEARS)
    born_after = dob > icpc
    after_audit = icpc > audit
    read = ~raw.blank.set_axis(raw.rows.index)
    return [issue_rows(raw, (born_after | too_old) & read, "date_of_birth", "", "implausible_date", personal=True),
            issue_rows(raw, after_audit & read, window_date, "", "implausible_date")]


# The dates that tell two children apart: a superseded row differing from the kept row in one of them may be
# another child under the same reference (two teams numbering from CP-0001 pasted into one sheet).
IDENTIFYING_DATES = ("icpc_date", "date_of_birth")


def conflicting_duplicate_issues(raw: RawSheet, case_ref: pd.Series, outcomes: pd.Series,
                                 values: pd.DataFrame, dates: tuple[str, ...] = IDENTIFYING_DATES) -> list:
    """Superseded Cases rows whose ICPC date or date of birth differs from the kept row's (spec section 8:
    `conflicting_duplicate`, under `case_ref`, value empty). Dates are compared as read; a missing date differs
    from a known one, and two missing dates are alike. The row stays superseded: the rule of section 6 holds."""
    superseded = outcomes == "superseded_duplicate"
    if not superseded.any() or not dates:
        return []
    kept = outcomes.isin(["included", "outside_terms_of_reference"])
    kept_dates = values.loc[kept, list(dates)].set_axis(case_ref[kept].to_numpy())
    theirs = kept_dates.reindex(case_ref[superseded].to_numpy())
    mine = values.loc[superseded, list(dates)]
    differs = np.zeros(int(superseded.sum()), dtype=bool)
    for name in dates:
        a, b = mine[name].to_numpy(), theirs[name].to_numpy()
        same = (a == b) | (pd.isna(a) & pd.isna(b))
        differs |= ~same
    mask = pd.Series(False, index=outcomes.index)
    mask[superseded[superseded].index[differs]] = True
    return [issue_rows(raw, mask, "case_ref", "", "conflicting_duplicate")]


# --- the whole stage --------------------------------------------------------

def clean_workbook(path: str | Path, key: bytes, window_start=None, window_end=None,
                   earlier: bool = False, definition: AuditDefinition | None = None) -> CleanedAudit:
    """Clean one workbook. An `earlier` audit's workbook may lack answer columns (spec section 9): they read
    as not recorded and are listed in `missing_columns`, so the measures reading them are not comparable."""
    definition = definition or cp_conferences()
    raw = read_workbook(path, may_lack=earlier_audit_may_lack(definition) if earlier else frozenset(),
                        definition=definition)
    return clean_raw_workbook(raw, key, window_start, window_end, definition)


def clean_raw_workbook(raw: RawWorkbook, key: bytes, window_start=None, window_end=None,
                       definition: AuditDefinition | None = None) -> CleanedAudit:
    """Clean a workbook read with the sheets of `definition` (the child protection conference audit's by default)."""
    definition = definition or cp_conferences()
    window_date = definition.window_date
    settings, audit_issues = read_audit_settings(raw.audit, window_start, window_end, file=raw.path,
                                                 default_title=definition.title)
    recommendations, recommendation_issues = read_recommendations(raw.recommendations, definition)

    cases_read = read_columns(raw.cases, definition.cases)
    case_ref = normalise_case_ref(raw.cases.rows["case_ref"])
    case_blank = raw.cases.blank.set_axis(case_ref.index)
    no_date = pd.Series(pd.NaT, index=case_ref.index, dtype="datetime64[ns]")
    case_outcome = case_outcomes(case_ref, case_blank, cases_read.values.get("audit_date", no_date),
                                 cases_read.values[window_date] if window_date else None, settings)
    require_cases(case_outcome, settings, raw.path, window_date)

    returns_read = read_columns(raw.agency_returns, definition.agency_returns)
    return_ref = normalise_case_ref(raw.agency_returns.rows["case_ref"])
    return_blank = raw.agency_returns.blank.set_axis(return_ref.index)
    agencies = map_agencies(raw.agency_returns.rows["agency"])
    known_refs = case_ref[~case_blank & (case_ref != "")]
    outside_refs = case_ref[case_outcome == "outside_terms_of_reference"]
    return_outcome = return_outcomes(return_ref, return_blank, agencies["agency"], known_refs, outside_refs,
                                     agencies["missing"])

    included_cases = case_outcome == "included"
    ids = case_ids(case_ref[included_cases], key)
    cases = build_cases(cases_read, included_cases, ids, definition)
    id_of_ref = pd.Series(ids.to_numpy(), index=case_ref[included_cases].to_numpy())
    included_returns = return_outcome == "included"
    agency_returns = build_agency_returns(returns_read, agencies, included_returns,
                                          return_ref[included_returns].map(id_of_ref), definition.agency_returns)

    returns_raw = raw.agency_returns
    issues = cases_read.issues + returns_read.issues + recommendation_issues + audit_issues
    unmapped = agencies["unmapped"] & ~return_blank & ~agencies["missing"]
    issues.append(issue_rows(returns_raw, unmapped, "agency", agencies["agency"], "unmapped_agency"))
    no_agency = return_outcome == "missing_agency"
    issues.append(issue_rows(returns_raw, no_agency, "agency",
                             normalised_answer_cells(returns_raw.rows["agency"])[no_agency], "missing_agency"))
    issues += flagged_case_issues(cases, settings, raw.cases, included_cases, window_date)
    issues += negative_interval_issues(cases, definition, raw.cases, included_cases)
    issues += implausible_date_issues(raw.cases, cases_read.values, window_date)
    issues += conflicting_duplicate_issues(raw.cases, case_ref, case_outcome, cases_read.values,
                                           tuple(d for d in (window_date, "date_of_birth") if d in cases_read.values))
    issues += unknown_field_issues(raw.audit)
    for sheet in (raw.cases, raw.agency_returns, raw.audit, raw.recommendations):
        issues += unused_column_issues(sheet)
    quality_rows = data_quality_rows_table(issues)

    case_detail = superseding_rows(case_ref.to_frame(), case_outcome, raw.cases.excel_row.set_axis(case_ref.index))
    return_detail = superseding_rows(pd.DataFrame({"case_ref": return_ref, "agency": agencies["agency"]}),
                                     return_outcome, returns_raw.excel_row.set_axis(return_ref.index))
    row_outcomes = pd.concat([
        row_outcomes_table(CASES.name, case_outcome, raw.cases.excel_row, case_detail),
        row_outcomes_table(AGENCY_RETURNS.name, return_outcome, returns_raw.excel_row, return_detail)],
        ignore_index=True)

    return CleanedAudit(
        cases=cases, agency_returns=agency_returns,
        case_outcomes=case_outcome, return_outcomes=return_outcome,
        reconciliation=reconciliation_table({CASES.name: case_outcome, AGENCY_RETURNS.name: return_outcome}),
        data_quality=data_quality_table(quality_rows), settings=settings, recommendations=recommendations,
        data_quality_rows=quality_rows, row_outcomes=row_outcomes, missing_columns=raw.missing_columns,
    )


def build_cases(read: ReadColumns, included: pd.Series, ids: pd.Series,
                definition: AuditDefinition | None = None) -> pd.DataFrame:
    """Included cases: pseudonymous id, age band, normalised answers, dates and derived working days.

    The age band is taken at the definition's window date when it declares a date_of_birth column; the child
    protection conference audit's derived intervals when its dates are there.
    """
    definition = definition or cp_conferences()
    answers, dates = leaving_columns(definition.cases)
    window_date = definition.window_date
    values = read.values[included]
    cases = pd.DataFrame({"case_id": ids.to_numpy()}, index=values.index)
    if window_date and "date_of_birth" in values:
        cases["age_band"] = age_band(values["date_of_birth"], values[window_date])
    for name in answers:
        cases[name] = values[name]
    for name in dates:
        cases[name] = values[name]
        cases[f"{name}_not_applicable"] = read.not_applicable.loc[included, name]
    for begin, end, days in CP_INTERVALS:
        if begin in cases and end in cases:
            cases[days] = working_days_between(cases[begin], cases[end])
    # Derived flags: what the data-quality output lists, case by case.
    if window_date:
        cases[f"no_{window_date}"] = cases[window_date].isna()
    for *_, days in CP_INTERVALS:
        if days in cases:
            cases[days.replace("_working_days", "_negative")] = (cases[days] < 0).fillna(False).astype(bool)
    return cases.reset_index(drop=True)


# The child protection conference audit's intervals in cases.csv (spec section 4): from, to, column.
CP_INTERVALS = (("strategy_discussion_date", "icpc_date", "strategy_to_icpc_working_days"),
                ("icpc_date", "first_core_group_date", "icpc_to_core_group_working_days"))


def build_agency_returns(read: ReadColumns, agencies: pd.DataFrame, included: pd.Series,
                         case_id: pd.Series, sheet: Sheet = AGENCY_RETURNS) -> pd.DataFrame:
    values = read.values[included]
    answers, dates = leaving_columns(sheet)
    returns = pd.DataFrame({"case_id": case_id.astype("string").to_numpy()}, index=values.index)
    returns["agency"] = agencies.loc[included, "agency"]
    returns["agency_group"] = agencies.loc[included, "agency_group"]
    for name in answers:
        returns[name] = values[name]
    for name in dates:
        returns[name] = values[name]
        returns[f"{name}_not_applicable"] = read.not_applicable.loc[included, name]
    return returns.reset_index(drop=True)


def flagged_case_issues(cases: pd.DataFrame, settings: AuditSettings, raw: RawSheet | None = None,
                        included: pd.Series | None = None, window_date: str | None = "icpc_date") -> list:
    """The derived flags the data-quality output lists: negative working-day intervals (read as not
    recorded, spec section 7) and, under a window, included cases with no ICPC date (the window date)."""
    # A negative interval is listed under the later date's column: the one the audit team would check.
    flagged = [(end, days.replace("_working_days", "_negative"), "negative_interval")
               for _, end, days in CP_INTERVALS if days in cases]
    if settings.has_window and window_date:
        flagged.append((window_date, f"no_{window_date}", f"no_{window_date}_in_window"))
    excel_rows = (raw.excel_row.set_axis(raw.rows.index)[included].to_numpy() if raw is not None
                  else np.arange(2, 2 + len(cases)))
    headers = raw.headers if raw is not None else {}
    frames = []
    for column, flag, issue in flagged:
        mask = cases[flag].to_numpy(dtype=bool)
        frames.append(pd.DataFrame({"sheet": CASES.name, "row": excel_rows[mask], "column": column,
                                    "header": headers.get(column, column), "value": "", "issue": issue},
                                   columns=DATA_QUALITY_ROW_COLUMNS))
    return frames


def negative_interval_issues(cases: pd.DataFrame, definition: AuditDefinition, raw: RawSheet,
                             included: pd.Series) -> list:
    """A negative interval between two Cases dates a measure of the definition counts working days between (read as
    not recorded, spec section 7), listed under the later date's column; those the child protection conference
    audit's derived columns flag already (`flagged_case_issues`) are not listed twice."""
    flagged = {(begin, end) for begin, end, days in CP_INTERVALS if days in cases}
    excel_rows = raw.excel_row.set_axis(raw.rows.index)[included].to_numpy()
    frames = []
    for begin, end in case_intervals(definition):
        if (begin, end) in flagged:
            continue
        negative = (working_days_between(cases[begin], cases[end]) < 0).fillna(False).to_numpy(dtype=bool)
        frames.append(pd.DataFrame({"sheet": CASES.name, "row": excel_rows[negative], "column": end,
                                    "header": raw.headers.get(end, end), "value": "", "issue": "negative_interval"},
                                   columns=DATA_QUALITY_ROW_COLUMNS))
    return frames


def data_quality_rows_table(issues: list) -> pd.DataFrame:
    """Every problem cell, in sheet and row order."""
    frames = [frame for frame in issues if len(frame)]
    if not frames:
        return pd.DataFrame(columns=DATA_QUALITY_ROW_COLUMNS).astype({"row": int})
    table = pd.concat(frames, ignore_index=True)
    table["row"] = table["row"].astype(int)
    table["value"] = table["value"].astype("string").fillna("")
    return table.sort_values(["sheet", "row", "column", "issue"], kind="stable").reset_index(drop=True)


def data_quality_table(rows: pd.DataFrame) -> pd.DataFrame:
    """data_quality.csv: one row per distinct (sheet, column, value, issue) with the number of cells."""
    if isinstance(rows, list):  # the old form: (sheet, column, value, issue, rows) tuples
        table = pd.DataFrame(rows, columns=DATA_QUALITY_COLUMNS)
    else:
        table = (rows.groupby(["sheet", "column", "value", "issue"], sort=False, dropna=False).size()
                 .rename("rows").reset_index()[DATA_QUALITY_COLUMNS])
    table["rows"] = table["rows"].astype(int)
    table["value"] = table["value"].astype(object)
    return table.sort_values(["sheet", "column", "issue", "value"], kind="stable").reset_index(drop=True)
