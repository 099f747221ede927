"""Issue 20: metamorphic tests of spec sections 1-3. Each rule that says a variation changes nothing (or is only
listed) is a transformation in tests/metamorphic.py. For each generated audit, every transformation is applied
alone, then several at once, and the findings, reconciliation and data quality must be the untransformed
workbook's (with the listing the rule names added). The untransformed workbook is read once per audit."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from metamorphic import (
    TRANSFORMATIONS,
    assert_same_outputs,
    audit_outputs,
    audits,
    expected_outputs,
    transform,
    write_book,
)


def outputs_after(book, names, draw, baseline, path):
    changed, expected = transform(book, names, draw)
    try:
        assert_same_outputs(audit_outputs(write_book(changed, path)), expected_outputs(baseline, expected))
    except AssertionError as error:
        raise AssertionError(f"transformed by {sorted(names)}: {error}") from None


@settings(deadline=None, max_examples=examples(dev=4, ci=8))
@given(book=audits(), combined=st.sets(st.sampled_from(list(TRANSFORMATIONS)), min_size=2), data=st.data())
def test_every_rule_of_the_spec_changes_nothing_or_only_its_listing(tmp_path_factory, book, combined, data):
    folder = tmp_path_factory.mktemp("metamorphic")
    baseline = audit_outputs(write_book(book, folder / "original.xlsx"))
    for name in TRANSFORMATIONS:
        outputs_after(book, {name}, data.draw, baseline, folder / f"{name}.xlsx")
    outputs_after(book, combined, data.draw, baseline, folder / "combined.xlsx")


@settings(deadline=None, max_examples=examples(dev=6, ci=12))
@given(book=audits(), combined=st.sets(st.sampled_from(list(TRANSFORMATIONS)), min_size=4), data=st.data())
def test_many_rules_combined_change_nothing_or_only_their_listings(tmp_path_factory, book, combined, data):
    folder = tmp_path_factory.mktemp("metamorphic")
    baseline = audit_outputs(write_book(book, folder / "original.xlsx"))
    outputs_after(book, combined, data.draw, baseline, folder / "combined.xlsx")
