"""The census figures a board sets beside its audit (issue 13): ICPC timeliness and repeat plans for our
authorities, their region, England and the statistical neighbours, and a check of the audit's population.

Every rate is computed from counts, never averaged from percentages, so several authorities can be summed.
Where a local authority's count is `c` the rate is `c`: nothing is computed from it, except a range where
published totals bound the hidden count, and that is labelled as a range. A year without a census row for
an authority (boundary changes) is a gap, never zero.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from .authorities import Authority, Resolution, join_names, resolve_authorities
from .census import LOCAL_AUTHORITY, NATIONAL, NOT_AVAILABLE, REGIONAL, Census, load_census

YEARS_SHOWN = 5
# "Differ by more than half": the Audit sheet's population against the census count of children on plans.
POPULATION_TOLERANCE = 0.5
LOCAL, REGION, ENGLAND, NEIGHBOURS = "local", "region", "england", "neighbours"
NOT_APPLICABLE = "z"


@dataclass(frozen=True)
class Rate:
    """How a census rate is made from one file's counts. `others` are the rest of the bands that, with the
    numerator's, add up to no more than the denominator: they bound a suppressed numerator."""
    numerator: tuple[str, ...]
    denominator: str
    others: tuple[str, ...] = ()
    label: str = ""


# The four duration bands exclude ICPCs dated before the s47 start, so they sum to at most ICPC (README).
ICPC_WITHIN_15_DAYS = Rate(("days_0_10", "days_11_15"), "icpc", ("days_16_20", "days_21_plus"),
                           "% of initial conferences within 15 working days of the section 47 start")
REPEAT_PLANS = Rate(("cpp_subsequent",), "cpp_start", (), "% of child protection plans that were a second or "
                    "subsequent plan")
RATE_COLUMNS = ["comparator", "role", "year", "numerator", "denominator", "percent", "symbol", "range_low",
                "range_high", "neighbours_low", "neighbours_high", "neighbours_with_figure", "neighbours_total"]


