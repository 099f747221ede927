"""A seeded generator of a SYNTHETIC audit workbook (no real child is in it).

Real case files can never ship, so ``make report`` runs on this demo. It
follows the spec and deliberately carries every kind of mess the spec lists
(header spellings and aliases, every date form, ``#N/A``, non-breaking
spaces, ``a) `` prefixes, TRUE/FALSE cells, duplicates, blank rows, a missing
case reference, orphan and duplicate returns, cases outside the window, an
unmapped agency, unrecognised values). The answers of the 100 cases that
survive cleaning are allocated in exact counts, so the findings reproduce
the audit's published figures: plan linked to needs 90%, progress monitored
55%, professional agreement 60%, partnership working 78%, reports shared in
time two thirds.

An earlier SYNTHETIC audit (October 2024 to March 2025, ``build_earlier_demo``)
lets the demo show a re-audit (spec section 9): some key lines clearly lower
then than now, most about the same, early help assessments clearly higher
then; three children appear in both audits; its Recommendations sheet has
owners, due dates, targets and statuses (one overdue in 2026).

Run ``python -m helpers.run.demo PATH`` to write the current demo, and
``python -m helpers.run.demo PATH --earlier`` to write the earlier one.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import openpyxl

from ..domain.workdays import business_calendar

SEED = 20251127
N_CASES = 100
WINDOW_START = dt.date(2025, 4, 1)
WINDOW_END = dt.date(2025, 9, 30)
POPULATION = 1000
# The partnership's local authorities (spec section 3), as DfE names them: the report's Context section sets
# their published census figures (real, not synthetic) beside the synthetic audit's. Two authorities, so the
# census counts are summed; together they had 1,125 children on plans at 31 March 2025, near the population.
LOCAL_AUTHORITIES = "Hampshire; Isle of Wight"
TITLE = "SYNTHETIC DEMO: Multi-agency audit of child protection conferences, April to September 2025"

CASE_HEADERS = {
    "case_ref": "Case Ref.", "child_name": "Child name", "date_of_birth": "DOB",
    "strategy_discussion_date": "Strategy date",
    "icpc_date": "Date of Initial Child Protection Conference",
    "cp_category": "Category of abuse", "eha_completed": "Early Help Assessment Completed?",
    "referral_reason_clear": "Reason for referral clear", "historical_involvement": "Historical involvement",
    "child_participation": "Participation", "plan_linked_to_needs": "Plan linked to needs",
    "plan_smart": "SMART plan", "plan_progress_monitored": "Progress  monitored",
    "outcomes_improved": "Impact - improved outcomes", "partnership_working_effective": "Partnership working",
    "first_core_group_date": "First core group", "core_group_effective": "Core group effective",
    "father_invited": "Father invited", "father_attended": "Father\u00a0attended",
    "drift_delay_identified": "Drift or delay", "escalation_raised": "Escalation raised",
    "inquorate_reason_recorded": "Inquorate reason recorded", "stepped_down_to_cin": "Stepped down",
    "sustained_change_evidenced": "Sustained change evidenced", "recording_quality": "Quality of recording",
    "audit_date": " Audit date ", "comments": "Auditor comments",
}
RETURN_HEADERS = {
    "case_ref": "Case reference", "agency": "Organisation", "attended": "Attended ICPC",
    "report_submitted": "Report", "report_shared_date": "Date report shared with parents",
    "agreed_with_decision": "Agreed", "dissent_recorded": "Dissent recorded",
}
RECOMMENDATIONS = [
    ("Complete an early help assessment wherever a family's needs are known before a referral to "
     "children's social care.", "eha_completed"),
    ("Make the reason for referral, and the family's history with services, clear in every referral.",
     "referral_reason_clear; historical_involvement"),
    ("Hear the child's voice at every conference, in person, through an advocate or another medium.",
     "child_views_heard"),
    ("Share conference reports with parents at least two working days before the conference.",
     "reports_shared_timely"),
    ("Write SMART plans linked to the needs presented, and monitor their progress at each core group.",
     "plan_linked_to_needs, plan_smart, plan_progress_monitored"),
    ("Invite and engage fathers and male carers in conferences and plans.", "father_invited; father_attended"),
    ("Hold the first core group within ten working days and keep core groups focused on the plan.",
     "core_group_within_10_working_days; core_group_effective"),
    ("Escalate drift and delay through the partnership's escalation policy.", "escalation_when_drift"),
    ("Make conferences quorate, and record the reason when they are not.",
     "conference_quorate; inquorate_reason_recorded"),
    ("Record dissent whenever an agency disagrees with the decision, and improve recording quality.",
     "professional_agreement; dissent_recorded; recording_quality"),  # the last id is a deliberate typo
]

# The earlier audit of the re-audit demo (spec section 9): six months before the current one.
EARLIER_SEED = 20250506
EARLIER_WINDOW_START = dt.date(2024, 10, 1)
EARLIER_WINDOW_END = dt.date(2025, 3, 31)
EARLIER_POPULATION = 950
EARLIER_TITLE = ("SYNTHETIC DEMO: Multi-agency audit of child protection conferences, "
                 "October 2024 to March 2025")
EARLIER_FILE_NAME = "SYNTHETIC_demo_earlier_audit_workbook.xlsx"
# Children audited in both rounds (the current demo's refs): the comparison must count them.
SHARED_CASE_REFS = {6: "SYN-0007", 41: "SYN-0042", 70: "SYN-0088"}
EARLIER_RECOMMENDATION_HEADERS = ["Recommendation", "Measures", "Owner", "Due date", "Target", "Status"]
# Targets in the forms section 3b allows (50, "75%" and 0.9 mean 50%, 75% and 90%), due dates as date cells
# and as text. Seen from 2026 the first is overdue: its date has passed and it is still in progress.
EARLIER_RECOMMENDATIONS = [
    ("Complete an early help assessment whenever a family's needs are known before a referral to children's "
     "social care.", "eha_completed", "Head of Early Help", dt.datetime(2025, 12, 31), 50, "In progress"),
    ("Hold every initial conference within 15 working days of the strategy discussion.",
     "icpc_within_15_working_days", "Service Manager, Safeguarding and Quality Assurance", "30/06/2025", "75%",
     "Complete"),
    ("Share conference reports with parents at least two working days before the conference.",
     "reports_shared_timely", "Conference chairs", "30/09/2025", 0.9, "Complete"),
    ("Link every plan to the needs presented, and write it SMART.", "plan_linked_to_needs; plan_smart",
     "Principal Social Worker", dt.datetime(2026, 6, 30), 85, "In progress"),
    ("Make core groups effective partnerships that first meet within ten working days.",
     "partnership_working_effective, core_group_effective; core_group_timely", "LSCP Business Manager",
     "31/12/2026", 70, "Not started"),
    ("Invite fathers and male carers to every conference.", "father_invited; father_attended",
     None, None, None, None),
    ("Review the audit tool before the next audit.", None, "LSCP Business Manager", "31/10/2025", None,
     "Complete"),
]

YES_FORMS = ["Yes", "yes", "Y", True, "a) Yes", "Yes.", "\u00a0Yes ", "YES"]
NO_FORMS = ["No", "n", False, "b) No", "No.", "NO"]
PARTLY_FORMS = ["Partly", "Partially", "In part", "Yes - partly", "Yes (partly)", "c) Partly"]
NA_FORMS = ["N/A", "n/a", "NA", "Not applicable", "N.A."]
MISSING_FORMS = [None, "#N/A", "Not known", "NK", "-"]
FORMS = {"Yes": YES_FORMS, "No": NO_FORMS, "Partly": PARTLY_FORMS, "N/A": NA_FORMS, "": MISSING_FORMS}
CATEGORY_FORMS = {"NEG": ["Neglect", "NEG", "neg"], "EMO": ["Emotional abuse", "EMO", "Emotional"],
                  "PHY": ["Physical abuse", "PHY"], "SAB": ["Sexual abuse", "SAB"],
                  "MUL": ["Multiple", "MUL"]}
GRADE_FORMS = {"Outstanding": ["Outstanding", 1], "Good": ["Good", 2, "a) Good"],
               "Requires improvement": ["Requires improvement", "RI", "Req imp", 3,
                                        "Requires improvement to be good"],
               "Inadequate": ["Inadequate", 4]}
PARTICIPATION_TEXT = {0: "PN0 - child under 4", 1: "PN1 - attends and speaks for self",
                      2: "PN2 - attends, views conveyed by advocate", 3: "PN3 - attends, conveys views",
                      4: "PN 4 - does not attend, advocate conveys views",
                      5: "pn5 - views conveyed by other medium", 6: "PN6", 7: "PN7 - absent, views not conveyed"}


@dataclass
class DemoWorkbook:
    cases: list = field(default_factory=list)     # rows in sheet order, as written
    returns: list = field(default_factory=list)
    expected_outcomes: dict = field(default_factory=dict)  # (sheet, outcome) -> rows
    audit: list = field(default_factory=list)            # the Audit sheet's rows, header first
    recommendations: list = field(default_factory=list)  # the Recommendations sheet's rows, header first


@dataclass(frozen=True)
class DemoDesign:
    """One synthetic audit: its Audit sheet and the exact answer counts of the cases that survive cleaning.

    `answers` is drawn from the seeded generator in its order, so the order is part of the workbook's bytes.
    The four counts below are the Yes answers among the cases a condition selects (drift identified,
    stepped down, father invited, conference not quorate).
    """
    seed: int
    title: str
    window_start: dt.date
    window_end: dt.date
    population: int
    answers: dict
    escalated: int
    sustained_change: int
    fathers_attended: int
    inquorate_reasons: int
    audit_start: dt.date  # the panel's audits run over three weeks from this day
    case_ref: str = "SYN-{:04d}"
    local_authorities: str = LOCAL_AUTHORITIES

    @property
    def n_cases(self) -> int:
        return sum(next(iter(self.answers.values())).values())

    def audit_rows(self) -> list:
        # The window start as dd/mm/yyyy text and the end as a date cell: both forms a team uses.
        end = self.window_end
        return [["Field", "Value"], ["audit_title", self.title],
                ["window_start", self.window_start.strftime("%d/%m/%Y")],
                ["window_end", dt.datetime(end.year, end.month, end.day)], ["population", self.population],
                ["local_authorities", self.local_authorities]]


def _allocate(rng: np.random.Generator, counts: dict, n_cases: int = N_CASES) -> np.ndarray:
    """Exact counts of each answer, in a seeded random order."""
    values = np.concatenate([[value] * n for value, n in counts.items()])
    assert len(values) == n_cases, counts
    return rng.permutation(values)


def _offset(day: dt.date, working_days: int) -> dt.date:
    return np.busday_offset(np.datetime64(day), working_days, roll="forward",
                            busdaycal=business_calendar()).astype(dt.date)


def _date_form(day: dt.date | None, k: int):
    """One date written in one of the spec's forms, chosen by k (ambiguous ones day first)."""
    if day is None:
        return MISSING_FORMS[k % len(MISSING_FORMS)]
    serial = (day - dt.date(1899, 12, 30)).days
    forms = [dt.datetime(day.year, day.month, day.day), serial, serial + 0.4375,
             day.strftime("%d/%m/%Y"), f"{day.day}/{day.month}/{day:%y}", day.strftime("%d-%m-%Y"),
             day.strftime("%d.%m.%Y"), day.isoformat(), f"{day.day} {day:%b %Y}", f"{day.day} {day:%B %Y}",
             f"{day.day}{_suffix(day.day)} {day:%B %Y}"]
    return forms[k % len(forms)]


