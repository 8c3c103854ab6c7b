"""A durable copy of the journey record outside Kafka, and putting it back.

`archive()` copies every event of `care.journey.events` (read_committed) into Avro object
container files, the standard Avro file format that any Avro tool reads, with a manifest
of what each file holds and its checksums. A run writes only what is new since the last
one. `verify()` checks an archive against its manifest; `restore()` republishes an archive
onto an empty events topic, partition by partition in the original order, and checks by
reading it back that the topic now holds exactly the archived messages.

Layout of an archive directory:

    manifest.json
    keys.sqlite                           the key store as it was at the end of the run
    p0-000000000000-000000004211.avro     partition 0, offsets 0 to 4211 (first run)
    p0-000000004213-000000005020.avro     partition 0, the next run's new events
    p1-...

Each file holds the messages of one partition over one offset range, oldest first, as
records of `ARCHIVED_MESSAGE` (partition, offset, timestamp, key, value, headers, and
the event_id read from the value), deflate-compressed; its header metadata names the
source topic and the partition. The manifest (JSON) lists every file with
its partition, offsets, record count, the SHA-256 of the file and the SHA-256 of its
messages, and per partition where the next run starts.

The messages' SHA-256 covers what restore must reproduce, independent of offsets (which
a new cluster assigns afresh): for each message in order, its key, its value, its header
count, then each header's name and value, each as an 8-byte big-endian length (all ones
for a missing key or value) followed by the bytes.

The record names children by pseudonym and holds their personal fields sealed, so an
archive without the key store could never be read back into clear; each run copies the
key store too (SQLite's online backup: a consistent copy while the processor writes),
replacing the last run's copy, so an erasure reaches the archive at its next run (older
backups of the archive directory keep the keys until they expire: say so in the
authority's retention schedule). The master key is never copied: keep it apart.

Caught up is decided by reading until two polls in a row return nothing past the last
offset read, never by `end_offsets()` alone (the embedded broker's is wrong: it serves
only as a floor, see `events.kafka.client`). A run holds a lock file (`.lock`) in the
directory, so two runs never write one archive. The embedded broker also hands records
of aborted transactions to read_committed readers, so an event can be read twice (the
aborted copy, then the committed one); the archive keeps the first copy of each
event_id and counts the others as skipped, like every other reader of the record.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import fastavro
import fastavro.write
from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from kafka.structs import TopicPartition

from events.codec import AvroCodec, default_codec
from events.exceptions import InvalidEvent
from events.kafka import client
from events.kafka.committed import safe_position
from events.settings import Settings
from journeys.kafka.exceptions import (
    ArchiveCorrupt,
    ArchiveError,
    RecordDiverged,
    RestoreRefused,
)
from journeys.kafka.topics import ensure_topics

FORMAT = "care-journeys-archive/1"
MANIFEST = "manifest.json"

ARCHIVED_MESSAGE: dict[str, Any] = {
    "type": "record",
    "name": "ArchivedMessage",
    "namespace": "care_journeys.archive",
    "doc": "One message of the care.journey.events topic, as it was read from Kafka.",
    "fields": [
        {"name": "partition", "type": "int"},
        {"name": "offset", "type": "long"},
        {"name": "timestamp", "type": "long", "doc": "milliseconds since the Unix epoch"},
        {"name": "timestamp_type", "type": "int", "doc": "0 CreateTime, 1 LogAppendTime"},
        {"name": "key", "type": ["null", "bytes"]},
        {
            "name": "value",
            "type": ["null", "bytes"],
            "doc": "the Avro single-object encoding of the contract event",
        },
        {
            "name": "headers",
            "type": {
                "type": "array",
                "items": {
                    "type": "record",
                    "name": "Header",
                    "fields": [
                        {"name": "name", "type": "string"},
                        {"name": "value", "type": ["null", "bytes"]},
                    ],
                },
            },
        },
        {
            "name": "event_id",
            "type": ["null", "string"],
            "doc": "read from the value; null if the value is not a readable event",
        },
    ],
}

_PARSED_SCHEMA = fastavro.parse_schema(ARCHIVED_MESSAGE)
_MAX_RECORDS = 5_000
_RESTORE_TRANSACTION = 5_000  # messages per restore transaction
_MISSING = b"\xff" * 8


@dataclass
class ArchivedFile:
    name: str
    partition: int
    first_offset: int
    last_offset: int
    records: int
    sha256: str
    messages_sha256: str
    archived_at: str


@dataclass
class PartitionPosition:
    """Where the next archive run starts on one partition, and how to recognise it."""

    next_offset: int = 0  # the consumer's position after the last run: markers take offsets
    last_archived_offset: int | None = None
    last_message_sha256: str | None = None
    records: int = 0
    duplicates_skipped: int = 0


@dataclass
class Manifest:
    topic: str
    partitions: int
    positions: dict[int, PartitionPosition] = field(default_factory=dict)
    files: list[ArchivedFile] = field(default_factory=list)

    @property
    def records(self) -> int:
        return sum(file.records for file in self.files)

    @property
    def duplicates_skipped(self) -> int:
        return sum(position.duplicates_skipped for position in self.positions.values())

    def files_of(self, partition: int) -> list[ArchivedFile]:
        return sorted(
            (file for file in self.files if file.partition == partition),
            key=lambda file: file.first_offset,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "topic": self.topic,
            "partitions": self.partitions,
            "records": self.records,
            "duplicates_skipped": self.duplicates_skipped,
            "messages_sha256": "SHA-256 over each message's key, value and headers, in "
            "order, each part as an 8-byte big-endian length then its bytes "
            "(see journeys/kafka/archive.py)",
            "positions": {str(p): asdict(position) for p, position in self.positions.items()},
            "files": [asdict(file) for file in self.files],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], where: Path) -> Manifest:
        if data.get("format") != FORMAT:
            raise ArchiveCorrupt(
                f"{where} is not a care-journeys archive manifest "
                f"(format {data.get('format')!r}, expected {FORMAT!r})"
            )
        try:
            return cls(
                topic=data["topic"],
                partitions=int(data["partitions"]),
                positions={
                    int(p): PartitionPosition(**position)
                    for p, position in data["positions"].items()
                },
                files=[ArchivedFile(**file) for file in data["files"]],
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ArchiveCorrupt(f"{where} is damaged: {error!r}") from error


@dataclass(frozen=True)
class ArchiveSummary:
    directory: Path
    files: tuple[ArchivedFile, ...]
    records: int  # archived by this run
    duplicates_skipped: int  # by this run
    total_records: int  # in the whole archive

    def describe(self) -> str:
        if not self.files:
            what = "nothing new since the last run"
        else:
            what = f"{self.records:,} events in {len(self.files)} new files"
        return (
            f"{what}; {self.duplicates_skipped:,} second copies of archived event_ids "
            f"skipped; the archive {self.directory} holds {self.total_records:,} events"
        )


@dataclass(frozen=True)
class RestoreSummary:
    topic: str
    records: int
    partitions: int

    def describe(self) -> str:
        return (
            f"restored {self.records:,} events onto {self.topic} ({self.partitions} "
            "partitions) and read them back: every partition's count and checksums "
            "match the archive"
        )


# ---- checksums -------------------------------------------------------------------------


KEY_STORE_COPY = "keys.sqlite"


def _put(hasher: Any, part: bytes | None) -> None:
    if part is None:
        hasher.update(_MISSING)
    else:
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)


def _add_message(
    hasher: Any, key: bytes | None, value: bytes | None, headers: Sequence[tuple[str, Any]]
) -> None:
    _put(hasher, key)
    _put(hasher, value)
    hasher.update(len(headers).to_bytes(8, "big"))
    for name, data in headers:
        _put(hasher, name.encode("utf-8"))
        _put(hasher, data)


def message_sha256(
    key: bytes | None, value: bytes | None, headers: Sequence[tuple[str, Any]]
) -> str:
    hasher = hashlib.sha256()
    _add_message(hasher, key, value, headers)
    return hasher.hexdigest()


def _file_sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def _headers_of(record: dict[str, Any]) -> list[tuple[str, bytes | None]]:
    return [(header["name"], header["value"]) for header in record["headers"]]


# ---- the manifest ----------------------------------------------------------------------


def read_manifest(directory: Path) -> Manifest | None:
    path = directory / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ArchiveCorrupt(f"{path} is not valid JSON: {error}") from error
    return Manifest.from_json(data, path)


def _write_durably(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a temporary file, fsynced, renamed over it."""
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(partial, path)
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_manifest(directory: Path, manifest: Manifest) -> None:
    text = json.dumps(manifest.to_json(), indent=2) + "\n"
    _write_durably(directory / MANIFEST, text.encode("utf-8"))


