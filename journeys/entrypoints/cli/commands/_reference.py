"""The `load FILE.csv` action the reference-table commands share (`population`,
`comparators`): load the file as the database's one writer, or hand it to the runner
writing the database (projections.reference), publish, say so."""

from __future__ import annotations

import argparse
import functools
from pathlib import Path

from events.settings import Settings
from projections.reference import load_reference_file


def add_load_action(
    parser: argparse.ArgumentParser,
    *,
    help: str,
    description: str,
    table: str,
    loaded_what: str,
) -> None:
    """Give `parser` its one action, `load FILE.csv`, loading into the reference table
    `table`; the message counts what it loaded as `loaded_what` ("population rows")."""
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    action = actions.add_parser("load", help=help, description=description)
    action.add_argument("file", type=Path, metavar="FILE.csv")
    action.set_defaults(handler=functools.partial(_run_load, table=table, loaded_what=loaded_what))


def _run_load(arguments: argparse.Namespace, table: str, loaded_what: str) -> int:
    database = Settings.from_environment().database
    loaded = load_reference_file(database, table, arguments.file)
    by = "" if loaded.by_runner is None else f" (by the runner writing it, {loaded.by_runner})"
    print(f"loaded {loaded.rows} {loaded_what} from {arguments.file} into {database}{by}")
    return 0
