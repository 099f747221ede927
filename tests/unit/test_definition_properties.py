"""Property (issue 23): for random definitions built from the rule kinds and random cases and returns, every
measure's numerator, denominator, not applicable and not recorded match a plain per-case evaluation of its rules,
written here from the definition as written (the YAML's mappings), one case and one return at a time."""
from __future__ import annotations

import numpy as np
import pandas as pd
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from helpers.domain.definition import load_definition
from helpers.domain.workdays import bank_holidays
from helpers.measures import Parameters
from helpers.measures.statuses import measure_statuses

ANSWERS = {"yn": ["Yes", "No", "N/A"], "ypn": ["Yes", "Partly", "No", "N/A"],
           "grade": ["Outstanding", "Good", "Requires improvement", "Inadequate", "N/A"],
           "three": ["High", "Middle", "Low", "N/A"]}  # a grade scale of the definition's own (grade_scales)
CASE_ANSWERS = {"a_yn": "yn", "b_ypn": "ypn", "c_grade": "grade", "e_three": "three"}
RETURN_ANSWERS = {"attended": "yn", "submitted": "yn", "r_three": "three"}
GRADE_COLUMNS = {"c_grade": "grade", "e_three": "three", "r_three": "three"}
GROUPS = ["Children's social care", "Police", "Health", "Unmapped"]


def long_form(columns: dict) -> list:
    """Columns in the long form: a grade column of the scale `three` names it."""
    return [{"name": name, "kind": "grade", "scale": "three"} if kind == "three" else {"name": name, "kind": kind}
            for name, kind in columns.items()]


COLUMNS = {"Cases": long_form({"case_ref": "case_ref", **CASE_ANSWERS, "d_begin": "date", "d_end": "date"}),
           # The short form: name -> kind.
           "Agency returns": {"case_ref": "case_ref", "agency": "agency", "attended": "yn", "submitted": "yn",
                              "shared": "date"}}
COLUMNS["Agency returns"] = long_form({**COLUMNS["Agency returns"], "r_three": "three"})
SCALES = {"three": ANSWERS["three"][:3]}
STATUSES = ["met", "not_met", "not_applicable", "not_recorded"]
DAY0 = np.datetime64("2025-05-01")


# --- random definitions -----------------------------------------------------

def subset(values):
    return st.lists(st.sampled_from(values), min_size=1, unique=True)


@st.composite
def answer_rules(draw):
    column = draw(st.sampled_from(sorted(CASE_ANSWERS)))
    answers = ANSWERS[CASE_ANSWERS[column]]
    not_applicable = draw(st.lists(st.sampled_from(answers), max_size=2, unique=True))
    of = draw(subset([a for a in answers if a not in not_applicable] or answers[:1]))
    of = [a for a in of if a not in not_applicable] or [a for a in answers if a not in not_applicable][:1]
    met = draw(st.lists(st.sampled_from(of), unique=True))
    return {"kind": "answer", "column": column, "met": met or of[:1], "of": of, "not_applicable": not_applicable}


grade_rules = st.builds(lambda level: {"kind": "grade_at_least", "column": "c_grade", "level": level},
                        st.sampled_from(ANSWERS["grade"][:4]))
working_day_rules = st.builds(
    lambda bound, threshold: {"kind": "working_days", "from": "d_begin", "to": "d_end", bound: threshold},
    st.sampled_from(["at_most", "at_least"]), st.one_of(st.integers(0, 8), st.just("days")))


@st.composite
def grade_distribution_rules(draw):
    column = draw(st.sampled_from(sorted(GRADE_COLUMNS)))
    levels = ANSWERS[GRADE_COLUMNS[column]][:-1]
    return {"kind": "grade_distribution", "column": column, "at_least": draw(st.sampled_from(levels))}


@st.composite
def conditions(draw, allow_days: bool):
    condition = {}
    for column in draw(st.lists(st.sampled_from(sorted(RETURN_ANSWERS) + ["agency_group", "a_yn"]), unique=True)):
        answers = GROUPS if column == "agency_group" else ANSWERS[RETURN_ANSWERS.get(column, "yn")]
        condition[column] = draw(subset(answers))
    if allow_days and draw(st.booleans()):
        condition["working_days"] = {"from": "shared", "to": "d_end", "at_least": draw(st.integers(0, 3))}
    return condition


@st.composite
def returns_rules(draw):
    kind = draw(st.sampled_from(["returns_all", "returns_any", "distinct_groups_at_least"]))
    rule = {"kind": kind, "met": draw(conditions(True))}
    if draw(st.booleans()):
        rule["of"] = draw(conditions(False))
    for key in ("when_none", "when_no_returns"):
        if draw(st.booleans()):
            rule[key] = draw(st.sampled_from(STATUSES))
    if draw(st.booleans()):
        rule["needs"] = ["d_end"]
    if kind == "distinct_groups_at_least":
        rule.update(at_least=draw(st.integers(1, 3)), not_counting=draw(st.lists(st.sampled_from(GROUPS),
                                                                                  unique=True, max_size=2)))
        if draw(st.booleans()):
            rule["apart"] = {"group": "Health", "by": "agency", "unless": "together"}
        if not rule["not_counting"]:
            del rule["not_counting"]
    return rule


