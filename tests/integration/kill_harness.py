"""What the kill tests share: the submissions, the CLI runs they kill, and the counts they check.

A kill test sends SIGKILL to one process of the service again and again, lets a last run
finish, then asks every copy of the record whether it holds each accepted event exactly
once: the events topic, the processor's journey state store and a DuckDB projection, and
whether the indicators equal those of a run that nobody interrupted.

The events topic is read here until polls come back empty, not up to `end_offsets()`
(the embedded broker's is wrong: issue 11, item 6). The embedded broker also hands the
records of aborted transactions to read_committed readers, though it writes the commit
and abort markers into the log; so the topic is read uncommitted and each message is
judged committed or not from those markers, as the Kafka protocol defines. The record is
what committed transactions wrote; the aborted copies are counted and reported.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import cli_runs
import duckdb
from kafka.consumer.fetcher import Fetcher
from kafka.record.memory_records import MemoryRecords
from kafka.structs import TopicPartition

from events.catalogue import JourneyEvent
from events.codec import default_codec
from events.kafka import client
from events.settings import Settings
from journeys.kafka.persistence import state_store_path
from journeys.synthetic import AuthorityParameters, generate
from projections.indicators import indicators_for_year

SUBMISSIONS = 30_000
KILLS = 10
REPOSITORY = Path(__file__).resolve().parents[2]
# Polls in a row that must come back empty before a topic counts as read to its end.
_EMPTY_POLLS = 3
_POLL_TIMEOUT_MS = 500


def submissions() -> list[JourneyEvent]:
    """30,000 submissions of a synthetic authority (whole years of practice, a few
    deliberately breaking a rule), each child's in recording order."""
    params = AuthorityParameters(children=4_500, seed=11, invalid_share=0.01)
    events = list(generate(params))
    assert len(events) >= SUBMISSIONS, f"the authority gave only {len(events):,} submissions"
    # A cut keeps a prefix of the last child's journey, which is still in recording order.
    return events[:SUBMISSIONS]


def cli_environment(settings: Settings) -> dict[str, str]:
    """The environment that points `python -m journeys` at these settings' topics and files,
    from any working directory."""
    return {
        **cli_runs.cli_environment(settings),
        "PYTHONPATH": os.pathsep.join([str(REPOSITORY), os.environ.get("PYTHONPATH", "")]),
    }


