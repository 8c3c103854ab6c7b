"""Reads served by a follower from its own process (projections.served_reads).

A real follower (`project(follow=True)` in a thread, on the session's broker) serves the
reads; readers open them as the commands do (projections.readers). What is proved: a
served read sees a batch once it is committed, and every session sees a whole state (the
kept tables up to date with the log), even while the runner's catch-up commits leave them
behind; statements that write, reconfigure or reach the file system are refused; without
a follower (or with the socket a killed one left), readers read the snapshot, with the
same output; the socket is the user's alone; a follower killed while serving leaves a
database the next runner resumes from.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from cli_runs import cli_environment, run_journeys
from test_projection_runner import assert_same_projection, publish

from events.settings import Settings
from journeys.synthetic import AuthorityParameters, generate
from projections.exceptions import QueryRefused, ServedReadsUnavailable
from projections.read_protocol import served_reads_path
from projections.readers import ServedReads, open_configured_reader, wait_for_service
from projections.runner import RunnerOptions, project
from projections.served_reads import ReadGate, ReadService

pytestmark = pytest.mark.kafka

# What makes a served state whole: no loaded batch waits for the kept tables, and the kept
# children are exactly the registrations in the log.
WHOLE = """
select
    (select count(*) from event_log),
    (select count(*) from kept_pending),
    (select count(*) from children)
        = (select count(distinct child_id) from event_log where event_type = 'ChildRegistered')
