"""Reference tables of the projection database: loaded from files, not from the log.

`population` (projections.population) and `comparators` (projections.comparators) hold
published figures an operator loads (`journeys population load`, `journeys comparators
load`). They are the only tables a rebuild cannot make again from the events topic, so
`carry_reference_tables` copies them from the database being replaced into the fresh one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from projections.database import WriterLock, writer_session

REFERENCE_TABLES: tuple[str, ...] = ("population", "comparators")


def load_reference_file(
    database: Path,
    load: Callable[[duckdb.DuckDBPyConnection, Path], int],
    path: Path,
) -> int:
    """Load `path` into `database` with `load` as its one writer, then publish the
    snapshot so readers see it; the rows loaded. Refused at once (ProjectionWriterRunning)
    while a runner writes the database."""
    with WriterLock(database), writer_session(database) as (connection, publisher):
        loaded = load(connection, path)
        publisher.publish()
    return loaded


def carry_reference_tables(connection: duckdb.DuckDBPyConnection, previous: Path) -> None:
    """Copy the reference tables of the database `previous` (if it exists) into the one of
    `connection`, whose tables are installed and empty."""
    if not previous.exists():
        return
    connection.execute("attach ? as previous (read_only)", [str(previous)])
    try:
        held = {
            name
            for (name,) in connection.execute(
                "select table_name from duckdb_tables() where database_name = 'previous'"
            ).fetchall()
        }
        for table in REFERENCE_TABLES:
            if table in held:
                connection.execute(f"insert into {table} select * from previous.main.{table}")
    finally:
        connection.execute("detach previous")
