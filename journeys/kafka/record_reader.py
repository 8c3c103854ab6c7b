"""Reading the journey record back from `care.journey.events` (committed transactions only).

A message carries everything a `StoredEvent` needs: the value is the stored state (for
journeys, the Avro single-object bytes of the contract event), header `event_type` the
stored event's topic, headers `journey_id` and `journey_version` its originator id and
version.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence

from eventsourcing.persistence import StoredEvent
from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.structs import TopicPartition

from journeys.config import Settings
from journeys.kafka.committed import committed_consumer, safe_positions
from journeys.kafka.state_store import PlacedEvent, StateStore, id_text

EVENT_TYPE = "event_type"
JOURNEY_ID = "journey_id"
JOURNEY_VERSION = "journey_version"

_POLL_TIMEOUT_MS = 500
_MAX_RECORDS = 20_000


class RecordFormatError(ValueError):
    """A message on the events topic lacks what the journey record needs (names the offset)."""


def record_headers(stored_event: StoredEvent) -> list[tuple[str, bytes]]:
    return [
        (EVENT_TYPE, stored_event.topic.encode("utf-8")),
        (JOURNEY_ID, id_text(stored_event.originator_id).encode("utf-8")),
        (JOURNEY_VERSION, str(stored_event.originator_version).encode("ascii")),
    ]


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
    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        raise RecordFormatError(
            f"the topic {topic!r} does not exist: create the topics first "
            "(journeys.kafka.topics.ensure_topics, or `journeys broker`)"
        )
    return [TopicPartition(topic, partition) for partition in sorted(partitions)]


def catch_up(settings: Settings, store: StateStore) -> int:
    """Copy every committed event the store lacks into it; returns how many were added.

    Reads from the store's saved positions to the end of each partition as it stands now
    (the last stable offset, since only committed transactions are read).
    """
    consumer = committed_consumer(settings, group_id=None)
    try:
        partitions = topic_partitions(consumer, settings.events_topic)
        consumer.assign(partitions)
        starts = store.next_offsets()
        for partition in partitions:
            consumer.seek(partition, starts.get(partition.partition, 0))
        ends = consumer.end_offsets(partitions)
        added = 0
        while any(consumer.position(p) < ends[p] for p in partitions):
            batches = consumer.poll(timeout_ms=_POLL_TIMEOUT_MS, max_records=_MAX_RECORDS)
            placed = [
                PlacedEvent(
                    stored_event_from_message(
                        record.headers,
                        record.value,
                        f"{partition.topic}[{partition.partition}]@{record.offset}",
                    ),
                    partition.partition,
                    record.offset,
                )
                for partition, records in batches.items()
                for record in records
            ]
            # Positions, not last offsets: transaction markers take offsets too.
            positions = safe_positions(consumer, partitions)  # never past a held record
            if placed or positions != starts:
                store.append(placed, positions)
                starts = positions
                added += len(placed)
        return added
    finally:
        consumer.close()


def read_topic(settings: Settings, topic: str) -> Iterator[ConsumerRecord]:
    """Every committed message now on `topic`, partition by partition, without a group."""
    consumer = committed_consumer(settings, group_id=None)
    try:
        partitions = topic_partitions(consumer, topic)
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        while any(consumer.position(p) < ends[p] for p in partitions):
            for records in consumer.poll(
                timeout_ms=_POLL_TIMEOUT_MS, max_records=_MAX_RECORDS
            ).values():
                yield from records
    finally:
        consumer.close()
