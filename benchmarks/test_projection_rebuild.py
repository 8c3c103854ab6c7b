"""Projection rebuild speed and memory, each beside a baseline measured in the same run.

One events topic of `scaled(1_000_000, scale)` accepted events (a synthetic authority from
`journeys.synthetic`, Avro-encoded as the processor writes them) is produced once for the
module. Then, on that same topic:

- rebuild events/s (`projections.runner.rebuild`, in its own process) against a raw
  kafka-python consume of the whole topic (own process, same client settings, values
  discarded): target >= 60% of it;
- rebuild events/s against a naive projection that decodes each message and runs one
  INSERT per event (in its own DuckDB transaction, as a row-at-a-time loop would). The
  naive one runs on a prefix of the topic (`NAIVE_SHARE`, at most `NAIVE_MOST` events:
  its rate does not depend on the topic's size, and at --scale 10 the share alone took
  five minutes) and is compared by rate;
  target >= 20x;
- the time to compute all indicators of one year on the rebuilt database, beside one full
  read of every column of the event log (lower is better);
- the peak memory (max RSS) of the rebuild process beside that of the raw consume; and,
  since the rebuild decodes in a worker process whose memory its own max RSS leaves out,
  its peak plus the largest peak of its child processes beside the same for the raw
  consume (an upper bound: the two peaks need not coincide).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from benchmarks.conftest import record_ratio, scaled
from events.settings import Settings

EVENTS_AT_SCALE_1 = 1_000_000
NAIVE_SHARE = 0.005
NAIVE_MOST = 5_000
INDICATOR_YEAR = 2020


def _produce_synthetic_topic(settings: Settings, wanted: int) -> int:
    """`wanted` events of a synthetic authority straight onto the events topic, as the
    processor records them (key, value and headers; not in transactions): each child
    enrolled in the settings' key store and named by pseudonym, personal fields sealed. A
    record the projection reads and the processor resumes on, made in minutes at national
    scale."""
    from events.codec import default_codec
    from events.key_store import open_key_store
    from events.personal_data import has_personal_fields, seal
    from journeys.domain.journey import journey_id
    from journeys.kafka.record_reader import EVENT_ID, EVENT_TYPE, JOURNEY_ID, JOURNEY_VERSION
    from journeys.synthetic import AuthorityParameters, generate

    codec = default_codec()
    versions: dict[str, int] = {}  # per child, its journey's version so far
    # About 6.8 events per child: ask for enough children, stop at `wanted`.
    children = max(100, int(wanted / 6.0))
    producer = KafkaProducer(
        **settings.client_options(),
        acks=1,
        linger_ms=20,
        batch_size=1024 * 1024,
        max_request_size=8 * 1024 * 1024,
        enable_idempotence=False,
    )
    key_store = open_key_store(settings, may_create=True)
    produced = 0
    try:
        with key_store.batch():
            for event in generate(AuthorityParameters(children=children, seed=2024)):
                pseudonym = key_store.enrol(event.local_authority, event.child_id)
                event = replace(event, child_id=pseudonym)
                if has_personal_fields(type(event)):
                    event = seal(event, key_store.data_key(pseudonym))  # type: ignore[arg-type]
                version = versions[pseudonym] = versions.get(pseudonym, 0) + 1
                journey = journey_id(event.local_authority, pseudonym)
                producer.send(
                    settings.events_topic,
                    value=codec.encode(event),
                    key=pseudonym.encode(),
                    headers=[
                        (EVENT_TYPE, event.event_type.encode()),
                        (JOURNEY_ID, str(journey).encode()),
                        (JOURNEY_VERSION, str(version).encode()),
                        (EVENT_ID, str(event.event_id).encode()),
                    ],
                )
                produced += 1
                if produced >= wanted:
                    break
        producer.flush()
    finally:
        producer.close()
        key_store.close()
    return produced


@pytest.fixture(scope="module")
def events_topic(
    kafka_cluster: Settings, scale: float, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, int]]:
    from journeys.kafka.topics import ensure_topics

    directory = tmp_path_factory.mktemp("projection")
    settings = replace(
        kafka_cluster,
        topic_prefix=f"bench-projection-{uuid.uuid4().hex[:8]}.",
        database=directory / "journeys.duckdb",
        key_store=directory / "journeys-keys.sqlite",
        master_key_file=directory / "journeys-master.key",
    )
    ensure_topics(settings)
    produced = _produce_synthetic_topic(settings, scaled(EVENTS_AT_SCALE_1, scale))
    yield settings, produced


# The workloads, each run in a fresh process so peak memory is its own.


def raw_consume(settings: Settings, expected: int) -> None:
    """Read every message of the topic with kafka-python and discard it."""
    consumer = KafkaConsumer(
        **settings.client_options(),
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
        max_poll_records=20_000,
        max_partition_fetch_bytes=8 * 1024 * 1024,
        fetch_max_bytes=64 * 1024 * 1024,
    )
    numbers = consumer.partitions_for_topic(settings.events_topic)
    partitions = [TopicPartition(settings.events_topic, n) for n in sorted(numbers)]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    seen = 0
    while seen < expected:
        for messages in consumer.poll(timeout_ms=500).values():
            seen += len(messages)
    consumer.close()


def rebuild(settings: Settings, expected: int) -> None:
    from projections.runner import rebuild as rebuild_projection

    count = rebuild_projection(settings).events
    if count != expected:
        raise AssertionError(f"rebuild projected {count} events, not {expected}")


class _WithoutSealing:
    """The runner's opener with sealing off: the birthdays from the date of birth as
    decoded (the placeholder: no child's dates), no key store, nothing opened or checked.
    The baseline of the sealing's own cost in a rebuild."""

    erased: frozenset[str] = frozenset()

    def __init__(self, *_: object) -> None:
        pass

    @classmethod
    def for_settings(cls, settings: Settings) -> _WithoutSealing:
        return cls()

    def open(self, batch: Any) -> Any:
        from projections.privacy import with_birthdays

        return with_birthdays(batch)

    def refresh(self) -> bool:
        return False

    def close(self) -> None:
        pass


def rebuild_without_sealing(settings: Settings, expected: int) -> None:
    import projections.runner

    projections.runner.PersonalDataOpener = _WithoutSealing  # type: ignore[misc, assignment]
    rebuild(replace(settings, database=settings.database.with_name("unsealed.duckdb")), expected)


def naive_insert(settings: Settings, expected: int) -> None:
    """One INSERT per event, each its own transaction: the loop the runner avoids."""
    from events.codec import default_codec
    from projections.schema import COLUMN_NAMES, UUID_COLUMNS, event_log_ddl

    codec = default_codec()
    path = settings.database.with_name("naive.duckdb")
    path.unlink(missing_ok=True)
    connection = duckdb.connect(str(path))
    connection.execute(event_log_ddl())
    placeholders = ", ".join("?" for _ in COLUMN_NAMES)
    insert = f"insert into event_log values ({placeholders})"
    consumer = KafkaConsumer(
        **settings.client_options(),
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    numbers = consumer.partitions_for_topic(settings.events_topic)
    partitions = [TopicPartition(settings.events_topic, n) for n in sorted(numbers)]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    seen = 0
    while seen < expected:
        for partition, messages in consumer.poll(timeout_ms=500).items():
            for message in messages:
                if seen >= expected:
                    break
                event_type, fields = codec.decode_record(message.value)
                row = {
                    **fields,
                    "event_type": event_type,
                    "kafka_partition": partition.partition,
                    "kafka_offset": message.offset,
                }
                values = [
                    str(row[n]) if n in UUID_COLUMNS and row.get(n) is not None else row.get(n)
                    for n in COLUMN_NAMES
                ]
                connection.execute(insert, values)
                seen += 1
    consumer.close()
    connection.close()


WORKLOADS = {
    "raw_consume": raw_consume,
    "rebuild": rebuild,
    "rebuild_without_sealing": rebuild_without_sealing,
    "naive_insert": naive_insert,
}


def _main() -> None:
    """Run one workload, then print its seconds and peak RSS as JSON (for the parent)."""
    workload, bootstrap, prefix, database, expected = sys.argv[1:6]
    settings = replace(
        Settings.from_environment(),
        bootstrap_servers=bootstrap,
        topic_prefix=prefix,
        database=Path(database),
        key_store=Path(database).with_name("journeys-keys.sqlite"),
        master_key_file=Path(database).with_name("journeys-master.key"),
    )
    started = time.perf_counter()
    WORKLOADS[workload](settings, int(expected))
    seconds = time.perf_counter() - started
    peak_kib = _peak_of_this_program_kib()
    # Children that have exited and been waited for (the rebuild's decoder worker).
    children_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mib": peak_kib / 1024,
                "children_peak_mib": children_kib / 1024,
            }
        )
    )


