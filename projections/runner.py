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
snapshot analysts open; less often when copying the file would otherwise take more than
`snapshot_share` of its time (a large record).

What the embedded broker (Tansu) gets wrong, and how the runner stays right on it:
- it hands records of aborted transactions to read_committed readers, so an event can be
  on the topic twice: each transaction drops its rows that repeat an event_id before it
  commits (`projections.load.skip_later_copies`), and the summary counts them;
- its `end_offsets()` is the newest batch's base offset plus one (0 under
  read_committed while a transaction is open): so it is only a lower bound, and the
  runner is caught up only when, past it, a poll long enough for a fetch to come back
  (`idle_confirmation_ms`) returns nothing;
- it keeps topics in memory, so a restart empties them: before resuming, the runner
  checks that the topic still holds the last event it projected from each partition
  (`projections.lineage`), and refuses otherwise.
Only one runner may write a database: `project` and `rebuild` hold its `WriterLock`.

A follower also serves reads from its own process (projections.served_reads), which see
every commit the runner makes; so while it serves, it makes a commit readers may see (the
kept tables brought up to date in it) every `read_commit_seconds` when events came, not
only at each snapshot, and the snapshot, a copy, keeps its own slower pace. A commit that
only bounds a catch-up's transaction closes the `ReadGate` until the next whole one, so no
session begins its view on log rows the kept tables do not show yet.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pyarrow as pa
from kafka import KafkaConsumer, TopicPartition

from events.kafka import client
from events.progress import Progress
from events.settings import Settings
from projections import privacy
from projections.database import WriterLock, writer_session
from projections.decoding import Decoding, Message
from projections.exceptions import ProjectionError, RecordChanged, UndecodableMessage
from projections.lineage import check_built_from
from projections.load import (
    POSITION_AND_ID,
    append_in_transaction,
    consumed_offsets,
    skip_later_copies,
)
from projections.maintain import bring_up_to_date, has_pending
from projections.privacy import PersonalDataOpener
from projections.read_protocol import served_reads_path
from projections.reference import carry_reference_tables
from projections.reference_loads import ReferenceInbox, Taken
from projections.served_reads import ReadGate, ReadService
from projections.snapshot import SnapshotPublisher, publish_spacing


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
    # The broker holds a fetch this long when it has nothing to send; a poll empty for
    # several times that (`idle_confirmation_ms`) means the topic had nothing past the
    # runner's position, where a short empty poll may only mean the fetch is still out.
    # Short, as every run that stops when caught up waits out one confirmation; while
    # events flow the broker answers at once whatever the wait.
    fetch_max_wait_ms: int = 100
    idle_confirmation_ms: int = 400
    snapshot_interval_seconds: float = 1.0
    # The snapshot is a whole copy of the database file, so its cost grows with the record
    # (with its checkpoint, 0.4 s for the 123 MiB of a million events on a busy 2-core
    # machine). After a copy of c seconds the next publish starts at least c / share after
    # this one started (its commit, with the kept tables, counted in that time), so copies
    # never take more than this share of a follower's time: at national scale the snapshot
    # is refreshed less often, rather than the runner falling behind the topic
    # (projections.snapshot.publish_spacing).
    snapshot_share: float = 0.25
    # While serving reads, a commit readers see (the kept tables brought up to date: about
    # 0.1 s for a few hundred children at a million events) at least this often when
    # events came, and spaced to keep that work within `read_commit_share` of the
    # runner's time (the same rule as the snapshot's copies).
    read_commit_seconds: float = 0.2
    read_commit_share: float = 0.5
    show_progress: bool = False
    # Decode in a worker process while polling the next batch (needs a second CPU).
    decode_in_worker: bool = (os.cpu_count() or 1) > 1


@dataclass(frozen=True)
class ProjectionSummary:
    """What one run did: events added to the projection, and later copies left out."""

    events: int
    skipped_copies: int = 0


