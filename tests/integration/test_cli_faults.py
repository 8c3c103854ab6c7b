"""The command line under faults an operator meets: Ctrl-C, a closed pipe, no broker.

These run `journeys` as a child process, because the fault is the child's own: a signal
to its whole process group (as a terminal's Ctrl-C sends it), or its stdout closed by
the reader.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_runs import cli_environment

# tests/integration is on sys.path, as pytest puts a test module's directory there.
from test_projection_runner import publish

from events.settings import Settings
from journeys.entrypoints.cli import EXIT_BROKEN_PIPE, EXIT_UNREACHABLE, main
from journeys.synthetic import AuthorityParameters, generate
from projections.database import open_for_writing, writer_session
from projections.load import append, batch_of
from projections.snapshot import open_snapshot

ROOT = Path(__file__).resolve().parents[2]


def journeys_process(
    env: dict[str, str], *arguments: str, **options: object
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "journeys", *arguments],
        env=env, cwd=ROOT, text=True, **options,  # type: ignore[call-overload]
    )  # fmt: skip


def snapshot_count(database: Path) -> int | None:
    try:
        connection = open_snapshot(database)
    except FileNotFoundError:
        return None
    try:
        row = connection.execute("select count(*) from event_log").fetchone()
    finally:
        connection.close()
    return None if row is None else int(row[0])


@pytest.mark.kafka
def test_ctrl_c_stops_a_follower_cleanly_keeping_what_it_projected(kafka: Settings) -> None:
    events = list(generate(AuthorityParameters(children=60, seed=21)))
    publish(kafka, events)
    env = cli_environment(kafka)
    # A session of its own, so the signal goes to the runner and its decoder child at
    # once, exactly as Ctrl-C in a terminal sends it to the foreground process group.
    follower = journeys_process(
        env, "project", "--follow",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while snapshot_count(kafka.database) != len(events):
            assert follower.poll() is None, follower.communicate()
            assert time.monotonic() < deadline, "the follower never caught up"
            time.sleep(0.2)
        os.killpg(follower.pid, signal.SIGINT)
        _out, err = follower.communicate(timeout=30)
    finally:
        if follower.poll() is None:
            os.killpg(follower.pid, signal.SIGKILL)
            follower.wait()
    assert follower.returncode in (0, 130), err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.strip().splitlines()[-1] == "stopped; every committed batch is kept"
    connection = open_for_writing(kafka.database)  # the writer's lock is free again
    try:
        assert connection.execute("select count(*) from event_log").fetchone() == (len(events),)
    finally:
        connection.close()


def test_a_reader_closing_the_pipe_ends_indicators_quietly(tmp_path: Path) -> None:
    database = tmp_path / "journeys.duckdb"
    with writer_session(database) as (connection, snapshots):
        append(
            connection,
            "care.journey.events",
            batch_of(generate(AuthorityParameters(children=30, seed=4))),
        )
        snapshots.publish()
        year = connection.execute("select max(year) from indicators").fetchone()
    assert year is not None
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first line is written (`| head`)
    try:
        indicators = journeys_process(
            {**os.environ, "JOURNEYS_DB": str(database)},
            "indicators", "--year", str(year[0]),
            stdout=write_end, stderr=subprocess.PIPE,
        )  # fmt: skip
    finally:
        os.close(write_end)
    _out, err = indicators.communicate(timeout=60)
    assert err == ""
    assert indicators.returncode == EXIT_BROKEN_PIPE


@pytest.mark.parametrize(
    "arguments",
    [["process", "--until-idle"], ["project", "--until-idle"], ["rejected"], ["timeline", "C1"]],
    ids=lambda arguments: arguments[0],
)
def test_an_unreachable_broker_is_named_with_what_to_check(
    arguments: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")  # nothing listens there
    monkeypatch.setenv("JOURNEYS_CONNECT_TIMEOUT", "1")
    monkeypatch.setenv("JOURNEYS_DB", str(tmp_path / "journeys.duckdb"))
    monkeypatch.setenv("JOURNEYS_STATE_DIR", str(tmp_path / "state"))
    assert main(arguments) == EXIT_UNREACHABLE
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().splitlines() == [
        f"journeys {arguments[0]}: could not reach the Kafka cluster at 127.0.0.1:1 within "
        "1 s: check that KAFKA_BOOTSTRAP_SERVERS names a running broker this machine can "
        "reach (host, port, firewall) and, for TLS or SASL, the KAFKA_SECURITY_PROTOCOL, "
        "KAFKA_SASL_* and KAFKA_SSL_* settings; JOURNEYS_CONNECT_TIMEOUT sets how long to wait"
    ]
