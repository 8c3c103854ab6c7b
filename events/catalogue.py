"""The event catalogue: one typed class per event type of the public contract.

These classes and the Avro schemas in `schemas/` describe the same contract (domain.md
section 5); `tests/unit/test_catalogue_matches_schemas.py` proves they agree field for
field. Each field's `doc` and, where a DfE code list applies, its `codes` live in the
field metadata, so the codec checks codes from the same place the class is declared.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar

from events import codes

# The contract's value bounds as each field's doc states them (and the schemas' docs, and
# docs/contract.md). The bounds themselves are events.validation's; the field docs are
# checked against them by tests/unit/test_value_bounds.py.
IDENTIFIER_DOC = (
    " Printable characters only (no control, format or line-break characters), at most 64."
)
DATE_DOC = " Between 1900-01-01 and 2100-12-31."
RECORDED_AT_DOC = (
    " Between 1900-01-01T00:00:00Z and 2100-12-31T23:59:59.999999Z,"
    " and at most 1 day ahead of the processor's clock when submitted."
)
SEALED_DOC = (
    "Written by the service, never by a submitter (empty in a submission): on"
    " care.journey.events, this event's personal fields, sealed under the child's own key"
    " (AES-256-GCM; 's1.' then base64url), each of those fields holding a placeholder"
    " instead (a date 1900-01-01, a text empty). Empty when the event has none to seal."
)
FREE_TEXT_DOC = " Free text: printable characters, line breaks and tabs, at most 2,000 characters."


def _field(
    doc: str,
    *,
    code_list: frozenset[str] | None = None,
    bound: str = "",
    personal: bool = False,
    **kwargs: Any,
) -> Any:
    """A contract field: its doc, its DfE code list, and whether it is personal data.

    A personal field (the child's date of birth, a postcode, free text) is never written
    in clear to the record or anything derived from it: see `personal_fields_of`.
    """
    metadata: dict[str, Any] = {"doc": doc + bound}
    if code_list is not None:
        metadata["codes"] = code_list
    if personal:
        metadata["personal"] = True
    return field(metadata=metadata, **kwargs)


@dataclass(frozen=True, slots=True, kw_only=True)
class JourneyEvent:
    """The envelope every event carries."""

    event_type: ClassVar[str] = "JourneyEvent"

    event_id: uuid.UUID = _field("Unique identifier of this event, forever.")
    child_id: str = _field(
        "The local authority's own identifier for the child.", bound=IDENTIFIER_DOC
    )
    local_authority: str = _field("The 3-digit DfE local authority code, e.g. '371'.")
    occurred_on: date = _field("The date the thing happened.", bound=DATE_DOC)
    recorded_at: datetime = _field(
        "When the source system recorded the event (UTC); may be long after occurred_on.",
        bound=RECORDED_AT_DOC,
    )
    source_system: str = _field("The system that recorded the event.", bound=IDENTIFIER_DOC)


ENVELOPE_FIELDS: tuple[str, ...] = (
    "event_id",
    "child_id",
    "local_authority",
    "occurred_on",
    "recorded_at",
    "source_system",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChildRegistered(JourneyEvent):
    """The child became known to the service (not necessarily the date of birth)."""

    date_of_birth: date = _field("The child's date of birth.", bound=DATE_DOC, personal=True)
    sex: str = _field("F, M or U (unknown).", code_list=codes.SEX)
    ethnicity: str = _field("DfE ethnicity code, e.g. WBRI.", code_list=codes.ETHNICITY)
    # v2 (issue 14): what the statutory returns hold of the child.
    upn: str | None = _field(
        "The child's Unique Pupil Number (13 characters: a letter, 12 digits or a letter "
        "last), or the reason it is not known (UN1-UN10); null when not recorded.",
        bound=FREE_TEXT_DOC,
        personal=True,
        default=None,
    )
    disabilities: tuple[str, ...] = _field(
        "CIN census disability codes (NONE, MOB, HAND, PC, INC, COMM, LD, HEAR, VIS, BEH, "
        "CON, AUT, DDA); empty when not recorded.",
        code_list=codes.DISABILITY,
        default=(),
    )
    sealed_personal_data: str = _field(SEALED_DOC, default="")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferralReceived(JourneyEvent):
    """A referral to children's social care was received."""

    referral_id: str = _field(
        "Identifier of the referral, unique within the journey.", bound=IDENTIFIER_DOC
    )
    source: str = _field("CIN referral source code (1A-10).", code_list=codes.REFERRAL_SOURCE)
    primary_need: str | None = _field(
        "CIN primary need code (N0-N9), when known.", code_list=codes.PRIMARY_NEED, default=None
    )
    # v2 (issue 14): the CIN census's ReferralNFA.
    no_further_action: bool | None = _field(
        "Whether the referral was closed with no further action (CIN ReferralNFA); null "
        "when not recorded.",
        default=None,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class AssessmentStarted(JourneyEvent):
    """A single assessment started under an open referral."""

    assessment_id: str = _field(
        "Identifier of the assessment, unique within the journey.", bound=IDENTIFIER_DOC
    )
    referral_id: str = _field("The referral the assessment belongs to.", bound=IDENTIFIER_DOC)


@dataclass(frozen=True, slots=True, kw_only=True)
class AssessmentCompleted(JourneyEvent):
    """A single assessment was completed."""

    assessment_id: str = _field("The assessment that was completed.", bound=IDENTIFIER_DOC)
    seen_alone: bool = _field("Whether the child was seen alone during the assessment.")
    factors: tuple[str, ...] = _field(
        "CIN assessment factor codes identified.",
        code_list=codes.ASSESSMENT_FACTORS,
        default=(),
    )
    # v2 (issue 14): the CIN census does not say whether the child was seen alone.
    seen_alone_unknown: bool | None = _field(
        "True when the source did not record whether the child was seen alone (the CIN "
        "census does not say: an assessment imported from it); seen_alone is then false "
        "and means nothing. Null (every message before v2) or false: seen_alone is as "
        "recorded.",
        default=None,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Section47Started(JourneyEvent):
    """A section 47 enquiry started under an open referral."""

    enquiry_id: str = _field(
        "Identifier of the enquiry, unique within the journey.", bound=IDENTIFIER_DOC
    )
    referral_id: str = _field("The referral the enquiry belongs to.", bound=IDENTIFIER_DOC)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChildProtectionConferenceHeld(JourneyEvent):
    """An initial child protection conference was held for an enquiry."""

    enquiry_id: str = _field(
        "The section 47 enquiry the conference belongs to.", bound=IDENTIFIER_DOC
    )
    plan_required: bool = _field("Whether the conference decided a CP plan is required.")


@dataclass(frozen=True, slots=True, kw_only=True)
class ConferenceAttendanceRecorded(JourneyEvent):
    """Who attended a child protection conference: one field per role, attended or not.

    Dated the day of the conference it names. A role is null when it does not apply to the
    conference (no such family member, or not invited): the attendance indicators count a
    role only where it is recorded as attended (true) or not (false).
    """

    enquiry_id: str = _field(
        "The section 47 enquiry whose child protection conference this is.",
        bound=IDENTIFIER_DOC,
    )
    mother_attended: bool | None = _field(
        "Whether the child's mother attended; null when it does not apply.", default=None
    )
    father_attended: bool | None = _field(
        "Whether the child's father attended; null when it does not apply.", default=None
    )
    grandparent_attended: bool | None = _field(
        "Whether a grandparent attended; null when none was invited.", default=None
    )
    other_family_attended: bool | None = _field(
        "Whether another family member attended; null when none was invited.", default=None
    )
    child_attended: bool | None = _field(
        "Whether the child attended; null when it does not apply (a baby, say).", default=None
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ChildProtectionPlanStarted(JourneyEvent):
    """The child became the subject of a child protection plan."""

    plan_id: str = _field(
        "Identifier of the plan, unique within the journey.", bound=IDENTIFIER_DOC
    )
    category: str = _field(
        "Category of abuse: NEG, PHY, SAB, EMO or MUL.", code_list=codes.CP_CATEGORY
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ChildProtectionPlanEnded(JourneyEvent):
    """A child protection plan ended."""

    plan_id: str = _field("The plan that ended.", bound=IDENTIFIER_DOC)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferralClosed(JourneyEvent):
    """The episode of need that a referral opened was closed."""

    referral_id: str = _field("The referral that was closed.", bound=IDENTIFIER_DOC)
    reason: str = _field("CIN reason for closure (RC1-RC9).", code_list=codes.REASON_FOR_CLOSURE)


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodOfCareStarted(JourneyEvent):
    """The child started to be looked after."""

    period_id: str = _field(
        "Identifier of the period of care, unique within the journey.", bound=IDENTIFIER_DOC
    )
    legal_status: str = _field("SSDA903 legal status at the start.", code_list=codes.LEGAL_STATUS)
    category_of_need: str = _field(
        "SSDA903 category of need (N1-N8).", code_list=codes.CATEGORY_OF_NEED
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class LegalStatusChanged(JourneyEvent):
    """The legal status of a looked-after child changed, with or without a move."""

    period_id: str = _field("The open period of care.", bound=IDENTIFIER_DOC)
    legal_status: str = _field("The new SSDA903 legal status.", code_list=codes.LEGAL_STATUS)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlacementStarted(JourneyEvent):
    """A looked-after child started a placement."""

    placement_id: str = _field(
        "Identifier of the placement, unique within the journey.", bound=IDENTIFIER_DOC
    )
    period_id: str = _field(
        "The open period of care the placement belongs to.", bound=IDENTIFIER_DOC
    )
    placement_type: str = _field("SSDA903 placement type (PLACE).", code_list=codes.PLACEMENT_TYPE)
    provider: str | None = _field(
        "SSDA903 placement provider (PR0-PR5), when known.", code_list=codes.PROVIDER, default=None
    )
    carer_id: str = _field(
        "Identifier of the carer; a move with the same carer keeps it.", bound=IDENTIFIER_DOC
    )
    # v2 (issue 14): the SSDA903 episode's placement details.
    urn: str | None = _field(
        "Ofsted's unique reference number of the placement provider (URN), or XXXXXXX for "
        "a placement with none; null when not recorded.",
        bound=FREE_TEXT_DOC,
        default=None,
    )
    home_postcode: str | None = _field(
        "Postcode of the home the child was living in when they started to be looked after "
        "(HOME_POST); null when not recorded.",
        bound=FREE_TEXT_DOC,
        personal=True,
        default=None,
    )
    placement_postcode: str | None = _field(
        "Postcode of the placement (PL_POST); null when not recorded.",
        bound=FREE_TEXT_DOC,
        personal=True,
        default=None,
    )
    reason_for_change: str | None = _field(
        "SSDA903 reason for the placement change (REASON_PLACE_CHANGE), for a placement "
        "replacing another with a change of carer; null otherwise.",
        code_list=codes.REASON_PLACE_CHANGE,
        default=None,
    )
    sealed_personal_data: str = _field(SEALED_DOC, default="")


@dataclass(frozen=True, slots=True, kw_only=True)
class PlacementEnded(JourneyEvent):
    """A placement ended."""

    placement_id: str = _field("The placement that ended.", bound=IDENTIFIER_DOC)


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodOfCareEnded(JourneyEvent):
    """The child stopped being looked after; any open placement ends the same day."""

    period_id: str = _field("The period of care that ended.", bound=IDENTIFIER_DOC)
    reason: str = _field(
        "SSDA903 reason episode ceased (REC).", code_list=codes.REASON_EPISODE_CEASED
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class StatutoryReviewHeld(JourneyEvent):
    """A statutory review of a looked-after child's care plan was held."""

    participation: str = _field(
        "SSDA903 participation code (PN0-PN7): PN0 the child was under 4; PN1 attended and "
        "spoke for themselves; PN2 attended, an advocate spoke for them; PN3 attended and "
        "conveyed their views non-verbally; PN4 attended without conveying their views; PN5 "
        "did not attend, briefed an advocate; PN6 did not attend, conveyed their views by a "
        "facilitative medium; PN7 did not attend, views not conveyed.",
        code_list=codes.REVIEW_PARTICIPATION,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonalEducationPlanCompleted(JourneyEvent):
    """A looked-after child's personal education plan (PEP) was completed or reviewed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthAssessmentCompleted(JourneyEvent):
    """A looked-after child's statutory health assessment was completed (SSDA903 OC2)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DentalCheckCompleted(JourneyEvent):
    """A looked-after child had a dental check (SSDA903 OC2)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImmunisationsStatusRecorded(JourneyEvent):
    """A looked-after child's immunisations were checked against the schedule (SSDA903 OC2)."""

    up_to_date: bool = _field("Whether the child's immunisations are up to date that day.")


@dataclass(frozen=True, slots=True, kw_only=True)
class AdoptionDecisionMade(JourneyEvent):
    """The decision that a looked-after child should be placed for adoption (SSDA903)."""

    decision_id: str = _field(
        "Identifier of the decision, unique within the journey.", bound=IDENTIFIER_DOC
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class AdoptionDecisionCeased(JourneyEvent):
    """The child should no longer be placed for adoption (not for an adoption: E11/E12)."""

    decision_id: str = _field("The decision that ceased.", bound=IDENTIFIER_DOC)
    reason: str = _field(
        "SSDA903 reason the decision ceased (RD1-RD4): RD1 the child's needs changed; RD2 "
        "the court did not make a placement order; RD3 prospective adopters could not be "
        "found; RD4 any other reason.",
        code_list=codes.ADOPTION_DECISION_CEASED_REASON,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonalAdviserAllocated(JourneyEvent):
    """A personal adviser was allocated to the young person."""

    adviser_id: str = _field("Identifier of the personal adviser allocation.", bound=IDENTIFIER_DOC)


@dataclass(frozen=True, slots=True, kw_only=True)
class CareLeaverContactRecorded(JourneyEvent):
    """The authority recorded a care leaver's contact, activity and accommodation."""

    in_touch: str = _field("IN_TOUCH: YES, NO, DIED, REFU, NREQ or RHOM.", code_list=codes.IN_TOUCH)
    activity: str = _field(
        "ACTIV code, e.g. F1 or G5; 0 when not in touch.", code_list=codes.ACTIVITY
    )
    accommodation: str = _field(
        "ACCOM letter plus 1 (suitable) or 2 (unsuitable); 0 when not in touch.",
        code_list=codes.ACCOMMODATION,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRetracted(JourneyEvent):
    """An earlier event counts as never recorded, from this event's recorded_at on."""

    retracted_event_id: uuid.UUID = _field("The event_id of the event being retracted.")
    reason: str = _field(
        "Why the event is retracted, in plain words.", bound=FREE_TEXT_DOC, personal=True
    )
    sealed_personal_data: str = _field(SEALED_DOC, default="")


# -- supervision: who holds the case, statutory visits, the section 47 timescale and CP
# review conferences (issue 15). Workers, teams and localities are the authority's own ids;
# the record holds no names.


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseAllocated(JourneyEvent):
    """The child's case was allocated to a social worker in a team in a locality, from
    occurred_on.

    One allocation is open at a time. A transfer (to another worker, team or locality) is
    CaseAllocationEnded of the allocation held, then CaseAllocated of the new one, both
    dated the day of the transfer: on that day the case is the new allocation's.
    """

    allocation_id: str = _field(
        "Identifier of the allocation, unique within the journey.", bound=IDENTIFIER_DOC
    )
    worker_id: str = _field(
        "The authority's own identifier of the allocated social worker (never a name).",
        bound=IDENTIFIER_DOC,
    )
    team_id: str = _field(
        "The authority's own identifier of the worker's team (never a name).",
        bound=IDENTIFIER_DOC,
    )
    locality_id: str = _field(
        "The authority's own identifier of the team's locality (never a name).",
        bound=IDENTIFIER_DOC,
    )
    reason: str | None = _field(
        "SSDA903 reason the social worker episode began (SW_REASON): FCONTA for the "
        "case's first allocation, else why the worker changed; null where not recorded "
        "(every message before v2).",
        code_list=codes.SOCIAL_WORKER_CHANGE_REASON,
        default=None,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseAllocationEnded(JourneyEvent):
    """An allocation of the child's case ended (a transfer, or the case closed): from
    occurred_on the case is no longer that worker's."""

    allocation_id: str = _field("The allocation that ended.", bound=IDENTIFIER_DOC)


@dataclass(frozen=True, slots=True, kw_only=True)
class StatutoryVisitMade(JourneyEvent):
    """A social worker made a statutory visit to the child."""

    visit_kind: str = _field(
        "Which statutory duty the visit meets: CIN (a child in need), CP (a child on a "
        "child protection plan), LAC (a looked-after child) or CARE_LEAVER (a care leaver).",
        code_list=codes.VISIT_KIND,
    )
    seen: bool = _field("Whether the child was seen at the visit.")
    seen_alone: bool = _field(
        "Whether the child was seen alone at the visit (only if the child was seen)."
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class StrategyDiscussionHeld(JourneyEvent):
    """A strategy discussion was held under an open referral: the start of the section 47
    timescale (an initial child protection conference within 15 working days of it)."""

    discussion_id: str = _field(
        "Identifier of the strategy discussion, unique within the journey.",
        bound=IDENTIFIER_DOC,
    )
    referral_id: str = _field(
        "The referral the strategy discussion is held under.", bound=IDENTIFIER_DOC
    )
    section47_required: bool = _field(
        "Whether the discussion decided a section 47 enquiry is to start."
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ChildProtectionReviewConferenceHeld(JourneyEvent):
    """A review child protection conference of an open CP plan was held (the initial
    conference is ChildProtectionConferenceHeld)."""

    plan_id: str = _field("The CP plan under review.", bound=IDENTIFIER_DOC)
    plan_continues: bool = _field(
        "Whether the conference decided the plan continues (false: the plan is to end)."
    )


# -- the statutory returns (issue 14): what SSDA903 and the CIN census record that the
# journey did not. A return's row with an end date that may not yet be known (a missing
# episode, UASC status, a CIN plan) is one event carrying the end when known; a later
# return that knows the end retracts it and records the corrected event.


@dataclass(frozen=True, slots=True, kw_only=True)
class MotherhoodRecorded(JourneyEvent):
    """A looked-after young woman is a mother (SSDA903 MOTHER); dated when recorded."""

    child_date_of_birth: date | None = _field(
        "Date of birth of the young woman's child (MC_DOB), when known.",
        bound=DATE_DOC,
        personal=True,
        default=None,
    )
    sealed_personal_data: str = _field(SEALED_DOC, default="")


@dataclass(frozen=True, slots=True, kw_only=True)
class UnaccompaniedAsylumSeekerRecorded(JourneyEvent):
    """The child is an unaccompanied asylum-seeking child (SSDA903 UASC); dated from when."""

    ceased_on: date | None = _field(
        "The date the child ceased to be an unaccompanied asylum-seeking child (DUC), when "
        "known; usually the 18th birthday.",
        bound=DATE_DOC,
        default=None,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class MissingEpisodeRecorded(JourneyEvent):
    """A looked-after child was missing or away from placement (SSDA903 missing table);
    dated the day the episode started."""

    absence: str = _field(
        "M missing from placement, A away from placement without authorisation.",
        code_list=codes.MISSING_KIND,
    )
    returned_on: date | None = _field(
        "The day the episode ended (MIS_END); null while it is open.",
        bound=DATE_DOC,
        default=None,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class AdoptionMatchRecorded(JourneyEvent):
    """A child was matched with prospective adopters (SSDA903 AD1); dated the match."""

    decision_id: str = _field(
        "The decision that the child should be placed for adoption.", bound=IDENTIFIER_DOC
    )
    former_foster_carers: bool = _field(
        "Whether the adopters were the child's foster carers (FOSTER_CARE)."
    )
    adopters: str = _field(
        "The number of adopters (NB_ADOPTR): 1 or 2.", code_list=codes.NUMBER_OF_ADOPTERS
    )
    adopters_sex: str = _field(
        "The adopters' sex (SEX_ADOPTR): M1, F1, MM, FF or MF.", code_list=codes.ADOPTERS_SEX
    )
    adopters_legal_status: str = _field(
        "The adopters' legal status (LS_ADOPTR): L0, L11, L12, L2, L3 or L4.",
        code_list=codes.ADOPTERS_LEGAL_STATUS,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PreviousPermanenceRecorded(JourneyEvent):
    """A child starting to be looked after had left care before under a permanence order
    (SSDA903 previous permanence); dated the day the period of care started."""

    arrangement: str = _field(
        "PREV_PERM: P1 adoption, P2 special guardianship, P3 residence or child arrangements "
        "order, P4 a placement abroad, Z1 not known.",
        code_list=codes.PREVIOUS_PERMANENCE,
    )
    order_date: str | None = _field(
        "DATE_PERM as the return has it: dd/mm/yyyy, with zz for a part not known "
        "(zz/zz/2015); null when not known.",
        bound=FREE_TEXT_DOC,
        default=None,
    )
    authority: str | None = _field(
        "The authority that made the order (LA_PERM), when known.",
        bound=FREE_TEXT_DOC,
        default=None,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class StrengthsAndDifficultiesRecorded(JourneyEvent):
    """A looked-after child's strengths and difficulties questionnaire (SSDA903 OC2)."""

    score: str | None = _field(
        "The SDQ score, 0 to 40 (SDQ_SCORE); null when not completed.",
        code_list=codes.SDQ_SCORE,
        default=None,
    )
    reason: str | None = _field(
        "Why the SDQ was not completed (SDQ1-SDQ5); null when it was.",
        code_list=codes.SDQ_REASON,
        default=None,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ConvictionRecorded(JourneyEvent):
    """A looked-after child was convicted, or given a final warning or reprimand (OC2)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SubstanceMisuseIdentified(JourneyEvent):
    """A looked-after child was identified as having a substance misuse problem (OC2)."""

    intervention_offered: bool | None = _field(
        "Whether an intervention was offered (INTERVENTION_OFFERED); null when not recorded.",
        default=None,
    )
    intervention_received: bool | None = _field(
        "Whether an intervention was received (INTERVENTION_RECEIVED); null when not recorded.",
        default=None,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ChildInNeedPlanRecorded(JourneyEvent):
    """A child in need plan (CIN census CINplanDates); dated the day it started."""

    referral_id: str = _field("The referral the plan belongs to.", bound=IDENTIFIER_DOC)
    ended_on: date | None = _field(
        "The day the plan ended (CINPlanEndDate); null while it is open.",
        bound=DATE_DOC,
        default=None,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ChildDetailsRecorded(JourneyEvent):
    """What is recorded of a child after their registration, where it is new or has
    changed: the UPN, the disabilities (a statutory return giving what another did not, or
    a later year's return). Dated the day the details were stated (an import: the day its
    return is recorded). The child's details on a day are the registration's, each
    replaced by the latest of these stating it by that day."""

    upn: str | None = _field(
        "The child's Unique Pupil Number (13 characters: a letter, 12 digits or a letter "
        "last), or the reason it is not known (UN1-UN10); null when this event says "
        "nothing of it.",
        bound=FREE_TEXT_DOC,
        personal=True,
        default=None,
    )
    disabilities: tuple[str, ...] = _field(
        "CIN census disability codes (MOB, HAND, PC, INC, COMM, LD, HEAR, VIS, BEH, CON, "
        "AUT, DDA), or NONE alone when the child has none; empty when this event says "
        "nothing of them.",
        code_list=codes.DISABILITY,
        default=(),
    )
    sealed_personal_data: str = _field(SEALED_DOC, default="")


@dataclass(frozen=True, slots=True, kw_only=True)
class DeprivationOfLibertyOrdered(JourneyEvent):
    """A court's order authorised depriving a looked-after child of their liberty (a
    deprivation of liberty order, DoLO: SSDA903 DoLo table from the 2026-27 return);
    dated the day it started (DOLO_START)."""

    ended_on: date | None = _field(
        "The day the order ended (DOLO_END); null while it is in force.",
        bound=DATE_DOC,
        default=None,
    )


EVENT_CLASSES: tuple[type[JourneyEvent], ...] = (
    ChildRegistered,
    ReferralReceived,
    AssessmentStarted,
    AssessmentCompleted,
    Section47Started,
    ChildProtectionConferenceHeld,
    ChildProtectionPlanStarted,
    ChildProtectionPlanEnded,
    ReferralClosed,
    PeriodOfCareStarted,
    LegalStatusChanged,
    PlacementStarted,
    PlacementEnded,
    PeriodOfCareEnded,
    PersonalAdviserAllocated,
    CareLeaverContactRecorded,
    StatutoryReviewHeld,
    PersonalEducationPlanCompleted,
    HealthAssessmentCompleted,
    DentalCheckCompleted,
    ImmunisationsStatusRecorded,
    ConferenceAttendanceRecorded,
    AdoptionDecisionMade,
    AdoptionDecisionCeased,
    EventRetracted,
    CaseAllocated,
    CaseAllocationEnded,
    StatutoryVisitMade,
    StrategyDiscussionHeld,
    ChildProtectionReviewConferenceHeld,
    MotherhoodRecorded,
    UnaccompaniedAsylumSeekerRecorded,
    MissingEpisodeRecorded,
    AdoptionMatchRecorded,
    PreviousPermanenceRecorded,
    StrengthsAndDifficultiesRecorded,
    ConvictionRecorded,
    SubstanceMisuseIdentified,
    ChildInNeedPlanRecorded,
    ChildDetailsRecorded,
    DeprivationOfLibertyOrdered,
)

for _event_class in EVENT_CLASSES:
    # The Avro record name, the JSON Lines "type" and the Kafka header value.
    _event_class.event_type = _event_class.__name__

E = TypeVar("E", bound=JourneyEvent)

EVENT_TYPES: Mapping[str, type[JourneyEvent]] = {cls.__name__: cls for cls in EVENT_CLASSES}


def builder_of(event_class: type[E]) -> Callable[[Mapping[str, Any]], E]:
    """A fast constructor for values the codec has already checked.

    A frozen dataclass's __init__ sets each field through object.__setattr__; decoding
    builds tens of thousands of events a second, so this sets the slots directly, at
    about half the cost. Every field must be present in the mapping.
    """
    slot_setters = tuple(
        (f.name, getattr(event_class, f.name).__set__) for f in dataclasses.fields(event_class)
    )
    new = object.__new__

    def build(values: Mapping[str, Any]) -> E:
        event = new(event_class)
        for name, set_slot in slot_setters:
            set_slot(event, values[name])
        return event

    return build


def fields_of(event_class: type[JourneyEvent]) -> tuple[dataclasses.Field[Any], ...]:
    """The fields of an event class, envelope first, in contract order."""
    return dataclasses.fields(event_class)


def personal_fields_of(event_class: type[JourneyEvent]) -> tuple[str, ...]:
    """The fields of an event class that hold the child's personal data, in contract order.

    The child's id is personal too, but it is not listed: every event carries it, and the
    record replaces it with the child's pseudonym rather than sealing it.
    """
    return tuple(f.name for f in fields_of(event_class) if f.metadata.get("personal"))
