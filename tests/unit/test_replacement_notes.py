"""What a run says it replaces in an audit's folders (one line each), found in a user trial to be silent."""
from helpers.run.pipeline import replacement_notes

INPUTS = {"workbook": {"file": "audit.xlsx", "sha256": "aaa"}, "earlier": [{"file": "last.xlsx", "sha256": "e"}]}
PREVIOUS = {"inputs": INPUTS, "made_at": "2026-11-27T10:00:00"}


def test_a_first_run_replaces_nothing():
    assert replacement_notes("ours", {}, INPUTS) == []


def test_the_same_workbook_again_says_nothing():
    assert replacement_notes("ours", PREVIOUS, INPUTS) == []


def test_another_workbook_or_the_same_bytes_under_another_name_is_said():
    (changed,) = replacement_notes("ours", PREVIOUS, {**INPUTS, "workbook": {"file": "audit.xlsx", "sha256": "b"}})
    (renamed,) = replacement_notes("ours", PREVIOUS, {**INPUTS, "workbook": {"file": "CP (2025).xlsx",
                                                                              "sha256": "aaa"}})
    assert changed == renamed == "replacing the outputs of ours (made from audit.xlsx, 2026-11-27T10:00:00)"


def test_a_comparison_the_run_does_not_make_again_is_said_to_go():
    (removed,) = replacement_notes("ours", PREVIOUS, {**INPUTS, "earlier": []})
    assert removed == ("note: the last run of ours compared it with last.xlsx; this run has no EARLIER=, so the "
                       "comparison is removed (give EARLIER= again to keep it)")
    (other,) = replacement_notes("ours", PREVIOUS, {**INPUTS, "earlier": [{"file": "before.xlsx", "sha256": "f"}]})
    assert other.endswith("this run compares it with before.xlsx")
