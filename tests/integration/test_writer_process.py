"""The record writer in a child process, and the recorder's transaction left in flight."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from events.settings import Settings
from journeys.kafka.exceptions import JourneyRecordError, RecordTransactionFailed, WriterFenced
from journeys.kafka.record_reader import read_topic
from journeys.kafka.recorder import KafkaApplicationRecorder
from journeys.kafka.state_store import StateStore
from journeys.kafka.writer_process import Placement, ProcessWriter

pytestmark = [pytest.mark.kafka]


@pytest.fixture
def writer(kafka: Settings) -> Iterator[ProcessWriter]:
    writer = ProcessWriter(kafka)
    writer.start()
    yield writer
    writer.close()


def test_a_committed_transaction_lands_where_the_child_says(
    kafka: Settings, writer: ProcessWriter
) -> None:
    writer.begin()
    tickets = [
        writer.send(kafka.events_topic, key=f"C{n}".encode(), value=bytes([n]), headers=[])
        for n in range(5)
    ]
    writer.send(kafka.rejected_topic, key=b"C9", value=b"refused", headers=[("rule", b"R")])
    placements = writer.commit([tickets[3], tickets[0]])

    on_topic = {(m.partition, m.offset): m for m in read_topic(kafka, kafka.events_topic)}
    assert len(on_topic) == 5
    assert all(isinstance(p, Placement) for p in placements)
    assert [(on_topic[p].key, on_topic[p].value) for p in placements] == [
        (b"C3", b"\x03"),
        (b"C0", b"\x00"),
    ]
    [rejected] = read_topic(kafka, kafka.rejected_topic)
    assert (rejected.value, rejected.headers) == (b"refused", [("rule", b"R")])


def test_an_aborted_transaction_never_reaches_kafka(kafka: Settings, writer: ProcessWriter) -> None:
    writer.begin()
    writer.send(kafka.events_topic, key=b"C1", value=b"aborted", headers=[])
    writer.abort()
    writer.begin()
    writer.send(kafka.events_topic, key=b"C1", value=b"kept", headers=[])
    writer.commit()

    assert [m.value for m in read_topic(kafka, kafka.events_topic)] == [b"kept"]


def test_a_newer_writer_fences_the_older_whose_child_then_appends_nothing(
    kafka: Settings, writer: ProcessWriter
) -> None:
    newer = ProcessWriter(kafka)
    newer.start()
    try:
        writer.begin()
        writer.send(kafka.events_topic, key=b"C1", value=b"older", headers=[])
        with pytest.raises(WriterFenced, match="fenced this one"):
            writer.commit()
        with pytest.raises(RecordTransactionFailed, match="fenced"):
            writer.begin()
        newer.begin()
        newer.send(kafka.events_topic, key=b"C2", value=b"newer", headers=[])
        newer.commit()
    finally:
        newer.close()

    assert [m.value for m in read_topic(kafka, kafka.events_topic)] == [b"newer"]


def test_a_failure_in_the_child_is_raised_with_its_reason(
    kafka: Settings, writer: ProcessWriter
) -> None:
    writer.begin()
    writer.send(kafka.events_topic, key=b"C1", value=b"x" * (9 * 1024 * 1024), headers=[])
    with pytest.raises(RecordTransactionFailed, match="MessageSizeTooLargeError"):
        writer.commit()

    assert list(read_topic(kafka, kafka.events_topic)) == []


def test_a_child_that_died_is_reported_and_nothing_it_held_is_in_the_record(
    kafka: Settings, writer: ProcessWriter
) -> None:
    assert writer._process is not None
    writer._process.kill()
    writer._process.wait()
    writer.begin()
    writer.send(kafka.events_topic, key=b"C1", value=b"lost", headers=[])
    with pytest.raises(RecordTransactionFailed, match="is gone"):
        writer.commit_later().result()

    assert list(read_topic(kafka, kafka.events_topic)) == []


# The recorder with a transaction in flight ---------------------------------------------


def stored(journey: uuid.UUID, version: int) -> StoredEvent:
    return StoredEvent(journey, version, "ReferralReceived", f"v{version}".encode())


@pytest.fixture
def recorder(kafka: Settings) -> Iterator[KafkaApplicationRecorder]:
    recorder = KafkaApplicationRecorder(kafka, StateStore(None), ProcessWriter(kafka))
    recorder.catch_up()
    yield recorder
    recorder.close()


def test_a_transaction_in_flight_counts_for_reads_and_conflicts_until_it_is_settled(
    kafka: Settings, recorder: KafkaApplicationRecorder
) -> None:
    journey = uuid.uuid4()
    committed: list[str] = []
    with recorder.transaction(on_committed=lambda: committed.append("first")):
        recorder.insert_events([stored(journey, 1)])

    assert committed == []  # reported when settled, not before
    assert [e.originator_version for e in recorder.select_events(journey)] == [1]
    with pytest.raises(IntegrityError), recorder.transaction():
        recorder.insert_events([stored(journey, 1)])  # the version in flight is taken

    with recorder.transaction(on_committed=lambda: committed.append("second")):
        recorder.insert_events([stored(journey, 2)])
    assert committed == ["first"]  # settled before the second was handed over
    recorder.settle()
    assert committed == ["first", "second"]

    assert [e.originator_version for e in recorder.store.select_events(journey)] == [1, 2]
    assert [m.value for m in read_topic(kafka, kafka.events_topic)] == [b"v1", b"v2"]


def test_when_the_transaction_in_flight_fails_the_next_one_is_never_committed(
    kafka: Settings, recorder: KafkaApplicationRecorder
) -> None:
    journey = uuid.uuid4()
    committed: list[str] = []
    newer = ProcessWriter(kafka)
    try:
        with recorder.transaction(on_committed=lambda: committed.append("first")):
            recorder.insert_events([stored(journey, 1)])
            newer.start()  # fences the recorder's writer before the first is handed over
        with (
            pytest.raises(WriterFenced),
            recorder.transaction(on_committed=lambda: committed.append("second")),
        ):
            recorder.insert_events([stored(journey, 2)])
    finally:
        newer.close()

    assert committed == []
    assert recorder.store.select_events(journey) == []
    assert list(read_topic(kafka, kafka.events_topic)) == []


def test_a_writer_whose_producer_cannot_start_says_why(kafka: Settings) -> None:
    nowhere = replace(kafka, bootstrap_servers=None)  # the child's client options refuse it
    writer = ProcessWriter(nowhere)
    with pytest.raises(JourneyRecordError, match=r"could not start: .*KAFKA_BOOTSTRAP_SERVERS"):
        writer.start()
    writer.close()
