"""Reading the DfE children in need census extract shipped in data/external (issue 13).

Columns are found by name, not position, because DfE renames and reorders them between releases;
a measure cell holds a number or a DfE symbol (`c` suppressed, `z` not applicable, `x` not available,
`u` low reliability), and the symbol is kept beside the number so nothing is ever read as zero.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import config
from ..errors import AuditInputError

EXTRACT_DIR = config.PROJECT_ROOT / "data" / "external" / "dfe-children-in-need-2025"
LICENCE = "Open Government Licence v3.0"
SYMBOLS = {"c": "suppressed (small numbers)", "z": "not applicable", "x": "not available", "u": "low reliability"}
NOT_AVAILABLE = "x"
NATIONAL, REGIONAL, LOCAL_AUTHORITY = "National", "Regional", "Local authority"
# Counts at these levels are rounded to the nearest 10 by DfE (README of the extract).
ROUNDED_LEVELS = (NATIONAL, REGIONAL)

# The columns every file shares, under the names this package uses.
ID_COLUMNS = {"time_period": "time_period", "geographic_level": "geographic_level", "region_code": "region_code",
              "region_name": "region_name", "old_la_code": "old_la_code", "new_la_code": "new_la_code",
              "la_name": "la_name"}


@dataclass(frozen=True)
class CensusFile:
    """One file of the extract: a glob (the years in the name change each release) and its measures."""
    pattern: str
    measures: dict[str, str]  # DfE column name -> name used here


ICPC_FILE = CensusFile("c4_children_in_need_section_47s_and_icpcs_*.csv", {
    "ICPC": "icpc", "Duration_0-10_days": "days_0_10", "Duration_11-15_days": "days_11_15",
    "Duration_16-20_days": "days_16_20", "Duration_21+_days": "days_21_plus"})
REPEAT_PLAN_FILE = CensusFile("d3_cpps_subsequent_plan_*.csv", {
    "CPP_start": "cpp_start", "CPP_subsequent": "cpp_subsequent"})
ON_PLAN_FILE = CensusFile("d5_cpps_at31march_by_duration_*.csv", {"CPP_At31": "cpp_at_31_march"})
NEIGHBOUR_FILE = "sn_model_*_wide.csv"
NEIGHBOUR_COUNT = 10


@dataclass(frozen=True)
class Census:
    """The extract as read: one frame per file; each measure `m` has a float column `m` (NaN where DfE
    printed a symbol) and a text column `m_symbol` ("" where a number stands)."""
    release: str
    folder: Path
    icpc: pd.DataFrame
    repeat_plans: pd.DataFrame
    on_plan: pd.DataFrame
    neighbours: pd.DataFrame  # old_la_code, la_name, SN_1 ... SN_10 (old_la_code of each neighbour)
    neighbour_model: str

    @property
    def years(self) -> list[int]:
        return sorted(self.icpc["year"].unique().tolist())

    @property
    def citation(self) -> str:
        return f'Department for Education, "{self.release}", {LICENCE}'


def normalise_column(name: str) -> str:
    """Header matching that survives DfE's changes of case and punctuation between releases."""
    return re.sub(r"[^0-9a-z+]+", "_", str(name).replace("\ufeff", "").strip().lower()).strip("_")


def census_year(time_period: pd.Series) -> pd.Series:
    """The census year (ending 31 March) of a time_period: `2025`, or a six-digit `202425` read as 2025."""
    text = time_period.astype(str).str.strip()
    starting_year = pd.to_numeric(text.str[:4], errors="coerce")
    return (starting_year + text.str.fullmatch(r"\d{6}").astype(int)).astype("Int64")


def split_symbols(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A measure column as numbers (NaN for a symbol or an empty cell) and the symbols beside them."""
    text = cells.fillna("").astype(str).str.strip()
    numbers = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    # An empty cell is data DfE did not give: not available, never zero.
    symbols = text.str.lower().replace("", NOT_AVAILABLE).where(numbers.isna(), "")
    return numbers.astype(float), symbols


def find_file(folder: Path, pattern: str) -> Path:
    matches = sorted(folder.glob(pattern))
    if not matches:
        raise AuditInputError(f"no census file matching {pattern}", file=folder,
                              hint="copy the DfE children in need extract into data/external")
    return matches[-1]


def read_columns(path: Path, wanted: dict[str, str]) -> pd.DataFrame:
    """The wanted columns of a CSV found by normalised name, renamed; a missing one is a one-line error."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    by_name = {normalise_column(c): c for c in raw.columns}
    missing = [name for name in wanted if normalise_column(name) not in by_name]
    if missing:
        raise AuditInputError("census column missing", file=path.name, column=missing,
                              hint="DfE may have renamed it in this release; update helpers/context/census.py")
    return raw[[by_name[normalise_column(name)] for name in wanted]].set_axis(list(wanted.values()), axis=1)


def read_census_file(folder: Path, spec: CensusFile) -> pd.DataFrame:
    """One file: identifiers, the census year, whether counts are rounded, and each measure with its symbol."""
    frame = read_columns(find_file(folder, spec.pattern), {**ID_COLUMNS, **spec.measures})
    frame.insert(0, "year", census_year(frame["time_period"]))
    frame = frame[frame["year"].notna()].astype({"year": int})  # a footnote row has no year
    frame["rounded"] = frame["geographic_level"].isin(ROUNDED_LEVELS)
    for measure in spec.measures.values():
        frame[measure], frame[f"{measure}_symbol"] = split_symbols(frame[measure])
    return frame


def read_neighbours(folder: Path) -> tuple[pd.DataFrame, str]:
    path = find_file(folder, NEIGHBOUR_FILE)
    wanted = {"old_la_code": "old_la_code", "la_name": "la_name",
              **{f"SN_{i}": f"SN_{i}" for i in range(1, NEIGHBOUR_COUNT + 1)}}
    frame = read_columns(path, wanted).apply(lambda column: column.str.strip())
    model = re.search(r"sn_model_(\d{4})", path.name)
    return frame, (f"{model.group(1)} statistical neighbour model" if model else path.stem)


def release_name(folder: Path) -> str:
    """The release the extract's README names, so the report says which one it used."""
    readme = folder / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    found = re.search(r"Characteristics of children in need: \d{4}", text)
    return found.group(0) if found else folder.name


def load_census(folder: str | Path | None = None) -> Census:
    """The shipped extract (or another release's folder laid out the same way)."""
    folder = Path(folder) if folder else EXTRACT_DIR
    if not folder.is_dir():
        raise AuditInputError("census extract folder not found", file=folder,
                              hint="it ships with the project in data/external; restore it from git")
    neighbours, model = read_neighbours(folder)
    return Census(release=release_name(folder), folder=folder, icpc=read_census_file(folder, ICPC_FILE),
                  repeat_plans=read_census_file(folder, REPEAT_PLAN_FILE),
                  on_plan=read_census_file(folder, ON_PLAN_FILE), neighbours=neighbours, neighbour_model=model)
