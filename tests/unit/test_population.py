"""The population table, its CSV loader and the three rates per 10,000 children
(domain.md section 3, item 10) on hand-built journeys.

Year 2024 runs 1 April 2023 to 31 March 2024. The working is beside each child.
"""

from __future__ import annotations

import json
from datetime import date as d
from pathlib import Path

import duckdb
import pytest
from cli_runs import run_journeys
from journey_builders import Child
from test_projection_builders import TOPIC, project

from events.settings import Settings
from journeys.synthetic import AuthorityParameters
from projections.database import open_in_memory, writer_session
from projections.definitions import indicator_definitions
from projections.exceptions import PopulationFileError
from projections.indicators import authorities_without_population, indicators_for_year
from projections.load import append, batch_of
from projections.population import (
    POPULATION_AGE_BANDS,
    SYNTHETIC_AUTHORITY_FILE,
    load_population,
    read_population,
)
from projections.reference import carry_reference_tables

RATES = (
    "children_in_need_rate_per_10k",
    "cp_plans_started_rate_per_10k",
    "looked_after_rate_per_10k",
)

# Authority 371, year 2024: 10,000 children aged 0-17 (the 10-15 band: 3,000).
POPULATION_371 = """\
local_authority,year,age_band,children
371,2024,under 1,1000
371,2024,1-4,2000
371,2024,5-9,3000
371,2024,10-15,3000
371,2024,16 and over,1000
"""


def children() -> list[Child]:
    # CIN at 31 March 2024: A has two referrals open (counts once); B's closed on 31 March
    # (not open); C's received on 31 March (open) -> 2 children.
    a = Child("A", born=d(2012, 1, 1))
    a.referral("r1", d(2022, 1, 1))
    a.referral("r2", d(2023, 9, 1))
    b = Child("B", born=d(2012, 1, 1))
    b.referral("r1", d(2023, 6, 1))
    b.close_referral("r1", d(2024, 3, 31))
    c = Child("C", born=d(2020, 1, 1))
    c.referral("r1", d(2024, 3, 31))
    # CP plans started in year 2024: D two plans (one child); E's plan on 1 April 2024 is
    # year 2025's -> 1 child.
    dd = Child("D", born=d(2015, 1, 1))
    dd.cp_plan("p1", d(2023, 5, 1))
    dd.cp_plan("p2", d(2023, 6, 1))
    e = Child("E", born=d(2015, 1, 1))
    e.cp_plan("p1", d(2024, 4, 1))
    # Looked after at 31 March 2024: F yes (aged 12: 10-15); G on short breaks (V3): no;
    # H's period ended on 31 March: no -> 1 child.
    f = Child("F", born=d(2012, 1, 1))
    f.period("poc", d(2023, 1, 1))
    g = Child("G", born=d(2012, 1, 1))
    g.period("poc", d(2023, 1, 1), legal_status="V3")
    h = Child("H", born=d(2012, 1, 1))
    h.period("poc", d(2023, 1, 1))
    h.end_period("poc", d(2024, 3, 31))
    return [a, b, c, dd, e, f, g, h]


def rates(connection: duckdb.DuckDBPyConnection, year: int, *by: str) -> dict[tuple, tuple]:
    return {
        tuple(row.values())[:-3]: tuple(row.values())[-3:]
        for row in indicators_for_year(connection, year, by=list(by)).to_pylist()
        if row["indicator"] in RATES
    }


def population_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "population.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_rates_per_10000_children_of_the_authority(tmp_path: Path) -> None:
    connection = project(*children())
    # No population loaded: numerators counted, denominators and rates null.
    assert rates(connection, 2024) == {
        ("children_in_need_rate_per_10k", 2024): (2, None, None),
        ("cp_plans_started_rate_per_10k", 2024): (1, None, None),
        ("looked_after_rate_per_10k", 2024): (1, None, None),
    }
    assert authorities_without_population(connection, 2024) == ["371"]

    assert load_population(connection, population_file(tmp_path, POPULATION_371)) == 5
    # 2 / 10,000 * 10,000 = 2.0; 1 -> 1.0; 1 -> 1.0.
    assert rates(connection, 2024) == {
        ("children_in_need_rate_per_10k", 2024): (2, 10_000, 2.0),
        ("cp_plans_started_rate_per_10k", 2024): (1, 10_000, 1.0),
        ("looked_after_rate_per_10k", 2024): (1, 10_000, 1.0),
    }
    assert authorities_without_population(connection, 2024) == []
    assert connection.execute(
        "select numerator, denominator, rate from looked_after_rate_per_10k_as_of('infinity') "
        "where year = 2024"
    ).fetchall() == [(1, 10_000, 1.0)]
    # By age band, the band's own population: F is 12 on 31 March (10-15, 3,000 children)
    # -> 1 / 3,000 * 10,000.
    assert rates(connection, 2024, "age_band")[("looked_after_rate_per_10k", 2024, "10-15")] == (
        1,
        3_000,
        pytest.approx(10_000 / 3_000),
    )
    # By sex the population is not held: the numerator only.
    assert rates(connection, 2024, "sex")[("looked_after_rate_per_10k", 2024, "F")] == (
        1,
        None,
        None,
    )
    # Year 2023: A's first referral (1 January 2022) is open at 31 March 2023, but no
    # population is loaded for 2023: the numerator only.
    assert rates(connection, 2023)[("children_in_need_rate_per_10k", 2023)] == (1, None, None)


