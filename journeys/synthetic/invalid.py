"""Submissions that break a rule on purpose, to exercise the rejection path.

Each kind names the rule it breaks. They refer to things that never existed in the
journey (period "LAC0", referral "R0", ...: real identifiers start at 1), or start a
second CP plan while one is open, record attendance at a conference on the day its enquiry
started (the generator holds conferences at least a week later), or hold a review on the
day a period of care ended (a new one never starts that day), so they are wrong whatever
else the journey holds and leave it unchanged when rejected.
"""

from __future__ import annotations

from collections.abc import Callable

from events.catalogue import (
    AssessmentCompleted,
    ChildProtectionPlanEnded,
    ChildProtectionPlanStarted,
    ConferenceAttendanceRecorded,
    EventRetracted,
    JourneyEvent,
    PeriodOfCareEnded,
    PlacementStarted,
    ReferralClosed,
    Section47Started,
    StatutoryReviewHeld,
)
from journeys.domain.facts import age_on
from journeys.synthetic.parameters import AuthorityParameters
from journeys.synthetic.recording import new_event_id
from journeys.synthetic.story import Draft, Story

RecordedEvent = tuple[JourneyEvent, Draft]


def _envelope(story: Story, after: JourneyEvent) -> dict[str, object]:
    return {
        "event_id": new_event_id(story),
        "child_id": after.child_id,
        "local_authority": after.local_authority,
        "occurred_on": after.occurred_on,
        "recorded_at": after.recorded_at,
        "source_system": after.source_system,
    }


def _placement_outside_any_period(story: Story, after: JourneyEvent) -> JourneyEvent:
    return PlacementStarted(
        **_envelope(story, after), placement_id="PL0", period_id="LAC0",
        placement_type="U6", provider="PR1", carer_id="CR0",
    )  # fmt: skip


def _closes_unknown_referral(story: Story, after: JourneyEvent) -> JourneyEvent:
    return ReferralClosed(**_envelope(story, after), referral_id="R0", reason="RC8")


def _completes_unknown_assessment(story: Story, after: JourneyEvent) -> JourneyEvent:
    return AssessmentCompleted(**_envelope(story, after), assessment_id="A0", seen_alone=True)


def _ends_unknown_plan(story: Story, after: JourneyEvent) -> JourneyEvent:
    return ChildProtectionPlanEnded(**_envelope(story, after), plan_id="CP0")


def _retracts_unknown_event(story: Story, after: JourneyEvent) -> JourneyEvent:
    return EventRetracted(
        **_envelope(story, after), retracted_event_id=new_event_id(story), reason="duplicate"
    )


def _second_open_plan(story: Story, after: JourneyEvent) -> JourneyEvent:
    return ChildProtectionPlanStarted(**_envelope(story, after), plan_id="CP0", category="NEG")


def _attendance_before_conference(story: Story, after: JourneyEvent) -> JourneyEvent:
    assert isinstance(after, Section47Started)
    return ConferenceAttendanceRecorded(
        **_envelope(story, after), enquiry_id=after.enquiry_id, mother_attended=True
    )


def _review_after_care_ended(story: Story, after: JourneyEvent) -> JourneyEvent:
    under_4 = age_on(story.date_of_birth, after.occurred_on) < 4
    return StatutoryReviewHeld(**_envelope(story, after), participation="PN0" if under_4 else "PN1")


# Rule-breaking submissions that follow an event of a given type, and the rule they break.
_WRONG_AFTER: dict[
    type[JourneyEvent], tuple[str, Callable[[Story, JourneyEvent], JourneyEvent]]
] = {
    ChildProtectionPlanStarted: ("a second CP plan while one is open", _second_open_plan),
    Section47Started: ("attendance at a conference not held", _attendance_before_conference),
    PeriodOfCareEnded: ("a review when no longer looked after", _review_after_care_ended),
}

_ALWAYS_WRONG: tuple[tuple[str, Callable[[Story, JourneyEvent], JourneyEvent]], ...] = (
    ("placement outside any period of care", _placement_outside_any_period),
    ("closes a referral that was never received", _closes_unknown_referral),
    ("completes an assessment that never started", _completes_unknown_assessment),
    ("ends a CP plan that never started", _ends_unknown_plan),
    ("retracts an event that was never recorded", _retracts_unknown_event),
)


def mix_in_invalid(
    story: Story, params: AuthorityParameters, recorded: list[RecordedEvent]
) -> list[RecordedEvent]:
    """`recorded` with rule-breaking submissions after some events (never before registration)."""
    if params.invalid_share == 0:
        return recorded
    # One invalid per valid event with this chance makes `invalid_share` of all submissions.
    chance = params.invalid_share / (1 - params.invalid_share)
    mixed: list[RecordedEvent] = []
    for event, draft in recorded:
        mixed.append((event, draft))
        if story.rng.random() >= chance:
            continue
        if type(event) in _WRONG_AFTER and story.rng.random() < 0.5:
            rule, make = _WRONG_AFTER[type(event)]
        else:
            rule, make = story.rng.choice(_ALWAYS_WRONG)
        invalid = make(story, event)
        mixed.append((invalid, Draft(invalid.occurred_on, type(invalid), {}, -1, breaks_rule=rule)))
    return mixed
