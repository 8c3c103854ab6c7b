"""SIGKILL the processor, its record writer child mid-commit, and the projection runner,
ten times each on 30,000 submissions: every copy of the record still holds each accepted
event once, and the indicators equal those of a run nobody interrupted (issue 11).

The uninterrupted run is made once for the module, under a topic prefix of its own on
the same broker: the same submissions published, processed and projected with no kill.
Its accepted events are the events every killed run must end with, and its indicators
(every year, as `journeys indicators --year Y` computes them) the indicators it must give.

Each test prints its figures (run with -s to see them): per kill how far the run had got,
then per copy of the record its rows, events missing and events doubled. The events topic
is judged by what committed transactions wrote (read from the transaction markers in the
log, see kill_harness): the embedded broker also shows the records of aborted
transactions to read_committed readers, so after a writer child is killed a reader there
may see more; those copies are counted and printed, not failed on. The journey state
store and the projection must keep each event_id once regardless, and the processor must
never acknowledge a submission as a duplicate (none is sent twice): if it does, it took
an aborted transaction's copy of an event for the record.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import random
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from kill_harness import (
    KILLS,
    Decisions,
    Indicators,
    Tally,
    children_of,
    command_line,
    indicators_by_year,
    kill,
    projected_count,
    projection_event_ids,
    report,
    start_cli,
    state_store_event_ids,
    submissions,
    topic_copies,
    wait_for_lines,
    wait_until_busy,
)

from events.catalogue import JourneyEvent
from events.settings import Settings
from journeys.kafka.processor import process_until_idle
from journeys.kafka.publish import publish_events
from journeys.kafka.topics import ensure_topics
from projections.runner import project
from projections.snapshot import snapshot_path

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

# Submissions per transaction: 60 transactions for the 30,000. A run is killed a moment
# after its first or second commit, so it gets through a few batches at most (the next
# one is judged while the last is written) and every kill lands with work still ahead.
BATCH = "500"
# Most events per poll of the projection runner: small, so that projecting the record
# takes several seconds and the kills land mid-way.
PROJECTION_BATCH = "100"
# A run must end within this; a processor or runner that hangs fails the test.
RUN_TIMEOUT_S = 120


@dataclass(frozen=True)
class Baseline:
    settings: Settings
    accepted: set[uuid.UUID]
    indicators: Indicators
    seconds: float


@pytest.fixture(scope="module")
def authority() -> list[JourneyEvent]:
    return submissions()


@pytest.fixture(scope="module")
def baseline(
    kafka_cluster: Settings,
    tmp_path_factory: pytest.TempPathFactory,
    authority: list[JourneyEvent],
) -> Baseline:
    """The same submissions processed and projected with no kill, on topics of their own."""
    directory = tmp_path_factory.mktemp("uninterrupted")
    settings = dataclasses.replace(
        kafka_cluster,
        topic_prefix=f"test-{uuid.uuid4().hex[:12]}.",
        state_dir=directory / "state",
        database=directory / "journeys.duckdb",
        key_store=directory / "keys" / "journeys-keys.sqlite",
        master_key_file=directory / "keys" / "journeys-master.key",
    )
    ensure_topics(settings)
    started = time.monotonic()
    publish_events(settings, authority)
    summary = process_until_idle(settings, batch_size=int(BATCH))
    project(settings, follow=False)
    seconds = time.monotonic() - started

    copies = topic_copies(settings)
    accepted = {copy.event_id for copy in copies}
    assert all(copy.committed for copy in copies), "an uninterrupted run aborted nothing"
    assert len(copies) == len(accepted) == summary.accepted, summary.describe()
    assert summary.refused > 0, "the authority should break a rule now and then"
    indicators = indicators_by_year(settings.database)
    numerators = {row[0] for rows in indicators.values() for row in rows if row[2]}
    assert len(numerators) >= 6, f"too few indicators with a numerator: {sorted(numerators)}"
    report(
        "uninterrupted run",
        [
            f"{len(authority):,} submissions: {summary.describe()}",
            f"published, processed and projected in {seconds:.1f} s",
            f"indicators for {min(indicators)}-{max(indicators)}, {len(numerators)} with a "
            "non-zero numerator",
        ],
    )
    return Baseline(settings, accepted, indicators, seconds)


def check_the_record(
    settings: Settings, baseline: Baseline, figures: list[str], *, state_store: bool = True
) -> None:
    """Every copy of the record against the uninterrupted run: each event once, same indicators."""
    copies = topic_copies(settings)
    topic = Tally.of(
        "events topic, committed transactions",
        (copy.event_id for copy in copies if copy.committed),
        baseline.accepted,
    )
    shown = Tally.of(
        "events topic as the broker shows read_committed readers",
        (copy.event_id for copy in copies),
        baseline.accepted,
    )
    aborted = sum(not copy.committed for copy in copies)
    figures.append(f"{aborted:,} messages of aborted (or unfinished) transactions on the topic")
    figures.append(shown.describe())
    tallies = [topic]
    if state_store:
        tallies.append(Tally.of("state store", state_store_event_ids(settings), baseline.accepted))
    started = time.monotonic()
    project(settings, follow=False)
    figures.append(f"projected the record in {time.monotonic() - started:.1f} s")
    tallies.append(
        Tally.of("projection", projection_event_ids(settings.database), baseline.accepted)
    )
    figures.extend(tally.describe() for tally in tallies)
    indicators = indicators_by_year(settings.database)
    differing = sorted(
        year
        for year in indicators.keys() | baseline.indicators.keys()
        if indicators.get(year) != baseline.indicators.get(year)
    )
    figures.append(
        f"indicators differing from the uninterrupted run in years: {differing or 'none'}"
    )
    report(f"kill test on {settings.topic_prefix}", figures)

    for tally in tallies:
        assert tally.is_exact(), f"{tally.describe()}; e.g. {tally.examples}"
    assert differing == [], f"indicators differ in {differing}"


def assert_each_submission_judged_once(decisions: Decisions) -> None:
    """No submission was sent twice, so none may be acknowledged as a duplicate.

    A batch whose transaction was aborted is delivered again (its consumer offsets were
    not committed either) and must be accepted again. Acknowledging its submissions as
    duplicates means the processor took events that only the aborted transaction wrote
    (shown to read_committed readers by the embedded broker) for the record: no committed
    transaction holds them, and a reader that honours aborts would find them missing.
    """
    assert decisions.accepted > 0, "no `committed:` line understood: did its wording change?"
    assert decisions.duplicates == 0, (
        f"{decisions.duplicates:,} submissions acknowledged as duplicates though none was "
        "sent twice: their events are on the topic only in aborted transactions"
    )


def run_to_the_end(settings: Settings, *arguments: str) -> tuple[int, str, float]:
    """A CLI run nobody kills: its exit code, its stderr, its time."""
    started = time.monotonic()
    process = start_cli(settings, *arguments)
    try:
        _, stderr = process.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        kill(process)
        raise
    return process.returncode, stderr, time.monotonic() - started


def test_ten_sigkills_of_the_processor_lose_and_double_nothing(
    kafka: Settings, baseline: Baseline, authority: list[JourneyEvent]
) -> None:
    publish_events(kafka, authority)
    rng = random.Random(11_1)
    figures: list[str] = []
    mid_run = 0
    decisions = Decisions()
    started = time.monotonic()
    for number in range(1, KILLS + 1):
        process = start_cli(kafka, "process", "--until-idle", "--batch-size", BATCH)
        assert process.stderr is not None
        # Kill once a batch or two is committed, at a random point of the next one.
        committed = wait_for_lines(process.stderr, "committed:", rng.randint(1, 2))
        time.sleep(rng.uniform(0.0, 0.05))
        running = process.poll() is None
        decisions.add("".join(committed) + kill(process))
        mid_run += running
        figures.append(
            f"kill {number}: after {len(committed)} committed batches of this run, "
            f"{'mid-run' if running else 'already finished'}"
        )
    killed_for = time.monotonic() - started
    code, stderr, seconds = run_to_the_end(kafka, "process", "--until-idle", "--batch-size", BATCH)
    assert code == 0, stderr[-2000:]
    decisions.add(stderr)
    figures.append(f"{KILLS} killed runs took {killed_for:.1f} s; the last run {seconds:.1f} s")
    figures.append(decisions.describe())
    assert mid_run == KILLS, "a run had finished before its kill: the batches are too big"
    check_the_record(kafka, baseline, figures)
    assert_each_submission_judged_once(decisions)


def record_writer_child(processor: subprocess.Popen[str]) -> int | None:
    """The pid of the processor's record writer (journeys.kafka.writer_process) child,
    waiting a little for it to start; None if the processor ends first."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while processor.poll() is None and time.monotonic() < deadline:
        for child in children_of(processor.pid):
            if "journeys.kafka.writer_process" in command_line(child):
                return child
        time.sleep(0.01)
    return None


