"""National and local context from the DfE children in need census (issue 13)."""
from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from conftest import ROOT
from helpers.context import (
    build_context,
    census_year_of,
    census_years,
    load_census,
    population_differs,
    resolve_authorities,
    unknown_authority_issues,
)
from helpers.context.census import EXTRACT_DIR, split_symbols
from helpers.context.comparisons import ICPC_WITHIN_15_DAYS, comparison_table
from helpers.errors import AuditInputError
from helpers.report.context_section import HOW_TO_ADD, MEASURES_DIFFER, context_section, method_note, rate_table

ICPC_ROW = {"measure_id": "icpc_timely", "kloe": "4 Planning", "label": "ICPC within 15 working days of strategy "
            "discussion", "numerator": 62, "denominator": 90, "not_applicable": 0, "not_recorded": 10,
            "percent": 68.9, "ci_lower": 58.7, "ci_upper": 77.5}


@pytest.fixture(scope="module")
def census():
    return load_census()


def rates_for(context, role, table="icpc_timeliness"):
    rates = getattr(context, table)
    return rates[rates["role"] == role].set_index("year")


def la_row(census, name, year, table="icpc"):
    frame = getattr(census, table)
    return frame[(frame["la_name"] == name) & (frame["year"] == year)].iloc[0]


# --- the loader ------------------------------------------------------------------------------------------

def test_the_shipped_extract_names_its_release_and_licence(census):
    assert census.release == "Characteristics of children in need: 2025"
    assert "Open Government Licence v3.0" in census.citation
    assert census.years[0] == 2013 and census.years[-1] == 2025
    assert "Open Government Licence v3.0" in (EXTRACT_DIR / "README.md").read_text()


def test_symbols_are_kept_beside_the_numbers_never_read_as_zero():
    numbers, symbols = split_symbols(pd.Series(["304", "c", "z", "x", "u", "", "1,234"]))
    assert numbers.iloc[0] == 304 and numbers.iloc[-1] == 1234
    assert numbers.iloc[1:6].isna().all()
    assert symbols.tolist() == ["", "c", "z", "x", "u", "x", ""]


def test_columns_are_read_by_name_whatever_their_order_and_case(tmp_path, census):
    folder = tmp_path / "release"
    shutil.copytree(EXTRACT_DIR, folder)
    path = next(folder.glob("c4_*.csv"))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    # A later release reorders the columns and changes their case.
    frame = frame[frame.columns[::-1]].rename(columns={"ICPC": "icpc", "Duration_0-10_days": "DURATION_0_10_DAYS"})
    frame.to_csv(path, index=False)
    moved = load_census(folder)
    england = moved.icpc[(moved.icpc["geographic_level"] == "National") & (moved.icpc["year"] == 2025)].iloc[0]
    assert (england["icpc"], england["days_0_10"]) == (72100, 6240)
    assert moved.icpc.shape == census.icpc.shape


def test_a_missing_census_column_is_a_one_line_error_naming_it(tmp_path):
    folder = tmp_path / "release"
    shutil.copytree(EXTRACT_DIR, folder)
    path = next(folder.glob("d3_*.csv"))
    pd.read_csv(path, dtype=str).drop(columns="CPP_start").to_csv(path, index=False)
    with pytest.raises(AuditInputError, match="CPP_start"):
        load_census(folder)


def test_national_and_regional_counts_are_marked_rounded(census):
    levels = census.icpc.groupby("geographic_level")["rounded"].all()
    assert levels["National"] and levels["Regional"] and not levels["Local authority"]


# --- census years ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("window_end, expected", [
    ("30/09/2024", [2021, 2022, 2023, 2024, 2025]),   # census year to 31 March 2025 covers September 2024
    ("31/03/2023", [2019, 2020, 2021, 2022, 2023]),   # 31 March is the last day of its census year
    ("01/04/2023", [2020, 2021, 2022, 2023, 2024]),
    ("30/09/2025", [2021, 2022, 2023, 2024, 2025]),   # newer than the extract: the latest five
    ("", [2021, 2022, 2023, 2024, 2025]),
    ("30/06/2014", [2013, 2014, 2015]),               # only the years the extract holds
])
def test_five_census_years_up_to_the_one_covering_the_window_end(census, window_end, expected):
    assert census_years(census.years, window_end) == expected


def test_census_year_ends_on_31_march():
    assert census_year_of("2024-03-31") == 2024 and census_year_of("2024-04-01") == 2025


