"""Submissions recorded per second, beside the ceiling: a raw transactional pass-through.

Baseline (the ceiling): kafka-python consumes the same submissions in the same batch size
as a consumer-group member and produces the same bytes to another topic, committing the
offsets in each transaction: exactly-once read-process-write with no processing at all.
Figure: the submission processor (decode, Journey rules, Avro mapper, state store).
Both rates are measured from the first committed batch to the last, so the one-off group
join does not count. Rounds alternate ceiling and processor, each on fresh topics, and the
best round of each counts, so a noisy neighbour on the machine hurts both alike.

A second figure: the processor with sealing on (every child enrolled in the key store and
named by pseudonym, the personal fields sealed; what it always does) against the same
processor with sealing off (`_WithoutSealing`: submissions recorded as sent), each round
running both.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import OffsetAndMetadata

from benchmarks.conftest import record_ratio, scaled
from events.catalogue import AssessmentStarted, ChildRegistered, JourneyEvent, ReferralReceived
from events.settings import Settings
from journeys.kafka import processor
from journeys.kafka.processor import DEFAULT_BATCH_SIZE, ProcessSummary, SubmissionProcessor
from journeys.kafka.publish import publish_events
from journeys.kafka.topics import ensure_topics

SUBMISSIONS = 30_000
ROUNDS = 4


def journeys(children: int) -> list[JourneyEvent]:
    recorded = datetime(2016, 5, 1, tzinfo=UTC)

    def envelope(child: str, day: date, minutes: int) -> dict[str, Any]:
        return {
            "event_id": uuid.uuid4(),
            "child_id": child,
            "local_authority": "371",
            "occurred_on": day,
            "recorded_at": recorded + timedelta(minutes=minutes),
            "source_system": "benchmark",
        }

    events: list[JourneyEvent] = []
    for n in range(children):
        child = f"B{n}"
        events += [
            ChildRegistered(
                **envelope(child, date(2015, 1, 5), 0),
                date_of_birth=date(2010, 3, 14),
                sex="M",
                ethnicity="WBRI",
            ),
            ReferralReceived(**envelope(child, date(2015, 2, 1), 1), referral_id="R1", source="1A"),
            AssessmentStarted(
                **envelope(child, date(2015, 2, 3), 2), assessment_id="A1", referral_id="R1"
            ),
        ]
    return events


class _NoKeyStore:
    """What the processor asks of a key store, answered with nothing to do."""

    def refresh(self) -> bool:
        return False

    def batch(self) -> contextlib.nullcontext[None]:
        return contextlib.nullcontext()

    def erasures(self) -> list[Any]:
        return []

    def close(self) -> None:
        pass


class _WithoutSealing:
    """The processor's privacy with sealing off: the baseline of the sealing's own cost."""

    key_store = _NoKeyStore()

    def admit(self, event: JourneyEvent, submitted: bytes) -> JourneyEvent:
        return event

    def seal(self, payload: JourneyEvent) -> JourneyEvent:
        return payload

    def open(self, payload: JourneyEvent) -> JourneyEvent:
        return payload


class _Clock:
    """Rate from the first committed batch to the last."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.first_count = 0
        self.last = 0.0
        self.count = 0

    def committed(self, n: int) -> None:
        now = time.perf_counter()
        self.count += n
        if self.first is None:
            self.first, self.first_count = now, self.count
        self.last = now

    def rate(self) -> float:
        assert self.first is not None and self.last > self.first, "fewer than two batches"
        return (self.count - self.first_count) / (self.last - self.first)


def pass_through(settings: Settings, total: int, clock: _Clock) -> None:
    """The ceiling: consume, produce the same bytes, commit offsets in the transaction."""
    options = settings.client_options()
    producer = KafkaProducer(
        **options, transactional_id=f"{settings.topic_prefix}ceiling", linger_ms=100,
        batch_size=512 * 1024, acks="all",
    )  # fmt: skip
    producer.init_transactions()
    consumer = KafkaConsumer(
        **options, group_id=f"{settings.topic_prefix}ceiling", isolation_level="read_committed",
        enable_auto_commit=False, auto_offset_reset="earliest", session_timeout_ms=4_000,
        heartbeat_interval_ms=1_000, max_poll_interval_ms=60_000,
        max_partition_fetch_bytes=8 * 1024 * 1024,
    )  # fmt: skip
    consumer.subscribe([settings.submissions_topic])
    copied = 0
    try:
        while copied < total:
            batches = consumer.poll(timeout_ms=200, max_records=DEFAULT_BATCH_SIZE)
            if not batches:
                continue
            producer.begin_transaction()
            n = 0
            for records in batches.values():
                for record in records:
                    producer.send(
                        settings.events_topic, key=record.key, value=record.value,
                        headers=record.headers,
                    )  # fmt: skip
                    n += 1
            producer.send_offsets_to_transaction(
                {tp: OffsetAndMetadata(rs[-1].offset + 1, "", -1) for tp, rs in batches.items()},
                consumer.group_metadata(),
            )
            producer.commit_transaction()
            copied += n
            clock.committed(n)
    finally:
        consumer.close(autocommit=False)
        producer.close()


def _processor_rate(settings: Settings, expected: int, run: Callable[..., Any] | None) -> float:
    clock = _Clock()

    def on_batch(batch: ProcessSummary) -> None:
        clock.committed(batch.submissions)

    def process() -> ProcessSummary:
        return SubmissionProcessor(settings, on_batch=on_batch).run(until_idle=True)

    summary = run(process, rounds=1, iterations=1) if run is not None else process()
    assert summary.accepted == expected
    return clock.rate()


def test_processor_throughput_against_a_raw_transactional_pass_through(
    benchmark: Any,
    scale: float,
    kafka_cluster: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = journeys(scaled(SUBMISSIONS, scale) // 3)
    ceiling_rates: list[float] = []
    rates: list[float] = []
    unsealed_rates: list[float] = []
    for round_number in range(ROUNDS):
        run = uuid.uuid4().hex[:8]
        ceiling_settings = replace(kafka_cluster, topic_prefix=f"bench-{run}-ceiling.")
        ours, unsealed = (
            replace(
                kafka_cluster,
                topic_prefix=f"bench-{run}-{name}.",
                state_dir=tmp_path / f"{name}-{round_number}" / "state",
                key_store=tmp_path / f"{name}-{round_number}" / "keys.sqlite",
                master_key_file=tmp_path / f"{name}-{round_number}" / "master.key",
            )
            for name in ("ours", "unsealed")
        )
        for settings in (ceiling_settings, ours, unsealed):
            ensure_topics(settings)
            publish_events(settings, events)

        ceiling = _Clock()
        pass_through(ceiling_settings, len(events), ceiling)
        ceiling_rates.append(ceiling.rate())

        last = round_number == ROUNDS - 1
        rates.append(_processor_rate(ours, len(events), benchmark.pedantic if last else None))
        with monkeypatch.context() as patched:
            patched.setattr(processor, "open_record_privacy", lambda *_: _WithoutSealing())
            unsealed_rates.append(_processor_rate(unsealed, len(events), None))
    record_ratio(benchmark, "submissions", max(rates), max(ceiling_rates), unit="submissions/s")
    record_ratio(
        benchmark,
        "submissions_sealed_vs_without_sealing",
        max(rates),
        max(unsealed_rates),
        unit="submissions/s",
    )
