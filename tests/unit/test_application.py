"""JourneyApplication: register, load and apply submitted events (in-memory persistence)."""

from __future__ import annotations

from pathlib import Path

import pytest
from journey_builders import (
    assessment_completed,
    assessment_started,
    child_registered,
    period_started,
    placement_started,
    record_many,
    referral_received,
)

from journeys.application.service import JourneyApplication, Outcome
from journeys.domain.exceptions import JourneyError, JourneyNotFound, RuleViolation
from journeys.domain.journey import journey_id, payload_of


@pytest.fixture
def app() -> JourneyApplication:
    return JourneyApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def test_registering_a_child_starts_a_journey(app: JourneyApplication) -> None:
    registration = child_registered()
    outcome = app.record(registration)
    assert outcome.accepted and not outcome.duplicate
    assert outcome.journey_id == journey_id("371", "C1")
    assert [payload_of(e) for e in outcome.events] == [registration]
    assert app.journey("371", "C1").chronology().child.date_of_birth == registration.date_of_birth


def test_events_are_applied_saved_and_loaded_back_equal(app: JourneyApplication) -> None:
    submitted = [
        child_registered(),
        referral_received("2011-01-10", primary_need=None),
        assessment_started("2011-01-11"),
        assessment_completed("2011-02-01", factors=("2A", "21")),
        period_started("2012-03-01"),
        placement_started("2012-03-01", provider=None),
    ]
    outcomes = [app.record(event) for event in submitted]
    assert all(outcome.accepted for outcome in outcomes)
    loaded = app.journey("371", "C1")
    assert loaded.counting_events() == tuple(submitted)  # tuples and nulls survive storage
    assert loaded.version == len(submitted)
    stored = list(app.repository.event_store.get(loaded.id))
    assert [payload_of(e) for e in stored] == submitted
    assert [e.timestamp for e in stored] == [event.recorded_at for event in submitted]


def test_an_event_for_an_unregistered_child_is_refused(app: JourneyApplication) -> None:
    with pytest.raises(RuleViolation) as refusal:
        app.record(referral_received("2011-01-10"))
    assert (refusal.value.rule_code, refusal.value.field) == ("CHILD_NOT_REGISTERED", "child_id")
    with pytest.raises(JourneyNotFound):
        app.journey("371", "C1")


def test_a_refused_event_saves_nothing(app: JourneyApplication) -> None:
    app.record(child_registered())
    max_id = app.recorder.max_notification_id()
    with pytest.raises(RuleViolation):
        app.record(placement_started("2012-03-01"))
    assert app.recorder.max_notification_id() == max_id
    assert app.journey("371", "C1").version == 1


def test_a_duplicate_is_acknowledged_and_saves_nothing(app: JourneyApplication) -> None:
    registration, referral = child_registered(), referral_received("2011-01-10")
    app.record(registration)
    app.record(referral)
    for resent in (registration, referral):
        outcome = app.record(resent)
        assert outcome == Outcome(journey_id("371", "C1"), accepted=False, events=())
        assert outcome.duplicate
    assert app.journey("371", "C1").version == 2


def test_an_event_id_used_by_one_child_is_refused_for_another(app: JourneyApplication) -> None:
    first = child_registered()
    app.record(first)
    second_child = child_registered(child_id="C2", event_id=first.event_id)
    with pytest.raises(RuleViolation) as refusal:
        app.record(second_child)
    assert (refusal.value.rule_code, refusal.value.field) == ("EVENT_ID_REUSED", "event_id")
    assert str(first.event_id) in refusal.value.message
    assert "ChildRegistered" in refusal.value.message
    with pytest.raises(JourneyNotFound):
        app.journey("371", "C2")


def test_an_event_id_used_by_another_authority_is_refused(app: JourneyApplication) -> None:
    app.record(child_registered())
    referral = referral_received("2011-01-10")
    app.record(referral)
    app.record(child_registered(local_authority="372"))
    with pytest.raises(RuleViolation) as refusal:
        app.record(
            referral_received("2011-01-10", local_authority="372", event_id=referral.event_id)
        )
    assert refusal.value.rule_code == "EVENT_ID_REUSED"
    assert app.journey("372", "C1").version == 1


def test_an_event_id_used_earlier_in_the_same_batch_is_refused(app: JourneyApplication) -> None:
    first = child_registered()
    results = record_many(
        app, [first, child_registered(child_id="C2", event_id=first.event_id), first]
    )
    assert isinstance(results[0], Outcome) and results[0].accepted
    assert isinstance(results[1], RuleViolation) and results[1].rule_code == "EVENT_ID_REUSED"
    assert isinstance(results[2], Outcome) and results[2].duplicate


def test_a_new_application_on_a_kept_record_knows_its_event_ids(tmp_path: Path) -> None:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "r.db")}
    referral = referral_received("2011-01-10")
    record_many(JourneyApplication(env=env), [child_registered(), referral])
    again = JourneyApplication(env=env)
    again.record(child_registered(child_id="C2"))
    with pytest.raises(RuleViolation) as refusal:
        again.record(referral_received("2011-01-10", child_id="C2", event_id=referral.event_id))
    assert refusal.value.rule_code == "EVENT_ID_REUSED"
    assert again.record(referral).duplicate


def test_record_many_carries_on_after_a_refusal(app: JourneyApplication) -> None:
    results = record_many(
        app, [child_registered(), placement_started("2012-03-01"), referral_received("2011-01-10")]
    )
    assert isinstance(results[0], Outcome) and results[0].accepted
    assert isinstance(results[1], RuleViolation) and results[1].rule_code == "UNKNOWN_PERIOD"
    assert isinstance(results[2], Outcome) and results[2].accepted


def test_journey_not_found_is_a_journey_error(app: JourneyApplication) -> None:
    with pytest.raises(JourneyError, match="'C404'"):
        app.journey("371", "C404")