# --- England and the worked examples of the README ---------------------------------------------------------

def test_england_2025_icpcs_within_15_working_days_is_81_4_percent(census):
    england = rates_for(build_context(census=census), "england").loc[2025]
    assert (england["numerator"], england["denominator"]) == (6240 + 52430, 72100)
    assert round(england["percent"], 1) == 81.4


def test_england_2025_repeat_plans_is_24_5_percent(census):
    england = rates_for(build_context(census=census), "england", "repeat_plans").loc[2025]
    assert (england["numerator"], england["denominator"]) == (15130, 61840)
    assert round(england["percent"], 1) == 24.5


def test_without_local_authorities_only_england_is_shown(census):
    context = build_context("", census=census)
    assert set(context.icpc_timeliness["role"]) == {"england"} and context.population_check is None


# --- our authorities ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["302", "E09000003", "barnet", "  BARNET ", "Barnet."])
def test_an_authority_is_found_by_code_e_code_or_name_ignoring_case_and_spaces(census, written):
    resolution = resolve_authorities(written, census)
    assert resolution.codes == ["302"] and not resolution.unknown


def test_a_census_name_with_a_comma_stays_whole(census):
    resolution = resolve_authorities("Bristol, City of; Barnet", census)
    assert resolution.codes == ["801", "302"]


def test_two_authorities_are_summed_from_their_counts(census):
    context = build_context("Barnet; Enfield", census=census)
    ours = rates_for(context, "local").loc[2025]
    barnet, enfield = la_row(census, "Barnet", 2025), la_row(census, "Enfield", 2025)
    within = sum(row["days_0_10"] + row["days_11_15"] for row in (barnet, enfield))
    assert ours["numerator"] == within and ours["denominator"] == barnet["icpc"] + enfield["icpc"]
    assert ours["percent"] == pytest.approx(100 * within / (barnet["icpc"] + enfield["icpc"]))
    assert ours["comparator"] == "Barnet and Enfield"
    # Not the average of the two percentages: the sum weights each authority by its conferences.
    average = (100 * (barnet["days_0_10"] + barnet["days_11_15"]) / barnet["icpc"]
               + 100 * (enfield["days_0_10"] + enfield["days_11_15"]) / enfield["icpc"]) / 2
    assert ours["percent"] != pytest.approx(average)


def test_an_authority_with_c_cells_shows_c_and_a_range_bounded_by_published_totals(census):
    # Hartlepool 2025: ICPC 304; 0-10 days c, 11-15 days 287, 16-20 days 7, 21+ days c.
    hartlepool = rates_for(build_context("Hartlepool", census=census), "local").loc[2025]
    assert hartlepool["symbol"] == "c" and pd.isna(hartlepool["percent"]) and pd.isna(hartlepool["numerator"])
    assert hartlepool["range_low"] == pytest.approx(100 * 287 / 304)
    assert hartlepool["range_high"] == pytest.approx(100 * (287 + 304 - 287 - 7) / 304)
    shown = rate_table(build_context("Hartlepool", census=census).icpc_timeliness).set_index("Comparator")
    assert shown.loc["Hartlepool", "2025"] == "c (range 94.4 to 97.7)"


def test_a_withheld_part_makes_the_sum_withheld(census):
    summed = rates_for(build_context("Hartlepool; Barnet", census=census), "local").loc[2025]
    assert summed["symbol"] == "c" and pd.isna(summed["percent"])
    assert pd.notna(summed["range_low"]) and summed["range_low"] < summed["range_high"]


def test_no_range_where_the_totals_do_not_narrow_a_withheld_count(census):
    # A withheld repeat-plan count is bounded only by 0 and the plans started: 0% to 100% says nothing.
    repeats = census.repeat_plans
    withheld = repeats[(repeats["cpp_subsequent_symbol"] == "c") & repeats["cpp_start"].gt(0)].iloc[0]
    context = build_context(withheld["old_la_code"], window_end=f"31/03/{withheld['year']}", census=census)
    row = rates_for(context, "local", "repeat_plans").loc[withheld["year"]]
    assert row["symbol"] == "c" and pd.isna(row["range_low"]) and pd.isna(row["percent"])


def test_a_year_missing_for_an_authority_is_a_gap_not_zero(census):
    context = build_context("Cumbria", census=census)
    cumbria = rates_for(context, "local")
    assert cumbria.loc[[2024, 2025], "symbol"].eq("x").all()
    assert cumbria.loc[[2024, 2025], ["percent", "numerator", "denominator"]].isna().all().all()
    assert pd.notna(cumbria.loc[2023, "percent"])
    assert any("Cumbria" in note and "2024 and 2025" in note for note in context.notes)


