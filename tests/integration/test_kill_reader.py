"""The kill tests' topic reader tells committed messages from aborted and unfinished ones.

The kill tests judge the events topic by what committed transactions wrote, read from the
transaction markers in the log (`kill_harness.topic_copies`), because the embedded broker
shows aborted records to read_committed readers. This checks that reader on a topic with
an aborted transaction, a committed one, one left open and then fenced, and a message
written outside any transaction.
"""

from __future__ import annotations

import pytest
from kafka import KafkaProducer
from kill_harness import submissions, topic_copies

from events.codec import default_codec
from events.settings import Settings

pytestmark = pytest.mark.kafka


def test_the_reader_marks_only_committed_and_non_transactional_messages_committed(
    kafka: Settings,
) -> None:
    events = submissions()[:8]
    codec = default_codec()
    options = kafka.client_options()
    topic = kafka.events_topic
    transactional_id = f"{kafka.topic_prefix}kill-reader"
    writer = KafkaProducer(**options, transactional_id=transactional_id)
    fencer = plain = None
    try:
        writer.init_transactions()
        for part, finish in ((events[0:3], "abort"), (events[3:6], "commit"), (events[6:8], None)):
            writer.begin_transaction()
            for event in part:
                writer.send(topic, key=event.child_id.encode(), value=codec.encode(event))
            writer.flush()
            if finish == "abort":
                writer.abort_transaction()
            elif finish == "commit":
                writer.commit_transaction()
        # A new writer with the same id fences the old one and aborts its open transaction.
        fencer = KafkaProducer(**options, transactional_id=transactional_id)
        fencer.init_transactions()
        plain = KafkaProducer(**options)
        plain.send(topic, key=b"k", value=codec.encode(events[0])).get(timeout=30)
    finally:
        for producer in (writer, fencer, plain):
            if producer is not None:
                producer.close(timeout=5)

    number = {event.event_id: n for n, event in enumerate(events)}
    copies = topic_copies(kafka)
    committed = sorted(number[copy.event_id] for copy in copies if copy.committed)
    aborted = sorted(number[copy.event_id] for copy in copies if not copy.committed)
    assert (committed, aborted) == ([0, 3, 4, 5], [0, 1, 2, 6, 7])
