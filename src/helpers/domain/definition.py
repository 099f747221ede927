"""An audit definition file (audits/<name>.yaml): its title, key lines of enquiry, parameters and measures.

Each measure's rule is built from a few rule kinds (docs/audit-definitions.md); `helpers.measures.statuses`
evaluates them. A definition is checked whole here, before any workbook is read: a problem stops with one
AuditInputError naming the file, the line (from PyYAML's node marks) and what to fix. The file's shape is
also published as a JSON Schema (audits/audit-definition.schema.json) for editors; the checks here do not
import jsonschema, whose import costs about a second of every run.

The definition declares the workbook's Cases and Agency returns columns (`columns:`, with their aliases, kinds,
required and personal flags, questions, grade scales and demo weights): the reading, cleaning, template, check and
documents follow them. The Audit and Recommendations sheets are every audit's (domain/schema.py).
"""
from __future__ import annotations

import difflib
import re
import string
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Union

import yaml

from .. import config
from ..errors import AuditInputError
from .answers import AGENCY_GROUPS, GRADES, NA_ANSWER, UNMAPPED, VOCABULARIES
from .columns import Column, Sheet

CP_CONFERENCES = config.PROJECT_ROOT / "audits" / "cp-conferences.yaml"
SECONDARY = "secondary"  # the key line of the secondary findings: always there, never declared

MET, NOT_MET, NOT_APPLICABLE, NOT_RECORDED = "met", "not_met", "not_applicable", "not_recorded"
STATUSES = (MET, NOT_MET, NOT_APPLICABLE, NOT_RECORDED)

CASES_SHEET, RETURNS_SHEET = "Cases", "Agency returns"
# The columns that say which rows are cases and returns (spec section 6): every definition has them, by these names.
IDENTIFYING = {CASES_SHEET: (("case_ref", "case_ref"),),
               RETURNS_SHEET: (("case_ref", "case_ref"), ("agency", "agency"))}
CENSUS_CONTEXTS = ("none", "cp-plans")  # cp-plans: children on child protection plans (spec section 10)
# The report's breakdowns a definition may ask for: attendance and reports shared in time per agency group (from
# the rule of its measure reports_shared_timely), and its measures by category of abuse and by age band.
BREAKDOWN_KINDS = ("agency_reports", "category", "age_band")
# Column kinds of spec section 2 a definition may declare; those read through answers have their answers below.
COLUMN_KINDS = ("case_ref", "text", "date", "agency", "yn", "ypn", "eha", "outcomes", "attended", "grade",
                "category", "participation")
AGENCY_GROUP = "agency_group"  # given to every return by the cleaning from its agency (spec section 5)
PARAMETER_KINDS = ("working_days", "flag", "percentage")


