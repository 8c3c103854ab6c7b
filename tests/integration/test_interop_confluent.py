"""A client that is not kafka-python reads the record with nothing but the `.avsc` files.

confluent-kafka consumes `care.journey.events`; fastavro parses each schema file and
checks the single-object header (C3 01 + CRC-64-AVRO fingerprint, little-endian) before
decoding. No project code is used on the reading side.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from pathlib import Path

import fastavro
import fastavro.schema
import pytest
from confluent_kafka import Consumer, TopicPartition
from kafka_examples import simple_journey

from events.catalogue import fields_of, personal_fields_of
from events.key_store import open_key_store
from events.settings import Settings
from journeys.kafka.processor import process_until_idle
from journeys.kafka.publish import publish_events

pytestmark = [pytest.mark.kafka]

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def schemas_by_fingerprint() -> dict[bytes, dict]:
    found = {}
    for path in SCHEMAS.glob("*.avsc"):
        if path.name.startswith("Envelope."):
            continue  # documentation only: no message is written with it
        parsed = fastavro.parse_schema(json.loads(path.read_text()))
        canonical = fastavro.schema.to_parsing_canonical_form(parsed)
        hex_digest = fastavro.schema.fingerprint(canonical, "CRC-64-AVRO")
        found[bytes.fromhex(hex_digest)] = parsed  # fastavro gives the wire (LE) order
    return found


def consume_all(bootstrap: str, topic: str, expected: int) -> list:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "interop-reader",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    try:
        metadata = consumer.list_topics(topic, timeout=10)
        partitions = [
            TopicPartition(topic, p, 0) for p in sorted(metadata.topics[topic].partitions)
        ]
        consumer.assign(partitions)
        messages = []
        deadline = time.monotonic() + 30
        while len(messages) < expected and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            assert message.error() is None, message.error()
            messages.append(message)
        return messages
    finally:
        consumer.close()


def test_confluent_kafka_decodes_every_recorded_event_from_the_avsc_files_alone(
    kafka: Settings,
) -> None:
    valid = [event for n in range(10) for event in simple_journey(f"I{n}")]
    publish_events(kafka, valid)
    process_until_idle(kafka)
    assert kafka.bootstrap_servers is not None

    messages = consume_all(kafka.bootstrap_servers, kafka.events_topic, len(valid))
    schemas = schemas_by_fingerprint()

    decoded = {}
    for message in messages:
        value = message.value()
        assert value[:2] == b"\xc3\x01"
        schema = schemas[value[2:10]]
        record = fastavro.schemaless_reader(io.BytesIO(value[10:]), schema)
        headers = dict(message.headers())
        assert headers["event_type"].decode() == schema["name"].rsplit(".", 1)[-1]
        assert message.key() == record["child_id"].encode()
        decoded[str(record["event_id"])] = record

    assert set(decoded) == {str(event.event_id) for event in valid}
    # The record names each child by pseudonym and holds the personal fields sealed, a
    # placeholder in their place; every other field reads as the submission had it.
    key_store = open_key_store(kafka)
    try:
        for event in valid:
            record = decoded[str(event.event_id)]
            pseudonym = key_store.pseudonym_of(event.local_authority, event.child_id)
            assert record["child_id"] == pseudonym
            personal = {*personal_fields_of(type(event)), "child_id", "sealed_personal_data"}
            for field in fields_of(type(event)):
                if field.name not in personal:
                    assert _plain(record[field.name]) == _plain(getattr(event, field.name))
            if personal_fields_of(type(event)):
                assert record["sealed_personal_data"].startswith("s1.")
    finally:
        key_store.close()


def _plain(value: object) -> object:
    """A value as fastavro reads it from the .avsc: a UUID as text, an array as a list."""
    if isinstance(value, uuid.UUID):
        return str(value)
    return list(value) if isinstance(value, tuple) else value
