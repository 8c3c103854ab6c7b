"""Freshness: how long after a submission a reader of the snapshot can see its event.

A record of `scaled(1_000_000, scale)` events of a synthetic authority is produced straight
onto the events topic (the processor is not what builds it) and projected. Then the
processor (`journeys process`) and a following runner (`journeys project --follow`) run
as the service runs them, each in its own process, while submissions of new children are
published at a steady `RATE` a second for `SECONDS` seconds. Three watchers note when
each event is first seen:

- the baseline: a read_committed consumer of the events topic (the event is recorded);
- a figure: a reader that opens the snapshot afresh each time it is replaced, as a BI
  tool refreshing would (the event can be read by an analyst from the file);
- a figure: a reader of the follower's served reads (projections.served_reads), as the
  project's read commands read while a follower serves: it asks the follower, every
  `SERVED_POLL_SECONDS`, how far the projection has read, and for the new events when
  that moved.

Each latency is from the moment the submission was handed to the producer. Reported:
p50, p95 and p99 of each, beside the topic's (lower is better; the issue's target is a
p95 of at most 1 s). At `--scale 10` the record holds 10 million events.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from benchmarks.conftest import record_ratio, scaled
from benchmarks.test_processor_throughput import journeys
from benchmarks.test_projection_rebuild import _produce_synthetic_topic
from events.catalogue import JourneyEvent
from events.settings import IDENTIFIED, Settings

EVENTS_AT_SCALE_1 = 1_000_000
RATE = 1_000  # submissions a second
SECONDS = 30
GRACE_SECONDS = 120  # after the last submission, how long every event may take to show
SERVED_POLL_SECONDS = 0.02
_POSITION = "select sum(next_offset) from consumed_offsets"
# The benchmark's children are B0, B1, ...; the record's are C0000001, ... The database
# names children by pseudonym (projections.privacy): the benchmark projects in the
# identified mode, whose authority_child_id is the authority's own id.
_NEW_EVENTS = "select cast(event_id as varchar) from event_log where authority_child_id like 'B%'"


def _paced(events: list[JourneyEvent], sent: dict[str, float]) -> Iterator[JourneyEvent]:
    """The events at RATE a second, each one's hand-over time noted by its event_id."""
    started = time.monotonic()
    for number, event in enumerate(events):
        delay = started + number / RATE - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        sent[str(event.event_id)] = time.monotonic()
        yield event


def _watch_topic(settings: Settings, seen: dict[str, float], stop: threading.Event) -> None:
    from events.codec import default_codec

    codec = default_codec()
    consumer = KafkaConsumer(
        **settings.client_options(), group_id=None, enable_auto_commit=False,
        isolation_level="read_committed", fetch_max_wait_ms=20,
    )  # fmt: skip
    numbers = consumer.partitions_for_topic(settings.events_topic)
    partitions = [TopicPartition(settings.events_topic, n) for n in sorted(numbers)]
    consumer.assign(partitions)
    consumer.seek_to_end(*partitions)
    try:
        while not stop.is_set():
            for messages in consumer.poll(timeout_ms=50).values():
                now = time.monotonic()
                for message in messages:
                    seen.setdefault(str(codec.decode(message.value).event_id), now)
    finally:
        consumer.close()


def _watch_snapshot(database: Path, seen: dict[str, float], stop: threading.Event) -> None:
    from projections.snapshot import open_snapshot, snapshot_path

    path = snapshot_path(database)
    opened: tuple[int, int] | None = None
    while not stop.is_set():
        status = path.stat()
        if (status.st_ino, status.st_mtime_ns) != opened:
            now = time.monotonic()
            connection = open_snapshot(database)
            try:
                rows = connection.execute(_NEW_EVENTS).fetchall()
            finally:
                connection.close()
            opened = (status.st_ino, status.st_mtime_ns)
            for (event_id,) in rows:
                seen.setdefault(event_id, now)
        time.sleep(0.02)


def _watch_served(database: Path, seen: dict[str, float], stop: threading.Event) -> None:
    from projections.exceptions import ServedReadsUnavailable
    from projections.read_protocol import served_reads_path
    from projections.readers import ServedReads

    path = served_reads_path(database)
    read_up_to: object = None
    while not stop.is_set():
        now = time.monotonic()  # a session's view is taken as it opens
        try:
            reads = ServedReads(path)
        except ServedReadsUnavailable:
            time.sleep(SERVED_POLL_SECONDS)
            continue
        try:
            (position,) = reads.execute(_POSITION).fetchone() or (None,)
            rows = reads.execute(_NEW_EVENTS).fetchall() if position != read_up_to else []
        finally:
            reads.close()
        read_up_to = position
        for (event_id,) in rows:
            seen.setdefault(event_id, now)
        time.sleep(SERVED_POLL_SECONDS)