def answers_of(kind: str, scale: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The answers a column of this kind holds after cleaning (N/A included where the kind reads it); a grade
    column's are its scale's levels (the spec's grades when it names none)."""
    if kind == "grade" and scale:
        return tuple(scale) + (NA_ANSWER,)
    if kind == "participation":
        return tuple(f"PN{i}" for i in range(8)) + (NA_ANSWER,)
    if kind == AGENCY_GROUP:
        return tuple(AGENCY_GROUPS) + (UNMAPPED,)
    if kind == "grade":
        return GRADES + (NA_ANSWER,)
    if kind in VOCABULARIES:
        return tuple(dict.fromkeys(VOCABULARIES[kind].values()))
    return ()


# --- the rule kinds, as the loader gives them to the evaluator ----------------

Threshold = Union[int, str]  # a number of working days, or the name of a declared parameter


@dataclass(frozen=True)
class Answer:
    """An answer column: `met` answers meet it, `of` answers count, `not_applicable` answers are not applicable."""
    column: str
    met: tuple[str, ...]
    of: tuple[str, ...]
    not_applicable: tuple[str, ...]


@dataclass(frozen=True)
class WorkingDays:
    """Working days from one date to another within a threshold; negative: not recorded; a date N/A: not applicable."""
    begin: str
    end: str
    at_most: Threshold | None = None
    at_least: Threshold | None = None


@dataclass(frozen=True)
class Gate:
    """Where a column's answer (or another measure's status) is one of `is_`; `not_applicable` ones are not."""
    is_: tuple[str, ...]
    not_applicable: tuple[str, ...]
    column: str | None = None
    measure: str | None = None


@dataclass(frozen=True)
class Gated:
    when: Gate
    rule: "Rule"


@dataclass(frozen=True)
class AnswerIn:
    """A condition on one return: its column (or its case's column) holds one of `values`."""
    column: str
    values: tuple[str, ...]


Condition = tuple[Union[AnswerIn, WorkingDays], ...]  # every part holds


@dataclass(frozen=True)
class Apart:
    """Each agency of a group counts as a group of its own unless the flag parameter `unless` is true."""
    group: str
    by: str
    unless: str


@dataclass(frozen=True)
class OverReturns:
    """A case's returns: those meeting `of` are considered; `kind` says how many must meet `met`.

    returns_all: every considered return; returns_any: at least one; distinct_groups_at_least: returns of at
    least `at_least` distinct groups (`group` column, `not_counting` groups never count).
    """
    kind: str
    of: Condition = ()
    met: Condition = ()
    when_none: str = NOT_RECORDED        # returns, but none considered
    when_no_returns: str = NOT_RECORDED  # no return at all
    needs: tuple[str, ...] = ()          # case columns that must be known, else not recorded
    at_least: int = 1
    group: str = AGENCY_GROUP
    not_counting: tuple[str, ...] = ()
    apart: Apart | None = None


@dataclass(frozen=True)
class AllOf:
    """Met when every part is met; any part not recorded makes it not recorded, else any not applicable."""
    rules: tuple["Rule", ...]


@dataclass(frozen=True)
class GradeDistribution:
    """A grade column's levels counted (grade_distribution.csv) and a measure: a grade at or above `at_least`.

    On a Cases column the measure is grade_at_least's; on an Agency returns column a case meets it when every
    graded return of the case is at or above the level (`rule`, a returns_all), so the findings stay per case.
    """
    column: str
    levels: tuple[str, ...]
    at_least: str
    rule: "Rule"


Rule = Union[Answer, WorkingDays, Gated, OverReturns, AllOf, GradeDistribution]
RULE_KINDS = ("answer", "grade_at_least", "working_days", "gated", "returns_all", "returns_any",
              "distinct_groups_at_least", "all_of", "grade_distribution")


@dataclass(frozen=True)
class DeclaredMeasure:
    id: str
    key_line: str
    label: str
    definition: str
    statement: str
    rule: Rule
    # What a practitioner can do differently when the measure is an area for improvement (the briefing).
    practice: str = ""


@dataclass(frozen=True)
class Parameter:
    kind: str
    default: int | bool


@dataclass(frozen=True)
class Demo:
    """The size and seed of the synthetic demo generated from the definition."""
    cases: int = 60
    seed: int = 2026


@dataclass(frozen=True)
class Breakdowns:
    """The report's breakdowns (`by`, of BREAKDOWN_KINDS) and the measures broken down by category and age band."""
    by: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()


# eq=False: a definition is one file's, compared and hashed by identity (its dicts could not be hashed).
@dataclass(frozen=True, eq=False)
class AuditDefinition:
    path: Path
    title: str
    key_lines: dict[str, str]
    parameters: dict[str, Parameter]
    measures: tuple[DeclaredMeasure, ...]
    columns: dict[str, tuple[str, str]]  # name -> (sheet, kind); a name in both sheets is the Cases one
    sheets: dict[str, Sheet] = field(default_factory=dict)  # Cases and Agency returns, as declared
    grade_scales: dict[str, tuple[str, ...]] = field(default_factory=dict)
    window_date: str | None = None       # the Cases date the terms of reference's window is about
    census_context: str = "none"
    secondary_findings: tuple[str, ...] = ()  # sentences the report adds to its secondary findings
    standards: dict[str, int] = field(default_factory=dict)  # measure id -> percentage set in advance
    demo: Demo = field(default_factory=Demo)
    breakdowns: "Breakdowns" = field(default_factory=lambda: Breakdowns())
    glossary: tuple[tuple[str, str], ...] = ()  # (term, meaning): the report's glossary, before every audit's terms

    @property
    def name(self) -> str:
        """The definition's file name without .yaml (cp-conferences, neglect): part of its audits' ids."""
        return self.path.stem

    @property
    def cases(self) -> Sheet:
        return self.sheets[CASES_SHEET]

    @property
    def agency_returns(self) -> Sheet:
        return self.sheets[RETURNS_SHEET]

    def standard(self, measure_id: str, expected: int) -> int:
        """The percentage the measure is expected to reach: its standard set in advance, else `expected`."""
        return self.standards.get(measure_id, expected)

    def parameter_defaults(self) -> dict[str, int | bool]:
        return {name: p.default for name, p in self.parameters.items()}

    def measure(self, measure_id: str) -> DeclaredMeasure:
        return next(m for m in self.measures if m.id == measure_id)


# --- reading YAML with line numbers ---------------------------------------------

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    """YAML 1.2 booleans: only true/false. YAML 1.1 reads Yes, No, On and Off as booleans, and an analyst
    writing the answer Yes unquoted would otherwise get True."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


class Located(dict):
    """A YAML mapping that remembers its line and each key's line."""
    line: int = 0

    def __init__(self, line: int):
        super().__init__()
        self.line, self.lines = line, {}


class LocatedList(list):
    def __init__(self, line: int):
        super().__init__()
        self.line, self.lines = line, []


class _Reader:
    """Turns a YAML node tree into Located values, refusing a key written twice (YAML keeps the last silently)."""

    def __init__(self, path: Path):
        self.path = path
        self.constructor = _Loader("")

    def value(self, node):
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            mapping = Located(line)
            for key_node, value_node in node.value:
                key = self.constructor.construct_object(key_node)
                key_line = key_node.start_mark.line + 1
                if key in mapping:
                    raise fail(self.path, key_line, f"'{key}' is written twice in one mapping "
                               f"(first at line {mapping.lines[key]})", "keep one")
                mapping[key] = self.value(value_node)
                mapping.lines[key] = key_line
            return mapping
        if isinstance(node, yaml.SequenceNode):
            items = LocatedList(line)
            for item in node.value:
                items.append(self.value(item))
                items.lines.append(item.start_mark.line + 1)
            return items
        return self.constructor.construct_object(node)


def fail(path: Path, line: int, problem: str, hint: str | None = None) -> AuditInputError:
    return AuditInputError(problem, file=path, line=line, hint=hint)


def read_yaml(path: Path) -> Located:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AuditInputError(f"cannot read the audit definition ({error.__class__.__name__})", file=path,
                              hint="give the path of a UTF-8 YAML file such as audits/cp-conferences.yaml") from None
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise fail(path, mark.line + 1 if mark else 1, f"not valid YAML: {getattr(error, 'problem', error)}",
                   "check the indentation and quotes around this line") from None
    if not isinstance(root, yaml.MappingNode):
        raise fail(path, 1, "an audit definition is a mapping of title, key_lines_of_enquiry, parameters "
                   "and measures", "see docs/audit-definitions.md")
    return _Reader(path).value(root)


# --- checking and building a definition -----------------------------------------

def closest(word, choices) -> str:
    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else "one of " + ", ".join(map(str, choices))


@dataclass
class _Checker:
    """Checks one definition's parts in turn; `where` names the part for messages (a measure id)."""
    path: Path
    columns: dict[str, tuple[str, str]]
    parameters: dict[str, Parameter]
    measure_ids: dict[str, int]
    where: str = ""
    scales: dict[str, tuple[str, ...]] = field(default_factory=dict)  # grade column -> its levels
    personal: frozenset = frozenset()  # columns that never leave cleaning, so no rule can read them

    def fail(self, line: int, problem: str, hint: str | None = None) -> AuditInputError:
        return fail(self.path, line, f"{self.where}: {problem}" if self.where else problem, hint)

    def mapping(self, value, line: int, what: str, required: tuple[str, ...], optional: tuple[str, ...] = ()):
        if not isinstance(value, Located):
            raise self.fail(line, f"{what} must be a mapping with {', '.join(required)}")
        for key in value:
            if key not in required + optional:
                raise self.fail(value.lines[key], f"{what} has no field '{key}'",
                                closest(key, required + optional))
        for key in required:
            if key not in value:
                raise self.fail(value.line, f"{what} lacks '{key}'", f"add {key}:")
        return value

    def text(self, mapping: Located, key: str) -> str:
        value = mapping[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(mapping.lines[key], f"'{key}' must be text", "write it in double quotes")
        return value

    def words(self, mapping: Located, key: str) -> tuple[str, ...]:
        """A list of answers (or one answer); a number or true/false is refused, never turned into text.

        Only a not_applicable list may be empty (nothing is not applicable): an empty met, of or gate never holds.
        """
        value = mapping[key]
        items = list(value) if isinstance(value, list) else [value]
        if (not items and key != "not_applicable") or not all(isinstance(item, str) for item in items):
            raise self.fail(mapping.lines[key], f"'{key}' must list answers as text",
                            'write each in double quotes, e.g. ["Yes", "No"]')
        return tuple(items)

    def column(self, mapping: Located, key: str, sheets: tuple[str, ...], kinds: tuple[str, ...] | None = None) -> str:
        name = mapping[key]
        line = mapping.lines[key]
        if name not in self.columns or self.columns[name][0] not in sheets:
            names = [n for n, (sheet, _) in self.columns.items() if sheet in sheets]
            raise self.fail(line, f"column '{name}' is not declared in sheet {' or '.join(map(repr, sheets))}",
                            closest(name, names))
        if name in self.personal:
            raise self.fail(line, f"column '{name}' is personal data, which never leaves the cleaning, so no rule "
                            "can read it", "name another column, or declare this one personal: false")
        kind = self.columns[name][1]
        if kinds is not None and kind not in kinds:
            raise self.fail(line, f"column '{name}' is of kind {kind}, not {' or '.join(kinds)}",
                            "name a column of that kind")
        return name

    def answers(self, mapping: Located, key: str, column: str, what: str) -> tuple[str, ...]:
        values = self.words(mapping, key)
        accepted = self.answers_of(column)
        for value in values:
            if value not in accepted:
                raise self.fail(mapping.lines[key], f"'{value}' is never an answer of column '{column}', so "
                                f"{what} could never hold", closest(value, accepted))
        return values

    def answers_of(self, column: str) -> tuple[str, ...]:
        return answers_of(self.columns[column][1], self.scales.get(column, ()))

    def status(self, mapping: Located, key: str) -> str:
        value = mapping[key]
        if value not in STATUSES:
            raise self.fail(mapping.lines[key], f"'{value}' is not a status", closest(value, STATUSES))
        return value

    def threshold(self, mapping: Located, key: str) -> Threshold:
        value = mapping[key]
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100:
            return value
        if isinstance(value, str) and self.parameters.get(value, Parameter("", 0)).kind == "working_days":
            return value
        raise self.fail(mapping.lines[key], f"'{key}: {value}' is neither a number of working days (0 to 100) nor "
                        "a declared working_days parameter",
                        closest(value, [n for n, p in self.parameters.items() if p.kind == "working_days"]))

    # --- the rule kinds ---

    def rule(self, value, line: int, per_case: bool = True, top: bool = False) -> Rule:
        if not isinstance(value, Located) or "kind" not in value:
            raise self.fail(getattr(value, "line", line), "a rule is a mapping whose 'kind' names its rule kind",
                            "one of " + ", ".join(RULE_KINDS))
        kind = value["kind"]
        if kind not in RULE_KINDS:
            raise self.fail(value.lines["kind"], f"unknown rule kind '{kind}'", closest(kind, RULE_KINDS))
        if kind == "grade_distribution" and not top:
            # Its counts per level are of every graded answer: inside a gate or all_of they would not be the
            # measure's.
            raise self.fail(value.lines["kind"], "a grade_distribution is a measure's own rule, never part of "
                            "another rule", "use grade_at_least inside a gated or all_of rule")
        return getattr(self, kind)(value)

    def answer(self, rule: Located) -> Answer:
        self.mapping(rule, rule.line, "an answer rule", ("kind", "column", "met"), ("of", "not_applicable"))
        column = self.column(rule, "column", (CASES_SHEET,), tuple(k for k in COLUMN_KINDS if answers_of(k)))
        not_applicable = self.answers(rule, "not_applicable", column, "not applicable") \
            if "not_applicable" in rule else (NA_ANSWER,)
        # By default every answer that is not 'not applicable' counts: an analyst lists only what meets it.
        of = self.answers(rule, "of", column, "the denominator") if "of" in rule else \
            tuple(a for a in self.answers_of(column) if a not in not_applicable)
        met = self.answers(rule, "met", column, "the measure")
        if set(met) - set(of):
            raise self.fail(rule.lines["met"], f"'{sorted(set(met) - set(of))[0]}' meets the measure but is not "
                            "in its denominator ('of')", "add it to 'of'")
        if set(of) & set(not_applicable):
            raise self.fail(rule.lines["of"], f"'{sorted(set(of) & set(not_applicable))[0]}' is both in the "
                            "denominator and not applicable", "keep it in one of 'of' and 'not_applicable'")
        return Answer(column, met, of, not_applicable)

    def grade_at_least(self, rule: Located) -> Answer:
        """Sugar for an answer rule over a grade scale, best first: a grade at or above `level` meets it."""
        self.mapping(rule, rule.line, "a grade_at_least rule", ("kind", "column", "level"))
        column = self.column(rule, "column", (CASES_SHEET,), ("grade",))
        levels = self.level(rule, "level", column)
        return Answer(column, levels, self.scales.get(column, GRADES), (NA_ANSWER,))

    def level(self, rule: Located, key: str, column: str) -> tuple[str, ...]:
        """The levels of the column's scale at or above the one named (the scale is best first)."""
        scale, level = self.scales.get(column, GRADES), rule[key]
        if level not in scale:
            raise self.fail(rule.lines[key], f"'{level}' is not a level of column '{column}''s grade scale",
                            closest(level, scale))
        return scale[:scale.index(level) + 1]

    def grade_distribution(self, rule: Located) -> GradeDistribution:
        """The levels of a grade column counted, and the share at or above `at_least` as the measure."""
        self.mapping(rule, rule.line, "a grade_distribution rule", ("kind", "column", "at_least"))
        column = self.column(rule, "column", (CASES_SHEET, RETURNS_SHEET), ("grade",))
        scale, good = self.scales.get(column, GRADES), self.level(rule, "at_least", column)
        if self.columns[column][0] == CASES_SHEET:
            measure: Rule = Answer(column, good, scale, (NA_ANSWER,))
        else:
            measure = OverReturns("returns_all", of=(AnswerIn(column, scale),), met=(AnswerIn(column, good),))
        return GradeDistribution(column, scale, rule["at_least"], measure)

    def working_days(self, rule: Located, sheets: tuple[str, ...] = (CASES_SHEET,)) -> WorkingDays:
        what = "a working_days rule" if "kind" in rule else "a working_days condition"
        kind = ("kind",) if "kind" in rule else ()
        self.mapping(rule, rule.line, what, kind + ("from", "to"), ("at_most", "at_least"))
        if ("at_most" in rule) == ("at_least" in rule):
            raise self.fail(rule.line, f"{what} needs one of at_most and at_least", "give one threshold")
        bound = "at_most" if "at_most" in rule else "at_least"
        begin = self.column(rule, "from", sheets, ("date",))
        end = self.column(rule, "to", sheets, ("date",))
        return WorkingDays(begin, end, **{bound: self.threshold(rule, bound)})

    def gated(self, rule: Located) -> Gated:
        self.mapping(rule, rule.line, "a gated rule", ("kind", "when", "rule"), ("not_applicable",))
        when = self.mapping(rule["when"], rule.lines["when"], "a gate ('when')", ("is",), ("column", "measure"))
        if ("column" in when) == ("measure" in when):
            raise self.fail(when.line, "a gate names one column or one measure", "give column: or measure:")
        if "measure" in when:
            measure = when["measure"]
            if measure not in self.measure_ids or measure == self.where:
                raise self.fail(when.lines["measure"], f"the gate names measure '{measure}', which is not another "
                                "declared measure", closest(measure, [m for m in self.measure_ids if m != self.where]))
            is_ = self.words(when, "is")
            for value in is_:
                if value not in STATUSES:
                    raise self.fail(when.lines["is"], f"'{value}' is not a status, so the gate could never be true",
                                    closest(value, STATUSES))
            not_applicable = self.words(rule, "not_applicable") if "not_applicable" in rule else ()
            if set(not_applicable) - set(STATUSES):
                raise self.fail(rule.lines["not_applicable"], "not_applicable lists statuses of the gate's measure",
                                "one of " + ", ".join(STATUSES))
            gate = Gate(is_, not_applicable, measure=measure)
        else:
            column = self.column(when, "column", (CASES_SHEET,), tuple(k for k in COLUMN_KINDS if answers_of(k)))
            gate = Gate(self.answers(when, "is", column, "the gate"),
                        self.answers(rule, "not_applicable", column, "not applicable")
                        if "not_applicable" in rule else (), column=column)
        both = sorted(set(gate.is_) & set(gate.not_applicable))
        if both:
            raise self.fail(rule.lines.get("not_applicable", rule.line), f"'{both[0]}' both opens the gate and "
                            "makes it not applicable", "keep it in one of them")
        return Gated(gate, self.rule(rule["rule"], rule.lines["rule"]))

    def condition(self, value, line: int, what: str) -> Condition:
        if not isinstance(value, Located):
            raise self.fail(line, f"'{what}' is a mapping of columns to their answers")
        parts = []
        sheets = (RETURNS_SHEET, CASES_SHEET)
        for key in value:
            if key == "working_days":
                parts.append(self.working_days(self.mapping(value[key], value.lines[key], "a working_days condition",
                                                            ("from", "to"), ("at_most", "at_least")), sheets))
            else:
                column = self.column(Located_of(key, value.lines[key]), "column", sheets,
                                     tuple(k for k in COLUMN_KINDS if answers_of(k)) + (AGENCY_GROUP,))
                parts.append(AnswerIn(column, self.answers(value, key, column, f"'{what}'")))
        return tuple(parts)

    def _over_returns(self, rule: Located, extra: tuple[str, ...] = ()) -> dict:
        if RETURNS_SHEET not in {sheet for sheet, _ in self.columns.values()}:
            raise self.fail(rule.line, f"a {rule['kind']} rule counts agency returns, and no column of sheet "
                            f"'{RETURNS_SHEET}' is declared", "declare the sheet's columns")
        self.mapping(rule, rule.line, f"a {rule['kind']} rule", ("kind", "met"),
                     ("of", "when_none", "when_no_returns", "needs") + extra)
        fields = {"kind": rule["kind"], "met": self.condition(rule["met"], rule.lines["met"], "met")}
        if "of" in rule:
            fields["of"] = self.condition(rule["of"], rule.lines["of"], "of")
        for key in ("when_none", "when_no_returns"):
            if key in rule:
                fields[key] = self.status(rule, key)
        fields.setdefault("when_no_returns", fields.get("when_none", NOT_RECORDED))
        if "needs" in rule:
            fields["needs"] = tuple(self.column(Located_of(name, rule.lines["needs"]), "column", (CASES_SHEET,))
                                    for name in self.words(rule, "needs"))
        return fields

    def returns_all(self, rule: Located) -> OverReturns:
        return OverReturns(**self._over_returns(rule))

    def returns_any(self, rule: Located) -> OverReturns:
        return OverReturns(**self._over_returns(rule))

    def distinct_groups_at_least(self, rule: Located) -> OverReturns:
        fields = self._over_returns(rule, ("at_least", "group", "not_counting", "apart"))
        if "at_least" not in rule:
            raise self.fail(rule.line, "a distinct_groups_at_least rule lacks 'at_least'", "add at_least: 2")
        at_least = rule["at_least"]
        if isinstance(at_least, bool) or not isinstance(at_least, int) or at_least < 1:
            raise self.fail(rule.lines["at_least"], f"at_least: {at_least} is not a whole number of groups from 1",
                            "e.g. at_least: 2")
        group = self.column(rule, "group", (RETURNS_SHEET,)) if "group" in rule else AGENCY_GROUP
        fields.update(at_least=at_least, group=group)
        if "not_counting" in rule:
            fields["not_counting"] = self.answers(rule, "not_counting", group, "not_counting")
        if "apart" in rule:
            apart = self.mapping(rule["apart"], rule.lines["apart"], "'apart'", ("group", "by", "unless"))
            self.answers(apart, "group", group, "'apart'")
            by = self.column(apart, "by", (RETURNS_SHEET,))
            if self.parameters.get(apart["unless"], Parameter("", 0)).kind != "flag":
                raise self.fail(apart.lines["unless"], f"'{apart['unless']}' is not a declared flag parameter",
                                closest(apart["unless"], [n for n, p in self.parameters.items() if p.kind == "flag"]))
            fields["apart"] = Apart(apart["group"], by, apart["unless"])
        return OverReturns(**fields)

    def all_of(self, rule: Located) -> AllOf:
        self.mapping(rule, rule.line, "an all_of rule", ("kind", "rules"))
        parts = rule["rules"]
        if not isinstance(parts, list) or len(parts) < 2:
            raise self.fail(rule.lines["rules"], "all_of combines a list of at least two rules", "list them")
        return AllOf(tuple(self.rule(part, line) for part, line in zip(parts, parts.lines)))


def Located_of(value, line: int) -> Located:
    """A one-field mapping standing for a bare value, so a column name in a list is checked like any other."""
    mapping = Located(line)
    mapping["column"], mapping.lines["column"] = value, line
    return mapping


NAME = re.compile(r"[a-z][a-z0-9_]*")
COLUMN_FIELDS = ("aliases", "required", "personal", "question", "scale", "demo")


def check_grade_scales(document: Located, path: Path) -> dict[str, tuple[str, ...]]:
    """grade_scales: each name's levels, best first: at least two, distinct, as text."""
    declared = document.get("grade_scales", Located(document.line))
    if not isinstance(declared, Located):
        raise fail(path, document.lines["grade_scales"], "grade_scales: maps each scale's name to its levels, "
                   "best first", 'e.g. practice: ["Outstanding", "Good", "Requires improvement", "Inadequate"]')
    scales = {}
    for name, levels in declared.items():
        if not isinstance(levels, list) or len(levels) < 2 or not all(isinstance(v, str) and v.strip()
                                                                      for v in levels):
            raise fail(path, declared.lines[name], f"grade scale '{name}' must list at least two levels as text, "
                       "best first", 'write each in double quotes, e.g. ["Good", "Inadequate"]')
        if len(set(levels)) < len(levels):
            raise fail(path, declared.lines[name], f"grade scale '{name}' lists a level twice", "keep one")
        if NA_ANSWER in levels:
            raise fail(path, declared.lines[name], f"grade scale '{name}' lists N/A, which every grade column "
                       "reads already", "remove it")
        scales[name] = tuple(levels)
    return scales


def check_flag(checker: "_Checker", entry: Located, key: str) -> bool:
    if not isinstance(entry[key], bool):
        raise checker.fail(entry.lines[key], f"'{key}' must be true or false", f"write {key}: true or {key}: false")
    return entry[key]


def check_column(checker: "_Checker", entry, line: int, scales: dict[str, tuple[str, ...]]) -> Column:
    """One column of the long form: {name, kind, aliases, required, personal, question, scale, demo}."""
    checker.mapping(entry, line, "a column", ("name", "kind"), COLUMN_FIELDS)
    name, kind = entry["name"], entry["kind"]
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise checker.fail(entry.lines["name"], f"column name {name!r} is not lower-case letters, digits and _",
                           "write the header as the workbook's would read after normalising, e.g. referral_date")
    if kind not in COLUMN_KINDS:
        raise checker.fail(entry.lines["kind"], f"column '{name}' has unknown column kind '{kind}'",
                           closest(kind, COLUMN_KINDS))
    fields: dict = {}
    if "aliases" in entry:
        aliases = entry["aliases"] if isinstance(entry["aliases"], list) else [entry["aliases"]]
        if not all(isinstance(a, str) and NAME.fullmatch(a) for a in aliases):
            raise checker.fail(entry.lines["aliases"], f"column '{name}': aliases are lower-case letters, digits "
                               "and _", "e.g. aliases: [dob, birth_date]")
        fields["aliases"] = tuple(aliases)
    for flag in ("required", "personal"):
        if flag in entry:
            fields[flag] = check_flag(checker, entry, flag)
    if "question" in entry:
        fields["question"] = checker.text(entry, "question")
    if kind == "grade":
        if "scale" in entry and entry["scale"] not in scales:
            raise checker.fail(entry.lines["scale"], f"column '{name}' names grade scale '{entry['scale']}', "
                               "which grade_scales does not declare", closest(entry["scale"], scales))
        fields["scale"] = scales[entry["scale"]] if "scale" in entry else GRADES
    elif "scale" in entry:
        raise checker.fail(entry.lines["scale"], f"column '{name}' is of kind {kind}: only a grade column has a "
                           "scale", "remove scale:, or make the column's kind grade")
    if "demo" in entry:
        fields["demo"] = check_demo_weights(checker, entry, answers_of(kind, fields.get("scale", ())))
    return Column(name, kind, **fields)


def check_demo_weights(checker: "_Checker", entry: Located, answers: tuple[str, ...]) -> tuple:
    """A column's demo weights: answers (of the column's, where its kind has answers) to numbers from 0."""
    weights = entry["demo"]
    if not isinstance(weights, Located) or not weights:
        raise checker.fail(entry.lines["demo"], "demo: maps answers to their weights", 'e.g. {"Yes": 0.7, "No": 0.3}')
    for answer, weight in weights.items():
        # "" is an empty cell (not recorded): a demo may leave some answers out.
        if answers and answer not in answers and answer != "":
            raise checker.fail(weights.lines[answer], f"'{answer}' is never an answer of column '{entry['name']}'",
                               closest(answer, answers))
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            raise checker.fail(weights.lines[answer], f"the demo weight of '{answer}' is not a number from 0",
                               "e.g. 0.7")
    if not sum(weights.values()) > 0:
        raise checker.fail(entry.lines["demo"], "the demo weights add up to nothing", "give one a weight above 0")
    return tuple((str(answer), float(weight)) for answer, weight in weights.items())


def declared_sheets(document: Located, path: Path, scales: dict[str, tuple[str, ...]]) -> dict[str, Sheet]:
    """The Cases and Agency returns sheets as declared: `columns:` maps each sheet to a list of columns (the long
    form) or to {name: kind} (the short form). An Agency returns sheet left out has its two identifying columns."""
    checker = _Checker(path, {}, {}, {})
    if "columns" not in document:
        raise fail(path, document.line, "the definition declares no columns",
                   "add columns: with the sheets Cases and Agency returns (docs/audit-definitions.md)")
    sheets = document["columns"]
    if not isinstance(sheets, Located):
        raise fail(path, document.lines["columns"], "columns: maps each sheet to its columns")
    declared: dict[str, Sheet] = {}
    for sheet, entries in sheets.items():
        if sheet not in (CASES_SHEET, RETURNS_SHEET):
            raise fail(path, sheets.lines[sheet], f"unknown sheet '{sheet}'",
                       closest(sheet, (CASES_SHEET, RETURNS_SHEET)))
        checker.where = f"sheet '{sheet}'"
        if isinstance(entries, Located):  # the short form: name -> kind
            columns = []
            for name, kind in entries.items():
                columns.append(check_column(checker, short_column(name, kind, entries.lines[name]),
                                            entries.lines[name], scales))
        elif isinstance(entries, list) and entries:
            columns = [check_column(checker, entry, line, scales) for entry, line in zip(entries, entries.lines)]
        else:
            raise fail(path, sheets.lines[sheet], f"sheet '{sheet}' lists its columns",
                       "e.g. - {name: case_ref, kind: case_ref}")
        first: dict[str, int] = {}
        for column, line in zip(columns, entries.lines if isinstance(entries, list) else
                                [entries.lines[n] for n in entries]):
            for name in (column.name, *column.aliases):
                if name in first:
                    raise fail(path, line, f"sheet '{sheet}': '{name}' names two columns (the first at line "
                               f"{first[name]})", "give each column its own name and aliases")
                first[name] = line
        declared[sheet] = Sheet(sheet, tuple(columns))
        check_identifying(declared[sheet], path, sheets.lines[sheet])
    if CASES_SHEET not in declared:
        raise fail(path, document.lines["columns"], f"columns: declares no sheet '{CASES_SHEET}'",
                   f"add {CASES_SHEET}: with its columns")
    declared.setdefault(RETURNS_SHEET, Sheet(RETURNS_SHEET, tuple(
        Column(name, kind) for name, kind in IDENTIFYING[RETURNS_SHEET])))
    return {sheet: declared[sheet] for sheet in (CASES_SHEET, RETURNS_SHEET)}


def short_column(name, kind, line: int) -> Located:
    entry = Located(line)
    for key, value in (("name", name), ("kind", kind)):
        entry[key], entry.lines[key] = value, line
    return entry


def check_identifying(sheet: Sheet, path: Path, line: int) -> None:
    """Every audit's sheets have the columns that say which rows are cases and returns (spec section 6)."""
    kinds = {c.name: c.kind for c in sheet.columns}
    for name, kind in IDENTIFYING[sheet.name]:
        if kinds.get(name) != kind:
            raise fail(path, line, f"sheet '{sheet.name}' lacks the column '{name}' of kind {kind}, which says "
                       "which rows belong to which case", f"add - {{name: {name}, kind: {kind}}}")
    for column in sheet.columns:
        if column.kind in ("case_ref", "agency") and (column.name, column.kind) not in IDENTIFYING[sheet.name]:
            raise fail(path, line, f"sheet '{sheet.name}': column '{column.name}' is of kind {column.kind}, which "
                       f"only the column {'case_ref' if column.kind == 'case_ref' else 'agency'} may be",
                       "give it another kind, such as text")


def column_index(sheets: dict[str, Sheet]) -> dict[str, tuple[str, str]]:
    """The columns rules may name: sheet and kind by name, and the agency group the cleaning gives each return."""
    columns = {}
    for sheet in sheets.values():
        for column in sheet.columns:
            columns.setdefault(column.name, (sheet.name, column.kind))
    columns[AGENCY_GROUP] = (RETURNS_SHEET, AGENCY_GROUP)
    return columns


def columns_read(rule: Rule) -> list[str]:
    """The columns a rule reads (the agency group is read from the agency column)."""
    if isinstance(rule, Answer):
        found = [rule.column]
    elif isinstance(rule, WorkingDays):
        found = [rule.begin, rule.end]
    elif isinstance(rule, Gated):
        found = [rule.when.column] if rule.when.column else []
        found += columns_read(rule.rule)
    elif isinstance(rule, AllOf):
        found = [name for part in rule.rules for name in columns_read(part)]
    elif isinstance(rule, GradeDistribution):
        found = columns_read(rule.rule)
    else:
        found = []
        for part in rule.of + rule.met:
            found += [part.column] if isinstance(part, AnswerIn) else [part.begin, part.end]
        found += list(rule.needs) + ([rule.group] if rule.kind == "distinct_groups_at_least" else [])
        found += [rule.apart.by] if rule.apart else []
    return ["agency" if name == AGENCY_GROUP else name for name in found]


def working_days_rules(rule: Rule) -> list[WorkingDays]:
    """The working_days rules inside a rule (a gate's, an all_of's parts, a grade distribution's)."""
    if isinstance(rule, WorkingDays):
        return [rule]
    if isinstance(rule, Gated):
        return working_days_rules(rule.rule)
    if isinstance(rule, AllOf):
        return [found for part in rule.rules for found in working_days_rules(part)]
    if isinstance(rule, GradeDistribution):
        return working_days_rules(rule.rule)
    return []


def case_intervals(definition: "AuditDefinition") -> tuple[tuple[str, str], ...]:
    """Each (from, to) pair of Cases dates a measure counts working days between, once, in declaration order."""
    pairs = [(r.begin, r.end) for m in definition.measures for r in working_days_rules(m.rule)
             if definition.columns[r.begin][0] == CASES_SHEET and definition.columns[r.end][0] == CASES_SHEET]
    return tuple(dict.fromkeys(pairs))


def measure_columns(definition: "AuditDefinition") -> dict[str, tuple[str, ...]]:
    """The workbook columns each measure reads, with those of the measures its gates read (an earlier workbook
    lacking one did not ask the question: the measure is not comparable)."""
    gated_on = {m.id: [g.when.measure for g in gates_of(m.rule) if g.when.measure] for m in definition.measures}
    own = {m.id: columns_read(m.rule) for m in definition.measures}

    def reads(measure_id: str) -> list[str]:
        return own[measure_id] + [name for other in gated_on[measure_id] for name in reads(other)]

    return {m.id: tuple(dict.fromkeys(reads(m.id))) for m in definition.measures}


def with_measures(sheets: dict[str, Sheet], measures: tuple[DeclaredMeasure, ...]) -> dict[str, Sheet]:
    """Each column with the ids of the measures reading it, in the measures' order (the template and docs say
    which measures a column feeds)."""
    read = {m.id: set(columns_read(m.rule)) for m in measures}
    return {name: replace(sheet, columns=tuple(
        replace(c, measures=tuple(m for m in read if c.name in read[m])) if c.kind != "case_ref" else c
        for c in sheet.columns)) for name, sheet in sheets.items()}


# Settings of every run (make variables), and what the parameters' class keeps of its own: no parameter's name.
RESERVED_NAMES = frozenset({"raw", "earlier", "window_start", "window_end", "publish", "allow_later", "audit",
                            "confirm", "out", "audit_definition", "definition", "python", "venv", "pytest_args"})


def check_parameters(document: Located, path: Path) -> dict[str, Parameter]:
    declared = document.get("parameters", Located(document.line))
    if not isinstance(declared, Located):
        raise fail(path, document.lines["parameters"], "parameters: maps each name to its kind and default")
    parameters = {}
    for name, value in declared.items():
        checker = _Checker(path, {}, {}, {}, where=f"parameter '{name}'")
        if not isinstance(name, str) or not NAME.fullmatch(name) or name in RESERVED_NAMES:
            raise checker.fail(declared.lines[name], f"'{name}' cannot name a parameter: a parameter is given as a "
                               "setting of its name in capitals, and this one is lower-case letters, digits and _ "
                               "or a setting of every run already", "choose another name, e.g. visit_working_days")
        checker.mapping(value, declared.lines[name], "a parameter", ("kind", "default"))
        kind, default = value["kind"], value["default"]
        if kind not in PARAMETER_KINDS:
            raise checker.fail(value.lines["kind"], f"unknown parameter kind '{kind}'", closest(kind, PARAMETER_KINDS))
        valid = isinstance(default, bool) if kind == "flag" else \
            isinstance(default, int) and not isinstance(default, bool) and 0 <= default <= 100
        if not valid:
            raise checker.fail(value.lines["default"], f"default {default!r} is not a {kind.replace('_', ' ')} value",
                               "true or false" if kind == "flag" else "a whole number from 0 to 100")
        parameters[name] = Parameter(kind, default)
    return parameters


def check_texts(checker: _Checker, measure: Located, parameters: dict[str, Parameter]) -> None:
    """Label, definition, statement and practice may name parameters, e.g. {icpc_working_days}, and only those."""
    for key in ("label", "definition", "statement", *(("practice",) if "practice" in measure else ())):
        for _, name, _, _ in string.Formatter().parse(checker.text(measure, key)):
            if name is not None and name not in parameters:
                raise checker.fail(measure.lines[key], f"the {key} names '{{{name}}}', which is not a declared "
                                   "parameter", closest(name, parameters))


def gate_order(measures: tuple[DeclaredMeasure, ...], lines: dict[str, int], path: Path) -> None:
    """A gate on another measure must not come back to the measure itself (it could never be decided)."""
    gates = {m.id: [g.when.measure for g in gates_of(m.rule) if g.when.measure] for m in measures}
    for start in gates:
        seen, todo = set(), list(gates[start])
        while todo:
            current = todo.pop()
            if current == start:
                raise fail(path, lines[start], f"measure '{start}' is gated on itself through other measures' gates",
                           "gate it on a measure that does not depend on it")
            if current not in seen:
                seen.add(current)
                todo.extend(gates.get(current, ()))


def gates_of(rule: Rule) -> list[Gated]:
    if isinstance(rule, Gated):
        return [rule] + gates_of(rule.rule)
    if isinstance(rule, AllOf):
        return [g for part in rule.rules for g in gates_of(part)]
    return []


TOP_LEVEL = ("title", "key_lines_of_enquiry", "parameters", "measures", "columns", "grade_scales", "window_date",
             "census_context", "secondary_findings", "standards", "demo", "breakdowns", "glossary")


def check_breakdowns(document: Located, path: Path, sheets: dict[str, Sheet], measures: tuple[DeclaredMeasure, ...],
                     window_date: str | None) -> Breakdowns:
    """breakdowns: {by: [...], measures: [...]}: each kind must have what it counts in the definition."""
    if "breakdowns" not in document:
        return Breakdowns()
    checker = _Checker(path, {}, {}, {}, where="breakdowns")
    value = checker.mapping(document["breakdowns"], document.lines["breakdowns"], "breakdowns", ("by",),
                            ("measures",))
    by = value["by"]  # may be empty: no breakdown
    if not isinstance(by, list) or not all(isinstance(kind, str) for kind in by):
        raise checker.fail(value.lines["by"], "'by' lists breakdowns", "e.g. by: [age_band]")
    ids = [m.id for m in measures]
    cases = {c.name: c for c in sheets[CASES_SHEET].columns}
    returns = {c.name for c in sheets[RETURNS_SHEET].columns}
    needs = {
        "agency_reports": (any(m.id == "reports_shared_timely" and isinstance(m.rule, OverReturns) for m in measures)
                           and "attended" in returns,
                           "it counts reports by the rule of a measure reports_shared_timely over agency returns, "
                           "and an Agency returns column attended"),
        "category": (any(c.kind == "category" and not c.personal for c in cases.values()),
                     "it needs a Cases column of kind category"),
        "age_band": (bool(window_date) and "date_of_birth" in cases,
                     "it needs a window_date and a Cases column date_of_birth"),
    }
    for kind in by:
        if kind not in BREAKDOWN_KINDS:
            raise checker.fail(value.lines["by"], f"unknown breakdown '{kind}'", closest(kind, BREAKDOWN_KINDS))
        if not needs[kind][0]:
            raise checker.fail(value.lines["by"], f"the breakdown '{kind}' cannot be made: {needs[kind][1]}",
                               f"remove {kind}, or declare what it needs")
    broken_down = checker.words(value, "measures") if "measures" in value else \
        tuple(m.id for m in measures if m.key_line != SECONDARY)
    for measure_id in broken_down:
        if measure_id not in ids:
            raise checker.fail(value.lines["measures"], f"the breakdowns name measure '{measure_id}', which is not "
                               "declared", closest(measure_id, ids))
    return Breakdowns(tuple(by), tuple(broken_down))


def check_glossary(document: Located, path: Path) -> tuple[tuple[str, str], ...]:
    """glossary: the audit's own terms, each {term, meaning}, shown before the terms every audit's report has."""
    if "glossary" not in document:
        return ()
    entries = document["glossary"]
    if not isinstance(entries, list):
        raise fail(path, document.lines["glossary"], "glossary lists {term, meaning} mappings")
    checker = _Checker(path, {}, {}, {}, where="glossary")
    terms = []
    for entry, line in zip(entries, entries.lines):
        checker.mapping(entry, line, "a glossary entry", ("term", "meaning"))
        terms.append((checker.text(entry, "term"), checker.text(entry, "meaning")))
    return tuple(terms)


def check_window_date(document: Located, path: Path, sheets: dict[str, Sheet]) -> str | None:
    if "window_date" not in document:
        return None
    name = document["window_date"]
    dates = [c.name for c in sheets[CASES_SHEET].columns if c.kind == "date" and not c.personal]
    if name not in dates:
        raise fail(path, document.lines["window_date"], f"window_date '{name}' is not a date column of sheet "
                   f"'{CASES_SHEET}'", closest(name, dates))
    return name


def check_census_context(document: Located, path: Path) -> str:
    value = document.get("census_context", "none")
    if value not in CENSUS_CONTEXTS:
        raise fail(path, document.lines["census_context"], f"unknown census_context '{value}'",
                   closest(value, CENSUS_CONTEXTS))
    return value


def check_secondary_findings(document: Located, path: Path) -> tuple[str, ...]:
    """Sentences the report adds to its secondary findings, below the secondary measures."""
    if "secondary_findings" not in document:
        return ()
    value = document["secondary_findings"]
    items = value if isinstance(value, list) else [value]
    for item, line in zip(items, getattr(value, "lines", [document.lines["secondary_findings"]] * len(items))):
        if not isinstance(item, str) or not item.strip():
            raise fail(path, line, "secondary_findings lists sentences as text", "write each in double quotes")
    return tuple(items)


def check_standards(document: Located, path: Path, measure_ids: dict[str, int]) -> dict[str, int]:
    """Each measure's standard set before the audit: the percentage it is expected to reach."""
    declared = document.get("standards", Located(document.line))
    if not isinstance(declared, Located):
        raise fail(path, document.lines["standards"], "standards: maps measure ids to percentages",
                   "e.g. standards: {plan_smart: 90}")
    standards = {}
    for measure_id, value in declared.items():
        if measure_id not in measure_ids:
            raise fail(path, declared.lines[measure_id], f"the standard names measure '{measure_id}', which is not "
                       "declared", closest(measure_id, measure_ids))
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise fail(path, declared.lines[measure_id], f"the standard of '{measure_id}' ({value!r}) is not a "
                       "percentage", "a whole number from 0 to 100, e.g. 90")
        standards[measure_id] = value
    return standards


def check_demo(document: Located, path: Path) -> Demo:
    if "demo" not in document:
        return Demo()
    checker = _Checker(path, {}, {}, {}, where="demo")
    demo = checker.mapping(document["demo"], document.lines["demo"], "demo", (), ("cases", "seed"))
    values = {}
    for key, low, high in (("cases", 1, 100_000), ("seed", 0, 2**32 - 1)):
        if key in demo:
            value = demo[key]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise checker.fail(demo.lines[key], f"{key}: {value!r} is not a whole number from {low} to {high}")
            values[key] = value
    return Demo(**values)


def load_definition(path: str | Path) -> AuditDefinition:
    """Read and check an audit definition; any problem is one AuditInputError naming the file and line."""
    path = Path(path)
    document = read_yaml(path)
    top = _Checker(path, {}, {}, {})
    top.mapping(document, 1, "an audit definition", ("title", "key_lines_of_enquiry", "measures"),
                tuple(k for k in TOP_LEVEL if k not in ("title", "key_lines_of_enquiry", "measures")))
    title = top.text(document, "title")
    scales = check_grade_scales(document, path)
    sheets = declared_sheets(document, path, scales)
    columns = column_index(sheets)
    column_scales = {c.name: c.scale for sheet in sheets.values() for c in sheet.columns if c.scale}
    personal = frozenset(c.name for sheet in sheets.values() for c in sheet.columns if c.personal)
    parameters = check_parameters(document, path)
    key_lines = {}
    lines_of_enquiry = document["key_lines_of_enquiry"]
    if not isinstance(lines_of_enquiry, list):
        raise fail(path, document.lines["key_lines_of_enquiry"], "key_lines_of_enquiry lists {id, title} mappings")
    for entry, line in zip(lines_of_enquiry, lines_of_enquiry.lines):
        top.mapping(entry, line, "a key line of enquiry", ("id", "title"))
        key_lines[top.text(entry, "id")] = top.text(entry, "title")
    declared = document["measures"]
    if not isinstance(declared, list) or not declared:
        raise fail(path, document.lines["measures"], "measures lists the audit's measures", "add at least one")
    first_line: dict[str, int] = {}
    for entry, line in zip(declared, declared.lines):
        top.mapping(entry, line, "a measure", ("id", "key_line", "label", "definition", "statement", "rule"),
                    optional=("practice",))
        measure_id = entry["id"]
        if not isinstance(measure_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", measure_id):
            raise fail(path, entry.lines["id"], f"measure id {measure_id!r} is not lower-case letters, digits and _",
                       "e.g. plan_smart")
        if measure_id in first_line:
            raise fail(path, entry.lines["id"], f"two measures have the id '{measure_id}' (the first at line "
                       f"{first_line[measure_id]})", "give each measure its own id")
        first_line[measure_id] = entry.lines["id"]
    measures = []
    for entry in declared:
        checker = _Checker(path, columns, parameters, first_line, where=f"measure '{entry['id']}'",
                           scales=column_scales, personal=personal)
        if entry["key_line"] not in key_lines and entry["key_line"] != SECONDARY:
            raise checker.fail(entry.lines["key_line"], f"key line '{entry['key_line']}' is not declared",
                               closest(entry["key_line"], list(key_lines) + [SECONDARY]))
        check_texts(checker, entry, parameters)
        measures.append(DeclaredMeasure(entry["id"], entry["key_line"], entry["label"], entry["definition"],
                                        entry["statement"],
                                        checker.rule(entry["rule"], entry.lines["rule"], top=True),
                                        entry["practice"] if "practice" in entry else ""))
    measures = tuple(measures)
    gate_order(measures, first_line, path)
    window_date = check_window_date(document, path, sheets)
    return AuditDefinition(
        path, title, key_lines, parameters, measures, columns, sheets=with_measures(sheets, measures),
        grade_scales=scales, window_date=window_date,
        census_context=check_census_context(document, path),
        secondary_findings=check_secondary_findings(document, path),
        standards=check_standards(document, path, first_line), demo=check_demo(document, path),
        breakdowns=check_breakdowns(document, path, sheets, measures, window_date),
        glossary=check_glossary(document, path))


@lru_cache(maxsize=1)
def cp_conferences() -> AuditDefinition:
    """The child protection conference audit (audits/cp-conferences.yaml), read once per process."""
    return load_definition(CP_CONFERENCES)


def located(path: str) -> Path:
    """A definition's path as given, or, when it is relative and not found from the current folder, from the
    project's folder: notebooks run in notebooks/, and the README names definitions from the project's folder
    (`audits/neglect.yaml`)."""
    given = Path(path)
    if given.is_absolute() or given.exists():
        return given
    from_project = CP_CONFERENCES.parent.parent / given
    return from_project if from_project.exists() else given


def definition_at(path: str) -> AuditDefinition:
    """An audit definition by its path, read once per process while the file is unchanged (an analyst may edit it
    between two runs in one JupyterLab kernel); the CP file is the same object as cp_conferences()."""
    path = str(located(path))
    resolved = Path(path).resolve()
    if resolved == CP_CONFERENCES.resolve():
        return cp_conferences()
    if not resolved.is_file():
        return load_definition(path)  # its one-line error
    stat = resolved.stat()
    return _definition_of_version(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _definition_of_version(path: str, mtime_ns: int, size: int) -> AuditDefinition:
    return load_definition(path)
