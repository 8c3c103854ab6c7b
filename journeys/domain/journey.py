"""The Journey aggregate: one child's journey through children's social care.

Each command takes a contract event (`events.catalogue`), judges it against the rules of
practice (`journeys.domain.rules`) on the dates things happened, and only then triggers the
aggregate event of the same name. The aggregate events carry the contract event as their
one attribute, `payload`, and are stamped with its `recorded_at`, so each can be rebuilt
exactly from (contract event, originator_version): `rebuild_domain_event`.

State is the set of events that count (accepted, not retracted), the retracted ones, and
every event id seen: an exact resend of an accepted event is an idempotent duplicate, a
different event with an id already seen is refused (EVENT_ID_REUSED). Rules never run
when a journey is replayed: the `@event` bodies only change state.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, cast

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic

from events import catalogue as contract
from events.catalogue import EventRetracted, JourneyEvent
from events.refusals import Refusal
from journeys.domain.exceptions import RuleViolation
from journeys.domain.facts import Chronology, in_date_order
from journeys.domain.rules import Breach, breaches_concerning
from journeys.domain.timeline import describe, timeline

# Fixed namespace of the project: journey ids are uuid5(namespace, "<LA>/<child id>").
JOURNEY_NAMESPACE = uuid.UUID("6f0a6c55-3b5e-4c55-9d0e-2f1a8c6b7d10")

_TOPIC_PREFIX = "care-journeys:Journey"


@functools.lru_cache(maxsize=1 << 17)
def journey_id(local_authority: str, child_id: str) -> uuid.UUID:
    """The id of a child's journey, the same wherever and whenever it is computed.

    Kept for recently seen children: each submission asks for it, and uuid5 hashes.
    """
    return uuid.uuid5(JOURNEY_NAMESPACE, f"{local_authority}/{child_id}")


def _topic(name: str) -> str:
    return f"{_TOPIC_PREFIX}.{name}"


class Journey(Aggregate):
    """One child's journey. Create with `Journey.register_child`; then `record` events."""

    TOPIC = _TOPIC_PREFIX

    class Created(Aggregate.Created):
        # Unused (a journey is created by ChildRegistered), but every event class of an
        # aggregate with an explicit topic needs one of its own.
        TOPIC = _topic("Created")

    @staticmethod
    def create_id(payload: contract.ChildRegistered) -> uuid.UUID:
        return journey_id(payload.local_authority, payload.child_id)

    @event("ChildRegistered", topic=_topic("ChildRegistered"))
    def __init__(self, payload: contract.ChildRegistered) -> None:
        self.local_authority = payload.local_authority
        self.child_id = payload.child_id
        self._counting: dict[uuid.UUID, JourneyEvent] = {payload.event_id: payload}
        self._retracted: dict[uuid.UUID, JourneyEvent] = {}
        self._retractions: dict[uuid.UUID, EventRetracted] = {}
        self._seen: set[uuid.UUID] = {payload.event_id}
        # Derived from _counting, kept between commands; None when it must be rebuilt.
        self._chronology: Chronology | None = None

    # -- creation ------------------------------------------------------------------------

    @classmethod
    def register_child(cls, payload: contract.ChildRegistered) -> Journey:
        """Start a child's journey; the registration is judged on its own."""
        if not isinstance(payload, contract.ChildRegistered):
            raise TypeError(f"register_child takes a ChildRegistered, not {type(payload)}")
        _refuse_first_breach(payload, Chronology([payload]), payload.event_type)
        return cls._create(
            cast(Any, cls.ChildRegistered),
            payload=payload,
            timestamp=payload.recorded_at,
        )

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        # The library's trigger_event, stamping each aggregate event with when the source
        # system recorded it, so the aggregate event is a function of the contract event
        # and its version.
        kwargs.setdefault("timestamp", kwargs["payload"].recorded_at)
        super().trigger_event(event_class, **kwargs)

    # -- commands: decide, then trigger --------------------------------------------------

    def record(self, payload: JourneyEvent) -> bool:
        """Apply any contract event by its type; False if it was already recorded."""
        command = _COMMANDS.get(type(payload))
        if command is None:
            raise TypeError(f"not a journey event: {type(payload).__name__}")
        return cast(bool, command(self, payload))

    def receive_referral(self, payload: contract.ReferralReceived) -> bool:
        return self._decide(payload, contract.ReferralReceived)

    def start_assessment(self, payload: contract.AssessmentStarted) -> bool:
        return self._decide(payload, contract.AssessmentStarted)

    def complete_assessment(self, payload: contract.AssessmentCompleted) -> bool:
        return self._decide(payload, contract.AssessmentCompleted)

    def start_section47(self, payload: contract.Section47Started) -> bool:
        return self._decide(payload, contract.Section47Started)

    def hold_conference(self, payload: contract.ChildProtectionConferenceHeld) -> bool:
        return self._decide(payload, contract.ChildProtectionConferenceHeld)

    def start_cp_plan(self, payload: contract.ChildProtectionPlanStarted) -> bool:
        return self._decide(payload, contract.ChildProtectionPlanStarted)

    def end_cp_plan(self, payload: contract.ChildProtectionPlanEnded) -> bool:
        return self._decide(payload, contract.ChildProtectionPlanEnded)

    def close_referral(self, payload: contract.ReferralClosed) -> bool:
        return self._decide(payload, contract.ReferralClosed)

    def start_period_of_care(self, payload: contract.PeriodOfCareStarted) -> bool:
        return self._decide(payload, contract.PeriodOfCareStarted)

    def change_legal_status(self, payload: contract.LegalStatusChanged) -> bool:
        return self._decide(payload, contract.LegalStatusChanged)

    def start_placement(self, payload: contract.PlacementStarted) -> bool:
        return self._decide(payload, contract.PlacementStarted)

    def end_placement(self, payload: contract.PlacementEnded) -> bool:
        return self._decide(payload, contract.PlacementEnded)

    def end_period_of_care(self, payload: contract.PeriodOfCareEnded) -> bool:
        return self._decide(payload, contract.PeriodOfCareEnded)

    def allocate_personal_adviser(self, payload: contract.PersonalAdviserAllocated) -> bool:
        return self._decide(payload, contract.PersonalAdviserAllocated)

    def record_care_leaver_contact(self, payload: contract.CareLeaverContactRecorded) -> bool:
        return self._decide(payload, contract.CareLeaverContactRecorded)

    def record_conference_attendance(self, payload: contract.ConferenceAttendanceRecorded) -> bool:
        return self._decide(payload, contract.ConferenceAttendanceRecorded)

    def hold_statutory_review(self, payload: contract.StatutoryReviewHeld) -> bool:
        return self._decide(payload, contract.StatutoryReviewHeld)

    def complete_personal_education_plan(
        self, payload: contract.PersonalEducationPlanCompleted
    ) -> bool:
        return self._decide(payload, contract.PersonalEducationPlanCompleted)

    def complete_health_assessment(self, payload: contract.HealthAssessmentCompleted) -> bool:
        return self._decide(payload, contract.HealthAssessmentCompleted)

    def complete_dental_check(self, payload: contract.DentalCheckCompleted) -> bool:
        return self._decide(payload, contract.DentalCheckCompleted)

    def record_immunisations_status(self, payload: contract.ImmunisationsStatusRecorded) -> bool:
        return self._decide(payload, contract.ImmunisationsStatusRecorded)

    def decide_on_adoption(self, payload: contract.AdoptionDecisionMade) -> bool:
        return self._decide(payload, contract.AdoptionDecisionMade)

    def cease_adoption_decision(self, payload: contract.AdoptionDecisionCeased) -> bool:
        return self._decide(payload, contract.AdoptionDecisionCeased)

    def allocate_case(self, payload: contract.CaseAllocated) -> bool:
        return self._decide(payload, contract.CaseAllocated)

    def end_case_allocation(self, payload: contract.CaseAllocationEnded) -> bool:
        return self._decide(payload, contract.CaseAllocationEnded)

    def make_statutory_visit(self, payload: contract.StatutoryVisitMade) -> bool:
        return self._decide(payload, contract.StatutoryVisitMade)

    def hold_strategy_discussion(self, payload: contract.StrategyDiscussionHeld) -> bool:
        return self._decide(payload, contract.StrategyDiscussionHeld)

    def hold_review_conference(self, payload: contract.ChildProtectionReviewConferenceHeld) -> bool:
        return self._decide(payload, contract.ChildProtectionReviewConferenceHeld)

    # The statutory returns' items (issue 14).
    def record_motherhood(self, payload: contract.MotherhoodRecorded) -> bool:
        return self._decide(payload, contract.MotherhoodRecorded)

    def record_unaccompanied_asylum_seeker(
        self, payload: contract.UnaccompaniedAsylumSeekerRecorded
    ) -> bool:
        return self._decide(payload, contract.UnaccompaniedAsylumSeekerRecorded)

    def record_missing_episode(self, payload: contract.MissingEpisodeRecorded) -> bool:
        return self._decide(payload, contract.MissingEpisodeRecorded)

    def record_adoption_match(self, payload: contract.AdoptionMatchRecorded) -> bool:
        return self._decide(payload, contract.AdoptionMatchRecorded)

    def record_previous_permanence(self, payload: contract.PreviousPermanenceRecorded) -> bool:
        return self._decide(payload, contract.PreviousPermanenceRecorded)

    def record_strengths_and_difficulties(
        self, payload: contract.StrengthsAndDifficultiesRecorded
    ) -> bool:
        return self._decide(payload, contract.StrengthsAndDifficultiesRecorded)

    def record_conviction(self, payload: contract.ConvictionRecorded) -> bool:
        return self._decide(payload, contract.ConvictionRecorded)

    def identify_substance_misuse(self, payload: contract.SubstanceMisuseIdentified) -> bool:
        return self._decide(payload, contract.SubstanceMisuseIdentified)

    def record_child_in_need_plan(self, payload: contract.ChildInNeedPlanRecorded) -> bool:
        return self._decide(payload, contract.ChildInNeedPlanRecorded)

    def record_child_details(self, payload: contract.ChildDetailsRecorded) -> bool:
        return self._decide(payload, contract.ChildDetailsRecorded)

    def order_deprivation_of_liberty(self, payload: contract.DeprivationOfLibertyOrdered) -> bool:
        return self._decide(payload, contract.DeprivationOfLibertyOrdered)

    def reregister_child(self, payload: contract.ChildRegistered) -> bool:
        """A ChildRegistered for a journey that exists: a resend, or refused."""
        if self._is_duplicate(payload, contract.ChildRegistered):
            return False
        raise RuleViolation(
            Refusal.CHILD_ALREADY_REGISTERED,
            payload.event_type,
            "child_id",
            f"child {payload.child_id!r} of local authority {payload.local_authority!r} is "
            f"already registered (by {self._registration.event_id}); a child is registered "
            "once",
        )

    def retract(self, payload: EventRetracted) -> bool:
        """Make an earlier event count as never recorded, unless others depend on it."""
        if self._is_duplicate(payload, EventRetracted):
            return False
        self.check_belongs_to_journey(payload)
        target = self.check_retractable(payload)
        self.check_nothing_depends_on(payload, target)
        self._event_retracted(payload=payload)
        return True

    # -- rules that belong to the journey's own bookkeeping ------------------------------

    def check_belongs_to_journey(self, payload: JourneyEvent) -> None:
        if (payload.local_authority, payload.child_id) != (self.local_authority, self.child_id):
            raise RuleViolation(
                Refusal.WRONG_JOURNEY,
                payload.event_type,
                "child_id",
                f"event for child {payload.child_id!r} of local authority "
                f"{payload.local_authority!r} applied to the journey of child "
                f"{self.child_id!r} of local authority {self.local_authority!r}",
            )

    def check_retractable(self, payload: EventRetracted) -> JourneyEvent:
        """The event a retraction names, if it is one that can be retracted."""
        target_id = payload.retracted_event_id
        target = self._counting.get(target_id)
        if target is not None:
            if isinstance(target, contract.ChildRegistered):
                # Retracting the registration would leave a journey with no child; a
                # wrong date of birth needs a correction event, not a retraction.
                raise RuleViolation(
                    Refusal.REGISTRATION_NOT_RETRACTABLE,
                    payload.event_type,
                    "retracted_event_id",
                    f"event {target_id} registers the child and cannot be retracted",
                )
            return target
        if target_id in self._retracted:
            problem, code = "was already retracted", Refusal.ALREADY_RETRACTED
        elif target_id in self._retractions:
            problem = "is itself a retraction, which cannot be retracted"
            code = Refusal.NOT_RETRACTABLE
        else:
            problem, code = "is not recorded in this journey", Refusal.UNKNOWN_EVENT
        raise RuleViolation(
            code, payload.event_type, "retracted_event_id", f"event {target_id} {problem}"
        )

    def check_nothing_depends_on(self, payload: EventRetracted, target: JourneyEvent) -> None:
        """Refuse a retraction that would leave other events breaking a rule; name them."""
        without = self.chronology().removing(target)
        breaches = list(breaches_concerning(without, target.event_type))
        if not breaches:
            return
        dependants = list(dict.fromkeys(breach.event.event_id for breach in breaches))
        reasons = "; ".join(
            f"{breach.event.event_type} {breach.event.event_id} ({describe(breach.event)}): "
            f"{breach.message} [{breach.rule_code}]"
            for breach in breaches
        )
        raise RuleViolation(
            Refusal.RETRACTION_LEAVES_DEPENDANTS,
            payload.event_type,
            "retracted_event_id",
            f"retracting {target.event_type} {target.event_id} would leave events that depend "
            f"on it breaking the rules: {reasons}",
            dependants=dependants,
        )

    # -- the plumbing of deciding ---------------------------------------------------------

    def _is_duplicate(self, payload: JourneyEvent, expected: type[JourneyEvent]) -> bool:
        """True for an exact resend of an event already accepted; a reused id is refused."""
        if not isinstance(payload, expected):
            raise TypeError(f"expected a {expected.__name__}, not {type(payload).__name__}")
        if payload.event_id not in self._seen:
            return False
        earlier = self._accepted_event(payload.event_id)
        if earlier == payload:
            return True
        raise event_id_reused(payload, earlier.event_type)

    def _accepted_event(self, event_id: uuid.UUID) -> JourneyEvent:
        """The event accepted with this id: counting, retracted, or a retraction."""
        found = self._counting.get(event_id) or self._retracted.get(event_id)
        return found or self._retractions[event_id]

    def _decide(self, payload: JourneyEvent, expected: type[JourneyEvent]) -> bool:
        if self._is_duplicate(payload, expected):
            return False
        self.check_belongs_to_journey(payload)
        with_candidate = self.chronology().adding(payload)
        _refuse_first_breach(payload, with_candidate, payload.event_type)
        # The aggregate event named like the payload, whose @event method below changes
        # the state. Triggered directly rather than by calling that method: the same
        # trigger_event, without the library's per-call argument coercion.
        self.trigger_event(domain_event_class(payload.event_type), payload=payload)
        # Exactly the events that count now: keep it for the next command.
        self._chronology = with_candidate
        return True

    # -- events: pure state changes, re-run on replay -------------------------------------

    def _count(self, payload: JourneyEvent) -> None:
        self._counting[payload.event_id] = payload
        self._seen.add(payload.event_id)
        self._chronology = None

    @event("ReferralReceived", topic=_topic("ReferralReceived"))
    def _referral_received(self, payload: contract.ReferralReceived) -> None:
        self._count(payload)

    @event("AssessmentStarted", topic=_topic("AssessmentStarted"))
    def _assessment_started(self, payload: contract.AssessmentStarted) -> None:
        self._count(payload)

    @event("AssessmentCompleted", topic=_topic("AssessmentCompleted"))
    def _assessment_completed(self, payload: contract.AssessmentCompleted) -> None:
        self._count(payload)

    @event("Section47Started", topic=_topic("Section47Started"))
    def _section47_started(self, payload: contract.Section47Started) -> None:
        self._count(payload)

    @event("ChildProtectionConferenceHeld", topic=_topic("ChildProtectionConferenceHeld"))
    def _conference_held(self, payload: contract.ChildProtectionConferenceHeld) -> None:
        self._count(payload)

    @event("ChildProtectionPlanStarted", topic=_topic("ChildProtectionPlanStarted"))
    def _cp_plan_started(self, payload: contract.ChildProtectionPlanStarted) -> None:
        self._count(payload)

    @event("ChildProtectionPlanEnded", topic=_topic("ChildProtectionPlanEnded"))
    def _cp_plan_ended(self, payload: contract.ChildProtectionPlanEnded) -> None:
        self._count(payload)

    @event("ReferralClosed", topic=_topic("ReferralClosed"))
    def _referral_closed(self, payload: contract.ReferralClosed) -> None:
        self._count(payload)

    @event("PeriodOfCareStarted", topic=_topic("PeriodOfCareStarted"))
    def _period_of_care_started(self, payload: contract.PeriodOfCareStarted) -> None:
        self._count(payload)

    @event("LegalStatusChanged", topic=_topic("LegalStatusChanged"))
    def _legal_status_changed(self, payload: contract.LegalStatusChanged) -> None:
        self._count(payload)

    @event("PlacementStarted", topic=_topic("PlacementStarted"))
    def _placement_started(self, payload: contract.PlacementStarted) -> None:
        self._count(payload)

    @event("PlacementEnded", topic=_topic("PlacementEnded"))
    def _placement_ended(self, payload: contract.PlacementEnded) -> None:
        self._count(payload)

    @event("PeriodOfCareEnded", topic=_topic("PeriodOfCareEnded"))
    def _period_of_care_ended(self, payload: contract.PeriodOfCareEnded) -> None:
        self._count(payload)

    @event("PersonalAdviserAllocated", topic=_topic("PersonalAdviserAllocated"))
    def _adviser_allocated(self, payload: contract.PersonalAdviserAllocated) -> None:
        self._count(payload)

    @event("CareLeaverContactRecorded", topic=_topic("CareLeaverContactRecorded"))
    def _contact_recorded(self, payload: contract.CareLeaverContactRecorded) -> None:
        self._count(payload)

    @event("ConferenceAttendanceRecorded", topic=_topic("ConferenceAttendanceRecorded"))
    def _attendance_recorded(self, payload: contract.ConferenceAttendanceRecorded) -> None:
        self._count(payload)

    @event("StatutoryReviewHeld", topic=_topic("StatutoryReviewHeld"))
    def _review_held(self, payload: contract.StatutoryReviewHeld) -> None:
        self._count(payload)

    @event("PersonalEducationPlanCompleted", topic=_topic("PersonalEducationPlanCompleted"))
    def _education_plan_completed(self, payload: contract.PersonalEducationPlanCompleted) -> None:
        self._count(payload)

    @event("HealthAssessmentCompleted", topic=_topic("HealthAssessmentCompleted"))
    def _health_assessment_completed(self, payload: contract.HealthAssessmentCompleted) -> None:
        self._count(payload)

    @event("DentalCheckCompleted", topic=_topic("DentalCheckCompleted"))
    def _dental_check_completed(self, payload: contract.DentalCheckCompleted) -> None:
        self._count(payload)

    @event("ImmunisationsStatusRecorded", topic=_topic("ImmunisationsStatusRecorded"))
    def _immunisations_recorded(self, payload: contract.ImmunisationsStatusRecorded) -> None:
        self._count(payload)

    @event("AdoptionDecisionMade", topic=_topic("AdoptionDecisionMade"))
    def _adoption_decision_made(self, payload: contract.AdoptionDecisionMade) -> None:
        self._count(payload)

    @event("AdoptionDecisionCeased", topic=_topic("AdoptionDecisionCeased"))
    def _adoption_decision_ceased(self, payload: contract.AdoptionDecisionCeased) -> None:
        self._count(payload)

    @event("CaseAllocated", topic=_topic("CaseAllocated"))
    def _case_allocated(self, payload: contract.CaseAllocated) -> None:
        self._count(payload)

    @event("CaseAllocationEnded", topic=_topic("CaseAllocationEnded"))
    def _case_allocation_ended(self, payload: contract.CaseAllocationEnded) -> None:
        self._count(payload)

    @event("StatutoryVisitMade", topic=_topic("StatutoryVisitMade"))
    def _visit_made(self, payload: contract.StatutoryVisitMade) -> None:
        self._count(payload)

    @event("StrategyDiscussionHeld", topic=_topic("StrategyDiscussionHeld"))
    def _strategy_discussion_held(self, payload: contract.StrategyDiscussionHeld) -> None:
        self._count(payload)

    @event(
        "ChildProtectionReviewConferenceHeld",
        topic=_topic("ChildProtectionReviewConferenceHeld"),
    )
    def _review_conference_held(
        self, payload: contract.ChildProtectionReviewConferenceHeld
    ) -> None:
        self._count(payload)

    @event("MotherhoodRecorded", topic=_topic("MotherhoodRecorded"))
    def _motherhood_recorded(self, payload: contract.MotherhoodRecorded) -> None:
        self._count(payload)

    @event("UnaccompaniedAsylumSeekerRecorded", topic=_topic("UnaccompaniedAsylumSeekerRecorded"))
    def _uasc_recorded(self, payload: contract.UnaccompaniedAsylumSeekerRecorded) -> None:
        self._count(payload)

    @event("MissingEpisodeRecorded", topic=_topic("MissingEpisodeRecorded"))
    def _missing_episode_recorded(self, payload: contract.MissingEpisodeRecorded) -> None:
        self._count(payload)

    @event("AdoptionMatchRecorded", topic=_topic("AdoptionMatchRecorded"))
    def _adoption_match_recorded(self, payload: contract.AdoptionMatchRecorded) -> None:
        self._count(payload)

    @event("PreviousPermanenceRecorded", topic=_topic("PreviousPermanenceRecorded"))
    def _previous_permanence_recorded(self, payload: contract.PreviousPermanenceRecorded) -> None:
        self._count(payload)

    @event("StrengthsAndDifficultiesRecorded", topic=_topic("StrengthsAndDifficultiesRecorded"))
    def _sdq_recorded(self, payload: contract.StrengthsAndDifficultiesRecorded) -> None:
        self._count(payload)

    @event("ConvictionRecorded", topic=_topic("ConvictionRecorded"))
    def _conviction_recorded(self, payload: contract.ConvictionRecorded) -> None:
        self._count(payload)

    @event("SubstanceMisuseIdentified", topic=_topic("SubstanceMisuseIdentified"))
    def _substance_misuse_identified(self, payload: contract.SubstanceMisuseIdentified) -> None:
        self._count(payload)

    @event("ChildInNeedPlanRecorded", topic=_topic("ChildInNeedPlanRecorded"))
    def _cin_plan_recorded(self, payload: contract.ChildInNeedPlanRecorded) -> None:
        self._count(payload)

    @event("ChildDetailsRecorded", topic=_topic("ChildDetailsRecorded"))
    def _child_details_recorded(self, payload: contract.ChildDetailsRecorded) -> None:
        self._count(payload)

    @event("DeprivationOfLibertyOrdered", topic=_topic("DeprivationOfLibertyOrdered"))
    def _deprivation_of_liberty_ordered(
        self, payload: contract.DeprivationOfLibertyOrdered
    ) -> None:
        self._count(payload)

    @event("EventRetracted", topic=_topic("EventRetracted"))
    def _event_retracted(self, payload: EventRetracted) -> None:
        retracted = self._counting.pop(payload.retracted_event_id)
        self._retracted[retracted.event_id] = retracted
        self._retractions[payload.event_id] = payload
        self._seen.add(payload.event_id)
        self._chronology = None

    # -- queries and derived facts ----------------------------------------------------------

    @property
    def _registration(self) -> contract.ChildRegistered:
        return self.chronology().child

    def chronology(self) -> Chronology:
        """The events that count, indexed by date (built after a change, then kept)."""
        if self._chronology is None:
            self._chronology = Chronology(self._counting.values())
        return self._chronology

    # -- equality and display: state only, not what is derived from it ---------------------

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and _state(self) == _state(other)

    __hash__ = Aggregate.__hash__

    def __repr__(self) -> str:
        attrs = [
            f"{k.lstrip('_')}={v!r}" for k, v in _state(self).items() if k != "_pending_events"
        ]
        return f"{type(self).__name__}({', '.join(attrs)})"

    def counting_events(self) -> tuple[JourneyEvent, ...]:
        """The events that count (accepted and not retracted), in date order."""
        return tuple(sorted(self._counting.values(), key=in_date_order))

    def timeline(self) -> list[str]:
        """The journey in plain English, one line per counting event, in date order."""
        return timeline(self.counting_events())