# ---- archiving -------------------------------------------------------------------------


def _event_id(codec: AvroCodec, value: bytes | None) -> str | None:
    """The event_id a message's value holds, or None if it is not a readable event.

    An unreadable value is archived all the same (the archive copies the record as it
    is); it only cannot be recognised as a second copy.
    """
    if value is None:
        return None
    try:
        _, fields = codec.decode_record(value)
    except InvalidEvent:
        return None
    event_id = fields.get("event_id")
    return None if event_id is None else str(event_id)


class _FileWriter:
    """The new messages of one partition in this run: one Avro file, named once complete."""

    def __init__(self, directory: Path, topic: str, partition: int) -> None:
        self.directory = directory
        self.topic = topic
        self.partition = partition
        self.path = directory / f"p{partition}.avro.partial"
        self.stream: BinaryIO = self.path.open("wb")
        self.writer = fastavro.write.Writer(
            self.stream,
            _PARSED_SCHEMA,
            codec="deflate",
            metadata={"care_journeys.topic": topic, "care_journeys.partition": str(partition)},
        )
        self.messages = hashlib.sha256()
        self.records = 0
        self.first_offset = -1
        self.last_offset = -1
        self.last_message_sha256 = ""

    def append(self, record: ConsumerRecord, event_id: str | None) -> None:
        headers = [(name, value) for name, value in record.headers]
        self.writer.write(
            {
                "partition": record.partition,
                "offset": record.offset,
                "timestamp": record.timestamp,
                "timestamp_type": record.timestamp_type,
                "key": record.key,
                "value": record.value,
                "headers": [{"name": name, "value": value} for name, value in headers],
                "event_id": event_id,
            }
        )
        _add_message(self.messages, record.key, record.value, headers)
        if self.records == 0:
            self.first_offset = record.offset
        self.records += 1
        self.last_offset = record.offset
        self.last_message_sha256 = message_sha256(record.key, record.value, headers)

    def finish(self) -> ArchivedFile:
        self.writer.flush()
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.stream.close()
        name = f"p{self.partition}-{self.first_offset:012d}-{self.last_offset:012d}.avro"
        os.replace(self.path, self.directory / name)
        return ArchivedFile(
            name=name,
            partition=self.partition,
            first_offset=self.first_offset,
            last_offset=self.last_offset,
            records=self.records,
            sha256=_file_sha256(self.directory / name),
            messages_sha256=self.messages.hexdigest(),
            archived_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )

    def discard(self) -> None:
        self.stream.close()
        self.path.unlink(missing_ok=True)


