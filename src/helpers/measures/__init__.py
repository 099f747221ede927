"""Measure: the 22 measures' statuses per case, the findings table with intervals, and breakdowns.

``helpers.measures.Parameters`` holds the only defaults of the thresholds.
"""
from ..domain.measures import KLOES, MEASURE_IDS, MEASURES, MEASURES_BY_ID, SECONDARY, Measure, Parameters

__all__ = ["KLOES", "MEASURE_IDS", "MEASURES", "MEASURES_BY_ID", "SECONDARY", "Measure", "Parameters"]
