"""What each column accepts, as the audit team reads it: drop-down values, the form in words, input messages.

Everything here is read from the declarations in ``helpers.domain``; the template, the check's feedback and
the generated docs all use it, so they never disagree with the cleaner.
"""
from __future__ import annotations

import zlib

from ..domain.answers import AGENCY_CHOICES, ANSWER_CHOICES, DATE_FORMS, GRADES, RECOMMENDATION_STATUSES
from ..domain.measures import (
    MEASURE_IDS,
    WORKING_DAYS_RULE,
    Parameters,
    definition_of,
    measures_by_id,
    measures_counting_working_days,
    measures_of,
)
from ..domain.schema import Column

# Excel's limits on a data validation's input message (longer ones are dropped by Excel and XlsxWriter).
INPUT_TITLE_LIMIT = 32
INPUT_MESSAGE_LIMIT = 255

# Kinds whose values come from a list beyond the answer vocabularies.
LIST_KINDS = {"agency": AGENCY_CHOICES, "measure_ids": MEASURE_IDS,
              "recommendation_status": RECOMMENDATION_STATUSES}

# The accepted form of the kinds that have no list, in words.
FORMS = {
    "date": f"a date, day first: {DATE_FORMS[0]} (also {', '.join(DATE_FORMS[1:])})",
    "case_ref": "the case reference, the same in Cases and Agency returns",
    "whole_number": "a whole number (thousands separators allowed, as 1,000)",
    "percentage": "a percentage from 0 to 100 (90, 90% and 0.9 all mean 90%)",
    "text": "any text",
}


def choices_for(column: Column, params: Parameters | None = None) -> tuple[str, ...]:
    """The drop-down values of a column (empty for a column with no list): a grade column's are its scale's
    levels, the measure ids those of the audit whose parameters `params` are."""
    if column.kind == "grade" and column.scale and tuple(column.scale) != GRADES:
        return tuple(column.scale)
    if column.kind == "measure_ids" and params is not None:
        return tuple(m.id for m in measures_of(definition_of(params)))
    return ANSWER_CHOICES.get(column.kind) or LIST_KINDS.get(column.kind, ())


def list_key(column: Column) -> str:
    """The name of a column's list: its kind, or for a grade column of a scale of its own, that scale's."""
    if column.kind == "grade" and column.scale and tuple(column.scale) != GRADES:
        return f"grade_{zlib.crc32('|'.join(column.scale).encode('utf-8')):08x}"
    return column.kind


def has_drop_down(column: Column) -> bool:
    return bool(choices_for(column))


def accepted_form(column: Column, params: Parameters | None = None) -> str:
    """What the column accepts, in words: its list, or its form."""
    choices = choices_for(column, params)
    if column.kind == "agency":
        return f"one of the {len(choices)} agency names of the template's list, e.g. {', '.join(choices[:4])}"
    if column.kind == "measure_ids":
        return "measure ids from the template's list, separated by ; (docs/measures.md lists them)"
    if choices:
        return "one of: " + ", ".join(choices)
    return FORMS.get(column.kind, FORMS["text"])


def measure_sentence(column: Column, params: Parameters | None = None) -> str:
    """The measures the column feeds, with their labels as a run with these parameters shows them."""
    params = params or Parameters()
    if not column.measures:
        return ""
    by_id = measures_by_id(params)
    return "Used for: " + "; ".join(by_id[m].label_for(params) for m in column.measures if m in by_id) + "."


def counts_working_days(column: Column, params: Parameters | None = None) -> bool:
    """A date from which a working-days measure counts."""
    counting = measures_counting_working_days() if params is None else \
        tuple(m.id for m in measures_of(definition_of(params)) if "working days" in m.definition)
    return column.kind == "date" and bool(set(column.measures) & set(counting))


def entry_hint(column: Column) -> str:
    """What to enter, short enough for an input message (the feedback gives the full form)."""
    if has_drop_down(column):
        return "Pick from the list."
    if column.kind == "date":
        return f"A date, {DATE_FORMS[0]}."
    if column.kind in ("whole_number", "percentage"):
        return _capitalised(FORMS[column.kind]) + "."
    return ""


def input_message(column: Column, params: Parameters | None = None) -> str:
    """The question, what to enter, how working days count and the measures the column feeds, cut at a whole
    sentence to fit Excel's limit (`params`: the audit's, the child protection conference audit's by default)."""
    parts = [column.question, entry_hint(column), WORKING_DAYS_RULE if counts_working_days(column, params) else "",
             measure_sentence(column, params)]
    message = ""
    for part in filter(None, parts):
        candidate = f"{message} {part}".strip()
        if len(candidate) > INPUT_MESSAGE_LIMIT:
            break
        message = candidate
    return message


def input_title(column: Column) -> str:
    return column.name[:INPUT_TITLE_LIMIT]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
