"""The data-quality issues and row outcomes of spec sections 6 and 8 in words the audit team can act on.

The ids are the cleaner's (``data_quality.csv``, ``reconciliation.csv``); the check's feedback and the
generated docs read the words from here, so they say the same thing everywhere.
"""
from __future__ import annotations

# What is wrong, for each issue of data_quality.csv.
ISSUE_WORDS = {
    "unrecognised": "the column does not accept this value, so it is read as not recorded",
    "unmapped_agency": "the agency is not in the list of agencies, so it cannot count towards quoracy",
    "missing_agency": "no agency is named",
    "negative_interval": "this date is before the date it should follow, so no working days can be counted",
    "no_icpc_date_in_window": "no ICPC date, so the case cannot be checked against the audit window",
    "unknown_measure": "no measure has this id",
    "unknown_local_authority": "no local authority has this code or name",
    "implausible_date": "the date cannot be right (before 1900 or after 2099, or before the child was born), so it "
                        "is read as not recorded where it is outside 1900-2099",
    "unused_column": "a column the analysis does not read: its values are kept in your workbook but not used",
    "unknown_field": "the Audit sheet names a field the analysis does not know (audit_title, window_start, "
                     "window_end, population, sampling, local_authorities), so its value is not read",
    "conflicting_duplicate": "a duplicate case reference whose ICPC date or date of birth differs from the row "
                             "kept: it may be another child under the same reference",
}

# Why a row is not analysed, for each outcome of reconciliation.csv.
OUTCOME_WORDS = {
    "blank": "blank row (every cell empty)",
    "missing_case_ref": "no case reference",
    "missing_agency": "no agency named",
    "orphan_return": "orphan return: no row of Cases has this case reference",
    "superseded_duplicate": "duplicate: another row for the same case (and agency) is used instead",
    "outside_terms_of_reference": "outside the audit window: the ICPC date is before window_start or after "
                                  "window_end",
    "included": "included in the analysis",
}



def words_for(definition) -> tuple[dict[str, str], dict[str, str]]:
    """The issue and outcome words of an audit: the ICPC date is its definition's window date (no window date:
    no case is outside the window and no window-date issue is listed)."""
    from .definition import cp_conferences

    if definition is cp_conferences():
        return ISSUE_WORDS, OUTCOME_WORDS
    date = definition.window_date
    issues = {(f"no_{date}_in_window" if issue == "no_icpc_date_in_window" else issue): words
              for issue, words in ISSUE_WORDS.items() if date or issue != "no_icpc_date_in_window"}
    if date:
        issues[f"no_{date}_in_window"] = f"no {date}, so the case cannot be checked against the audit window"
        outcome = f"outside the audit window: the {date} is before window_start or after window_end"
    else:
        outcome = "outside the audit window (this audit declares no window date, so no case is)"
    issues["conflicting_duplicate"] = ("a duplicate case reference whose dates differ from the row kept: it may be "
                                       "another child under the same reference")
    # Quoracy is the conference audit's: another audit keeps an unknown agency as its own, in group Unmapped.
    issues["unmapped_agency"] = ("the agency is not in the list of agencies, so it is kept as an agency of its own "
                                 "in the group Unmapped")
    return issues, {**OUTCOME_WORDS, "outside_terms_of_reference": outcome}


# Outcomes that leave a filled-in row out of the analysis until the audit team corrects it. A duplicate or
# a case outside the window follows a rule the team may intend; it is listed for them to confirm.
OUTCOMES_TO_FIX = ("missing_case_ref", "missing_agency", "orphan_return")
