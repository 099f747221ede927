"""An audit definition file (audits/<name>.yaml): its title, key lines of enquiry, parameters and measures.

Each measure's rule is built from a few rule kinds (docs/audit-definitions.md); `helpers.measures.statuses`
evaluates them. A definition is checked whole here, before any workbook is read: a problem stops with one
AuditInputError naming the file, the line (from PyYAML's node marks) and what to fix. The file's shape is
also published as a JSON Schema (audits/audit-definition.schema.json) for editors; the checks here do not
import jsonschema, whose import costs about a second of every run.

For this increment the columns a rule may name are the workbook's (domain/schema.py) unless the definition
declares its own `columns:` (sheet, name and kind); the cleaning still follows domain/schema.py.
"""
from __future__ import annotations

import difflib
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Union

import yaml

from .. import config
from ..errors import AuditInputError
from .answers import AGENCY_GROUPS, GRADES, NA_ANSWER, UNMAPPED, VOCABULARIES
from .schema import AGENCY_RETURNS, CASES

CP_CONFERENCES = config.PROJECT_ROOT / "audits" / "cp-conferences.yaml"
SECONDARY = "secondary"  # the key line of the secondary findings: always there, never declared

MET, NOT_MET, NOT_APPLICABLE, NOT_RECORDED = "met", "not_met", "not_applicable", "not_recorded"
STATUSES = (MET, NOT_MET, NOT_APPLICABLE, NOT_RECORDED)

CASES_SHEET, RETURNS_SHEET = CASES.name, AGENCY_RETURNS.name
# Column kinds of spec section 2 a definition may declare; those read through answers have their answers below.
COLUMN_KINDS = ("case_ref", "text", "date", "agency", "yn", "ypn", "eha", "outcomes", "attended", "grade",
                "category", "participation")
AGENCY_GROUP = "agency_group"  # given to every return by the cleaning from its agency (spec section 5)
PARAMETER_KINDS = ("working_days", "flag", "percentage")


def answers_of(kind: str) -> tuple[str, ...]:
    """The answers a column of this kind holds after cleaning (N/A included where the kind reads it)."""
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


Rule = Union[Answer, WorkingDays, Gated, OverReturns, AllOf]
RULE_KINDS = ("answer", "grade_at_least", "working_days", "gated", "returns_all", "returns_any",
              "distinct_groups_at_least", "all_of")


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
class AuditDefinition:
    path: Path
    title: str
    key_lines: dict[str, str]
    parameters: dict[str, Parameter]
    measures: tuple[DeclaredMeasure, ...]
    columns: dict[str, tuple[str, str]]  # name -> (sheet, kind)

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
        kind = self.columns[name][1]
        if kinds is not None and kind not in kinds:
            raise self.fail(line, f"column '{name}' is of kind {kind}, not {' or '.join(kinds)}",
                            "name a column of that kind")
        return name

    def answers(self, mapping: Located, key: str, column: str, what: str) -> tuple[str, ...]:
        values = self.words(mapping, key)
        accepted = answers_of(self.columns[column][1])
        for value in values:
            if value not in accepted:
                raise self.fail(mapping.lines[key], f"'{value}' is never an answer of column '{column}', so "
                                f"{what} could never hold", closest(value, accepted))
        return values

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

    def rule(self, value, line: int, per_case: bool = True) -> Rule:
        if not isinstance(value, Located) or "kind" not in value:
            raise self.fail(getattr(value, "line", line), "a rule is a mapping whose 'kind' names its rule kind",
                            "one of " + ", ".join(RULE_KINDS))
        kind = value["kind"]
        if kind not in RULE_KINDS:
            raise self.fail(value.lines["kind"], f"unknown rule kind '{kind}'", closest(kind, RULE_KINDS))
        return getattr(self, kind)(value)

    def answer(self, rule: Located) -> Answer:
        self.mapping(rule, rule.line, "an answer rule", ("kind", "column", "met"), ("of", "not_applicable"))
        column = self.column(rule, "column", (CASES_SHEET,), tuple(k for k in COLUMN_KINDS if answers_of(k)))
        not_applicable = self.answers(rule, "not_applicable", column, "not applicable") \
            if "not_applicable" in rule else (NA_ANSWER,)
        # By default every answer that is not 'not applicable' counts: an analyst lists only what meets it.
        of = self.answers(rule, "of", column, "the denominator") if "of" in rule else \
            tuple(a for a in answers_of(self.columns[column][1]) if a not in not_applicable)
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
        level = rule["level"]
        if level not in GRADES:
            raise self.fail(rule.lines["level"], f"'{level}' is not a grade", closest(level, GRADES))
        return Answer(column, GRADES[:GRADES.index(level) + 1], GRADES, (NA_ANSWER,))

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


