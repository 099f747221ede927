"""The data-quality line of an unknown local authority (spec sections 3 and 8, issue 13).

The context step runs after cleaning (read -> clean -> context): it resolves the Audit sheet's
`local_authorities` against the census and adds one `unknown_local_authority` row per entry the census does not
know (the entry alone; the nearest names are the feedback's hint, `authority_hints`), to the cleaned audit's
data-quality rows (with the Audit sheet's Excel row, so the audit team's check finds it) and to `data_quality.csv`. The
other authorities still get their context; an unknown one is never a crash.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ..clean.cleaning import (
    DATA_QUALITY_ROW_COLUMNS,
    CleanedAudit,
    audit_fields,
    data_quality_rows_table,
    data_quality_table,
)
from ..domain.schema import AUDIT
from ..read.workbook import RawSheet
from .authorities import Resolution, resolve_authorities
from .census import Census

FIELD = "local_authorities"
ISSUE = "unknown_local_authority"


def field_position(audit_sheet: RawSheet | None) -> tuple[int, str]:
    """The Excel row of the Audit sheet's local_authorities field and the field's name as written there
    (row 0 when it cannot be placed: a run given the field some other way)."""
    if audit_sheet is None or "field" not in audit_sheet.rows:
        return 0, FIELD
    fields = audit_fields(audit_sheet)
    if FIELD not in fields.index:
        return 0, FIELD
    rows = audit_sheet.excel_row.set_axis(audit_sheet.rows.index)
    row = int(fields.loc[FIELD, "row"])
    written = audit_sheet.rows["field"][rows == row]
    return row, (str(written.iloc[0]).strip() if len(written) else FIELD)


def unknown_authority_rows(resolution: Resolution, row: int = 0, header: str = FIELD) -> pd.DataFrame:
    """One data-quality row per entry the census does not know, the entry alone as the value (spec section 8:
    the hint, "did you mean ...?", belongs in the audit team's feedback, not in data_quality.csv)."""
    return pd.DataFrame({"sheet": AUDIT.name, "row": row, "column": FIELD, "header": header,
                         "value": [u.value for u in resolution.unknown], "issue": ISSUE},
                        columns=DATA_QUALITY_ROW_COLUMNS)


def with_unknown_local_authorities(cleaned: CleanedAudit, audit_sheet: RawSheet | None = None,
                                   census: Census | None = None) -> CleanedAudit:
    """The cleaned audit with a data-quality line for each local authority the census does not know.

    Without `local_authorities` nothing is read (the census is not even loaded)."""
    written = cleaned.settings.local_authorities_text
    if not written:
        return cleaned
    resolution = resolve_authorities(written, census)
    if not resolution.unknown:
        return cleaned
    row, header = field_position(audit_sheet)
    rows = data_quality_rows_table([cleaned.data_quality_rows, unknown_authority_rows(resolution, row, header)])
    return replace(cleaned, data_quality_rows=rows, data_quality=data_quality_table(rows))


def authority_hints(written: str | None, census: Census | None = None) -> dict[str, str]:
    """Each local authority entry the census does not know -> its hint ("did you mean Barnet (302)?"), for the
    audit team's feedback (data_quality.csv holds the entry alone)."""
    if not written:
        return {}
    return {u.value: u.hint for u in resolve_authorities(written, census).unknown}
