"""Re-audit: each measure now against an earlier audit, with a Newcombe interval on the change (spec section 9).

Everything here is computed from unrounded values; only the tables a user reads are rounded (to 1 decimal),
and the verdict always reads the unrounded bounds. Percentages are in percent and differences in percentage
points, as in findings.csv.
"""
from __future__ import annotations

import hashlib
import operator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence, TypeVar

import numpy as np
import pandas as pd

from ..domain.measures import MEASURE_ID_ALIASES, MEASURE_IDS
from ..errors import AuditInputError
from .findings import wilson_interval

HIGHER, LOWER, NO_CLEAR_CHANGE, NOT_COMPARABLE = "higher", "lower", "no clear change", "not comparable"
VERDICTS = (HIGHER, LOWER, NO_CLEAR_CHANGE, NOT_COMPARABLE)

COMPARISON_COLUMNS = ["measure_id", "label", "earlier_audit", "earlier_numerator", "earlier_denominator",
                      "earlier_percent", "numerator", "denominator", "percent", "difference",
                      "difference_ci_lower", "difference_ci_upper", "verdict"]

PROGRESS_COLUMNS = ["recommendation_number", "recommendation", "owner", "due_date", "status", "overdue",
                    "target", "measure_id", "label", "earlier_percent", "percent", "verdict", "target_met",
                    "status_from"]

# Columns of recommendations.csv that outputs written before spec section 3b's optional columns lack.
RECOMMENDATION_OPTIONAL_COLUMNS = ("owner", "due_date", "target", "status")
# What the latest workbook that lists a recommendation gives it (spec section 3b, carried forward).
LATEST_LISTING_COLUMNS = ("owner", "due_date", "target", "status")
THIS_AUDIT = "this audit"  # status_from: the current workbook
COMPLETE = "complete"

# The title AuditSettings gives an audit whose Audit sheet names none (helpers.clean.cleaning.AuditSettings).
UNTITLED = "Multi-agency audit of child protection conferences"

T = TypeVar("T")


# --- the interval on the difference -----------------------------------------

def newcombe_difference(numerator: pd.Series, denominator: pd.Series,
                        earlier_numerator: pd.Series, earlier_denominator: pd.Series,
                        population: int | None = None, earlier_population: int | None = None) -> pd.DataFrame:
    """Both audits' percent and Wilson limits, and d = p_C - p_E with its hybrid score interval (Newcombe 1998,
    method 10), unrounded. Each audit's Wilson limits use its own population (finite population correction
    of spec section 7). A denominator of 0 on either side leaves the difference and its bounds empty.
    The four Series are aligned by index (one row per measure).

    Columns: percent, ci_lower, ci_upper, earlier_percent, earlier_ci_lower, earlier_ci_upper, difference,
    difference_ci_lower, difference_ci_upper (all percent or percentage points).
    """
    current = _proportion_and_limits(numerator, denominator, _population(population))
    earlier = _proportion_and_limits(earlier_numerator, earlier_denominator, _population(earlier_population))
    p_c, l_c, u_c = current
    p_e, l_e, u_e = earlier
    # NaN on either side (denominator 0) propagates to d and both bounds: no comparison.
    difference = p_c - p_e
    lower = difference - np.sqrt((p_c - l_c) ** 2 + (u_e - p_e) ** 2)
    upper = difference + np.sqrt((u_c - p_c) ** 2 + (p_e - l_e) ** 2)
    return pd.DataFrame({
        "percent": p_c, "ci_lower": l_c, "ci_upper": u_c,
        "earlier_percent": p_e, "earlier_ci_lower": l_e, "earlier_ci_upper": u_e,
        "difference": difference, "difference_ci_lower": lower, "difference_ci_upper": upper,
    })


def _proportion_and_limits(numerator: pd.Series, denominator: pd.Series, population: int | None):
    numerator, denominator = pd.Series(numerator, dtype=float), pd.Series(denominator, dtype=float)
    percent = 100 * numerator / denominator.where(denominator > 0)
    lower, upper = wilson_interval(numerator, denominator, population)
    return percent, lower, upper


