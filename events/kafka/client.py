"""Every Kafka client of the project is made here, with its options, and read to its end here.

One place owns what the clients are tuned for (so the processor, the record readers, the
archive and the projection runner cannot drift apart), and one place decides when a
reader has caught up with the record.

Caught up, on any broker: the embedded broker (Tansu) reports a wrong `end_offsets()`
(the newest batch's base offset plus one, and 0 under read_committed while a transaction
is open), so an end offset is a floor, never the end. A reader is caught up once every
partition's position has reached the floor read when it started AND a poll has come back
empty. On a real cluster the floor is the true end, and the confirming empty poll costs
one poll timeout per catch-up.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.structs import TopicPartition

from events.exceptions import RecordStalled
from events.kafka.committed import CommittedConsumer
from events.settings import Settings

# What one fetch asks for per partition. Brokers since Kafka 0.10.1 (and Tansu, checked by
# tests/integration/test_large_submissions.py) still return a first message larger than
# this, so a submission over the record's limit is fetched, then refused for its size.
MAX_PARTITION_FETCH_BYTES = 8 * 1024 * 1024
_FETCH_MAX_BYTES = 64 * 1024 * 1024

# The processor's group: a joining member waits for the group to settle, which takes about
# half the session timeout on Tansu (measured: 45 s -> 23 s, 6 s -> 3 s). A short session
# keeps restarts quick; heartbeats come from kafka-python's background thread, so a long
# batch is safe.
_SESSION_TIMEOUT_MS = 4_000
_HEARTBEAT_INTERVAL_MS = 1_000
_MAX_POLL_INTERVAL_MS = 60_000

# Producers: idempotent, every replica acknowledges; large batches (a processor batch is
# thousands of events) and no compression (Avro events are small and already dense).
_PRODUCER_OPTIONS: dict[str, Any] = {
    "enable_idempotence": True,
    "acks": "all",
    "linger_ms": 5,
    "batch_size": 512 * 1024,
    "max_request_size": 8 * 1024 * 1024,
    "compression_type": None,
    "max_block_ms": 60_000,
}

_POLL_TIMEOUT_MS = 500
_MAX_RECORDS = 20_000
_STALLED_AFTER_EMPTY_POLLS = 60  # 30 s of nothing while short of the reported end


def record_reading_options(settings: Settings, **overrides: Any) -> dict[str, Any]:
    """Options of a reader of the record: committed transactions only, from the earliest
    offset, never a consumer group; `overrides` add to or replace them."""
    return {
        **settings.client_options(),
        "group_id": None,
        "isolation_level": "read_committed",
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "max_partition_fetch_bytes": MAX_PARTITION_FETCH_BYTES,
        "fetch_max_bytes": _FETCH_MAX_BYTES,
        **overrides,
    }


def record_reader(settings: Settings, **overrides: Any) -> CommittedConsumer:
    """A reader of the record that sees committed transactions only, on any broker."""
    return CommittedConsumer(**record_reading_options(settings, **overrides))


def raw_reader(settings: Settings, **overrides: Any) -> KafkaConsumer:
    """A reader of every record on the log, committed or not (a check of what is there at
    all: that a topic is empty, that a message is still at its offset)."""
    return KafkaConsumer(
        **record_reading_options(settings, **{"isolation_level": "read_uncommitted", **overrides})
    )


def group_member(settings: Settings, group_id: str, **overrides: Any) -> KafkaConsumer:
    """A member of a consumer group that commits its offsets in the writer's transactions
    (the processor): committed submissions only, never auto-commit."""
    return KafkaConsumer(
        **record_reading_options(
            settings,
            group_id=group_id,
            max_poll_interval_ms=_MAX_POLL_INTERVAL_MS,
            session_timeout_ms=_SESSION_TIMEOUT_MS,
            heartbeat_interval_ms=_HEARTBEAT_INTERVAL_MS,
            **overrides,
        )
    )


def producer(settings: Settings, **overrides: Any) -> KafkaProducer:
    """A producer (transactional if `overrides` give a transactional_id)."""
    return KafkaProducer(**settings.client_options(), **{**_PRODUCER_OPTIONS, **overrides})


def admin(settings: Settings) -> KafkaAdminClient:
    return KafkaAdminClient(**settings.client_options())


def partitions_of(consumer: KafkaConsumer, topic: str) -> list[TopicPartition] | None:
    """The topic's partitions in order, or None if the cluster does not know the topic."""
    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        return None
    return [TopicPartition(topic, partition) for partition in sorted(partitions)]


def reached(
    consumer: KafkaConsumer,
    partitions: Sequence[TopicPartition],
    floor: Mapping[TopicPartition, int],
) -> bool:
    """The caught-up test's first half: every partition read at least to its floor."""
    return all(consumer.position(tp) >= floor[tp] for tp in partitions)


def poll_until_caught_up(
    consumer: KafkaConsumer,
    partitions: Sequence[TopicPartition],
    *,
    timeout_ms: int | None = None,
    max_records: int | None = None,
    confirming_polls: int = 1,
) -> Iterator[dict[TopicPartition, list[ConsumerRecord]]]:
    """Poll `consumer` (assigned `partitions`, each positioned) until it is caught up.

    Yields each non-empty poll. Caught up (see the module docstring): every partition has
    reached its floor, then `confirming_polls` polls in a row came back empty. An empty
    poll below the floor is waited past (the broker may be slow to answer); a partition
    still below it after `_STALLED_AFTER_EMPTY_POLLS` empty polls raises RecordStalled,
    never a silent stop.
    """
    timeout_ms = _POLL_TIMEOUT_MS if timeout_ms is None else timeout_ms
    max_records = _MAX_RECORDS if max_records is None else max_records
    floor = consumer.end_offsets(list(partitions))
    empty = 0
    while True:
        batches = consumer.poll(timeout_ms=timeout_ms, max_records=max_records)
        if batches:
            empty = 0
            yield batches
            continue
        empty += 1
        below = [tp for tp in partitions if consumer.position(tp) < floor[tp]]
        if not below and empty >= confirming_polls:
            return
        if below and empty >= _STALLED_AFTER_EMPTY_POLLS:
            tp = below[0]
            raise RecordStalled(
                f"{tp.topic}[{tp.partition}] stopped at offset {consumer.position(tp)} and "
                f"gave nothing more, though the broker reports messages up to "
                f"{floor[tp] - 1}: try again, or check the broker"
            )