class ProjectionRunner:
    """Projects one events topic into one open DuckDB database.

    `publisher` publishes the database's snapshot; None publishes none (a database being
    rebuilt beside the one in service).
    """

    def __init__(
        self,
        settings: Settings,
        connection: duckdb.DuckDBPyConnection,
        database: Path,
        *,
        publisher: SnapshotPublisher | None = None,
        options: RunnerOptions | None = None,
        reads: ReadGate | None = None,
    ) -> None:
        self.settings = settings
        self.reads = reads  # the gate of the served reads; None: none served
        self.connection = connection
        self.database = database
        self.publisher = publisher
        self.topic = settings.events_topic
        self.options = options or RunnerOptions()
        self.projected = 0
        self.skipped_copies = 0
        if self.options.duckdb_memory_limit is not None:
            connection.execute("set memory_limit = ?", [self.options.duckdb_memory_limit])
        if self.options.duckdb_threads is not None:
            connection.execute("set threads = ?", [self.options.duckdb_threads])
        self._uncommitted: int | None = None  # rows in the open transaction; None: none open
        self._appended: list[pa.Table] = []  # POSITION_AND_ID of the open transaction's rows
        self._read_up_to: dict[int, int] = {}  # per partition, one past the last offset read
        # The key store opens what the mode keeps of each batch (projections.privacy).
        self.personal_data = PersonalDataOpener.for_settings(settings)
        # Reference files left for this runner (`journeys population load` beside it):
        # only a runner that publishes the database in service takes them.
        self.reference_loads = ReferenceInbox(database) if publisher is not None else None

    def run(self, *, follow: bool, stop: threading.Event | None = None) -> ProjectionSummary:
        """Project until caught up (follow=False) or until `stop` is set.

        Each turn of the loop: 1. poll a batch and hand it to the decoder; 2. append every
        decoded batch that is ready, oldest first (all of them when the poll was empty),
        each with its offsets, into the open transaction (committed once it holds
        `commit_rows` rows); 3. commit and publish the snapshot if the last one is a
        second old, or when caught up, and at once after loading a reference file left in
        the inbox (projections.reference_loads), answered only then; 4. when nothing is
        pending, every partition's position has reached its (freshly read) end offset, a
        lower bound only, and a confirming poll of `idle_confirmation_ms` finds nothing
        more, stop unless following.
        """
        stop = stop or threading.Event()
        privacy.install(self.connection, self.settings)
        consumer = self._consumer()
        decoding = Decoding(in_worker=self.options.decode_in_worker)
        try:
            dirty = self._purge_erased()
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
                copies_resume = float("-inf")  # when the copies' share allows the next
                unseen = False  # appended since the last commit readers may see
                # When the next commit for served reads may be (one since the run began).
                reads_resume = time.monotonic() + self.options.read_commit_seconds
                dirty = True  # publish at least once, so readers always find a snapshot
                idle_confirmed = False  # a confirming poll found nothing since the last message
                while not stop.is_set():
                    if self.personal_data.refresh():  # `journeys erase` ran meanwhile
                        dirty = self._purge_erased() or dirty
                    messages = self._poll(consumer, self.options.poll_timeout_ms)
                    self._refuse_a_shorter_record(consumer, partitions)
                    if messages:
                        decoding.submit(messages)
                        idle_confirmed = False
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
                        dirty = unseen = True
                        if progress is not None:
                            progress.advance(min(count, max(0, remaining - progress.done)))
                    caught_up = (
                        not messages
                        and len(decoding) == 0
                        and client.reached(consumer, partitions, ends)
                    )
                    if caught_up:
                        # Confirm against fresh end offsets: more may have arrived.
                        ends = consumer.end_offsets(partitions)
                        caught_up = client.reached(consumer, partitions, ends)
                    if caught_up and not idle_confirmed:
                        # The end offsets are a lower bound only, and a short empty poll
                        # may just be a fetch still out: ask once more, long enough.
                        more = self._poll(consumer, self.options.idle_confirmation_ms)
                        if more:
                            decoding.submit(more)
                            caught_up = False
                        else:
                            idle_confirmed = True
                    served = self._serve_reference_loads()
                    now = time.monotonic()
                    may_copy = now >= copies_resume
                    due = (
                        may_copy and now - last_published >= self.options.snapshot_interval_seconds
                    )
                    # A run that stops when caught up always publishes before it stops; a
                    # reference file loaded is published before its loader hears of it.
                    if served or (
                        dirty and ((caught_up and (may_copy or not follow)) or (follow and due))
                    ):
                        committed_from = time.monotonic()
                        self._commit()
                        unseen, published = False, True
                        reads_resume = self._next_read_commit(committed_from)
                        if self.publisher is not None:
                            copied_from = time.monotonic()
                            published = self._publish()
                            copies_resume = now + publish_spacing(
                                time.monotonic() - copied_from, self.options.snapshot_share
                            )
                        if published:
                            last_published, dirty = now, False
                    elif (
                        unseen
                        and self.reads is not None
                        and now >= reads_resume
                        and len(messages) < self.options.max_batch  # at the topic's head
                    ):
                        # Served reads see this commit at once: no copy to wait for.
                        committed_from = time.monotonic()
                        self._commit()
                        reads_resume = self._next_read_commit(committed_from)
                        unseen = False
                    if served and self.reference_loads is not None:
                        # Loaded and committed (and, unless a served read held off the
                        # checkpoint this turn, published: then it is on the next turn).
                        self.reference_loads.answer(served)
                    if caught_up and not follow:
                        break
            self._commit()  # stopped: what was appended is whole batches, keep it
        except BaseException:
            self._rollback()
            raise
        finally:
            decoding.close()
            consumer.close()
            self.personal_data.close()
        return ProjectionSummary(self.projected, self.skipped_copies)

    def _serve_reference_loads(self) -> list[Taken]:
        """Load the reference files waiting in the inbox, each in its own transaction
        after committing what is appended; the loads, to answer once published."""
        if self.reference_loads is None or not self.reference_loads.waiting():
            return []
        self._commit()
        return self.reference_loads.serve(self.connection)

    def _next_read_commit(self, committed_from: float) -> float:
        """When the next commit for served reads may start, after one (its kept tables
        brought up to date) that started at `committed_from`: `read_commit_seconds` on,
        or later, to keep that work within `read_commit_share` of the runner's time."""
        spacing = publish_spacing(time.monotonic() - committed_from, self.options.read_commit_share)
        return committed_from + max(self.options.read_commit_seconds, spacing)

    def _publish(self) -> bool:
        """Publish the snapshot; False if DuckDB refused the checkpoint for now (a served
        read held its checkpoint lock: projections.snapshot.try_publish), to try again."""
        assert self.publisher is not None
        if self.reads is None:
            self.publisher.publish()
            return True
        return self.publisher.try_publish() is not None

    def _purge_erased(self) -> bool:
        """Delete what the database holds of children erased since; True if any were."""
        erased = self.personal_data.erased
        if not erased:
            return False
        began = self._uncommitted is None
        if began:
            self.connection.begin()
        try:
            purged = privacy.purge_erased(self.connection, erased)
        except BaseException:
            if began:
                self.connection.rollback()
            raise
        if began:
            self.connection.commit()
        if purged:
            # Deleted rows can stay in the file's blocks until DuckDB rewrites them.
            self.connection.execute("checkpoint")
        return purged > 0

    def _refuse_a_shorter_record(
        self, consumer: KafkaConsumer, partitions: list[TopicPartition]
    ) -> None:
        """Raise RecordChanged if a partition now ends before where the runner has read.

        A follower's broker may restart under it with every topic empty (memory storage):
        the fetch's high watermark (the partition's true end, even on the embedded broker)
        then falls below the runner's position, which no record that is only ever
        appended to can do. Stopping there keeps the new record's events from being
        projected after the old one's.
        """
        for partition in partitions:
            end = consumer.highwater(partition)
            read_up_to = self._read_up_to.get(partition.partition, 0)
            if end is not None and end < read_up_to:
                raise RecordChanged(
                    self.database,
                    f"{self.topic} partition {partition.partition} now ends at offset "
                    f"{end:,}, before offset {read_up_to:,}, which the projection has read "
                    "up to (a broker restarted with empty in-memory topics?)",
                )

    def _consumer(self) -> KafkaConsumer:
        return client.record_reader(
            self.settings,
            max_poll_records=self.options.max_batch,
            fetch_max_wait_ms=self.options.fetch_max_wait_ms,
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
        check_built_from(self.settings, self.connection, self.database, sorted(numbers))
        consumer.assign(partitions)
        stored = consumed_offsets(self.connection, self.topic)
        self._read_up_to = dict(stored)
        for partition in partitions:
            if partition.partition in stored:
                consumer.seek(partition, stored[partition.partition])
            else:
                consumer.seek_to_beginning(partition)
        return partitions

    def _poll(self, consumer: KafkaConsumer, timeout_ms: int) -> list[Message]:
        polled = consumer.poll(timeout_ms=timeout_ms, max_records=self.options.max_batch)
        for partition, partition_messages in polled.items():
            if partition_messages:
                self._read_up_to[partition.partition] = partition_messages[-1].offset + 1
        return [
            (message.value, partition.partition, message.offset)
            for partition, partition_messages in polled.items()
            for message in partition_messages
        ]

    def _append(self, batch: pa.Table) -> int:
        batch = self.personal_data.open(batch)
        count = int(batch.num_rows)
        if count == 0:
            return 0
        if self._uncommitted is None:
            self.connection.begin()
            self._uncommitted = 0
        append_in_transaction(self.connection, self.topic, batch)
        # A copy of the three columns, so holding them keeps no other column's buffers.
        self._appended.append(
            pa.table({name: pa.concat_arrays(batch[name].chunks) for name in POSITION_AND_ID})
        )
        self._uncommitted += count
        self.projected += count
        if self._uncommitted >= self.options.commit_rows:
            self._commit(keep_tables=False)
        return count

    def _commit(self, *, keep_tables: bool = True) -> None:
        """Commit the open transaction: first drop later copies of events already in the
        log (`skip_later_copies`), then, with keep_tables, bring the kept analyst tables up
        to date in it (projections.maintain), as at every commit readers may see; a commit
        that only bounds a catch-up's transaction leaves them to the next, so a catch-up
        recomputes each child once, not once per commit."""
        skipped = 0
        if self._uncommitted is not None and self._appended:
            appended, self._appended = pa.concat_tables(self._appended), []
            skipped = skip_later_copies(self.connection, self.topic, appended)
        if keep_tables and has_pending(self.connection):
            if self._uncommitted is None:
                self.connection.begin()
                self._uncommitted = 0
            bring_up_to_date(
                self.connection, memory_limit_bytes=self.settings.duckdb_memory_limit_bytes
            )
        # With served reads: whether this commit is a state they may see (the kept tables
        # up to date with the log), or one that only bounds a catch-up's transaction.
        whole = self.reads is not None and (keep_tables or not has_pending(self.connection))
        if self._uncommitted is not None:
            if self.reads is not None and not whole:
                self.reads.close()  # no session begins its view on this commit
            self.connection.commit()
            self._uncommitted = None
            self.projected -= skipped
            self.skipped_copies += skipped
        if self.reads is not None and whole:
            self.reads.open()

    def _rollback(self) -> None:
        if self._uncommitted is not None:
            self._uncommitted = None
            self._appended = []
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
    serve_reads: bool = False,
) -> ProjectionSummary:
    """Bring Settings.database up to date with the events topic (and keep it so if follow).

    With `serve_reads` a follower also answers queries from its own process
    (projections.served_reads). It is asked for, not the default: its commits for the
    served readers take runner time that the snapshot's copies then wait for, so a reader
    of the snapshot (a BI tool) sees events later (benchmarks/README.md: p95 5.8 s against
    2.6 s at a million events).

    Raises ProjectionWriterRunning at once if another runner writes the database, and
    RecordChanged if the topic is no longer the record the database was built from.
    """
    database = settings.database
    options = options or RunnerOptions()
    with contextlib.ExitStack() as stack:
        stack.enter_context(WriterLock(database))
        connection, publisher = stack.enter_context(writer_session(database))
        gate = None
        if follow and serve_reads:
            # The instance's memory limit is every served read's as well as the writer's.
            options = replace(options, duckdb_memory_limit=f"{settings.duckdb_memory_limit_bytes}B")
            gate = ReadGate(open_now=not has_pending(connection))
            stack.enter_context(ReadService(connection, served_reads_path(database), gate))
        runner = ProjectionRunner(
            settings, connection, database, publisher=publisher, options=options, reads=gate
        )
        return runner.run(follow=follow, stop=stop)


