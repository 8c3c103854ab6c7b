"""The child population of each authority, for the rates per 10,000 children.

The rates per 10,000 (`-- kind: per_10k_children` indicators) divide by the authority's
children aged 0-17: the ONS mid-year estimate the DfE uses for the reporting year. They
are kept in the table `population(local_authority, year, age_band, children)`, loaded
from a CSV file (`journeys population load FILE.csv`) with exactly these columns:

    local_authority,year,age_band,children
    371,2024,under 1,3611
    371,2024,1-4,14444
    ...

- `local_authority`: the 3-digit DfE code;
- `year`: the reporting year the estimate is used for (year Y, ending 31 March Y, uses
  the ONS estimate for mid-year Y-1, as the DfE's own rates do);
- `age_band`: one of the DfE bands `under 1`, `1-4`, `5-9`, `10-15`, `16 and over` (here
  16 and 17: the population is of children aged 0-17);
- `children`: a whole number, 0 or more.

Every authority and year in a file needs all five bands (a rate over part of the
population would be wrong, not missing). Loading replaces the rows of the authorities
and years the file holds and keeps the others; a bad file is refused whole, with the
file, line and field named, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from projections.breakdowns import AGE_BANDS
from projections.csv_files import read_csv_rows, required_field
from projections.exceptions import PopulationFileError

COLUMNS: tuple[str, ...] = ("local_authority", "year", "age_band", "children")
POPULATION_AGE_BANDS: tuple[str, ...] = tuple(band for band, _ in reversed(AGE_BANDS))

# The synthetic authority's own figures (journeys.synthetic: 65,000 children aged 0-17,
# authority 371, every reporting year it generates), in the shares of a flat age profile.
SYNTHETIC_AUTHORITY_FILE = (
    Path(__file__).parent / "population_estimates" / "synthetic_authority.csv"
)

POPULATION_DDL = """
create table if not exists population (
    local_authority varchar not null,
    year integer not null,
    age_band varchar not null,
    children bigint not null check (children >= 0),
    primary key (local_authority, year, age_band)
);
create or replace table population_age_bands (age_band varchar primary key);
insert into population_age_bands values {bands};
""".format(bands=", ".join(f"('{band}')" for band in POPULATION_AGE_BANDS))


@dataclass(frozen=True, slots=True)
class PopulationRow:
    local_authority: str
    year: int
    age_band: str
    children: int


def read_population(path: Path) -> list[PopulationRow]:
    """The rows of a population CSV file; PopulationFileError names what is wrong."""
    rows = read_csv_rows(
        path, COLUMNS, PopulationFileError, lambda line, record: _row(path, line, record)
    )
    _check_complete(path, rows)
    return rows


def _row(path: Path, line: int, record: dict[str, str | None]) -> PopulationRow:
    def field(name: str) -> str:
        return required_field(path, line, record, name, PopulationFileError)

    local_authority = field("local_authority")
    if not (len(local_authority) == 3 and local_authority.isdigit()):
        raise PopulationFileError(
            f"{path}, line {line}, field local_authority: must be a 3-digit DfE code, "
            f"not {local_authority!r}"
        )
    year = field("year")
    if not (len(year) == 4 and year.isdigit()):
        raise PopulationFileError(
            f"{path}, line {line}, field year: must be a reporting year such as 2024, not {year!r}"
        )
    age_band = field("age_band")
    if age_band not in POPULATION_AGE_BANDS:
        raise PopulationFileError(
            f"{path}, line {line}, field age_band: must be one of "
            f"{', '.join(POPULATION_AGE_BANDS)}, not {age_band!r}"
        )
    children = field("children")
    if not children.lstrip("-").isdigit():
        raise PopulationFileError(
            f"{path}, line {line}, field children: must be a whole number, not {children!r}"
        )
    if int(children) < 0:
        raise PopulationFileError(
            f"{path}, line {line}, field children: a count of children cannot be "
            f"negative ({children})"
        )
    return PopulationRow(local_authority, int(year), age_band, int(children))


def _check_complete(path: Path, rows: Iterable[PopulationRow]) -> None:
    bands: dict[tuple[str, int], list[str]] = {}
    for row in rows:
        held = bands.setdefault((row.local_authority, row.year), [])
        if row.age_band in held:
            raise PopulationFileError(
                f"{path}: authority {row.local_authority}, year {row.year}, age band "
                f"{row.age_band!r} is given twice"
            )
        held.append(row.age_band)
    for (local_authority, year), held in sorted(bands.items()):
        missing = [band for band in POPULATION_AGE_BANDS if band not in held]
        if missing:
            raise PopulationFileError(
                f"{path}: authority {local_authority}, year {year} has no row for age band "
                f"{', '.join(missing)} (every authority and year needs all five)"
            )


def load_population(connection: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Replace the population of the authorities and years `path` holds; the rows loaded."""
    rows = read_population(path)
    if not rows:
        return 0
    connection.begin()
    try:
        connection.executemany(
            "delete from population where local_authority = ? and year = ?",
            sorted({(row.local_authority, row.year) for row in rows}),
        )
        connection.executemany(
            "insert into population values (?, ?, ?, ?)",
            [(row.local_authority, row.year, row.age_band, row.children) for row in rows],
        )
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    return len(rows)


def synthetic_population_csv(children: int, local_authority: str, years: Iterable[int]) -> str:
    """A population file for a synthetic authority of `children` children aged 0-17, in
    the age shares of the shipped file (a flat profile: each year of age 1/18)."""
    shares = {"under 1": 1, "1-4": 4, "5-9": 5, "10-15": 6, "16 and over": 2}
    lines = [",".join(COLUMNS)]
    for year in years:
        counts = {band: round(children * share / 18) for band, share in shares.items()}
        counts["10-15"] += children - sum(counts.values())  # rounding, so the bands add up
        lines.extend(f"{local_authority},{year},{band},{counts[band]}" for band in counts)
    return "\n".join(lines) + "\n"
