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

`Child` collects a whole journey of one child built with these functions, for tests that
hand journeys to a projection.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
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


def attendance_recorded(
    on: date | str,
    enquiry_id: str = "S1",
    *,
    mother: bool | None = True,
    father: bool | None = None,
    grandparent: bool | None = None,
    other_family: bool | None = None,
    child: bool | None = None,
    **envelope: Any,
) -> contract.ConferenceAttendanceRecorded:
    return build(
        contract.ConferenceAttendanceRecorded,
        on,
        enquiry_id=enquiry_id,
        mother_attended=mother,
        father_attended=father,
        grandparent_attended=grandparent,
        other_family_attended=other_family,
        child_attended=child,
        **envelope,
    )


def review_held(
    on: date | str, *, participation: str = "PN1", **envelope: Any
) -> contract.StatutoryReviewHeld:
    return build(contract.StatutoryReviewHeld, on, participation=participation, **envelope)


def pep_completed(on: date | str, **envelope: Any) -> contract.PersonalEducationPlanCompleted:
    return build(contract.PersonalEducationPlanCompleted, on, **envelope)


def health_assessment_completed(
    on: date | str, **envelope: Any
) -> contract.HealthAssessmentCompleted:
    return build(contract.HealthAssessmentCompleted, on, **envelope)


def dental_check_completed(on: date | str, **envelope: Any) -> contract.DentalCheckCompleted:
    return build(contract.DentalCheckCompleted, on, **envelope)


def immunisations_recorded(
    on: date | str, *, up_to_date: bool = True, **envelope: Any
) -> contract.ImmunisationsStatusRecorded:
    return build(contract.ImmunisationsStatusRecorded, on, up_to_date=up_to_date, **envelope)


def adoption_decided(
    on: date | str, decision_id: str = "AD1", **envelope: Any
) -> contract.AdoptionDecisionMade:
    return build(contract.AdoptionDecisionMade, on, decision_id=decision_id, **envelope)


def adoption_decision_ceased(
    on: date | str, decision_id: str = "AD1", *, reason: str = "RD1", **envelope: Any
) -> contract.AdoptionDecisionCeased:
    return build(
        contract.AdoptionDecisionCeased, on, decision_id=decision_id, reason=reason, **envelope
    )


def case_allocated(
    on: date | str,
    allocation_id: str = "AL1",
    *,
    worker_id: str = "W1",
    team_id: str = "T1",
    locality_id: str = "L1",
    **envelope: Any,
) -> contract.CaseAllocated:
    return build(
        contract.CaseAllocated,
        on,
        allocation_id=allocation_id,
        worker_id=worker_id,
        team_id=team_id,
        locality_id=locality_id,
        **envelope,
    )


def allocation_ended(
    on: date | str, allocation_id: str = "AL1", **envelope: Any
) -> contract.CaseAllocationEnded:
    return build(contract.CaseAllocationEnded, on, allocation_id=allocation_id, **envelope)


def visit_made(
    on: date | str,
    visit_kind: str = "CIN",
    *,
    seen: bool = True,
    seen_alone: bool = True,
    **envelope: Any,
) -> contract.StatutoryVisitMade:
    return build(
        contract.StatutoryVisitMade,
        on,
        visit_kind=visit_kind,
        seen=seen,
        seen_alone=seen_alone,
        **envelope,
    )


def strategy_discussion_held(
    on: date | str,
    discussion_id: str = "SD1",
    *,
    referral_id: str = "R1",
    section47_required: bool = True,
    **envelope: Any,
) -> contract.StrategyDiscussionHeld:
    return build(
        contract.StrategyDiscussionHeld,
        on,
        discussion_id=discussion_id,
        referral_id=referral_id,
        section47_required=section47_required,
        **envelope,
    )