def test_ten_sigkills_of_the_record_writer_child_mid_commit_lose_and_double_nothing(
    kafka: Settings, baseline: Baseline, authority: list[JourneyEvent]
) -> None:
    """Kill the writer child while it writes a transaction; the processor must fail and is
    restarted. Aimed at mid-commit: the child sleeps on its pipe between transactions and
    works only inside one, so it is killed the moment it is seen using CPU (over a quarter
    of a core in two 2 ms samples in a row), a random moment after one or two batches of
    the run committed."""
    publish_events(kafka, authority)
    rng = random.Random(11_2)
    figures: list[str] = []
    mid_commit = 0
    decisions = Decisions()
    started = time.monotonic()
    for number in range(1, KILLS + 1):
        process = start_cli(kafka, "process", "--until-idle", "--batch-size", BATCH)
        assert process.stderr is not None
        committed = wait_for_lines(process.stderr, "committed:", rng.randint(1, 2))
        child = record_writer_child(process)
        assert child is not None or process.poll() is not None, "no record writer child found"
        time.sleep(rng.uniform(0.0, 0.05))
        busy = child is not None and wait_until_busy(child)
        killed = False
        if child is not None:
            with contextlib.suppress(ProcessLookupError):  # gone already: the run ended
                os.kill(child, signal.SIGKILL)
                killed = True
        mid_commit += busy and killed
        try:
            # The processor must notice that its writer is gone, and stop by itself.
            code = process.wait(timeout=RUN_TIMEOUT_S)
        finally:
            stderr = kill(process)
        decisions.add("".join(committed) + stderr)
        last_words = stderr.strip().splitlines()[-1:] or ["(nothing)"]
        state = "busy (mid-transaction)" if busy else "idle"
        figures.append(
            f"kill {number}: after {len(committed)} committed batches of this run, child "
            f"{state if killed else 'gone before the kill'}; processor exit {code}: "
            f"{last_words[0][:160]}"
        )
        assert code != 0 or not killed, "the processor lost its record writer and exited 0"
    killed_for = time.monotonic() - started
    code, stderr, seconds = run_to_the_end(kafka, "process", "--until-idle", "--batch-size", BATCH)
    assert code == 0, stderr[-2000:]
    decisions.add(stderr)
    figures.append(f"{KILLS} killed runs took {killed_for:.1f} s; the last run {seconds:.1f} s")
    figures.append(decisions.describe())
    assert mid_commit > 0, "no writer child was killed while writing a transaction"
    check_the_record(kafka, baseline, figures)
    assert_each_submission_judged_once(decisions)


