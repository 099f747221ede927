"""Read: the audit workbook as it is, into text cells with their Excel row numbers (spec sections 1-2)."""
