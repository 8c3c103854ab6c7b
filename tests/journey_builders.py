"""Terse builders of contract events for tests: one child, sensible defaults, dates as text.

    journey = journey_of(
        child_registered("2015-01-01", date_of_birth="2010-06-15"),
        period_started("2016-03-01"),
        placement_started("2016-03-01"),
    )

Every builder takes the date it happened (`on`, a date or "YYYY-MM-DD") and the fields of
its event type as keywords; envelope fields (`child_id`, `local_authority`, `event_id`,
`recorded_at`, `source_system`) can be given too. By default an event is recorded at noon
UTC on the day it happened and gets a fresh random `event_id`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

from events import catalogue as contract
from events.catalogue import JourneyEvent

CHILD_ID = "C1"
LOCAL_AUTHORITY = "371"

E = TypeVar("E", bound=JourneyEvent)


def as_date(day: date | str) -> date:
    return day if isinstance(day, date) else date.fromisoformat(day)


def build(event_class: type[E], on: date | str, **fields: Any) -> E:
    """An event of `event_class` dated `on`, with the envelope filled in."""
    occurred_on = as_date(on)
    envelope: dict[str, Any] = {
        "event_id": fields.pop("event_id", None) or uuid.uuid4(),
        "child_id": fields.pop("child_id", CHILD_ID),
        "local_authority": fields.pop("local_authority", LOCAL_AUTHORITY),
        "occurred_on": occurred_on,
        "recorded_at": fields.pop("recorded_at", None)
        or datetime.combine(occurred_on, time(12), tzinfo=UTC),
        "source_system": fields.pop("source_system", "tests"),
    }
    return event_class(**envelope, **fields)


def child_registered(
    on: date | str = "2010-01-01",
    *,
    date_of_birth: date | str = "2005-06-15",
    sex: str = "F",
    ethnicity: str = "WBRI",
    **envelope: Any,
) -> contract.ChildRegistered:
    return build(
        contract.ChildRegistered,
        on,
        date_of_birth=as_date(date_of_birth),
        sex=sex,
        ethnicity=ethnicity,
        **envelope,
    )


def referral_received(
    on: date | str,
    referral_id: str = "R1",
    *,
    source: str = "1A",
    primary_need: str | None = "N1",
    **envelope: Any,
) -> contract.ReferralReceived:
    return build(
        contract.ReferralReceived,
        on,
        referral_id=referral_id,
        source=source,
        primary_need=primary_need,
        **envelope,
    )


def assessment_started(
    on: date | str, assessment_id: str = "A1", *, referral_id: str = "R1", **envelope: Any
) -> contract.AssessmentStarted:
    return build(
        contract.AssessmentStarted,
        on,
        assessment_id=assessment_id,
        referral_id=referral_id,
        **envelope,
    )


def assessment_completed(
    on: date | str,
    assessment_id: str = "A1",
    *,
    seen_alone: bool = True,
    factors: tuple[str, ...] = (),
    **envelope: Any,
) -> contract.AssessmentCompleted:
    return build(
        contract.AssessmentCompleted,
        on,
        assessment_id=assessment_id,
        seen_alone=seen_alone,
        factors=factors,
        **envelope,
    )


def section47_started(
    on: date | str, enquiry_id: str = "S1", *, referral_id: str = "R1", **envelope: Any
) -> contract.Section47Started:
    return build(
        contract.Section47Started, on, enquiry_id=enquiry_id, referral_id=referral_id, **envelope
    )


def conference_held(
    on: date | str, enquiry_id: str = "S1", *, plan_required: bool = True, **envelope: Any
) -> contract.ChildProtectionConferenceHeld:
    return build(
        contract.ChildProtectionConferenceHeld,
        on,
        enquiry_id=enquiry_id,
        plan_required=plan_required,
        **envelope,
    )


def cp_plan_started(
    on: date | str, plan_id: str = "CP1", *, category: str = "NEG", **envelope: Any
) -> contract.ChildProtectionPlanStarted:
    return build(
        contract.ChildProtectionPlanStarted, on, plan_id=plan_id, category=category, **envelope
    )


def cp_plan_ended(
    on: date | str, plan_id: str = "CP1", **envelope: Any
) -> contract.ChildProtectionPlanEnded:
    return build(contract.ChildProtectionPlanEnded, on, plan_id=plan_id, **envelope)


def referral_closed(
    on: date | str, referral_id: str = "R1", *, reason: str = "RC1", **envelope: Any
) -> contract.ReferralClosed:
    return build(contract.ReferralClosed, on, referral_id=referral_id, reason=reason, **envelope)


def period_started(
    on: date | str,
    period_id: str = "PC1",
    *,
    legal_status: str = "C2",
    category_of_need: str = "N1",
    **envelope: Any,
) -> contract.PeriodOfCareStarted:
    return build(
        contract.PeriodOfCareStarted,
        on,
        period_id=period_id,
        legal_status=legal_status,
        category_of_need=category_of_need,
        **envelope,
    )


def legal_status_changed(
    on: date | str, legal_status: str = "C2", *, period_id: str = "PC1", **envelope: Any
) -> contract.LegalStatusChanged:
    return build(
        contract.LegalStatusChanged,
        on,
        period_id=period_id,
        legal_status=legal_status,
        **envelope,
    )


def placement_started(
    on: date | str,
    placement_id: str = "P1",
    *,
    period_id: str = "PC1",
    placement_type: str = "U4",
    provider: str | None = "PR1",
    carer_id: str = "C9",
    **envelope: Any,
) -> contract.PlacementStarted:
    return build(
        contract.PlacementStarted,
        on,
        placement_id=placement_id,
        period_id=period_id,
        placement_type=placement_type,
        provider=provider,
        carer_id=carer_id,
        **envelope,
    )


def placement_ended(
    on: date | str, placement_id: str = "P1", **envelope: Any
) -> contract.PlacementEnded:
    return build(contract.PlacementEnded, on, placement_id=placement_id, **envelope)


def period_ended(
    on: date | str, period_id: str = "PC1", *, reason: str = "E11", **envelope: Any
) -> contract.PeriodOfCareEnded:
    return build(contract.PeriodOfCareEnded, on, period_id=period_id, reason=reason, **envelope)


def adviser_allocated(
    on: date | str, adviser_id: str = "PA1", **envelope: Any
) -> contract.PersonalAdviserAllocated:
    return build(contract.PersonalAdviserAllocated, on, adviser_id=adviser_id, **envelope)


def contact_recorded(
    on: date | str,
    *,
    in_touch: str = "YES",
    activity: str = "F2",
    accommodation: str = "B1",
    **envelope: Any,
) -> contract.CareLeaverContactRecorded:
    return build(
        contract.CareLeaverContactRecorded,
        on,
        in_touch=in_touch,
        activity=activity,
        accommodation=accommodation,
        **envelope,
    )


def retraction(
    on: date | str, event: JourneyEvent, *, reason: str = "recorded in error", **envelope: Any
) -> contract.EventRetracted:
    return build(
        contract.EventRetracted,
        on,
        retracted_event_id=event.event_id,
        reason=reason,
        **envelope,
    )


def journey_of(registration: contract.ChildRegistered, *events: JourneyEvent) -> Any:
    """A Journey registered by `registration` with `events` recorded in the order given."""
    from journeys.journey import Journey

    journey = Journey.register_child(registration)
    for event in events:
        journey.record(event)
    return journey
