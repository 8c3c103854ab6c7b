"""Two processors on the same partitions: the newer fences the older, which stops."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from kafka_examples import simple_journey

from events.codec import default_codec
from events.settings import Settings
from journeys.kafka.exceptions import WriterFenced
from journeys.kafka.processor import ProcessSummary, SubmissionProcessor, process_until_idle
from journeys.kafka.publish import publish_events
from journeys.kafka.record_reader import read_topic
from journeys.kafka.writer_process import ProcessWriter

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_a_second_processor_fences_the_first_and_the_record_holds_each_event_once(
    kafka: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    valid = [event for n in range(1_000) for event in simple_journey(f"F{n}")]
    publish_events(kafka, valid)

    # The older processor, once it has committed a batch, waits until the newer one's
    # writer has started (and so fenced it): otherwise it may finish the lot first.
    writers_started: list[ProcessWriter] = []
    newer_writer_started = threading.Event()
    start = ProcessWriter.start

    def start_and_tell(writer: ProcessWriter) -> None:
        start(writer)
        writers_started.append(writer)
        if len(writers_started) == 2:
            newer_writer_started.set()

    monkeypatch.setattr(ProcessWriter, "start", start_and_tell)
    working = threading.Event()
    outcome: list[BaseException | ProcessSummary] = []

    def first_batch_done(_: ProcessSummary) -> None:
        working.set()
        assert newer_writer_started.wait(timeout=60), "the newer processor never started"

    older = SubmissionProcessor(kafka, batch_size=100, on_batch=first_batch_done)

    def run_older() -> None:
        try:
            outcome.append(older.run(until_idle=True))
        except BaseException as error:  # handed to the test thread to assert on
            outcome.append(error)

    thread = threading.Thread(target=run_older, daemon=True)
    thread.start()
    assert working.wait(timeout=60), "the first processor never committed a batch"

    newer = process_until_idle(kafka)
    thread.join(timeout=60)

    assert len(outcome) == 1
    assert isinstance(outcome[0], WriterFenced), outcome[0]
    assert "fenced this one" in str(outcome[0])
    # Both did work; a submission the older one recorded may reach the newer one again
    # (offsets are committed with the transaction, but a rebalance can re-deliver), and
    # is then acknowledged as a duplicate: the record below is what must be exact.
    assert older.summary.accepted > 0
    assert newer.accepted > 0

    codec = default_codec()
    recorded = Counter(
        codec.decode(m.value).event_id for m in read_topic(kafka, kafka.events_topic)
    )
    assert recorded == Counter(event.event_id for event in valid)
