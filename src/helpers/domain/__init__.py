"""The contract's declarations (spec sections 1-7): sheets and columns, answer vocabularies,
measures and their parameters, working days. Every stage reads these; they import no stage."""