def _peak_of_this_program_kib() -> int:
    """This program's peak resident memory (VmHWM), in KiB.

    Not ru_maxrss: Linux keeps that across exec, so a workload started from a large
    pytest process would report the parent's peak (both workloads showed 1,739 MiB).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux


def run_workload(name: str, settings: Settings, expected: int) -> dict[str, float]:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from benchmarks.test_projection_rebuild import _main; _main()",
            name,
            str(settings.bootstrap_servers),
            settings.topic_prefix,
            str(settings.database),
            str(expected),
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )
    if result.returncode != 0:
        raise AssertionError(f"{name} failed:\n{result.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def test_rebuild_beside_raw_consume_and_naive_inserts(
    benchmark: Any, events_topic: tuple[Settings, int]
) -> None:
    settings, produced = events_topic
    raw = run_workload("raw_consume", settings, produced)
    naive_count = min(NAIVE_MOST, max(1000, int(produced * NAIVE_SHARE)))
    naive = run_workload("naive_insert", settings, naive_count)
    rebuilt: dict[str, float] = {}

    def measured_rebuild() -> None:
        rebuilt.update(run_workload("rebuild", settings, produced))

    benchmark.pedantic(measured_rebuild, rounds=1, iterations=1)
    unsealed = run_workload("rebuild_without_sealing", settings, produced)
    rebuild_rate = produced / rebuilt["seconds"]
    print(
        f"\n{produced:,} events; rebuild {rebuilt['seconds']:.1f} s, raw consume "
        f"{raw['seconds']:.1f} s, naive {naive_count:,} events in {naive['seconds']:.1f} s"
    )
    record_ratio(
        benchmark, "rebuild_vs_raw_consume", rebuild_rate, produced / raw["seconds"], "events/s"
    )
    record_ratio(
        benchmark,
        "rebuild_sealed_vs_without_sealing",
        rebuild_rate,
        produced / unsealed["seconds"],
        "events/s",
    )
    record_ratio(
        benchmark,
        "rebuild_vs_naive_insert_per_event",
        rebuild_rate,
        naive_count / naive["seconds"],
        "events/s",
    )
    record_ratio(
        benchmark,
        "rebuild_peak_memory_vs_raw_consume",
        rebuilt["peak_mib"],
        raw["peak_mib"],
        "MiB",
        higher_is_better=False,
    )
    record_ratio(
        benchmark,
        "rebuild_peak_memory_with_children_vs_raw_consume",
        rebuilt["peak_mib"] + rebuilt["children_peak_mib"],
        raw["peak_mib"] + raw["children_peak_mib"],
        "MiB",
        higher_is_better=False,
    )


def test_indicators_for_one_year_beside_one_read_of_the_log(
    benchmark: Any, events_topic: tuple[Settings, int]
) -> None:
    from projections.definitions import indicator_definitions
    from projections.indicators import indicators_for_year
    from projections.snapshot import open_snapshot

    settings, produced = events_topic
    if not settings.database.exists():
        run_workload("rebuild", settings, produced)
    connection = open_snapshot(settings.database)
    try:
        connection.execute("select * from event_log").to_arrow_table()  # warm the cache
        started = time.perf_counter()
        connection.execute("select * from event_log").to_arrow_table()
        full_read = time.perf_counter() - started
        result = benchmark.pedantic(
            indicators_for_year, args=(connection, INDICATOR_YEAR), rounds=3, warmup_rounds=1
        )
        assert result.num_rows == len(indicator_definitions())
        record_ratio(
            benchmark,
            "indicators_one_year_vs_reading_the_log",
            benchmark.stats.stats.mean,
            full_read,
            "s",
            higher_is_better=False,
        )
    finally:
        connection.close()
