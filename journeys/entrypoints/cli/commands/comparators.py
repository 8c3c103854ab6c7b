"""`journeys comparators load FILE.csv`: load published comparator figures (the case
study's, England's...).

Published figures the report and the demo show beside the authority's own.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from events.settings import Settings
from projections.comparators import CASE_STUDY_FILE, COLUMNS, load_comparators
from projections.reference import load_reference_file


def register(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    load = actions.add_parser(
        "load",
        help="load a comparators CSV file into the projection database",
        description=f"Load FILE (columns {','.join(COLUMNS)}; see docs/analysts.md, "
        "'Published comparators') into the projection database, replacing the figures of "
        "the comparators it names, and publish the snapshot. A bad file is refused whole, "
        f"naming the line and field. The case study's figures are {CASE_STUDY_FILE}. Stop "
        "a `journeys project --follow` runner first.",
    )
    load.add_argument("file", type=Path, metavar="FILE.csv")
    load.set_defaults(handler=run_load)


def run_load(arguments: argparse.Namespace) -> int:
    database = Settings.from_environment().database
    loaded = load_reference_file(database, load_comparators, arguments.file)
    print(f"loaded {loaded} comparator figures from {arguments.file} into {database}")
    return 0
