"""JourneyApplication: the use cases of the record, on the `eventsourcing` library.

`record(event)` loads the child's journey (or registers the child), applies the event by
its type, saves what it decided and says what happened. Nothing is saved when a rule
refuses the event. Persistence is the library's choice of recorder (in memory unless the
environment says otherwise; journeys.kafka provides the Kafka one).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import JSONTranscoder, Transcoding

from events import catalogue as contract
from events.catalogue import JourneyEvent
from journeys.errors import JourneyNotFound, RuleViolation
from journeys.journey import Journey, journey_id


@dataclass(frozen=True, slots=True)
class Outcome:
    """What recording one submitted event did.

    `accepted` is False only for a duplicate (an event id already recorded), which is
    acknowledged without change; `events` are the aggregate events saved (empty for a
    duplicate).
    """

    journey_id: uuid.UUID
    accepted: bool
    events: tuple[Journey.Event, ...]

    @property
    def duplicate(self) -> bool:
        return not self.accepted


class JourneyApplication(Application[uuid.UUID]):
    """Records children's journeys: register, load, and apply submitted events."""

    def record(self, event: JourneyEvent) -> Outcome:
        """Apply a submitted event to its child's journey; raises RuleViolation if refused."""
        the_id = journey_id(event.local_authority, event.child_id)
        try:
            journey = self._get(the_id)
        except AggregateNotFoundError:
            if not isinstance(event, contract.ChildRegistered):
                raise RuleViolation(
                    "CHILD_NOT_REGISTERED",
                    event.event_type,
                    "child_id",
                    f"child {event.child_id!r} of local authority {event.local_authority!r} "
                    "is not registered: a ChildRegistered event must be recorded first",
                ) from None
            journey = Journey.register_child(event)
        else:
            if not journey.record(event):
                return Outcome(the_id, accepted=False, events=())
        new_events = tuple(journey.pending_events)
        self.save(journey)
        return Outcome(the_id, accepted=True, events=new_events)  # type: ignore[arg-type]

    def record_many(self, events: Iterable[JourneyEvent]) -> list[Outcome | RuleViolation]:
        """Record events one by one in the order given; a refusal does not stop the rest."""
        results: list[Outcome | RuleViolation] = []
        for event in events:
            try:
                results.append(self.record(event))
            except RuleViolation as refusal:
                results.append(refusal)
        return results

    def journey(self, local_authority: str, child_id: str) -> Journey:
        """The journey of a child; raises JourneyNotFound if the child is not registered."""
        try:
            return self._get(journey_id(local_authority, child_id))
        except AggregateNotFoundError:
            raise JourneyNotFound(local_authority, child_id) from None

    def _get(self, the_id: uuid.UUID) -> Journey:
        journey = self.repository.get(the_id)
        assert isinstance(journey, Journey)
        return journey

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        # The aggregate events carry contract events; for the library's own recorders
        # (in memory, SQLite) they are stored as JSON. Kafka uses its own Avro mapper.
        super().register_transcodings(transcoder)
        transcoder.register(_DateAsISO())
        for event_class in contract.EVENT_CLASSES:
            transcoder.register(_ContractEventAsDict(event_class))


class _DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class _ContractEventAsDict(Transcoding):
    """A contract event as a dict of its fields; tuples come back as tuples."""

    def __init__(self, event_class: type[JourneyEvent]) -> None:
        self.type = event_class
        self.name = f"care-journeys:{event_class.event_type}"
        self._tuple_fields = frozenset(
            f.name for f in dataclasses.fields(event_class) if "tuple" in str(f.type)
        )

    def encode(self, obj: JourneyEvent) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}

    def decode(self, data: dict[str, Any]) -> JourneyEvent:
        values = {
            name: tuple(value) if name in self._tuple_fields else value
            for name, value in data.items()
        }
        return self.type(**values)


__all__ = ["JourneyApplication", "Outcome"]
