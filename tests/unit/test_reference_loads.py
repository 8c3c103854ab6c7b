"""Loading a reference file while another process is the database's writer: the file is
checked by the loader, left in the inbox, loaded by the writer, answered back
(projections.reference_loads). A real follower: tests/integration/
test_projection_runner_reference_loads.py. Here the writer is this test, holding the
writer's lock and serving the inbox from a thread, as the runner's loop does."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from projections.database import WriterLock, writer_session
from projections.exceptions import PopulationFileError, ReferenceLoadNotTaken
from projections.population import synthetic_population_csv
from projections.reference import load_reference_file
from projections.reference_loads import ReferenceInbox, inbox_path
from projections.snapshot import open_snapshot

GOOD = synthetic_population_csv(10_000, "371", [2024])
NEGATIVE = GOOD.replace("371,2024,1-4,", "371,2024,1-4,-", 1)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def database(tmp_path: Path) -> Path:
    database = tmp_path / "journeys.duckdb"
    with writer_session(database) as (_, publisher):
        publisher.publish()
    return database


@pytest.fixture
def writer(database: Path) -> Iterator[threading.Event]:
    """Another writer holds the lock and serves the inbox (as a following runner does)
    until the event is set."""
    stop = threading.Event()
    lock = WriterLock(database)
    lock.acquire()

    def serve() -> None:
        with writer_session(database) as (connection, publisher):
            inbox = ReferenceInbox(database)
            while not stop.wait(0.02):
                served = inbox.serve(connection)
                if served:
                    publisher.publish()
                    inbox.answer(served)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=30)
        lock.release()


def population_rows(database: Path) -> int:
    snapshot = open_snapshot(database)
    try:
        return snapshot.execute("select count(*) from population").fetchone()[0]  # type: ignore[index]
    finally:
        snapshot.close()


def inbox_files(database: Path) -> list[str]:
    return sorted(path.name for path in inbox_path(database).glob("*"))


def test_the_writer_loads_a_file_left_for_it_and_the_snapshot_shows_it_at_once(
    database: Path, writer: threading.Event, tmp_path: Path
) -> None:
    loaded = load_reference_file(database, "population", write(tmp_path, "p.csv", GOOD))
    assert loaded.rows == 5
    assert loaded.by_runner is not None  # the process named by the writer's lock
    assert population_rows(database) == 5  # published before the answer came
    assert inbox_files(database) == []  # request and answer both gone


def test_a_bad_file_is_refused_by_the_loader_before_the_writer_sees_it(
    database: Path, writer: threading.Event, tmp_path: Path
) -> None:
    bad = write(tmp_path, "negative.csv", NEGATIVE)
    with pytest.raises(PopulationFileError) as refused:
        load_reference_file(database, "population", bad)
    assert f"{bad}, line 3, field children: a count of children cannot be negative" in str(
        refused.value
    )
    assert inbox_files(database) == []
    assert population_rows(database) == 0


def test_the_writers_refusal_is_answered_naming_the_file_line_and_field(
    database: Path, tmp_path: Path
) -> None:
    # A request the loader's check would have refused (here left by hand): the writer's
    # own check refuses it the same way, and the answer carries the words.
    from projections.reference_loads import REFERENCE_TABLES, ReferenceRequest

    bad = write(tmp_path, "no-children.csv", GOOD.replace(",children", ",count", 1))
    request = ReferenceRequest(database, REFERENCE_TABLES["population"], bad)
    request.send()
    with writer_session(database) as (connection, _):
        inbox = ReferenceInbox(database)
        assert inbox.waiting() == [request.identifier]
        inbox.answer(inbox.serve(connection))
    answer = request.answer()
    assert answer is not None and answer.loaded is None
    assert answer.refused == (
        f"{bad}, line 1: the header has no column children "
        "(the columns are local_authority,year,age_band,children)"
    )
    assert inbox_files(database) == []


def test_a_file_the_writer_never_takes_is_withdrawn_and_nothing_is_loaded(
    database: Path, tmp_path: Path
) -> None:
    # A writer that never looks in the inbox (as a rebuild, until it has caught up).
    with WriterLock(database), pytest.raises(ReferenceLoadNotTaken) as refused:
        load_reference_file(
            database, "population", write(tmp_path, "p.csv", GOOD), wait_seconds=0.3
        )
    assert "did not take it within 0.3 s" in str(refused.value)
    assert "Nothing was loaded" in str(refused.value)
    assert inbox_files(database) == []
    assert population_rows(database) == 0


def test_when_the_writer_stops_meanwhile_the_loader_loads_the_file_itself(
    database: Path, tmp_path: Path
) -> None:
    lock = WriterLock(database)
    lock.acquire()
    threading.Timer(0.3, lock.release).start()  # stops without ever serving the inbox
    loaded = load_reference_file(database, "population", write(tmp_path, "p.csv", GOOD))
    assert loaded.rows == 5 and loaded.by_runner is None
    assert population_rows(database) == 5
    assert inbox_files(database) == []


def test_a_file_taken_by_a_writer_that_stopped_before_answering_is_loaded_by_the_loader(
    database: Path, tmp_path: Path
) -> None:
    lock = WriterLock(database)
    lock.acquire()
    inbox = ReferenceInbox(database)

    def take_then_stop() -> None:
        # Takes the request as the runner does, then stops without loading or answering.
        while not inbox.waiting():
            threading.Event().wait(0.01)
        identifier = inbox.waiting()[0]
        (inbox.path / f"{identifier}.request.json").rename(inbox.path / f"{identifier}.taken.json")
        lock.release()

    threading.Thread(target=take_then_stop).start()
    loaded = load_reference_file(database, "population", write(tmp_path, "p.csv", GOOD))
    assert loaded.rows == 5 and loaded.by_runner is None
    assert population_rows(database) == 5
    assert inbox_files(database) == []
