"""Unit tests for the reader's and cleaner's helpers added for issue 8."""
from __future__ import annotations

import gc
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest

from conftest import KEY, case_row, quorate_returns, return_row, write_workbook
from helpers.clean.cleaning import (
    AuditSettings,
    clean_workbook,
    read_window,
    superseding_rows,
)
from helpers.errors import AuditInputError
from helpers.read.cells import (
    distinct_values,
    month_first_dates,
    normalise_answer_text,
    normalise_case_ref,
    read_answer_columns,
    read_percentages,
    read_statuses,
    remove_invisible_marks,
    split_list,
    spread,
)
from helpers.read.workbook import (
    column_letter,
    cycle_collector_paused,
    displayed_percentage,
    displayed_whole_number,
    fill_merged_ranges,
    grid_text,
    holds_value,
    read_workbook,
    values_grid,
)

WINDOW = {"window_start": "01/04/2025", "window_end": "30/09/2025"}


@pytest.mark.parametrize("enabled", [True, False])
def test_the_cycle_collector_is_paused_while_rows_are_built_and_left_as_it_was(enabled):
    seen = []
    parsed = SimpleNamespace(to_python=lambda skip_empty_area: seen.append(gc.isenabled()) or [["a", 1.0], ["b", None]])
    (gc.enable if enabled else gc.disable)()
    try:
        grid = values_grid(parsed)
        assert seen == [False] and gc.isenabled() is enabled
        assert grid.tolist() == [["a", 1.0], ["b", None]]
        with pytest.raises(RuntimeError), cycle_collector_paused():
            raise RuntimeError("a damaged sheet")
        assert gc.isenabled() is enabled, "an error while building rows left the collector paused"
    finally:
        gc.enable()


@pytest.mark.parametrize("number, code, shown", [
    (1, "000000", "000001"), (1, '"CP-"0000', "CP-0001"), (123456, "General", "123456"),
    (123456, "#,##0", "123456"), (123456, "0.00E+00", "123456"), (42, "0", "42"), (7, '\\A000', "A007"),
    (12.0, "[Blue]0000;[Red]-0000", "0012"), (5, "@", "5"),
])
def test_displayed_whole_number(number, code, shown):
    assert displayed_whole_number(number, code) == shown


@pytest.mark.parametrize("number, code, shown", [(0.9, "0%", "90%"), (1.0, "0.0%", "100%"), (0.9, "General", None),
                                                 (0.5, '"%"0', None)])
def test_displayed_percentage(number, code, shown):
    assert displayed_percentage(number, code) == shown


