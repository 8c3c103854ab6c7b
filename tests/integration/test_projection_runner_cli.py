"""`journeys indicators` and `journeys sql` answer while `journeys project --follow` runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from cli_runs import cli_environment

# tests/integration is on sys.path, as pytest puts a test module's directory there.
from test_projection_runner import publish

from events.settings import Settings
from journeys.synthetic import AuthorityParameters, generate
from projections.definitions import indicator_definitions

pytestmark = pytest.mark.kafka


def journeys(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "journeys", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def wait_for_count(env: dict[str, str], expected: int) -> None:
    deadline = time.monotonic() + 60
    seen: object = None
    while time.monotonic() < deadline:
        result = journeys(env, "sql", "select count(*) as n from event_log", "--format", "json")
        if result.returncode == 0:
            seen = json.loads(result.stdout)[0]["n"]
            if seen == expected:
                return
        else:
            seen = result.stderr
        time.sleep(0.3)
    raise AssertionError(f"the snapshot never showed {expected} events (last seen: {seen})")


def test_readers_work_while_the_runner_follows(kafka: Settings) -> None:
    env = cli_environment(kafka)
    events = list(generate(AuthorityParameters(children=150, seed=11)))
    half = len(events) // 2
    publish(kafka, events[:half])
    follower = subprocess.Popen(
        [sys.executable, "-m", "journeys", "project", "--follow"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_count(env, half)
        publish(kafka, events[half:])
        wait_for_count(env, len(events))

        result = journeys(env, "indicators", "--year", "2020", "--format", "json")
        assert result.returncode == 0, result.stderr
        rows = json.loads(result.stdout)
        assert [row["indicator"] for row in rows][:2] == ["placements_3plus", "long_term_stability"]
        assert len(rows) == len(indicator_definitions())
        assert all(
            set(row) == {"indicator", "year", "numerator", "denominator", "rate"} for row in rows
        )
        as_of = journeys(
            env, "indicators", "--year", "2020", "--as-of", "2000-01-01", "--format", "csv"
        )
        assert as_of.returncode == 0, as_of.stderr
        assert as_of.stdout.splitlines()[0] == "indicator,year,numerator,denominator,rate"
        assert all(line.endswith(",0,0,") for line in as_of.stdout.splitlines()[1:])
    finally:
        follower.send_signal(signal.SIGINT)
        follower.wait(timeout=30)
    assert follower.returncode == 0, follower.stderr.read() if follower.stderr else ""


def test_readers_explain_when_there_is_no_snapshot(tmp_path: os.PathLike[str]) -> None:
    env = {**os.environ, "JOURNEYS_DB": os.path.join(tmp_path, "none.duckdb")}
    result = journeys(env, "indicators", "--year", "2024")
    assert result.returncode == 1
    assert "no projection snapshot" in result.stderr
    bad = journeys(env, "indicators", "--year", "2024", "--as-of", "last tuesday")
    assert bad.returncode == 2
    assert "--as-of must be an ISO 8601" in bad.stderr
