"""The archive: a durable copy of the record outside Kafka, and the record rebuilt from it.

A synthetic authority is published, processed and projected; the record is archived,
restored onto a second, fresh embedded broker and projected again there: the indicators
of every year must be the same. Then the archive's own promises: a second run copies only
what is new, a changed file is caught, a second copy of an event is kept once, and an
archive is never continued from a different record.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import duckdb
import fastavro
import pytest
from cli_runs import run_journeys
from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import TopicPartition
from kafka_examples import simple_journey

from events.catalogue import JourneyEvent
from events.codec import default_codec
from events.kafka import client
from events.settings import Settings
from journeys.kafka.archive import KEY_STORE_COPY, MANIFEST, archive, restore, verify
from journeys.kafka.broker import embedded_broker
from journeys.kafka.exceptions import ArchiveCorrupt, RecordDiverged, RestoreRefused
from journeys.kafka.processor import process_until_idle
from journeys.kafka.publish import publish_events
from journeys.kafka.topics import ensure_topics
from journeys.synthetic import AuthorityParameters, generate
from projections.runner import project

pytestmark = pytest.mark.kafka

ROOT = Path(__file__).resolve().parents[2]


def record(settings: Settings, events: list[JourneyEvent]) -> int:
    """Publish `events` as submissions and process them; returns how many were accepted."""
    publish_events(settings, events)
    return process_until_idle(settings).accepted


def indicators(database: Path) -> list[tuple[object, ...]]:
    connection = duckdb.connect(str(database), read_only=True)
    try:
        return connection.execute("select * from indicators order by all").fetchall()
    finally:
        connection.close()


def read_events(settings: Settings) -> dict[int, list[bytes | None]]:
    """The values a read_committed reader is given now, partition by partition, in order."""
    consumer = KafkaConsumer(**client.record_reading_options(settings))
    try:
        partitions = consumer.partitions_for_topic(settings.events_topic) or set()
        assigned = [TopicPartition(settings.events_topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        found: dict[int, list[bytes | None]] = {p: [] for p in partitions}
        empty = 0
        while empty < 2:
            batches = consumer.poll(timeout_ms=500)
            empty = 0 if batches else empty + 1
            for records in batches.values():
                for message in records:
                    found[message.partition].append(message.value)
        return found
    finally:
        consumer.close()


def test_archive_restore_and_rebuild_give_the_same_indicators_for_every_year(
    kafka: Settings, tmp_path: Path
) -> None:
    events = list(generate(AuthorityParameters(children=120, seed=7)))
    accepted = record(kafka, events)
    assert accepted > 0
    assert project(kafka, follow=False).events == accepted
    before = indicators(kafka.database)
    assert len({row[1] for row in before}) > 5, "expected indicators for many years"

    out = tmp_path / "archive"
    archived = run_journeys(kafka, "archive", "--out", str(out))
    assert archived.returncode == 0, archived.stderr
    assert f"archived {accepted:,} events in" in archived.stdout
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["records"] == accepted
    assert sum(file["records"] for file in manifest["files"]) == accepted
    for file in manifest["files"]:
        with (out / file["name"]).open("rb") as stream:  # any Avro reader opens it
            rows = list(fastavro.reader(stream))
        assert len(rows) == file["records"]
        assert {row["partition"] for row in rows} == {file["partition"]}

    assert (out / KEY_STORE_COPY).exists()  # the record cannot be read without it

    with embedded_broker() as fresh:
        # Another machine: its own key store restored from the archive, and the master
        # key, which the archive never holds, kept apart and brought along.
        elsewhere = replace(
            kafka.with_embedded_broker(fresh.bootstrap_servers),
            database=tmp_path / "restored.duckdb",
            state_dir=tmp_path / "restored-state",
            key_store=tmp_path / "restored-keys" / "journeys-keys.sqlite",
        )
        restored = run_journeys(elsewhere, "restore", str(out))
        assert restored.returncode == 0, restored.stderr
        assert f"restored {accepted:,} events" in restored.stdout
        assert "checksums match the archive" in restored.stdout
        assert elsewhere.key_store.exists()
        rebuilt = run_journeys(elsewhere, "project", "--rebuild")
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert indicators(elsewhere.database) == before
        # The restored record keeps each journey on its partition, in order.
        assert read_events(elsewhere) == read_events(kafka)

        again = run_journeys(elsewhere, "restore", str(out))
        assert again.returncode == 2
        assert "is not empty" in again.stderr and "Traceback" not in again.stderr
        with pytest.raises(RestoreRefused, match="is not empty"):
            restore(elsewhere, out)


def test_a_second_run_archives_only_what_is_new(kafka: Settings, tmp_path: Path) -> None:
    out = tmp_path / "archive"
    first_children = [event for n in range(4) for event in simple_journey(f"C{n}")]
    record(kafka, first_children)
    first = archive(kafka, out)
    assert first.records == len(first_children)
    checksums = {file.name: file.sha256 for file in first.files}

    later_children = [event for n in range(4, 6) for event in simple_journey(f"C{n}")]
    record(kafka, later_children)
    second = archive(kafka, out)
    assert second.records == len(later_children)
    assert not {file.name for file in second.files} & set(checksums)
    manifest = verify(out)
    assert manifest.records == len(first_children) + len(later_children)
    assert {f.name: f.sha256 for f in manifest.files if f.name in checksums} == checksums

    third = archive(kafka, out)
    assert third.records == 0 and third.files == ()
    assert "nothing new" in third.describe()


def test_a_changed_archive_file_fails_verification_and_restores_nothing(
    kafka: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "archive"
    record(kafka, [event for n in range(3) for event in simple_journey(f"C{n}")])
    archive(kafka, out)
    victim = sorted(out.glob("*.avro"))[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))

    with pytest.raises(ArchiveCorrupt, match=f"{victim.name} has changed since it was archived"):
        verify(out)
    with pytest.raises(ArchiveCorrupt, match=victim.name):
        archive(kafka, out)  # a damaged archive is not continued either
    elsewhere = replace(kafka, topic_prefix=f"test-{uuid.uuid4().hex[:12]}.")
    with pytest.raises(ArchiveCorrupt, match=victim.name):
        restore(elsewhere, out)
    consumer = KafkaConsumer(**elsewhere.client_options())
    try:
        assert elsewhere.events_topic not in consumer.topics(), "restore published something"
    finally:
        consumer.close()

    checked = subprocess.run(
        [sys.executable, "-m", "journeys", "restore", "--check", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 2
    assert f"journeys restore: {victim.name} has changed since it was archived" in checked.stderr
    assert "Traceback" not in checked.stderr


def test_a_second_copy_of_an_event_is_archived_once(kafka: Settings, tmp_path: Path) -> None:
    """An aborted copy then a committed copy of one event: the embedded broker shows both."""
    codec = default_codec()
    once, twice = simple_journey("C1")[:2]
    producer = KafkaProducer(
        **kafka.client_options(), transactional_id=f"{kafka.topic_prefix}double"
    )
    try:
        producer.init_transactions()
        producer.begin_transaction()
        producer.send(kafka.events_topic, partition=0, value=codec.encode(twice))
        producer.flush()
        producer.abort_transaction()
        for event in (once, twice):
            producer.begin_transaction()
            producer.send(kafka.events_topic, partition=0, value=codec.encode(event))
            producer.commit_transaction()
    finally:
        producer.close()
    shown = read_events(kafka)

    summary = archive(kafka, tmp_path / "archive")
    assert summary.records == 2
    # The committed reader drops the aborted copy (events.kafka.committed) that a plain
    # read_committed reader is shown on the embedded broker: it is no duplicate to skip.
    assert summary.records + summary.duplicates_skipped <= len(shown[0])
    rows = [
        row
        for file in summary.files
        for row in fastavro.reader((tmp_path / "archive" / file.name).open("rb"))
    ]
    assert sorted(row["event_id"] for row in rows) == sorted(
        str(event.event_id) for event in (once, twice)
    )
    assert verify(tmp_path / "archive").duplicates_skipped == summary.duplicates_skipped


def test_an_archive_is_not_continued_from_another_record(kafka: Settings, tmp_path: Path) -> None:
    """As after a restart of the embedded broker: the topic is new, the archive is not."""
    out = tmp_path / "archive"
    record(kafka, simple_journey("C1"))
    archive(kafka, out)

    other = replace(kafka, topic_prefix=f"test-{uuid.uuid4().hex[:12]}.")
    ensure_topics(other)
    record(other, simple_journey("C2") + simple_journey("C3"))
    with pytest.raises(RecordDiverged, match="not the record this archive copies"):
        archive(other, out)
    assert verify(out).records == 3