def declared_columns(document: Located, path: Path) -> dict[str, tuple[str, str]]:
    """The columns rules may name: the definition's own `columns:`, else the workbook's (domain/schema.py)."""
    if "columns" not in document:
        columns = {c.name: (sheet.name, c.kind) for sheet in (CASES, AGENCY_RETURNS) for c in sheet.columns}
    else:
        sheets = document["columns"]
        if not isinstance(sheets, Located):
            raise fail(path, document.lines["columns"], "columns: maps each sheet to its columns and their kinds")
        columns = {}
        for sheet, declared in sheets.items():
            if sheet not in (CASES_SHEET, RETURNS_SHEET):
                raise fail(path, sheets.lines[sheet], f"unknown sheet '{sheet}'",
                           closest(sheet, (CASES_SHEET, RETURNS_SHEET)))
            if not isinstance(declared, Located):
                raise fail(path, sheets.lines[sheet], f"sheet '{sheet}' maps each column to its kind")
            for name, kind in declared.items():
                if kind not in COLUMN_KINDS:
                    raise fail(path, declared.lines[name], f"column '{name}' has unknown column kind '{kind}'",
                               closest(kind, COLUMN_KINDS))
                columns.setdefault(name, (sheet, kind))
    if any(sheet == RETURNS_SHEET and kind == "agency" for sheet, kind in columns.values()):
        columns[AGENCY_GROUP] = (RETURNS_SHEET, AGENCY_GROUP)
    return columns


def check_parameters(document: Located, path: Path) -> dict[str, Parameter]:
    declared = document.get("parameters", Located(document.line))
    if not isinstance(declared, Located):
        raise fail(path, document.lines["parameters"], "parameters: maps each name to its kind and default")
    parameters = {}
    for name, value in declared.items():
        checker = _Checker(path, {}, {}, {}, where=f"parameter '{name}'")
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


TOP_LEVEL = ("title", "key_lines_of_enquiry", "parameters", "measures", "columns")


def load_definition(path: str | Path) -> AuditDefinition:
    """Read and check an audit definition; any problem is one AuditInputError naming the file and line."""
    path = Path(path)
    document = read_yaml(path)
    top = _Checker(path, {}, {}, {})
    top.mapping(document, 1, "an audit definition", ("title", "key_lines_of_enquiry", "measures"),
                ("parameters", "columns"))
    title = top.text(document, "title")
    columns = declared_columns(document, path)
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
        checker = _Checker(path, columns, parameters, first_line, where=f"measure '{entry['id']}'")
        if entry["key_line"] not in key_lines and entry["key_line"] != SECONDARY:
            raise checker.fail(entry.lines["key_line"], f"key line '{entry['key_line']}' is not declared",
                               closest(entry["key_line"], list(key_lines) + [SECONDARY]))
        check_texts(checker, entry, parameters)
        measures.append(DeclaredMeasure(entry["id"], entry["key_line"], entry["label"], entry["definition"],
                                        entry["statement"], checker.rule(entry["rule"], entry.lines["rule"]),
                                        entry["practice"] if "practice" in entry else ""))
    measures = tuple(measures)
    gate_order(measures, first_line, path)
    return AuditDefinition(path, title, key_lines, parameters, measures, columns)


@lru_cache(maxsize=1)
def cp_conferences() -> AuditDefinition:
    """The child protection conference audit (audits/cp-conferences.yaml), read once per process."""
    return load_definition(CP_CONFERENCES)