def as_of(value) -> dt.date | None:
    """A window end as a date: audit.json's yyyy-mm-dd, or text from a notebook parameter (day first, as the
    spec reads)."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        iso = re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None
        return pd.Timestamp(pd.to_datetime(value, dayfirst=not iso)).date()
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def census_year_of(date) -> int:
    """The census year (1 April to 31 March) a date falls in, named by the year of its 31 March."""
    day = pd.Timestamp(date)
    return day.year if (day.month, day.day) <= (3, 31) else day.year + 1


def census_years(available: list[int], window_end=None, count: int = YEARS_SHOWN) -> list[int]:
    """Five census years up to and including the one covering the audit's window end; the latest five in
    the extract when the audit is newer than the extract (or has no window end)."""
    available = sorted(available)
    end = as_of(window_end)
    if end is None or census_year_of(end) > available[-1]:
        return available[-count:]
    covering = census_year_of(end)
    return [year for year in available if covering - count < year <= covering]


def rate_parts(rows: pd.DataFrame, rate: Rate) -> pd.DataFrame:
    """Per census row: the numerator (NaN when any part is withheld), the denominator, bounds on a withheld
    numerator from the published denominator, and the symbol to show instead of a rate."""
    numerator = rows[list(rate.numerator)].sum(axis=1).where(rows[list(rate.numerator)].notna().all(axis=1))
    denominator = rows[rate.denominator]
    known_numerator = rows[list(rate.numerator)].sum(axis=1)
    known_bands = rows[list(rate.numerator + rate.others)].sum(axis=1)
    # The withheld bands hold at most what the denominator leaves after the published bands.
    slack = (denominator - known_bands).clip(lower=0)
    bounded = denominator.notna() & ~rows["rounded"]
    symbol_columns = [f"{c}_symbol" for c in (rate.denominator, *rate.numerator)]
    symbol = first_symbol(rows[symbol_columns])
    symbol = symbol.where((symbol != "") | (denominator != 0), NOT_APPLICABLE)
    return pd.DataFrame({"year": rows["year"], "numerator": numerator, "denominator": denominator,
                         "low": known_numerator.where(bounded), "high": (known_numerator + slack).where(bounded),
                         "symbol": symbol})


def first_symbol(symbols: pd.DataFrame) -> pd.Series:
    """Per row, the first non-empty symbol from the left ("" when none): column by column, as a row-wise
    fill of text columns goes through one block per row (about 0.1 s a context)."""
    first = pd.Series("", index=symbols.index, dtype=object)
    for column in reversed(symbols.columns):
        value = symbols[column].fillna("").astype(object)
        first = value.where(value != "", first)
    return first.astype(symbols.dtypes.iloc[0]) if len(symbols.columns) else first


def with_percent(parts: pd.DataFrame) -> pd.DataFrame:
    """Percent where the rate is published; a range where it is withheld but the totals narrow it."""
    out = parts.copy()
    shown = (out["symbol"] == "") & (out["denominator"] > 0)
    out["percent"] = (100 * out["numerator"] / out["denominator"]).where(shown)
    withheld = ~shown & (out["symbol"] != NOT_APPLICABLE) & (out["denominator"] > 0)
    low, high = 100 * out["low"] / out["denominator"], 100 * out["high"] / out["denominator"]
    # A range of 0 to 100% says nothing: give one only where the published totals narrow it.
    informative = withheld & low.notna() & high.notna() & ((low > 0) | (high < 100))
    out["range_low"], out["range_high"] = low.where(informative), high.where(informative)
    return out


def complete_years(authorities: tuple[Authority, ...], years: list[int]) -> list[int]:
    """Years in which every listed authority's area has a census row. An authority without a row in a year is
    covered only by a listed predecessor or successor (one whose years never overlap its own), as when a
    partnership lists Northamptonshire and the two authorities that replaced it."""
    complete = []
    for year in years:
        missing = [a for a in authorities if year not in a.years]
        present = [a for a in authorities if year in a.years]
        if present and all(any(not set(a.years) & set(b.years) for b in present) for a in missing):
            complete.append(year)
    return complete


def summed_rate(rows: pd.DataFrame, rate: Rate, years: list[int]) -> pd.DataFrame:
    """One rate per year for the sum of the given census rows (our authorities); `c` if any part is withheld."""
    parts = rate_parts(rows, rate)
    grouped = parts.groupby("year")
    summed = grouped[["numerator", "denominator", "low", "high"]].sum(min_count=1)
    # A sum with a withheld part is withheld: pandas would otherwise skip the missing value.
    summed = summed.mask(parts[["numerator", "denominator", "low", "high"]].isna().groupby(parts["year"]).any())
    summed["symbol"] = grouped["symbol"].agg(lambda s: next((x for x in s if x and x != NOT_APPLICABLE), ""))
    summed.loc[(summed["symbol"] == "") & (summed["denominator"] == 0), "symbol"] = NOT_APPLICABLE
    return with_percent(summed.reindex(years).rename_axis("year").reset_index())


def gap_rows(years: list[int]) -> pd.DataFrame:
    """Years without a census figure: shown as not available, with no number at all."""
    return pd.DataFrame({"year": years, "symbol": NOT_AVAILABLE})


def comparator_rates(rows: pd.DataFrame, rate: Rate, years: list[int], name: str, role: str,
                     usable_years: list[int] | None = None) -> pd.DataFrame:
    usable = years if usable_years is None else usable_years
    rates = summed_rate(rows[rows["year"].isin(usable)], rate, usable)
    rates = pd.concat([rates, gap_rows([y for y in years if y not in usable])]) if len(usable) < len(years) else rates
    rates = rates.set_index("year").reindex(years).rename_axis("year").reset_index()
    rates["symbol"] = rates["symbol"].fillna(NOT_AVAILABLE)
    return rates.assign(comparator=name, role=role)


def neighbour_codes(authorities: tuple[Authority, ...], census: Census) -> list[str]:
    """The statistical neighbours of our authorities in the census's neighbour model, closest first, without
    our own authorities (a partnership of two neighbours is not its own comparator)."""
    model = census.neighbours.set_index("old_la_code")
    ours = {a.old_la_code for a in authorities}
    columns = [c for c in model.columns if c.startswith("SN_")]
    listed = [model.loc[a.old_la_code, columns].tolist() for a in authorities if a.old_la_code in model.index]
    # Interleave so that with several authorities each one's closest neighbours come first.
    codes = [code for rank in zip(*listed) for code in rank] if listed else []
    return list(dict.fromkeys(c for c in codes if c and c not in ours))


def neighbour_spread(rows: pd.DataFrame, rate: Rate, years: list[int], codes: list[str]) -> pd.DataFrame:
    """Median, lowest and highest of the neighbours' rates each year, over those with a published figure."""
    each = with_percent(rate_parts(rows[rows["old_la_code"].isin(codes)], rate))
    spread = each.groupby("year")["percent"].agg(["median", "min", "max", "count"]).reindex(years)
    return pd.DataFrame({"year": years, "percent": spread["median"].to_numpy(),
                         "neighbours_low": spread["min"].to_numpy(), "neighbours_high": spread["max"].to_numpy(),
                         "neighbours_with_figure": spread["count"].fillna(0).astype(int).to_numpy(),
                         "neighbours_total": len(codes),
                         "symbol": spread["count"].fillna(0).gt(0).map({True: "", False: NOT_AVAILABLE}).to_numpy()})