def _records_of(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with path.open("rb") as stream:
            yield from fastavro.reader(stream)
    except FileNotFoundError as error:
        raise ArchiveCorrupt(f"{path.name} is listed in the manifest but missing") from error
    except (ValueError, EOFError, OSError, fastavro.read.SchemaResolutionError) as error:
        raise ArchiveCorrupt(f"{path.name} is not a readable Avro file: {error}") from error


def _topic_partitions(consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
    partitions = client.partitions_of(consumer, topic)
    if partitions is None:
        raise ArchiveError(f"the topic {topic!r} does not exist on this cluster")
    return partitions


def _poll_until_caught_up(
    consumer: KafkaConsumer, partitions: Sequence[TopicPartition]
) -> Iterator[ConsumerRecord]:
    """Every record the consumer reads from its positions, until it is caught up (two
    empty polls in a row past the broker's reported end: `client.poll_until_caught_up`)."""
    for batches in client.poll_until_caught_up(
        consumer, partitions, max_records=_MAX_RECORDS, confirming_polls=2
    ):
        for records in batches.values():
            yield from records


def archive(
    settings: Settings, directory: Path, *, codec: AvroCodec | None = None
) -> ArchiveSummary:
    """Copy what is new on the events topic since the last run into `directory`.

    The first run creates the directory and copies everything. Each later run starts
    every partition at the last message it archived, checks that it is still there and
    unchanged (else RecordDiverged: the topic is not the one this archive copies), and
    writes the messages after it. One run at a time per directory (a lock file).
    """
    directory.mkdir(parents=True, exist_ok=True)
    with _only_run(directory):
        manifest = read_manifest(directory)
        consumer = client.record_reader(settings)
        try:
            partitions = _topic_partitions(consumer, settings.events_topic)
            if manifest is None:
                manifest = Manifest(topic=settings.events_topic, partitions=len(partitions))
            elif manifest.partitions != len(partitions):
                raise RecordDiverged(
                    f"{settings.events_topic!r} has {len(partitions)} partitions, the archive "
                    f"in {directory} {manifest.partitions}: it is not the record this "
                    "archive copies"
                )
            run = _ArchiveRun(directory, manifest, codec or default_codec())
            run.copy(consumer, partitions)
            files = run.finish(consumer, partitions)
        finally:
            consumer.close()
        # After the messages: every pseudonym they name was enrolled before it was written.
        copy_key_store(settings, directory / KEY_STORE_COPY)
    return ArchiveSummary(
        directory=directory,
        files=tuple(files),
        records=sum(file.records for file in files),
        duplicates_skipped=sum(run.skipped.values()),
        total_records=manifest.records,
    )


def copy_key_store(settings: Settings, destination: Path) -> None:
    """A consistent copy of the key store at `destination`, replacing any older one."""
    if not settings.key_store.exists():
        return
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(settings.key_store)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    with partial.open("rb") as file:
        os.fsync(file.fileno())
    os.replace(partial, destination)
    _fsync_directory(destination.parent)


@contextlib.contextmanager
def _only_run(directory: Path) -> Iterator[None]:
    with (directory / ".lock").open("a") as lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise ArchiveError(f"another `journeys archive` is writing {directory}") from error
        yield


class _ArchiveRun:
    """One archive run: what it has read, skipped and written, partition by partition."""

    def __init__(self, directory: Path, manifest: Manifest, codec: AvroCodec) -> None:
        self.directory = directory
        self.manifest = manifest
        self.codec = codec
        # What is archived already (to skip second copies), checked on the way: a damaged
        # archive is never continued.
        self.seen: set[str] = set()
        if manifest.files:
            verify(directory, event_ids=self.seen)
        self.positions = {p: replace(position) for p, position in manifest.positions.items()}
        self.skipped: dict[int, int] = {}
        self.writers: dict[int, _FileWriter] = {}

    def copy(self, consumer: KafkaConsumer, partitions: Sequence[TopicPartition]) -> None:
        for tp in partitions:
            self.positions.setdefault(tp.partition, PartitionPosition())
            self.skipped[tp.partition] = 0
        unconfirmed = _seek_to_last_archived(consumer, partitions, self.positions)
        try:
            for record in _poll_until_caught_up(consumer, partitions):
                if record.partition in unconfirmed:
                    _confirm_last_archived(record, self.positions[record.partition], self.directory)
                    unconfirmed.discard(record.partition)
                elif record.offset >= self.positions[record.partition].next_offset:
                    self._take(record)  # (below next_offset: read and skipped last run)
        except BaseException:
            for writer in self.writers.values():
                writer.discard()
            raise
        if unconfirmed:
            partition = min(unconfirmed)
            raise RecordDiverged(
                f"the last archived message of {partitions[0].topic}[{partition}] (offset "
                f"{self.positions[partition].last_archived_offset}) is no longer on the "
                "topic: it is not the record this archive copies (was the broker emptied or "
                "replaced?). Archive this cluster into a new directory."
            )

    def _take(self, record: ConsumerRecord) -> None:
        event_id = _event_id(self.codec, record.value)
        if event_id is not None and event_id in self.seen:
            self.skipped[record.partition] += 1
            return
        if event_id is not None:
            self.seen.add(event_id)
        writer = self.writers.get(record.partition)
        if writer is None:
            writer = self.writers[record.partition] = _FileWriter(
                self.directory, self.manifest.topic, record.partition
            )
        writer.append(record, event_id)

    def finish(
        self, consumer: KafkaConsumer, partitions: Sequence[TopicPartition]
    ) -> list[ArchivedFile]:
        """Name the new files and record them, and where the next run starts, in the manifest."""
        files = []
        for partition in sorted(self.writers):
            writer = self.writers.pop(partition)
            file = writer.finish()
            position = self.positions[partition]
            position.last_archived_offset = file.last_offset
            position.last_message_sha256 = writer.last_message_sha256
            position.records += file.records
            files.append(file)
        for tp in partitions:
            self.positions[tp.partition].next_offset = safe_position(consumer, tp)
            self.positions[tp.partition].duplicates_skipped += self.skipped[tp.partition]
        self.manifest.positions = self.positions
        self.manifest.files.extend(files)
        _write_manifest(self.directory, self.manifest)
        return files


def _seek_to_last_archived(
    consumer: KafkaConsumer,
    partitions: Sequence[TopicPartition],
    positions: dict[int, PartitionPosition],
) -> set[int]:
    """Seek each partition to its last archived message; returns those to be confirmed."""
    consumer.assign(list(partitions))
    unconfirmed = set()
    for tp in partitions:
        position = positions[tp.partition]
        if position.last_archived_offset is None:
            consumer.seek(tp, position.next_offset)
        else:
            consumer.seek(tp, position.last_archived_offset)
            unconfirmed.add(tp.partition)
    return unconfirmed


def _confirm_last_archived(
    record: ConsumerRecord, position: PartitionPosition, directory: Path
) -> None:
    headers = [(name, value) for name, value in record.headers]
    if (
        record.offset != position.last_archived_offset
        or message_sha256(record.key, record.value, headers) != position.last_message_sha256
    ):
        raise RecordDiverged(
            f"{record.topic}[{record.partition}] at offset {position.last_archived_offset} "
            f"does not hold the message archived from there in {directory}: it is not the "
            f"record this archive copies (was the broker emptied or replaced?). Archive this "
            f"cluster into a new directory."
        )


# ---- verifying -------------------------------------------------------------------------


def verify(directory: Path, *, event_ids: set[str] | None = None) -> Manifest:
    """Check every file against the manifest; returns the manifest, or raises ArchiveCorrupt.

    Checks, for each listed file: it exists, its SHA-256, that it reads as Avro, its
    record count, its messages' SHA-256, that its records are of its partition and in
    offset order within its range. Adds the archived event_ids to `event_ids` if given.
    """
    manifest = read_manifest(directory)
    if manifest is None:
        raise ArchiveCorrupt(f"{directory} has no {MANIFEST}: it is not an archive")
    for file in manifest.files:
        path = directory / file.name
        if not path.exists():
            raise ArchiveCorrupt(f"{file.name} is listed in the manifest but missing")
        if _file_sha256(path) != file.sha256:
            raise ArchiveCorrupt(
                f"{file.name} has changed since it was archived: its SHA-256 is not the "
                "manifest's. Restore from an intact copy of the archive."
            )
        _check_messages(path, file, event_ids if event_ids is not None else set())
    return manifest


def _check_messages(path: Path, file: ArchivedFile, event_ids: set[str]) -> None:
    hasher = hashlib.sha256()
    count = 0
    previous = file.first_offset - 1
    for record in _records_of(path):
        if record["partition"] != file.partition or not (
            previous < record["offset"] <= file.last_offset
        ):
            raise ArchiveCorrupt(
                f"{file.name} holds a message out of its partition's order "
                f"(partition {record['partition']}, offset {record['offset']})"
            )
        previous = record["offset"]
        _add_message(hasher, record["key"], record["value"], _headers_of(record))
        if record["event_id"] is not None:
            event_ids.add(record["event_id"])
        count += 1
    if count != file.records:
        raise ArchiveCorrupt(
            f"{file.name} holds {count} messages, the manifest says {file.records}"
        )
    if hasher.hexdigest() != file.messages_sha256:
        raise ArchiveCorrupt(f"{file.name}: its messages' SHA-256 is not the manifest's")


# ---- restoring -------------------------------------------------------------------------


def restore(settings: Settings, directory: Path) -> RestoreSummary:
    """Republish a verified archive onto this cluster's empty events topic, then check it.

    Creates the topics if need be (with the archive's partition count), refuses a topic
    with another partition count or any message on it, writes each partition's messages
    in their archived order with an explicit partition (transactional producer: in order,
    each message once), then reads the topic back and compares counts and checksums.
    """
    manifest = verify(directory)
    topic = settings.events_topic
    ensure_topics(replace(settings, partitions=manifest.partitions))
    _refuse_unless_empty(settings, topic, manifest.partitions)
    _restore_key_store(settings, directory)
    _republish(settings, directory, manifest, topic)
    _check_read_back(settings, manifest, topic)
    return RestoreSummary(topic=topic, records=manifest.records, partitions=manifest.partitions)


def _restore_key_store(settings: Settings, directory: Path) -> None:
    """Put the archive's key store where JOURNEYS_KEY_STORE points, unless one is there.

    A key store already there is kept, never overwritten: it may be the newer one (an
    erasure since the archive's last run); the processor and the runner check it against
    the restored record and say if it is not the record's. The master key is never in the
    archive: JOURNEYS_MASTER_KEY_FILE must name the one kept apart.
    """
    copy = directory / KEY_STORE_COPY
    if not copy.exists() or settings.key_store.exists():
        return
    settings.key_store.parent.mkdir(parents=True, exist_ok=True)
    partial = settings.key_store.with_name(settings.key_store.name + ".partial")
    partial.write_bytes(copy.read_bytes())
    os.replace(partial, settings.key_store)


def _refuse_unless_empty(settings: Settings, topic: str, partition_count: int) -> None:
    consumer = client.raw_reader(settings)
    try:
        partitions = _topic_partitions(consumer, topic)
        if len(partitions) != partition_count:
            raise RestoreRefused(
                f"{topic!r} has {len(partitions)} partitions and the archive {partition_count}: "
                "restore needs the same number, so every journey keeps its partition"
            )
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        starts = consumer.beginning_offsets(partitions)
        ends = consumer.end_offsets(partitions)
        # Offsets alone are not trusted (the embedded broker's end offsets are wrong): a
        # message read also counts.
        if (
            any(ends[tp] > starts[tp] for tp in partitions)
            or next(iter(_poll_until_caught_up(consumer, partitions)), None) is not None
        ):
            raise RestoreRefused(
                f"{topic!r} is not empty: restore only onto a cluster whose events topic "
                "has never been written to (a new cluster, or delete and recreate the "
                "topic), so the restored record is exactly the archive"
            )
    finally:
        consumer.close()


def _archived_messages(
    directory: Path, manifest: Manifest, partition: int
) -> Iterator[dict[str, Any]]:
    for file in manifest.files_of(partition):
        yield from _records_of(directory / file.name)


def _republish(settings: Settings, directory: Path, manifest: Manifest, topic: str) -> None:
    producer = client.producer(
        settings, transactional_id=f"{settings.topic_prefix}care-journeys.restore", linger_ms=50
    )
    try:
        producer.init_transactions()
        for partition in range(manifest.partitions):
            for chunk in _chunks(
                _archived_messages(directory, manifest, partition), _RESTORE_TRANSACTION
            ):
                producer.begin_transaction()
                for record in chunk:
                    producer.send(
                        topic,
                        partition=partition,
                        key=record["key"],
                        value=record["value"],
                        headers=_headers_of(record),
                        timestamp_ms=record["timestamp"],
                    )
                try:
                    producer.commit_transaction()
                except KafkaError as error:
                    with contextlib.suppress(KafkaError):
                        producer.abort_transaction()
                    raise ArchiveError(
                        f"Kafka refused a restore transaction on {topic}[{partition}]: {error}. "
                        "The topic now holds part of the archive: recreate it empty and "
                        "restore again."
                    ) from error
    finally:
        producer.close(timeout=10)


def _chunks(records: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _check_read_back(settings: Settings, manifest: Manifest, topic: str) -> None:
    """Read the restored topic back and compare it, file by file, with the archive."""
    consumer = client.record_reader(settings)
    checks = {
        p: _PartitionCheck(topic, p, manifest.files_of(p)) for p in range(manifest.partitions)
    }
    try:
        partitions = _topic_partitions(consumer, topic)
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        for record in _poll_until_caught_up(consumer, partitions):
            checks[record.partition].add(record)
    finally:
        consumer.close()
    for check in checks.values():
        check.finish()


class _PartitionCheck:
    """One partition's messages as read back, checked against its files as they come."""

    def __init__(self, topic: str, partition: int, files: Sequence[ArchivedFile]) -> None:
        self.where = f"{topic}[{partition}]"
        self.files = list(files)
        self.expected = sum(file.records for file in files)
        self.read = 0
        self._file = 0
        self._in_file = 0
        self._hasher = hashlib.sha256()

    def add(self, record: ConsumerRecord) -> None:
        self.read += 1
        if self._file == len(self.files):
            return  # more than archived: finish() says so
        _add_message(self._hasher, record.key, record.value, list(record.headers))
        self._in_file += 1
        file = self.files[self._file]
        if self._in_file == file.records:
            if self._hasher.hexdigest() != file.messages_sha256:
                raise ArchiveError(
                    f"the messages read back from {self.where} differ from {file.name} "
                    "(their SHA-256 is not the manifest's): the restore did not land as written"
                )
            self._file += 1
            self._in_file = 0
            self._hasher = hashlib.sha256()

    def finish(self) -> None:
        if self.read != self.expected:
            raise ArchiveError(
                f"read back {self.read:,} messages from {self.where}, the archive holds "
                f"{self.expected:,}: the restore did not land as written"
            )