"""


class Follower:
    """`journeys project --follow` in a thread of this process, stopped on leaving."""

    def __init__(self, settings: Settings, options: RunnerOptions) -> None:
        self.stop = threading.Event()
        self.failures: list[BaseException] = []
        self.thread = threading.Thread(target=self._follow, args=(settings, options), daemon=True)

    def _follow(self, settings: Settings, options: RunnerOptions) -> None:
        try:
            project(settings, follow=True, stop=self.stop, options=options, serve_reads=True)
        except BaseException as error:  # handed to the test
            self.failures.append(error)

    def __enter__(self) -> Follower:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop.set()
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), "the follower did not stop"
        assert not self.failures, self.failures


@pytest.fixture
def following(kafka: Settings) -> Iterator[tuple[Settings, Follower]]:
    with Follower(kafka, RunnerOptions(decode_in_worker=False)) as follower:
        wait_for_service(served_reads_path(kafka.database), timeout_seconds=60)
        yield kafka, follower


def served_count(settings: Settings) -> int | None:
    """The events a served read sees; None while the follower serves none (catching up)."""
    try:
        reads = ServedReads(served_reads_path(settings.database))
    except ServedReadsUnavailable:
        return None
    try:
        ((count,),) = reads.execute("select count(*) from event_log").fetchall()
        return int(count)
    finally:
        reads.close()


def wait_for_served(settings: Settings, expected: int, follower: Follower) -> None:
    deadline = time.monotonic() + 60
    while (seen := served_count(settings)) != expected:
        assert not follower.failures, follower.failures
        assert time.monotonic() < deadline, f"served reads never showed {expected} ({seen})"
        time.sleep(0.05)


def test_a_served_read_sees_each_batch_once_committed_and_only_whole_states(
    kafka: Settings,
) -> None:
    history = list(generate(AuthorityParameters(children=120, seed=31)))
    half = len(history) // 2
    publish(kafka, history[:half])
    # Small batches, and commits that bound a transaction every 100 rows: the catch-up of
    # the second half commits log rows many times before the kept tables catch up.
    options = RunnerOptions(decode_in_worker=False, max_batch=50, commit_rows=100)
    seen: list[tuple[int, int, bool]] = []
    refused_while_catching_up = 0
    with Follower(kafka, options) as follower:
        wait_for_service(served_reads_path(kafka.database), timeout_seconds=60)
        wait_for_served(kafka, half, follower)
        publish(kafka, history[half:])
        deadline = time.monotonic() + 60
        while not seen or seen[-1][0] != len(history):
            assert time.monotonic() < deadline, f"served reads stopped at {seen[-1:]}"
            try:
                reads = ServedReads(served_reads_path(kafka.database))
            except ServedReadsUnavailable:
                refused_while_catching_up += 1
                continue
            try:
                first = reads.execute(WHOLE).fetchone()
                time.sleep(0.01)  # the runner commits meanwhile; the session's view stays
                again = reads.execute(WHOLE).fetchone()
            finally:
                reads.close()
            assert first == again, "a session's view moved under it"
            seen.append(first)
    counts = [count for count, _, _ in seen]
    assert all(pending == 0 and children_whole for _, pending, children_whole in seen), seen
    assert counts == sorted(counts), "a later session saw less than an earlier one"
    assert counts[0] == half and counts[-1] == len(history)
    assert len(set(counts)) > 2, "no batch was seen on its way in"


def test_writes_reconfiguring_and_the_file_system_are_refused(
    following: tuple[Settings, Follower],
) -> None:
    settings, follower = following
    publish(settings, list(generate(AuthorityParameters(children=10, seed=32))))
    expected = len(list(generate(AuthorityParameters(children=10, seed=32))))
    wait_for_served(settings, expected, follower)
    refused = [
        "insert into event_log (event_id) values (uuid())",
        "delete from event_log",
        "set memory_limit = '10GB'",
        "pragma enable_verification",
        "pragma disable_checkpoint_on_shutdown",
        "checkpoint",
        "select * from checkpoint()",
        "attach ':memory:' as elsewhere",
        "copy event_log to '/tmp/leak.csv'",
        "begin transaction",
        "commit",
        "load json",
    ]
    for statement in refused:
        reads = ServedReads(served_reads_path(settings.database))
        try:
            with pytest.raises(QueryRefused, match="refused"):
                reads.execute(statement)
        finally:
            reads.close()
    # What the statement kinds let through, the session's read-only transaction and the
    # instance's closed file system still refuse.
    for statement, error in [
        ("create table elsewhere (n integer)", duckdb.TransactionException),
        ("drop table event_log", duckdb.TransactionException),
        ("select * from read_text('/etc/hostname')", duckdb.PermissionException),
    ]:
        reads = ServedReads(served_reads_path(settings.database))
        try:
            with pytest.raises(error):
                reads.execute(statement)
        finally:
            reads.close()
    assert served_count(settings) == expected
    result = run_journeys(settings, "sql", "delete from event_log")
    assert result.returncode == 1
    assert "refused: DELETE statements are not allowed" in result.stderr
    assert served_count(settings) == expected


def test_the_socket_is_the_users_alone_and_gone_when_the_follower_stops(kafka: Settings) -> None:
    path = served_reads_path(kafka.database)
    with Follower(kafka, RunnerOptions(decode_in_worker=False)):
        wait_for_service(path, timeout_seconds=60)
        mode = os.stat(path).st_mode
        assert stat.S_ISSOCK(mode)
        assert stat.S_IMODE(mode) == 0o600
        assert os.stat(path).st_uid == os.getuid()
        assert not list(path.parent.glob(f".{path.name}.*")), "the private directory stayed"
    assert not path.exists()


def test_readers_fall_back_to_the_snapshot_with_the_same_output(kafka: Settings) -> None:
    history = list(generate(AuthorityParameters(children=60, seed=33)))
    publish(kafka, history)
    arguments = ("indicators", "--year", "2020", "--format", "csv")
    with Follower(kafka, RunnerOptions(decode_in_worker=False)) as follower:
        wait_for_service(served_reads_path(kafka.database), timeout_seconds=60)
        wait_for_served(kafka, len(history), follower)
        reader = open_configured_reader(kafka)
        assert isinstance(reader, ServedReads)
        reader.close()
        served = run_journeys(kafka, *arguments)
        served_sql = run_journeys(kafka, "sql", "select * from children order by all")
    assert served.returncode == 0, served.stderr
    # No follower: the snapshot it published.
    reader = open_configured_reader(kafka)
    assert isinstance(reader, duckdb.DuckDBPyConnection)
    reader.close()
    assert run_journeys(kafka, *arguments).stdout == served.stdout
    assert (
        run_journeys(kafka, "sql", "select * from children order by all").stdout
        == served_sql.stdout
    )
    # A socket a killed follower left behind: nobody answers it, the snapshot is read.
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(served_reads_path(kafka.database)))
    stale.close()
    reader = open_configured_reader(replace(kafka))
    assert isinstance(reader, duckdb.DuckDBPyConnection)
    reader.close()
    assert run_journeys(kafka, *arguments).stdout == served.stdout


def test_a_follower_killed_while_serving_leaves_a_database_that_resumes_whole(
    kafka: Settings,
) -> None:
    history = list(generate(AuthorityParameters(children=150, seed=34)))
    half = len(history) // 2
    publish(kafka, history[:half])
    follower = subprocess.Popen(
        [sys.executable, "-m", "journeys", "project", "--follow", "--serve-reads"],
        env=cli_environment(kafka),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stop = threading.Event()
    sessions: list[tuple[int, int, bool]] = []

    def read_without_pause() -> None:
        while not stop.is_set():
            try:
                reads = ServedReads(served_reads_path(kafka.database))
            except ServedReadsUnavailable:
                time.sleep(0.01)
                continue
            try:
                sessions.append(reads.execute(WHOLE).fetchone())
            except (duckdb.ConnectionException, OSError):
                pass  # the follower was killed under this session: nothing to check
            finally:
                reads.close()

    reader = threading.Thread(target=read_without_pause, daemon=True)
    try:
        deadline = time.monotonic() + 60
        while served_count(kafka) != half:
            assert follower.poll() is None, follower.stderr.read() if follower.stderr else ""
            assert time.monotonic() < deadline, "the follower never served the first half"
            time.sleep(0.05)
        reader.start()
        publish(kafka, history[half:])
        while (served_count(kafka) or 0) <= half:  # killed while it loads the second half
            assert time.monotonic() < deadline, "the follower never served the second half"
            time.sleep(0.01)
        follower.send_signal(signal.SIGKILL)
        follower.wait(timeout=30)
    finally:
        stop.set()
        reader.join(timeout=30)
        if follower.poll() is None:
            follower.kill()
            follower.wait()
    assert follower.returncode == -signal.SIGKILL
    assert sessions and all(pending == 0 and whole for _, pending, whole in sessions)
    # The socket it left answers no one: readers read the snapshot, and the next runner
    # resumes from the last commit to exactly the projection of the whole history.
    assert isinstance(open_configured_reader(kafka), duckdb.DuckDBPyConnection)
    project(kafka, follow=False)
    assert_same_projection(kafka, history)
    with Follower(kafka, RunnerOptions(decode_in_worker=False)):
        wait_for_service(served_reads_path(kafka.database), timeout_seconds=60)
        assert served_count(kafka) == len(history)


def test_a_database_deep_in_the_file_system_is_served_all_the_same(tmp_path: Path) -> None:
    # A socket's address holds at most 107 bytes; this socket's path is longer.
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    database = deep / "journeys.duckdb"
    connection = duckdb.connect(str(database))
    try:
        connection.execute("create table consumed_offsets (next_offset bigint)")
        connection.execute("insert into consumed_offsets values (7)")
        with ReadService(connection, served_reads_path(database), ReadGate(open_now=True)):
            assert len(os.fsencode(served_reads_path(database))) > 107
            assert stat.S_IMODE(os.stat(served_reads_path(database)).st_mode) == 0o600
            reads = ServedReads(served_reads_path(database))
            try:
                assert reads.execute("select next_offset from consumed_offsets").fetchall() == [
                    (7,)
                ]
            finally:
                reads.close()
        assert not served_reads_path(database).exists()
    finally:
        connection.close()