def test_a_second_authority_without_population_leaves_the_pooled_rate_empty(
    tmp_path: Path,
) -> None:
    other = Child("A", born=d(2012, 1, 1), local_authority="372")
    other.period("poc", d(2023, 1, 1))
    other.placement("p1", "poc", d(2023, 6, 1), carer="k1")  # 372's data reaches year 2024
    connection = project(*children(), other)
    load_population(connection, population_file(tmp_path, POPULATION_371))
    by_authority = rates(connection, 2024, "local_authority")
    assert by_authority[("looked_after_rate_per_10k", 2024, "371")] == (1, 10_000, 1.0)
    assert by_authority[("looked_after_rate_per_10k", 2024, "372")] == (1, None, None)
    # Pooled over both: 372's population is unknown, so the rate over both is too.
    assert rates(connection, 2024)[("looked_after_rate_per_10k", 2024)] == (2, None, None)
    assert authorities_without_population(connection, 2024) == ["372"]


def test_loading_again_replaces_that_authority_and_year_only(tmp_path: Path) -> None:
    connection = project(*children())
    load_population(connection, population_file(tmp_path, POPULATION_371))
    load_population(
        connection,
        population_file(tmp_path, POPULATION_371.replace("2024", "2023").replace(",1000", ",500")),
    )
    load_population(connection, population_file(tmp_path, POPULATION_371.replace("3000", "4000")))
    assert connection.execute(
        "select year, sum(children) from population group by year order by year"
    ).fetchall() == [(2023, 9_000), (2024, 12_000)]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (
            POPULATION_371.replace("371,2024,1-4,2000", "371,2024,1-4,-2000"),
            "population.csv, line 3, field children: a count of children cannot be negative",
        ),
        (
            POPULATION_371.replace(",children\n", "\n"),
            "population.csv, line 1: the header has no column children",
        ),
        (
            POPULATION_371.replace("371,2024,5-9", "371,2024,5-10"),
            "population.csv, line 4, field age_band: must be one of under 1, 1-4, 5-9",
        ),
        (
            POPULATION_371.replace("371,2024,10-15,3000", "371,2024,10-15,many"),
            "population.csv, line 5, field children: must be a whole number, not 'many'",
        ),
        (
            POPULATION_371.replace("371,2024,under 1", "37,2024,under 1"),
            "population.csv, line 2, field local_authority: must be a 3-digit DfE code",
        ),
        (
            POPULATION_371.replace("371,2024,16 and over,1000\n", ""),
            "authority 371, year 2024 has no row for age band 16 and over",
        ),
    ],
)
def test_a_bad_population_file_is_refused_whole_naming_line_and_field(
    tmp_path: Path, text: str, complaint: str
) -> None:
    connection = project(*children())
    with pytest.raises(PopulationFileError) as refused:
        load_population(connection, population_file(tmp_path, text))
    assert complaint in str(refused.value)
    assert str(tmp_path) in str(refused.value)
    assert connection.execute("select count(*) from population").fetchall() == [(0,)]


def test_the_shipped_population_is_the_synthetic_authority_every_year() -> None:
    authority = AuthorityParameters()
    rows = read_population(SYNTHETIC_AUTHORITY_FILE)
    first_year = authority.history_start.year + 1
    years = {row.year for row in rows}
    assert years == set(range(first_year, authority.to_year + 1))
    assert {row.local_authority for row in rows} == {authority.local_authority}
    for year in years:
        held = [row for row in rows if row.year == year]
        assert sum(row.children for row in held) == authority.children
        assert [row.age_band for row in held] == list(POPULATION_AGE_BANDS)


def test_the_rate_indicators_are_of_the_per_10k_kind() -> None:
    kinds = {d.indicator: d.kind for d in indicator_definitions()}
    assert {name: kinds[name] for name in RATES} == dict.fromkeys(RATES, "per_10k_children")
    assert kinds["placements_3plus"] == "proportion"


def test_journeys_population_load_and_the_note_without_one(tmp_path: Path) -> None:
    database = tmp_path / "journeys.duckdb"
    with writer_session(database) as (connection, snapshots):
        append(connection, TOPIC, batch_of([e for child in children() for e in child.events]))
        snapshots.publish()
    settings = Settings(bootstrap_servers="localhost:1", database=database, state_dir=tmp_path)
    before = run_journeys(settings, "indicators", "--year", "2024", "--format", "json")
    assert before.returncode == 0, before.stderr
    assert "no population loaded for reporting year 2024 of authority 371" in before.stderr

    refused = run_journeys(
        settings,
        "population",
        "load",
        str(population_file(tmp_path, POPULATION_371.replace(",1000\n", ",-1\n", 1))),
    )
    assert refused.returncode == 1
    assert "line 2, field children: a count of children cannot be negative (-1)" in refused.stderr

    loaded = run_journeys(
        settings, "population", "load", str(population_file(tmp_path, POPULATION_371))
    )
    assert loaded.returncode == 0, loaded.stderr
    after = run_journeys(settings, "indicators", "--year", "2024", "--format", "json")
    assert "no population" not in after.stderr
    rows = {row["indicator"]: row for row in json.loads(after.stdout)}
    assert rows["looked_after_rate_per_10k"]["denominator"] == 10_000
    assert rows["looked_after_rate_per_10k"]["rate"] == 1.0


def test_a_rebuilt_database_keeps_the_population_loaded(tmp_path: Path) -> None:
    previous = tmp_path / "journeys.duckdb"
    with writer_session(previous) as (connection, _):
        load_population(connection, population_file(tmp_path, POPULATION_371))
    fresh = open_in_memory()
    carry_reference_tables(fresh, previous)
    assert fresh.execute("select count(*), sum(children) from population").fetchall() == [
        (5, 10_000)
    ]
    carry_reference_tables(open_in_memory(), tmp_path / "none.duckdb")  # nothing to carry