def _suffix(day: int) -> str:
    return "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _form(value: str, k: int):
    forms = FORMS[value]
    return forms[k % len(forms)]


DESIGN = DemoDesign(
    seed=SEED, title=TITLE, window_start=WINDOW_START, window_end=WINDOW_END, population=POPULATION,
    answers={
        "eha_completed": {"Yes": 23, "No": 77},
        "referral_reason_clear": {"Yes": 71, "Partly": 19, "No": 10},
        "historical_involvement": {"Yes": 64, "No": 33, "": 3},
        "plan_linked_to_needs": {"Yes": 90, "Partly": 7, "No": 3},
        "plan_smart": {"Yes": 41, "Partly": 38, "No": 19, "maybe": 2},
        "plan_progress_monitored": {"Yes": 55, "Partly": 30, "No": 15},
        "outcomes_improved": {"Yes": 48, "Partly": 22, "No": 12, "Too early to say": 18},
        "partnership_working_effective": {"Yes": 78, "Partly": 15, "No": 7},
        "core_group_effective": {"Yes": 52, "Partly": 30, "No": 18},
        "father_invited": {"Yes": 58, "No": 38, "Partly": 2, "": 2},
        "drift_delay_identified": {"Yes": 34, "No": 66},
        "stepped_down_to_cin": {"Yes": 20, "No": 80},
        "cp_category": {"NEG": 45, "EMO": 30, "PHY": 12, "SAB": 5, "MUL": 8},
        "recording_quality": {"Outstanding": 8, "Good": 37, "Requires improvement": 40, "Inadequate": 15},
        "age": {0: 15, 2: 12, 3: 5, 4: 8, 7: 25, 12: 28, 16: 7},
        "icpc_within": {True: 71, False: 29},
        "core_group_within": {True: 62, False: 38},
        "not_quorate": {True: 12, False: 88},
        "dissent": {"recorded": 25, "not recorded": 15, "none": 60},
        "reports": {"timely": 66, "late": 33, "none submitted": 1},
    },
    escalated=10, sustained_change=12, fathers_attended=31, inquorate_reasons=5, audit_start=dt.date(2025, 11, 3))


