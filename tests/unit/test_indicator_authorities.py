"""Every indicator per local authority, and by sex, age band and ethnic group.

A child id is unique only within its authority, so a record holding two authorities (371
and 372) whose children share identifiers must give each authority exactly the figures of
its own record alone, and a pooled figure that is the sum of theirs (domain.md section 3,
last paragraph), as known now and at a past moment.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import pytest
from journey_builders import Child
from test_projection_builders import TOPIC

from events import codes
from events.catalogue import JourneyEvent
from journeys.synthetic import AuthorityParameters, generate
from projections.breakdowns import ETHNIC_GROUPS
from projections.database import open_in_memory
from projections.definitions import indicator_definitions
from projections.indicators import indicators_for_year
from projections.load import append, batch_of

PAST = datetime(2019, 6, 30, tzinfo=UTC)
PROPORTIONS = {d.indicator for d in indicator_definitions() if d.kind == "proportion"}
MOMENTS = ("infinity", PAST.isoformat())


def load(events: list[JourneyEvent]) -> duckdb.DuckDBPyConnection:
    connection = open_in_memory()
    append(connection, TOPIC, batch_of(events))
    return connection


def authority(code: str, seed: int, to_year: int, history_years: int) -> list[JourneyEvent]:
    """A small synthetic authority; its child ids (C0000001, ...) are every authority's."""
    return list(
        generate(
            AuthorityParameters(
                children=300,
                seed=seed,
                local_authority=code,
                to_year=to_year,
                history_years=history_years,
            )
        )
    )


@pytest.fixture(scope="module")
def record() -> dict[str, list[JourneyEvent]]:
    # Different years too: 372 starts later and stops earlier than 371.
    return {
        "371": authority("371", seed=3, to_year=2024, history_years=8),
        "372": authority("372", seed=4, to_year=2022, history_years=4),
    }


@pytest.fixture(scope="module")
def together(record: dict[str, list[JourneyEvent]]) -> duckdb.DuckDBPyConnection:
    return load(record["371"] + record["372"])


@pytest.fixture(scope="module")
def alone(record: dict[str, list[JourneyEvent]]) -> dict[str, duckdb.DuckDBPyConnection]:
    return {code: load(events) for code, events in record.items()}


def test_the_two_authorities_share_child_identifiers(
    record: dict[str, list[JourneyEvent]],
) -> None:
    shared = {e.child_id for e in record["371"]} & {e.child_id for e in record["372"]}
    assert len(shared) > 100


def each_authority_alone_and_shared(
    query: str,
    together: duckdb.DuckDBPyConnection,
    alone: dict[str, duckdb.DuckDBPyConnection],
    moment: str,
) -> list[list[tuple]]:
    """Assert `query` (parameters: the moment, the authority) answers the same for each
    authority in its record alone and in the shared record; return each one's rows."""
    answers = []
    for code, connection in alone.items():
        own = connection.execute(query, [moment, code]).fetchall()
        assert own == together.execute(query, [moment, code]).fetchall()
        answers.append(own)
    return answers


@pytest.mark.parametrize("moment", MOMENTS)
def test_each_authority_in_a_shared_record_has_the_figures_of_its_record_alone(
    together: duckdb.DuckDBPyConnection,
    alone: dict[str, duckdb.DuckDBPyConnection],
    moment: str,
) -> None:
    query = (
        "select indicator, year, local_authority, numerator, denominator, rate "
        "from indicators_as_of(cast(? as timestamptz)) where local_authority = ? order by all"
    )
    for own in each_authority_alone_and_shared(query, together, alone, moment):
        assert any(row[3] > 0 for row in own)  # not a comparison of empty figures
    if moment == "infinity":
        years = together.execute(
            "select local_authority, min(year), max(year) from indicators group by all order by all"
        ).fetchall()
        assert years[0][1] < years[1][1]  # 372 starts later...
        assert years[0][2] > years[1][2]  # ... and stops earlier: no rows of its own after


@pytest.mark.parametrize("moment", MOMENTS)
def test_each_authority_drill_down_in_a_shared_record_is_its_own(
    together: duckdb.DuckDBPyConnection,
    alone: dict[str, duckdb.DuckDBPyConnection],
    moment: str,
) -> None:
    query = (
        "select indicator, year, child_id, subject_id, on_date, detail, in_numerator "
        "from indicator_children_as_of(cast(? as timestamptz)) where local_authority = ? "
        "order by all"
    )
    each_authority_alone_and_shared(query, together, alone, moment)


@pytest.mark.parametrize("moment", MOMENTS)
def test_the_pooled_figure_is_the_sum_of_the_authorities(
    together: duckdb.DuckDBPyConnection, moment: str
) -> None:
    pooled = together.execute(
        "select indicator, year, numerator, denominator, rate "
        "from indicators_by(cast(? as timestamptz)) order by all",
        [moment],
    ).fetchall()
    summed = together.execute(
        "select indicator, year, sum(numerator), sum(denominator), "
        "rate_of(sum(numerator), sum(denominator)) "
        "from indicators_as_of(cast(? as timestamptz)) group by all order by all",
        [moment],
    ).fetchall()
    assert pooled == summed
    assert len({(indicator, year) for indicator, year, *_ in pooled}) == len(pooled)


