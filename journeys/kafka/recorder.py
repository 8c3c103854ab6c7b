"""The eventsourcing recorder whose record is the Kafka events topic.

Appending writes stored events to `care.journey.events` in a Kafka transaction; reading
uses the local state store (journeys.kafka.state_store), which holds only events of
committed transactions and is caught up from the topic on start. Optimistic concurrency
(the library's IntegrityError for a version already recorded) is judged against the store
plus the events of the open transaction; that judgement is sound because this recorder is
the only writer: `open_for_writing()` fences any older writer with the same transactional
id, then catches up with everything that writer committed.

Two ways to append:
- `insert_events()` on its own: one Kafka transaction per call (what the library expects).
- inside `with recorder.transaction() as batch:` (the submission processor): every
  `insert_events()` joins the open transaction, with the consumer offsets and rejections
  the processor adds; the store is written only after Kafka commits it.

The recorder is also the record-wide index of event ids the application asks
(`first_use_of`, journeys.application.service.EventIdIndex): the state store's index, plus the
events of the transactions not in the store yet.

`transaction(on_committed=...)` does not wait for Kafka's answer: with a writer in its own
process (journeys.kafka.writer_process) the next transaction is decided while this one is
written. The writer's `commit_later` returns a future of where the events landed, and the
recorder keeps it. At most one is in flight: it is settled (its future awaited, the store written,
`on_committed` called) before the next one is handed over, and by `settle()`. Until then
its events count for reads and for the concurrency check like those of the open one.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from typing import Any, NamedTuple

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    IntegrityError,
    ListenNotifySubscription,
    Notification,
    StoredEvent,
    Subscription,
)
from kafka.structs import OffsetAndMetadata, TopicPartition

from events.settings import Settings
from journeys.kafka.log import Headers, RecordWriter
from journeys.kafka.record_reader import CaughtUp, catch_up, record_headers
from journeys.kafka.state_store import PlacedEvent, StateStore, id_text


def message_key(stored_event: StoredEvent) -> bytes:
    """The Kafka key: the child's id when the mapper supplied it, else the originator id.

    Keying by child keeps every event of a journey on one partition, in order.
    """
    key = getattr(stored_event, "key", None)
    if isinstance(key, bytes):
        return key
    return id_text(stored_event.originator_id).encode("utf-8")


class RecordTransaction:
    """The open Kafka transaction: stored events appended so far, and what else goes with it."""

    def __init__(self, writer: RecordWriter) -> None:
        self._writer = writer
        self.stored_events: list[StoredEvent] = []
        self.tickets: list[Any] = []  # the writer's handle on each stored event's message
        self._pending: dict[str, dict[int, StoredEvent]] = {}
        self.event_ids: dict[uuid.UUID, StoredEvent] = {}

    def append(self, stored_events: Sequence[StoredEvent], topic: str) -> None:
        for stored_event in stored_events:
            self.tickets.append(
                self._writer.send(
                    topic,
                    key=message_key(stored_event),
                    value=stored_event.state,
                    headers=record_headers(stored_event),
                )
            )
            self.stored_events.append(stored_event)
            versions = self._pending.setdefault(id_text(stored_event.originator_id), {})
            versions[stored_event.originator_version] = stored_event
            event_id = _event_id(stored_event)
            if event_id is not None:
                self.event_ids.setdefault(event_id, stored_event)

    def pending_versions(self, originator_id: uuid.UUID | str) -> Mapping[int, StoredEvent]:
        return self._pending.get(id_text(originator_id), {})

    def send(self, topic: str, *, key: bytes | None, value: bytes, headers: Headers) -> None:
        """Send another message (e.g. a rejection) in this transaction."""
        self._writer.send(topic, key=key, value=value, headers=headers)

    def send_offsets(
        self, offsets: Mapping[TopicPartition, OffsetAndMetadata], group_metadata: Any
    ) -> None:
        """Commit these consumer offsets if, and only if, this transaction commits."""
        self._writer.send_offsets(offsets, group_metadata)


class _InFlight(NamedTuple):
    """A transaction handed to the writer whose outcome has not been read yet."""

    transaction: RecordTransaction
    outcome: Future[Sequence[Any]]  # the writer's: where its stored events landed
    on_committed: Callable[[], None]


class KafkaApplicationRecorder(ApplicationRecorder):
    """Stored events on Kafka, read through the local state store."""

    def __init__(self, settings: Settings, store: StateStore, writer: RecordWriter) -> None:
        self.settings = settings
        self.store = store
        self.writer = writer
        self._lock = threading.RLock()
        self._transaction: RecordTransaction | None = None
        self._in_flight: _InFlight | None = None
        self._writing = False
        self._listeners: set[threading.Event] = set()

    # Starting ---------------------------------------------------------------------

    def catch_up(self) -> CaughtUp:
        """Bring the state store up to the end of the events topic (what it added, skipped)."""
        with self._lock:
            self.settle()
            return catch_up(self.settings, self.store)

    def open_for_writing(self) -> None:
        """Become the single writer (fencing any older one), then catch up with its work."""
        with self._lock:
            if self._writing:
                return
            self.writer.start()
            # The fenced writer's last transaction is now committed or aborted for good.
            catch_up(self.settings, self.store)
            # A writer sharing the store file may have added events this one never saw.
            self.store.reload_versions()
            self._writing = True

    def close(self) -> None:
        """Settle the transaction in flight (its failure is raised), then let go of both."""
        try:
            self.settle()
        finally:
            self.writer.close()
            self.store.close()

    # Writing ----------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(
        self, *, on_committed: Callable[[], None] | None = None
    ) -> Iterator[RecordTransaction]:
        """A Kafka transaction; on leaving the block it commits, then the store is written.

        If the block raises, the transaction is aborted and the store is untouched. With
        `on_committed`, leaving the block hands the transaction over without waiting for
        Kafka's answer; it is settled later (see the module's docstring).
        """
        with self._lock:
            if self._transaction is not None:
                raise RuntimeError("a record transaction is already open")
            self.open_for_writing()
            try:
                self.writer.begin()
            except BaseException:
                # The writer learns of a failure of the one in flight as soon as it is
                # known: that failure, settled, is the news (it names that transaction).
                self.settle()
                raise
            transaction = RecordTransaction(self.writer)
            self._transaction = transaction
            try:
                yield transaction
                # This transaction was decided on top of the one in flight: if that one
                # failed, this one must not be committed either.
                self.settle()
            except BaseException:
                self._transaction = None
                self.writer.abort()
                raise
            self._transaction = None
            outcome = self.writer.commit_later(transaction.tickets)
            if on_committed is not None:
                self._in_flight = _InFlight(transaction, outcome, on_committed)
                return
            self._write_to_store(transaction, outcome.result())
        self._notify_listeners()

    def settle(self) -> None:
        """Wait for the transaction in flight, if any, write it to the store, report it."""
        with self._lock:
            in_flight, self._in_flight = self._in_flight, None
            if in_flight is None:
                return
            self._write_to_store(in_flight.transaction, in_flight.outcome.result())
        self._notify_listeners()
        in_flight.on_committed()

    def _write_to_store(
        self, transaction: RecordTransaction, placements: Sequence[Any]
    ) -> list[int]:
        """Write a committed transaction's events to the store, where Kafka placed them."""
        placed = [
            PlacedEvent(stored_event, where.partition, where.offset, _event_id(stored_event))
            for stored_event, where in zip(transaction.stored_events, placements, strict=True)
        ]
        return self.store.append(placed, _next_offsets(placed)).ids

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return None
        with self._lock:
            if self._transaction is not None:
                self._assert_new(stored_events)
                self._transaction.append(stored_events, self.settings.events_topic)
                return None  # numbered when the open transaction commits
            self.open_for_writing()
            self.settle()
            self._assert_new(stored_events)
            self.writer.begin()
            transaction = RecordTransaction(self.writer)
            try:
                transaction.append(stored_events, self.settings.events_topic)
            except BaseException:
                self.writer.abort()
                raise
            ids = self._write_to_store(transaction, self.writer.commit(transaction.tickets))
        self._notify_listeners()
        return ids

    def _pending_versions(self, originator_id: uuid.UUID | str) -> Mapping[int, StoredEvent]:
        """A journey's versions not in the store yet: in flight, then in the open transaction."""
        in_flight = self._in_flight.transaction if self._in_flight is not None else None
        open_now = self._transaction
        if in_flight is None:
            return open_now.pending_versions(originator_id) if open_now is not None else {}
        if open_now is None:
            return in_flight.pending_versions(originator_id)
        return {
            **in_flight.pending_versions(originator_id),
            **open_now.pending_versions(originator_id),
        }

    def first_use_of(self, event_id: uuid.UUID) -> tuple[uuid.UUID | str, str] | None:
        """The journey id and event type that first used `event_id`; None if it is new.

        Asks the transactions not in the store yet (in flight, then open), then the store.
        """
        with self._lock:
            in_flight = self._in_flight
            if in_flight is not None:
                stored_event = in_flight.transaction.event_ids.get(event_id)
                if stored_event is not None:
                    return stored_event.originator_id, stored_event.topic
            if self._transaction is not None:
                stored_event = self._transaction.event_ids.get(event_id)
                if stored_event is not None:
                    return stored_event.originator_id, stored_event.topic
            return self.store.first_use_of(event_id)

    def _assert_new(self, stored_events: Sequence[StoredEvent]) -> None:
        keys = [(id_text(s.originator_id), s.originator_version) for s in stored_events]
        if len(set(keys)) < len(keys):
            raise IntegrityError(f"the same journey version appears twice in: {keys}")
        recorded = self.store.existing_versions(stored_events)
        recorded += [
            s
            for s in stored_events
            if s.originator_version in self._pending_versions(s.originator_id)
        ]
        if recorded:
            first = recorded[0]
            raise IntegrityError(
                f"version {first.originator_version} of {first.originator_id} is already "
                "recorded: this copy of the journey is out of date"
            )

    # Reading ----------------------------------------------------------------------

    def select_events(
        self,
        originator_id: uuid.UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        with self._lock:
            pending = self._pending_versions(originator_id)
            if not pending:
                return self.store.select_events(
                    originator_id, gt=gt, lte=lte, desc=desc, limit=limit
                )
            # The open transaction's own events count for its later reads.
            events = self.store.select_events(originator_id, gt=gt, lte=lte)
            events += [
                StoredEvent(originator_id, s.originator_version, s.topic, s.state)
                for version, s in pending.items()
                if (gt is None or version > gt) and (lte is None or version <= lte)
            ]
        events.sort(key=lambda s: s.originator_version, reverse=desc)
        return events if limit is None else events[:limit]

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        return self.store.select_notifications(
            start, limit, stop, topics, inclusive_of_start=inclusive_of_start
        )

    def max_notification_id(self) -> int | None:
        return self.store.max_notification_id()

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        return _StoreSubscription(self, gt=gt, topics=topics)

    def listen(self, event: threading.Event) -> None:
        self._listeners.add(event)

    def unlisten(self, event: threading.Event) -> None:
        self._listeners.discard(event)

    def _notify_listeners(self) -> None:
        for listener in list(self._listeners):
            listener.set()


class KafkaAggregateRecorder(KafkaApplicationRecorder, AggregateRecorder):
    """The same record, answering as a plain aggregate recorder (no notification ids)."""

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        super().insert_events(stored_events, **kwargs)
        return None


class _StoreSubscription(ListenNotifySubscription[KafkaApplicationRecorder]):
    """New notifications as this recorder commits them (not other processes' appends)."""

    def __init__(
        self, recorder: KafkaApplicationRecorder, gt: int | None, topics: Sequence[str]
    ) -> None:
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        self._recorder.listen(self._has_been_notified)

    def stop(self) -> None:
        super().stop()
        self._recorder.unlisten(self._has_been_notified)


def _event_id(stored_event: StoredEvent) -> uuid.UUID | None:
    """The contract event id a journey stored event carries (journeys.kafka.mapper)."""
    return getattr(stored_event, "event_id", None)


def _next_offsets(placed: Sequence[PlacedEvent]) -> dict[int, int]:
    offsets: dict[int, int] = {}
    for item in placed:
        offsets[item.partition] = max(offsets.get(item.partition, 0), item.offset + 1)
    return offsets
