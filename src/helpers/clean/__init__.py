"""Clean: normalised, reconciled, pseudonymised data and its data-quality listing (spec sections 2-6)."""
