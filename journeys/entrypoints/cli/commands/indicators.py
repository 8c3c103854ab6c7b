"""`journeys indicators`: the indicators of a reporting year (from the projection snapshot).

Print indicator, year, numerator, denominator, rate for reporting year Y (1 April Y-1 to
31 March Y), read from the snapshot the runner publishes, so it works while `journeys
project --follow` runs.
"""

from __future__ import annotations

import argparse
import sys

import duckdb

from events.settings import Settings
from projections.breakdowns import BREAKDOWNS
from projections.indicators import (
    as_known_at,
    authorities_without_population,
    indicators_for_year,
)
from projections.output import FORMATS, write
from projections.readers import open_configured_reader


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", type=int, required=True, help="reporting year, e.g. 2024")
    parser.add_argument(
        "--as-of",
        help="as known at this moment: ISO date (end of that "
        "day, UTC) or timestamp (no zone = UTC); default: everything recorded",
    )
    parser.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="BREAKDOWN",
        help=f"one row per group of {', '.join(BREAKDOWNS)} (repeat the option or join "
        "them with commas for several at once); default: the pooled figure of every "
        "authority in the record",
    )
    parser.add_argument("--format", choices=FORMATS, default="table")


def run(arguments: argparse.Namespace) -> int:
    by = [name.strip() for option in arguments.by for name in option.split(",") if name.strip()]
    unknown = [name for name in by if name not in BREAKDOWNS]
    if unknown:
        print(
            f"journeys indicators: --by must name breakdowns of {', '.join(BREAKDOWNS)}, "
            f"not {', '.join(unknown)}",
            file=sys.stderr,
        )
        return 2
    try:
        as_of = None if arguments.as_of is None else as_known_at(arguments.as_of)
    except ValueError as error:
        print(f"journeys indicators: {error}", file=sys.stderr)
        return 2
    settings = Settings.from_environment()
    connection = open_configured_reader(settings)
    try:
        table = indicators_for_year(connection, arguments.year, as_of, by)
        if table.num_rows == 0:
            first, last = _years_held(connection)
            if first is None or not first <= arguments.year <= last:
                held = (
                    "the projection holds no events"
                    if first is None
                    else f"the projection holds reporting years {first} to {last}"
                )
                print(
                    f"journeys indicators: no data for reporting year {arguments.year}: {held}",
                    file=sys.stderr,
                )
                return 1
            # A year of the record asked as known before anything of it was recorded:
            # the empty answer is the true one, and said so.
            print(
                f"journeys indicators: nothing was recorded for reporting year "
                f"{arguments.year} as known at {arguments.as_of}",
                file=sys.stderr,
            )
        write(table, arguments.format, sys.stdout)
        missing = authorities_without_population(connection, arguments.year, as_of)
        if missing:
            print(
                f"journeys indicators: no population loaded for reporting year "
                f"{arguments.year} of authority {', '.join(missing)}: its rates per 10,000 "
                "children are empty (load one with `journeys population load FILE.csv`)",
                file=sys.stderr,
            )
    finally:
        connection.close()
    return 0


def _years_held(connection: duckdb.DuckDBPyConnection) -> tuple[int | None, int | None]:
    """The first and last reporting year of the indicators; (None, None) with no events."""
    row = connection.execute("select min(year), max(year) from indicators").fetchone()
    return (None, None) if row is None else (row[0], row[1])
