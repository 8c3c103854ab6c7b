"""The projection runner through Kafka: in pieces, rebuilt, and killed mid-batch.

Each test publishes a synthetic authority's accepted events to its own events topic the
way the processor does (Avro single-object value, key child_id, header event_type), runs
the runner, and compares the database with a projection of the same events loaded in one
piece through the bulk loader (without Kafka).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace

import duckdb
import pytest
from kafka import KafkaProducer
from record_writing import as_recorded, recorded_messages

from events.catalogue import JourneyEvent
from events.codec import default_codec
from events.settings import Settings
from journeys.synthetic import AuthorityParameters, generate
from projections.database import open_in_memory
from projections.exceptions import ProjectionError
from projections.load import append, batch_of, consumed_offsets
from projections.privacy import PersonalDataOpener
from projections.runner import RunnerOptions, project, rebuild
from projections.snapshot import open_snapshot

pytestmark = pytest.mark.kafka

TABLES = (
    "children", "referrals", "assessments", "enquiries", "cp_plans", "periods_of_care",
    "legal_status_spells", "placement_spells", "placements", "personal_advisers",
    "care_leaver_contacts", "indicators",
)  # fmt: skip


def publish(settings: Settings, events: list[JourneyEvent]) -> None:
    """The events straight onto the record, as the processor writes them."""
    producer = KafkaProducer(**settings.client_options(), linger_ms=5, acks="all")
    try:
        for event, key, value in recorded_messages(settings, events):
            producer.send(
                settings.events_topic,
                value=value,
                key=key,
                headers=[("event_type", event.event_type.encode())],
            )
        producer.flush()
    finally:
        producer.close()


def contents(connection: duckdb.DuckDBPyConnection) -> dict[str, object]:
    found = {
        table: connection.execute(f"select * from {table} order by all").to_arrow_table()
        for table in TABLES
    }
    found["event_log"] = connection.execute(
        "select * exclude (kafka_partition, kafka_offset) from event_log order by all"
    ).to_arrow_table()
    return found


def assert_same_projection(settings: Settings, events: list[JourneyEvent]) -> None:
    """The runner's database equals the events loaded without Kafka, opened the same way."""
    expected = open_in_memory()
    opener = PersonalDataOpener.for_settings(settings)
    try:
        append(
            expected, "loaded-without-kafka", opener.open(batch_of(as_recorded(settings, events)))
        )
    finally:
        opener.close()
    actual = duckdb.connect(str(settings.database), read_only=True)
    try:
        want, got = contents(expected), contents(actual)
        assert got["event_log"].num_rows == len(events)
        for table in want:
            assert got[table].equals(want[table]), f"{table} differs"
    finally:
        actual.close()


@pytest.fixture
def history() -> list[JourneyEvent]:
    return list(generate(AuthorityParameters(children=200, seed=5)))


def test_projects_in_pieces_rebuilds_and_serves_a_snapshot(
    kafka: Settings, history: list[JourneyEvent]
) -> None:
    half = len(history) // 2
    publish(kafka, history[:half])
    options = RunnerOptions(max_batch=300)
    assert project(kafka, follow=False, options=options).events == half
    publish(kafka, history[half:])
    assert project(kafka, follow=False, options=options).events == len(history) - half
    assert project(kafka, follow=False, options=options).events == 0
    assert_same_projection(kafka, history)

    snapshot = open_snapshot(kafka.database)
    try:
        assert snapshot.execute("select count(*) from event_log").fetchone() == (len(history),)
    finally:
        snapshot.close()

    writer = duckdb.connect(str(kafka.database))
    offsets_before = consumed_offsets(writer, kafka.events_topic)
    writer.close()
    assert rebuild(kafka, options=RunnerOptions(max_batch=5000)).events == len(history)
    assert_same_projection(kafka, history)
    writer = duckdb.connect(str(kafka.database))
    assert consumed_offsets(writer, kafka.events_topic) == offsets_before
    writer.close()


