"""Only one `journeys project` writes a projection database at a time (issue 11, item 2).

A follower publishes its first snapshot, which copies the database file; a second
writer (`--until-idle`, `--rebuild`, another `--follow`) started beside it must then be
refused at once, with a message, and the follower must carry on unharmed. (Copying the
file used to close a descriptor of it, which released DuckDB's POSIX lock, so every one
of them ran and exited 0.)
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from cli_runs import cli_environment

# tests/integration is on sys.path, as pytest puts a test module's directory there.
from test_projection_runner import publish
from test_projection_runner_cli import journeys, wait_for_count

from events.settings import Settings
from journeys.synthetic import AuthorityParameters, generate
from projections.snapshot import snapshot_path

pytestmark = pytest.mark.kafka


def environment(settings: Settings) -> dict[str, str]:
    return cli_environment(settings)


@pytest.fixture
def follower(kafka: Settings) -> Iterator[subprocess.Popen[str]]:
    """`journeys project --follow`, caught up with half a history and its snapshot out."""
    events = list(generate(AuthorityParameters(children=60, seed=3)))
    publish(kafka, events[: len(events) // 2])
    process = subprocess.Popen(
        [sys.executable, "-m", "journeys", "project", "--follow"],
        env=environment(kafka),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_count(environment(kafka), len(events) // 2)
        assert snapshot_path(kafka.database).exists()
        yield process
        # It still follows: the rest of the history reaches its snapshot.
        publish(kafka, events[len(events) // 2 :])
        wait_for_count(environment(kafka), len(events))
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    stderr = process.stderr.read() if process.stderr else ""
    assert process.returncode == 0, stderr
    assert "Error" not in stderr and "Traceback" not in stderr, stderr


@pytest.mark.parametrize(
    "second_writer",
    [("--until-idle",), ("--rebuild",), ("--follow",)],
    ids=["until-idle", "rebuild", "follow"],
)
def test_a_second_writer_beside_a_follower_is_refused_at_once(
    kafka: Settings, follower: subprocess.Popen[str], second_writer: tuple[str, ...]
) -> None:
    database_file = kafka.database.stat()
    try:
        second = subprocess.run(
            [sys.executable, "-m", "journeys", "project", *second_writer],
            env=environment(kafka),
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`journeys project {' '.join(second_writer)}` ran beside the follower")
    assert second.returncode == 1, second.stderr
    assert "only one may write it at a time" in second.stderr
    assert f"process {follower.pid}" in second.stderr
    assert "Traceback" not in second.stderr
    assert follower.poll() is None, "the follower stopped"
    # Not replaced under the follower (a rebuild renames a new file over it).
    assert kafka.database.stat().st_ino == database_file.st_ino


def test_the_lock_is_free_again_once_the_writer_has_stopped(kafka: Settings) -> None:
    publish(kafka, list(generate(AuthorityParameters(children=10, seed=4))))
    first = journeys(environment(kafka), "project", "--until-idle")
    assert first.returncode == 0, first.stderr
    again = journeys(environment(kafka), "project", "--until-idle")
    assert again.returncode == 0, again.stderr
    assert "projected 0 new events" in again.stderr
