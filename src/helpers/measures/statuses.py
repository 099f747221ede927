"""Each measure's status for every included case: met, not met, not applicable or not recorded.

Every status comes from the measure's rule in the audit definition (audits/cp-conferences.yaml by default,
read and checked by ``helpers.domain.definition``): one evaluator per rule kind, below. All vectorised on
status codes (0 met, 1 not met, 2 not applicable, 3 not recorded): no Python runs per case or per return.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Callable

import numpy as np
import pandas as pd

from ..domain.answers import NA_ANSWER, NO, PARTLY, YES
from ..domain.definition import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    NOT_RECORDED,
    RETURNS_SHEET,
    STATUSES,
    AllOf,
    Answer,
    AnswerIn,
    AuditDefinition,
    Condition,
    Gated,
    GradeDistribution,
    OverReturns,
    WorkingDays,
    cp_conferences,
)
from ..domain.measures import Parameters
from ..domain.workdays import working_days_between

__all__ = ["MET", "NOT_MET", "NOT_APPLICABLE", "NOT_RECORDED", "STATUSES", "YPN", "YN", "COMPUTE", "answer_status",
           "case_positions", "measure_statuses", "report_shared_in_time", "as_statuses"]

CODE = {status: code for code, status in enumerate(STATUSES)}
YPN = {YES, PARTLY, NO}
YN = {YES, NO}


# --- building blocks ---------------------------------------------------------

def status_codes(met, in_denominator, not_applicable) -> np.ndarray:
    """Met / not met inside the denominator, else not applicable, else not recorded (codes of STATUSES)."""
    return np.select([np.asarray(met & in_denominator, dtype=bool), np.asarray(in_denominator, dtype=bool),
                      np.asarray(not_applicable, dtype=bool)], [0, 1, 2], default=3).astype(np.int8)


def as_series(codes: np.ndarray, index) -> pd.Series:
    return pd.Series(pd.Categorical.from_codes(codes, categories=STATUSES), index=index)


def holds(values: pd.Series, answers) -> np.ndarray:
    """Where an answer column holds one of `answers` (a missing answer holds none)."""
    return np.asarray(values.astype("string").isin(list(answers)).fillna(False), dtype=bool)


def answer_status(values: pd.Series, met: set, denominator: set) -> pd.Series:
    """An answer column: `met` values meet it; `denominator` values count; N/A is not applicable."""
    return as_series(answer_codes(values, met, denominator, {NA_ANSWER}), values.index)


def answer_codes(values: pd.Series, met, of, not_applicable) -> np.ndarray:
    return status_codes(holds(values, met), holds(values, of), holds(values, not_applicable))


def case_positions(cases: pd.DataFrame, returns: pd.DataFrame) -> np.ndarray:
    """Each return's row position in `cases` (-1 for a return of no included case): one hash lookup.

    Counting per case through these integers (`np.bincount`) replaces grouping by the text case_id,
    which sorts 100,000s of strings for every measure. `measure_statuses` looks them up once and keeps
    them in the column `case_position`.
    """
    if "case_position" in returns:
        return returns["case_position"].to_numpy()
    return pd.Index(cases["case_id"]).get_indexer(returns["case_id"])


def dates_not_applicable(table: pd.DataFrame, column: str) -> np.ndarray:
    """Where a date was answered N/A (cleaning keeps it beside the date); a table without that column has none."""
    flags = table.get(f"{column}_not_applicable")
    return np.zeros(len(table), dtype=bool) if flags is None else np.asarray(flags, dtype=bool)


# --- what a rule is evaluated on ---------------------------------------------

@dataclass
class Tables:
    """The included cases and returns, each return's case position, the thresholds, and statuses done so far."""
    cases: pd.DataFrame
    returns: pd.DataFrame
    definition: AuditDefinition
    thresholds: dict
    positions: np.ndarray = field(init=False)
    done: dict = field(default_factory=dict)

    def __post_init__(self):
        self.positions = case_positions(self.cases, self.returns)

    def threshold(self, value) -> int:
        return self.thresholds[value] if isinstance(value, str) else value

    def per_return(self, column: str) -> pd.Series:
        """A column for every return: its own, or its case's (missing for a return of no included case)."""
        if self.definition.columns[column][0] == RETURNS_SHEET:
            return self.returns[column]
        values = self.cases[column].array.take(self.positions, allow_fill=True)
        return pd.Series(values, index=self.returns.index)

    def per_case(self, flags: np.ndarray) -> np.ndarray:
        """How many returns of each case have the flag (0 for a case with none)."""
        known = self.positions >= 0
        return np.bincount(self.positions[known], weights=np.asarray(flags, dtype=bool)[known],
                           minlength=len(self.cases)).astype(np.int64)

    def status_of(self, measure_id: str) -> np.ndarray:
        """A measure's status codes, computed once (a gate may read another measure's statuses)."""
        if measure_id not in self.done:
            self.done[measure_id] = evaluate(self.definition.measure(measure_id).rule, self)
        return self.done[measure_id]