def test_column_letter():
    assert [column_letter(p) for p in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_grid_text_keeps_true_and_one_apart():
    column = np.array([True, 1.0, 1, False, 0.0, "x\u200b", "", None, 2.5], dtype=object)
    assert grid_text(column).tolist() == ["true", "1", "1", "false", "0", "x", None, None, "2.5"]


def test_holds_value_ignores_spaces_and_invisible_marks():
    column = np.array(["a", " \u00a0", "\u200b", "", None, 0, False, "\u3000b"], dtype=object)
    assert holds_value(column).tolist() == [True, False, False, False, False, True, True, True]


def test_fill_merged_ranges_below_the_header_only():
    grid = np.array([["title", None], ["case_ref", "agency"], ["A1", "x"], [None, "y"], [None, "z"]], dtype=object)
    filled = fill_merged_ranges(grid.copy(), [((0, 0), (0, 1)), ((2, 0), (4, 0))], header_index=1)
    assert filled[:, 0].tolist() == ["title", "case_ref", "A1", "A1", "A1"] and filled[0, 1] is None


def test_invisible_marks_and_unicode_spaces():
    assert remove_invisible_marks("\ufeffY\u200bes\u2060") == "Yes"
    text = normalise_answer_text(pd.Series(["\u200bYes\u2009", "No\u3000", "\u202fpartly"]))
    assert text.tolist() == ["yes", "no", "partly"]
    assert normalise_case_ref(pd.Series(["\u00a0a1\u200b ", "#N/A", "n/k", "A\u20131"])).tolist() == \
        ["A1", "", "", "A\u20131"]


def test_distinct_values_and_spread_round_trip():
    raw = pd.Series(["b", None, "a", "b"], index=[10, 11, 12, 13], dtype=object)
    codes, distinct = distinct_values(raw)
    assert distinct.tolist() == ["b", "a", None]
    assert spread(distinct.str.upper(), codes, raw.index).tolist() == ["B", None, "A", "B"]


def test_read_answer_columns_reads_answers_and_dates_together():
    cells = pd.DataFrame({"x": ["Yes", "maybe", None], "d": ["01/02/2025", "N/A", "soon"]})
    values, unrecognised, not_applicable, _ = read_answer_columns(cells, {"x": "yn", "d": "date"})
    assert values["x"].tolist()[:1] == ["Yes"] and values["x"].isna().tolist() == [False, True, True]
    assert values["d"].iloc[0] == pd.Timestamp("2025-02-01")
    assert unrecognised.to_dict("list") == {"x": [False, True, False], "d": [False, False, True]}
    assert not_applicable["d"].tolist() == [False, True, False]


def test_month_first_dates():
    result = month_first_dates(pd.Series(["09/30/2025", "30/09/2025", "words"]))
    assert result.iloc[0] == pd.Timestamp("2025-09-30") and result.iloc[1:].isna().all()


@pytest.mark.parametrize("value, percent, bad", [
    ("90", 90, False), ("90%", 90, False), ("0.9", 90, False), (".5", 50, False), ("1", 1, False),
    ("100 %", 100, False), ("150", None, True), ("high", None, True), ("", None, False), ("n/k", None, False),
])
def test_read_percentages(value, percent, bad):
    values, unrecognised = read_percentages(pd.Series([value], dtype=object))
    assert (pd.isna(values.iloc[0]) if percent is None else values.iloc[0] == percent)
    assert bool(unrecognised.iloc[0]) == bad


def test_read_statuses():
    values, unrecognised = read_statuses(pd.Series(["not STARTED", "In progress", "complete.", "", "done", None]))
    assert values.tolist() == ["Not started", "In progress", "Complete", "", "unrecognised", ""]
    assert unrecognised.tolist() == [False, False, False, False, True, False]


def test_split_list():
    assert split_list(" Leeds; 383 ,E08000035,, ") == ["Leeds", "383", "E08000035"] and split_list(None) == []


def test_read_window_accepts_valid_and_refuses_the_rest():
    assert read_window({"window_start": ("01/04/2025", "w", None, None)}) == \
        {"window_start": pd.Timestamp("2025-04-01")}
    with pytest.raises(AuditInputError, match="not a recognised date"):
        read_window({"window_start": ("sometime", "the window_start parameter", None, None)})
    with pytest.raises(AuditInputError, match="US"):
        read_window({"window_end": ("12/31/2025", "the window_end parameter", None, None)})


def test_superseding_rows_names_the_kept_row():
    outcomes = pd.Series(["superseded_duplicate", "included", "blank", "superseded_duplicate",
                          "outside_terms_of_reference"])
    keys = pd.DataFrame({"case_ref": ["A", "A", "", "B", "B"]})
    detail = superseding_rows(keys, outcomes, pd.Series([2, 3, 4, 5, 6]))
    assert detail.tolist() == ["superseded by row 3", "", "", "superseded by row 6", ""]


def test_superseding_rows_without_duplicates_is_empty_text_for_every_row():
    outcomes = pd.Series(["included", "blank", "orphan_return"], index=[4, 5, 6])
    detail = superseding_rows(pd.DataFrame({"case_ref": ["A", "", "Z"]}, index=[4, 5, 6]), outcomes,
                              pd.Series([2, 3, 4], index=[4, 5, 6]))
    assert detail.index.tolist() == [4, 5, 6]
    assert detail.dtype == "string" and detail.tolist() == ["", "", ""]


def test_audit_settings_sampling_and_local_authorities(tmp_path):
    audit = {**WINDOW, "Sampling": "random sample of ICPCs", "Local authorities": "Leeds; 383"}
    cleaned = clean_workbook(write_workbook(tmp_path / "w.xlsx", [case_row("A1")], [], audit), KEY)
    assert cleaned.settings.sampling == "random sample of ICPCs"
    assert cleaned.settings.as_dict()["local_authorities"] == ["Leeds", "383"]
    assert AuditSettings().as_dict()["sampling"] is None


def test_audit_table_may_start_anywhere_in_the_first_ten_rows_and_columns(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1")], [])
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("Audit")
    sheet["A1"] = "Audit settings (fill in)"
    sheet["C4"], sheet["D4"] = "Field", "Value"
    sheet["C5"], sheet["D5"] = "Window start:", "01/04/2025"
    book.save(path)
    assert clean_workbook(path, KEY).settings.window_start == pd.Timestamp("2025-04-01")


def test_recommendation_columns(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1")], [])
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("Recommendations")
    sheet.append(["Recommendation", "Measures", "Owner", "Due date", "Target", "Status"])
    sheet.append(["Plans", "plan_smart", "Head of service", "31/03/2026", 0.9, "in progress"])
    sheet.append(["Views", "child_views_heard", "", "soon", "95%", "Done"])
    sheet.append(["Core groups", "core_group_timely", None, None, 1, None])
    sheet["E4"].number_format = "0%"
    book.save(path)
    cleaned = clean_workbook(path, KEY)
    table = cleaned.recommendations
    assert list(table.columns) == ["recommendation", "measures", "owner", "due_date", "target", "status", "raised"]
    assert table["raised"].tolist() == ["", "", ""]  # no raised column: every recommendation is new
    assert table["owner"].tolist() == ["Head of service", "", ""]
    assert table["due_date"].tolist() == ["2026-03-31", "", ""]
    assert table["target"].tolist() == [90, 95, 100]
    assert table["status"].tolist() == ["In progress", "unrecognised", ""]
    issues = cleaned.data_quality.query("sheet == 'Recommendations'").set_index("column")["issue"]
    assert issues.to_dict() == {"due_date": "unrecognised", "status": "unrecognised"}


def test_unused_columns_and_implausible_dates_are_listed_never_fatal(tmp_path):
    cases = [case_row("A1", date_of_birth="2015", icpc_date="15/05/2025"),
             case_row("A2", date_of_birth="01/06/2025", audit_date="01/05/2025")]
    path = write_workbook(tmp_path / "w.xlsx", cases, quorate_returns("A1"), WINDOW)
    book = openpyxl.load_workbook(path)
    book["Cases"]["AB1"], book["Cases"]["AB3"] = "NHS number", "943 476 5919"
    book.save(path)
    cleaned = clean_workbook(path, KEY)
    rows = cleaned.data_quality_rows
    assert rows.query("issue == 'unused_column'")[["row", "column", "header", "value"]].values.tolist() == \
        [[3, "NHS number", "NHS number", "NHS number"]]  # spec section 8: its header as written, never its values
    implausible = rows.query("issue == 'implausible_date'")
    assert implausible[["row", "column"]].values.tolist() == [[2, "date_of_birth"], [3, "date_of_birth"],
                                                             [3, "icpc_date"]]
    assert set(implausible.query("column == 'date_of_birth'")["value"]) == {"[personal data withheld]"}
    assert "943 476 5919" not in cleaned.data_quality.to_csv() + rows.to_csv()


def test_data_quality_rows_count_what_data_quality_counts_and_name_headers(tmp_path):
    cases = [case_row("A1", plan_smart="maybe"), case_row("A2", plan_smart="Maybe", child_name="Secret Name")]
    path = write_workbook(tmp_path / "w.xlsx", cases, quorate_returns("A1") + [return_row("A2", "Barnardos")],
                          WINDOW, case_headers={"plan_smart": "SMART plan?"})
    cleaned = clean_workbook(path, KEY)
    rows = cleaned.data_quality_rows
    assert list(rows.columns) == ["sheet", "row", "column", "header", "value", "issue"]
    assert rows.query("column == 'plan_smart'")[["row", "header", "value"]].values.tolist() == \
        [[2, "SMART plan?", "maybe"], [3, "SMART plan?", "maybe"]]
    counted = rows.groupby(["sheet", "column", "value", "issue"]).size()
    assert counted.sum() == cleaned.data_quality["rows"].sum()
    text = rows.to_csv() + cleaned.row_outcomes.to_csv()
    assert "Secret" not in text and "A1" not in text.replace("sheet", "")


def test_row_outcomes_cover_every_raw_row_with_the_superseding_row(tmp_path):
    cases = [case_row("A1", audit_date="01/10/2025"), {}, case_row("A1")]
    returns = [return_row("A1", "Police"), return_row("A1", "police"), return_row("ZZ", "Police")]
    cleaned = clean_workbook(write_workbook(tmp_path / "w.xlsx", cases, returns, WINDOW), KEY)
    table = cleaned.row_outcomes
    assert table.values.tolist() == [
        ["Cases", 2, "superseded_duplicate", "superseded by row 4"], ["Cases", 3, "blank", ""],
        ["Cases", 4, "included", ""], ["Agency returns", 2, "superseded_duplicate", "superseded by row 3"],
        ["Agency returns", 3, "included", ""], ["Agency returns", 4, "orphan_return", ""]]


def test_title_block_above_the_header_is_not_counted(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1")], quorate_returns("A1"), WINDOW)
    book = openpyxl.load_workbook(path)
    book["Cases"].insert_rows(1, 3)
    book["Cases"]["A1"] = "Multi-agency audit: case sheet"
    book["Cases"]["A2"] = "Case reference must be filled"  # part of a cell is not the header
    book.save(path)
    raw = read_workbook(path)
    assert raw.cases.header_row == 4 and raw.cases.excel_row.tolist() == [5]


def test_no_case_ref_header_in_the_first_20_rows_is_an_error(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", [case_row("A1")], [])
    book = openpyxl.load_workbook(path)
    book["Cases"].insert_rows(1, 20)
    book.save(path)
    with pytest.raises(AuditInputError, match="sheet 'Cases': no header row"):
        read_workbook(path)
