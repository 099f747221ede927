"""Settings given to make are checked by name: a misspelt one stops the run, naming the closest."""
from __future__ import annotations

import pytest

from helpers.errors import AuditInputError
from helpers.run.pipeline import check_distinct_workbooks, earlier_paths
from helpers.run.settings import KNOWN_SETTINGS, check_setting_names


@pytest.mark.parametrize("given, closest", [("icpc_working_days", "ICPC_WORKING_DAYS"),
                                            ("ICPC_WORKING_DAY", "ICPC_WORKING_DAYS"),
                                            ("raw", "RAW"), ("EARLIR", "EARLIER"), ("Window_Start", "WINDOW_START")])
def test_an_unknown_or_wrongly_cased_setting_names_the_closest(given, closest):
    with pytest.raises(AuditInputError) as error:
        check_setting_names([given])
    assert str(error.value).startswith(f"unknown setting '{given}': did you mean {closest}?")


def test_a_setting_like_nothing_known_says_where_the_list_is():
    with pytest.raises(AuditInputError, match="make help"):
        check_setting_names(["ZZZQQQ"])


def test_every_known_setting_passes():
    check_setting_names(list(KNOWN_SETTINGS))


@pytest.mark.parametrize("text, paths", [
    ("", []), ("a.xlsx", ["a.xlsx"]),
    ("Northshire's audits/earlier one.xlsx", ["Northshire's audits/earlier one.xlsx"]),
    ("a.xlsx; b c.xlsx ;", ["a.xlsx", "b c.xlsx"]), ("$HOME/é (1).xlsx", ["$HOME/é (1).xlsx"]),
])
def test_earlier_takes_any_path_separated_by_semicolons(text, paths):
    assert earlier_paths(text) == paths


def test_the_same_workbook_as_raw_and_earlier_is_an_error(tmp_path):
    raw = tmp_path / "a.xlsx"
    raw.write_bytes(b"x")
    with pytest.raises(AuditInputError, match="given as EARLIER and as RAW"):
        check_distinct_workbooks(raw, [tmp_path / "." / "a.xlsx"])
    other = tmp_path / "b.xlsx"
    with pytest.raises(AuditInputError, match="given as EARLIER and as EARLIER"):
        check_distinct_workbooks(raw, [other, other])


def test_a_copy_of_raw_given_as_earlier_is_an_error():
    from helpers.run.pipeline import check_distinct_contents

    inputs = {"workbook": {"file": "a.xlsx", "sha256": "1"}, "earlier": [{"file": "copy of a.xlsx", "sha256": "1"}]}
    with pytest.raises(AuditInputError, match="copy of a.xlsx: has the same content as RAW"):
        check_distinct_contents(inputs)
    check_distinct_contents({**inputs, "earlier": [{"file": "b.xlsx", "sha256": "2"}]})
