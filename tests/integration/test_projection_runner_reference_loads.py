"""`journeys population load` and `journeys comparators load` beside a following runner
(issue 13): the follower loads the file in its own transaction and answers, the snapshot
shows it when the command returns, a bad file is refused to the person loading it naming
file, line and field, and the follower carries on throughout (the `follower` fixture
checks that it still follows, then stops it and checks it ended cleanly)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cli_runs import cli_environment

# tests/integration is on sys.path, as pytest puts a test module's directory there.
from test_projection_runner_cli import journeys
from test_projection_runner_single_writer import follower  # noqa: F401 (a fixture)

from events.settings import Settings
from projections.comparators import CASE_STUDY_FILE, case_study_comparators
from projections.population import synthetic_population_csv
from projections.reference_loads import inbox_path

pytestmark = pytest.mark.kafka

YEARS = range(2012, 2025)  # the follower fixture's authority: 371, the default years
POPULATION = synthetic_population_csv(6_500, "371", YEARS)


def population_total(env: dict[str, str]) -> object:
    shown = journeys(
        env, "sql", "select cast(sum(children) as integer) as n from population", "--format", "json"
    )
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)[0]["n"]


def test_reference_files_load_beside_a_follower_and_bad_ones_are_refused_to_the_loader(
    kafka: Settings,
    follower: subprocess.Popen[str],  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    env = cli_environment(kafka)
    good = tmp_path / "population.csv"
    good.write_text(POPULATION, encoding="utf-8")
    loaded = journeys(env, "population", "load", str(good))
    assert loaded.returncode == 0, loaded.stderr
    assert f"loaded {5 * len(YEARS)} population rows from {good}" in loaded.stdout
    assert f"by the runner writing it, process {follower.pid}" in loaded.stdout
    assert population_total(env) == 6_500 * len(YEARS)  # in the snapshot on return

    compared = journeys(env, "comparators", "load", str(CASE_STUDY_FILE))
    assert compared.returncode == 0, compared.stderr
    assert f"loaded {len(case_study_comparators())} comparator figures" in compared.stdout

    negative = tmp_path / "negative.csv"
    negative.write_text(POPULATION.replace(",2012,1-4,", ",2012,1-4,-", 1), encoding="utf-8")
    refused = journeys(env, "population", "load", str(negative))
    assert refused.returncode == 1
    assert (
        f"{negative}, line 3, field children: a count of children cannot be negative"
        in refused.stderr
    )
    no_column = tmp_path / "no-column.csv"
    no_column.write_text(POPULATION.replace(",children\n", ",count\n", 1), encoding="utf-8")
    refused = journeys(env, "population", "load", str(no_column))
    assert refused.returncode == 1
    assert f"{no_column}, line 1: the header has no column children" in refused.stderr
    assert "Traceback" not in refused.stderr

    # Nothing of the refused files was loaded; the rates have their denominator.
    assert population_total(env) == 6_500 * len(YEARS)
    rates = journeys(env, "indicators", "--year", "2016", "--format", "json")
    assert rates.returncode == 0, rates.stderr
    assert "no population" not in rates.stderr
    rows = {row["indicator"]: row for row in json.loads(rates.stdout)}
    assert rows["looked_after_rate_per_10k"]["denominator"] == 6_500
    assert follower.poll() is None, "the follower stopped"
    assert list(inbox_path(kafka.database).iterdir()) == [], "the inbox kept files"
