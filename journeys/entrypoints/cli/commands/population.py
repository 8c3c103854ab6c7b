"""`journeys population load FILE.csv`: load the child population (ONS mid-year estimates)
for the rates per 10,000.

The children aged 0-17 of each authority by reporting year and DfE age band, which the
indicators per 10,000 children divide by.
"""

from __future__ import annotations

import argparse

from journeys.entrypoints.cli.commands._reference import add_load_action
from projections.population import COLUMNS


def register(parser: argparse.ArgumentParser) -> None:
    add_load_action(
        parser,
        help="load a population CSV file into the projection database",
        description=f"Load FILE (columns {','.join(COLUMNS)}; see docs/analysts.md, "
        "'Population') into the projection database, replacing the figures of the "
        "authorities and years it holds, and publish the snapshot. A bad file is refused "
        "whole, naming the line and field. While a `journeys project` runner writes the "
        "database, the runner loads the file and this waits for it.",
        table="population",
        loaded_what="population rows",
    )
