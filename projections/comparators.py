"""Published figures to compare an authority's own with, and their table.

A comparators file is a CSV file with exactly these columns:

    comparator,indicator,year,rate,source
    Doncaster,re_referrals_12m,2014,0.37,"DfE evaluation of ... Appendix 4, Table 1"

- `comparator`: whose figure it is (an authority, a region, "England");
- `indicator`: an indicator of the projection (`indicator_definitions`);
- `year`: the reporting year the figure is for (the case study's "56% (2015)" is 2015's);
- `rate`: as the indicator reports it: a proportion from 0 to 1, or a number per 10,000
  children for a `per_10k_children` indicator;
- `source`: where the figure was published, never empty.

`published_figures/case_study.csv` is the one place the founding case study's figures
(domain.md section 4) are kept; the report, the demo and the synthetic authority's
calibration test read them from here. `published_figures/england.csv` holds the DfE's
national figures the project found a source for, each row naming where it was read
(docs/analysts.md, "Published comparators", says which rows have none yet).
`journeys comparators load FILE.csv` puts a file into the table `comparators` of the
projection database (the demo loads these two), replacing the figures of the comparators
the file names and keeping the others; a bad file is refused whole, with the file, line
and field named.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from projections.csv_files import read_csv_rows, required_field
from projections.exceptions import ComparatorFileError

CASE_STUDY_FILE = Path(__file__).parent / "published_figures" / "case_study.csv"
CASE_STUDY_COMPARATOR = "Doncaster"
ENGLAND_FILE = Path(__file__).parent / "published_figures" / "england.csv"

COLUMNS: tuple[str, ...] = ("comparator", "indicator", "year", "rate", "source")

COMPARATORS_DDL = """
create table if not exists comparators (
    comparator varchar not null,
    indicator varchar not null,
    year integer not null,
    rate double not null,
    source varchar not null,
    primary key (comparator, indicator, year)
);
"""


@dataclass(frozen=True, slots=True)
class Comparator:
    """One published figure."""

    comparator: str
    indicator: str
    year: int
    rate: float
    source: str


def read_comparators(path: Path, kinds: Mapping[str, str] | None = None) -> list[Comparator]:
    """The figures of a comparators file, checked against the indicators `kinds`
    (indicator -> kind; default: the shipped indicators); ComparatorFileError says what
    is wrong, naming the file, line and field."""
    if kinds is None:
        # Here, not at the top: projections.definitions installs this module's table.
        from projections.definitions import indicator_definitions

        kinds = {d.indicator: d.kind for d in indicator_definitions()}
    known = kinds
    figures = read_csv_rows(
        path, COLUMNS, ComparatorFileError, lambda line, row: _figure(path, line, row, known)
    )
    seen: set[tuple[str, str, int]] = set()
    for figure in figures:
        key = (figure.comparator, figure.indicator, figure.year)
        if key in seen:
            raise ComparatorFileError(
                f"{path}: {figure.comparator}'s {figure.indicator} for {figure.year} is given twice"
            )
        seen.add(key)
    return figures


def _figure(
    path: Path, line: int, row: dict[str, str | None], kinds: Mapping[str, str]
) -> Comparator:
    def field(name: str) -> str:
        return required_field(path, line, row, name, ComparatorFileError)

    comparator, indicator, source = field("comparator"), field("indicator"), field("source")
    if indicator not in kinds:
        raise ComparatorFileError(
            f"{path}, line {line}, field indicator: {indicator!r} is not an indicator of "
            "the projection (see the table indicator_definitions)"
        )
    year = field("year")
    if not (len(year) == 4 and year.isdigit()):
        raise ComparatorFileError(
            f"{path}, line {line}, field year: must be a reporting year such as 2016, not {year!r}"
        )
    text = field("rate")
    try:
        rate = float(text)
    except ValueError:
        rate = math.nan
    highest = 1.0 if kinds[indicator] == "proportion" else math.inf
    if not 0.0 <= rate <= highest:
        what = "a proportion from 0 to 1" if highest == 1.0 else "a number per 10,000, 0 or more"
        raise ComparatorFileError(
            f"{path}, line {line}, field rate: {indicator} is reported as {what}, not {text!r}"
        )
    return Comparator(comparator, indicator, int(year), rate, source)


@functools.cache
def case_study_comparators() -> tuple[Comparator, ...]:
    """The case study's published figures, as shipped."""
    return tuple(read_comparators(CASE_STUDY_FILE))


def case_study_figures() -> Mapping[str, Mapping[int, float]]:
    """The case study's published rates: indicator -> {reporting year: rate}."""
    return figures_by_indicator(case_study_comparators())


def figures_by_indicator(figures: Sequence[Comparator]) -> dict[str, dict[int, float]]:
    by_indicator: dict[str, dict[int, float]] = {}
    for figure in figures:
        by_indicator.setdefault(figure.indicator, {})[figure.year] = figure.rate
    return by_indicator


def load_comparators(connection: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Replace the figures of the comparators `path` names; the figures loaded."""
    kinds = dict(connection.execute("select indicator, kind from indicator_definitions").fetchall())
    figures = read_comparators(path, kinds)
    if not figures:
        return 0
    connection.begin()
    try:
        connection.executemany(
            "delete from comparators where comparator = ?",
            [(name,) for name in sorted({figure.comparator for figure in figures})],
        )
        connection.executemany(
            "insert into comparators values (?, ?, ?, ?, ?)",
            [(f.comparator, f.indicator, f.year, f.rate, f.source) for f in figures],
        )
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    return len(figures)


def comparators_in(connection: duckdb.DuckDBPyConnection) -> list[Comparator]:
    """Every figure of the comparators table, by comparator, indicator and year."""
    rows = connection.execute(
        "select comparator, indicator, year, rate, source from comparators order by all"
    ).fetchall()
    return [Comparator(*row) for row in rows]
