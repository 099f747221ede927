"""National and local context from the DfE children in need census (issue 13).

Read level: imports only helpers.domain, helpers.errors, helpers.config and third-party libraries, so
the cleaning stage can call `resolve_authorities` to list unknown authorities in the data-quality output.
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

__all__ = ["Authority", "Census", "CensusContext", "ICPC_WITHIN_15_DAYS", "POPULATION_TOLERANCE", "PopulationCheck",
           "REPEAT_PLANS", "Resolution", "UnknownAuthority", "authority_catalogue", "build_context",
           "census_year_of", "census_years", "load_census", "population_differs", "resolve_authorities",
           "unknown_authority_issues"]
