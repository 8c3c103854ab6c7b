"""`journeys sql`: run a SQL query against the projection snapshot.

Run one DuckDB query against the read-only snapshot of JOURNEYS_DB (tables, views and
*_as_of macros: see docs/analysts.md).

Read-only means nothing at all is written: not the snapshot (opened read-only), and not
any other file, database or setting. Only queries are run (select and its forms:
with, from, values, describe, show, summarize, pivot, explain, pragma); anything else is
refused by name before it runs. Behind that, the connection cannot reach the file system
(no COPY TO, EXPORT, ATTACH, INSTALL or LOAD, no reading of other files) and its
configuration is locked, so no statement can undo either. Results leave only through
stdout: `--format csv > file` is the way to export.
"""

from __future__ import annotations

import argparse
import sys

import duckdb
from duckdb import StatementType

from events.settings import Settings
from journeys.entrypoints.exceptions import QueryRefused
from projections.output import FORMATS, write
from projections.snapshot import open_configured_snapshot


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", help='e.g. "select * from indicators where year = 2024"')
    parser.add_argument("--format", choices=FORMATS, default="table")


# PIVOT parses as MULTI (it declares its column types, then selects); the rest are the
# kinds of statement that only read.
QUERIES = frozenset(
    {StatementType.SELECT, StatementType.EXPLAIN, StatementType.PRAGMA, StatementType.MULTI}
)


def lock_down(connection: duckdb.DuckDBPyConnection) -> None:
    """Close the connection's way to the file system and lock its configuration."""
    connection.execute("set enable_external_access = false")
    connection.execute("set lock_configuration = true")


def refuse_anything_but_queries(connection: duckdb.DuckDBPyConnection, query: str) -> None:
    for statement in connection.extract_statements(query):
        if statement.type not in QUERIES:
            kind = _kind(statement)
            raise QueryRefused(
                f"refused: {kind} statements are not allowed; journeys sql only reads "
                "the snapshot and writes nothing (to export, use --format csv or json "
                "and redirect stdout)"
            )


def _kind(statement: duckdb.Statement) -> str:
    """The statement's kind in the user's own word (DuckDB calls INSTALL a LOAD)."""
    words = statement.query.split(maxsplit=1)
    word = words[0].upper() if words else ""
    if word.isalpha() and word != "WITH":
        return word
    return statement.type.name.replace("_", " ")


def run(arguments: argparse.Namespace) -> int:
    settings = Settings.from_environment()
    connection = open_configured_snapshot(settings)
    try:
        lock_down(connection)
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
