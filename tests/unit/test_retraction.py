"""Retraction: an earlier event counts as never recorded, unless others depend on it."""

from __future__ import annotations

import copy

import pytest
from journey_builders import (
    a_journey_with_a_retraction,
    assessment_completed,
    assessment_started,
    child_registered,
    has_seen,
    journey_of,
    period_started,
    placement_ended,
    placement_started,
    referral_closed,
    referral_received,
    retracted_events,
    retraction,
)

from journeys.domain.exceptions import RuleViolation
from journeys.domain.facts import PLACEMENT


def test_retracting_a_placement_changes_the_placement_history() -> None:
    wrong_move = placement_started("2012-06-01", "P2", carer_id="C5")
    journey = journey_of(
        child_registered(),
        period_started("2012-03-01"),
        placement_started("2012-03-01", "P1"),
        placement_ended("2012-06-01", "P1"),
        wrong_move,
    )
    assert set(journey.chronology().spells(PLACEMENT)) == {"P1", "P2"}

    assert journey.retract(retraction("2012-07-01", wrong_move)) is True

    assert set(journey.chronology().spells(PLACEMENT)) == {"P1"}
    assert wrong_move not in journey.counting_events()
    assert retracted_events(journey) == (wrong_move,)
    assert not any("Placement P2" in line for line in journey.timeline())


def test_retracting_a_period_of_care_with_placements_is_refused_and_names_them() -> None:
    period = period_started("2012-03-01")
    first, second = placement_started("2012-03-01", "P1"), placement_started("2012-06-01", "P2")
    journey = journey_of(
        child_registered(), period, first, placement_ended("2012-06-01", "P1"), second
    )
    before = copy.deepcopy(journey)

    with pytest.raises(RuleViolation) as refusal:
        journey.retract(retraction("2012-07-01", period))

    assert refusal.value.rule_code == "RETRACTION_LEAVES_DEPENDANTS"
    assert refusal.value.field == "retracted_event_id"
    assert set(refusal.value.dependants) == {first.event_id, second.event_id}
    assert str(first.event_id) in refusal.value.message
    assert str(second.event_id) in refusal.value.message
    assert "UNKNOWN_PERIOD" in refusal.value.message
    assert journey == before


def test_retracting_an_end_that_a_later_start_relies_on_is_refused() -> None:
    closure = referral_closed("2011-06-01")
    later = referral_received("2012-01-01", "R2")
    journey = journey_of(child_registered(), referral_received("2011-01-10"), closure, later)
    with pytest.raises(RuleViolation) as refusal:
        journey.retract(retraction("2012-02-01", closure))
    assert refusal.value.dependants == (later.event_id,)
    assert "REFERRAL_ALREADY_OPEN" in refusal.value.message


def test_after_a_retraction_the_corrected_event_may_reuse_the_id() -> None:
    wrong = assessment_started("2011-01-09", "A1")
    journey = journey_of(child_registered(), referral_received("2011-01-01"), wrong)
    journey.retract(retraction("2011-01-20", wrong))
    corrected = assessment_started("2011-01-12", "A1")
    assert journey.record(corrected) is True
    assert journey.record(assessment_completed("2011-02-01", "A1")) is True


def test_a_retracted_event_sent_again_is_a_duplicate_not_a_new_event() -> None:
    wrong = referral_received("2011-01-01")
    journey = journey_of(child_registered(), wrong, retraction("2011-01-20", wrong))
    assert journey.record(wrong) is False
    assert wrong not in journey.counting_events()


def test_a_retraction_sent_again_is_acknowledged_without_change() -> None:
    wrong = referral_received("2011-01-01")
    retracting = retraction("2011-01-20", wrong)
    journey = journey_of(child_registered(), wrong, retracting)
    version = journey.version
    assert journey.record(retracting) is False
    assert journey.version == version


@pytest.mark.parametrize(
    ("what", "rule_code"),
    [
        ("never recorded", "UNKNOWN_EVENT"),
        ("already retracted", "ALREADY_RETRACTED"),
        ("a retraction", "NOT_RETRACTABLE"),
        ("the registration", "REGISTRATION_NOT_RETRACTABLE"),
    ],
)
def test_only_a_counting_event_other_than_the_registration_can_be_retracted(
    what: str, rule_code: str
) -> None:
    journey, targets = a_journey_with_a_retraction()
    before = copy.deepcopy(journey)
    with pytest.raises(RuleViolation) as refusal:
        journey.retract(retraction("2011-03-01", targets[what]))
    assert (refusal.value.rule_code, refusal.value.field) == (rule_code, "retracted_event_id")
    assert journey == before


def test_retracting_an_independent_event_is_accepted() -> None:
    completed = assessment_completed("2011-02-01")
    journey = journey_of(
        child_registered(),
        referral_received("2011-01-01"),
        assessment_started("2011-01-02"),
        completed,
    )
    assert journey.retract(retraction("2011-03-01", completed)) is True
    assert completed.event_id not in {e.event_id for e in journey.counting_events()}
    assert has_seen(journey, completed.event_id)
