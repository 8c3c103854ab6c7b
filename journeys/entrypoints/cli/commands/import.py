"""`journeys import ssda903|cin --year Y --local-authority LA SOURCE`: publish a statutory
return's events to care.journey.submissions.

`ssda903 DIR` reads the collection year's SSDA903 CSV tables in DIR (recognised by their
header rows, whatever the file names; dates dd/mm/yyyy); `cin FILE.xml` reads a CIN
census XML file (dates yyyy-mm-dd). Each row or element becomes the events it describes
(docs/returns.md: carers from the reasons for new episode, ids from the return's natural
keys, a changed row as a retraction and the corrected event), published where the
processor judges them as any submission. A row or element that cannot be read is
reported with its file, line, field and rule; the others are published; the exit code is
then 1. Each event's file and line are noted in the state directory, for `journeys
rejected` to show where a refused event came from.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from events.catalogue import JourneyEvent
from events.key_store import open_key_store
from events.sealing import KeyedNames
from events.settings import Settings
from journeys.entrypoints.cli.commands._arguments import whole_number
from journeys.kafka.broker import configured_cluster
from journeys.kafka.publish import publish_events
from journeys.kafka.topics import ensure_topics
from journeys.returns.cin_import import events_of_census
from journeys.returns.cin_reading import read_census
from journeys.returns.record import counting, events_known_at
from journeys.returns.sources import remember_sources
from journeys.returns.ssda903_import import IMPORT_NAMES, Converted, events_of_return
from journeys.returns.ssda903_reading import RowError, read_directory

# What converts a read return into events: (year, authority, the record, the names).
Conversion = Callable[[int, str, Iterable[JourneyEvent], KeyedNames], Converted]


def register(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="RETURN")
    tables = kinds.add_parser("ssda903", help="a directory of one year's SSDA903 CSV tables")
    tables.add_argument("source", type=Path, help="the collection year's CSV tables")
    census = kinds.add_parser("cin", help="one year's CIN census XML file")
    census.add_argument("source", type=Path, help="the census XML file")
    for kind in (tables, census):
        kind.add_argument(
            "--year", type=whole_number(2000), required=True, help="the March the year ends in"
        )
        kind.add_argument("--local-authority", required=True, help="the 3-digit DfE code")


def run(arguments: argparse.Namespace) -> int:
    source: Path = arguments.source
    if arguments.kind == "ssda903":
        if not source.is_dir():
            print(f"journeys import: {source} is not a directory", file=sys.stderr)
            return 2
        rows, errors = read_directory(source)
        read = f"{len(rows):,} rows read"
        return _publish(arguments, source, read, errors, partial(events_of_return, rows))
    if not source.is_file():
        print(f"journeys import: {source} is not a file", file=sys.stderr)
        return 2
    census = read_census(source)
    errors = census.errors
    for stated, given, what in (
        (census.year, arguments.year, "--year"),
        (census.local_authority, arguments.local_authority, "--local-authority"),
    ):
        if stated is not None and str(stated) != str(given):
            print(
                f"journeys import: {source.name} is the census of {stated}, not of "
                f"{what} {given}: nothing imported",
                file=sys.stderr,
            )
            return 2
    read = f"{len(census.children):,} children read"
    # The lines are named by the file's own name: the folder is the file's.
    return _publish(arguments, source.parent, read, errors, partial(events_of_census, census))


def _publish(
    arguments: argparse.Namespace,
    folder: Path,
    read: str,
    errors: list[RowError],
    convert: Conversion,
) -> int:
    settings = configured_cluster(Settings.from_environment(), "import")
    ensure_topics(settings)
    record = counting(events_known_at(settings, arguments.local_authority))
    # The ids are keyed by the master key: made with the key store on a first import.
    key_store = open_key_store(settings, may_create=not record)
    try:
        names = key_store.names(IMPORT_NAMES)
    finally:
        key_store.close()
    converted = convert(arguments.year, arguments.local_authority, record, names)
    errors.extend(converted.errors)
    summary = publish_events(settings, converted.events)
    remember_sources(
        settings,
        {event_id: f"{folder}/{where}" for event_id, where in converted.source.items()},
    )
    for error in errors:
        print(f"not imported: {error}", file=sys.stderr)
    for bad in summary.bad_lines:
        event = converted.events[bad.line - 1]
        where = converted.source[event.event_id]
        print(f"not published: {where}: {bad.reason}", file=sys.stderr)
    print(
        f"{read}; published {summary.published:,} events to "
        f"{settings.submissions_topic}; {len(errors):,} not imported"
    )
    return 0 if not errors and summary.ok else 1