def test_a_predecessor_and_its_successors_make_one_continuous_series(census):
    context = build_context("Northamptonshire; North Northamptonshire; West Northamptonshire",
                            window_end="31/03/2023", census=census)
    ours = rates_for(context, "local")
    assert ours["percent"].notna().all()
    north, west = la_row(census, "North Northamptonshire", 2022), la_row(census, "West Northamptonshire", 2022)
    assert ours.loc[2022, "denominator"] == north["icpc"] + west["icpc"]
    assert ours.loc[2021, "denominator"] == la_row(census, "Northamptonshire", 2021)["icpc"]


def test_unrelated_authorities_with_a_missing_year_leave_that_year_a_gap(census):
    ours = rates_for(build_context("Northamptonshire; Leicestershire", census=census), "local")
    assert ours.loc[2025, "symbol"] == "x" and pd.isna(ours.loc[2025, "percent"])


def test_the_region_of_a_london_borough_is_london(census):
    context = build_context("Barnet", census=census)
    assert context.regions == ["London"]
    london = rates_for(context, "region").loc[2025]
    assert london["comparator"] == "London" and london["denominator"] == 10420


# --- statistical neighbours ----------------------------------------------------------------------------------

def test_statistical_neighbours_come_from_the_2025_model(census):
    context = build_context("Barnet", census=census)
    model = census.neighbours.set_index("old_la_code").loc["302"]
    assert [a.old_la_code for a in context.neighbours] == [model[f"SN_{i}"] for i in range(1, 11)]
    assert context.neighbours[0].la_name == "Waltham Forest"
    each = []
    for neighbour in context.neighbours:
        row = la_row(census, neighbour.la_name, 2025)
        each.append(100 * (row["days_0_10"] + row["days_11_15"]) / row["icpc"])
    spread = rates_for(context, "neighbours").loc[2025]
    assert spread["percent"] == pytest.approx(pd.Series(each).median())
    assert (spread["neighbours_low"], spread["neighbours_high"]) == (pytest.approx(min(each)), pytest.approx(max(each)))
    assert spread["neighbours_with_figure"] == 10


def test_a_neighbour_with_c_is_left_out_of_the_median_not_counted_as_zero(census):
    hartlepool = la_row(census, "Hartlepool", 2025)
    neighbours = comparison_table(census.icpc[census.icpc["old_la_code"].isin(["805", "302"])
                                              | (census.icpc["geographic_level"] == "National")],
                                  ICPC_WITHIN_15_DAYS, [2025], (), ["805", "302"])
    spread = neighbours[neighbours["role"] == "neighbours"].iloc[0]
    assert hartlepool["days_0_10_symbol"] == "c"
    assert spread["neighbours_with_figure"] == 1 and spread["neighbours_total"] == 2
    barnet = la_row(census, "Barnet", 2025)
    assert spread["percent"] == pytest.approx(100 * (barnet["days_0_10"] + barnet["days_11_15"]) / barnet["icpc"])


def test_our_own_authorities_are_not_their_own_neighbours(census):
    context = build_context("Barnet; Waltham Forest", census=census)
    assert {"302", "320"}.isdisjoint(a.old_la_code for a in context.neighbours)


# --- population check -------------------------------------------------------------------------------------

@pytest.mark.parametrize("population, census_count, differs", [
    (150, 100, False), (151, 100, True), (50, 100, False), (49, 100, True), (100, 100, False), (None, 100, False)])
def test_population_differs_only_by_more_than_half(population, census_count, differs):
    assert population_differs(population, census_count) is differs


def test_population_check_uses_children_on_plans_at_31_march_for_our_authorities(census):
    on_plan = sum(la_row(census, name, 2025, "on_plan")["cpp_at_31_march"] for name in ("Barnet", "Enfield"))
    typed = build_context("Barnet; Enfield", window_end="30/09/2024", population=int(on_plan), census=census)
    assert typed.population_check.census_on_plan == on_plan and not typed.population_check.differs
    assert method_note(typed) == ""
    mistyped = build_context("Barnet; Enfield", window_end="30/09/2024", population=int(on_plan) * 10, census=census)
    assert mistyped.population_check.differs
    assert "differs by more than half" in method_note(mistyped)


# --- unknown authorities --------------------------------------------------------------------------------------