def snapshot_inode(snapshot: Path) -> int | None:
    try:
        return snapshot.stat().st_ino
    except FileNotFoundError:
        return None


def wait_for_publications(
    process: subprocess.Popen[str], snapshot: Path, count: int, before: int | None
) -> int:
    """Wait until the runner has published its snapshot `count` times since it was
    `before` (each publication renames a fresh copy over it); how many it saw."""
    seen, last = 0, before
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while seen < count and process.poll() is None and time.monotonic() < deadline:
        inode = snapshot_inode(snapshot)
        if inode is not None and inode != last:
            seen, last = seen + 1, inode
        time.sleep(0.005)
    return seen


def test_ten_sigkills_of_the_projection_runner_lose_and_double_nothing(
    baseline: Baseline, tmp_path: Path
) -> None:
    """`journeys project --follow` killed at random moments while it projects the
    uninterrupted run's record into a database of its own, then a last run to the end.

    A follower commits when it publishes its snapshot (at once, then once a second), so
    each run is killed a random moment after its first or second publication: some
    kills throw away an open transaction, others land after a commit, mid-way."""
    settings = dataclasses.replace(baseline.settings, database=tmp_path / "killed.duckdb")
    rng = random.Random(11_3)
    figures: list[str] = []
    total = len(baseline.accepted)
    mid_run = 0
    started = time.monotonic()
    for number in range(1, KILLS + 1):
        snapshot = snapshot_path(settings.database)
        before = snapshot_inode(snapshot)
        process = start_cli(settings, "project", "--follow", "--batch-size", PROJECTION_BATCH)
        published = wait_for_publications(process, snapshot, rng.randint(1, 2), before)
        time.sleep(rng.uniform(0.0, 0.3))
        running = process.poll() is None
        kill(process)
        projected = projected_count(settings.database)
        mid_run += running and projected < total
        figures.append(
            f"kill {number}: after {published} snapshots of this run, {projected:,} of "
            f"{total:,} events projected"
        )
    killed_for = time.monotonic() - started
    code, stderr, seconds = run_to_the_end(settings, "project", "--until-idle")
    assert code == 0, stderr[-2000:]
    figures.append(f"{KILLS} killed runs took {killed_for:.1f} s; the last run {seconds:.1f} s")
    assert mid_run > 0, "no runner was killed before it had caught up"
    check_the_record(settings, baseline, figures, state_store=False)