# Attributes derived from the state, kept only to save work: never part of equality.
_DERIVED = frozenset({"_chronology"})


def _state(journey: Journey) -> dict[str, Any]:
    return {k: v for k, v in journey.__dict__.items() if k not in _DERIVED}


def event_id_reused(payload: JourneyEvent, first_event_type: str) -> RuleViolation:
    """The refusal of an event whose id the record already holds for a different event.

    An event id is unique across the whole record (domain.md section 5): only an exact
    resend of the same event may carry it again, and that is acknowledged as a duplicate.
    The message names the id and the type of event that first used it, nothing personal.
    """
    return RuleViolation(
        Refusal.EVENT_ID_REUSED,
        payload.event_type,
        "event_id",
        f"event id {payload.event_id} is already used by a different event (a "
        f"{first_event_type}): every event needs an id of its own; only an exact resend "
        "of the same event may carry the same id",
    )


def _refuse_first_breach(payload: JourneyEvent, chronology: Chronology, event_type: str) -> None:
    """Raise the first breach a candidate causes, attributed to the candidate.

    The journey kept every rule before the candidate arrived, so any breach in the
    chronology with the candidate added is the candidate's doing, even when the rule judges
    another event (a period ending before a placement it holds ends, say).
    """
    for breach in breaches_concerning(chronology, event_type):
        raise _as_violation(payload, breach)