def test_an_unknown_authority_gets_nearest_names_and_the_rest_still_get_context(census):
    context = build_context("Barnett; Enfield", census=census)
    assert [a.la_name for a in context.authorities] == ["Enfield"]
    (unknown,) = context.unknown
    assert unknown.value == "Barnett" and unknown.suggestions[0] == "Barnet (302)"
    assert unknown.hint.startswith("did you mean Barnet (302)")
    issues = unknown_authority_issues(resolve_authorities("Barnett; Enfield", census))
    # Spec section 8: the value alone; the hint beside it, for the analyst (and in the audit team's feedback).
    assert issues.to_dict("records") == [{"sheet": "Audit", "column": "local_authorities",
                                          "value": "Barnett", "issue": "unknown_local_authority",
                                          "rows": 1, "hint": unknown.hint}]


def test_nothing_like_any_authority_is_unknown_without_a_suggestion(census):
    (unknown,) = resolve_authorities("zzzz qqqq", census).unknown
    assert unknown.suggestions == () and "not in the children in need census" in unknown.hint


# --- the data-quality line (read -> clean -> context) ----------------------------------------------------------

def workbook_naming(tmp_path, local_authorities, field_as_written="local_authorities"):
    from conftest import case_row, quorate_returns, write_workbook

    audit = {"audit_title": "Context check", "population": 40, field_as_written: local_authorities}
    return write_workbook(tmp_path / "audit.xlsx", [case_row("A1")], quorate_returns("A1"), audit)


def cleaned_with_context(path, census):
    from helpers.clean.cleaning import clean_raw_workbook
    from helpers.context import with_unknown_local_authorities
    from helpers.read.workbook import read_workbook

    raw = read_workbook(path)
    return with_unknown_local_authorities(clean_raw_workbook(raw, KEY), raw.audit, census)


KEY = bytes(range(32))


def test_an_unknown_authority_is_one_data_quality_line_without_a_hint_and_its_excel_row(tmp_path, census):
    path = workbook_naming(tmp_path, "Barnett; Enfield", field_as_written="Local authorities:")
    cleaned = cleaned_with_context(path, census)
    assert cleaned.data_quality.to_dict("records") == [
        {"sheet": "Audit", "column": "local_authorities",
         "value": "Barnett", "issue": "unknown_local_authority", "rows": 1}]
    (row,) = cleaned.data_quality_rows.to_dict("records")
    # Row 1 holds field/value, then audit_title, population, local_authorities: Excel row 4, as headed there.
    assert (row["row"], row["header"]) == (4, "Local authorities:")
    assert [a.la_name for a in build_context(cleaned.settings.local_authorities, census=census).authorities] == [
        "Enfield"]


def test_known_authorities_or_none_add_no_line(tmp_path, census):
    named = cleaned_with_context(workbook_naming(tmp_path, "302; Isle of Wight"), census)
    assert named.data_quality.empty and named.data_quality_rows.empty
    path = workbook_naming(tmp_path, None)
    assert cleaned_with_context(path, census).data_quality.empty


def test_audit_json_carries_the_authorities_through_to_the_context(tmp_path, census):
    import json

    from helpers.run.outputs import write_clean_outputs

    cleaned = cleaned_with_context(workbook_naming(tmp_path, "Bristol, City of; Barnet"), census)
    write_clean_outputs(cleaned, tmp_path / "out")
    audit = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert audit["local_authorities"]
    context = build_context(audit["local_authorities"], census=census)
    assert [a.la_name for a in context.authorities] == ["Bristol, City of", "Barnet"] and not context.unknown


def test_the_audit_teams_check_lists_an_unknown_authority_at_its_row(tmp_path):
    from helpers.run.check import check_workbook

    feedback = check_workbook(workbook_naming(tmp_path, "Barnet; Enfeld"), KEY)
    problem = feedback.problems[feedback.problems["issue"] == "unknown_local_authority"].iloc[0]
    assert (problem["sheet"], problem["row"], problem["header"]) == ("Audit", 4, "local_authorities")
    # The entry as written; the nearest names in the feedback's own column (spec section 8: no hint in the value).
    assert problem["value"] == "Enfeld" and problem["suggestion"].startswith("did you mean Enfield (308)")
    assert "DfE codes" in problem["accepted"]


# --- the report section ---------------------------------------------------------------------------------------

