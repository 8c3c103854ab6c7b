"""`journeys timeline CHILD_ID`: show one child's journey in plain English, loaded from
care.journey.events.
"""

from __future__ import annotations

import argparse

from events.settings import Settings
from journeys.kafka.broker import configured_cluster
from journeys.kafka.timeline import read_timeline


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("child_id", help="the local authority's own identifier for the child")
    parser.add_argument(
        "--local-authority", help="3-digit LA code (needed only if two LAs use the same id)"
    )


def run(arguments: argparse.Namespace) -> int:
    settings = configured_cluster(Settings.from_environment(), "timeline")
    lines = read_timeline(settings, arguments.child_id, arguments.local_authority)
    for line in lines:
        print(line)
    return 0
