"""`journeys sql`: run a SQL query against the projection snapshot.

Run one DuckDB query against the read-only snapshot of JOURNEYS_DB (tables, views and
*_as_of macros: see docs/analysts.md), or, while a follower serves reads, against what it
has committed (projections.readers decides; the follower refuses by the same rule,
projections.read_only, in a read-only transaction).

Read-only means nothing at all is written: not the snapshot (opened read-only), and not
any other file, database or setting. Only queries are run (select and its forms:
with, from, values, describe, show, summarize, pivot, explain, the pragmas that only
report); anything else is
refused by name before it runs. Behind that, the connection cannot reach the file system
(no COPY TO, EXPORT, ATTACH, INSTALL or LOAD, no reading of other files) and its
configuration is locked, so no statement can undo either. Results leave only through
stdout: `--format csv > file` is the way to export.
"""

from __future__ import annotations

import argparse
import sys

import duckdb

from events.settings import Settings
from journeys.entrypoints.exceptions import QueryRefused
from projections.output import FORMATS, write
from projections.read_only import lock_down, refuse_anything_but_queries
from projections.readers import open_configured_reader


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", help='e.g. "select * from indicators where year = 2024"')
    parser.add_argument("--format", choices=FORMATS, default="table")


def run(arguments: argparse.Namespace) -> int:
    settings = Settings.from_environment()
    connection = open_configured_reader(settings)
    try:
        if isinstance(connection, duckdb.DuckDBPyConnection):
            lock_down(connection)  # served reads are locked down by the runner
        refuse_anything_but_queries(connection, arguments.query)
        result = connection.sql(arguments.query)
        if result is not None:
            write(result.to_arrow_table(), arguments.format, sys.stdout)
    except (duckdb.Error, QueryRefused) as error:
        print(f"journeys sql: {error}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    return 0