def build_demo(seed: int = SEED) -> DemoWorkbook:
    demo, truth_rows = _generate(replace(DESIGN, seed=seed))

    # Two data-entry slips the cleaning must catch: an impossible date and a core
    # group dated before the conference (a negative interval).
    truth_rows[17]["first_core_group_date"] = "31/02/2025"
    truth_rows[41]["first_core_group_date"] = _offset(truth_rows[41]["icpc_date"], -3)
    truth_rows[63]["date_of_birth"] = "sometime in 2019"

    demo.cases = [_write_case(row, k) for k, row in enumerate(truth_rows)]
    _add_case_mess(demo, truth_rows)
    _add_return_mess(demo)
    demo.recommendations = [["Recommendation", "Measures"], *map(list, RECOMMENDATIONS)]
    return demo


EARLIER_DESIGN = DemoDesign(
    seed=EARLIER_SEED, title=EARLIER_TITLE, window_start=EARLIER_WINDOW_START, window_end=EARLIER_WINDOW_END,
    population=EARLIER_POPULATION, case_ref="SYN-E{:03d}",
    answers={
        # Clearly higher then than now (45% against 23%).
        "eha_completed": {"Yes": 36, "No": 44},
        "referral_reason_clear": {"Yes": 56, "Partly": 16, "No": 8},
        "historical_involvement": {"Yes": 50, "No": 28, "": 2},
        # Clearly lower then (70% against 90%).
        "plan_linked_to_needs": {"Yes": 56, "Partly": 16, "No": 8},
        "plan_smart": {"Yes": 32, "Partly": 30, "No": 18},
        "plan_progress_monitored": {"Yes": 45, "Partly": 22, "No": 13},
        "outcomes_improved": {"Yes": 38, "Partly": 18, "No": 10, "Too early to say": 14},
        # Clearly lower then (55% against 78%).
        "partnership_working_effective": {"Yes": 44, "Partly": 24, "No": 12},
        "core_group_effective": {"Yes": 42, "Partly": 24, "No": 14},
        "father_invited": {"Yes": 30, "No": 50},
        "drift_delay_identified": {"Yes": 28, "No": 52},
        "stepped_down_to_cin": {"Yes": 16, "No": 64},
        "cp_category": {"NEG": 38, "EMO": 22, "PHY": 10, "SAB": 4, "MUL": 6},
        "recording_quality": {"Outstanding": 4, "Good": 26, "Requires improvement": 38, "Inadequate": 12},
        "age": {0: 12, 2: 10, 3: 4, 4: 6, 7: 20, 12: 22, 16: 6},
        # Clearly lower then: ICPCs in time 45% against 71%, reports shared in time 30/79 against 66/99.
        "icpc_within": {True: 36, False: 44},
        "core_group_within": {True: 50, False: 30},
        "not_quorate": {True: 10, False: 70},
        "dissent": {"recorded": 20, "not recorded": 12, "none": 48},
        "reports": {"timely": 30, "late": 49, "none submitted": 1},
    },
    escalated=8, sustained_change=9, fathers_attended=12, inquorate_reasons=3, audit_start=dt.date(2025, 5, 6))


