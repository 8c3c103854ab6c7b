"""`journeys restore`: republish an archive onto an empty care.journey.events, then verify it.

Verify the archive in DIR against its manifest, republish it onto the configured
cluster's care.journey.events (refused unless that topic is empty), partition by
partition in the original order, then read it back and compare every partition's count
and checksums. Needs KAFKA_BOOTSTRAP_SERVERS.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from events.settings import Settings
from journeys.kafka.archive import restore, verify
from journeys.kafka.broker import configured_cluster

AFTERWARDS = (
    "The restored record has new offsets: delete JOURNEYS_STATE_DIR, rebuild the projection "
    "with `journeys project --rebuild`, and archive this cluster into a new directory."
)


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", type=Path, metavar="DIR", help="an archive directory")
    parser.add_argument(
        "--check",
        action="store_true",
        help="only verify the archive's files against its manifest; "
        "no cluster needed, nothing published",
    )


def run(arguments: argparse.Namespace) -> int:
    if arguments.check:
        manifest = verify(arguments.directory)
        print(
            f"{arguments.directory}: {len(manifest.files)} files, "
            f"{manifest.records:,} events, every checksum matches the manifest"
        )
        return 0
    settings = configured_cluster(Settings.from_environment(), "restore")
    summary = restore(settings, arguments.directory)
    print(summary.describe())
    print(AFTERWARDS)
    return 0
