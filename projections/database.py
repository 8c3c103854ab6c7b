"""Opening the projection database: the event log, the consumed offsets, the kept tables
and the SQL.

The stored tables are `event_log` (one wide row per event, see `schema`),
`consumed_offsets` (per partition of the events topic, the next offset to read, and the
offset and event_id of the last event read there: which record the projection was built
from), `skipped_copies` (later copies of an event already in the log, left out) and the
kept analyst tables (`<table>_versions`, rows with their knowledge time, maintained as
batches load: `projections.maintain`). The macros and views (`sql/`) are reinstalled each
time the writer opens the database; kept tables computed by other rules are recomputed
then, so a change to the SQL needs no migration.

One process at a time may write a projection: `WriterLock` holds `<database>.lock` for
the writer's whole life. DuckDB's own lock on the database file cannot be that guard: it
is a POSIX record lock, which the process loses as soon as it closes any descriptor of
the file, as copying the file for the snapshot used to do.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb

from projections.code_lists import code_list_sql
from projections.definitions import (
    FOUNDATION_SQL,
    SHARED_INDICATOR_SQL,
    SQL_DIRECTORY,
    combination_sql,
    indicator_definitions,
)
from projections.exceptions import DatabaseInUse, ProjectionWriterRunning
from projections.maintain import install_kept_tables
from projections.schema import event_log_additions, event_log_ddl
from projections.snapshot import SnapshotPublisher
from projections.working_days import working_days_sql

CONSUMED_OFFSETS_DDL = """
create table if not exists consumed_offsets (
    topic varchar not null,
    kafka_partition integer not null,
    next_offset bigint not null,
    -- The last event read from the partition: where it was and which it was. The runner
    -- checks at start that the topic still holds it there (see projections.lineage).
    last_offset bigint,
    last_event_id uuid,
    primary key (topic, kafka_partition)
)
"""

# A database projected before consumed_offsets knew its last events: the columns are added
# empty, and the runner refuses to resume from rows without them (rebuild instead).
_CONSUMED_OFFSETS_COLUMNS = (
    "alter table consumed_offsets add column if not exists last_offset bigint",
    "alter table consumed_offsets add column if not exists last_event_id uuid",
)

SKIPPED_COPIES_DDL = """
create table if not exists skipped_copies (
    topic varchar not null,
    kafka_partition integer not null,
    kafka_offset bigint not null,
    event_id uuid not null,
    primary key (topic, kafka_partition, kafka_offset)
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
    for statement in event_log_additions():
        connection.execute(statement)
    connection.execute(CONSUMED_OFFSETS_DDL)
    for statement in _CONSUMED_OFFSETS_COLUMNS:
        connection.execute(statement)
    connection.execute(SKIPPED_COPIES_DDL)
    connection.execute(code_list_sql())
    connection.execute(working_days_sql())
    for name in FOUNDATION_SQL:
        connection.execute(projection_sql(name))
    install_kept_tables(connection)
    for name in SHARED_INDICATOR_SQL:
        connection.execute(projection_sql(name))
    definitions = indicator_definitions(indicator_directories)
    for definition in definitions:
        connection.execute(definition.sql)
    connection.execute(combination_sql(definitions))


def lock_path(database: Path) -> Path:
    """journeys.duckdb -> journeys.duckdb.lock, beside the database."""
    return database.with_name(f"{database.name}.lock")


class WriterLock:
    """The single-writer lock of one projection database: `flock` on `<database>.lock`.

    An flock belongs to the open file description, not to the process, so no other
    descriptor of any file closing can release it, and a second writer in the same
    process is refused as one in another process is. The kernel releases it when the
    holder exits, however it dies, so a killed runner never leaves the database locked.
    The file stays (removing it could let two writers lock two different files); it
    holds the process id of its last holder, for the refusal's message only.
    """

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = lock_path(database)
        self._descriptor: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise ProjectionWriterRunning at once if another holds it."""
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(descriptor)
            os.close(descriptor)
            raise ProjectionWriterRunning(self.database, holder) from None
        except BaseException:
            os.close(descriptor)
            raise
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        self._descriptor = descriptor

    def release(self) -> None:
        if self._descriptor is not None:
            descriptor, self._descriptor = self._descriptor, None
            os.close(descriptor)  # closing the only descriptor of the lock releases it

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _holder(descriptor: int) -> str:
    text = os.pread(descriptor, 32, 0).decode("ascii", errors="replace").strip()
    return f"process {text}" if text.isdigit() else "another process"


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


@contextlib.contextmanager
def writer_session(
    path: Path, *, install_sql: bool = True
) -> Iterator[tuple[duckdb.DuckDBPyConnection, SnapshotPublisher]]:
    """The writer's connection to `path` and the publisher of its snapshot, closed in
    the order that keeps DuckDB's own file lock until the connection is gone.

    Take the `WriterLock` first: this opens the file, it does not guard it.
    `install_sql=False` skips reinstalling the SQL, for a file built moments ago.
    """
    connection = open_for_writing(path) if install_sql else connect_exclusively(path)
    try:
        publisher = SnapshotPublisher(connection, path)
    except BaseException:
        connection.close()
        raise
    try:
        yield connection, publisher
    finally:
        connection.close()
        # Only now: closing the publisher's descriptor of the file releases DuckDB's lock.
        publisher.close()


def open_in_memory(
    indicator_directories: Sequence[Path] = (SQL_DIRECTORY,),
) -> duckdb.DuckDBPyConnection:
    """A private projection in memory, for tests and one-off analyses."""
    connection = duckdb.connect(":memory:")
    install(connection, indicator_directories)
    return connection
