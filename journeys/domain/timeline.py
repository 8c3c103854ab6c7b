"""A journey in plain English: one line per event, for practitioners and for reviews.

Identifiers and free text are shown escaped and cut (`journeys.domain.display`): the contract
refuses control characters in identifiers, but a reason may hold line breaks, and the
record may hold events accepted before the contract's bounds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from events import catalogue as contract
from events.catalogue import JourneyEvent
from journeys.domain.display import shown

# Identifiers are at most 64 characters (docs/contract.md); a reason is cut sooner, so
# that a timeline stays one line per event.
_TEXT_LIMIT = 120

# Plain-English families of SSDA903 placement types (domain.md section 2).
_PLACEMENT_KINDS: dict[str, str] = {
    **dict.fromkeys(("A3", "A4", "A5", "A6"), "placed for adoption"),
    "H5": "semi-independent living",
    "K1": "secure children's home",
    "K2": "children's home",
    "K3": "residential accommodation",
    "P1": "placed with parents",
    "P3": "residential employment",
    "R1": "residential care home",
    "R2": "NHS or health trust placement",
    "R3": "family centre or mother and baby unit",
    "R5": "young offender institution or prison",
    "S1": "residential school",
    **dict.fromkeys(("T0", "T1", "T2", "T3", "T4"), "temporary placement"),
    **dict.fromkeys(("U1", "U2", "U3"), "foster placement with a relative or friend"),
    **dict.fromkeys(("U4", "U5", "U6"), "foster placement"),
    "Z1": "other placement",
}


def _placement_kind(placement_type: str) -> str:
    return _PLACEMENT_KINDS.get(placement_type, "placement")


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


_ATTENDANCE_ROLES = (
    ("mother", "mother_attended"),
    ("father", "father_attended"),
    ("grandparent", "grandparent_attended"),
    ("other family member", "other_family_attended"),
    ("child", "child_attended"),
)


def _attendance(event: Any) -> str:
    """ "mother attended, father did not" for the roles that apply to the conference."""
    roles = [
        f"{role} {'attended' if getattr(event, field) else 'did not attend'}"
        for role, field in _ATTENDANCE_ROLES
        if getattr(event, field) is not None
    ]
    return ", ".join(roles) or "no roles recorded"


_DESCRIPTIONS: dict[type[JourneyEvent], Callable[[Any], str]] = {
    contract.ChildRegistered: lambda e: (
        f"Child registered (born {e.date_of_birth}, sex {e.sex}, ethnicity {e.ethnicity})"
    ),
    contract.ReferralReceived: lambda e: (
        f"Referral {e.referral_id} received (source {e.source}"
        + (f", primary need {e.primary_need})" if e.primary_need else ")")
    ),
    contract.AssessmentStarted: lambda e: (
        f"Assessment {e.assessment_id} started under referral {e.referral_id}"
    ),
    contract.AssessmentCompleted: lambda e: (
        f"Assessment {e.assessment_id} completed (child seen alone: "
        + ("not recorded" if e.seen_alone_unknown else _yes_no(e.seen_alone))
        + (f"; factors {', '.join(e.factors)})" if e.factors else ")")
    ),
    contract.Section47Started: lambda e: (
        f"Section 47 enquiry {e.enquiry_id} started under referral {e.referral_id}"
    ),
    contract.ChildProtectionConferenceHeld: lambda e: (
        f"Child protection conference held for enquiry {e.enquiry_id} "
        f"(plan required: {_yes_no(e.plan_required)})"
    ),
    contract.ChildProtectionPlanStarted: lambda e: (
        f"Child protection plan {e.plan_id} started (category {e.category})"
    ),
    contract.ChildProtectionPlanEnded: lambda e: f"Child protection plan {e.plan_id} ended",
    contract.ReferralClosed: lambda e: f"Referral {e.referral_id} closed ({e.reason})",
    contract.PeriodOfCareStarted: lambda e: (
        f"Period of care {e.period_id} started (legal status {e.legal_status}, "
        f"category of need {e.category_of_need})"
    ),
    contract.LegalStatusChanged: lambda e: (
        f"Legal status changed to {e.legal_status} in period of care {e.period_id}"
    ),
    contract.PlacementStarted: lambda e: (
        f"Placement {e.placement_id} started ({e.placement_type} "
        f"{_placement_kind(e.placement_type)}, carer {e.carer_id}"
        + (f", provider {e.provider}" if e.provider else "")
        + f") in period of care {e.period_id}"
    ),
    contract.PlacementEnded: lambda e: f"Placement {e.placement_id} ended",
    contract.PeriodOfCareEnded: lambda e: f"Period of care {e.period_id} ended ({e.reason})",
    contract.PersonalAdviserAllocated: lambda e: f"Personal adviser allocated ({e.adviser_id})",
    contract.CareLeaverContactRecorded: lambda e: (
        f"Care leaver contact recorded (in touch {e.in_touch}, activity {e.activity}, "
        f"accommodation {e.accommodation})"
    ),
    contract.ConferenceAttendanceRecorded: lambda e: (
        f"Attendance at the conference of enquiry {e.enquiry_id}: {_attendance(e)}"
    ),
    contract.StatutoryReviewHeld: lambda e: (
        f"Statutory review held (participation {e.participation})"
    ),
    contract.PersonalEducationPlanCompleted: lambda e: "Personal education plan completed",
    contract.HealthAssessmentCompleted: lambda e: "Health assessment completed",
    contract.DentalCheckCompleted: lambda e: "Dental check",
    contract.ImmunisationsStatusRecorded: lambda e: (
        f"Immunisations {'up to date' if e.up_to_date else 'not up to date'}"
    ),
    contract.AdoptionDecisionMade: lambda e: (
        f"Decision that the child should be placed for adoption ({e.decision_id})"
    ),
    contract.AdoptionDecisionCeased: lambda e: (
        f"Adoption decision {e.decision_id} ceased ({e.reason})"
    ),
    contract.EventRetracted: lambda e: f"Event {e.retracted_event_id} retracted ({e.reason})",
    contract.CaseAllocated: lambda e: (
        f"Case allocated ({e.allocation_id}) to worker {e.worker_id}, team {e.team_id}, "
        f"locality {e.locality_id}"
    ),
    contract.CaseAllocationEnded: lambda e: f"Case allocation {e.allocation_id} ended",
    contract.StatutoryVisitMade: lambda e: (
        f"{e.visit_kind} statutory visit (child seen: {_yes_no(e.seen)}, seen alone: "
        f"{_yes_no(e.seen_alone)})"
    ),
    contract.StrategyDiscussionHeld: lambda e: (
        f"Strategy discussion {e.discussion_id} held under referral {e.referral_id} "
        f"(section 47 enquiry required: {_yes_no(e.section47_required)})"
    ),
    contract.ChildProtectionReviewConferenceHeld: lambda e: (
        f"Review child protection conference of plan {e.plan_id} "
        f"(plan continues: {_yes_no(e.plan_continues)})"
    ),
    # The statutory returns' items (issue 14); personal fields (MC_DOB) are not shown.
    contract.MotherhoodRecorded: lambda e: "Recorded as a mother",
    contract.UnaccompaniedAsylumSeekerRecorded: lambda e: (
        "Unaccompanied asylum-seeking child"
        + (f" until {e.ceased_on.isoformat()}" if e.ceased_on else "")
    ),
    contract.MissingEpisodeRecorded: lambda e: (
        ("Missing from placement" if e.absence == "M" else "Away from placement without consent")
        + (f" until {e.returned_on.isoformat()}" if e.returned_on else " (not yet returned)")
    ),
    contract.AdoptionMatchRecorded: lambda e: (
        f"Matched with adopters ({e.adopters_sex}, {e.adopters_legal_status}"
        + (", former foster carers" if e.former_foster_carers else "")
        + f") under adoption decision {e.decision_id}"
    ),
    contract.PreviousPermanenceRecorded: lambda e: (
        f"Previous permanence recorded ({e.arrangement})"
    ),
    contract.StrengthsAndDifficultiesRecorded: lambda e: (
        f"Strengths and difficulties score {e.score}"
        if e.score is not None
        else f"Strengths and difficulties questionnaire not completed ({e.reason})"
    ),
    contract.ConvictionRecorded: lambda e: "Convicted, or given a final warning or reprimand",
    contract.SubstanceMisuseIdentified: lambda e: "Substance misuse identified",
    contract.ChildInNeedPlanRecorded: lambda e: (
        f"Child in need plan under referral {e.referral_id}"
        + (f" until {e.ended_on.isoformat()}" if e.ended_on else "")
    ),
    contract.DeprivationOfLibertyOrdered: lambda e: (
        "Deprivation of liberty order"
        + (f" until {e.ended_on.isoformat()}" if e.ended_on else " (in force)")
    ),
    # The UPN is personal: said to be recorded, never shown.
    contract.ChildDetailsRecorded: lambda e: (
        "Details recorded: "
        + ", ".join(
            (["UPN"] if e.upn is not None else [])
            + ([f"disabilities {' '.join(e.disabilities)}"] if e.disabilities else [])
        )
    ),
}


class _Shown:
    """An event whose text fields read as `shown` text: what the descriptions print."""

    __slots__ = ("_event",)

    def __init__(self, event: JourneyEvent) -> None:
        self._event = event

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._event, name)
        if isinstance(value, str):
            return shown(value, _TEXT_LIMIT)
        if isinstance(value, tuple):
            return tuple(shown(v, _TEXT_LIMIT) if isinstance(v, str) else v for v in value)
        return value


def describe(event: JourneyEvent) -> str:
    """One event in plain English, without its date; its text escaped and cut."""
    return _DESCRIPTIONS[type(event)](_Shown(event))


def timeline(events: Iterable[JourneyEvent]) -> list[str]:
    """Events in the order given, each as "YYYY-MM-DD  description"."""
    return [f"{event.occurred_on.isoformat()}  {describe(event)}" for event in events]