def test_per_authority_rows_through_the_reading_function(
    together: duckdb.DuckDBPyConnection, alone: dict[str, duckdb.DuckDBPyConnection]
) -> None:
    rows = indicators_for_year(together, 2019, PAST, by=["local_authority"]).to_pylist()
    assert {row["local_authority"] for row in rows} == {"371", "372"}
    for code, connection in alone.items():
        own = indicators_for_year(connection, 2019, PAST).to_pylist()
        assert [
            {k: v for k, v in row.items() if k != "local_authority"}
            for row in rows
            if row["local_authority"] == code
        ] == own


@pytest.mark.parametrize(
    "by",
    [
        ["sex"],
        ["age_band"],
        ["ethnic_group"],
        ["local_authority", "sex", "age_band"],
        # Who held the case on each row's own day (issue 15): per team, locality and
        # worker, with the transfers of the synthetic authorities' allocations.
        ["team"],
        ["local_authority", "team"],
        ["locality", "worker"],
    ],
)
def test_every_breakdown_sums_to_the_pooled_figure(
    together: duckdb.DuckDBPyConnection, by: list[str]
) -> None:
    # Numerators always add up; so do the denominators of proportions (those of the rates
    # per 10,000 are populations, tested in test_population.py).
    pooled = {
        row["indicator"]: (row["numerator"], row["denominator"] if row["indicator"] in
            PROPORTIONS else 0)
        for row in indicators_for_year(together, 2020).to_pylist()
    }  # fmt: skip
    grouped = indicators_for_year(together, 2020, by=by).to_pylist()
    assert list(grouped[0]) == ["indicator", "year", *by, "numerator", "denominator", "rate"]
    sums: dict[str, tuple[int, int]] = {}
    for row in grouped:
        denominator = row["denominator"] if row["indicator"] in PROPORTIONS else 0
        assert denominator > 0 or row["indicator"] not in PROPORTIONS
        numerator, total = sums.get(row["indicator"], (0, 0))
        sums[row["indicator"]] = (numerator + row["numerator"], total + denominator)
    assert sums == {name: pair for name, pair in pooled.items() if pair != (0, 0)}


def test_sex_age_band_and_ethnic_group_on_the_indicator_own_day() -> None:
    # Worked by hand, seen_alone in year 2024 (1 April 2023 to 31 March 2024), the age on
    # the assessment's completion day (its on_date):
    # - "A", 371, girl born 2023-01-10, White British: assessed 2023-06-01 (aged 0, under 1)
    #   seen alone; assessed again 2024-01-10 (her 1st birthday: 1-4) not seen alone.
    # - "A", 372 (the same id, another child), boy born 2014-03-31, Indian: assessed
    #   2024-03-30 (aged 9: 5-9) seen alone; a child turning 10 on 31 March 2024.
    # - "B", 372, no ChildRegistered: assessed 2023-12-01, seen alone: 'not recorded'.
    girl = Child("A", born=date(2023, 1, 10), local_authority="371")
    girl.assessment("a1", date(2023, 6, 1), seen_alone=True)
    girl.assessment("a2", date(2024, 1, 10), seen_alone=False)
    boy = Child("A", local_authority="372")
    boy.events.append(
        _registered("A", "372", born=date(2014, 3, 31), sex="M", ethnicity="AIND"),
    )
    boy.assessment("a1", date(2024, 3, 30), seen_alone=True)
    unknown = Child("B", local_authority="372")
    unknown.assessment("a9", date(2023, 12, 1), seen_alone=True)
    connection = load(girl.events + boy.events + unknown.events)

    def seen_alone(by: list[str]) -> list[tuple[object, ...]]:
        rows = indicators_for_year(connection, 2024, by=by).to_pylist()
        return [tuple(row.values())[2:] for row in rows if row["indicator"] == "seen_alone"]

    assert seen_alone([]) == [(3, 4, 0.75)]
    assert seen_alone(["local_authority"]) == [("371", 1, 2, 0.5), ("372", 2, 2, 1.0)]
    assert seen_alone(["sex"]) == [("F", 1, 2, 0.5), ("M", 1, 1, 1.0), ("not recorded", 1, 1, 1.0)]
    assert seen_alone(["age_band"]) == [  # youngest first
        ("under 1", 1, 1, 1.0),
        ("1-4", 0, 1, 0.0),
        ("5-9", 1, 1, 1.0),
        ("not recorded", 1, 1, 1.0),
    ]
    assert seen_alone(["ethnic_group", "local_authority"]) == [
        ("Asian or Asian British", "372", 1, 1, 1.0),
        ("White", "371", 1, 2, 0.5),
        ("not recorded", "372", 1, 1, 1.0),
    ]


def _registered(child_id: str, la: str, *, born: date, sex: str, ethnicity: str) -> JourneyEvent:
    from journey_builders import child_registered

    return child_registered(
        born, date_of_birth=born, sex=sex, ethnicity=ethnicity, child_id=child_id,
        local_authority=la,
    )  # fmt: skip


def test_every_ethnicity_code_has_a_dfe_major_group() -> None:
    assert set(ETHNIC_GROUPS) == codes.ETHNICITY
