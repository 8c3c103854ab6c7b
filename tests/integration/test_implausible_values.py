"""Implausible values sent to the processor are refused with their own codes, not recorded."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime
from io import BytesIO

import pytest
from fastavro import schemaless_writer
from fastavro.schema import parse_schema
from kafka import KafkaProducer
from kafka_examples import LA, registration

from events.catalogue import fields_of
from events.codec import MAGIC, default_codec
from events.key_store import open_key_store
from events.settings import Settings
from journeys.kafka.processor import process_until_idle
from journeys.kafka.publish import publish_events
from journeys.kafka.record_reader import read_topic
from journeys.kafka.rejected import read_rejections

pytestmark = [pytest.mark.kafka]


def _sex_written_as_index(index: int) -> bytes:
    """A ChildRegistered whose `sex` is the raw enum index `index` (-1: fastavro's UNKNOWN)."""
    event = registration("C-ENUM")
    version = default_codec().current_version("ChildRegistered")
    raw = copy.deepcopy(version.raw)
    next(f for f in raw["fields"] if f["name"] == "sex")["type"] = "int"
    record = {f.name: getattr(event, f.name) for f in fields_of(type(event))} | {"sex": index}
    body = BytesIO()
    schemaless_writer(body, parse_schema(raw), record)
    return MAGIC + version.fingerprint + body.getvalue()


def test_a_submission_recorded_in_2099_or_with_a_negative_enum_index_is_refused(
    kafka: Settings,
) -> None:
    from_the_future = replace(
        registration("C-FUTURE"), recorded_at=datetime(2099, 1, 1, tzinfo=UTC)
    )
    valid = registration("C-VALID")
    publish_events(kafka, [from_the_future])
    producer = KafkaProducer(**kafka.client_options())
    producer.send(kafka.submissions_topic, key=b"C-ENUM", value=_sex_written_as_index(-1))
    producer.flush()
    producer.close()
    publish_events(kafka, [valid])

    process_until_idle(kafka)

    codec = default_codec()
    recorded = [codec.decode(m.value) for m in read_topic(kafka, kafka.events_topic)]
    assert [e.event_id for e in recorded] == [valid.event_id]
    # A decoded refusal names the child by pseudonym; undecodable bytes name no child.
    key_store = open_key_store(kafka)
    named = {key_store.pseudonym_of(LA, "C-FUTURE"): "C-FUTURE", None: "C-ENUM"}
    key_store.close()
    refusals = {named[r.child_id]: r for r in read_rejections(kafka)}
    assert set(refusals) == {"C-FUTURE", "C-ENUM"}
    future = refusals["C-FUTURE"]
    assert (future.rule_code, future.field) == ("recorded_in_future", "recorded_at")
    assert "2099-01-01" in future.message and future.event_type == "ChildRegistered"
    enum = refusals["C-ENUM"]
    assert (enum.rule_code, enum.field) == ("enum_index", "sex")
