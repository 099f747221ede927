"""National and local context from the DfE children in need census (issue 13).

The step after cleaning (read -> clean -> context): it imports helpers.domain, helpers.read, helpers.clean,
helpers.errors and helpers.config, never measures, report or run. `with_unknown_local_authorities` adds an
unknown authority's line to the cleaned audit's data quality; `build_context` gives the report its figures.
"""
from .authorities import (
    Authority,
    Resolution,
    UnknownAuthority,
    authority_catalogue,
    resolve_authorities,
    unknown_authority_issues,
)
from .census import Census, load_census
from .comparisons import (
    ICPC_WITHIN_15_DAYS,
    POPULATION_TOLERANCE,
    REPEAT_PLANS,
    CensusContext,
    PopulationCheck,
    build_context,
    census_year_of,
    census_years,
    population_differs,
)
from .quality import authority_hints, unknown_authority_rows, with_unknown_local_authorities

__all__ = ["Authority", "Census", "CensusContext", "ICPC_WITHIN_15_DAYS", "POPULATION_TOLERANCE", "PopulationCheck",
           "REPEAT_PLANS", "Resolution", "UnknownAuthority", "authority_catalogue", "authority_hints", "build_context",
           "census_year_of", "census_years", "load_census", "population_differs", "resolve_authorities",
           "unknown_authority_issues", "unknown_authority_rows", "with_unknown_local_authorities"]
