"""The projection runner: follows the events topic into the DuckDB projection.

It reads `care.journey.events` with manual partition assignment (no consumer group, so
no rebalance wait), starting each partition at the offset stored in `consumed_offsets`,
with isolation_level read_committed so events of an aborted processor transaction are
never projected. Each poll becomes one Arrow batch appended in one DuckDB transaction
together with the offsets it came from (`projections.load.append`): after a crash the
runner resumes exactly where the last committed batch ended. After a batch, at most once
a second, and when it has caught up, it publishes the read-only snapshot analysts open.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
from kafka import KafkaConsumer, TopicPartition

from journeys.config import Settings
from journeys.progress import Progress
from projections.database import connect_exclusively, open_for_writing
from projections.decode import UndecodableMessage
from projections.decoding import Decoding, Message
from projections.load import ProjectionError, append, consumed_offsets
from projections.snapshot import publish_snapshot, snapshot_path


@dataclass(frozen=True)
class RunnerOptions:
    max_batch: int = 20_000
    poll_timeout_ms: int = 200
    snapshot_interval_seconds: float = 1.0
    show_progress: bool = False
    # Decode in a worker process while polling the next batch (needs a second CPU).
    decode_in_worker: bool = (os.cpu_count() or 1) > 1


class ProjectionRunner:
    """Projects one events topic into one open DuckDB database."""

    def __init__(
        self,
        settings: Settings,
        connection: duckdb.DuckDBPyConnection,
        database: Path,
        *,
        options: RunnerOptions | None = None,
    ) -> None:
        self.settings = settings
        self.connection = connection
        self.database = database
        self.topic = settings.events_topic
        self.options = options or RunnerOptions()
        self.projected = 0

    def run(self, *, follow: bool, stop: threading.Event | None = None) -> int:
        """Project until caught up (follow=False) or until `stop` is set; returns the count.

        Each turn of the loop: 1. poll a batch and hand it to the decoder; 2. append every
        decoded batch that is ready, oldest first (all of them when the poll was empty),
        each in its own transaction with its offsets; 3. publish the snapshot if the last
        one is a second old, or when caught up; 4. when nothing is pending and every
        partition's position has reached its (freshly read) end offset, stop unless
        following.
        """
        stop = stop or threading.Event()
        consumer = self._consumer()
        decoding = Decoding(in_worker=self.options.decode_in_worker)
        try:
            partitions = self._assign(consumer)
            ends = consumer.end_offsets(partitions)
            remaining = sum(max(0, ends[tp] - consumer.position(tp)) for tp in partitions)
            showing = self.options.show_progress and remaining > 0
            with contextlib.ExitStack() as stack:
                progress = (
                    stack.enter_context(Progress(remaining, "projecting events", unit="events"))
                    if showing
                    else None
                )
                last_published = float("-inf")
                dirty = True  # publish at least once, so readers always find a snapshot
                while not stop.is_set():
                    messages = self._poll(consumer)
                    if messages:
                        decoding.submit(messages)
                    while decoding.oldest_is_ready() or (
                        len(decoding) > 0 and (not messages or len(decoding) > decoding.depth)
                    ):
                        try:
                            batch = decoding.take_oldest()
                        except UndecodableMessage as error:
                            raise ProjectionError(f"{self.topic} {error}") from error
                        count = self._append(batch)
                        dirty = True
                        if progress is not None:
                            progress.advance(min(count, max(0, remaining - progress.done)))
                    caught_up = (
                        not messages
                        and len(decoding) == 0
                        and self._caught_up(consumer, partitions, ends)
                    )
                    if caught_up:
                        # Confirm against fresh end offsets: more may have arrived.
                        ends = consumer.end_offsets(partitions)
                        caught_up = self._caught_up(consumer, partitions, ends)
                    now = time.monotonic()
                    due = now - last_published >= self.options.snapshot_interval_seconds
                    if dirty and (caught_up or (follow and due)):
                        publish_snapshot(self.connection, self.database)
                        last_published, dirty = now, False
                    if caught_up and not follow:
                        break
        finally:
            decoding.close()
            consumer.close()
        return self.projected

    @staticmethod
    def _caught_up(
        consumer: KafkaConsumer, partitions: list[TopicPartition], ends: dict[TopicPartition, int]
    ) -> bool:
        return all(consumer.position(tp) >= ends[tp] for tp in partitions)

    def _consumer(self) -> KafkaConsumer:
        return KafkaConsumer(
            **self.settings.client_options(),
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_committed",
            max_poll_records=self.options.max_batch,
            max_partition_fetch_bytes=8 * 1024 * 1024,
            fetch_max_bytes=64 * 1024 * 1024,
        )

    def _assign(self, consumer: KafkaConsumer) -> list[TopicPartition]:
        deadline = time.monotonic() + 30
        numbers = consumer.partitions_for_topic(self.topic)
        while not numbers:
            if time.monotonic() > deadline:
                raise ProjectionError(f"topic {self.topic} does not exist or has no partitions")
            time.sleep(0.2)
            numbers = consumer.partitions_for_topic(self.topic)
        partitions = [TopicPartition(self.topic, number) for number in sorted(numbers)]
        consumer.assign(partitions)
        stored = consumed_offsets(self.connection, self.topic)
        for partition in partitions:
            if partition.partition in stored:
                consumer.seek(partition, stored[partition.partition])
            else:
                consumer.seek_to_beginning(partition)
        return partitions

    def _poll(self, consumer: KafkaConsumer) -> list[Message]:
        polled = consumer.poll(
            timeout_ms=self.options.poll_timeout_ms, max_records=self.options.max_batch
        )
        return [
            (message.value, partition.partition, message.offset)
            for partition, partition_messages in polled.items()
            for message in partition_messages
        ]

    def _append(self, batch: pa.Table) -> int:
        append(self.connection, self.topic, batch)
        self.projected += batch.num_rows
        return int(batch.num_rows)


def _remove_database_files(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def project(
    settings: Settings,
    *,
    follow: bool,
    stop: threading.Event | None = None,
    options: RunnerOptions | None = None,
) -> int:
    """Bring Settings.database up to date with the events topic (and keep it so if follow)."""
    database = settings.database
    connection = open_for_writing(database)
    try:
        runner = ProjectionRunner(settings, connection, database, options=options)
        return runner.run(follow=follow, stop=stop)
    finally:
        connection.close()


def rebuild(
    settings: Settings,
    *,
    options: RunnerOptions | None = None,
    then: Callable[[], None] | None = None,
) -> int:
    """Build a fresh database from offset 0 beside the current one, then swap it in.

    The current database stays open (so DuckDB's lock keeps any other writer out) and
    served by its snapshot until the new one has caught up; then the new file is renamed
    over it, an atomic step, and the snapshot republished from it.
    """
    database = settings.database
    fresh = database.with_name(f"{database.name}.rebuild-{os.getpid()}")
    _remove_database_files(fresh)
    holding_lock = connect_exclusively(database)
    try:
        connection = open_for_writing(fresh)
        try:
            runner = ProjectionRunner(settings, connection, fresh, options=options)
            count = runner.run(follow=False)
            connection.execute("checkpoint")
        finally:
            connection.close()
        snapshot_path(fresh).unlink(missing_ok=True)
    finally:
        holding_lock.close()
    # The old file was closed cleanly, so it has no log; never let a stale one be replayed
    # onto the new file.
    database.with_name(database.name + ".wal").unlink(missing_ok=True)
    os.replace(fresh, database)
    connection = open_for_writing(database)
    try:
        publish_snapshot(connection, database)
    finally:
        connection.close()
    if then is not None:
        then()
    return count
