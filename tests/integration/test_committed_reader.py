"""The committed reader (events.kafka.committed) on the session's broker.

The embedded broker (Tansu) hands records of aborted and still-open transactions to
read_committed consumers; the committed reader must show only what committed
transactions (and non-transactional writers) wrote, in offset order, on it as on Kafka.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest
from journey_builders import child_registered
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.consumer.fetcher import ConsumerRecord
from kafka.structs import TopicPartition
from record_writing import recorded_messages

from events.kafka import client
from events.kafka.committed import (
    aborted_dropped,
    held_back,
    safe_position,
)
from events.settings import Settings
from journeys.kafka.archive import archive
from journeys.kafka.record_reader import catch_up
from journeys.kafka.state_store import StateStore
from projections.runner import RunnerOptions, project

pytestmark = pytest.mark.kafka

# Tansu shows aborted records to read_committed readers; a real cluster does not.
ON_EMBEDDED_BROKER = Settings.from_environment().bootstrap_servers is None
_IDLE_POLLS = 3


@pytest.fixture
def topic(kafka: Settings) -> str:
    """A one-partition topic of this test's own."""
    name = f"{kafka.topic_prefix}committed-reader"
    admin = KafkaAdminClient(**kafka.client_options())
    try:
        admin.create_topics(
            [NewTopic(name, num_partitions=1, replication_factor=kafka.replication_factor or 1)]
        )
    finally:
        admin.close()
    return name


@pytest.fixture
def transactional(kafka: Settings) -> Iterator[Any]:
    """A factory of started transactional producers; closes them all afterwards."""
    producers: list[KafkaProducer] = []

    def start(**tuning: Any) -> KafkaProducer:
        producer = KafkaProducer(
            **kafka.client_options(),
            transactional_id=f"{kafka.topic_prefix}writer-{uuid.uuid4().hex[:8]}",
            **tuning,
        )
        producer.init_transactions()
        producers.append(producer)
        return producer

    yield start
    for producer in producers:
        producer.close(timeout=5)


def _plain_producer(kafka: Settings) -> KafkaProducer:
    return KafkaProducer(**kafka.client_options())


def _send(producer: KafkaProducer, topic: str, values: Sequence[bytes]) -> list[int]:
    """Send `values` to partition 0; returns their offsets (flushed, so known)."""
    futures = [producer.send(topic, value=value, partition=0) for value in values]
    producer.flush()
    return [future.get(timeout=10).offset for future in futures]


def _transaction(
    producer: KafkaProducer, topic: str, values: Sequence[bytes], *, commit: bool
) -> list[int]:
    producer.begin_transaction()
    offsets = _send(producer, topic, values)
    if commit:
        producer.commit_transaction()
    else:
        producer.abort_transaction()
    return offsets


def _read_until_idle(consumer: KafkaConsumer) -> list[ConsumerRecord]:
    """Poll until several polls in a row bring nothing (end_offsets() is wrong on Tansu)."""
    records: list[ConsumerRecord] = []
    idle = 0
    while idle < _IDLE_POLLS:
        polled = consumer.poll(timeout_ms=300)
        got = [record for batch in polled.values() for record in batch]
        idle = 0 if got else idle + 1
        records.extend(got)
    return records


def _assigned(consumer: KafkaConsumer, topic: str) -> TopicPartition:
    partition = TopicPartition(topic, 0)
    consumer.assign([partition])
    consumer.seek_to_beginning(partition)
    return partition


def _values(records: Sequence[ConsumerRecord]) -> list[bytes]:
    return [record.value for record in records]


def _in_offset_order(records: Sequence[ConsumerRecord]) -> bool:
    offsets = [record.offset for record in records]
    return offsets == sorted(set(offsets))


def test_only_committed_transactions_are_read_in_offset_order(
    kafka: Settings, topic: str, transactional: Any
) -> None:
    producer = transactional()
    _transaction(producer, topic, [b"committed-1", b"committed-2"], commit=True)
    _transaction(producer, topic, [b"aborted-1", b"aborted-2", b"aborted-3"], commit=False)
    _transaction(producer, topic, [b"committed-3"], commit=True)

    consumer = client.record_reader(kafka)
    try:
        partition = _assigned(consumer, topic)
        records = _read_until_idle(consumer)
        assert _values(records) == [b"committed-1", b"committed-2", b"committed-3"]
        assert _in_offset_order(records)
        assert safe_position(consumer, partition) == consumer.position(partition)
        assert held_back(consumer, partition) == 0
        if ON_EMBEDDED_BROKER:  # on Kafka the client drops them first, uncounted here
            assert aborted_dropped(consumer, partition) == 3
            assert aborted_dropped(consumer) == 3
    finally:
        consumer.close()


