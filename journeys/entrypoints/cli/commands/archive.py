"""`journeys archive`: copy the record (care.journey.events) into Avro files, incrementally.

Copy every event of care.journey.events (committed transactions only) into Avro object
container files in DIR, one per partition and offset range, with manifest.json listing
each file's counts and SHA-256 checksums. A second run writes only what is new since the
first; it refuses to continue an archive of another record (a broker emptied or replaced
since). Needs KAFKA_BOOTSTRAP_SERVERS.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from events.settings import Settings
from journeys.kafka.archive import archive
from journeys.kafka.broker import configured_cluster


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="the archive directory (created on the first run)",
    )


def run(arguments: argparse.Namespace) -> int:
    settings = configured_cluster(Settings.from_environment(), "archive")
    summary = archive(settings, arguments.out)
    print(f"archived {summary.describe()}")
    return 0