def start_cli(settings: Settings, *arguments: str) -> subprocess.Popen[str]:
    """`python -m journeys ARGUMENTS` with its stderr piped (it reports each commit there)."""
    return subprocess.Popen(
        [sys.executable, "-m", "journeys", *arguments],
        env=cli_environment(settings),
        cwd=REPOSITORY,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_lines(stream: IO[str], prefix: str, count: int) -> list[str]:
    """Read `stream` until `count` lines starting with `prefix` were seen (or it ends)."""
    seen: list[str] = []
    for line in stream:
        if line.startswith(prefix):
            seen.append(line)
            if len(seen) >= count:
                break
    return seen


def kill(process: subprocess.Popen[str]) -> str:
    """SIGKILL the process (if still running), reap it; what it had left on stderr."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.stderr is not None
    rest = process.stderr.read()
    process.stderr.close()
    return rest


def children_of(pid: int) -> list[int]:
    """The direct children of a process, from /proc (each thread's `children` list)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(child) for child in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def cpu_nanoseconds(pid: int) -> int | None:
    """CPU time used so far by all threads of a process (schedstat); None once it is gone."""
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                total += int((task / "schedstat").read_text().split()[0])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return total


def wait_until_busy(
    pid: int, *, samples: int = 2, interval_s: float = 0.002, timeout_s: float = 30.0
) -> bool:
    """Return True once `pid` has been busy (over a quarter of a core) for `samples`
    sampling intervals in a row; False if it ends, or stays idle, first.

    The record writer child sleeps on its pipe between transactions and works (builds
    the record batches, sends them, adds the offsets, commits) inside one, so a child
    seen working is in the middle of writing a transaction.
    """
    busy_ns = interval_s * 1e9 / 4
    streak = 0
    last = cpu_nanoseconds(pid)
    deadline = time.monotonic() + timeout_s
    while last is not None and time.monotonic() < deadline:
        time.sleep(interval_s)
        now = cpu_nanoseconds(pid)
        if now is None:
            return False
        streak = streak + 1 if now - last >= busy_ns else 0
        if streak >= samples:
            return True
        last = now
    return False


# Reading the copies of the record ----------------------------------------------------


@dataclass(frozen=True)
class TopicCopy:
    """One message of the events topic: its event, where it is, and whether a committed
    transaction wrote it (False: an aborted transaction, or one still open)."""

    event_id: uuid.UUID
    partition: int
    offset: int
    committed: bool


@dataclass(frozen=True)
class _Batch:
    base_offset: int
    last_offset: int
    producer_id: int
    transactional: bool
    control: bool
    abort: bool  # for a control batch: an abort marker (else a commit marker)


@contextlib.contextmanager
def _batches_seen(into: dict[int, dict[int, _Batch]]) -> Iterator[None]:
    """While open, note every record batch kafka-python's fetcher unpacks, per partition.

    kafka-python (like every client) drops aborted transactions by the list of them the
    broker sends with each fetch; the embedded broker sends none, though it does write the
    commit and abort markers into the log. So the test reads the markers itself, from the
    batches the fetcher is handed, before the fetcher skips the control batches.
    """
    records_class = Fetcher.PartitionRecords
    unpack = records_class._unpack_records

    def noting(self: Any, tp: TopicPartition, records: Any, *arguments: Any) -> Iterator[Any]:
        # A copy of the fetched bytes, so the fetcher still unpacks them from the start.
        peek = MemoryRecords(bytes(records._buffer))
        batch = peek.next_batch()
        seen = into.setdefault(tp.partition, {})
        while batch is not None:
            control = batch.magic == 2 and batch.is_control_batch
            seen[batch.base_offset] = _Batch(
                base_offset=batch.base_offset,
                last_offset=batch.last_offset if batch.magic == 2 else batch.base_offset,
                producer_id=batch.producer_id if batch.magic == 2 else -1,
                transactional=batch.magic == 2 and batch.is_transactional,
                control=control,
                abort=control and bool(next(iter(batch)).abort),
            )
            batch = peek.next_batch()
        yield from unpack(self, tp, records, *arguments)

    records_class._unpack_records = noting
    try:
        yield
    finally:
        records_class._unpack_records = unpack


def _committed_offsets(batches: dict[int, _Batch]) -> tuple[list[int], list[bool]]:
    """Each data batch's base offset, in order, and whether a commit marker of its producer
    follows it (a transactional batch with no marker after it is not committed)."""
    outcome: dict[int, bool] = {}
    open_batches: dict[int, list[int]] = {}
    for base in sorted(batches):
        batch = batches[base]
        if batch.control:
            for pending in open_batches.pop(batch.producer_id, []):
                outcome[pending] = not batch.abort
        elif batch.transactional:
            open_batches.setdefault(batch.producer_id, []).append(base)
            outcome[base] = False
        else:
            outcome[base] = True
    bases = sorted(outcome)
    return bases, [outcome[base] for base in bases]


def topic_copies(settings: Settings) -> list[TopicCopy]:
    """Every message on the events topic, each with whether a committed transaction wrote it.

    Read uncommitted, until several polls in a row come back empty (not up to
    `end_offsets()`, which the embedded broker gets wrong), deciding from the transaction
    markers in the log which messages are committed.
    """
    codec = default_codec()
    batches: dict[int, dict[int, _Batch]] = {}
    messages: list[tuple[uuid.UUID, int, int]] = []
    with _batches_seen(batches):
        consumer = client.raw_reader(settings)
        try:
            numbers = consumer.partitions_for_topic(settings.events_topic) or set()
            partitions = [TopicPartition(settings.events_topic, n) for n in sorted(numbers)]
            assert partitions, f"no partitions for {settings.events_topic}"
            consumer.assign(partitions)
            consumer.seek_to_beginning(*partitions)
            empty = 0
            while empty < _EMPTY_POLLS:
                polled = consumer.poll(timeout_ms=_POLL_TIMEOUT_MS, max_records=20_000)
                records = [record for batch in polled.values() for record in batch]
                empty = 0 if records else empty + 1
                messages.extend(
                    (codec.decode(record.value).event_id, record.partition, record.offset)
                    for record in records
                )
        finally:
            consumer.close()
    decided = {partition: _committed_offsets(seen) for partition, seen in batches.items()}
    copies = []
    for event_id, partition, offset in messages:
        bases, committed = decided[partition]
        where = bisect.bisect_right(bases, offset) - 1
        copies.append(TopicCopy(event_id, partition, offset, where >= 0 and committed[where]))
    return copies


def state_store_event_ids(settings: Settings) -> list[uuid.UUID]:
    """Every event_id in the processor's journey state store (opened read-only)."""
    codec = default_codec()
    path = state_store_path(settings)
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        states = connection.execute("select state from stored_events").fetchall()
    finally:
        connection.close()
    return [codec.decode(bytes(state)).event_id for (state,) in states]


def projection_event_ids(database: Path) -> list[uuid.UUID]:
    """Every event_id in the projection's event log."""
    connection = duckdb.connect(str(database), read_only=True)
    try:
        rows = connection.execute("select event_id from event_log").fetchall()
    finally:
        connection.close()
    return [
        event_id if isinstance(event_id, uuid.UUID) else uuid.UUID(event_id) for (event_id,) in rows
    ]


def projected_count(database: Path) -> int:
    """Rows of the projection's event log, or 0 when the database has none yet."""
    if not database.exists():
        return 0
    connection = duckdb.connect(str(database), read_only=True)
    try:
        tables = {name for (name,) in connection.execute("show tables").fetchall()}
        if "event_log" not in tables:
            return 0
        (count,) = connection.execute("select count(*) from event_log").fetchone() or (0,)
        return int(count)
    finally:
        connection.close()


Indicators = dict[int, list[tuple[object, ...]]]


def indicators_by_year(database: Path) -> Indicators:
    """Every year's indicators as `journeys indicators --year Y` computes them."""
    connection = duckdb.connect(str(database), read_only=True)
    try:
        years = [
            int(year)
            for (year,) in connection.execute(
                "select distinct year from indicators order by year"
            ).fetchall()
        ]
        return {
            year: [tuple(row.values()) for row in indicators_for_year(connection, year).to_pylist()]
            for year in years
        }
    finally:
        connection.close()


@dataclass
class Tally:
    """How one copy of the record compares with the events that must be in it."""

    name: str
    rows: int
    missing: int
    doubled: int  # event_ids held more than once
    extra_copies: int  # rows beyond the first of each event_id
    unexpected: int  # event_ids that are not among the accepted events
    examples: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, name: str, found: Iterable[uuid.UUID], expected: set[uuid.UUID]) -> Tally:
        counts = Counter(found)
        doubled = sorted(str(event_id) for event_id, n in counts.items() if n > 1)
        missing = sorted(str(event_id) for event_id in expected - counts.keys())
        unexpected = sorted(str(event_id) for event_id in counts.keys() - expected)
        return cls(
            name=name,
            rows=sum(counts.values()),
            missing=len(missing),
            doubled=len(doubled),
            extra_copies=sum(n - 1 for n in counts.values()),
            unexpected=len(unexpected),
            examples=(missing[:2] + doubled[:2] + unexpected[:2]),
        )

    def is_exact(self) -> bool:
        return self.missing == self.doubled == self.unexpected == 0

    def describe(self) -> str:
        return (
            f"{self.name}: {self.rows:,} rows, {self.missing:,} missing, {self.doubled:,} "
            f"event_ids doubled ({self.extra_copies:,} extra copies), {self.unexpected:,} "
            "unexpected"
        )


def report(title: str, lines: Sequence[str]) -> None:
    """Print the figures of a kill test (shown with pytest -s, and in the failure output)."""
    print(f"\n== {title}", *(f"   {line}" for line in lines), sep="\n", file=sys.stderr)


_COMMITTED = re.compile(
    r"committed: .*?: ([\d,]+) accepted, ([\d,]+) refused by the rules, "
    r"(?:[\d,]+ too large, )?([\d,]+) undecodable, ([\d,]+) duplicates acknowledged"
)


@dataclass
class Decisions:
    """What the processor said it committed, summed over the `committed:` lines of its runs.

    A lower bound: a transaction committed just before its processor or writer was killed
    is never confirmed, so never reported.
    """

    accepted: int = 0
    refused: int = 0
    undecodable: int = 0
    duplicates: int = 0

    def add(self, stderr: str) -> None:
        for match in _COMMITTED.finditer(stderr):
            accepted, refused, undecodable, duplicates = (
                int(group.replace(",", "")) for group in match.groups()
            )
            self.accepted += accepted
            self.refused += refused
            self.undecodable += undecodable
            self.duplicates += duplicates

    def describe(self) -> str:
        return (
            f"the processor's committed batches said: {self.accepted:,} accepted, "
            f"{self.refused:,} refused, {self.undecodable:,} undecodable, "
            f"{self.duplicates:,} duplicates acknowledged"
        )
