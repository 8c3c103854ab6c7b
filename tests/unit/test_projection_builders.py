"""Hand-built journeys for the projection tests, and tests of the loader they go through.

`Child` builds contract event objects for one child, dated as the test says; `project`
loads them with the same bulk path the runner uses (`EventBatch` -> Arrow ->
`projections.load.append`). Unless a test says otherwise every event is recorded at
`RECORDED`, after every date the tests use, so "as known at" only matters where a test
chooses a `recorded_at`.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pytest

from events import catalogue as c
from projections.database import open_in_memory
from projections.load import ProjectionError, append, batch_of, consumed_offsets

TOPIC = "care.journey.events"
_ids = itertools.count(1)


def at(year: int, month: int, day: int) -> datetime:
    """A recorded_at moment: midday UTC of that day."""
    return datetime(year, month, day, 12, tzinfo=UTC)


@dataclass
class Child:
    """The events of one child's journey, in the order the test adds them."""

    child_id: str
    born: date | None = None
    local_authority: str = "371"
    events: list[c.JourneyEvent] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.born is not None:
            self.add(c.ChildRegistered, self.born, date_of_birth=self.born, sex="F",
                     ethnicity="WBRI")

    def add(
        self, event_class: type[c.JourneyEvent], on: date,
        recorded_at: datetime | None = None, **fields: Any,
    ) -> c.JourneyEvent:
        event = event_class(
            event_id=uuid.uuid4(), child_id=self.child_id, local_authority=self.local_authority,
            occurred_on=on, recorded_at=recorded_at or at(on.year, on.month, on.day),
            source_system="test", **fields,
        )
        self.events.append(event)
        return event

    # Children in need
    def referral(self, referral_id: str, on: date, **kw: Any) -> c.JourneyEvent:
        return self.add(c.ReferralReceived, on, referral_id=referral_id, source="1A", **kw)

    def close_referral(self, referral_id: str, on: date, **kw: Any) -> c.JourneyEvent:
        return self.add(c.ReferralClosed, on, referral_id=referral_id, reason="RC1", **kw)

    def assessment(self, assessment_id: str, on: date, *, seen_alone: bool,
                   **kw: Any) -> c.JourneyEvent:
        self.add(c.AssessmentStarted, on, assessment_id=assessment_id, referral_id="r")
        return self.add(c.AssessmentCompleted, on, assessment_id=assessment_id,
                        seen_alone=seen_alone, **kw)

    def cp_plan(self, plan_id: str, on: date, **kw: Any) -> c.JourneyEvent:
        return self.add(c.ChildProtectionPlanStarted, on, plan_id=plan_id, category="NEG", **kw)

    def end_cp_plan(self, plan_id: str, on: date, **kw: Any) -> c.JourneyEvent:
        return self.add(c.ChildProtectionPlanEnded, on, plan_id=plan_id, **kw)

    # Looked after
    def period(self, period_id: str, on: date, legal_status: str = "C2",
               **kw: Any) -> c.JourneyEvent:
        return self.add(c.PeriodOfCareStarted, on, period_id=period_id,
                        legal_status=legal_status, category_of_need="N1", **kw)

    def end_period(self, period_id: str, on: date, **kw: Any) -> c.JourneyEvent:
        return self.add(c.PeriodOfCareEnded, on, period_id=period_id, reason="E11", **kw)

    def legal_status(self, period_id: str, on: date, legal_status: str) -> c.JourneyEvent:
        return self.add(c.LegalStatusChanged, on, period_id=period_id, legal_status=legal_status)

    def placement(self, placement_id: str, period_id: str, on: date, carer: str,
                  placement_type: str = "U4", **kw: Any) -> c.JourneyEvent:
        return self.add(c.PlacementStarted, on, placement_id=placement_id, period_id=period_id,
                        placement_type=placement_type, carer_id=carer, **kw)

    def end_placement(self, placement_id: str, on: date, **kw: Any) -> c.JourneyEvent:
        return self.add(c.PlacementEnded, on, placement_id=placement_id, **kw)

    # Care leavers
    def adviser(self, on: date, **kw: Any) -> c.JourneyEvent:
        return self.add(c.PersonalAdviserAllocated, on, adviser_id=f"pa{next(_ids)}", **kw)

    def contact(self, on: date, in_touch: str = "YES", activity: str = "F1",
                accommodation: str = "B1", **kw: Any) -> c.JourneyEvent:
        return self.add(c.CareLeaverContactRecorded, on, in_touch=in_touch, activity=activity,
                        accommodation=accommodation, **kw)

    def retract(self, event: c.JourneyEvent, recorded_at: datetime) -> c.JourneyEvent:
        return self.add(c.EventRetracted, recorded_at.date(), recorded_at=recorded_at,
                        retracted_event_id=event.event_id, reason="recorded in error")


def project(*children: Child) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory projection of these children's events, through the bulk loader."""
    connection = open_in_memory()
    events = [event for child in children for event in child.events]
    append(connection, TOPIC, batch_of(events))
    return connection


def figures(
    connection: duckdb.DuckDBPyConnection, indicator: str, year: int,
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
        "select placement_type, carer_id, provider, occurred_on from event_log "
        "where event_id = ?", [placement.event_id]
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
