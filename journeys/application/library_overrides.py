"""What the record does differently from `eventsourcing` 9.5, and why: measured, nothing else.

Everything else goes through the library's public methods: `Aggregate.trigger_event`,
`Repository.get` with the library's projector, `Application.save` for any other save. (The
library's projector tests each replayed event against `CanMutateProtocol`, 12 µs an event;
the processor replays a journey only when it is not in its cache, and its benchmark shows
no difference within the machine's noise, so it stays.)

**Saving a batch of journeys** (`save_in_order`). `Application.save(*objs)` hands every
object to `ProcessingEvent.collect_events`, which tests each one against the
runtime-checkable Protocols `DomainEventProtocol` and `CollectEventsProtocol`. On Python
3.11 such a test costs 11 µs for an event and 14 µs for an aggregate (timeit, best of 7:
it walks the Protocol's members every time). Recording 3,000 submissions in batches of
500 in memory, best of 15: 75 µs a submission through the library's `save()`, 45 µs
through `save_in_order` (52 µs before, with the library's `trigger_event` and projector
also bypassed, which are therefore public again): the Protocol tests cost about a third
of the application's own work. These are journeys and their own pending events, so the
tests can tell nothing new. `save_in_order` makes the steps of the library's `save()`
(record, take snapshots, notify, the deprecated notify hook), in its order, without
them; it records the events in the order the batch accepted them, where
`save(*journeys)` would group them journey by journey.

On an upgrade of the library, re-check `Application.save` of the new version: if its
steps changed, change `save_in_order` to match (or drop it, if collecting got cheap);
`tests/unit/test_library_overrides.py` pins the version this was written against.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from eventsourcing.application import ProcessingEvent, ProgrammingError
from eventsourcing.persistence import Recording

if TYPE_CHECKING:
    from journeys.application.service import JourneyApplication
    from journeys.domain.journey import Journey

# The release series of eventsourcing this module copies steps of.
WRITTEN_AGAINST = "9.5"


def save_in_order(
    app: JourneyApplication, journeys: Sequence[Journey], accepted: Sequence[Journey.Event]
) -> list[Recording[uuid.UUID]]:
    """`app.save(*journeys)` for journeys whose pending events are exactly `accepted`.

    The events are recorded in the order of `accepted`; a mismatch between the journeys'
    pending events and `accepted` is a programming error, and nothing is saved.
    """
    processing_event: ProcessingEvent[uuid.UUID] = ProcessingEvent()
    collected = 0
    for journey in journeys:
        collected += len(journey.collect_events())
        processing_event.aggregates[journey.id] = journey
    if collected != len(accepted):
        raise ProgrammingError(
            f"{collected} pending events to save, but {len(accepted)} were accepted"
        )
    processing_event.events.extend(accepted)
    # The steps of Application.save in eventsourcing 9.5, in its order.
    recordings = app._record(processing_event)
    app._take_snapshots(processing_event)
    app._notify(recordings)
    app.notify(processing_event.events)  # deprecated in 9.5, still called by its save()
    return recordings
