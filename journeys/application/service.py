"""JourneyApplication: the use cases of the record, on the `eventsourcing` library.

`record(event)` loads the child's journey (or registers the child), applies the event by
its type, saves what it decided and says what happened. Nothing is saved when a rule
refuses the event. Persistence is the library's choice of recorder (in memory unless the
environment says otherwise; journeys.kafka provides the Kafka one).

`batch()` decides many events before saving them all at once (the submission processor
does this per Kafka transaction): each event is judged against its journey as the batch
has left it, so several events for one child in a batch are judged in order, and a
refusal changes nothing, so it never affects the rest of the batch. The saved events keep
the order they were accepted in.

An `event_id` is unique across the whole record, not per child: an event whose id the
record (or the batch) already holds for another journey is refused (EVENT_ID_REUSED);
within one journey the journey itself tells an exact resend from a reused id. The
record-wide index of event ids is the recorder's when it keeps one (the Kafka recorder's
state store: `EventIdIndex`), else one kept in this process, read from the notification
log on first use (the library's in-memory and SQLite recorders).
"""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, runtime_checkable

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
)
from eventsourcing.persistence import JSONTranscoder, Recording, Transcoding

from events import catalogue as contract
from events.catalogue import JourneyEvent
from events.refusals import Refusal
from journeys.application.library_overrides import save_in_order
from journeys.domain.exceptions import JourneyNotFound, RuleViolation
from journeys.domain.journey import Journey, event_id_reused, journey_id, payload_of

# Which journey first used an event id, and the type of that event.
EventIdUse = tuple[uuid.UUID | str, str]


@runtime_checkable
class EventIdIndex(Protocol):
    """A recorder that knows every event id of its record (journeys.kafka.recorder does)."""

    def first_use_of(self, event_id: uuid.UUID) -> EventIdUse | None:
        """The journey id and event type that first used `event_id`; None if it is new."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What recording one submitted event did.

    `accepted` is False only for a duplicate (an exact resend of an event already
    recorded), which is acknowledged without change; `events` are the aggregate events
    saved (empty for a duplicate).
    """

    journey_id: uuid.UUID
    accepted: bool
    events: tuple[Journey.Event, ...]

    @property
    def duplicate(self) -> bool:
        return not self.accepted


class JourneyApplication(Application[uuid.UUID]):
    """Records children's journeys: register, load, and apply submitted events."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recorder = self.recorder
        self._event_ids: EventIdIndex = (
            recorder if isinstance(recorder, EventIdIndex) else _EventIdsInProcess(self)
        )

    def record(self, event: JourneyEvent) -> Outcome:
        """Apply a submitted event to its child's journey; raises RuleViolation if refused."""
        batch = self.batch()
        outcome = batch.record(event)
        batch.save()
        return outcome

    def batch(self) -> RecordBatch:
        """Decide events now, save them later with `RecordBatch.save` (one save in all)."""
        return RecordBatch(self)

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

    def save_journeys(
        self, journeys: Sequence[Journey], accepted: Sequence[Journey.Event]
    ) -> list[Recording[uuid.UUID]]:
        """Save the pending events of `journeys`, recorded in the order of `accepted`.

        The library's `save()` without its per-object Protocol tests: see
        journeys.application.library_overrides for why, and what to re-check on an upgrade.
        """
        recordings = save_in_order(self, journeys, accepted)
        self._learn_event_ids(recordings)
        return recordings

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[uuid.UUID]]:
        recordings = super().save(*objs, **kwargs)
        self._learn_event_ids(recordings)
        return recordings

    def _learn_event_ids(self, recordings: Iterable[Recording[uuid.UUID]]) -> None:
        if isinstance(self._event_ids, _EventIdsInProcess):
            self._event_ids.recorded(recording.domain_event for recording in recordings)

    def forget(self, journey_ids: Iterable[uuid.UUID]) -> None:
        """Drop journeys from the aggregate cache, e.g. ones changed by an aborted save."""
        cache = self.repository.cache
        if cache is None:
            return
        for the_id in journey_ids:
            with contextlib.suppress(KeyError):
                cache.get(the_id, evict=True)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        # The aggregate events carry contract events; for the library's own recorders
        # (in memory, SQLite) they are stored as JSON. Kafka uses its own Avro mapper.
        super().register_transcodings(transcoder)
        transcoder.register(_DateAsISO())
        for event_class in contract.EVENT_CLASSES:
            transcoder.register(_ContractEventAsDict(event_class))


