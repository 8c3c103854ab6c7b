"""The `load FILE.csv` action the reference-table commands share (`population`,
`comparators`): parse the file, load it as the database's one writer, publish, say so."""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable
from pathlib import Path

import duckdb

from events.settings import Settings
from projections.reference import load_reference_file


def add_load_action(
    parser: argparse.ArgumentParser,
    *,
    help: str,
    description: str,
    load: Callable[[duckdb.DuckDBPyConnection, Path], int],
    loaded_what: str,
) -> None:
    """Give `parser` its one action, `load FILE.csv`, loading with `load`; the message
    counts what it loaded as `loaded_what` ("population rows")."""
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    action = actions.add_parser("load", help=help, description=description)
    action.add_argument("file", type=Path, metavar="FILE.csv")
    action.set_defaults(handler=functools.partial(_run_load, load=load, loaded_what=loaded_what))


def _run_load(
    arguments: argparse.Namespace,
    load: Callable[[duckdb.DuckDBPyConnection, Path], int],
    loaded_what: str,
) -> int:
    database = Settings.from_environment().database
    loaded = load_reference_file(database, load, arguments.file)
    print(f"loaded {loaded} {loaded_what} from {arguments.file} into {database}")
    return 0
