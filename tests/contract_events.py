"""Contract events with fixed values, for the tests of the codec and the value rules.

Every event has the same envelope (child C-1001 of authority 371, occurred 30 April 2024,
recorded at RECORDED_AT by LiquidLogic); keywords replace any field, so a case states
only the value it is about: `placement(carer_id="CARER\x07")`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from events.catalogue import ChildRegistered, EventRetracted, JourneyEvent, PlacementStarted

RECORDED_AT = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)

E = TypeVar("E", bound=JourneyEvent)


def _event(event_class: type[E], number: int, fields: dict[str, Any], changes: dict) -> E:
    """An event of `event_class` with the common envelope and `fields`, `changes` over both."""
    values: dict[str, Any] = dict(
        event_id=uuid.UUID(int=number), child_id="C-1001", local_authority="371",
        occurred_on=date(2024, 4, 30), recorded_at=RECORDED_AT, source_system="LiquidLogic",
    )  # fmt: skip
    return event_class(**{**values, **fields, **changes})


def registration(**changes: Any) -> ChildRegistered:
    fields = dict(date_of_birth=date(2012, 6, 1), sex="F", ethnicity="WBRI")
    return _event(ChildRegistered, 1, fields, changes)


def placement(**changes: Any) -> PlacementStarted:
    fields = dict(
        placement_id="PL-1", period_id="PC-1", placement_type="U4", provider="PR1",
        carer_id="CARER-9",
    )  # fmt: skip
    return _event(PlacementStarted, 2, fields, changes)


def retraction(**changes: Any) -> EventRetracted:
    fields = dict(retracted_event_id=uuid.UUID(int=2), reason="Entered against the wrong child.")
    return _event(EventRetracted, 3, fields, changes)
