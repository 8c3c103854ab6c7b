"""Readers of the record (`care.journey.events`) on a topic the embedded broker got wrong.

Tansu shows records of aborted transactions to read_committed readers, so an event can
sit on the topic twice; and its `end_offsets()` is only a lower bound of where a partition
ends. Every reader keeps each event once and reads to the real end.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import replace

import pytest
from cli_runs import cli_environment
from journey_builders import record_many
from kafka import KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord
from kafka_examples import LA, registration, simple_journey
from record_writing import pseudonym_for

from events.kafka import client
from events.key_store import open_key_store
from events.settings import Settings
from journeys.application.service import JourneyApplication
from journeys.entrypoints.cli import main
from journeys.kafka.exceptions import RecordBehindStateStore
from journeys.kafka.persistence import persistence_environment, state_store_path
from journeys.kafka.processor import process_until_idle
from journeys.kafka.publish import publish_events
from journeys.kafka.record_reader import (
    EVENT_ID,
    DistinctEvents,
    catch_up,
    event_id_of,
    read_topic,
)
from journeys.kafka.rejected import read_rejections
from journeys.kafka.state_store import StateStore
from journeys.kafka.timeline import pseudonym_of, read_timeline
from journeys.kafka.topics import ensure_topics

pytestmark = [pytest.mark.kafka]


def _record(settings: Settings, child_ids: list[str]) -> None:
    """Each child's simple journey, recorded through the Kafka persistence module (under
    the child's pseudonym, as the processor's admission would name it)."""
    app = JourneyApplication(env=persistence_environment(settings, memory_store=True))
    try:
        for child_id in child_ids:
            record_many(app, simple_journey(pseudonym_for(settings, LA, child_id)))
    finally:
        app.factory.close()


def _copy_again(settings: Settings, message: ConsumerRecord, *, header: bool = True) -> None:
    """Put a second copy of `message` on its partition, as an aborted retry leaves one.

    Without `header`, the copy lacks the event_id header (as messages written before it).
    """
    headers = [(n, v) for n, v in message.headers if header or n != EVENT_ID]
    producer = KafkaProducer(**settings.client_options())
    try:
        producer.send(
            message.topic,
            key=message.key,
            value=message.value,
            headers=headers,
            partition=message.partition,
        ).get(timeout=30)
    finally:
        producer.close()


def test_catch_up_keeps_the_first_copy_of_an_event_on_the_topic_twice(kafka: Settings) -> None:
    _record(kafka, ["C1", "C2"])
    first, second, *_ = list(read_topic(kafka, kafka.events_topic))
    _copy_again(kafka, first)
    _copy_again(kafka, second, header=False)

    store = StateStore(None)
    try:
        caught_up = catch_up(kafka, store)
        assert caught_up == (6, 2)
        assert store.count() == 6
        assert catch_up(kafka, store) == (0, 0)
    finally:
        store.close()


def test_the_timeline_reads_an_event_on_the_topic_twice_once(kafka: Settings) -> None:
    _record(kafka, ["C1"])
    on_topic = list(read_topic(kafka, kafka.events_topic))
    _copy_again(kafka, on_topic[1])

    assert read_timeline(kafka, "C1") == read_timeline(replace(kafka), "C1")
    assert len(read_timeline(kafka, "C1")) == 3
    distinct = DistinctEvents(kafka)
    assert [event_id_of(m) for m in distinct] == [event_id_of(m) for m in on_topic]
    assert distinct.skipped == 1
    key_store = open_key_store(kafka)
    assert pseudonym_of(key_store, "C1", None)[0] == LA  # found without naming the authority
    key_store.close()


def test_a_reader_reads_every_record_of_a_last_batch_of_several(
    kafka: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _record(kafka, ["C1"])
    journey = list(read_topic(kafka, kafka.events_topic))
    # The journey written again without a transaction, in one batch (as a restore may):
    # Tansu's end offset is then that batch's base offset plus one, not its end.
    copied = replace(kafka, topic_prefix=f"test-{uuid.uuid4().hex[:12]}.")
    ensure_topics(copied)
    producer = KafkaProducer(**copied.client_options(), linger_ms=1_000)
    try:
        for message in journey:
            producer.send(
                copied.events_topic,
                key=message.key,
                value=message.value,
                headers=message.headers,
                partition=message.partition,
            )
        producer.flush()
    finally:
        producer.close()
    # Polls of one record each, so the first poll ends inside that batch, where the end
    # offset is already passed.
    monkeypatch.setattr(client, "_MAX_RECORDS", 1)

    assert [m.value for m in read_topic(copied, copied.events_topic)] == [m.value for m in journey]
    store = StateStore(None)
    try:
        assert catch_up(copied, store).added == 3
    finally:
        store.close()
    assert len(read_timeline(copied, "C1")) == 3


def test_a_state_store_of_a_lost_record_is_refused_then_rebuilt_on_request(
    kafka: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    submissions = [event for child_id in ("C1", "C2", "C3") for event in simple_journey(child_id)]
    publish_events(kafka, submissions)
    assert process_until_idle(kafka).accepted == 9

    # The broker restarts with memory storage: the same topics, empty. Simulated by fresh
    # topics under another prefix, with the state directory (the store) of the old ones.
    restarted = replace(kafka, topic_prefix=f"test-{uuid.uuid4().hex[:12]}.")
    ensure_topics(restarted)
    shutil.copy(state_store_path(kafka), state_store_path(restarted))
    publish_events(restarted, submissions)

    with pytest.raises(RecordBehindStateStore) as refusal:
        process_until_idle(restarted)
    assert str(restarted.state_dir) in str(refusal.value)
    assert "--rebuild-state" in str(refusal.value)
    assert list(read_topic(restarted, restarted.events_topic)) == []

    for name, value in cli_environment(restarted).items():
        monkeypatch.setenv(name, value)
    assert main(["process", "--until-idle"]) == 2  # still refused without the flag
    assert main(["process", "--until-idle", "--rebuild-state"]) == 0
    assert len(list(read_topic(restarted, restarted.events_topic))) == 9
    # The rebuilt store is of this record: a later run goes on from it.
    publish_events(restarted, [registration("C4")])
    assert process_until_idle(restarted).accepted == 1


def test_the_processor_refuses_an_event_id_already_used_by_another_child(
    kafka: Settings,
) -> None:
    # The same child id in other authorities: another journey, on the same partition,
    # so the submissions are judged in the order sent.
    first = registration("C1")
    reused_in_flight = replace(first, local_authority="372")
    # One submission per transaction: each is judged while the one before is in flight.
    publish_events(kafka, [first, reused_in_flight, first])
    summary = process_until_idle(kafka, batch_size=1)
    assert (summary.accepted, summary.refused, summary.duplicates) == (1, 1, 1)
    # A later run judges against the state store's index of event ids.
    publish_events(kafka, [replace(first, local_authority="373")])
    assert process_until_idle(kafka).refused == 1

    refusals = read_rejections(kafka)
    assert [(r.rule_code, r.field) for r in refusals] == [("EVENT_ID_REUSED", "event_id")] * 2
    assert all(str(first.event_id) in r.message for r in refusals)
    assert all("ChildRegistered" in r.message for r in refusals)
    assert len(list(read_topic(kafka, kafka.events_topic))) == 1


def test_a_state_store_is_refused_where_another_event_sits_at_its_last_offset(
    kafka: Settings,
) -> None:
    app = JourneyApplication(env=persistence_environment(kafka))
    try:
        record_many(app, simple_journey(pseudonym_for(kafka, LA, "C1")))
    finally:
        app.factory.close()
    # Other topics where the same offsets hold other events (same key, same partition).
    other = replace(kafka, topic_prefix=f"test-{uuid.uuid4().hex[:12]}.")
    ensure_topics(other)
    _record(other, ["C1"])
    shutil.copy(state_store_path(kafka), state_store_path(other))

    store = StateStore(state_store_path(other))
    try:
        with pytest.raises(RecordBehindStateStore, match="a different message at that offset"):
            catch_up(other, store)
    finally:
        store.close()