def comparison_table(table: pd.DataFrame, rate: Rate, years: list[int], authorities: tuple[Authority, ...],
                     neighbours: list[str]) -> pd.DataFrame:
    """The rate for our authorities (summed), each region, England and the neighbours, one row per year."""
    areas = table[table["geographic_level"] == LOCAL_AUTHORITY]
    frames = [comparator_rates(table[table["geographic_level"] == NATIONAL], rate, years, "England", ENGLAND)]
    if authorities:
        ours = areas[areas["old_la_code"].isin([a.old_la_code for a in authorities])]
        frames.insert(0, comparator_rates(ours, rate, years, join_names([a.la_name for a in authorities]), LOCAL,
                                          complete_years(authorities, years)))
        regions = dict.fromkeys((a.region_code, a.region_name) for a in authorities)
        regional = table[table["geographic_level"] == REGIONAL]
        frames[1:1] = [comparator_rates(regional[regional["region_code"] == code], rate, years, name, REGION)
                       for code, name in regions]
    if neighbours:
        frames.append(neighbour_spread(areas, rate, years, neighbours)
                      .assign(comparator="Statistical neighbours (median)", role=NEIGHBOURS))
    return pd.concat(frames, ignore_index=True).reindex(columns=RATE_COLUMNS)


@dataclass(frozen=True)
class PopulationCheck:
    """The Audit sheet's population beside the census count of children on a plan at 31 March."""
    population: int | None
    census_on_plan: float | None
    census_year: int | None
    symbol: str = ""

    @property
    def differs(self) -> bool:
        return population_differs(self.population, self.census_on_plan)

    @property
    def sentence(self) -> str:
        if self.population is None or self.census_on_plan is None:
            return ""
        on_31_march = f"31 March {self.census_year}"
        if self.differs:
            return (f"The population given ({self.population:,} children on plans) differs by more than half from "
                    f"the census count for these authorities ({self.census_on_plan:,.0f} on {on_31_march}): "
                    f"check that it was typed correctly.")
        return (f"The population given ({self.population:,} children on plans) is in line with the census count "
                f"for these authorities ({self.census_on_plan:,.0f} on {on_31_march}).")


def population_differs(population, census_on_plan) -> bool:
    """More than half away from the census count: usually a mistyped population."""
    if population is None or census_on_plan is None or pd.isna(census_on_plan) or census_on_plan <= 0:
        return False
    return abs(population - census_on_plan) > POPULATION_TOLERANCE * census_on_plan


