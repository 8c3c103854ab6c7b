"""The Kafka persistence module under a plain eventsourcing Application holding Journeys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError
from kafka_examples import LA, assessment, referral, simple_journey
from record_writing import opened, pseudonym_for

from events.catalogue import JourneyEvent
from events.codec import default_codec
from events.settings import Settings
from journeys.domain.journey import Journey, journey_id
from journeys.kafka.exceptions import WriterFenced
from journeys.kafka.persistence import persistence_environment, state_store_path
from journeys.kafka.record_reader import read_topic

pytestmark = [pytest.mark.kafka]


def enrolled(settings: Settings) -> Callable[[str], str]:
    """The pseudonym of each child id: a journey is held under it (the processor's
    admission does this for a submission; this module is below the processor)."""
    return lambda child_id: pseudonym_for(settings, LA, child_id)


class JourneyRecord(Application[Any]):
    """The smallest application over the Kafka record: save and load journeys."""


def record_of(settings: Settings) -> JourneyRecord:
    return JourneyRecord(env=persistence_environment(settings))


def save_journey(app: JourneyRecord, payloads: list[JourneyEvent]) -> Journey:
    first, *rest = payloads
    journey = Journey.register_child(first)  # type: ignore[arg-type]
    for payload in rest:
        journey.record(payload)
    app.save(journey)
    return journey


def test_saving_a_journey_appends_its_events_in_the_contract_wire_format(
    kafka: Settings,
) -> None:
    named = enrolled(kafka)
    payloads = simple_journey(named("C1"))
    app = record_of(kafka)
    try:
        save_journey(app, payloads)
    finally:
        app.factory.close()

    messages = list(read_topic(kafka, kafka.events_topic))
    codec = default_codec()
    assert [opened(kafka, codec.decode(m.value)) for m in messages] == payloads
    for version, (message, payload) in enumerate(zip(messages, payloads, strict=True), start=1):
        headers = dict(message.headers)
        assert message.key == named("C1").encode()
        assert message.value[:2] == b"\xc3\x01"
        assert headers["event_type"] == payload.event_type.encode()
        assert headers["journey_id"] == str(journey_id(LA, named("C1"))).encode()
        assert headers["journey_version"] == str(version).encode()


def test_saving_a_stale_copy_of_a_journey_raises_the_library_conflict_error(
    kafka: Settings,
) -> None:
    named = enrolled(kafka)
    app = record_of(kafka)
    try:
        save_journey(app, simple_journey(named("C2"))[:2])
        fresh = app.repository.get(journey_id(LA, named("C2")))
        stale = app.repository.get(journey_id(LA, named("C2")))
        fresh.record(assessment(named("C2"), "R1", "A1"))
        app.save(fresh)
        stale.record(assessment(named("C2"), "R1", "A2"))
        with pytest.raises(IntegrityError):
            app.save(stale)
    finally:
        app.factory.close()

    messages = list(read_topic(kafka, kafka.events_topic))
    assert [dict(m.headers)["journey_version"] for m in messages] == [b"1", b"2", b"3"]


def test_deleting_the_state_store_rebuilds_identical_journeys_from_the_topic(
    kafka: Settings,
) -> None:
    named = enrolled(kafka)
    children = [named(f"C{n}") for n in range(5)]
    app = record_of(kafka)
    try:
        for child in children:
            save_journey(app, simple_journey(child))
        before = {c: app.repository.get(journey_id(LA, c)) for c in children}
    finally:
        app.factory.close()

    state_store_path(kafka).unlink()
    for suffix in ("-wal", "-shm"):
        state_store_path(kafka).with_name(state_store_path(kafka).name + suffix).unlink(
            missing_ok=True
        )

    rebuilt = record_of(kafka)
    try:
        for child, journey in before.items():
            again = rebuilt.repository.get(journey_id(LA, child))
            assert again.version == journey.version
            assert again.counting_events() == journey.counting_events()
            assert again.timeline() == journey.timeline()
        assert rebuilt.recorder.max_notification_id() == 3 * len(children)
    finally:
        rebuilt.factory.close()


def test_a_second_writer_fences_the_first_which_then_appends_nothing(kafka: Settings) -> None:
    named = enrolled(kafka)
    older = record_of(kafka)
    newer = record_of(kafka)
    try:
        save_journey(older, simple_journey(named("C7"))[:1])
        newer.recorder.open_for_writing()  # type: ignore[attr-defined]
        with pytest.raises(WriterFenced, match="fenced this one"):
            save_journey(older, simple_journey(named("C8"))[:1])
        save_journey(newer, simple_journey(named("C9"))[:1])
        newer_sees = newer.repository.get(journey_id(LA, named("C7")))
        assert newer_sees.version == 1
    finally:
        older.factory.close()
        newer.factory.close()

    keys = [m.key for m in read_topic(kafka, kafka.events_topic)]
    assert sorted(keys) == sorted([named("C7").encode(), named("C9").encode()])


def test_referrals_recorded_in_separate_saves_load_in_order(kafka: Settings) -> None:
    named = enrolled(kafka)
    app = record_of(kafka)
    try:
        save_journey(app, simple_journey(named("C3"))[:1])
        journey = app.repository.get(journey_id(LA, named("C3")))
        journey.record(referral(named("C3"), "R1", day=10))
        app.save(journey)
        journey = app.repository.get(journey_id(LA, named("C3")))
        journey.record(assessment(named("C3"), "R1"))
        app.save(journey)
        assert app.repository.get(journey_id(LA, named("C3"))).version == 3
    finally:
        app.factory.close()
