"""Submissions too large for the record: refused with their size, and nothing stops.

The record's message-size limit is journeys.kafka.limits.MAX_SUBMISSION_BYTES. A larger
submission must be refused to the rejected topic (a truncated copy, its original size in
a header) and the submissions behind it on its partition processed as usual.
"""

from __future__ import annotations

import os
import signal
from dataclasses import fields, replace

import pytest
from cli_runs import run_journeys
from kafka import KafkaProducer
from kafka_examples import LA, registration, simple_journey
from record_writing import pseudonym_for
from schema_versions import message_of

from events.catalogue import JourneyEvent
from events.codec import default_codec
from events.settings import Settings
from journeys.kafka import limits
from journeys.kafka.exceptions import RecordTransactionFailed
from journeys.kafka.processor import ProcessSummary, SubmissionProcessor, process_until_idle
from journeys.kafka.record_reader import read_topic
from journeys.kafka.rejected import read_rejections
from journeys.kafka.writer_process import ProcessWriter

pytestmark = [pytest.mark.kafka]

TEN_MB = 10 * 1024 * 1024


def raw_message(event: JourneyEvent) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """Key, value and headers of `event` as a source system could send it: written by
    fastavro with the current schema, without the contract's value bounds (the processor
    must refuse an oversize submission for its size, whatever it holds)."""
    record = {f.name: getattr(event, f.name) for f in fields(event)}
    value = message_of(default_codec().current_version(event.event_type), record)
    return (
        event.child_id.encode("utf-8"),
        value,
        [("event_type", event.event_type.encode("utf-8"))],
    )


def padded(event: JourneyEvent, size: int) -> JourneyEvent:
    """`event` with its source_system grown until its submission is `size` bytes in all."""
    padding = 1
    for _ in range(10):
        grown = replace(event, source_system="x" * padding)
        total = limits.submission_size(*raw_message(grown)).total
        if total == size:
            return grown
        padding += size - total
    raise AssertionError(f"no padding makes {event.event_type} exactly {size:,} bytes")


def send_raw(settings: Settings, events: list[JourneyEvent], partition: int = 0) -> None:
    """Send submissions as a source system could, with no limit of our own in the way."""
    producer = KafkaProducer(**settings.client_options(), max_request_size=64 * 1024 * 1024)
    try:
        for event in events:
            key, value, headers = raw_message(event)
            producer.send(
                settings.submissions_topic,
                key=key,
                value=value,
                headers=headers,
                partition=partition,
            ).get(timeout=30)
    finally:
        producer.close(timeout=10)


def test_a_10_mb_submission_is_refused_with_its_size_and_the_partition_goes_on(
    kafka: Settings,
) -> None:
    huge = padded(registration("HUGE"), TEN_MB)
    behind = simple_journey("C1")
    # One partition: the valid journey sits behind the huge submission. The processor's
    # fetch sizes are below 10 MB, so this also checks it can still fetch the message.
    send_raw(kafka, [huge, *behind])

    summary = process_until_idle(kafka)

    codec = default_codec()
    recorded = [codec.decode(m.value).event_id for m in read_topic(kafka, kafka.events_topic)]
    assert recorded == [event.event_id for event in behind]
    assert (summary.accepted, summary.too_large, summary.submissions) == (3, 1, 4)

    [rejection] = read_rejections(kafka)
    assert rejection.rule_code == "SUBMISSION_TOO_LARGE"
    assert rejection.field == "value"
    assert rejection.original_size == TEN_MB
    assert f"{TEN_MB:,} bytes" in rejection.message
    assert f"{limits.MAX_SUBMISSION_BYTES:,}" in rejection.message
    assert rejection.submission == f"{kafka.submissions_topic}[0]@0"
    # The copy is a prefix of what was sent, small enough for any broker.
    _, value, _ = raw_message(huge)
    assert rejection.value == value[: limits.REJECTED_PREFIX_BYTES]
    assert rejection.child_id is None  # never decoded; the sender's key is not kept

    again = process_until_idle(kafka)
    assert again.submissions == 0


def test_a_submission_at_the_limit_is_judged_and_one_byte_more_is_refused_for_its_size(
    kafka: Settings,
) -> None:
    at_limit = padded(registration("C1"), limits.MAX_SUBMISSION_BYTES)
    over = padded(registration("C2"), limits.MAX_SUBMISSION_BYTES + 1)
    send_raw(kafka, [at_limit, over, *simple_journey("C3")])

    summary = process_until_idle(kafka)

    too_large = [r for r in read_rejections(kafka) if r.rule_code == "SUBMISSION_TOO_LARGE"]
    assert [r.original_size for r in too_large] == [limits.MAX_SUBMISSION_BYTES + 1]
    assert summary.too_large == 1
    recorded = {m.key for m in read_topic(kafka, kafka.events_topic)}
    assert pseudonym_for(kafka, LA, "C3").encode() in recorded


def test_a_transaction_the_writer_cannot_write_is_named_by_its_submissions(
    kafka: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    writers: list[ProcessWriter] = []
    start = ProcessWriter.start

    def start_and_remember(self: ProcessWriter) -> None:
        start(self)
        writers.append(self)

    monkeypatch.setattr(ProcessWriter, "start", start_and_remember)
    send_raw(kafka, [registration(f"C{n}") for n in range(3)], partition=0)

    def kill_the_writer(_: ProcessSummary) -> None:
        # Once the first batch is committed, the writer child dies: the next one fails.
        process = writers[0]._process
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()

    processor = SubmissionProcessor(kafka, batch_size=1, on_batch=kill_the_writer)
    with pytest.raises(RecordTransactionFailed) as failure:
        processor.run(until_idle=True)

    # One submission per batch: the first was committed, the second is the one lost.
    assert str(failure.value).startswith(
        f"the transaction of submissions {kafka.submissions_topic}[0]@1 (1 submission) "
        "was not written"
    )
    assert processor.summary.transactions == 1


@pytest.mark.slow
def test_journeys_process_goes_on_and_journeys_rejected_shows_the_size_and_the_limit(
    kafka: Settings,
) -> None:
    send_raw(kafka, [padded(registration("HUGE"), TEN_MB), *simple_journey("C1")])

    processed = run_journeys(kafka, "process", "--until-idle")
    assert processed.returncode == 0, processed.stderr
    assert "3 accepted" in processed.stdout
    assert "1 too large" in processed.stdout

    rejected = run_journeys(kafka, "rejected")
    assert rejected.returncode == 0, rejected.stderr
    [row] = [line for line in rejected.stdout.splitlines() if "SUBMISSION_TOO_LARGE" in line]
    assert f"{TEN_MB:,} bytes" in row
    assert f"{limits.MAX_SUBMISSION_BYTES:,} bytes" in row
