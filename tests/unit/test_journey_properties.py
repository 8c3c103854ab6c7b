"""Properties: valid journeys replay the same whatever the arrival order the rules allow,
and a refusal never changes a journey.

The strategy builds a valid journey in date order and, for each event, the events it
needs to have arrived first (what it names, and what must be over before it can start:
the previous referral's closure, the previous placement's end). Arrival orders are
drawn as random orders that respect those needs.
"""

from __future__ import annotations

import copy
import dataclasses
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from journey_builders import (
    adviser_allocated,
    assessment_completed,
    assessment_started,
    child_registered,
    conference_held,
    contact_recorded,
    cp_plan_ended,
    cp_plan_started,
    legal_status_changed,
    period_ended,
    period_started,
    placement_ended,
    placement_started,
    referral_closed,
    referral_received,
    section47_started,
)

from events.catalogue import JourneyEvent
from journeys.domain.exceptions import RuleViolation
from journeys.domain.facts import Chronology, add_years_months
from journeys.domain.journey import Journey

Needs = dict[uuid.UUID, set[uuid.UUID]]


class Story:
    """Events in the making, each with the events it needs to arrive before it."""

    def __init__(self, registration: JourneyEvent) -> None:
        self.registration = registration
        self.events: list[JourneyEvent] = []
        self.needs: Needs = {}

    def add(self, event: JourneyEvent, *needs: JourneyEvent | None) -> JourneyEvent:
        self.events.append(event)
        self.needs[event.event_id] = {n.event_id for n in needs if n is not None}
        return event


def _recorded(day: date, draw: Any) -> datetime:
    # Recorded on the day or up to two years later; several events may share a moment.
    return datetime.combine(day + timedelta(days=draw(st.integers(0, 730))), time(9), UTC)


@st.composite
def valid_journeys(draw: Any) -> Story:
    def days(low: int, high: int) -> timedelta:
        return timedelta(days=draw(st.integers(low, high)))

    born = date(2000, 1, 1) + days(0, 3000)
    story = Story(child_registered(born + days(0, 2000), date_of_birth=born, recorded_at=None))
    at = lambda day: {"recorded_at": _recorded(day, draw)}  # noqa: E731

    # Child in need and child protection: referrals one after another.
    on = born + days(0, 1500)
    previous_closure: JourneyEvent | None = None
    previous_plan_end: JourneyEvent | None = None
    for r in range(draw(st.integers(0, 3))):
        referral_id = f"R{r}"
        received = story.add(referral_received(on, referral_id, **at(on)), previous_closure)
        latest = on
        if draw(st.booleans()):
            started_on = on + days(0, 10)
            started = story.add(
                assessment_started(started_on, f"A{r}", referral_id=referral_id, **at(started_on)),
                received,
            )
            latest = max(latest, started_on)
            if draw(st.booleans()):
                done_on = started_on + days(0, 60)
                story.add(assessment_completed(done_on, f"A{r}", **at(done_on)), started)
        plan_end: JourneyEvent | None = None
        if draw(st.booleans()):
            enquiry_on = on + days(0, 20)
            enquiry = story.add(
                section47_started(enquiry_on, f"S{r}", referral_id=referral_id, **at(enquiry_on)),
                received,
            )
            conference_on = enquiry_on + days(0, 15)
            required = draw(st.booleans())
            conference = story.add(
                conference_held(
                    conference_on, f"S{r}", plan_required=required, **at(conference_on)
                ),
                enquiry,
            )
            latest = max(latest, enquiry_on)
            if required and draw(st.booleans()):
                plan_on = conference_on + days(0, 3)
                plan = story.add(
                    cp_plan_started(plan_on, f"CP{r}", **at(plan_on)), conference, previous_plan_end
                )
                end_on = plan_on + days(1, 400)
                plan_end = story.add(cp_plan_ended(end_on, f"CP{r}", **at(end_on)), plan)
                previous_plan_end = plan_end
                latest = max(latest, end_on)
        closed_on = latest + days(0, 60)
        previous_closure = story.add(
            referral_closed(closed_on, referral_id, **at(closed_on)), received, plan_end
        )
        on = closed_on + days(0, 300)

    # Looked after: periods one after another, placements one after another within each.
    on = born + days(0, 365 * 13)
    previous_period_end: JourneyEvent | None = None
    first_period: JourneyEvent | None = None
    for p in range(draw(st.integers(0, 2))):
        period_id = f"PC{p}"
        period = story.add(
            period_started(
                on, period_id, legal_status=draw(st.sampled_from(["C1", "C2", "V2"])), **at(on)
            ),
            previous_period_end,
        )
        first_period = first_period or period
        placement_on, previous_end = on, None
        last_start = on
        for n in range(draw(st.integers(1, 3))):
            placement_id = f"P{p}.{n}"
            start = story.add(
                placement_started(
                    placement_on,
                    placement_id,
                    period_id=period_id,
                    carer_id=draw(st.sampled_from(["C1", "C2", "C3"])),
                    **at(placement_on),
                ),
                period,
                previous_end,
            )
            last_start = placement_on
            ends_on = placement_on + days(0, 300)
            previous_end = story.add(placement_ended(ends_on, placement_id, **at(ends_on)), start)
            placement_on = ends_on
        if draw(st.booleans()):  # the last placement ends with the period instead
            story.events.pop()
            story.needs.pop(previous_end.event_id)
        period_end_on = max(placement_on, last_start + timedelta(days=1)) + days(0, 200)
        changes_on = on + days(0, (period_end_on - on).days - 1)
        story.add(
            legal_status_changed(changes_on, "C2", period_id=period_id, **at(changes_on)), period
        )
        previous_period_end = story.add(
            period_ended(period_end_on, period_id, **at(period_end_on)), period
        )
        on = period_end_on + days(0, 500)

    if first_period is not None:
        from_on = max(add_years_months(born, 14), first_period.occurred_on)
        adviser_on = from_on + days(0, 365)
        story.add(adviser_allocated(adviser_on, **at(adviser_on)), first_period)
        contact_on = add_years_months(born, 18)
        if Chronology([story.registration, *story.events]).is_care_leaver_on(contact_on):
            story.add(contact_recorded(contact_on, **at(contact_on)), *_period_starts(story))
    return story


