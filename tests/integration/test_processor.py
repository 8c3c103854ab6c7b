"""The submission processor against the embedded broker: what ends up on which topic."""

from __future__ import annotations

from collections import Counter

import pytest
from kafka import KafkaProducer
from kafka_examples import assessment, referral, simple_journey

from events.codec import default_codec
from events.settings import Settings
from journeys.kafka.processor import process_until_idle
from journeys.kafka.publish import publish_events
from journeys.kafka.record_reader import read_topic
from journeys.kafka.rejected import read_rejections

pytestmark = [pytest.mark.kafka]

GARBAGE = [b"not an avro message", b"\xc3\x01" + b"\x00" * 8 + b"\x02"]


def test_a_mixed_batch_leaves_each_valid_event_once_and_every_refusal_with_its_reason(
    kafka: Settings,
) -> None:
    valid = [event for n in range(20) for event in simple_journey(f"C{n}")]
    unknown_referral = assessment("C1", "R9", "A9")
    unregistered = referral("NOBODY")
    duplicates = [valid[0], valid[4]]
    publish_events(kafka, [*valid, unknown_referral, unregistered, *duplicates])
    producer = KafkaProducer(**kafka.client_options())
    for garbage in GARBAGE:
        producer.send(kafka.submissions_topic, key=b"junk", value=garbage)
    producer.flush()
    producer.close()

    summary = process_until_idle(kafka)

    codec = default_codec()
    recorded = Counter(
        codec.decode(m.value).event_id for m in read_topic(kafka, kafka.events_topic)
    )
    assert recorded == Counter(event.event_id for event in valid)

    rejections = read_rejections(kafka)
    refused = {r.event_id: r for r in rejections if r.event_id is not None}
    assert set(refused) == {str(unknown_referral.event_id), str(unregistered.event_id)}
    assert refused[str(unregistered.event_id)].rule_code == "CHILD_NOT_REGISTERED"
    assert refused[str(unregistered.event_id)].field == "child_id"
    assert refused[str(unknown_referral.event_id)].field == "referral_id"
    assert refused[str(unknown_referral.event_id)].value == codec.encode(unknown_referral)
    assert all(r.message for r in rejections)
    undecodable = [r for r in rejections if r.event_id is None]
    assert sorted(r.value for r in undecodable) == sorted(GARBAGE)
    # No child can be read from them, and the submitter's key is not kept (it may be an id).
    assert all(r.child_id is None and r.rule_code for r in undecodable)

    assert (summary.accepted, summary.refused, summary.undecodable, summary.duplicates) == (
        len(valid),
        2,
        2,
        2,
    )
    assert summary.submissions == len(valid) + 6

    again = process_until_idle(kafka)
    assert again.submissions == 0
    assert len(list(read_topic(kafka, kafka.events_topic))) == len(valid)