def build_earlier_demo(seed: int = EARLIER_SEED) -> DemoWorkbook:
    """The earlier SYNTHETIC audit (October 2024 to March 2025) the demo's re-audit compares with."""
    demo, truth_rows = _generate(replace(EARLIER_DESIGN, seed=seed))
    _rename_cases(demo, truth_rows, SHARED_CASE_REFS)
    demo.cases = [_write_case(row, k) for k, row in enumerate(truth_rows)]
    _add_earlier_mess(demo, truth_rows)
    demo.recommendations = [EARLIER_RECOMMENDATION_HEADERS, *map(list, EARLIER_RECOMMENDATIONS)]
    return demo


def _rename_cases(demo: DemoWorkbook, truth_rows: list, renames: dict) -> None:
    """Give the cases at these positions another case_ref, in Cases and in their returns."""
    new_ref = {truth_rows[k]["case_ref"]: ref for k, ref in renames.items()}
    for row in truth_rows + demo.returns:
        row["case_ref"] = new_ref.get(row["case_ref"], row["case_ref"])


def _add_earlier_mess(demo: DemoWorkbook, truth_rows: list) -> None:
    """Less mess than the current demo, but one of each outcome a reconciliation shows."""
    older = dict(truth_rows[2], audit_date=EARLIER_DESIGN.audit_start - dt.timedelta(days=14), eha_completed="No")
    demo.cases.append(_write_case(older, 2))  # an older audit of the third case, placed later: superseded
    icpc = dt.date(2025, 4, 14)  # in the current audit's window, not this one's
    outside = dict(truth_rows[30], case_ref="SYN-E901", icpc_date=icpc, strategy_discussion_date=_offset(icpc, -8),
                   first_core_group_date=_offset(icpc, 7))
    demo.cases.insert(30, _write_case(outside, 30))
    demo.cases.insert(12, {})
    demo.returns.insert(40, _write_return(
        {"case_ref": "SYN-E901", "agency": "Police", "attended": "Yes", "report_submitted": "Yes",
         "report_shared_date": _offset(icpc, -3), "agreed_with_decision": "Yes", "dissent_recorded": "N/A"}, 40))
    demo.returns.insert(90, {"case_ref": "SYN-E999", "agency": "School", "attended": "Yes",
                             "report_submitted": "No", "report_shared_date": None,
                             "agreed_with_decision": "Yes", "dissent_recorded": "N/A"})
    demo.expected_outcomes.update({
        ("Cases", "blank"): 1, ("Cases", "missing_case_ref"): 0, ("Cases", "superseded_duplicate"): 1,
        ("Cases", "outside_terms_of_reference"): 1, ("Cases", "included"): len(truth_rows),
        ("Agency returns", "orphan_return"): 1, ("Agency returns", "outside_terms_of_reference"): 1,
        ("Agency returns", "included"): len(demo.returns) - 2,
    })