class RecordBatch:
    """Submitted events decided one by one against their journeys, saved together.

    Journeys touched by the batch are held here until `save()`, so a child registered
    earlier in the batch is found by later events, and each event is judged against the
    journey with every earlier accepted event of the batch. A refused event changes
    nothing (journey commands decide before they trigger).

    The application's aggregate cache may hand out the cached journey itself (the Kafka
    processor turns deep copies off), in which case deciding changes the cached object
    before anything is recorded: whoever saves must call `forget()` if the save, or the
    transaction it joins, fails.
    """

    def __init__(self, app: JourneyApplication) -> None:
        self._app = app
        self._journeys: dict[uuid.UUID, Journey] = {}
        self._accepted: list[Journey.Event] = []
        # The event ids this batch accepted and has not saved yet: the record's index
        # learns them only when they are saved.
        self._new_ids: dict[uuid.UUID, EventIdUse] = {}
        # Asked for every event: the index's own method, without a call in between.
        self._first_use_of = app._event_ids.first_use_of
        self.touched: set[uuid.UUID] = set()  # every journey loaded or created, for forget()

    def record(self, event: JourneyEvent) -> Outcome:
        """Decide a submitted event; raises RuleViolation if refused. Saved by `save()`."""
        the_id = journey_id(event.local_authority, event.child_id)
        event_id = event.event_id
        use = self._new_ids.get(event_id) or self._first_use_of(event_id)
        if use is not None and str(use[0]) != str(the_id):
            # Used by another journey; a use by this one is the journey's to judge (an
            # exact resend, or a reuse).
            raise event_id_reused(event, use[1])
        journey = self._journeys.get(the_id)
        if journey is None:
            journey = self._load_or_register(the_id, event)
            if journey is None:  # registered by this event: judged and triggered
                self._new_ids[event_id] = (the_id, event.event_type)
                return self._accept(the_id, self._journeys[the_id])
        already_pending = len(journey.pending_events)
        if not journey.record(event):
            return Outcome(the_id, accepted=False, events=())
        self._new_ids[event_id] = (the_id, event.event_type)
        return self._accept(the_id, journey, already_pending)

    def _load_or_register(self, the_id: uuid.UUID, event: JourneyEvent) -> Journey | None:
        """The journey the batch has not seen yet; None if `event` has just registered it."""
        self.touched.add(the_id)
        try:
            journey = self._app._get(the_id)
        except AggregateNotFoundError:
            if not isinstance(event, contract.ChildRegistered):
                raise RuleViolation(
                    Refusal.CHILD_NOT_REGISTERED,
                    event.event_type,
                    "child_id",
                    f"child {event.child_id!r} of local authority {event.local_authority!r} "
                    "is not registered: a ChildRegistered event must be recorded first",
                ) from None
            self._journeys[the_id] = Journey.register_child(event)
            return None
        self._journeys[the_id] = journey
        return journey

    def _accept(self, the_id: uuid.UUID, journey: Journey, already_pending: int = 0) -> Outcome:
        new_events = tuple(journey.pending_events[already_pending:])
        self._accepted.extend(new_events)
        return Outcome(the_id, accepted=True, events=new_events)  # type: ignore[arg-type]

    def save(self) -> list[Recording[uuid.UUID]]:
        """Save every event accepted so far, in the order accepted, in one save."""
        if not self._accepted:
            return []
        journeys = [j for j in self._journeys.values() if j.pending_events]
        accepted, self._accepted = self._accepted, []
        self._new_ids = {}  # the record holds them now, or the save fails and forgets
        try:
            return self._app.save_journeys(journeys, accepted)
        except BaseException:
            self.forget()
            raise

    def forget(self) -> None:
        """Drop every journey this batch touched from the cache: they may hold unsaved state."""
        self._journeys.clear()
        self._accepted.clear()
        self._new_ids.clear()
        self._app.forget(self.touched)


class _EventIdsInProcess:
    """The record's event ids, kept in this process (for recorders that keep no index).

    Read from the recorder's notification log on first use, then told of every save. Sound
    while this application is the record's only writer, which the library's in-memory and
    SQLite recorders assume anyway.
    """

    _PAGE = 1_000

    def __init__(self, app: JourneyApplication) -> None:
        self._app = app
        self._uses: dict[uuid.UUID, EventIdUse] | None = None

    def first_use_of(self, event_id: uuid.UUID) -> EventIdUse | None:
        if self._uses is None:
            self._uses = self._read_log()
        return self._uses.get(event_id)

    def recorded(self, domain_events: Iterable[Any]) -> None:
        if self._uses is None:
            return  # read from the log, with these, on first use
        for domain_event in domain_events:
            payload = payload_of(domain_event)
            use = (domain_event.originator_id, payload.event_type)
            self._uses.setdefault(payload.event_id, use)

    def _read_log(self) -> dict[uuid.UUID, EventIdUse]:
        uses: dict[uuid.UUID, EventIdUse] = {}
        recorder = self._app.recorder
        mapper = self._app.mapper
        start: int | None = None
        while True:
            page = recorder.select_notifications(start, self._PAGE, inclusive_of_start=False)
            for notification in page:
                payload = payload_of(mapper.to_domain_event(notification))
                uses.setdefault(payload.event_id, (notification.originator_id, payload.event_type))
            if len(page) < self._PAGE:
                return uses
            start = page[-1].id


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


__all__ = ["JourneyApplication", "Outcome", "RecordBatch"]
