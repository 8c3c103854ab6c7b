"""`journeys export ssda903|cin --year Y --local-authority LA --out DIR|FILE.xml [--as-of T]`:
write a statutory return from the record.

Reads care.journey.events (the record as known at --as-of, default now) and writes the
collection year ending in March of Y: the SSDA903 tables as the DfE's CSV files in DIR,
or the CIN census as its XML file. Fields the record does not hold are left blank; the
SSDA903 ones the DfE requires are listed, with the number of rows, in the summary.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from events.settings import Settings
from journeys.entrypoints.cli.commands._arguments import whole_number
from journeys.kafka.broker import configured_cluster
from journeys.returns.cin import cin_census, write_census
from journeys.returns.record import counting, events_known_at
from journeys.returns.ssda903 import ssda903, write_tables


def register(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="RETURN")
    tables = kinds.add_parser("ssda903", help="the SSDA903 CSV tables, into a directory")
    tables.add_argument("--out", type=Path, required=True, help="the directory to write")
    census = kinds.add_parser("cin", help="the CIN census, as an XML file")
    census.add_argument("--out", type=Path, required=True, help="the XML file to write")
    for kind in (tables, census):
        kind.add_argument(
            "--year", type=whole_number(2000), required=True, help="the March the year ends in"
        )
        kind.add_argument("--local-authority", required=True, help="the 3-digit DfE code")
        kind.add_argument(
            "--as-of",
            type=_moment,
            help="the record as known at this moment (ISO 8601, UTC if no offset)",
        )


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 moment: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run(arguments: argparse.Namespace) -> int:
    settings = configured_cluster(Settings.from_environment(), "export")
    events = counting(events_known_at(settings, arguments.local_authority, arguments.as_of))
    if arguments.kind == "cin":
        census = cin_census(events, arguments.year, arguments.local_authority)
        path = write_census(census, arguments.out)
        print(f"{path}: {len(census.findall('Children/Child')):,} children")
        return 0
    made = ssda903(events, arguments.year)
    for table, path in write_tables(made, arguments.out).items():
        print(f"{path}: {len(made.tables[table]):,} rows")
    for (table, column), rows in sorted(made.not_held.items()):
        print(f"not held: {table}.{column} is required and blank on {rows:,} rows")
    return 0
