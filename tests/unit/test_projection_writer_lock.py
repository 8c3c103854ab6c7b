"""The projection's single-writer lock, and the snapshot copy that must not release
DuckDB's own lock on the database file (issue 11, item 2)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from projections.database import WriterLock, writer_session
from projections.exceptions import ProjectionWriterRunning
from projections.snapshot import snapshot_path

OPEN_FOR_WRITING = textwrap.dedent(
    """
    import sys, duckdb
    try:
        duckdb.connect(sys.argv[1]).close()
    except duckdb.IOException:
        print("refused")
    else:
        print("opened")
    """
)

TAKE_THE_LOCK = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from projections.database import ProjectionWriterRunning, WriterLock
    try:
        WriterLock(Path(sys.argv[1])).acquire()
    except ProjectionWriterRunning as error:
        print(error)
    else:
        print("locked")
    """
)


def in_another_process(script: str, path: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_publishing_the_snapshot_keeps_other_processes_from_opening_the_database(
    tmp_path: Path,
) -> None:
    database = tmp_path / "journeys.duckdb"
    with writer_session(database) as (_, publisher):
        assert in_another_process(OPEN_FOR_WRITING, database) == "refused"
        publisher.publish()
        publisher.publish()
        assert snapshot_path(database).exists()
        assert in_another_process(OPEN_FOR_WRITING, database) == "refused"
    assert in_another_process(OPEN_FOR_WRITING, database) == "opened"


def test_a_second_holder_is_refused_in_this_process_and_in_another(tmp_path: Path) -> None:
    database = tmp_path / "journeys.duckdb"
    with WriterLock(database):
        with pytest.raises(ProjectionWriterRunning, match="only one may write it at a time"):
            WriterLock(database).acquire()
        refusal = in_another_process(TAKE_THE_LOCK, database)
        assert "only one may write it at a time" in refusal
        assert "process " in refusal
    assert in_another_process(TAKE_THE_LOCK, database) == "locked"
    with WriterLock(database):  # and free again here
        pass


def test_the_writer_removes_a_half_made_copy_a_killed_writer_left(tmp_path: Path) -> None:
    database = tmp_path / "journeys.duckdb"
    snapshot = snapshot_path(database)
    leftover = snapshot.with_name(f".{snapshot.name}.4242.tmp")
    leftover.write_bytes(b"half a copy")
    with WriterLock(database), writer_session(database) as (_, publisher):
        assert not leftover.exists()
        publisher.publish()
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "journeys.duckdb",
        "journeys.duckdb.lock",
        "journeys.snapshot.duckdb",
    ]
