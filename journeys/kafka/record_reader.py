"""Reading the journey record back from `care.journey.events` (committed transactions only).

A message carries everything a `StoredEvent` needs: the value is the stored state (for
journeys, the Avro single-object bytes of the contract event), header `event_type` the
stored event's topic, headers `journey_id` and `journey_version` its originator id and
version; header `event_id` the contract event's id (messages written before it existed
are decoded for it).

Two faults of the embedded broker (Tansu) shape every reader here, and must not matter on
real Kafka either:
- `end_offsets()` cannot say where a partition ends (it gives the newest batch's base
  offset plus one, and 0 under read_committed while a transaction is open), so a reader
  is caught up only once it has read at least that far AND a poll has come back empty
  (`events.kafka.client.poll_until_caught_up`, for every reader of the record);
- it hands records of aborted transactions to read_committed readers, so the same event
  can sit on the topic twice (the aborted copy and the committed retry): readers keep each
  `event_id` once, the first copy, and count the copies they skip (`catch_up`,
  `DistinctEvents`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from eventsourcing.persistence import StoredEvent
from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.structs import TopicPartition

from events.catalogue import EVENT_TYPES
from events.codec import default_codec
from events.exceptions import InvalidEvent
from events.kafka import client
from events.kafka.committed import safe_positions
from events.settings import Settings
from journeys.kafka.exceptions import RecordBehindStateStore, RecordFormatError
from journeys.kafka.state_store import Anchor, PlacedEvent, StateStore, id_text

EVENT_TYPE = "event_type"
JOURNEY_ID = "journey_id"
JOURNEY_VERSION = "journey_version"
EVENT_ID = "event_id"

_logger = logging.getLogger(__name__)


def record_headers(stored_event: StoredEvent) -> list[tuple[str, bytes]]:
    headers = [
        (EVENT_TYPE, stored_event.topic.encode("utf-8")),
        (JOURNEY_ID, id_text(stored_event.originator_id).encode("utf-8")),
        (JOURNEY_VERSION, str(stored_event.originator_version).encode("ascii")),
    ]
    event_id = getattr(stored_event, "event_id", None)  # journeys.kafka.mapper supplies it
    if event_id is not None:
        headers.append((EVENT_ID, str(event_id).encode("ascii")))
    return headers


def event_id_of(record: ConsumerRecord) -> uuid.UUID | None:
    """The contract event id of a message on the events topic; None if it carries none.

    From its `event_id` header, else (messages written before the header) by decoding a
    journey event. A message that is neither (the library's recorder tests write others)
    has none.
    """
    for name, value in record.headers or ():
        if name == EVENT_ID:
            try:
                return uuid.UUID(value.decode("ascii"))
            except (UnicodeDecodeError, ValueError):
                return None
    event_type = next((v for n, v in record.headers or () if n == EVENT_TYPE), None)
    if record.value is None or event_type is None:
        return None
    if event_type.decode("utf-8", errors="replace") not in EVENT_TYPES:
        return None
    try:
        return default_codec().decode(record.value).event_id
    except InvalidEvent:
        return None  # loading the journey will say what is wrong with it


def _originator_id(text: str) -> uuid.UUID | str:
    try:
        return uuid.UUID(text)
    except ValueError:
        return text


def stored_event_from_message(
    headers: Sequence[tuple[str, bytes]], value: bytes | None, where: str
) -> StoredEvent:
    found = dict(headers)
    missing = [name for name in (EVENT_TYPE, JOURNEY_ID, JOURNEY_VERSION) if name not in found]
    if missing or value is None:
        what = f"headers {', '.join(missing)}" if missing else "a value"
        raise RecordFormatError(f"the message at {where} lacks {what}")
    version = found[JOURNEY_VERSION].decode("ascii")
    if not version.lstrip("-").isdigit():
        raise RecordFormatError(f"the message at {where} has journey_version {version!r}")
    return StoredEvent(
        originator_id=_originator_id(found[JOURNEY_ID].decode("utf-8")),
        originator_version=int(version),
        topic=found[EVENT_TYPE].decode("utf-8"),
        state=value,
    )


def topic_partitions(consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
    partitions = client.partitions_of(consumer, topic)
    if partitions is None:
        raise RecordFormatError(
            f"the topic {topic!r} does not exist: create the topics first "
            "(journeys.kafka.topics.ensure_topics, or `journeys broker`)"
        )
    return partitions


class CaughtUp(NamedTuple):
    """What a catch-up did: events added to the store, later copies of events skipped."""

    added: int
    skipped: int


def catch_up(settings: Settings, store: StateStore) -> CaughtUp:
    """Copy every committed event the store lacks into it; returns what it added and skipped.

    First checks that the topic is still the record the store was built from: the last
    message the store took in from each partition must still be at its offset (else
    RecordBehindStateStore). Then reads from the store's positions until caught up
    (`poll_until_caught_up`). A second copy of an event already read is skipped and
    counted (the store keeps the first).
    """
    consumer = client.record_reader(settings)
    try:
        partitions = topic_partitions(consumer, settings.events_topic)
        check = _RecordCheck(settings, store, partitions)
        consumer.assign(partitions)
        starts = store.next_offsets()
        for partition in partitions:
            anchor = check.anchors.get(partition.partition)
            # From the last message taken in, to see that it is still there.
            offset = anchor.offset if anchor is not None else starts.get(partition.partition, 0)
            consumer.seek(partition, offset)
        added = skipped = 0
        for batches in client.poll_until_caught_up(consumer, partitions):
            placed = [
                item
                for partition, records in batches.items()
                for item in check.new_events(partition, records)
            ]
            # Positions, not last offsets: transaction markers take offsets too.
            positions = safe_positions(consumer, partitions)  # never past a held record
            if placed or positions != starts:
                appended = store.append(placed, positions)
                starts = positions
                added += len(appended.ids)
                skipped += appended.skipped
        check.all_found()
        if skipped:
            _logger.warning(
                "%s: skipped %d later copies of events already in the state store (the "
                "same event_id; the first copy is kept)",
                settings.events_topic,
                skipped,
            )
        return CaughtUp(added, skipped)
    finally:
        consumer.close()


class _RecordCheck:
    """Checks, while catching up, that each partition still holds the store's last message."""

    def __init__(
        self, settings: Settings, store: StateStore, partitions: Sequence[TopicPartition]
    ) -> None:
        self._settings = settings
        self._store = store
        self.anchors: dict[int, Anchor] = store.anchors()
        self._unchecked = set(self.anchors)
        on_topic = {p.partition for p in partitions}
        for partition in sorted(set(self.anchors) - on_topic):
            self._refuse(partition, f"only {len(on_topic)} partitions")

    def new_events(
        self, partition: TopicPartition, records: Sequence[ConsumerRecord]
    ) -> Iterator[PlacedEvent]:
        """The records as placed events, less the store's last message once it is checked."""
        for record in records:
            item = _placed(partition, record)
            if partition.partition in self._unchecked:
                self._check(item)
                continue
            yield item

    def _check(self, item: PlacedEvent) -> None:
        anchor = self.anchors[item.partition]
        if item.offset != anchor.offset:
            self._refuse(item.partition, f"no message at that offset (next: {item.offset})")
        if item.identity() != anchor.identity:
            self._refuse(item.partition, "a different message at that offset")
        self._unchecked.discard(item.partition)

    def all_found(self) -> None:
        for partition in sorted(self._unchecked):
            self._refuse(partition, "no message at that offset")

    def _refuse(self, partition: int, found: str) -> None:
        store = str(self._store.path) if self._store.path is not None else "in memory"
        raise RecordBehindStateStore(
            store, self._settings.events_topic, partition, self.anchors[partition].offset, found
        )


def _placed(partition: TopicPartition, record: ConsumerRecord) -> PlacedEvent:
    where = f"{partition.topic}[{partition.partition}]@{record.offset}"
    return PlacedEvent(
        stored_event_from_message(record.headers, record.value, where),
        partition.partition,
        record.offset,
        event_id_of(record),
    )


def read_topic(settings: Settings, topic: str) -> Iterator[ConsumerRecord]:
    """Every committed message now on `topic`, partition by partition, without a group.

    Every copy: on the events topic, `DistinctEvents` keeps each event once.
    """
    consumer = client.record_reader(settings)
    try:
        partitions = topic_partitions(consumer, topic)
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        for batches in client.poll_until_caught_up(consumer, partitions):
            for records in batches.values():
                yield from records
    finally:
        consumer.close()


class DistinctEvents:
    """The messages now on the events topic, each event id once: its first copy.

    Iterate over it once; `skipped` then says how many later copies were left out (they
    are logged too, as a count: nothing personal).
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.skipped = 0

    def __iter__(self) -> Iterator[ConsumerRecord]:
        seen: set[uuid.UUID] = set()
        for record in read_topic(self._settings, self._settings.events_topic):
            event_id = event_id_of(record)
            if event_id is not None:
                if event_id in seen:
                    self.skipped += 1
                    continue
                seen.add(event_id)
            yield record
        if self.skipped:
            _logger.warning(
                "%s: skipped %d later copies of events already read (the same event_id; "
                "the first copy is kept)",
                self._settings.events_topic,
                self.skipped,
            )
