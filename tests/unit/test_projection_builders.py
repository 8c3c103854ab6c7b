"""Hand-built journeys for the projection tests, and tests of the loader they go through.

`Child` (tests/journey_builders.py) builds contract event objects for one child, dated as
the test says; `project` loads them with the same bulk path the runner uses
(`EventBatch` -> Arrow -> `projections.load.append`). Unless a test says otherwise every
event is recorded at midday UTC of the day it happened, so "as known at" only matters
where a test chooses a `recorded_at`.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest
from journey_builders import Child

from projections.database import open_in_memory
from projections.exceptions import ProjectionError
from projections.load import append, batch_of, consumed_offsets

TOPIC = "care.journey.events"


def project(*children: Child) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory projection of these children's events, through the bulk loader."""
    connection = open_in_memory()
    events = [event for child in children for event in child.events]
    append(connection, TOPIC, batch_of(events))
    return connection


def figures(
    connection: duckdb.DuckDBPyConnection,
    indicator: str,
    year: int,
    as_of: datetime | None = None,
) -> tuple[int, int]:
    """(numerator, denominator) of one indicator for one year, checking its identities.

    The drill-down must list exactly the numerator and the denominator, and every member of
    the numerator must be a member of the denominator (in_numerator is a flag on a
    denominator row, so the second follows from the first row for row).
    """
    moment = "infinity" if as_of is None else as_of.isoformat()
    row = connection.execute(
        f"select numerator, denominator, rate from {indicator}_as_of(cast(? as timestamptz)) "
        "where year = ?",
        [moment, year],
    ).fetchone()
    assert row is not None, f"no {indicator} row for {year}"
    numerator, denominator, rate = row
    drilled = connection.execute(
        f"select count(*) filter (where in_numerator), count(*) "
        f"from {indicator}_children_as_of(cast(? as timestamptz)) where year = ?",
        [moment, year],
    ).fetchone()
    assert drilled == (numerator, denominator)
    assert numerator <= denominator
    assert rate == (numerator / denominator if denominator else None)
    return int(numerator), int(denominator)


def members(
    connection: duckdb.DuckDBPyConnection, indicator: str, year: int, numerator: bool = False
) -> set[str]:
    """The child ids in the denominator (or, with numerator=True, the numerator)."""
    rows = connection.execute(
        f"select child_id from {indicator}_children where year = ? and (in_numerator or not ?)",
        [year, numerator],
    ).fetchall()
    return {child_id for (child_id,) in rows}


# Tests of the loader itself.


def test_loads_every_field_of_every_event_type_into_its_column() -> None:
    child = Child("c1", born=date(2010, 5, 1))
    assessment = child.assessment("a1", date(2020, 1, 2), seen_alone=True, factors=("1A", "2B"))
    placement = child.placement("p1", "poc1", date(2020, 1, 3), carer="k1", provider=None)
    connection = project(child)
    assert connection.execute(
        "select factors, seen_alone from event_log where event_id = ?", [assessment.event_id]
    ).fetchone() == (["1A", "2B"], True)
    assert connection.execute(
        "select placement_type, carer_id, provider, occurred_on from event_log where event_id = ?",
        [placement.event_id],
    ).fetchone() == ("U4", "k1", None, date(2020, 1, 3))
    assert connection.execute(
        "select count(*), count(distinct event_id) from event_log where child_id = 'c1'"
    ).fetchone() == (4, 4)


def test_stores_the_next_offset_of_each_partition_with_the_rows() -> None:
    connection = open_in_memory()
    child = Child("c1", born=date(2010, 5, 1))
    child.referral("r1", date(2020, 1, 1))
    append(connection, TOPIC, batch_of(child.events[:1], partition=0, first_offset=0))
    append(connection, TOPIC, batch_of(child.events[1:], partition=2, first_offset=7))
    assert consumed_offsets(connection, TOPIC) == {0: 1, 2: 8}


def test_refuses_a_batch_that_was_projected_already_and_writes_nothing() -> None:
    connection = open_in_memory()
    child = Child("c1", born=date(2010, 5, 1))
    child.referral("r1", date(2020, 1, 1))
    append(connection, TOPIC, batch_of(child.events, first_offset=10))
    with pytest.raises(ProjectionError, match="partition 0 offset 11 is already projected"):
        append(connection, TOPIC, batch_of(child.events[1:], first_offset=11))
    assert connection.execute("select count(*) from event_log").fetchone() == (2,)
    assert consumed_offsets(connection, TOPIC) == {0: 12}