def review_conference_held(
    on: date | str, plan_id: str = "CP1", *, plan_continues: bool = True, **envelope: Any
) -> contract.ChildProtectionReviewConferenceHeld:
    return build(
        contract.ChildProtectionReviewConferenceHeld,
        on,
        plan_id=plan_id,
        plan_continues=plan_continues,
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
    from journeys.domain.journey import Journey

    journey = Journey.register_child(registration)
    for event in events:
        journey.record(event)
    return journey


def a_journey_with_a_retraction() -> tuple[Any, dict[str, JourneyEvent]]:
    """A journey (registration, referral R1 of 10 January 2011, its retraction on 1
    February) and the events a further retraction could wrongly name, by what they are:
    "never recorded" (a referral R2 not in the journey), "already retracted" (R1), "a
    retraction" and "the registration"."""
    registration = child_registered()
    referral = referral_received("2011-01-10")
    retracted = retraction("2011-02-01", referral)
    journey = journey_of(registration, referral, retracted)
    return journey, {
        "never recorded": referral_received("2011-01-10", "R2"),
        "already retracted": referral,
        "a retraction": retracted,
        "the registration": registration,
    }


def retracted_events(journey: Any) -> tuple[JourneyEvent, ...]:
    """The events of a journey that a retraction made count as never recorded."""
    from journeys.domain.facts import in_date_order

    return tuple(sorted(journey._retracted.values(), key=in_date_order))


def has_seen(journey: Any, event_id: uuid.UUID) -> bool:
    """Whether a journey ever accepted an event with this id (counting, retracted or not)."""
    return event_id in journey._seen


def record_many(app: Any, events: Iterable[JourneyEvent]) -> list[Any]:
    """Record events through one batch of `app`, saved together: an Outcome or the refusal
    (RuleViolation) of each, in the order given; a refusal does not stop the rest."""
    from journeys.domain.exceptions import RuleViolation

    batch = app.batch()
    results: list[Any] = []
    for event in events:
        try:
            results.append(batch.record(event))
        except RuleViolation as refusal:
            results.append(refusal)
    batch.save()
    return results


def at(year: int, month: int, day: int) -> datetime:
    """A recorded_at moment: midday UTC of that day."""
    return datetime(year, month, day, 12, tzinfo=UTC)


@dataclass
class Child:
    """The events of one child's journey, built by the functions above, in the order added.

    For tests that hand a whole journey to a projection: `Child("c1", born=date(...))`
    registers the child; each method adds one event for this child and returns it.
    """

    child_id: str
    born: date | None = None
    local_authority: str = LOCAL_AUTHORITY
    events: list[JourneyEvent] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.born is not None:
            self._keep(child_registered(self.born, date_of_birth=self.born, **self._envelope({})))

    def _envelope(self, fields: dict[str, Any]) -> dict[str, Any]:
        return {
            "child_id": self.child_id,
            "local_authority": self.local_authority,
            "source_system": "test",
            **fields,
        }

    def _keep(self, event: E) -> E:
        self.events.append(event)
        return event

    def add(
        self,
        event_class: type[E],
        on: date,
        recorded_at: datetime | None = None,
        **fields: Any,
    ) -> E:
        """Any event type, its own fields given as keywords."""
        return self._keep(
            build(event_class, on, **self._envelope({"recorded_at": recorded_at, **fields}))
        )

    # Children in need
    def referral(self, referral_id: str, on: date, **kw: Any) -> JourneyEvent:
        return self._keep(
            referral_received(on, referral_id, primary_need=None, **self._envelope(kw))
        )

    def close_referral(self, referral_id: str, on: date, **kw: Any) -> JourneyEvent:
        return self._keep(referral_closed(on, referral_id, **self._envelope(kw)))

    def assessment(
        self, assessment_id: str, on: date, *, seen_alone: bool, **kw: Any
    ) -> JourneyEvent:
        self._keep(assessment_started(on, assessment_id, referral_id="r", **self._envelope({})))
        return self._keep(
            assessment_completed(on, assessment_id, seen_alone=seen_alone, **self._envelope(kw))
        )

    def cp_plan(self, plan_id: str, on: date, **kw: Any) -> JourneyEvent:
        return self._keep(cp_plan_started(on, plan_id, **self._envelope(kw)))

    def end_cp_plan(self, plan_id: str, on: date, **kw: Any) -> JourneyEvent:
        return self._keep(cp_plan_ended(on, plan_id, **self._envelope(kw)))

    # Looked after
    def period(self, period_id: str, on: date, legal_status: str = "C2", **kw: Any) -> JourneyEvent:
        return self._keep(
            period_started(on, period_id, legal_status=legal_status, **self._envelope(kw))
        )

    def end_period(self, period_id: str, on: date, reason: str = "E8", **kw: Any) -> JourneyEvent:
        # E8 (ceased for any other reason) by default: an ending that no indicator reads
        # specially, unlike adoption (E11/E12), death (E2) or a transfer (E3).
        return self._keep(period_ended(on, period_id, reason=reason, **self._envelope(kw)))

    def legal_status(self, period_id: str, on: date, legal_status: str) -> JourneyEvent:
        return self._keep(
            legal_status_changed(on, legal_status, period_id=period_id, **self._envelope({}))
        )

    def placement(
        self,
        placement_id: str,
        period_id: str,
        on: date,
        carer: str,
        placement_type: str = "U4",
        **kw: Any,
    ) -> JourneyEvent:
        return self._keep(
            placement_started(
                on,
                placement_id,
                period_id=period_id,
                placement_type=placement_type,
                carer_id=carer,
                **{"provider": None, **self._envelope(kw)},
            )
        )

    def end_placement(self, placement_id: str, on: date, **kw: Any) -> JourneyEvent:
        return self._keep(placement_ended(on, placement_id, **self._envelope(kw)))

    def move(
        self,
        from_placement: str,
        to_placement: str,
        period_id: str,
        on: date,
        carer: str,
        placement_type: str = "U4",
        **kw: Any,
    ) -> JourneyEvent:
        """A move on day `on`: `from_placement` ends and `to_placement` starts (`kw` is for
        the start); returns the start."""
        self.end_placement(from_placement, on)
        return self.placement(to_placement, period_id, on, carer, placement_type, **kw)

    # Child protection conferences
    def enquiry(self, enquiry_id: str, on: date, **kw: Any) -> JourneyEvent:
        return self._keep(section47_started(on, enquiry_id, referral_id="r", **self._envelope(kw)))

    def conference(
        self, enquiry_id: str, on: date, *, plan_required: bool = True, **kw: Any
    ) -> JourneyEvent:
        return self._keep(
            conference_held(on, enquiry_id, plan_required=plan_required, **self._envelope(kw))
        )

    def attendance(
        self,
        enquiry_id: str,
        on: date,
        *,
        mother: bool | None = None,
        father: bool | None = None,
        grandparent: bool | None = None,
        other_family: bool | None = None,
        child: bool | None = None,
        **kw: Any,
    ) -> JourneyEvent:
        """Who attended the conference of `enquiry_id` on `on` (None: the role does not apply)."""
        return self._keep(
            attendance_recorded(
                on, enquiry_id, mother=mother, father=father, grandparent=grandparent,
                other_family=other_family, child=child, **self._envelope(kw),
            )
        )  # fmt: skip

    # Looked after: reviews, education, health, adoption
    def review(self, on: date, participation: str = "PN1", **kw: Any) -> JourneyEvent:
        return self._keep(review_held(on, participation=participation, **self._envelope(kw)))

    def pep(self, on: date, **kw: Any) -> JourneyEvent:
        return self._keep(pep_completed(on, **self._envelope(kw)))

    def health_assessment(self, on: date, **kw: Any) -> JourneyEvent:
        return self._keep(health_assessment_completed(on, **self._envelope(kw)))

    def dental_check(self, on: date, **kw: Any) -> JourneyEvent:
        return self._keep(dental_check_completed(on, **self._envelope(kw)))

    def immunisations(self, on: date, up_to_date: bool = True, **kw: Any) -> JourneyEvent:
        return self._keep(immunisations_recorded(on, up_to_date=up_to_date, **self._envelope(kw)))

    def adoption_decision(self, decision_id: str, on: date, **kw: Any) -> JourneyEvent:
        return self._keep(adoption_decided(on, decision_id, **self._envelope(kw)))

    # Care leavers
    def adviser(self, on: date, **kw: Any) -> JourneyEvent:
        return self._keep(adviser_allocated(on, f"pa{next(_adviser_ids)}", **self._envelope(kw)))

    def contact(
        self,
        on: date,
        in_touch: str = "YES",
        activity: str = "F1",
        accommodation: str = "B1",
        **kw: Any,
    ) -> JourneyEvent:
        return self._keep(
            contact_recorded(
                on,
                in_touch=in_touch,
                activity=activity,
                accommodation=accommodation,
                **self._envelope(kw),
            )
        )

    # Supervision: who holds the case, visits, the section 47 timescale, CP reviews
    def allocate(
        self, allocation_id: str, on: date, *, worker: str, team: str, locality: str, **kw: Any
    ) -> JourneyEvent:
        return self._keep(
            case_allocated(
                on, allocation_id, worker_id=worker, team_id=team, locality_id=locality,
                **self._envelope(kw),
            )
        )  # fmt: skip

    def end_allocation(self, allocation_id: str, on: date, **kw: Any) -> JourneyEvent:
        return self._keep(allocation_ended(on, allocation_id, **self._envelope(kw)))

    def transfer(
        self, from_allocation: str, to_allocation: str, on: date, **to: Any
    ) -> JourneyEvent:
        """A transfer on day `on`: `from_allocation` ends, `to_allocation` starts (`to`:
        worker, team, locality); returns the new allocation."""
        self.end_allocation(from_allocation, on)
        return self.allocate(to_allocation, on, **to)

    def visit(
        self, on: date, kind: str, *, seen: bool = True, seen_alone: bool = True, **kw: Any
    ) -> JourneyEvent:
        return self._keep(
            visit_made(on, kind, seen=seen, seen_alone=seen_alone, **self._envelope(kw))
        )

    def strategy_discussion(
        self, discussion_id: str, on: date, referral_id: str = "r", **kw: Any
    ) -> JourneyEvent:
        return self._keep(
            strategy_discussion_held(
                on, discussion_id, referral_id=referral_id, **self._envelope(kw)
            )
        )

    def review_conference(self, plan_id: str, on: date, **kw: Any) -> JourneyEvent:
        return self._keep(review_conference_held(on, plan_id, **self._envelope(kw)))

    def retract(self, event: JourneyEvent, recorded_at: datetime) -> JourneyEvent:
        return self._keep(
            retraction(recorded_at.date(), event, **self._envelope({"recorded_at": recorded_at}))
        )


_adviser_ids = itertools.count(1)