def thresholds_of(definition: AuditDefinition, params: Parameters) -> dict:
    """Each declared parameter's value: the run's where `Parameters` has it, else the definition's default."""
    return {name: getattr(params, name, parameter.default) for name, parameter in definition.parameters.items()}


# --- one evaluator per rule kind ---------------------------------------------

def answer_rule(rule: Answer, tables: Tables) -> np.ndarray:
    return answer_codes(tables.cases[rule.column], rule.met, rule.of, rule.not_applicable)


def within(days: pd.Series, rule: WorkingDays, tables: Tables) -> pd.Series:
    if rule.at_most is not None:
        return days <= tables.threshold(rule.at_most)
    return days >= tables.threshold(rule.at_least)


def working_days_rule(rule: WorkingDays, tables: Tables) -> np.ndarray:
    """Within the threshold; a negative interval is not recorded; a date answered N/A is not applicable."""
    cases = tables.cases
    counts = working_days_between(cases[rule.begin], cases[rule.end])
    known = (counts.notna() & (counts >= 0)).fillna(False).astype(bool)
    met = (known & within(counts, rule, tables)).fillna(False).astype(bool)
    not_applicable = counts.isna().to_numpy() & (dates_not_applicable(cases, rule.begin)
                                                 | dates_not_applicable(cases, rule.end))
    return status_codes(met.to_numpy(), known.to_numpy(), not_applicable)


def gated_rule(rule: Gated, tables: Tables) -> np.ndarray:
    """The inner rule where the gate is open; not applicable where it is shut; not recorded otherwise."""
    gate = rule.when
    if gate.column is not None:
        values = tables.cases[gate.column]
        open_, shut = holds(values, gate.is_), holds(values, gate.not_applicable)
    else:
        statuses = tables.status_of(gate.measure)
        open_ = np.isin(statuses, [CODE[s] for s in gate.is_])
        shut = np.isin(statuses, [CODE[s] for s in gate.not_applicable])
    return np.where(open_, evaluate(rule.rule, tables),
                    np.where(shut, CODE[NOT_APPLICABLE], CODE[NOT_RECORDED])).astype(np.int8)


def condition_holds(condition: Condition, tables: Tables) -> np.ndarray:
    """Per return: every part of the condition holds (an empty condition holds for every return)."""
    flags = np.ones(len(tables.returns), dtype=bool)
    for part in condition:
        if isinstance(part, AnswerIn):
            flags &= holds(tables.per_return(part.column), part.values)
        else:
            days = working_days_between(tables.per_return(part.begin), tables.per_return(part.end))
            flags &= np.asarray(within(days, part, tables).fillna(False), dtype=bool)
    return flags


def considered_and_met(rule: OverReturns, tables: Tables) -> tuple[np.ndarray, np.ndarray]:
    considered = condition_holds(rule.of, tables)
    return considered, considered & condition_holds(rule.met, tables)


def distinct_groups(rule: OverReturns, tables: Tables, met: np.ndarray) -> np.ndarray:
    """Per case: distinct groups among its returns that meet the rule (each case and group counted once)."""
    group = tables.per_return(rule.group)
    if rule.apart is not None and not tables.thresholds[rule.apart.unless]:
        group = group.where(group != rule.apart.group, rule.apart.group + ": " + tables.returns[rule.apart.by])
    counted = met & ~holds(group, rule.not_counting) & (tables.positions >= 0)
    pairs = pd.DataFrame({"case": tables.positions[counted], "group": group.to_numpy()[counted]}).drop_duplicates()
    return np.bincount(pairs["case"].to_numpy(dtype=np.int64), minlength=len(tables.cases))