def _generate(design: DemoDesign) -> tuple[DemoWorkbook, list]:
    """The cases as they truly are (one dict per case, before any form is chosen) and their written returns."""
    rng = np.random.default_rng(design.seed)
    n_cases = design.n_cases
    demo = DemoWorkbook(audit=design.audit_rows())
    answers = {name: _allocate(rng, counts, n_cases) for name, counts in design.answers.items()}
    window_days = int(np.busday_count(np.datetime64(design.window_start), np.datetime64(design.window_end),
                                      busdaycal=business_calendar()))
    icpc_offsets = np.sort(rng.integers(0, window_days, n_cases))
    # The conditional answers: exact counts among the cases their condition selects.
    escalated = iter(_allocate_subset(rng, design.answers["drift_delay_identified"]["Yes"], design.escalated))
    sustained = iter(_allocate_subset(rng, design.answers["stepped_down_to_cin"]["Yes"], design.sustained_change))
    attended_father = iter(_allocate_subset(rng, design.answers["father_invited"]["Yes"], design.fathers_attended))
    inquorate_reason = iter(_allocate_subset(rng, design.answers["not_quorate"][True], design.inquorate_reasons))

    truth_rows = []
    for i in range(n_cases):
        ref = design.case_ref.format(i + 1)
        icpc = _offset(design.window_start, int(icpc_offsets[i]))
        lag = int(rng.integers(4, 16) if answers["icpc_within"][i] else rng.integers(16, 30))
        strategy = _offset(icpc, -lag)
        core_lag = int(rng.integers(3, 11) if answers["core_group_within"][i] else rng.integers(11, 25))
        core_group = _offset(icpc, core_lag)
        age = int(answers["age"][i])
        dob = icpc - dt.timedelta(days=int(365.25 * age + rng.integers(20, 340)))
        drift = answers["drift_delay_identified"][i]
        stepped = answers["stepped_down_to_cin"][i]
        invited = answers["father_invited"][i]
        not_quorate = bool(answers["not_quorate"][i])
        participation = 0 if age < 4 else int(rng.choice([1, 2, 3, 4, 5, 6, 7], p=[.2, .1, .2, .1, .1, .1, .2]))
        row = {
            "case_ref": ref, "child_name": f"Synthetic Child {i + 1:03d}", "date_of_birth": dob,
            "strategy_discussion_date": strategy, "icpc_date": icpc,
            "cp_category": answers["cp_category"][i],
            "eha_completed": answers["eha_completed"][i],
            "referral_reason_clear": answers["referral_reason_clear"][i],
            "historical_involvement": answers["historical_involvement"][i],
            "child_participation": PARTICIPATION_TEXT[participation],
            "plan_linked_to_needs": answers["plan_linked_to_needs"][i],
            "plan_smart": answers["plan_smart"][i],
            "plan_progress_monitored": answers["plan_progress_monitored"][i],
            "outcomes_improved": answers["outcomes_improved"][i],
            "partnership_working_effective": answers["partnership_working_effective"][i],
            "first_core_group_date": core_group,
            "core_group_effective": answers["core_group_effective"][i],
            "father_invited": invited,
            "father_attended": ("Yes" if next(attended_father) else "No") if invited == "Yes" else "No",
            "drift_delay_identified": drift,
            "escalation_raised": ("Yes" if next(escalated) else "No") if drift == "Yes" else "N/A",
            "inquorate_reason_recorded": ("Yes" if next(inquorate_reason) else "No") if not_quorate else "N/A",
            "stepped_down_to_cin": stepped,
            "sustained_change_evidenced": ("Yes" if next(sustained) else "No") if stepped == "Yes" else "N/A",
            "recording_quality": answers["recording_quality"][i],
            "audit_date": _offset(design.audit_start, int(rng.integers(0, 15))),
            "comments": f"Synthetic comment about case {ref}: free text that must never reach a report.",
        }
        truth_rows.append(row)
        demo.returns.extend(_returns_for(rng, ref, icpc, not_quorate, answers["dissent"][i],
                                         answers["reports"][i], i))
    return demo, truth_rows


