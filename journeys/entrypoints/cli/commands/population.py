"""`journeys population load FILE.csv`: load the child population (ONS mid-year estimates)
for the rates per 10,000.

The children aged 0-17 of each authority by reporting year and DfE age band, which the
indicators per 10,000 children divide by.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from events.settings import Settings
from projections.population import COLUMNS, load_population
from projections.reference import load_reference_file


def register(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    load = actions.add_parser(
        "load",
        help="load a population CSV file into the projection database",
        description=f"Load FILE (columns {','.join(COLUMNS)}; see docs/analysts.md, "
        "'Population') into the projection database, replacing the figures of the "
        "authorities and years it holds, and publish the snapshot. A bad file is refused "
        "whole, naming the line and field. Stop a `journeys project --follow` runner first.",
    )
    load.add_argument("file", type=Path, metavar="FILE.csv")
    load.set_defaults(handler=run_load)


def run_load(arguments: argparse.Namespace) -> int:
    database = Settings.from_environment().database
    loaded = load_reference_file(database, load_population, arguments.file)
    print(f"loaded {loaded} population rows from {arguments.file} into {database}")
    return 0