def over_returns_rule(rule: OverReturns, tables: Tables) -> np.ndarray:
    """Over a case's returns: all, any, or at least k distinct groups of the considered returns meet it."""
    considered, met = considered_and_met(rule, tables)
    n_considered, n_met = tables.per_case(considered), tables.per_case(met)
    if rule.kind == "returns_all":
        is_met = n_met == n_considered
    elif rule.kind == "returns_any":
        is_met = n_met > 0
    else:
        is_met = distinct_groups(rule, tables, met) >= rule.at_least
    codes = np.where(is_met, CODE[MET], CODE[NOT_MET])
    codes = np.where(n_considered == 0, CODE[rule.when_none], codes)
    codes = np.where(tables.per_case(np.ones(len(tables.returns), dtype=bool)) == 0, CODE[rule.when_no_returns], codes)
    for column in rule.needs:
        codes = np.where(tables.cases[column].isna().to_numpy(), CODE[NOT_RECORDED], codes)
    return codes.astype(np.int8)


def all_of_rule(rule: AllOf, tables: Tables) -> np.ndarray:
    parts = np.vstack([evaluate(part, tables) for part in rule.rules])
    return np.select([(parts == CODE[NOT_RECORDED]).any(axis=0), (parts == CODE[NOT_APPLICABLE]).any(axis=0),
                      (parts == CODE[MET]).all(axis=0)],
                     [CODE[NOT_RECORDED], CODE[NOT_APPLICABLE], CODE[MET]], default=CODE[NOT_MET]).astype(np.int8)


def grade_distribution_rule(rule: GradeDistribution, tables: Tables) -> np.ndarray:
    """The measure of a grade distribution: its grade at or above the level (grade_distribution.csv counts)."""
    return evaluate(rule.rule, tables)


EVALUATORS: dict[type, Callable] = {Answer: answer_rule, WorkingDays: working_days_rule, Gated: gated_rule,
                                    OverReturns: over_returns_rule, AllOf: all_of_rule,
                                    GradeDistribution: grade_distribution_rule}


def evaluate(rule, tables: Tables) -> np.ndarray:
    return EVALUATORS[type(rule)](rule, tables)


# --- every measure ------------------------------------------------------------

def measure_statuses(cases: pd.DataFrame, returns: pd.DataFrame, params: Parameters,
                     definition: AuditDefinition | None = None) -> pd.DataFrame:
    """One row per included case, one column per measure (in declaration order), plus `case_id`."""
    definition = definition or cp_conferences()
    tables = Tables(cases, returns, definition, thresholds_of(definition, params))
    # Categoricals: counting and comparing statuses then works on small integer codes, not on text.
    statuses = pd.DataFrame({m.id: as_series(tables.status_of(m.id), cases.index) for m in definition.measures},
                            index=cases.index)
    statuses.insert(0, "case_id", cases["case_id"])
    return statuses


def measure_status(measure_id: str, cases: pd.DataFrame, returns: pd.DataFrame, params: Parameters) -> pd.Series:
    """One measure of the child protection conference audit (other measures it is gated on are computed too)."""
    tables = Tables(cases, returns, cp_conferences(), thresholds_of(cp_conferences(), params))
    return as_series(tables.status_of(measure_id), cases.index)


# Each measure's computation by id, as the unit tests call it.
COMPUTE: dict[str, Callable[[pd.DataFrame, pd.DataFrame, Parameters], pd.Series]] = {
    m.id: partial(measure_status, m.id) for m in cp_conferences().measures}


def report_shared_in_time(cases: pd.DataFrame, returns: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Per return: report submitted, and submitted and shared in time, by the rule of `reports_shared_timely`.

    The one place the rule lives is the definition: the measure and the agency-group breakdown both read it.
    """
    definition = cp_conferences()
    tables = Tables(cases, returns, definition, thresholds_of(definition, params))
    submitted, in_time = considered_and_met(definition.measure("reports_shared_timely").rule, tables)
    return pd.DataFrame({"submitted": submitted, "in_time": in_time}, index=returns.index)


def as_statuses(status: pd.Series) -> pd.Series:
    """A measure's statuses as a categorical of STATUSES (most already are; `where` may have made text)."""
    if isinstance(status.dtype, pd.CategoricalDtype) and list(status.dtype.categories) == list(STATUSES):
        return status
    return pd.Series(pd.Categorical(status, categories=STATUSES), index=status.index)