def test_a_plain_read_committed_consumer_sees_aborted_records_on_the_embedded_broker(
    kafka: Settings, topic: str, transactional: Any
) -> None:
    """The defect the committed reader exists for, documented: if this fails on the
    embedded broker, Tansu now filters aborted transactions itself."""
    producer = transactional()
    _transaction(producer, topic, [b"committed"], commit=True)
    _transaction(producer, topic, [b"aborted"], commit=False)

    consumer = KafkaConsumer(**client.record_reading_options(kafka))
    try:
        _assigned(consumer, topic)
        seen = _values(_read_until_idle(consumer))
    finally:
        consumer.close()
    if ON_EMBEDDED_BROKER:
        assert seen == [b"committed", b"aborted"]
    else:
        assert seen == [b"committed"]


# read_uncommitted: the broker holds nothing back (Tansu holds open transactions back
# under read_committed, but shows aborted ones), so the committed reader alone must.
ISOLATION_LEVELS = pytest.mark.parametrize("isolation", ["read_committed", "read_uncommitted"])


@ISOLATION_LEVELS
def test_an_open_transaction_is_held_back_until_it_commits(
    kafka: Settings, topic: str, transactional: Any, isolation: str
) -> None:
    plain = _plain_producer(kafka)
    producer = transactional()
    try:
        _send(plain, topic, [b"before"])
        producer.begin_transaction()
        opened = _send(producer, topic, [b"open-1", b"open-2"])
        _send(plain, topic, [b"after"])  # behind the open transaction: held too

        consumer = client.record_reader(kafka, isolation_level=isolation)
        try:
            partition = _assigned(consumer, topic)
            assert _values(_read_until_idle(consumer)) == [b"before"]
            assert safe_position(consumer, partition) == opened[0]

            producer.commit_transaction()
            released = _read_until_idle(consumer)
            assert _values(released) == [b"open-1", b"open-2", b"after"]
            assert _in_offset_order(released)
            assert safe_position(consumer, partition) > released[-1].offset
            assert held_back(consumer, partition) == 0
        finally:
            consumer.close()
    finally:
        plain.close(timeout=5)


def test_a_seek_drops_what_is_held_and_reads_it_again(
    kafka: Settings, topic: str, transactional: Any
) -> None:
    producer = transactional()
    producer.begin_transaction()
    opened = _send(producer, topic, [b"open-1", b"open-2"])

    consumer = client.record_reader(kafka, isolation_level="read_uncommitted")
    try:
        partition = _assigned(consumer, topic)
        assert _read_until_idle(consumer) == []
        assert safe_position(consumer, partition) == opened[0]

        consumer.seek(partition, opened[0])
        assert held_back(consumer, partition) == 0
        producer.commit_transaction()
        assert _values(_read_until_idle(consumer)) == [b"open-1", b"open-2"]  # once each
    finally:
        consumer.close()


def test_a_partition_that_leaves_the_assignment_loses_what_was_held(
    kafka: Settings, topic: str, transactional: Any
) -> None:
    producer = transactional()
    producer.begin_transaction()
    _send(producer, topic, [b"open-1", b"open-2"])

    consumer = client.record_reader(kafka, isolation_level="read_uncommitted")
    try:
        partition = _assigned(consumer, topic)
        assert _read_until_idle(consumer) == []
        assert held_back(consumer, partition) == 2
        consumer.assign([])
        assert held_back(consumer, partition) == 0
        producer.commit_transaction()
        _assigned(consumer, topic)
        assert _values(_read_until_idle(consumer)) == [b"open-1", b"open-2"]
    finally:
        consumer.close()


@ISOLATION_LEVELS
def test_interleaved_transactions_spanning_many_fetches(
    kafka: Settings, topic: str, transactional: Any, isolation: str
) -> None:
    """Two writers' transactions interleaved, read a few batches per fetch: each
    transaction's records wait for its marker, wherever in the stream it comes."""
    tuning = {"batch_size": 256, "linger_ms": 0}
    first, second = transactional(**tuning), transactional(**tuning)
    payload = b"x" * 120
    expected: list[bytes] = []

    first.begin_transaction()
    _send(first, topic, [b"first-aborted-%d" % n + payload for n in range(20)])
    second.begin_transaction()
    committed = [b"second-committed-%d" % n + payload for n in range(20)]
    _send(second, topic, committed)
    _send(first, topic, [b"first-aborted-more-%d" % n + payload for n in range(5)])
    second.commit_transaction()
    first.abort_transaction()
    expected += committed
    later = [b"first-committed-%d" % n + payload for n in range(30)]
    _transaction(first, topic, later, commit=True)
    expected += later

    consumer = client.record_reader(
        kafka, isolation_level=isolation, max_partition_fetch_bytes=1024, fetch_max_bytes=1024
    )
    try:
        partition = _assigned(consumer, topic)
        records = _read_until_idle(consumer)
        assert _values(records) == expected
        assert _in_offset_order(records)
        assert held_back(consumer, partition) == 0
        if ON_EMBEDDED_BROKER or isolation == "read_uncommitted":
            assert aborted_dropped(consumer) == 25
    finally:
        consumer.close()