def rebuild(
    settings: Settings,
    *,
    options: RunnerOptions | None = None,
    then: Callable[[], None] | None = None,
) -> ProjectionSummary:
    """Build a fresh database from offset 0 beside the current one, then swap it in.

    The database's WriterLock is held throughout, so no other runner writes the current
    database meanwhile nor finds it replaced under it; its snapshot keeps serving readers
    until the new one has caught up; then the new file is renamed over it, an atomic
    step, and the snapshot republished from it.
    """
    database = settings.database
    fresh = database.with_name(f"{database.name}.rebuild-{os.getpid()}")
    with WriterLock(database):
        _remove_database_files(fresh)
        try:
            with writer_session(fresh) as (connection, _):
                runner = ProjectionRunner(settings, connection, fresh, options=options)
                summary = runner.run(follow=False)
                # Population and comparators come from files, not the log: keep them.
                carry_reference_tables(connection, database)
                connection.execute("checkpoint")
        except BaseException:
            _remove_database_files(fresh)
            raise
        # A log beside the old file (a killed runner leaves one) belongs to the old file:
        # never let it be replayed onto the new one.
        database.with_name(database.name + ".wal").unlink(missing_ok=True)
        os.replace(fresh, database)
        # The file was built by writer_session above moments ago: its SQL is current, and
        # installing it again (about a second, mostly binding the indicators view) only
        # to publish the snapshot would be wasted.
        with writer_session(database, install_sql=False) as (connection, publisher):
            # Reference files left while it rebuilt, whose loaders still wait.
            inbox = ReferenceInbox(database)
            served = inbox.serve(connection)
            publisher.publish()
            inbox.answer(served)
    if then is not None:
        then()
    return summary
