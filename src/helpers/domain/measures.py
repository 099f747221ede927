"""The 22 measures of spec section 7 and the parameters they take, as the rest of the code reads them.

Each measure is declared once, in audits/cp-conferences.yaml: its id, key line of enquiry, label, the
definition in words, the phrase the narrative uses and its rule. ``helpers.measures.statuses`` evaluates
the rules; the findings table, charts, report text, template input messages, docs and tests read the
`Measure`s built here from the definition.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, make_dataclass
from functools import lru_cache

from . import definition

# The child protection conference audit's definition: the home of its thresholds' defaults, texts and rules.
_CP = definition.cp_conferences()
_DEFAULTS = _CP.parameter_defaults()


class ParameterValues:
    """A run's values of a definition's parameters (a dataclass of one field per parameter). The class knows its
    definition (`definition`, not a field): the report's words follow the parameters they are given."""

    @classmethod
    def from_values(cls, **values) -> "ParameterValues":
        """Parameters from text or typed values (make variables, papermill, JSON), each checked.

        Empty values keep the default. A bad value raises ValueError naming it and its accepted form.
        """
        chosen = {}
        for field_ in fields(cls):
            value = values.get(field_.name)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            chosen[field_.name] = _parse_flag(field_.name, value) if field_.type in (bool, "bool") \
                else _parse_whole_number(field_.name, value, field_.default)
        return cls(**chosen)


@dataclass(frozen=True)
class Parameters(ParameterValues):
    """Thresholds of spec section 7 and the other settings of a run; their defaults are the definition's."""
    report_share_working_days: int = _DEFAULTS["report_share_working_days"]
    icpc_working_days: int = _DEFAULTS["icpc_working_days"]
    core_group_working_days: int = _DEFAULTS["core_group_working_days"]
    health_counts_as_one: bool = _DEFAULTS["health_counts_as_one"]
    # The percentage a measure is expected to reach when its recommendation gives no target (report only).
    expected_standard: int = _DEFAULTS["expected_standard"]


# Set on the class, not annotated: a dataclass would list even a ClassVar in __dataclass_fields__, which the command
# line, the settings and the docs read as the parameters.
Parameters.definition = _CP


@lru_cache(maxsize=8)
def parameters_for(audit: definition.AuditDefinition) -> type:
    """The Parameters class of an audit: `Parameters` for the child protection conference audit; for another
    definition a dataclass of its own parameters, with their defaults, built the same way."""
    if audit is definition.cp_conferences():
        return Parameters
    declared = [(name, bool if p.kind == "flag" else int, field(default=p.default))
                for name, p in audit.parameters.items()]
    cls = make_dataclass("Parameters", declared, bases=(ParameterValues,), frozen=True)
    cls.definition = audit
    return cls


def definition_of(params: ParameterValues | None) -> definition.AuditDefinition:
    """The audit definition whose parameters these are (the child protection conference audit's by default)."""
    return getattr(type(params), "definition", _CP)


def measures_by_id(params: ParameterValues | None) -> dict[str, "Measure"]:
    """The measures of the audit whose parameters these are, by id."""
    audit = definition_of(params)
    return MEASURES_BY_ID if audit is _CP else {m.id: m for m in measures_of(audit)}


_WHAT = {"expected_standard": "a percentage"}


def _parse_whole_number(name: str, value, default=None) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) > 100:
        what = _WHAT.get(name, "a number of working days")
        example = default if default is not None else getattr(Parameters, name, 0)
        raise ValueError(f"{name.upper()}='{value}' is not {what} "
                         f"(give a whole number from 0 to 100, e.g. {name.upper()}={example})")
    return int(text)


_TRUE, _FALSE = {"true", "1", "yes", "y"}, {"false", "0", "no", "n"}


def _parse_flag(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValueError(f"{name.upper()}='{value}' is not true or false (give true or false)")


@dataclass(frozen=True)
class Measure:
    id: str
    kloe: str
    label: str
    definition: str
    statement: str  # completes "In N% of cases ...", e.g. "the plan was linked to presenting needs"
    # What a practitioner can do differently when the measure is an area for improvement: one plain sentence
    # for the practitioner briefing (issue 22), addressed to the reader.
    practice: str = ""

    # Label, definition, statement and practice may name a threshold, e.g. `{icpc_working_days}`: the
    # words then follow the parameters a run used.
    def label_for(self, params: Parameters) -> str:
        return self.label.format(**vars(params))

    def definition_for(self, params: Parameters) -> str:
        return self.definition.format(**vars(params))

    def statement_for(self, params: Parameters) -> str:
        return self.statement.format(**vars(params))

    def practice_for(self, params: Parameters) -> str:
        return self.practice.format(**vars(params))


# --- the declarations -------------------------------------------------------
# Declared in audits/cp-conferences.yaml (texts and rules); read and checked once, when this module is imported.

SECONDARY = definition.SECONDARY
KLOES = dict(_CP.key_lines)


def measure_of(declared: definition.DeclaredMeasure) -> Measure:
    """A Measure from a definition's measure: every field of Measure the definition gives."""
    return Measure(**{f.name: getattr(declared, _DEFINITION_FIELD.get(f.name, f.name)) for f in fields(Measure)
                      if hasattr(declared, _DEFINITION_FIELD.get(f.name, f.name))})


# The definition file says key_line where the findings and reports have always said kloe.
_DEFINITION_FIELD = {"kloe": "key_line"}

MEASURES: tuple[Measure, ...] = tuple(measure_of(m) for m in _CP.measures)


@lru_cache(maxsize=8)
def measures_of(audit: definition.AuditDefinition) -> tuple[Measure, ...]:
    """An audit's measures (MEASURES for the child protection conference audit)."""
    return MEASURES if audit is definition.cp_conferences() else tuple(measure_of(m) for m in audit.measures)

MEASURE_IDS = tuple(m.id for m in MEASURES)
MEASURES_BY_ID = {m.id: m for m in MEASURES}

# Ids a Recommendations sheet may still use from before the ids stopped naming a threshold (spec section 3b).
MEASURE_ID_ALIASES = {"icpc_within_15_working_days": "icpc_timely",
                      "core_group_within_10_working_days": "core_group_timely"}

# How every working-days measure counts (spec section 7), in the words the template and docs show.
WORKING_DAYS_RULE = "Working days are counted excluding weekends and bank holidays (England and Wales)."


def measures_counting_working_days() -> tuple[str, ...]:
    """Ids of the measures whose definition counts working days (their thresholds are parameters)."""
    return tuple(m.id for m in MEASURES if "working days" in m.definition)
