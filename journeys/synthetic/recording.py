"""How events reach the record: when they are recorded, and corrections by retraction.

History from before the service went live is migrated in one batch per child (one
`recorded_at` for years of events). After go-live most events are recorded the day they
happen, some days later, a few months later; a child's events are never recorded out of
their own order. A small share is retracted and re-recorded with a correction, reusing
the business identifier (assessment_id, plan_id, ...) but never the event_id.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from events import codes
from events.catalogue import (
    AssessmentCompleted,
    CareLeaverContactRecorded,
    ChildProtectionPlanStarted,
    EventRetracted,
    JourneyEvent,
    PlacementStarted,
    ReferralReceived,
)
from journeys.synthetic.parameters import AuthorityParameters
from journeys.synthetic.story import Draft, Story


def new_event_id(story: Story) -> uuid.UUID:
    """A version-4 UUID drawn from the child's own random stream: same seed, same ids."""
    return uuid.UUID(int=story.rng.getrandbits(128), version=4)


def _working_hours(story: Story, day: date) -> datetime:
    seconds = story.rng.randrange(8 * 3600, 18 * 3600)
    return datetime.combine(day, time(), tzinfo=UTC) + timedelta(seconds=seconds)


def _recorded_at(story: Story, params: AuthorityParameters, occurred_on: date) -> datetime:
    roll = story.rng.random()
    if roll < params.very_late_recording_share:
        delay = story.rng.randint(30, 240)
    elif roll < params.very_late_recording_share + params.late_recording_share:
        delay = story.rng.randint(1, 20)
    else:
        delay = 0
    return _working_hours(story, occurred_on + timedelta(days=delay))


def event_of(
    draft: Draft, story: Story, params: AuthorityParameters, event_id: uuid.UUID, at: datetime
) -> JourneyEvent:
    """The draft as an event of the child's, with its id and recording time."""
    return draft.event_class(
        event_id=event_id,
        child_id=story.child_id,
        local_authority=params.local_authority,
        occurred_on=draft.occurred_on,
        recorded_at=at,
        source_system=params.source_system,
        **draft.fields,
    )


def record(
    story: Story, params: AuthorityParameters, drafts: list[Draft]
) -> list[tuple[JourneyEvent, Draft]]:
    """Envelopes for the drafts, in recording order, with retractions and corrections."""
    migrated_at = datetime.combine(
        params.go_live + timedelta(days=story.rng.randint(0, 45)), time(2, 0), tzinfo=UTC
    )
    recorded: list[tuple[JourneyEvent, Draft]] = []
    last_recorded_at = datetime.min.replace(tzinfo=UTC)
    for draft in drafts:
        if draft.occurred_on < params.go_live:
            at = migrated_at
        else:
            at = _recorded_at(story, params, draft.occurred_on)
        at = max(at, last_recorded_at)
        event = event_of(draft, story, params, new_event_id(story), at)
        recorded.append((event, draft))
        last_recorded_at = at
        retracted = (
            draft.occurred_on >= params.go_live and story.rng.random() < params.retraction_share
        )
        correction = _correction(story, event) if retracted else None
        if correction is not None:
            corrected_at = _working_hours(
                story, at.date() + timedelta(days=story.rng.randint(1, 30))
            )
            retraction = EventRetracted(
                event_id=new_event_id(story),
                child_id=story.child_id,
                local_authority=params.local_authority,
                occurred_on=corrected_at.date(),
                recorded_at=corrected_at,
                source_system=params.source_system,
                retracted_event_id=event.event_id,
                reason=f"recorded in error: wrong {correction[0]}",
            )
            corrected = dataclasses.replace(
                event, event_id=new_event_id(story), recorded_at=corrected_at, **dict([correction])
            )
            recorded.append((retraction, draft))
            recorded.append((corrected, draft))
            last_recorded_at = corrected_at
    return recorded


def _correction(story: Story, event: JourneyEvent) -> tuple[str, Any] | None:
    """The field a practitioner got wrong and its right value, for events worth correcting."""
    rng = story.rng
    if isinstance(event, ReferralReceived):
        return "source", rng.choice(sorted(codes.REFERRAL_SOURCE - {event.source}))
    if isinstance(event, AssessmentCompleted):
        return "seen_alone", not event.seen_alone
    if isinstance(event, ChildProtectionPlanStarted):
        return "category", rng.choice(sorted(codes.CP_CATEGORY - {event.category}))
    if isinstance(event, PlacementStarted):
        # PR0 (placed with parents) only for P1; a temporary placement has no provider.
        if event.placement_type in codes.TEMPORARY_PLACEMENT_TYPE:
            return None
        wrong = {event.provider or ""} | (set() if event.placement_type == "P1" else {"PR0"})
        return "provider", rng.choice(sorted(codes.PROVIDER - wrong))
    if isinstance(event, CareLeaverContactRecorded) and event.in_touch == "YES":
        suffix = event.accommodation[-1]
        same_suitability = sorted(
            code for code in codes.ACCOMMODATION if code.endswith(suffix) and code != "0"
        )
        return "accommodation", rng.choice(
            [c for c in same_suitability if c != event.accommodation]
        )
    return None
