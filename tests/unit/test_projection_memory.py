"""DuckDB's memory limit for the projection comes from configuration (issue 12, item 4).

`JOURNEYS_DUCKDB_MEMORY_LIMIT` (events.settings) bounds every reader of the snapshot and
the writer while it brings the kept tables up to date; the writer's loading keeps its own
smaller limit, restored once the kept tables are up to date.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from journeys.synthetic import AuthorityParameters, generate
from projections.database import open_in_memory, writer_session
from projections.load import append_in_transaction, batch_of
from projections.maintain import bring_up_to_date
from projections.snapshot import open_snapshot

TOPIC = "care.journey.events"


def test_a_reader_of_the_snapshot_is_held_to_the_configured_limit(tmp_path: Path) -> None:
    database = tmp_path / "journeys.duckdb"
    with writer_session(database) as (_, publisher):
        publisher.publish()
    reader = open_snapshot(database, memory_limit_bytes=512 << 20)
    try:
        (limit,) = reader.execute("select current_setting('memory_limit')").fetchone()
    finally:
        reader.close()
    assert limit == "512.0 MiB"


class Recording:
    """A connection that notes every statement it is given."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection
        self.statements: list[str] = []

    def execute(self, statement: str, *arguments: Any) -> duckdb.DuckDBPyConnection:
        self.statements.append(statement)
        return self.connection.execute(statement, *arguments)


def test_the_kept_tables_are_brought_up_to_date_within_the_given_limit() -> None:
    connection = open_in_memory()
    connection.execute("set memory_limit = '128MB'")
    connection.begin()
    events = list(generate(AuthorityParameters(children=20, seed=3)))
    append_in_transaction(connection, TOPIC, batch_of(events))
    recording = Recording(connection)
    bring_up_to_date(recording, memory_limit_bytes=300 << 20)  # type: ignore[arg-type]
    connection.commit()
    assert f"set memory_limit = '{300 << 20}B'" in recording.statements
    (limit,) = connection.execute("select current_setting('memory_limit')").fetchone()
    assert limit == "122.0 MiB"  # 128 MB, the loader's own, back again
    registered = {event.child_id for event in events if event.event_type == "ChildRegistered"}
    assert connection.execute("select count(*) from children").fetchone() == (len(registered),)
