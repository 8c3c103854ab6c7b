"""`journeys import ssda903 --year Y --local-authority LA DIR`: publish a statutory
return's events to care.journey.submissions.

Reads the collection year's SSDA903 CSV tables in DIR (recognised by their header rows,
whatever the file names; dates dd/mm/yyyy), converts each row into the events it
describes (docs/returns.md: carers from the reasons for new episode, ids from the
return's natural keys, a changed row as a retraction and the corrected event) and
publishes them, where the processor judges them as any submission. A row that cannot be
read is reported with its file, line, field and rule; the other rows are published; the
exit code is then 1. Each event's file and line are noted in the state directory, for
`journeys rejected` to show where a refused event came from.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from events.key_store import open_key_store
from events.settings import Settings
from journeys.entrypoints.cli.commands._arguments import whole_number
from journeys.kafka.broker import configured_cluster
from journeys.kafka.publish import publish_events
from journeys.kafka.topics import ensure_topics
from journeys.returns.record import counting, events_known_at
from journeys.returns.sources import remember_sources
from journeys.returns.ssda903_import import IMPORT_NAMES, events_of_return
from journeys.returns.ssda903_reading import read_directory


def register(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="RETURN")
    tables = kinds.add_parser("ssda903", help="a directory of one year's SSDA903 CSV tables")
    tables.add_argument("directory", type=Path, help="the collection year's CSV tables")
    tables.add_argument(
        "--year", type=whole_number(2000), required=True, help="the March the year ends in"
    )
    tables.add_argument("--local-authority", required=True, help="the 3-digit DfE code")


def run(arguments: argparse.Namespace) -> int:
    if not arguments.directory.is_dir():
        print(f"journeys import: {arguments.directory} is not a directory", file=sys.stderr)
        return 2
    rows, errors = read_directory(arguments.directory)
    settings = configured_cluster(Settings.from_environment(), "import")
    ensure_topics(settings)
    record = counting(events_known_at(settings, arguments.local_authority))
    # The ids are keyed by the master key: made with the key store on a first import.
    key_store = open_key_store(settings, may_create=not record)
    try:
        names = key_store.names(IMPORT_NAMES)
    finally:
        key_store.close()
    converted = events_of_return(rows, arguments.year, arguments.local_authority, record, names)
    errors.extend(converted.errors)
    summary = publish_events(settings, converted.events)
    remember_sources(
        settings,
        {
            event_id: f"{arguments.directory}/{where}"
            for event_id, where in converted.source.items()
        },
    )
    for error in errors:
        print(f"not imported: {error}", file=sys.stderr)
    for bad in summary.bad_lines:
        event = converted.events[bad.line - 1]
        where = converted.source[event.event_id]
        print(f"not published: {where}: {bad.reason}", file=sys.stderr)
    print(
        f"{len(rows):,} rows read; published {summary.published:,} events to "
        f"{settings.submissions_topic}; {len(errors):,} rows not imported"
    )
    return 0 if not errors and summary.ok else 1