def _population(population) -> int | None:
    """audit.json gives null, a frame gives NaN: both mean the population is not known."""
    return None if population is None or pd.isna(population) else int(population)


def verdict(lower: pd.Series, upper: pd.Series) -> pd.Series:
    """`higher` when the whole interval is above 0, `lower` when below; touching or spanning 0 is
    `no clear change`; no interval (a denominator of 0) is `not comparable`."""
    lower, upper = pd.Series(lower, dtype=float), pd.Series(upper, dtype=float)
    choices = np.select([lower.isna() | upper.isna(), lower > 0, upper < 0],
                        [NOT_COMPARABLE, HIGHER, LOWER], default=NO_CLEAR_CHANGE)
    return pd.Series(choices, index=lower.index, dtype="string")


# --- how large a change two samples can show -----------------------------------

# A measure enters the summary of what the audits could show only with this many cases assessed in both audits
# and no count of met or not met below SMALLEST_SHOWN: a margin worked out from a handful of cases would be
# both meaningless and, published, a clue to a withheld count.
SMALLEST_BASE_FOR_MARGIN = 10
SMALLEST_COUNT_FOR_MARGIN = 6


def clear_change_margins(lower: pd.Series, upper: pd.Series, earlier_lower: pd.Series, earlier_upper: pd.Series,
                         percent: pd.Series, earlier_percent: pd.Series) -> pd.DataFrame:
    """The smallest rise and the smallest fall (percentage points) that spec section 9's interval calls a clear
    change, at the observed rates: the Newcombe interval's lower bound is above 0 exactly when
    d > sqrt((p_C - l_C)^2 + (u_E - p_E)^2), and its upper bound below 0 when
    -d > sqrt((u_C - p_C)^2 + (p_E - l_E)^2). `smallest` is the smaller of the two.

    All in percent and unrounded, aligned by index (`newcombe_difference`'s columns); NaN where either audit
    has no denominator.
    """
    rise = np.sqrt((percent - lower) ** 2 + (earlier_upper - earlier_percent) ** 2)
    fall = np.sqrt((upper - percent) ** 2 + (earlier_percent - earlier_lower) ** 2)
    return pd.DataFrame({"rise": rise, "fall": fall, "smallest": np.fmin(rise, fall)})