def test_section_has_a_figure_with_every_number_in_its_alt_text_and_a_table_after_it(census):
    context = build_context("Barnet", window_end="30/09/2024", census=census)
    html = context_section(context, ICPC_ROW, "board")
    assert html.startswith("<h2")
    alt = re.search(r'<img [^>]*alt="([^"]*)"', html).group(1)
    for value in rates_for(context, "local")["percent"].tolist() + rates_for(context, "england")["percent"].tolist():
        assert f"{value:.1f}%" in alt
    assert "81.4%" in alt and "95% interval 59% to 78%" in alt
    figure_end = html.index("</figure>")
    assert html.index("<table>", figure_end) > figure_end and "<table>" not in html[:figure_end]
    assert "<td class=\"num\">81.4</td>" in html and "<td class=\"num\">68.9</td>" in html
    assert MEASURES_DIFFER in html.replace("&#x27;", "'")
    assert "Characteristics of children in need: 2025" in html.replace("&quot;", '"')


def test_method_section_states_the_population_check_only_when_it_differs_by_more_than_half(census):
    from helpers.report.sections import method_section

    on_plan = la_row(census, "Barnet", 2025, "on_plan")["cpp_at_31_march"]
    for population, stated in ((int(on_plan), False), (int(on_plan) * 3, True)):
        context = build_context("Barnet", window_end="30/09/2024", population=population, census=census)
        audit = {"population": population, "window_end": "2024-09-30"}
        html = method_section(audit, 50, {}, {}, population_note=method_note(context))
        assert ("differs by more than half from the census count" in html) is stated
        assert (f"{population:,} children on plans" in html) is stated


def test_data_quality_section_words_an_unknown_local_authority_for_a_board_member():
    from helpers.report.sections import data_quality_section

    reconciliation = pd.DataFrame({"sheet": ["Cases"], "outcome": ["included"], "rows": [40]})
    quality = pd.DataFrame([{"sheet": "Audit", "column": "local_authorities", "issue": "unknown_local_authority",
                             "value": "Barnett (did you mean Barnet (302)?)", "rows": 1}])
    html = esc_free(data_quality_section(reconciliation, quality, "board"))
    assert "Local authority not found in the DfE census" in html and "unknown_local_authority" not in html
    assert "Barnett (did you mean Barnet (302)?)" in html


def test_section_prose_uses_whole_numbers(census):
    html = context_section(build_context("Barnet", window_end="30/09/2024", census=census), ICPC_ROW, "board")
    prose = " ".join(re.findall(r"<p>(.*?)</p>", html))
    assert "83% of initial conferences" in prose and "England (81%)" in prose and "69% of cases" in prose
    # Figures are whole numbers; the funnel plot's "99.8% limits" name a limit, not a figure.
    assert not re.search(r"\d+\.\d%", re.sub(r"99\.8% (upper |lower )?limits?", "", prose))


def test_section_without_local_authorities_shows_england_and_how_to_add_the_field(census):
    html = context_section(build_context("", census=census).to_dict(), None, "board")
    assert esc_free(HOW_TO_ADD) in esc_free(html) and "<figure" in html
    table = re.search(r"<tbody>(.*?)</tbody>", html).group(1)
    assert table.count("<tr>") == 1 and "England" in table


def test_section_lists_unknown_authorities_with_their_hint(census):
    html = context_section(build_context("Barnett; Enfield", census=census), None, "board")
    assert "Barnett (did you mean Barnet (302)" in html


def test_section_published_version_withholds_a_small_audit_figure(census):
    small = dict(ICPC_ROW, numerator=3, denominator=4, percent=75.0, ci_lower=30.1, ci_upper=95.4)
    html = context_section(build_context("Barnet", census=census), small, "published")
    from helpers.report.disclosure import WITHHELD_WORDS

    assert f"in {WITHHELD_WORDS} of cases (withheld of withheld; 95% interval withheld)" in html
    assert "75.0" not in html and "75%" not in html


def test_section_published_version_follows_the_report_wide_decision(census):
    """A count the whole report withholds (a secondary suppression of a large count) is withheld here too."""
    from helpers.report.disclosure import measure_key

    withheld = {measure_key("icpc_timely", "met"), measure_key("icpc_timely", "assessed")}
    large = dict(ICPC_ROW, numerator=61, denominator=80, percent=76.3, ci_lower=65.8, ci_upper=84.2)
    alone = context_section(build_context("Barnet", census=census), large, "published")
    decided = context_section(build_context("Barnet", census=census), large, "published", withheld)
    assert "76.3" in alone and "76.3" not in decided and ">61<" not in decided