def _period_starts(story: Story) -> list[JourneyEvent]:
    return [e for e in story.events if e.event_type == "PeriodOfCareStarted"]


def an_arrival_order(story: Story, rng: random.Random) -> list[JourneyEvent]:
    """A random order in which every event arrives after the events it needs."""
    waiting = list(story.events)
    arrived: set[uuid.UUID] = set()
    order: list[JourneyEvent] = []
    while waiting:
        ready = [e for e in waiting if story.needs[e.event_id] <= arrived]
        chosen = rng.choice(ready)
        waiting.remove(chosen)
        arrived.add(chosen.event_id)
        order.append(chosen)
    return order


def replay(story: Story, events: list[JourneyEvent]) -> Journey:
    journey = Journey.register_child(story.registration)
    for event in events:
        assert journey.record(event) is True, event
    return journey


PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(story=valid_journeys(), seed=st.integers(0, 2**32))
def test_any_allowed_arrival_order_gives_the_same_journey(story: Story, seed: int) -> None:
    in_date_order = replay(story, story.events)
    shuffled = replay(story, an_arrival_order(story, random.Random(seed)))
    assert shuffled.counting_events() == in_date_order.counting_events()
    assert shuffled.timeline() == in_date_order.timeline()
    assert shuffled.version == in_date_order.version


@PROPERTY_SETTINGS
@given(story=valid_journeys(), seed=st.integers(0, 2**32), shift=st.integers(-400, 400))
def test_a_refusal_leaves_the_journey_unchanged(story: Story, seed: int, shift: int) -> None:
    # At each step of an allowed arrival order, submit a perturbed event (a copy with a new
    # id, moved in time, or an event that arrives too early); if refused, nothing changed.
    rng = random.Random(seed)
    journey = Journey.register_child(story.registration)
    order = an_arrival_order(story, rng)
    for step, event in enumerate(order):
        candidates = [
            dataclasses.replace(
                event, event_id=uuid.uuid4(), occurred_on=event.occurred_on + timedelta(shift)
            ),
            *order[step + 1 : step + 3],  # arriving early
        ]
        for candidate in candidates:
            before = copy.deepcopy(journey)
            trial = copy.deepcopy(journey)
            try:
                trial.record(candidate)
            except RuleViolation:
                assert trial == before
                assert trial.version == before.version
        assert journey.record(event) is True
