"""The answer vocabularies of spec sections 2 and 5, declared once.

Every normaliser, measure, template drop-down and generated doc reads these
tables; nothing retypes them.
"""
from __future__ import annotations

MISSING_VALUES = frozenset({"", "-", "#n/a", "nk", "n/k", "not known", "unknown",
                            "not recorded", "?", "tbc"})
NA_VALUES = frozenset({"n/a", "na", "n.a", "not applicable"})
YES_VALUES = frozenset({"yes", "y", "true"})
PARTLY_VALUES = frozenset({"partly", "partially", "part", "in part", "yes - partly",
                           "yes partly", "yes (partly)"})
NO_VALUES = frozenset({"no", "n", "false"})

# Canonical answers. NA_ANSWER is the answer "N/A"; a measure's not_applicable status and the
# published symbol `z` are other things, named differently.
YES, PARTLY, NO, NA_ANSWER = "Yes", "Partly", "No", "N/A"

_YN = {**{v: YES for v in YES_VALUES}, **{v: NO for v in NO_VALUES},
       **{v: NA_ANSWER for v in NA_VALUES}}
_YPN = {**_YN, **{v: PARTLY for v in PARTLY_VALUES}}

GRADES = ("Outstanding", "Good", "Requires improvement", "Inadequate")
GOOD_GRADES = GRADES[:2]
CATEGORIES = ("NEG", "PHY", "SAB", "EMO", "MUL")

VOCABULARIES: dict[str, dict[str, str]] = {
    "yn": _YN,
    "ypn": _YPN,
    "eha": {**_YN, **{v: NO for v in ("started", "in progress", "started not completed",
                                      "started - not completed")}},
    "outcomes": {**_YPN, **{v: NA_ANSWER for v in ("too early", "too early to say")}},
    "attended": {**_YN, **{v: NO for v in ("apologies", "sent apologies", "report only")}},
    "grade": {
        **{v: NA_ANSWER for v in NA_VALUES},
        "outstanding": "Outstanding", "1": "Outstanding",
        "good": "Good", "2": "Good",
        "requires improvement": "Requires improvement", "ri": "Requires improvement",
        "req imp": "Requires improvement",
        "requires improvement to be good": "Requires improvement", "3": "Requires improvement",
        "inadequate": "Inadequate", "4": "Inadequate",
    },
    "category": {
        **{v: NA_ANSWER for v in NA_VALUES},
        "neg": "NEG", "neglect": "NEG",
        "phy": "PHY", "physical": "PHY", "physical abuse": "PHY",
        "sab": "SAB", "sexual": "SAB", "sexual abuse": "SAB",
        "emo": "EMO", "emotional": "EMO", "emotional abuse": "EMO",
        "mul": "MUL", "multiple": "MUL", "multiple/not recommended": "MUL",
    },
    "participation": {v: NA_ANSWER for v in NA_VALUES},
}

GRADE_SCALE_KIND = "grade:"  # a grade column of a scale of its own is read as kind "grade:<levels joined by |>"


def answer_kind(kind: str, scale: tuple[str, ...] = ()) -> str:
    """The kind a column is read as: its own, or for a grade column of another scale than the spec's, that scale."""
    if kind == "grade" and scale and tuple(scale) != GRADES:
        return GRADE_SCALE_KIND + "|".join(scale)
    return kind


def vocabulary(kind: str) -> dict[str, str]:
    """The answers a kind reads, as normalised text (spec section 2) -> canonical answer.

    A grade scale of a definition's own reads each level written out or as its number (1 the best), N/A, and the
    spec's short forms of any level it shares with the spec's grades (ri for Requires improvement).
    """
    if not kind.startswith(GRADE_SCALE_KIND):
        return VOCABULARIES[kind]
    levels = kind[len(GRADE_SCALE_KIND):].split("|")
    words = {" ".join(level.lower().split()).rstrip("."): level for level in levels}
    shared = {text: level for text, level in VOCABULARIES["grade"].items() if level in levels and not text.isdigit()}
    return {**{v: NA_ANSWER for v in NA_VALUES}, **shared, **words,
            **{str(number): level for number, level in enumerate(levels, start=1)}}


