"""`journeys indicators --by team` and the supervision page, beside the same call without
--by, side by side on one projection of a synthetic Doncaster-sized authority.

The projection is built in-process (generate, encode, decode, load: the runner's bulk
path without Kafka) from `AuthorityParameters(children=65,000 x scale)`. Each figure is
timed alternately with its baseline, round by round, on the same warm connection:
- `indicators_for_year(by=("local_authority", "team"))` against `indicators_for_year()`:
  what splitting every indicator by the team that held the case costs;
- `supervision_figures` for one team (everything the page shows: the year's figures, the
  twelve months' trends, the due list) against the same baseline;
- the whole `journeys supervision --team T --out FILE.html` command, a process of its own
  reading the published snapshot (Python's start, imports, opening the snapshot, the
  figures, the HTML), against the whole `journeys indicators --year Y` command on the same
  snapshot. The issue's target for it is absolute: under a second at Doncaster size
  (`--scale 1`); its seconds are recorded beside the ratio.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from benchmarks.conftest import record_ratio, scaled
from journeys.synthetic import AuthorityParameters, generate
from projections.database import open_for_writing
from projections.due import Holder
from projections.indicators import indicators_for_year
from projections.load import append, batch_of
from projections.snapshot import SnapshotPublisher
from projections.supervision import supervision_figures

YEAR = 2024
ROUNDS = 5
BATCH = 50_000


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("supervision") / "journeys.duckdb"


@pytest.fixture(scope="module")
def projection(database: Path, scale: float) -> duckdb.DuckDBPyConnection:
    params = AuthorityParameters(children=scaled(65_000, scale), seed=2024)
    connection = open_for_writing(database)
    events = list(generate(params))
    for start in range(0, len(events), BATCH):
        append(
            connection,
            "care.journey.events",
            batch_of(events[start : start + BATCH], first_offset=start),
        )
    print(f"\nprojected {len(events):,} events of {params.children:,} children")
    return connection


def _alternating(figure: Callable[[], Any], baseline: Callable[[], Any]) -> tuple[float, float]:
    """The best of ROUNDS of each, the two timed turn about after one warm-up each."""
    figure()
    baseline()
    figures, baselines = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        baseline()
        baselines.append(time.perf_counter() - started)
        started = time.perf_counter()
        figure()
        figures.append(time.perf_counter() - started)
    return min(figures), min(baselines)


def test_indicators_by_team_beside_the_same_call_without_by(
    benchmark: Any, projection: duckdb.DuckDBPyConnection
) -> None:
    by_team = ("local_authority", "team")
    figure, baseline = _alternating(
        lambda: indicators_for_year(projection, YEAR, by=by_team),
        lambda: indicators_for_year(projection, YEAR),
    )
    result = benchmark.pedantic(
        indicators_for_year, args=(projection, YEAR), kwargs={"by": by_team}, rounds=1
    )
    assert result.num_rows > 0
    record_ratio(benchmark, "indicators_by_team", figure, baseline, "s", higher_is_better=False)


def test_supervision_page_beside_the_indicators_without_by(
    benchmark: Any, projection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    holder = Holder(team=_largest_team(projection))
    on = AuthorityParameters().end
    figure, baseline = _alternating(
        lambda: supervision_figures(projection, holder, on),
        lambda: indicators_for_year(projection, YEAR),
    )
    page = benchmark.pedantic(supervision_figures, args=(projection, holder, on), rounds=1)
    assert page.figures
    record_ratio(benchmark, "supervision_page", figure, baseline, "s", higher_is_better=False)


def _largest_team(connection: duckdb.DuckDBPyConnection) -> str:
    (team,) = connection.execute(
        "select team_id from allocations group by all order by count(*) desc limit 1"
    ).fetchone() or (None,)
    assert team is not None, "the synthetic authority allocates its cases"
    return str(team)


def test_supervision_command_beside_the_indicators_command(
    benchmark: Any, projection: duckdb.DuckDBPyConnection, database: Path, tmp_path: Path
) -> None:
    publisher = SnapshotPublisher(projection, database)
    try:
        publisher.publish()
    finally:
        publisher.close()
    environment = {**os.environ, "JOURNEYS_DB": str(database)}
    page = tmp_path / "page.html"
    on = AuthorityParameters().end.isoformat()

    def journeys(*arguments: str) -> Callable[[], None]:
        def run() -> None:
            subprocess.run(
                [sys.executable, "-m", "journeys", *arguments],
                env=environment,
                check=True,
                stdout=subprocess.DEVNULL,
            )

        return run

    supervision = journeys(
        "supervision", "--team", _largest_team(projection), "--on", on, "--out", str(page)
    )
    figure, baseline = _alternating(supervision, journeys("indicators", "--year", str(YEAR)))
    benchmark.pedantic(supervision, rounds=1)
    assert "<svg" in page.read_text(encoding="utf-8")
    benchmark.extra_info["supervision_command_seconds"] = figure
    record_ratio(benchmark, "supervision_command", figure, baseline, "s", higher_is_better=False)
