"""The projection knows which record it was built from (issue 11, item 3).

After the embedded broker restarts it holds every topic empty (memory storage), and a
database built from the old record would keep serving its indicators and resume at
offsets the new record does not have. The runner must refuse, saying to rebuild; the
rebuild then projects the record as it is.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import replace

import duckdb
import pytest

# tests/integration is on sys.path, as pytest puts a test module's directory there.
from test_projection_runner import assert_same_projection, publish

from events.settings import Settings
from journeys.kafka.broker import embedded_broker, free_port
from journeys.kafka.topics import ensure_topics
from journeys.synthetic import AuthorityParameters, generate
from projections.exceptions import RecordChanged, SnapshotMissing
from projections.runner import RunnerOptions, project, rebuild
from projections.snapshot import open_snapshot

pytestmark = pytest.mark.kafka


def event_count(settings: Settings) -> int:
    connection = duckdb.connect(str(settings.database), read_only=True)
    try:
        (count,) = connection.execute("select count(*) from event_log").fetchone() or (0,)
        return int(count)
    finally:
        connection.close()


def test_a_database_pointed_at_another_record_is_refused_until_rebuilt(kafka: Settings) -> None:
    history = list(generate(AuthorityParameters(children=40, seed=21)))
    publish(kafka, history)
    assert project(kafka, follow=False).events == len(history)

    # The same database, another record (what a new JOURNEYS_TOPIC_PREFIX points at).
    other = replace(kafka, topic_prefix=f"test-{uuid.uuid4().hex[:12]}.")
    ensure_topics(other)
    newer = history[: len(history) // 3]
    publish(other, newer)
    with pytest.raises(RecordChanged, match=r"--rebuild"):
        project(other, follow=False)
    assert event_count(kafka) == len(history)  # nothing was written

    assert rebuild(other).events == len(newer)
    assert_same_projection(other, newer)
    assert project(other, follow=False).events == 0


def test_after_a_broker_restart_the_runner_refuses_to_resume_and_a_rebuild_works(
    kafka: Settings,
) -> None:
    """A real restart of an embedded broker on the same port: the same topic names, empty."""
    history = list(generate(AuthorityParameters(children=40, seed=22)))
    port = free_port()
    with embedded_broker(port) as broker:
        before = kafka.with_embedded_broker(broker.bootstrap_servers)
        ensure_topics(before)
        publish(before, history)
        assert project(before, follow=False).events == len(history)
    with embedded_broker(port) as broker:
        after = kafka.with_embedded_broker(broker.bootstrap_servers)
        assert after.events_topic == before.events_topic
        ensure_topics(after)
        # Fewer events than were projected: every partition ends before its last event.
        resubmitted = history[: len(history) // 4]
        publish(after, resubmitted)
        with pytest.raises(RecordChanged, match=r"ends before partition \d+ offset"):
            project(after, follow=False)
        # More events than were projected, but others: another event at that offset.
        publish(after, list(generate(AuthorityParameters(children=60, seed=23))))
        with pytest.raises(RecordChanged, match=r"holds another event at partition \d+"):
            project(after, follow=False)
        assert event_count(after) == len(history)

        rebuilt = rebuild(after).events
        assert rebuilt > len(history)
        assert event_count(after) == rebuilt
        assert project(after, follow=False).events == 0


def test_a_database_projected_before_the_last_events_were_noted_is_refused(
    kafka: Settings,
) -> None:
    history = list(generate(AuthorityParameters(children=10, seed=24)))
    publish(kafka, history)
    old = duckdb.connect(str(kafka.database))  # consumed_offsets as earlier versions made it
    old.execute(
        "create table consumed_offsets (topic varchar not null, kafka_partition integer "
        "not null, next_offset bigint not null, primary key (topic, kafka_partition))"
    )
    old.execute("insert into consumed_offsets values (?, 0, 3)", [kafka.events_topic])
    old.close()
    with pytest.raises(RecordChanged, match="earlier version"):
        project(kafka, follow=False)
    assert rebuild(kafka).events == len(history)


def test_a_follower_whose_broker_restarts_empty_stops_with_the_refusal(kafka: Settings) -> None:
    history = list(generate(AuthorityParameters(children=40, seed=25)))
    port = free_port()
    stop = threading.Event()
    failures: list[BaseException] = []

    def follow(settings: Settings) -> None:
        try:
            project(settings, follow=True, stop=stop, options=RunnerOptions(decode_in_worker=False))
        except BaseException as error:  # handed to the test below
            failures.append(error)

    with embedded_broker(port) as broker:
        before = kafka.with_embedded_broker(broker.bootstrap_servers)
        ensure_topics(before)
        publish(before, history)
        follower = threading.Thread(target=follow, args=(before,), daemon=True)
        follower.start()
        deadline = time.monotonic() + 60
        while snapshot_count(before) != len(history):
            assert time.monotonic() < deadline, "the follower never caught up"
            time.sleep(0.2)
    try:
        with embedded_broker(port) as broker:
            after = kafka.with_embedded_broker(broker.bootstrap_servers)
            ensure_topics(after)
            publish(after, history[: len(history) // 4])
            follower.join(timeout=90)
    finally:
        stop.set()
        follower.join(timeout=30)
    assert len(failures) == 1, "the follower carried on after the broker restarted empty"
    assert isinstance(failures[0], RecordChanged), failures[0]
    assert "now ends at offset" in str(failures[0])
    assert event_count(kafka) == len(history)


def snapshot_count(settings: Settings) -> int:
    try:
        connection = open_snapshot(settings.database)
    except SnapshotMissing:
        return -1
    try:
        (count,) = connection.execute("select count(*) from event_log").fetchone() or (0,)
        return int(count)
    finally:
        connection.close()
