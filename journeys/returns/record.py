"""The record as the returns read it: an authority's events as known at a moment.

`events_known_at` is the one place the returns read `care.journey.events`: it yields the
decoded events, in clear, of one local authority recorded by a moment. The returns are
built from these events, never from the DuckDB projection, whose tables do not hold (and
must not hold) the personal fields a return carries (UPN, postcodes, MC_DOB).

`counting` applies the retractions among them: what the record says at that moment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from events.catalogue import EventRetracted, JourneyEvent
from events.codec import default_codec
from events.settings import Settings
from journeys.kafka.record_reader import DistinctEvents


def events_known_at(
    settings: Settings, local_authority: str, as_of: datetime | None = None
) -> Iterator[JourneyEvent]:
    """The authority's events recorded by `as_of` (all of them when None), each once."""
    codec = default_codec()
    for record in DistinctEvents(settings):
        if record.value is None:
            continue
        event = codec.decode(record.value)
        if event.local_authority != local_authority:
            continue
        if as_of is not None and event.recorded_at > as_of:
            continue
        yield event


def counting(events: Iterable[JourneyEvent]) -> list[JourneyEvent]:
    """The events that count: every event not retracted, without the retractions."""
    events = list(events)
    retracted = {e.retracted_event_id for e in events if isinstance(e, EventRetracted)}
    return [e for e in events if not isinstance(e, EventRetracted) and e.event_id not in retracted]