def _allocate_subset(rng, size: int, yes: int) -> np.ndarray:
    return rng.permutation([True] * yes + [False] * (size - yes))


HEALTH_NAMES = ["Health Visitor", "HV", "School Nurse", "GP", "Midwife", "0-19 Service", "GP Surgery", "CAMHS"]
EDUCATION_NAMES = ["School", "Nursery", "DSL", "College", "Schools"]
CSC_NAMES = ["Children's Social Care", "CSC", "Childrens Services", "Social\u00a0Worker"]
POLICE_NAMES = ["Police", "MASH Police", "CAIT"]


def _returns_for(rng, ref, icpc, not_quorate, dissent, reports, i) -> list:
    agencies = [CSC_NAMES[i % 4], POLICE_NAMES[i % 3], HEALTH_NAMES[i % 8], EDUCATION_NAMES[i % 5]]
    if i % 5 == 0:
        agencies.append("National Probation Service")
    if i % 9 == 0:
        agencies.append("Housing")
    rows = []
    for a, agency in enumerate(agencies):
        attended = "Yes"
        if not_quorate and a in (1, 3):
            attended = ["Apologies", "Report only", "Sent apologies"][(i + a) % 3]
        elif a >= 4 and i % 2:
            attended = "No"
        submitted = "Yes" if a < 4 and reports != "none submitted" else "No"
        shared = None
        if submitted == "Yes":
            shared = _offset(icpc, -int(rng.integers(2, 7)))
        rows.append({"case_ref": ref, "agency": agency, "attended": attended, "report_submitted": submitted,
                     "report_shared_date": shared, "agreed_with_decision": "Yes" if attended == "Yes" else "",
                     "dissent_recorded": "N/A"})
    if reports == "late":
        late = rows[1 + i % 3]
        late["report_shared_date"] = [_offset(icpc, -1), icpc, None, _offset(icpc, 1)][i % 4]
    if dissent != "none":
        # The agency that disagrees attended: health attends even when the conference is not quorate.
        disagreeing = rows[2]
        disagreeing["agreed_with_decision"] = "No"
        disagreeing["dissent_recorded"] = "Yes" if dissent == "recorded" else "No"
    return [_write_return(row, i * 7 + k) for k, row in enumerate(rows)]


