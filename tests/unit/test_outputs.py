"""The processed outputs as written: CSV safe to open in a spreadsheet (spec section 8)."""
import pandas as pd


def test_csv_outputs_are_safe_to_open_in_a_spreadsheet(tmp_path):
    """Spec section 8 (OWASP): text beginning with =, +, -, @, a tab or a carriage return gets a leading '; numbers,
    dates and other text are written as they are, and the frame given is not changed."""
    from helpers.run.outputs import write_csv

    frame = pd.DataFrame({
        "value": ["=HYPERLINK(\"http://x\")", "+44 20", "-1", "@SUM(A1)", "\tx", "\rx", "plain", None],
        "number": [-1, 2, -3, 4, 5, 6, 7, 8],
        "date": pd.to_datetime(["2025-05-01"] * 8),
        "category": pd.Categorical(["=1", "a", "a", "a", "a", "a", "a", "a"]),
        "mixed": pd.Series(["-x", 3, None, "ok", "a", "b", "c", "d"], dtype="object"),
    })
    before = frame.copy()
    path = write_csv(frame, tmp_path / "t.csv")
    # A carriage return is not read back as one by read_csv; Python 3.13's csv quotes the field, 3.11's does not.
    assert b"\n'\rx," in path.read_bytes() or b'\n"\'\rx",' in path.read_bytes()
    written = pd.read_csv(path, dtype="string", keep_default_na=False)
    assert written["value"].tolist()[:5] == ["'=HYPERLINK(\"http://x\")", "'+44 20", "'-1", "'@SUM(A1)", "'\tx"]
    assert written["value"].tolist()[-2:] == ["plain", ""]
    assert written["number"].tolist()[:3] == ["-1", "2", "-3"]
    assert written["category"].tolist()[:2] == ["'=1", "a"]
    assert written["mixed"].tolist()[:4] == ["'-x", "3", "", "ok"]
    pd.testing.assert_frame_equal(frame, before)


def test_text_read_back_is_the_text_written(tmp_path):
    """The report shows a recommendation written "- Improve plans" as written, not with the CSV's '."""
    from helpers.run.outputs import formula_marks_removed, write_csv

    frame = pd.DataFrame({"recommendation": ["- Improve plans", "=1+1", "'quoted already", "plain", ""],
                          "measures": ["plan_smart", "", "", "", ""]})
    written = pd.read_csv(write_csv(frame, tmp_path / "r.csv"), dtype="string", keep_default_na=False)
    assert written["recommendation"].tolist()[:2] == ["'- Improve plans", "'=1+1"]
    assert formula_marks_removed(written)["recommendation"].tolist() == frame["recommendation"].tolist()


def test_a_cleaned_file_deleted_by_hand_is_one_line_naming_it(tmp_path):
    import pytest

    from helpers.errors import AuditInputError
    from helpers.run.outputs import CLEANED_FILES, require_cleaned_files

    for name in CLEANED_FILES:
        (tmp_path / name).write_text("")
    assert require_cleaned_files(tmp_path) == tmp_path
    (tmp_path / "agency_returns.csv").unlink()
    (tmp_path / "audit.json").unlink()
    with pytest.raises(AuditInputError) as refused:
        require_cleaned_files(tmp_path)
    assert str(refused.value) == (f"{tmp_path}: agency_returns.csv, audit.json are missing from this audit's folder "
                                  "(run make report again on the workbook that made it: it rebuilds what was deleted)")
