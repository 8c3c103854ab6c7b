"""`journeys subject-access`: write everything the record holds about one child to a folder.

For a subject access request under UK GDPR: every event of the child's journey (JSON Lines
and a readable timeline), every refused submission about them, and each row the analysts'
database holds of them (docs/privacy.md). The folder holds the child's personal data:
review it before sending. The command prints only counts.
"""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path

from events.settings import Settings
from journeys.kafka.broker import configured_cluster
from journeys.kafka.subject_access import subject_access
from projections.subject_access import write_rows


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--local-authority", required=True, help="the 3-digit DfE code of the child's authority"
    )
    parser.add_argument("child_id", metavar="CHILD_ID", help="the authority's own id")
    parser.add_argument(
        "--out", required=True, type=Path, help="a new (or empty) folder to write to"
    )


def run(arguments: argparse.Namespace) -> int:
    settings = configured_cluster(Settings.from_environment(), "subject-access")
    summary = subject_access(
        settings,
        arguments.local_authority,
        arguments.child_id,
        arguments.out,
        partial(write_rows, settings.database),
    )
    print(summary.describe())
    return 0
