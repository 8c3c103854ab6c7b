"""Opening the projection database: the event log, the consumed offsets, the kept tables
and the SQL.

The stored tables are `event_log` (one wide row per event, see `schema`),
`consumed_offsets` (per partition of the events topic, the next offset to read) and the
kept analyst tables (`<table>_versions`, rows with their knowledge time, maintained as
batches load: `projections.maintain`). The macros and views (`sql/`) are reinstalled each
time the writer opens the database; kept tables computed by other rules are recomputed
then, so a change to the SQL needs no migration.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from projections.code_lists import code_list_sql
from projections.definitions import (
    FOUNDATION_SQL,
    SQL_DIRECTORY,
    combination_sql,
    indicator_definitions,
)
from projections.maintain import install_kept_tables
from projections.schema import event_log_ddl

CONSUMED_OFFSETS_DDL = """
create table if not exists consumed_offsets (
    topic varchar not null,
    kafka_partition integer not null,
    next_offset bigint not null,
    primary key (topic, kafka_partition)
)
"""


def projection_sql(name: str) -> str:
    """The text of one file of projections/sql/."""
    return (SQL_DIRECTORY / name).read_text(encoding="utf-8")


def install(
    connection: duckdb.DuckDBPyConnection,
    indicator_directories: Sequence[Path] = (SQL_DIRECTORY,),
) -> None:
    """Create the stored tables if missing and (re)install every macro and view.

    The indicators are every indicator file of `indicator_directories` (see
    projections.definitions); another directory adds an authority's own or a trial one.
    """
    connection.execute(event_log_ddl())
    connection.execute(CONSUMED_OFFSETS_DDL)
    connection.execute(code_list_sql())
    for name in FOUNDATION_SQL:
        connection.execute(projection_sql(name))
    install_kept_tables(connection)
    definitions = indicator_definitions(indicator_directories)
    for definition in definitions:
        connection.execute(definition.sql)
    connection.execute(combination_sql(definitions))


class DatabaseInUse(RuntimeError):
    """Another process has the projection database open (a `journeys project --follow`
    runner?). Stop it first, or read the snapshot instead (docs/analysts.md)."""


def connect_exclusively(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A writing connection; DuckDB lets only one process at a time hold one."""
    try:
        return duckdb.connect(str(path))
    except duckdb.IOException as error:
        raise DatabaseInUse(
            f"{path} is open in another process (a `journeys project --follow` runner?): "
            f"stop it first, or open the snapshot read-only ({error})"
        ) from None


def open_for_writing(path: Path | str) -> duckdb.DuckDBPyConnection:
    """The writer's connection, with the tables, macros and views installed."""
    connection = connect_exclusively(path)
    install(connection)
    return connection


def open_in_memory(
    indicator_directories: Sequence[Path] = (SQL_DIRECTORY,),
) -> duckdb.DuckDBPyConnection:
    """A private projection in memory, for tests and one-off analyses."""
    connection = duckdb.connect(":memory:")
    install(connection, indicator_directories)
    return connection
