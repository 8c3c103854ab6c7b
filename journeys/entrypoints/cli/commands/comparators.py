"""`journeys comparators load FILE.csv`: load published comparator figures (the case
study's, England's...).

Published figures the report and the demo show beside the authority's own.
"""

from __future__ import annotations

import argparse

from journeys.entrypoints.cli.commands._reference import add_load_action
from projections.comparators import CASE_STUDY_FILE, COLUMNS


def register(parser: argparse.ArgumentParser) -> None:
    add_load_action(
        parser,
        help="load a comparators CSV file into the projection database",
        description=f"Load FILE (columns {','.join(COLUMNS)}; see docs/analysts.md, "
        "'Published comparators') into the projection database, replacing the figures of "
        "the comparators it names, and publish the snapshot. A bad file is refused whole, "
        f"naming the line and field. The case study's figures are {CASE_STUDY_FILE}. While "
        "a `journeys project` runner writes the database, the runner loads the file and "
        "this waits for it.",
        table="comparators",
        loaded_what="comparator figures",
    )