@ISOLATION_LEVELS
def test_a_fenced_writers_open_transaction_is_never_read(
    kafka: Settings, topic: str, isolation: str
) -> None:
    """A writer killed mid-transaction and replaced: the new writer (same transactional
    id) fences it, and the old transaction's records are not part of the record."""
    writer_id = f"{kafka.topic_prefix}fenced-writer"
    old = KafkaProducer(**kafka.client_options(), transactional_id=writer_id)
    old.init_transactions()
    old.begin_transaction()
    _send(old, topic, [b"fenced-1", b"fenced-2"])
    new = KafkaProducer(**kafka.client_options(), transactional_id=writer_id)
    try:
        new.init_transactions()
        _transaction(new, topic, [b"after-fencing"], commit=True)
    finally:
        new.close(timeout=5)
        old.close(timeout=0)

    consumer = client.record_reader(kafka, isolation_level=isolation)
    try:
        partition = _assigned(consumer, topic)
        assert _values(_read_until_idle(consumer)) == [b"after-fencing"]
        assert held_back(consumer, partition) == 0
    finally:
        consumer.close()


def test_non_transactional_records_pass_straight_through(kafka: Settings, topic: str) -> None:
    plain = _plain_producer(kafka)
    try:
        offsets = _send(plain, topic, [b"plain-%d" % n for n in range(5)])
    finally:
        plain.close(timeout=5)

    consumer = client.record_reader(kafka)
    try:
        partition = _assigned(consumer, topic)
        records = _read_until_idle(consumer)
        assert [record.offset for record in records] == offsets
        assert safe_position(consumer, partition) == offsets[-1] + 1
        assert aborted_dropped(consumer) == 0
    finally:
        consumer.close()


def test_a_committed_consumer_refuses_iteration(kafka: Settings) -> None:
    consumer = client.record_reader(kafka)
    try:
        with pytest.raises(TypeError, match="poll"):
            next(consumer)
    finally:
        consumer.close()


# The readers of the record, wired to the committed reader: each must leave out an
# aborted transaction's events (on the embedded broker they copied them before).


def _record_messages(kafka: Settings, transactional: Any) -> tuple[list[Any], Any]:
    """A committed event, an aborted one, a committed one on the events topic, written
    the way the processor writes them; returns the events and the aborted one."""
    messages = recorded_messages(kafka, [child_registered(child_id=f"child-{n}") for n in range(3)])
    events = [event for event, _, _ in messages]
    producer = transactional()
    for (event, key, value), commit in zip(messages, (True, False, True), strict=True):
        producer.begin_transaction()
        producer.send(
            kafka.events_topic,
            value=value,
            key=key,
            partition=0,
            headers=[
                ("event_type", event.event_type.encode()),
                ("journey_id", str(event.event_id).encode()),
                ("journey_version", b"1"),
            ],
        )
        producer.flush()
        if commit:
            producer.commit_transaction()
        else:
            producer.abort_transaction()
    return events, events[1]


def test_the_state_store_catch_up_copies_no_aborted_event(
    kafka: Settings, transactional: Any
) -> None:
    events, aborted = _record_messages(kafka, transactional)
    store = StateStore(None)
    try:
        assert catch_up(kafka, store).added == 2
        copied = [e for e in events if store.select_events(str(e.event_id))]
        assert copied == [e for e in events if e is not aborted]
    finally:
        store.close()


def test_the_projection_runner_projects_no_aborted_event(
    kafka: Settings, transactional: Any
) -> None:
    events, aborted = _record_messages(kafka, transactional)
    project(kafka, follow=False, options=RunnerOptions(decode_in_worker=False))
    connection = duckdb.connect(str(kafka.database), read_only=True)
    try:
        rows = connection.execute("select event_id from event_log").fetchall()
    finally:
        connection.close()
    assert {str(event_id) for (event_id,) in rows} == {
        str(e.event_id) for e in events if e is not aborted
    }


def test_the_archive_copies_no_aborted_event(
    kafka: Settings, transactional: Any, tmp_path: Path
) -> None:
    _record_messages(kafka, transactional)
    assert archive(kafka, tmp_path / "archive").records == 2