def _write_case(row: dict, k: int) -> dict:
    written = {}
    for name, value in row.items():
        if name.endswith("_date") or name == "date_of_birth":
            written[name] = _date_form(value, k + len(written)) if isinstance(value, dt.date) else value
        elif name == "cp_category":
            forms = CATEGORY_FORMS[value]
            written[name] = forms[k % len(forms)]
        elif name == "recording_quality":
            forms = GRADE_FORMS[value]
            written[name] = forms[k % len(forms)]
        elif value in FORMS:
            written[name] = _form(value, k + len(written))
        else:
            written[name] = value
    if k % 10 == 3:
        written["case_ref"] = f" {row['case_ref'].lower()}\u00a0"  # spacing and case the cleaning undoes
    return written


def _write_return(row: dict, k: int) -> dict:
    written = dict(row)
    for name in ("report_submitted", "agreed_with_decision", "dissent_recorded"):
        written[name] = _form(row[name], k)
    if row["attended"] in FORMS:
        written["attended"] = _form(row["attended"], k)
    written["report_shared_date"] = (_date_form(row["report_shared_date"], k)
                                     if row["report_shared_date"] else None)
    return written


def _add_case_mess(demo: DemoWorkbook, truth_rows: list) -> None:
    cases = demo.cases
    # Superseded duplicates: an older audit of case 5 placed LATER in the sheet, an
    # older audit of case 12 placed earlier, and a copy of case 30 with no audit date.
    older = dict(truth_rows[4], audit_date=dt.date(2025, 10, 1), plan_progress_monitored="No")
    cases.append(_write_case(older, 4))
    older = dict(truth_rows[11], audit_date="01/10/2025", plan_linked_to_needs="No")
    cases.insert(3, _write_case(older, 11))
    undated = dict(truth_rows[29], audit_date=None, partnership_working_effective="No")
    cases.insert(20, _write_case(undated, 29))
    # Cases outside the terms of reference, each with returns that share their outcome.
    for n, icpc in enumerate([dt.date(2025, 3, 14), dt.date(2025, 10, 6), dt.date(2024, 12, 2)]):
        ref = f"SYN-9{n + 1:03d}"
        outside = dict(truth_rows[n + 50], case_ref=ref, icpc_date=icpc,
                       strategy_discussion_date=_offset(icpc, -10), first_core_group_date=_offset(icpc, 8))
        cases.insert(40 + n * 20, _write_case(outside, n))
        demo.returns.insert(60 + n * 30, _write_return(
            {"case_ref": ref, "agency": "Police", "attended": "Yes", "report_submitted": "Yes",
             "report_shared_date": _offset(icpc, -3), "agreed_with_decision": "No", "dissent_recorded": "No"}, n))
    # Blank rows (one of them only spaces) and a row with no case reference.
    cases.insert(55, {})
    cases.insert(80, {"child_name": "  ", "comments": "\u00a0"})
    cases.insert(90, _write_case(dict(truth_rows[70], case_ref=""), 70))
    demo.expected_outcomes.update({("Cases", "blank"): 2, ("Cases", "missing_case_ref"): 1,
                                   ("Cases", "superseded_duplicate"): 3,
                                   ("Cases", "outside_terms_of_reference"): 3, ("Cases", "included"): 100})


