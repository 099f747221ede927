"""Which local authorities the Audit sheet's `local_authorities` names (spec section 3).

A partnership writes DfE 3-digit codes, E-codes or names as the census prints them, separated by commas
or semicolons. Matching ignores case, spaces and punctuation; an unknown one is returned with the nearest
names ("did you mean ...?") so the cleaning stage can list it in the data-quality output, never a crash.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from .census import LOCAL_AUTHORITY, Census, load_census

# ONS code of the London region: the census files place London authorities in Inner or Outer London
# (E13 codes), but their region as a board compares with it, and as the neighbour model names it, is London.
LONDON = ("E12000007", "London")
SUGGESTIONS = 3
SUGGESTION_CUTOFF = 0.6
# Names in `value` separated by commas or semicolons; the census's own names with a comma ("Bristol, City of")
# are rejoined by resolve_authorities.
SEPARATORS = re.compile(r"[;,\n]")


@dataclass(frozen=True)
class Authority:
    """A local authority as the census knows it; `years` are the census years it has a row for."""
    old_la_code: str
    new_la_code: str
    la_name: str
    region_code: str
    region_name: str
    years: tuple[int, ...]

    @property
    def label(self) -> str:
        return f"{self.la_name} ({self.old_la_code})"


@dataclass(frozen=True)
class UnknownAuthority:
    value: str
    suggestions: tuple[str, ...]

    @property
    def hint(self) -> str:
        if not self.suggestions:
            return "not in the children in need census; check the DfE code or name"
        return "did you mean " + join_names(list(self.suggestions), "or") + "?"


@dataclass(frozen=True)
class Resolution:
    authorities: tuple[Authority, ...]
    unknown: tuple[UnknownAuthority, ...]

    @property
    def codes(self) -> list[str]:
        return [a.old_la_code for a in self.authorities]

    @property
    def names(self) -> str:
        return join_names([a.la_name for a in self.authorities])


def join_names(names: list[str], conjunction: str = "and") -> str:
    """`A`, `A and B`, `A, B and C`."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {conjunction} " + names[-1]


def match_key(text: str) -> str:
    """Case-, space- and punctuation-insensitive form of a code or name."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[^0-9a-z]+", " ", text.replace("&", " and ")).strip()


def authority_catalogue(census: Census) -> pd.DataFrame:
    """One row per DfE 3-digit code: its latest name, E-code and region, every E-code it had, and its years."""
    rows = census.icpc[census.icpc["geographic_level"] == LOCAL_AUTHORITY].sort_values("year")
    grouped = rows.groupby("old_la_code", sort=False)
    catalogue = grouped[["new_la_code", "la_name", "region_code", "region_name"]].last()
    catalogue["new_la_codes"] = grouped["new_la_code"].agg(lambda codes: tuple(sorted(set(codes) - {""})))
    catalogue["years"] = grouped["year"].agg(lambda years: tuple(sorted(set(years))))
    catalogue["latest_year"] = grouped["year"].max()
    london = catalogue["region_code"].str.startswith("E13")
    catalogue.loc[london, "region_code"], catalogue.loc[london, "region_name"] = LONDON
    return catalogue.reset_index()


def _lookup(catalogue: pd.DataFrame) -> dict[str, str]:
    """Every key (3-digit code, any E-code, name) to its 3-digit code. A name used by two codes over time
    (Dorset was 835, then 838) is the authority with the latest census row."""
    keys = {}
    for row in catalogue.sort_values("latest_year").itertuples():
        for key in (row.la_name, *row.new_la_codes):
            keys[match_key(key)] = row.old_la_code
    keys.update({match_key(code): code for code in catalogue["old_la_code"]})
    return keys


def split_authorities(value: str | Iterable[str] | None, known_keys: Iterable[str] = ()) -> list[str]:
    """The entries of a `local_authorities` cell; a census name containing a comma stays whole."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if not isinstance(value, str):
        # The list audit.json keeps was split at every comma: joined again, "Bristol", "City of" is one name.
        value = "; ".join(str(v) for v in value)
    parts = [p.strip() for p in SEPARATORS.split(value)]
    known = set(known_keys)
    entries: list[str] = []
    for part in parts:
        if entries and part and match_key(f"{entries[-1]}, {part}") in known:
            entries[-1] = f"{entries[-1]}, {part}"  # "Bristol, City of"
        elif part:
            entries.append(part)
    return entries


def suggestions_for(value: str, catalogue: pd.DataFrame, lookup: dict[str, str]) -> tuple[str, ...]:
    """The nearest codes or names the census knows, as `Name (code)`: the "did you mean" of the hint."""
    labels = dict(zip(catalogue["old_la_code"], catalogue["la_name"] + " (" + catalogue["old_la_code"] + ")"))
    key = match_key(value)
    # A 3-digit code is compared with codes only: "did you mean" a code one digit away, not a name.
    pool = [k for k in lookup if k.isdigit() == key.isdigit()]
    close = difflib.get_close_matches(key, pool, n=SUGGESTIONS, cutoff=SUGGESTION_CUTOFF)
    return tuple(dict.fromkeys(labels[lookup[k]] for k in close))


def resolve_authorities(value: str | Iterable[str] | None, census: Census | None = None) -> Resolution:
    """The authorities a `local_authorities` value names (duplicates once, in the order given) and the
    entries the census does not know, each with the nearest names."""
    census = census or load_census()
    catalogue = authority_catalogue(census)
    lookup = _lookup(catalogue)
    by_code = catalogue.set_index("old_la_code")
    found: dict[str, Authority] = {}
    unknown: list[UnknownAuthority] = []
    for entry in split_authorities(value, lookup):
        code = lookup.get(match_key(entry))
        if code is None:
            unknown.append(UnknownAuthority(entry, suggestions_for(entry, catalogue, lookup)))
            continue
        row = by_code.loc[code]
        found.setdefault(code, Authority(code, row["new_la_code"], row["la_name"], row["region_code"],
                                         row["region_name"], row["years"]))
    return Resolution(tuple(found.values()), tuple(unknown))


def unknown_authority_issues(resolution: Resolution) -> pd.DataFrame:
    """The data-quality rows (spec section 8) for the entries the census does not know, for an analyst: `value`
    holds the entry alone, as data_quality.csv does, and `hint` the nearest names ("did you mean ...?")."""
    return pd.DataFrame({"sheet": "Audit", "column": "local_authorities",
                         "value": [u.value for u in resolution.unknown],
                         "issue": "unknown_local_authority", "rows": 1, "hint": [u.hint for u in resolution.unknown]},
                        columns=["sheet", "column", "value", "issue", "rows", "hint"])