def margin_counts_suffice(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """Whether one audit's counts of a measure are large enough to enter the summary of clear-change margins:
    SMALLEST_BASE_FOR_MARGIN assessed, and SMALLEST_COUNT_FOR_MARGIN or more both met and not met."""
    numerator, denominator = pd.Series(numerator, dtype=float), pd.Series(denominator, dtype=float)
    return ((denominator >= SMALLEST_BASE_FOR_MARGIN) & (numerator >= SMALLEST_COUNT_FOR_MARGIN)
            & (denominator - numerator >= SMALLEST_COUNT_FOR_MARGIN)).fillna(False).astype(bool)


@dataclass(frozen=True)
class DetectableChange:
    """For a pair of audits: the typical (median), lowest and highest smallest clear change over the measures
    that entered (points, unrounded), and how many entered."""
    typical: float
    lowest: float
    highest: float
    measures: int


def detectable_change(margins: pd.DataFrame, entered: pd.Series) -> DetectableChange | None:
    """The summary of `clear_change_margins` over the measures `entered` marks; None when none entered."""
    smallest = margins["smallest"][pd.Series(entered, index=margins.index).astype(bool)].dropna()
    if smallest.empty:
        return None
    return DetectableChange(float(smallest.median()), float(smallest.min()), float(smallest.max()), len(smallest))


RISING, FALLING = "rising", "falling"
SHORTEST_RUN = 3


def direction_runs(values: Sequence, shortest: int = SHORTEST_RUN) -> list[tuple[int, int, str]]:
    """Runs of `shortest` or more consecutive values each strictly above (rising) or below (falling) the one
    before, as (first position, last position, direction), oldest first. A missing value or a tie ends a run.
    No claim of significance: it is a pattern to look at, not a test."""
    runs, start, direction = [], 0, None
    values = list(values)

    def close(end):
        if direction is not None and end - start + 1 >= shortest:
            runs.append((start, end, direction))

    for i in range(1, len(values)):
        before, now = values[i - 1], values[i]
        step = None if _unknown(before) or _unknown(now) or now == before else (RISING if now > before else FALLING)
        if step is not None and step == direction:
            continue
        close(i - 1)
        start, direction = (i - 1, step) if step is not None else (i, None)
    close(len(values) - 1)
    return runs


# --- comparison.csv -----------------------------------------------------------

def comparison_table(current_findings: pd.DataFrame, earlier_findings: pd.DataFrame, earlier_audit_name: str,
                     current_population: int | None, earlier_population: int | None,
                     not_comparable_ids: Iterable[str] = ()) -> pd.DataFrame:
    """The comparison.csv rows for one earlier audit: every measure, in declaration order.

    Labels are the current run's (its thresholds; the earlier audit was re-measured with them).
    A measure in `not_comparable_ids` (its column is missing from the earlier workbook), or absent
    from `earlier_findings`, is `not comparable` with its earlier counts left empty: the earlier
    audit did not ask the question, so a count of 0 would be false.
    """
    # In declaration order: the current findings' (the child protection audit's MEASURE_IDS by default).
    ids = list(current_findings["measure_id"]) if "measure_id" in current_findings else list(MEASURE_IDS)
    current = current_findings.set_index("measure_id").reindex(ids)
    earlier = earlier_findings.set_index("measure_id").reindex(ids)
    lacking = earlier["denominator"].isna() | earlier.index.isin(list(not_comparable_ids))
    earlier_numerator = earlier["numerator"].where(~lacking)
    earlier_denominator = earlier["denominator"].where(~lacking)
    result = newcombe_difference(current["numerator"], current["denominator"],
                                 earlier_numerator.fillna(0), earlier_denominator.fillna(0),
                                 current_population, earlier_population)
    rounded = result.round(1) + 0.0  # adding 0.0 turns -0.0 (e.g. -0.04 rounded) into 0.0: no "-0.0" in the CSV
    table = pd.DataFrame({
        "measure_id": current.index,
        "label": current["label"],
        "earlier_audit": earlier_audit_name,
        "earlier_numerator": earlier_numerator.astype("Int64"),
        "earlier_denominator": earlier_denominator.astype("Int64"),
        "earlier_percent": rounded["earlier_percent"],
        "numerator": current["numerator"].astype("Int64"),
        "denominator": current["denominator"].astype("Int64"),
        "percent": rounded["percent"],
        "difference": rounded["difference"],
        "difference_ci_lower": rounded["difference_ci_lower"],
        "difference_ci_upper": rounded["difference_ci_upper"],
        # From the unrounded bounds: a lower bound of 0.04 rounds to 0.0 and is still `higher`.
        "verdict": verdict(result["difference_ci_lower"], result["difference_ci_upper"]),
    }).reset_index(drop=True)
    return table[COMPARISON_COLUMNS]


def audit_name(title: str | None, workbook: str | Path) -> str:
    """The earlier_audit column: the audit's title, or its file name (extension included) when it has none.

    Cleaning gives an untitled audit a generic title; that generic title is not a name either.
    """
    title = "" if title is None or pd.isna(title) else str(title).strip()
    return title if title and title != UNTITLED else Path(workbook).name


def comparison_summary(comparison: pd.DataFrame, earlier_audit: str | None = None) -> dict[str, list[str]]:
    """Measure ids per verdict (higher, lower, no clear change, not comparable), in declaration order,
    for the executive summary. With several earlier audits in `comparison`, name the one to summarise."""
    rows = _rows_for(comparison, earlier_audit)
    return {v: rows.loc[rows["verdict"] == v, "measure_id"].tolist() for v in VERDICTS}


def _rows_for(comparison: pd.DataFrame, earlier_audit: str | None) -> pd.DataFrame:
    audits = comparison["earlier_audit"].unique()
    if earlier_audit is None:
        if len(audits) > 1:
            raise ValueError(f"comparison holds {len(audits)} earlier audits; name the one to use")
        return comparison
    return comparison[comparison["earlier_audit"] == earlier_audit]


# --- which earlier audit, and may it be compared ------------------------------

def order_earlier_audits(audits: Sequence[T], window_end: Callable[[T], object] = operator.attrgetter("window_end"),
                         ) -> list[T]:
    """Earlier audits oldest first, so the last is the most recent (the one the verdicts compare with).

    By window end when every audit has one (ties keep the order given). Otherwise their order in time
    cannot be known from the workbooks, so the order given is used, most recent first, as in
    `EARLIER="last.xlsx before.xlsx"`.
    """
    audits = list(audits)
    ends = [window_end(a) for a in audits]
    if all(end is not None and not pd.isna(end) for end in ends):
        order = sorted(range(len(audits)), key=lambda i: pd.Timestamp(ends[i]))
        return [audits[i] for i in order]
    return audits[::-1]


def check_earlier_before_current(earlier: str, earlier_window_end, current: str, current_window_end,
                                 allow_later: bool = False) -> None:
    """Stop when the audit named as earlier ends after the current one: the two were probably swapped.

    `earlier` and `current` are what the user named (file names). A window end that is not known cannot
    be checked, so it passes.
    """
    if allow_later or _unknown(earlier_window_end) or _unknown(current_window_end):
        return
    earlier_end, current_end = pd.Timestamp(earlier_window_end), pd.Timestamp(current_window_end)
    if earlier_end > current_end:
        raise AuditInputError(
            f"the earlier audit {earlier} has a window ending {earlier_end:%d/%m/%Y}, after the window of the "
            f"current audit {current} (ending {current_end:%d/%m/%Y})",
            hint="check that RAW names the current audit and EARLIER the earlier ones; to compare with a later "
                 "audit on purpose, run again with ALLOW_LATER=1")


def _unknown(value) -> bool:
    return value is None or pd.isna(value)


def windows_overlap(a_start, a_end, b_start, b_end) -> bool:
    """Whether two audit windows (both ends included) share a day. Only a certain overlap is True: with a
    bound not known the report cannot state that the windows overlap."""
    if any(_unknown(v) for v in (a_start, a_end, b_start, b_end)):
        return False
    return pd.Timestamp(a_start) <= pd.Timestamp(b_end) and pd.Timestamp(b_start) <= pd.Timestamp(a_end)


# --- independence: the same child in both audits ------------------------------

def key_fingerprint(key: bytes) -> str:
    """8 hex characters of SHA-256 of the pseudonymisation key: two runs with the same fingerprint used the
    same key, so the same case_ref gave the same case_id. It cannot recover the key."""
    return hashlib.sha256(key).hexdigest()[:8]


def overlapping_cases(current_case_ids: Iterable[str], earlier_case_ids: Iterable[str]) -> int:
    """How many children (distinct pseudonymous case_ids) are in both audits."""
    current = pd.Series(list(current_case_ids), dtype="string").dropna()
    earlier = pd.Series(list(earlier_case_ids), dtype="string").dropna()
    return int(current[current.isin(earlier)].nunique())


def overlap_checked(overlap: int, same_key: bool | None) -> bool:
    """Whether `overlap` really counts the children in both audits.

    Under different keys no id can match, so a count of 0 says nothing. The caller compares the runs'
    key fingerprints: `same_key` None (a fingerprint not recorded) is settled only by a match, which
    can happen only under the same key.
    """
    if same_key is None:
        return overlap > 0
    return bool(same_key)


# --- recommendations carried forward (spec section 3b) ---------------------------

def recommendation_key(text: pd.Series) -> pd.Series:
    """A recommendation's text as two workbooks are compared on it: section 2's normalisation (marks and
    Unicode spaces, trimmed, lower case, spaces collapsed, one trailing full stop dropped)."""
    from ..read.cells import normalise_answer_text

    return normalise_answer_text(pd.Series(text, dtype="string"))


def latest_listing(recommendations: pd.DataFrame, raised_in: str,
                   later: Sequence[tuple[str, pd.DataFrame | None]]) -> pd.DataFrame:
    """An audit's recommendations with the owner, due date, target and status of the latest workbook that lists
    each one again (spec section 3b), and `status_from`: the name of that workbook's audit (`raised_in` when no
    later workbook lists it). `later` holds the later audits' (name, recommendations), oldest first; the
    current audit's name is THIS_AUDIT. A recommendation is the same one when its `recommendation_key` is."""
    result = recommendations.reset_index(drop=True).copy()
    for name in LATEST_LISTING_COLUMNS:
        if name not in result:
            result[name] = pd.NA
    result["status_from"] = raised_in
    keys = recommendation_key(result["recommendation"])
    for name, listed in later:
        if listed is None or listed.empty:
            continue
        listed = listed.assign(_key=recommendation_key(listed["recommendation"]).to_numpy()).drop_duplicates(
            "_key", keep="last").set_index("_key")
        found = keys.isin(listed.index).to_numpy()
        for column in LATEST_LISTING_COLUMNS:
            values = listed[column] if column in listed else pd.Series(pd.NA, index=listed.index)
            result[column] = result[column].astype(object)
            result.loc[found, column] = values.reindex(keys[found]).astype(object).to_numpy()
        result.loc[found, "status_from"] = name
    return result


def carried_forward(current: pd.DataFrame, earlier: Sequence[pd.DataFrame | None]) -> pd.Series:
    """Which of the current workbook's recommendations are carried forward (not new, spec section 3b): those
    an earlier workbook lists (same `recommendation_key`), or whose `raised` column names an earlier audit."""
    if current.empty:
        return pd.Series(False, index=current.index, dtype=bool)
    earlier_keys = set()
    for frame in earlier:
        if frame is not None and not frame.empty:
            earlier_keys |= set(recommendation_key(frame["recommendation"]).dropna())
    listed_before = recommendation_key(current["recommendation"]).isin(earlier_keys).to_numpy()
    raised = current["raised"] if "raised" in current else pd.Series("", index=current.index)
    said = raised.astype("string").fillna("").str.strip().ne("").to_numpy()
    return pd.Series(listed_before | said, index=current.index, dtype=bool)


# --- progress on the earlier audit's recommendations --------------------------

def recommendation_progress(earlier_recommendations: pd.DataFrame, comparison: pd.DataFrame, today,
                            earlier_audit: str | None = None) -> pd.DataFrame:
    """One row per earlier recommendation and measure it names (one row with no measure when it names
    none), with the measure then and now, the verdict, and whether the target is now met.

    `overdue`: the due date is before `today` and the status is not Complete. `target_met`: the current
    unrounded percent >= target (empty with no target or no current denominator). The optional columns
    owner, due_date, target and status may be absent (recommendations.csv written before they existed).
    """
    recs = earlier_recommendations.reset_index(drop=True).copy()
    for name in RECOMMENDATION_OPTIONAL_COLUMNS:
        if name not in recs:
            recs[name] = pd.NA
    recs["recommendation_number"] = np.arange(1, len(recs) + 1)
    recs["owner"] = recs["owner"].astype("string")
    recs["status"] = recs["status"].astype("string").str.strip().replace("", pd.NA)
    recs["due_date"] = pd.to_datetime(recs["due_date"].astype("string"), format="%Y-%m-%d", errors="coerce")
    recs["target"] = pd.to_numeric(recs["target"], errors="coerce").astype(float)
    recs["overdue"] = overdue(recs["due_date"], recs["status"], today)
    recs["measure_id"] = _measure_lists(recs["measures"])
    rows = recs.explode("measure_id").reset_index(drop=True)

    measures = _rows_for(comparison, earlier_audit).set_index("measure_id")
    rows["label"] = rows["measure_id"].map(measures["label"]).astype("string")
    rows["earlier_percent"] = rows["measure_id"].map(measures["earlier_percent"]).astype(float)
    rows["percent"] = rows["measure_id"].map(measures["percent"]).astype(float)
    rows["verdict"] = rows["measure_id"].map(measures["verdict"]).astype("string")
    # A named measure this run does not compare (unknown id) is not comparable; no measure named has no verdict.
    rows.loc[rows["measure_id"].notna() & rows["verdict"].isna(), "verdict"] = NOT_COMPARABLE
    numerator = rows["measure_id"].map(measures["numerator"]).astype(float)
    denominator = rows["measure_id"].map(measures["denominator"]).astype(float)
    rows["target_met"] = target_met(numerator, denominator, rows["target"])
    rows["measure_id"] = rows["measure_id"].astype("string")
    if "status_from" not in rows:  # a record written before recommendations were carried forward
        rows["status_from"] = earlier_audit if earlier_audit is not None else pd.NA
    return rows[PROGRESS_COLUMNS]


def _measure_lists(measures: pd.Series) -> pd.Series:
    """'a; b' to [a, b], old ids read as their stable ids (spec section 3b); empty to [NA] so the
    recommendation keeps a row."""
    parts = measures.astype("string").fillna("").str.split(r"[,;]")
    ids = parts.map(lambda items: [MEASURE_ID_ALIASES.get(p.strip(), p.strip()) for p in items if p.strip()])
    return ids.map(lambda items: items or [pd.NA])


def overdue(due_date: pd.Series, status: pd.Series, today) -> pd.Series:
    """Due date passed (before today) and status not Complete; no due date is never overdue."""
    complete = status.astype("string").str.strip().str.casefold().eq(COMPLETE).fillna(False).astype(bool)
    passed = (due_date < pd.Timestamp(today).normalize()).fillna(False).astype(bool)
    return passed & ~complete


def target_met(numerator: pd.Series, denominator: pd.Series, target: pd.Series) -> pd.Series:
    """current percent >= target, from the unrounded percent; empty when either is not known."""
    percent = 100 * numerator / denominator.where(denominator > 0)
    met = pd.Series(percent >= target, dtype="boolean")
    return met.mask(percent.isna() | target.isna())



# --- an earlier workbook that did not ask a question --------------------------

# The workbook columns each measure reads (spec sections 4, 5 and 7). An earlier workbook that lacks one of
# them did not ask the question: the measure is `not comparable` for that audit, whatever cleaning made of
# the empty column (some rules would read it as "not met": a missing attendance counts as not attended).
MEASURE_COLUMNS: dict[str, tuple[str, ...]] = {
    "eha_completed": ("eha_completed",),
    "referral_reason_clear": ("referral_reason_clear",),
    "historical_involvement": ("historical_involvement",),
    "child_views_heard": ("child_participation",),
    "icpc_timely": ("strategy_discussion_date", "icpc_date"),
    "reports_shared_timely": ("icpc_date", "report_submitted", "report_shared_date"),
    "plan_linked_to_needs": ("plan_linked_to_needs",),
    "plan_smart": ("plan_smart",),
    "plan_progress_monitored": ("plan_progress_monitored",),
    "outcomes_improved": ("outcomes_improved",),
    "professional_agreement": ("attended", "agreed_with_decision"),
    "dissent_recorded": ("attended", "agreed_with_decision", "dissent_recorded"),
    "partnership_working_effective": ("partnership_working_effective",),
    "core_group_timely": ("icpc_date", "first_core_group_date"),
    "core_group_effective": ("core_group_effective",),
    "recording_quality_good": ("recording_quality",),
    "father_invited": ("father_invited",),
    "father_attended": ("father_attended",),
    "escalation_when_drift": ("drift_delay_identified", "escalation_raised"),
    "conference_quorate": ("attended",),
    "inquorate_reason_recorded": ("attended", "inquorate_reason_recorded"),
    "sustained_change_before_step_down": ("stepped_down_to_cin", "sustained_change_evidenced"),
}


def measures_lacking(missing_columns: Iterable[str], columns: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """The measures (in declaration order) that read a column the workbook lacks (`columns`: each measure's
    columns, `definition.measure_columns` of another audit; the child protection audit's by default)."""
    missing = set(missing_columns)
    columns = MEASURE_COLUMNS if columns is None else columns
    return [m for m in columns if missing.intersection(columns[m])]


# --- one run's comparison with its earlier audits -----------------------------

@dataclass
class ComparedAudit:
    """What the comparison needs of one audit: its findings measured with this run's parameters, its window
    and population, its pseudonymous case ids and the fingerprint of the key that made them."""
    name: str
    findings: pd.DataFrame
    window_start: str | None = None
    window_end: str | None = None
    population: int | None = None
    case_ids: pd.Series = field(default_factory=lambda: pd.Series(dtype="string"))
    key_fingerprint: str | None = None
    missing_columns: tuple[str, ...] = ()
    recommendations: pd.DataFrame | None = None


def compare_audits(current: ComparedAudit, earlier: Sequence[ComparedAudit],
                   measure_columns: dict[str, tuple[str, ...]] | None = None) -> tuple[pd.DataFrame, dict]:
    """comparison.csv (most recent earlier audit first) and the record the report states beside it.

    The record (reaudit.json) gives, per earlier audit oldest first: its window and population, the
    measures not comparable because the workbook lacks their column, how many children are in both
    audits and whether that count could be checked (same key), whether the windows overlap, and its
    recommendations (for the progress table). With no earlier audit the table is empty and the record
    still holds this audit's key fingerprint, so a later run can check its overlap with this one.
    """
    ordered = order_earlier_audits(earlier)
    tables = [comparison_table(current.findings, e.findings, e.name, current.population, e.population,
                               measures_lacking(e.missing_columns, measure_columns)) for e in reversed(ordered)]
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=COMPARISON_COLUMNS)
    record = {"audit": {**_described(current), "carried_forward": _carried_forward_count(current, ordered)},
              "earlier": [_earlier_record(current, e, [(later.name, later.recommendations)
                                                       for later in ordered[i + 1:]]
                                          + [(THIS_AUDIT, current.recommendations)], measure_columns)
                          for i, e in enumerate(ordered)]}
    return table, record


def _carried_forward_count(current: ComparedAudit, earlier: Sequence[ComparedAudit]) -> int:
    if current.recommendations is None:
        return 0
    return int(carried_forward(current.recommendations, [e.recommendations for e in earlier]).sum())


def _described(audit: ComparedAudit) -> dict:
    return {"name": audit.name, "window_start": _iso(audit.window_start), "window_end": _iso(audit.window_end),
            "population": _population(audit.population), "cases": int(audit.case_ids.notna().sum()),
            "key_fingerprint": audit.key_fingerprint}


def _earlier_record(current: ComparedAudit, earlier: ComparedAudit,
                    later: Sequence[tuple[str, pd.DataFrame | None]] = (),
                    measure_columns: dict[str, tuple[str, ...]] | None = None) -> dict:
    same_key = None if not (current.key_fingerprint and earlier.key_fingerprint) \
        else current.key_fingerprint == earlier.key_fingerprint
    overlap = overlapping_cases(current.case_ids, earlier.case_ids)
    recommendations = earlier.recommendations if earlier.recommendations is not None else pd.DataFrame()
    if not recommendations.empty:  # each with its owner, due date, target and status from the latest listing
        recommendations = latest_listing(recommendations, earlier.name, later)
    return {**_described(earlier),
            "same_key": same_key,
            "overlap_checked": overlap_checked(overlap, same_key),
            "overlapping_cases": overlap,
            "windows_overlap": windows_overlap(current.window_start, current.window_end,
                                               earlier.window_start, earlier.window_end),
            "missing_columns": sorted(earlier.missing_columns),
            "not_comparable_missing_column": measures_lacking(earlier.missing_columns, measure_columns),
            "recommendations": recommendations.astype(object).where(recommendations.notna(), None)
                                              .to_dict("records")}


def _iso(value) -> str | None:
    return None if _unknown(value) or value == "" else pd.Timestamp(value).date().isoformat()


def earlier_audits_frame(record: dict) -> pd.DataFrame:
    """The earlier audits of a reaudit record, most recent first, as an analyst reads them."""
    rows = [{"earlier audit": e["name"], "window": f"{e['window_start'] or '?'} to {e['window_end'] or '?'}",
             "population": e["population"], "cases": e["cases"],
             "children in both audits": e["overlapping_cases"] if e["overlap_checked"] else "could not be checked",
             "windows overlap": e["windows_overlap"],
             "not comparable (column missing)": ", ".join(e["not_comparable_missing_column"]) or "none"}
            for e in reversed(record["earlier"])]
    return pd.DataFrame(rows)