def _service(settings: Settings, log: Path, *arguments: str) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": str(settings.bootstrap_servers),
        "JOURNEYS_TOPIC_PREFIX": settings.topic_prefix,
        "JOURNEYS_DB": str(settings.database),
        "JOURNEYS_STATE_DIR": str(settings.state_dir),
        "JOURNEYS_KEY_STORE": str(settings.key_store),
        "JOURNEYS_MASTER_KEY_FILE": str(settings.master_key_file),
        "JOURNEYS_ANALYSIS": settings.analysis,
        "PYTHONPATH": str(Path(__file__).parent.parent),
    }
    with log.open("wb") as output:  # a file, not a pipe: a full pipe would stall it
        return subprocess.Popen(
            [sys.executable, "-m", "journeys", *arguments],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _wait_until_served(
    settings: Settings, processes: list[subprocess.Popen[bytes]], scale: float
) -> None:
    """Publish one submission of a child W0 and wait until the snapshot shows it: the
    processor has joined its group and the runner follows, before anything is timed."""
    from journeys.kafka.publish import publish_events
    from projections.snapshot import open_snapshot

    warm_up = [replace(event, child_id="W0", event_id=uuid.uuid4()) for event in journeys(1)[:1]]
    publish_events(settings, warm_up)
    # The processor first reads the whole record into its state store.
    deadline = time.monotonic() + 600 * max(1.0, scale)
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise AssertionError(f"{process.args} stopped with status {process.returncode}")
        connection = open_snapshot(settings.database)
        try:
            (shown,) = connection.execute(
                "select count(*) from event_log where authority_child_id = 'W0'"
            ).fetchone()
        finally:
            connection.close()
        if shown:
            return
        time.sleep(0.5)
    raise AssertionError("the warm-up submission never reached the snapshot")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _percentiles(latencies: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def test_freshness_of_the_snapshot_and_the_served_reads_beside_the_topic(
    benchmark: Any, scale: float, kafka: Settings, tmp_path: Path
) -> None:
    from journeys.kafka.publish import publish_events
    from projections.runner import project

    # A topic prefix, state and database of this benchmark's own; identified, so that the
    # watchers find the benchmark's children by their own ids.
    settings = replace(kafka, analysis=IDENTIFIED)
    in_record = _produce_synthetic_topic(settings, scaled(EVENTS_AT_SCALE_1, scale))
    assert project(settings, follow=False).events == in_record
    submissions = journeys(RATE * SECONDS // 3)

    sent: dict[str, float] = {}
    on_topic: dict[str, float] = {}
    in_snapshot: dict[str, float] = {}
    served: dict[str, float] = {}
    stop = threading.Event()
    watchers = [
        threading.Thread(target=_watch_topic, args=(settings, on_topic, stop), daemon=True),
        threading.Thread(
            target=_watch_snapshot, args=(settings.database, in_snapshot, stop), daemon=True
        ),
        threading.Thread(target=_watch_served, args=(settings.database, served, stop), daemon=True),
    ]
    processor = _service(settings, tmp_path / "process.log", "process")
    runner = _service(settings, tmp_path / "project.log", "project", "--follow", "--serve-reads")
    try:
        _wait_until_served(settings, [processor, runner], scale)
        for watcher in watchers:
            watcher.start()
        time.sleep(1)  # the topic watcher is at the end of the topic

        def publish() -> None:
            publish_events(settings, _paced(submissions, sent))

        benchmark.pedantic(publish, rounds=1, iterations=1)
        deadline = time.monotonic() + GRACE_SECONDS
        while min(len(in_snapshot), len(served)) < len(sent) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        for service in (processor, runner):
            _stop(service)
        for watcher in watchers:
            watcher.join(timeout=10)
    assert len(sent) == len(submissions)
    missing = len(set(sent) - set(in_snapshot))
    assert missing == 0, f"{missing} of {len(sent)} events never reached the snapshot"
    missing = len(set(sent) - set(served))
    assert missing == 0, f"{missing} of {len(sent)} events never reached the served reads"
    topic = [on_topic[event_id] - sent[event_id] for event_id in sent if event_id in on_topic]
    snapshot = [in_snapshot[event_id] - sent[event_id] for event_id in sent]
    topic_p = _percentiles(topic)
    snapshot_p = _percentiles(snapshot)
    served_p = _percentiles([served[event_id] - sent[event_id] for event_id in sent])
    print(
        f"\n{in_record:,} events in the record, {len(sent):,} submissions at {RATE}/s: "
        f"on the topic p50/p95/p99 {topic_p[0]:.3f}/{topic_p[1]:.3f}/{topic_p[2]:.3f} s; "
        f"in the snapshot {snapshot_p[0]:.3f}/{snapshot_p[1]:.3f}/{snapshot_p[2]:.3f} s; "
        f"served {served_p[0]:.3f}/{served_p[1]:.3f}/{served_p[2]:.3f} s"
    )
    for reader, figures in (("snapshot", snapshot_p), ("served", served_p)):
        for name, figure, baseline in zip(("p50", "p95", "p99"), figures, topic_p, strict=True):
            record_ratio(
                benchmark,
                f"{reader}_{name}_seconds_vs_topic",
                figure,
                baseline,
                "s",
                higher_is_better=False,
            )
