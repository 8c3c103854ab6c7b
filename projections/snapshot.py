"""The read-only snapshot analysts open while the runner writes.

DuckDB lets one process write a database file and no other process open it meanwhile,
not even to read. So the writer publishes a copy: it checkpoints (everything committed
is then in the main file, the write-ahead log empty), copies the file beside it under a
temporary name, and renames the copy over the snapshot. A rename is atomic, so a reader
opening the snapshot sees the previous complete copy or the new one, never a torn file; a
reader that already has the old snapshot open keeps reading that old copy until it
reconnects.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb


def snapshot_path(database: Path) -> Path:
    """journeys.duckdb -> journeys.snapshot.duckdb, beside the database."""
    return database.with_name(f"{database.stem}.snapshot{database.suffix or '.duckdb'}")


def publish_snapshot(connection: duckdb.DuckDBPyConnection, database: Path) -> Path:
    """Checkpoint the writer's database and atomically replace the snapshot with a copy."""
    connection.execute("checkpoint")
    target = snapshot_path(database)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.copyfile(database, temporary)
    os.replace(temporary, target)
    return target


class SnapshotMissing(FileNotFoundError):
    """No snapshot yet: run `journeys project --until-idle` (or `--follow`) first."""


def open_snapshot(database: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the latest published snapshot of `database`."""
    path = snapshot_path(database)
    if not path.exists():
        raise SnapshotMissing(
            f"no projection snapshot at {path}: run `journeys project --until-idle` "
            "(or keep `journeys project --follow` running) with the same JOURNEYS_DB first"
        )
    return duckdb.connect(str(path), read_only=True)