DIES_ON_THIRD_BATCH = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from dataclasses import replace
    from events.settings import Settings
    import projections.load as load
    import projections.runner as runner

    batches = 0

    def append_then_die_on_the_third(connection, topic, batch):
        global batches
        batches += 1
        if batches < 3:
            return load.append_in_transaction(connection, topic, batch)
        # Half-way through the third batch: its rows inserted, not committed. SIGKILL.
        connection.register("incoming_events", batch)
        connection.execute(
            f"insert into event_log select {load._SELECT_INCOMING} from incoming_events"
        )
        os.kill(os.getpid(), signal.SIGKILL)

    runner.append_in_transaction = append_then_die_on_the_third
    settings = replace(
        Settings.from_environment(), bootstrap_servers=sys.argv[1], topic_prefix=sys.argv[2]
    )
    settings = replace(
        settings,
        database=Path(sys.argv[3]),
        key_store=Path(sys.argv[4]),
        master_key_file=Path(sys.argv[5]),
    )
    # Batches of 250 committed every 500 rows: the first two batches share a transaction,
    # the third opens the next one and dies in it. No snapshot between them (one is
    # published at the first turn, before any batch is decoded): on a loaded machine a
    # second between two batches would publish, and so commit, the first alone. Nor a
    # commit for served reads: the test counts on those two commits alone.
    options = runner.RunnerOptions(
        max_batch=250, commit_rows=500, snapshot_interval_seconds=3600, read_commit_seconds=3600
    )
    runner.project(settings, follow=True, options=options)
    """
)


def test_a_runner_killed_mid_batch_resumes_without_losing_or_repeating_events(
    kafka: Settings, history: list[JourneyEvent]
) -> None:
    publish(kafka, history)
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            DIES_ON_THIRD_BATCH,
            str(kafka.bootstrap_servers),
            kafka.topic_prefix,
            str(kafka.database),
            str(kafka.key_store),
            str(kafka.master_key_file),
        ],
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr.decode()
    after_crash = duckdb.connect(str(kafka.database))
    assert after_crash.execute("select count(*) from event_log").fetchone() == (500,)
    assert sum(consumed_offsets(after_crash, kafka.events_topic).values()) == 500
    after_crash.close()

    assert project(replace(kafka), follow=False).events == len(history) - 500
    assert_same_projection(kafka, history)


def test_an_undecodable_message_stops_the_runner_naming_its_partition_and_offset(
    kafka: Settings, history: list[JourneyEvent]
) -> None:
    codec = default_codec()
    history = as_recorded(kafka, history)
    good = history[:40]
    producer = KafkaProducer(**kafka.client_options(), linger_ms=5, acks="all")
    try:
        for event in good:
            producer.send(kafka.events_topic, value=codec.encode(event), partition=0)
        # A known header with a body cut short: the batch call fails, the message is named.
        truncated = codec.encode(history[40])[:-4]
        bad = producer.send(kafka.events_topic, value=truncated, partition=0).get(timeout=30)
        for event in history[41:60]:
            producer.send(kafka.events_topic, value=codec.encode(event), partition=0)
        producer.flush()
    finally:
        producer.close()

    # Small batches in one long transaction: the batches before the one holding the bad
    # message are committed, nothing from it or after it.
    options = RunnerOptions(max_batch=10, commit_rows=1000)
    for _ in range(2):  # and a restart stops at the same message
        with pytest.raises(ProjectionError, match=f"partition 0 offset {bad.offset}: "):
            project(kafka, follow=False, options=options)
        writer = duckdb.connect(str(kafka.database))
        try:
            next_offset = consumed_offsets(writer, kafka.events_topic).get(0, 0)
            assert 0 < next_offset <= bad.offset
            assert writer.execute("select count(*) from event_log").fetchone() == (next_offset,)
        finally:
            writer.close()
