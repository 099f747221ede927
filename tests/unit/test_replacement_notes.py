"""What a run says it replaces in an audit's folders (one line each), found in a user trial to be silent."""
from helpers.run.pipeline import replacement_notes

PREVIOUS = {"raw_file": "audit.xlsx", "raw_sha256": "aaa", "made_at": "2026-11-27T10:00:00",
            "earlier_audits": ["last-year"], "publish": True}


def test_a_first_run_replaces_nothing():
    assert replacement_notes("ours", {}, "aaa", "audit.xlsx", False, []) == []


def test_the_same_run_again_says_nothing():
    assert replacement_notes("ours", PREVIOUS, "aaa", "audit.xlsx", True, ["last-year"]) == []


def test_another_workbook_or_the_same_bytes_under_another_name_is_said():
    (changed,) = replacement_notes("ours", PREVIOUS, "bbb", "audit.xlsx", True, ["last-year"])
    (renamed,) = replacement_notes("ours", PREVIOUS, "aaa", "CP audit (2025).xlsx", True, ["last-year"])
    assert changed == renamed == "replacing the outputs of ours (made from audit.xlsx, 2026-11-27T10:00:00)"


def test_a_comparison_or_published_version_the_run_does_not_make_again_is_said_to_go():
    notes = replacement_notes("ours", PREVIOUS, "aaa", "audit.xlsx", False, [])
    assert notes == ["note: the last run of ours compared it with last-year; this run has no EARLIER=, so the "
                     "comparison is removed (give EARLIER= again to keep it)",
                     "note: the published version of ours is removed, as this run has no PUBLISH=1 (give "
                     "PUBLISH=1 to keep it)"]
    (other,) = replacement_notes("ours", PREVIOUS, "aaa", "audit.xlsx", True, ["two-years-ago"])
    assert other.endswith("this run compares it with two-years-ago")