def _as_violation(payload: JourneyEvent, breach: Breach) -> RuleViolation:
    if breach.event.event_id == payload.event_id:
        return RuleViolation(breach.rule_code, payload.event_type, breach.field, breach.message)
    return RuleViolation(
        breach.rule_code,
        payload.event_type,
        "occurred_on",
        f"with this event dated {payload.occurred_on}, {breach.event.event_type} "
        f"{breach.event.event_id} would break a rule: {breach.message}",
    )


_COMMANDS: dict[type[JourneyEvent], Callable[[Journey, Any], bool]] = {
    contract.ChildRegistered: Journey.reregister_child,
    contract.ReferralReceived: Journey.receive_referral,
    contract.AssessmentStarted: Journey.start_assessment,
    contract.AssessmentCompleted: Journey.complete_assessment,
    contract.Section47Started: Journey.start_section47,
    contract.ChildProtectionConferenceHeld: Journey.hold_conference,
    contract.ChildProtectionPlanStarted: Journey.start_cp_plan,
    contract.ChildProtectionPlanEnded: Journey.end_cp_plan,
    contract.ReferralClosed: Journey.close_referral,
    contract.PeriodOfCareStarted: Journey.start_period_of_care,
    contract.LegalStatusChanged: Journey.change_legal_status,
    contract.PlacementStarted: Journey.start_placement,
    contract.PlacementEnded: Journey.end_placement,
    contract.PeriodOfCareEnded: Journey.end_period_of_care,
    contract.PersonalAdviserAllocated: Journey.allocate_personal_adviser,
    contract.CareLeaverContactRecorded: Journey.record_care_leaver_contact,
    contract.ConferenceAttendanceRecorded: Journey.record_conference_attendance,
    contract.StatutoryReviewHeld: Journey.hold_statutory_review,
    contract.PersonalEducationPlanCompleted: Journey.complete_personal_education_plan,
    contract.HealthAssessmentCompleted: Journey.complete_health_assessment,
    contract.DentalCheckCompleted: Journey.complete_dental_check,
    contract.ImmunisationsStatusRecorded: Journey.record_immunisations_status,
    contract.AdoptionDecisionMade: Journey.decide_on_adoption,
    contract.AdoptionDecisionCeased: Journey.cease_adoption_decision,
    contract.EventRetracted: Journey.retract,
    contract.CaseAllocated: Journey.allocate_case,
    contract.CaseAllocationEnded: Journey.end_case_allocation,
    contract.StatutoryVisitMade: Journey.make_statutory_visit,
    contract.StrategyDiscussionHeld: Journey.hold_strategy_discussion,
    contract.ChildProtectionReviewConferenceHeld: Journey.hold_review_conference,
    contract.MotherhoodRecorded: Journey.record_motherhood,
    contract.UnaccompaniedAsylumSeekerRecorded: Journey.record_unaccompanied_asylum_seeker,
    contract.MissingEpisodeRecorded: Journey.record_missing_episode,
    contract.AdoptionMatchRecorded: Journey.record_adoption_match,
    contract.PreviousPermanenceRecorded: Journey.record_previous_permanence,
    contract.StrengthsAndDifficultiesRecorded: Journey.record_strengths_and_difficulties,
    contract.ConvictionRecorded: Journey.record_conviction,
    contract.SubstanceMisuseIdentified: Journey.identify_substance_misuse,
    contract.ChildInNeedPlanRecorded: Journey.record_child_in_need_plan,
    contract.ChildDetailsRecorded: Journey.record_child_details,
    contract.DeprivationOfLibertyOrdered: Journey.order_deprivation_of_liberty,
}


# -- for persistence: aggregate events <-> contract events ----------------------------------


@functools.cache
def domain_event_class(event_type: str) -> type[Journey.Event]:
    """The aggregate event class named like a contract event type, e.g. "PlacementStarted"."""
    if event_type not in contract.EVENT_TYPES:
        raise KeyError(f"no journey event type {event_type!r}")
    return cast(type[Journey.Event], getattr(Journey, event_type))


def payload_of(domain_event: Journey.Event) -> JourneyEvent:
    """The contract event an aggregate event carries."""
    return cast(JourneyEvent, domain_event.payload)  # type: ignore[attr-defined]


def rebuild_domain_event(payload: JourneyEvent, originator_version: int) -> Journey.Event:
    """The aggregate event that recorded `payload` as version `originator_version`."""
    event_class: type[Any] = domain_event_class(payload.event_type)
    fields: dict[str, Any] = {
        "originator_id": journey_id(payload.local_authority, payload.child_id),
        "originator_version": originator_version,
        "timestamp": payload.recorded_at,
        "payload": payload,
    }
    if isinstance(payload, contract.ChildRegistered):
        fields["originator_topic"] = get_topic(Journey)
    return cast(Journey.Event, event_class(**fields))
