"""Reference tables of the projection database: loaded from files, not from the log.

`population` (projections.population) and `comparators` (projections.comparators) hold
published figures an operator loads (`journeys population load`, `journeys comparators
load`). They are the only tables a rebuild cannot make again from the events topic, so
`carry_reference_tables` copies them from the database being replaced into the fresh one.

`load_reference_file` loads a file as the database's one writer when no runner writes it,
and otherwise hands the file to the runner that does (projections.reference_loads).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from projections.database import WriterLock, writer_session
from projections.exceptions import ProjectionWriterRunning, ReferenceLoadNotTaken
from projections.reference_loads import (
    REFERENCE_TABLES as LOADERS,
)
from projections.reference_loads import (
    Answer,
    ReferenceRequest,
    ReferenceTable,
)

REFERENCE_TABLES: tuple[str, ...] = tuple(LOADERS)
# How long a loader waits for the runner to take its file: a follower takes it at its
# next turn (well under a second); a rebuild only once it has caught up.
RUNNER_WAIT_SECONDS = 60.0
_POLL_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class ReferenceLoaded:
    """What a load did: the rows loaded, and the runner that loaded them (its process, as
    the writer's lock names it), or None when the loader was the writer itself."""

    rows: int
    by_runner: str | None = None


def load_reference_file(
    database: Path, table: str, path: Path, *, wait_seconds: float = RUNNER_WAIT_SECONDS
) -> ReferenceLoaded:
    """Load the file `path` into the reference table `table` of `database`, then publish
    the snapshot so readers see it.

    With no runner writing the database, this process takes the writer's lock and loads.
    While one does (a `journeys project --follow`), the file is checked here, so a bad
    one is refused at once (PopulationFileError, ComparatorFileError: file, line, field),
    then handed to the runner, which loads it in its own transaction and answers: its
    refusal is raised here the same way. ReferenceLoadNotTaken if it has not taken the
    file within `wait_seconds` (a rebuild), and then nothing is loaded.
    """
    reference = LOADERS[table]
    try:
        with WriterLock(database):
            return ReferenceLoaded(_load_as_writer(database, reference, path))
    except ProjectionWriterRunning as running:
        holder = running.holder
    reference.check(path)
    request = ReferenceRequest(database, reference, path)
    request.send()
    deadline = time.monotonic() + wait_seconds
    while True:
        answer = request.answer()
        if answer is not None:
            return _answered(reference, answer, holder)
        lock = WriterLock(database)
        try:
            lock.acquire()
        except ProjectionWriterRunning as running:
            holder = running.holder
        else:
            # The runner stopped: answered just before, or this process is the writer now.
            try:
                answer = request.answer()
                if answer is not None:
                    return _answered(reference, answer, holder)
                if not request.withdraw():
                    request.forget()  # a runner took it and stopped before answering
                return ReferenceLoaded(_load_as_writer(database, reference, path))
            finally:
                lock.release()
        if time.monotonic() >= deadline and request.withdraw():
            raise ReferenceLoadNotTaken(database, path, holder, wait_seconds)
        time.sleep(_POLL_SECONDS)


def _load_as_writer(database: Path, reference: ReferenceTable, path: Path) -> int:
    """Load as the database's one writer (its WriterLock held), then publish."""
    with writer_session(database) as (connection, publisher):
        loaded = reference.load(connection, path)
        publisher.publish()
    return loaded


def _answered(reference: ReferenceTable, answer: Answer, holder: str) -> ReferenceLoaded:
    if answer.refused is not None:
        raise reference.refusal(answer.refused)
    assert answer.loaded is not None, "an answer says loaded or refused"
    return ReferenceLoaded(answer.loaded, by_runner=holder)


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