# Rules over returns are drawn as often as the three per-case kinds together: they have the most branches.
simple_rules = st.one_of(returns_rules(), st.one_of(answer_rules(), grade_rules, working_day_rules))


@st.composite
def rules(draw, earlier: list[str]):
    choice = draw(st.sampled_from(["simple", "gated_column", "gated_measure", "all_of", "grade_distribution"]))
    if choice == "grade_distribution":  # a measure's own rule only
        return draw(grade_distribution_rules())
    if choice == "gated_column":
        is_ = draw(subset(ANSWERS["yn"]))
        shut = [a for a in draw(st.lists(st.sampled_from(ANSWERS["yn"]), unique=True)) if a not in is_]
        return {"kind": "gated", "when": {"column": "a_yn", "is": is_}, "not_applicable": shut,
                "rule": draw(simple_rules)}
    if choice == "gated_measure" and earlier:
        is_ = draw(subset(STATUSES))
        shut = [s for s in draw(st.lists(st.sampled_from(STATUSES), unique=True)) if s not in is_]
        return {"kind": "gated", "when": {"measure": draw(st.sampled_from(earlier)), "is": is_},
                "not_applicable": shut, "rule": draw(simple_rules)}
    if choice == "all_of":
        return {"kind": "all_of", "rules": draw(st.lists(simple_rules, min_size=2, max_size=3))}
    return draw(simple_rules)


@st.composite
def definitions(draw):
    measures = []
    for number in range(draw(st.integers(1, 5))):
        rule = draw(rules([m["id"] for m in measures]))
        measures.append({"id": f"m{number}", "key_line": "secondary", "label": "l", "definition": "d",
                         "statement": "s", "rule": rule})
    return {"title": "Random audit", "key_lines_of_enquiry": [],
            "parameters": {"days": {"kind": "working_days", "default": draw(st.integers(0, 8))},
                           "together": {"kind": "flag", "default": draw(st.booleans())}},
            "grade_scales": SCALES, "columns": COLUMNS, "measures": measures}


# --- random cases and returns -----------------------------------------------

maybe = st.one_of(st.none(), st.text(min_size=0, max_size=0))


@st.composite
def tables(draw):
    n = draw(st.integers(1, 12))
    cases = {"case_id": [f"c{i}" for i in range(n)]}
    for column, kind in CASE_ANSWERS.items():
        cases[column] = [draw(st.one_of(st.none(), st.sampled_from(ANSWERS[kind]))) for _ in range(n)]
    for column in ("d_begin", "d_end"):
        cases[column] = [draw(st.one_of(st.none(), st.integers(0, 6))) for _ in range(n)]
        cases[f"{column}_not_applicable"] = [draw(st.booleans()) for _ in range(n)]
    returns = []
    for _ in range(draw(st.integers(0, 4 * n + 2))):
        returns.append({"case_id": f"c{draw(st.integers(0, n))}",  # c{n} is a return of no included case
                        "agency": draw(st.sampled_from(["a", "b", "c"])),
                        "agency_group": draw(st.one_of(st.none(), st.sampled_from(GROUPS))),
                        **{column: draw(st.one_of(st.none(), st.sampled_from(ANSWERS[kind])))
                           for column, kind in RETURN_ANSWERS.items()},
                        "shared": draw(st.one_of(st.none(), st.integers(0, 6)))})
    return cases, returns


