"""`journeys sql`: run a query against the projection snapshot (read-only)."""

from __future__ import annotations

import argparse
import sys

import duckdb

from journeys.config import Settings
from projections.output import FORMATS, write
from projections.snapshot import SnapshotMissing, open_snapshot


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sql",
        help="run a SQL query against the projection snapshot",
        description="Run one DuckDB query against the read-only snapshot of JOURNEYS_DB "
        "(tables, views and *_as_of macros: see docs/analysts.md).",
    )
    parser.add_argument("query", help='e.g. "select * from indicators where year = 2024"')
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    try:
        connection = open_snapshot(Settings.from_environment().database)
    except SnapshotMissing as error:
        print(f"journeys sql: {error}", file=sys.stderr)
        return 1
    try:
        result = connection.sql(arguments.query)
        if result is not None:
            write(result.to_arrow_table(), arguments.format, sys.stdout)
    except duckdb.Error as error:
        print(f"journeys sql: {error}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    return 0