def _add_return_mess(demo: DemoWorkbook) -> None:
    returns = demo.returns
    base = len(returns)
    # Duplicate returns: an earlier, stale return for the same case and agency
    # ("HV" and "Health Visitor" are the same agency), kept out by the later one.
    stale = [dict(r, agreed_with_decision="No", attended="No") for r in (returns[2], returns[40], returns[101])]
    for n, row in enumerate(stale):
        returns.insert(n * 15, row)
    for n, ref in enumerate(["SYN-7001", "SYN-7002"]):  # orphans: no such case
        returns.insert(30 + n * 40, {"case_ref": ref, "agency": "School", "attended": "Yes",
                                     "report_submitted": "Yes", "report_shared_date": "12/05/2025",
                                     "agreed_with_decision": "Yes", "dissent_recorded": "N/A"})
    returns.insert(120, {"case_ref": "SYN-0010", "agency": "Barnardo's Family Centre", "attended": "Yes",
                         "report_submitted": "No", "report_shared_date": None,
                         "agreed_with_decision": "Yes", "dissent_recorded": "N/A"})
    returns.insert(77, {"case_ref": None, "agency": "Police", "attended": "Yes", "report_submitted": "Yes",
                        "report_shared_date": "3 June 2025", "agreed_with_decision": "Yes",
                        "dissent_recorded": "N/A"})
    returns.insert(200, {})
    returns.insert(260, {"agency": " "})
    outside_returns = 3
    demo.expected_outcomes.update({
        ("Agency returns", "blank"): 2, ("Agency returns", "missing_case_ref"): 1,
        ("Agency returns", "orphan_return"): 2, ("Agency returns", "superseded_duplicate"): 3,
        ("Agency returns", "outside_terms_of_reference"): outside_returns,
        ("Agency returns", "included"): base - outside_returns + 1,
    })


def write_workbook(demo: DemoWorkbook, path: str | Path) -> Path:
    """Write the demo as an .xlsx the way an audit team's workbook arrives."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "About this file"
    notes.append(["SYNTHETIC DEMO DATA. No real child, family or case is in this workbook."])
    notes.append(["Written by helpers.demo (seeded) for the cp-conference-audit project."])
    _write_sheet(book.create_sheet("CASES"), CASE_HEADERS, demo.cases, leading_blank_rows=1)
    _write_sheet(book.create_sheet("Agency_Returns"), RETURN_HEADERS, demo.returns)
    audit = book.create_sheet("audit")
    for row in demo.audit:
        audit.append(row)
    recommendations = book.create_sheet("Recommendations ")
    for row in demo.recommendations:
        recommendations.append(row)
    book.save(path)
    _fix_timestamps(path)
    return path


FIXED_TIME = (2025, 11, 27, 0, 0, 0)


def _fix_timestamps(path: Path) -> None:
    """Same seed, same bytes: openpyxl stamps the save time into docProps and the zip entries,
    so rewrite both with a fixed time (the report shows the workbook's SHA-256)."""
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    stamp = "{:04d}-{:02d}-{:02d}T00:00:00Z".format(*FIXED_TIME[:3]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms)",
                              rb"\g<1>" + stamp + rb"\g<2>", data)
            target.writestr(zipfile.ZipInfo(name, date_time=FIXED_TIME), data, compress_type=zipfile.ZIP_DEFLATED)


def _write_sheet(sheet, headers: dict, rows: list, leading_blank_rows: int = 0) -> None:
    for _ in range(leading_blank_rows):
        sheet.append([None])
    sheet.append(list(headers.values()))
    for row in rows:
        sheet.append([row.get(name) for name in headers])


def main(argv: list[str]) -> int:
    """`python -m helpers.run.demo [PATH] [--earlier]`: the current demo, or with --earlier the earlier one."""
    earlier = "--earlier" in argv[1:]
    paths = [a for a in argv[1:] if a != "--earlier"]
    if paths:
        target = Path(paths[0])
    else:
        from .. import config
        target = config.DEMO_WORKBOOK.with_name(EARLIER_FILE_NAME) if earlier else config.DEMO_WORKBOOK
    write_workbook(build_earlier_demo() if earlier else build_demo(), target)
    print(f"demo: wrote the SYNTHETIC {'earlier ' if earlier else ''}demo workbook {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