AGENCY_GROUPS: dict[str, tuple[str, ...]] = {
    "Children's social care": ("childrens social care", "csc", "social care",
                               "childrens services", "social worker"),
    "Police": ("police", "mash police", "cait"),
    "Health": ("health", "health visitor", "hv", "school nurse", "school nursing",
               "0 19 service", "gp", "gp surgery", "midwife", "midwifery", "paediatrician",
               "paediatrics", "camhs", "adult mental health"),
    "Education": ("education", "school", "schools", "nursery", "college", "dsl"),
    "Probation": ("probation", "national probation service"),
    "Youth justice": ("youth justice", "yot", "youth offending service"),
    "Housing": ("housing",),
    "Adult services": ("adult social care", "substance misuse service",
                       "drug and alcohol service"),
    "Voluntary sector": ("voluntary sector",),
    "Early help": ("early help", "family support"),
}
UNMAPPED = "Unmapped"
CHILDRENS_SOCIAL_CARE = "Children's social care"
HEALTH = "Health"
# Pure synonyms share one agency; every other name is its own agency in its group.
AGENCY_SYNONYMS = {"hv": "health visitor", "csc": "childrens social care", "gp surgery": "gp"}
AGENCY_GROUP_OF = {name: group for group, names in AGENCY_GROUPS.items() for name in names}


# Age band at the ICPC (spec section 4).
AGE_BANDS = ("Under 1", "1-4", "5-9", "10-15", "16+", "Not known")

# Status of a recommendation (spec section 3b), as written in the Recommendations sheet.
RECOMMENDATION_STATUSES = ("Not started", "In progress", "Complete")


# --- as the audit team writes them ------------------------------------------
# The template's drop-downs, the generated docs and the check's feedback show these forms. Each is read back
# by the cleaner as the answer it names (tests/unit/test_template.py checks every one), so a workbook filled
# from the drop-downs has no unrecognised value.

CATEGORY_NAMES = {"NEG": "Neglect", "PHY": "Physical abuse", "SAB": "Sexual abuse", "EMO": "Emotional abuse",
                  "MUL": "Multiple"}
# The participation codes (PN0-PN7) in short words; the cleaner reads the code at the start.
PARTICIPATION_CODES = {
    "PN0": "child under 4",
    "PN1": "views heard: attends and speaks",
    "PN2": "views heard: attends, an advocate speaks",
    "PN3": "views heard: attends and conveys views",
    "PN4": "views heard: attends, views conveyed by others",
    "PN5": "views heard: does not attend, an advocate conveys views",
    "PN6": "views heard: does not attend, views conveyed another way",
    "PN7": "does not attend, views not conveyed",
}
ANSWER_CHOICES: dict[str, tuple[str, ...]] = {
    "yn": (YES, NO, NA_ANSWER),
    "ypn": (YES, PARTLY, NO, NA_ANSWER),
    "eha": (YES, "Started - not completed", NO, NA_ANSWER),
    "outcomes": (YES, PARTLY, NO, "Too early to say", NA_ANSWER),
    # An invited agency either came or did not: N/A is no answer to attendance.
    "attended": (YES, "Sent apologies", "Report only", NO),
    "grade": GRADES,
    "category": tuple(CATEGORY_NAMES[code] for code in CATEGORIES),
    "participation": tuple(f"{code} - {words}" for code, words in PARTICIPATION_CODES.items()),
}

# Agency names as written, where capitalising the first letter of the matched name is not enough.
AGENCY_DISPLAY_NAMES = {
    "childrens social care": "Children's social care", "childrens services": "Children's services",
    "mash police": "MASH police", "cait": "CAIT", "0 19 service": "0-19 service", "gp": "GP",
    "camhs": "CAMHS", "dsl": "DSL", "yot": "YOT",
}


def agency_display_name(name: str) -> str:
    return AGENCY_DISPLAY_NAMES.get(name, name[:1].upper() + name[1:])


# Every agency name the cleaner maps, group by group; a pure synonym (HV, CSC, GP surgery) is left out
# because it names the same agency as another entry.
AGENCY_CHOICES = tuple(agency_display_name(name) for names in AGENCY_GROUPS.values() for name in names
                       if name not in AGENCY_SYNONYMS)

# The date forms the cleaner reads (spec section 2), as examples; always day first.
DATE_FORMS = ("dd/mm/yyyy", "d/m/yy", "dd-mm-yyyy", "dd.mm.yyyy", "yyyy-mm-dd", "3 Dec 2019", "3 December 2019",
              "3rd December 2019")
