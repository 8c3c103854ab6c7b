"""The projection runner: follows the events topic into the DuckDB projection.

It reads `care.journey.events` with manual partition assignment (no consumer group, so
no rebalance wait), starting each partition at the offset stored in `consumed_offsets`,
with isolation_level read_committed so events of an aborted processor transaction are
never projected. Each poll becomes one Arrow batch appended together with the offsets it
came from (`projections.load.append_in_transaction`): after a crash the runner resumes
exactly where the last committed transaction ended. While catching up, one transaction
holds batches until it has `commit_rows` rows (a whole DuckDB row group), because a
commit of a part-filled row group costs about as much again as the insert; it commits
earlier whenever it publishes the snapshot, stops, or meets an undecodable message. After
a batch, at most once a second, and when it has caught up, it publishes the read-only
snapshot analysts open.
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
from journeys.kafka.committed import CommittedConsumer
from journeys.progress import Progress
from projections.database import connect_exclusively, open_for_writing
from projections.decode import UndecodableMessage
from projections.decoding import Decoding, Message
from projections.load import ProjectionError, append_in_transaction, consumed_offsets
from projections.snapshot import publish_snapshot, snapshot_path


@dataclass(frozen=True)
class RunnerOptions:
    max_batch: int = 20_000
    # Commit once the open transaction holds this many rows: DuckDB's row group size, so
    # whole row groups are written straight to the file and the commit stays cheap.
    commit_rows: int = 122_880
    # DuckDB settings of the writer's connection. The writer never reads the log back, so
    # the blocks it wrote need not stay cached: without a limit DuckDB keeps them up to
    # 80% of RAM (hundreds of MiB for a million events). One thread: the poll and the
    # decoder worker already keep both CPUs of a small machine busy, and a batch insert
    # measured about a third less CPU on one thread than on two, in no more time.
    duckdb_memory_limit: str | None = "128MB"
    duckdb_threads: int | None = 1
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
        if self.options.duckdb_memory_limit is not None:
            connection.execute("set memory_limit = ?", [self.options.duckdb_memory_limit])
        if self.options.duckdb_threads is not None:
            connection.execute("set threads = ?", [self.options.duckdb_threads])
        self._uncommitted: int | None = None  # rows in the open transaction; None: none open

    def run(self, *, follow: bool, stop: threading.Event | None = None) -> int:
        """Project until caught up (follow=False) or until `stop` is set; returns the count.

        Each turn of the loop: 1. poll a batch and hand it to the decoder; 2. append every
        decoded batch that is ready, oldest first (all of them when the poll was empty),
        each with its offsets, into the open transaction (committed once it holds
        `commit_rows` rows); 3. commit and publish the snapshot if the last one is a
        second old, or when caught up; 4. when nothing is pending and every
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
                            # Keep every batch before the bad message: resume from it.
                            self._commit()
                            raise ProjectionError(f"{self.topic} {error}") from error
                        count = self._append(batch)
                        del batch  # in DuckDB now; do not hold it while polling again
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
                        self._commit()
                        publish_snapshot(self.connection, self.database)
                        last_published, dirty = now, False
                    if caught_up and not follow:
                        break
            self._commit()  # stopped: what was appended is whole batches, keep it
        except BaseException:
            self._rollback()
            raise
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
        return CommittedConsumer(
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
        count = int(batch.num_rows)
        if count == 0:
            return 0
        if self._uncommitted is None:
            self.connection.begin()
            self._uncommitted = 0
        append_in_transaction(self.connection, self.topic, batch)
        self._uncommitted += count
        self.projected += count
        if self._uncommitted >= self.options.commit_rows:
            self._commit()
        return count

    def _commit(self) -> None:
        if self._uncommitted is not None:
            self.connection.commit()
            self._uncommitted = None

    def _rollback(self) -> None:
        if self._uncommitted is not None:
            self._uncommitted = None
            self.connection.rollback()


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
    # The file was built by open_for_writing above moments ago: its SQL is current, and
    # installing it again (about a second, mostly binding the indicators view) only to
    # publish the snapshot would be wasted.
    connection = connect_exclusively(database)
    try:
        publish_snapshot(connection, database)
    finally:
        connection.close()
    if then is not None:
        then()
    return count