def esc_free(text: str) -> str:
    return text.replace("&#x27;", "'").replace("&quot;", '"')


# --- the notebook ---------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_context_notebook_runs_top_to_bottom_with_its_defaults(tmp_path):
    import papermill

    out = tmp_path / "05_context.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "05_context.ipynb"), str(out),
                               kernel_name="cp-conference-audit", cwd=str(ROOT / "notebooks"), progress_bar=False,
                               execution_timeout=600)
    assert "Characteristics of children in need: 2025" in out.read_text()


@pytest.mark.slow
def test_context_notebook_runs_with_authorities_and_an_unknown_one(tmp_path):
    import papermill

    out = tmp_path / "05_context.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "05_context.ipynb"), str(out),
                               kernel_name="cp-conference-audit", cwd=str(ROOT / "notebooks"), progress_bar=False,
                               execution_timeout=600, parameters={"local_authorities": "302; Barnett; Cumbria",
                                                                  "window_end": "30/09/2024", "population": "250"})
    text = out.read_text()
    assert "unknown_local_authority" in text and "did you mean Barnet (302)" in text


def test_context_package_comes_after_cleaning_and_before_measures():
    """read -> clean -> context: the package may import domain, read, clean, errors and config, never the stages
    after it (measures, report, run), and cleaning never imports it."""
    import ast

    allowed = ("helpers.domain", "helpers.read", "helpers.clean", "helpers.errors", "helpers.config",
               "helpers.context")

    def imported(path, package):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) + 1 - node.level])
                yield from ([f"{base}.{node.module}"] if node.module else [f"{base}.{a.name}" for a in node.names])
            elif isinstance(node, ast.ImportFrom):
                yield node.module
            elif isinstance(node, ast.Import):
                yield from (a.name for a in node.names)

    for path in (ROOT / "src" / "helpers" / "context").glob("*.py"):
        modules = [m for m in imported(path, "helpers.context") if m.startswith("helpers")]
        assert all(m.startswith(allowed) for m in modules), f"{path.name} imports {modules}"
    for stage in ("read", "clean", "domain"):
        for path in (ROOT / "src" / "helpers" / stage).glob("*.py"):
            modules = list(imported(path, f"helpers.{stage}"))
            assert not any(m.startswith("helpers.context") for m in modules), f"{stage}/{path.name} imports context"


@pytest.mark.parametrize("written", ["2024-09-30", "30/09/2024", pd.Timestamp("2024-09-30")])
def test_the_window_end_reads_as_audit_json_and_a_notebook_parameter_give_it(census, written):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert build_context(window_end=written, census=census).covering_year == 2025


def test_the_audit_figure_takes_a_findings_row_indexed_by_measure_id(census):
    findings = pd.DataFrame([ICPC_ROW]).set_index("measure_id")
    html = context_section(build_context("Barnet", census=census), findings.loc["icpc_timely"], "board")
    assert "69% of cases (62 of 90" in html


def two_rates(local: float, england: float) -> pd.DataFrame:
    return pd.DataFrame({"year": [2025, 2025], "role": ["local", "england"], "comparator": ["Barnet", "England"],
                         "percent": [local, england], "symbol": ["", ""], "range_low": [float("nan")] * 2,
                         "range_high": [float("nan")] * 2})


def test_figures_that_differ_are_never_called_the_same():
    from helpers.report.context_section import comparison_sentence, timeliness_title

    close = comparison_sentence(two_rates(80.8, 81.4), "conferences in time")
    assert "the same as" not in close and "80.8% of conferences in time, below England (81.4%)" in close
    assert timeliness_title(two_rates(80.8, 81.4)).endswith("below England")
    same = comparison_sentence(two_rates(81.4, 81.4), "conferences in time")
    assert "81% of conferences in time, the same as England (81%)" in same
    assert timeliness_title(two_rates(81.4, 81.4)).endswith("matches England")
    assert "83% of conferences in time, above England (81%)" in comparison_sentence(two_rates(83.0, 81.4),
                                                                                    "conferences in time")


def test_first_symbol_is_the_leftmost_non_empty_one_of_each_row():
    from helpers.context.comparisons import first_symbol

    symbols = pd.DataFrame({"total": ["", "c", None, "", "x"], "within_15": ["z", "", "u", None, "y"],
                            "other": ["", "k", "m", "", None]}, dtype="string")
    assert first_symbol(symbols).tolist() == ["z", "c", "u", "", "x"]