def frames(cases: dict, returns: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    def dates(days):
        return pd.to_datetime(pd.Series([None if pd.isna(d) else DAY0 + int(d) for d in days], dtype="object"))

    frame = pd.DataFrame({"case_id": cases["case_id"]})
    for column in CASE_ANSWERS:
        frame[column] = pd.array(cases[column], dtype="string")
    for column in ("d_begin", "d_end"):
        frame[column] = dates(cases[column])
        frame[f"{column}_not_applicable"] = cases[f"{column}_not_applicable"]
    rows = pd.DataFrame(returns, columns=["case_id", "agency", "agency_group", *RETURN_ANSWERS, "shared"])
    for column in ["case_id", "agency", "agency_group", *RETURN_ANSWERS]:
        rows[column] = rows[column].astype("string")
    rows["shared"] = dates(rows["shared"].tolist())
    return frame, rows


# --- the plain evaluation: one case at a time -------------------------------

def working_days(begin: int, end: int) -> int:
    return int(np.busday_count(DAY0 + begin, DAY0 + end, holidays=bank_holidays()))


def threshold(value, params: dict) -> int:
    return params[value] if isinstance(value, str) else value


def holds(condition: dict, ret: dict, case: dict, params: dict) -> bool:
    for column, answers in condition.items():
        if column == "working_days":
            if ret["shared"] is None or case["d_end"] is None:
                return False
            if working_days(ret["shared"], case["d_end"]) < answers["at_least"]:
                return False
        else:
            value = case[column] if column in CASE_ANSWERS else ret[column]
            if value not in answers:
                return False
    return True


def plain_status(rule: dict, case: dict, case_returns: list[dict], done: dict, params: dict) -> str:
    kind = rule["kind"]
    if kind == "grade_distribution" and rule["column"] in RETURN_ANSWERS:
        # Per case: every graded return at or above the level; no graded return (or no return) is not recorded.
        levels = ANSWERS[GRADE_COLUMNS[rule["column"]]][:-1]
        graded = [r[rule["column"]] for r in case_returns if r[rule["column"]] in levels]
        if not graded:
            return "not_recorded"
        good = levels[:levels.index(rule["at_least"]) + 1]
        return "met" if all(g in good for g in graded) else "not_met"
    if kind == "grade_distribution":
        levels = ANSWERS[GRADE_COLUMNS[rule["column"]]][:-1]
        rule = {"column": rule["column"], "met": levels[:levels.index(rule["at_least"]) + 1], "of": levels,
                "not_applicable": ["N/A"]}
        kind = "answer"
    if kind in ("answer", "grade_at_least"):
        if kind == "grade_at_least":
            grades = ANSWERS["grade"][:4]
            rule = {"column": "c_grade", "met": grades[:grades.index(rule["level"]) + 1], "of": grades,
                    "not_applicable": ["N/A"]}
        value = case[rule["column"]]
        if value in rule["of"]:
            return "met" if value in rule["met"] else "not_met"
        return "not_applicable" if value in rule["not_applicable"] else "not_recorded"
    if kind == "working_days":
        begin, end = case["d_begin"], case["d_end"]
        if begin is None or end is None:
            either_na = case["d_begin_not_applicable"] or case["d_end_not_applicable"]
            return "not_applicable" if either_na else "not_recorded"
        days = working_days(begin, end)
        if days < 0:
            return "not_recorded"
        limit = threshold(rule.get("at_most", rule.get("at_least")), params)
        return "met" if (days <= limit if "at_most" in rule else days >= limit) else "not_met"
    if kind == "gated":
        when = rule["when"]
        gate = case[when["column"]] if "column" in when else done[when["measure"]]
        if gate in when["is"]:
            return plain_status(rule["rule"], case, case_returns, done, params)
        return "not_applicable" if gate in rule.get("not_applicable", []) else "not_recorded"
    if kind == "all_of":
        parts = [plain_status(part, case, case_returns, done, params) for part in rule["rules"]]
        for status in ("not_recorded", "not_applicable"):
            if status in parts:
                return status
        return "met" if all(p == "met" for p in parts) else "not_met"
    # over the case's returns
    if "needs" in rule and case["d_end"] is None:
        return "not_recorded"
    when_none = rule.get("when_none", "not_recorded")
    if not case_returns:
        return rule.get("when_no_returns", when_none)
    considered = [r for r in case_returns if holds(rule.get("of", {}), r, case, params)]
    if not considered:
        return when_none
    met = [r for r in considered if holds(rule["met"], r, case, params)]
    if kind == "returns_all":
        return "met" if len(met) == len(considered) else "not_met"
    if kind == "returns_any":
        return "met" if met else "not_met"
    groups = set()
    for r in met:
        group = r["agency_group"]
        if group in rule.get("not_counting", []):
            continue
        if "apart" in rule and not params["together"] and group == "Health":
            group = "Health: " + r["agency"]
        groups.add(group)
    return "met" if len(groups) >= rule["at_least"] else "not_met"


@settings(max_examples=examples(25, 100))
@given(definitions(), tables())
def test_every_measure_counts_as_its_rules_evaluated_case_by_case(tmp_path_factory, document, data):
    path = tmp_path_factory.mktemp("definition") / "random.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    definition = load_definition(path)
    cases, returns = data
    statuses = measure_statuses(*frames(cases, returns), Parameters(), definition)
    params = {name: p["default"] for name, p in document["parameters"].items()}
    for measure in document["measures"]:
        expected = []
        for i, case_id in enumerate(cases["case_id"]):
            case = {column: values[i] for column, values in cases.items()}
            done = {m: statuses.loc[i, m] for m in statuses.columns if m != "case_id"}
            case_returns = [r for r in returns if r["case_id"] == case_id]
            expected.append(plain_status(measure["rule"], case, case_returns, done, params))
        got = statuses[measure["id"]].astype(str).tolist()
        for status in STATUSES:
            assert got.count(status) == expected.count(status), (measure, status)
        assert got == expected, measure
