"""Run: the pipeline behind `make report`, its outputs and their provenance, and the demo workbook."""
