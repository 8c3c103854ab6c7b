"""`journeys indicators --by team` and the supervision page, beside the same call without
--by, side by side on one projection of a synthetic Doncaster-sized authority.

The projection is built in-process (generate, encode, decode, load: the runner's bulk
path without Kafka) from `AuthorityParameters(children=65,000 x scale)`. Each figure is
timed alternately with its baseline, round by round, on the same warm connection:
- `indicators_for_year(by=("local_authority", "team"))` against `indicators_for_year()`:
  what splitting every indicator by the team that held the case costs;
- `supervision_figures` for one team (everything the page shows: the year's figures, the
  twelve months' trends, the due list) against the same baseline.
"""

from __future__ import annotations

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
from projections.supervision import supervision_figures

YEAR = 2024
ROUNDS = 5
BATCH = 50_000


@pytest.fixture(scope="module")
def projection(tmp_path_factory: pytest.TempPathFactory, scale: float) -> duckdb.DuckDBPyConnection:
    params = AuthorityParameters(children=scaled(65_000, scale), seed=2024)
    database = tmp_path_factory.mktemp("supervision") / "journeys.duckdb"
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
    (team,) = projection.execute(
        "select team_id from allocations group by all order by count(*) desc limit 1"
    ).fetchone() or (None,)
    holder = Holder(team=team)
    on = AuthorityParameters().end
    figure, baseline = _alternating(
        lambda: supervision_figures(projection, holder, on),
        lambda: indicators_for_year(projection, YEAR),
    )
    page = benchmark.pedantic(supervision_figures, args=(projection, holder, on), rounds=1)
    assert page.figures
    record_ratio(benchmark, "supervision_page", figure, baseline, "s", higher_is_better=False)