def population_check(population, on_plan: pd.DataFrame, authorities: tuple[Authority, ...],
                     year: int | None) -> PopulationCheck | None:
    """The census count at 31 March of the latest year shown, summed over our authorities; `c` or a missing
    row for any of them leaves it unknown (a partial sum would make a good population look wrong)."""
    if not authorities or year is None:
        return None
    population = None if population is None or pd.isna(population) else int(population)
    codes = [a.old_la_code for a in authorities if year in a.years]
    rows = on_plan[(on_plan["geographic_level"] == LOCAL_AUTHORITY) & (on_plan["year"] == year)
                   & on_plan["old_la_code"].isin(codes)]
    symbols = [s for s in rows["cpp_at_31_march_symbol"] if s]
    if symbols or year not in complete_years(authorities, [year]):
        return PopulationCheck(population, None, year, symbols[0] if symbols else NOT_AVAILABLE)
    return PopulationCheck(population, float(rows["cpp_at_31_march"].sum()), year)


@dataclass
class CensusContext:
    """Everything the report's Context section and the notebook show; `to_dict` for a plain mapping."""
    release: str
    citation: str
    neighbour_model: str
    years: list[int]
    covering_year: int | None
    authorities: tuple[Authority, ...]
    unknown: tuple
    regions: list[str]
    neighbours: list[Authority]
    icpc_timeliness: pd.DataFrame
    repeat_plans: pd.DataFrame
    population_check: PopulationCheck | None
    notes: list[str] = field(default_factory=list)
    # The funnel plot (issue 22): every authority's ICPC timeliness in the latest year shown, and England's rate.
    funnel: pd.DataFrame = field(default_factory=pd.DataFrame)
    funnel_year: int | None = None
    funnel_england: float | None = None

    @property
    def authority_names(self) -> str:
        return join_names([a.la_name for a in self.authorities])

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__} | {
            "authority_names": self.authority_names}


def gap_notes(authorities: tuple[Authority, ...], years: list[int]) -> list[str]:
    """Why a year is blank, or whose rows a year counts, when an authority has no census row in it."""
    complete = complete_years(authorities, years)
    notes = []
    for authority in authorities:
        missing = [y for y in years if y not in authority.years]
        gaps, covered = [y for y in missing if y not in complete], [y for y in missing if y in complete]
        if gaps:
            notes.append(f"{authority.la_name} has no census row for {join_names([str(y) for y in gaps])} "
                         "(a change of local authority boundaries): no figure for those years, shown as x, "
                         "not as zero.")
        if covered:
            notes.append(f"{authority.la_name} has no census row for {join_names([str(y) for y in covered])}: "
                         "those years count the listed authorities that replaced it or that it replaced.")
    return notes


def build_context(local_authorities=None, window_end=None, population=None, census: Census | None = None,
                  resolution: Resolution | None = None) -> CensusContext:
    """The census context for the authorities a partnership names (none: England only)."""
    census = census or load_census()
    resolution = resolution or resolve_authorities(local_authorities, census)
    authorities = resolution.authorities
    years = census_years(census.years, window_end)
    end = as_of(window_end)
    covering = None if end is None else census_year_of(end)
    codes = neighbour_codes(authorities, census)
    catalogue = {a: n for a, n in zip(census.neighbours["old_la_code"], census.neighbours["la_name"])}
    notes = gap_notes(authorities, years)
    if authorities and not codes:
        notes.append(f"None of {resolution.names} is in the {census.neighbour_model}: no statistical neighbours.")
    return CensusContext(
        release=census.release, citation=census.citation, neighbour_model=census.neighbour_model, years=years,
        covering_year=covering, authorities=authorities, unknown=resolution.unknown,
        regions=list(dict.fromkeys(a.region_name for a in authorities)),
        neighbours=[Authority(c, "", catalogue.get(c, c), "", "", ()) for c in codes],
        icpc_timeliness=comparison_table(census.icpc, ICPC_WITHIN_15_DAYS, years, authorities, codes),
        repeat_plans=comparison_table(census.repeat_plans, REPEAT_PLANS, years, authorities, codes),
        population_check=population_check(population, census.on_plan, authorities, years[-1] if years else None),
        notes=notes, **funnel_figures(census, years[-1] if years else None))


def funnel_figures(census: Census, year: int | None) -> dict:
    """The funnel plot's points and England's rate in `year` (none without a year)."""
    from .funnel import england_rate, funnel_points, with_positions

    if year is None:
        return {}
    rate = england_rate(census, year)
    return {"funnel": with_positions(funnel_points(census, year), rate), "funnel_year": year,
            "funnel_england": rate}
