"""The rules of practice a journey must keep, each written once as a `check_...` function.

Every check reads a `Chronology` (the events that count, judged on the dates they
happened, whatever order they arrived in) and yields a `Breach` for each event that breaks
its rule. The aggregate judges a submitted event by building the chronology with the event
added, and a retraction by building it with the retracted event left out; both call the
same checks through `breaches_concerning`, so no rule is written twice.

Each rule declares the event types whose arrival or retraction can break it; only those
rules run for an event of that type, which keeps judging one event linear in the length of
the journey. It declares too the refusal codes it yields (members of events.refusals), so
`journeys rules` can say which event types each code concerns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from events import codes
from events.catalogue import (
    EVENT_CLASSES,
    EVENT_TYPES,
    AdoptionDecisionCeased,
    AdoptionDecisionMade,
    AdoptionMatchRecorded,
    AssessmentCompleted,
    AssessmentStarted,
    CareLeaverContactRecorded,
    CaseAllocated,
    CaseAllocationEnded,
    ChildDetailsRecorded,
    ChildInNeedPlanRecorded,
    ChildProtectionConferenceHeld,
    ChildProtectionPlanEnded,
    ChildProtectionPlanStarted,
    ChildProtectionReviewConferenceHeld,
    ChildRegistered,
    ConferenceAttendanceRecorded,
    ConvictionRecorded,
    DentalCheckCompleted,
    DeprivationOfLibertyOrdered,
    HealthAssessmentCompleted,
    ImmunisationsStatusRecorded,
    JourneyEvent,
    LegalStatusChanged,
    MissingEpisodeRecorded,
    MotherhoodRecorded,
    PeriodOfCareEnded,
    PeriodOfCareStarted,
    PersonalAdviserAllocated,
    PersonalEducationPlanCompleted,
    PlacementEnded,
    PlacementStarted,
    PreviousPermanenceRecorded,
    ReferralClosed,
    ReferralReceived,
    Section47Started,
    StatutoryReviewHeld,
    StatutoryVisitMade,
    StrategyDiscussionHeld,
    StrengthsAndDifficultiesRecorded,
    SubstanceMisuseIdentified,
    UnaccompaniedAsylumSeekerRecorded,
)
from events.refusals import Refusal
from journeys.domain.facts import (
    ADOPTION_DECISION,
    ALLOCATION,
    ASSESSMENT,
    ENQUIRY,
    PERIOD,
    PLACEMENT,
    PLAN,
    REFERRAL,
    SPELL_KINDS,
    Chronology,
    Spell,
    SpellKind,
)

# Age from which a personal adviser may be allocated (domain.md section 1).
ADVISER_MINIMUM_AGE = 14
# Statutory school age, as the PEP indicator reads it (domain.md section 3, indicator 12):
# aged 5 to 15 on the day.
SCHOOL_AGE = range(5, 16)
# Below this age a statutory review's participation code is PN0 (SSDA903).
REVIEW_PARTICIPATION_AGE = 4


@dataclass(frozen=True, slots=True)
class Breach:
    """One event breaking one rule: the rule's stable code, the field at fault, and why."""

    rule_code: Refusal
    event: JourneyEvent
    field: str
    message: str


Check = Callable[[Chronology], Iterator[Breach]]


@dataclass(frozen=True, slots=True)
class Rule:
    check: Check
    concerns: frozenset[str]  # event types whose arrival or retraction can break the rule
    # The codes of the breaches it yields, each with the event types (among `concerns`)
    # whose arrival or retraction can bring that breach about.
    refuses: Mapping[Refusal, frozenset[str]]


RULES: list[Rule] = []
# The checks concerning each event type, in rule order: filled on first use, emptied
# whenever a rule is registered.
_CHECKS_BY_TYPE: dict[str, tuple[Check, ...]] = {}


# The codes a rule yields: each concerning all the rule's event types, or some of them.
Refuses = Iterable[Refusal] | Mapping[Refusal, Iterable[type[JourneyEvent]]]


def rule(*concerns: type[JourneyEvent], refuses: Refuses) -> Callable[[Check], Check]:
    """Register a check, with the event types that can break it and the codes it yields.

    `refuses` lists the codes, or maps each to the event types (among `concerns`) that
    can bring its breach about, where that is fewer than all of them.
    """
    concerned = frozenset(cls.event_type for cls in concerns)
    codes: dict[Refusal, frozenset[str]] = {}
    if isinstance(refuses, Mapping):
        for code, classes in refuses.items():
            codes[code] = frozenset(cls.event_type for cls in classes)
    else:
        codes = dict.fromkeys(refuses, concerned)

    def register(check: Check) -> Check:
        for code, types in codes.items():
            if not types <= concerned:
                raise ValueError(
                    f"{check.__name__}: {code} concerns {sorted(types - concerned)}, which "
                    "the rule does not"
                )
        RULES.append(Rule(check, concerned, codes))
        _CHECKS_BY_TYPE.clear()
        return check

    return register


def event_types_concerned(code: Refusal) -> tuple[str, ...]:
    """The event types `code` can refuse, in catalogue order.

    A rule of practice's come from the rules that yield it (the event types whose arrival
    or retraction can break them); any other code's are stated in the catalogue.
    """
    concerned = code.concerns
    if concerned is None:
        declared = set().union(*(r.refuses[code] for r in RULES if code in r.refuses))
        return tuple(t for t in EVENT_TYPES if t in declared)
    return concerned


def checks_concerning(event_type: str) -> tuple[Check, ...]:
    """The checks an event of `event_type` can affect, in rule order."""
    checks = _CHECKS_BY_TYPE.get(event_type)
    if checks is None:
        checks = tuple(r.check for r in RULES if event_type in r.concerns)
        _CHECKS_BY_TYPE[event_type] = checks
    return checks


def breaches_concerning(chronology: Chronology, event_type: str) -> Iterator[Breach]:
    """Every breach of the rules that an event of `event_type` can affect, in rule order."""
    for check in checks_concerning(event_type):
        yield from check(chronology)


def _code_of(kind: SpellKind, code: Refusal | None) -> Refusal:
    """A kind's code for a rule that applies to it (declared on the kind, journeys.domain.facts)."""
    if code is None:
        raise TypeError(f"{kind.noun}: no refusal code is declared for this rule")
    return code


def _describe(event: JourneyEvent) -> str:
    return f"{event.event_type} {event.event_id} dated {event.occurred_on}"


_ALL_TYPES = tuple(cls for cls in EVENT_CLASSES if cls.event_type != "EventRetracted")
_START_TYPES = tuple(kind.start_type for kind in SPELL_KINDS)

# -- the child ---------------------------------------------------------------------------


@rule(ChildRegistered, refuses=[Refusal.DATE_OF_BIRTH_IN_FUTURE])
def check_date_of_birth_not_in_future(chronology: Chronology) -> Iterator[Breach]:
    child = chronology.child
    recorded_on = child.recorded_at.date()
    if child.date_of_birth > recorded_on:
        yield Breach(
            Refusal.DATE_OF_BIRTH_IN_FUTURE,
            child,
            "date_of_birth",
            f"date of birth {child.date_of_birth} is after the day the registration was "
            f"recorded ({recorded_on})",
        )


@rule(*_ALL_TYPES, refuses=[Refusal.EVENT_BEFORE_BIRTH])
def check_nothing_before_birth(chronology: Chronology) -> Iterator[Breach]:
    date_of_birth = chronology.date_of_birth
    for event in chronology.events:  # in date order: stop at the first on or after birth
        if event.occurred_on >= date_of_birth:
            return
        yield Breach(
            Refusal.EVENT_BEFORE_BIRTH,
            event,
            "occurred_on",
            f"{_describe(event)} is before the child's date of birth {date_of_birth}",
        )


# -- identifiers and references -----------------------------------------------------------


@rule(*_START_TYPES, refuses=[Refusal.DUPLICATE_ID])
def check_ids_unique(chronology: Chronology) -> Iterator[Breach]:
    for kind in SPELL_KINDS:
        starts = chronology.of_type(kind.start_type)
        if len(starts) < 2:
            continue  # one start cannot reuse an id
        first_use: dict[str, JourneyEvent] = {}
        for start in starts:
            spell_id = getattr(start, kind.id_field)
            if spell_id in first_use:
                yield Breach(
                    Refusal.DUPLICATE_ID,
                    start,
                    kind.id_field,
                    f"{kind.noun} id {spell_id!r} is already used by "
                    f"{_describe(first_use[spell_id])}",
                )
            else:
                first_use[spell_id] = start


# (referring event type, its field naming the thing, the kind of thing it names)
REFERENCES: tuple[tuple[type[JourneyEvent], str, SpellKind], ...] = (
    (ReferralClosed, "referral_id", REFERRAL),
    (AssessmentStarted, "referral_id", REFERRAL),
    (Section47Started, "referral_id", REFERRAL),
    (AssessmentCompleted, "assessment_id", ASSESSMENT),
    (ChildProtectionConferenceHeld, "enquiry_id", ENQUIRY),
    (ChildProtectionPlanEnded, "plan_id", PLAN),
    (PeriodOfCareEnded, "period_id", PERIOD),
    (LegalStatusChanged, "period_id", PERIOD),
    (PlacementStarted, "period_id", PERIOD),
    (PlacementEnded, "placement_id", PLACEMENT),
    (ConferenceAttendanceRecorded, "enquiry_id", ENQUIRY),
    (AdoptionDecisionCeased, "decision_id", ADOPTION_DECISION),
    (CaseAllocationEnded, "allocation_id", ALLOCATION),
    (StrategyDiscussionHeld, "referral_id", REFERRAL),
    (ChildProtectionReviewConferenceHeld, "plan_id", PLAN),
    (AdoptionMatchRecorded, "decision_id", ADOPTION_DECISION),
    (ChildInNeedPlanRecorded, "referral_id", REFERRAL),
)


@rule(
    *{referring for referring, _, _ in REFERENCES},
    *{kind.start_type for *_, kind in REFERENCES},
    refuses={
        _code_of(kind, kind.unknown): {kind.start_type}
        | {referring for referring, _, named in REFERENCES if named is kind}
        for *_, kind in REFERENCES
    },
)
def check_references_known(chronology: Chronology) -> Iterator[Breach]:
    for referring_type, id_field, kind in REFERENCES:
        referring = chronology.of_type(referring_type)
        if not referring:
            continue  # nothing names a spell of this kind: no need to build them
        known = chronology.spells(kind)
        for event in referring:
            named = getattr(event, id_field)
            if named not in known:
                yield Breach(
                    _code_of(kind, kind.unknown),
                    event,
                    id_field,
                    f"{event.event_type} names {kind.noun} {named!r}, which is not recorded "
                    "for this child",
                )


_ENDING_KINDS = tuple(kind for kind in SPELL_KINDS if kind.end_type is not None)


def _ends(kind: SpellKind) -> set[type[JourneyEvent]]:
    return set() if kind.end_type is None else {kind.end_type}


@rule(
    *(kind.end_type for kind in _ENDING_KINDS if kind.end_type is not None),
    refuses={_code_of(kind, kind.already_ended): _ends(kind) for kind in _ENDING_KINDS},
)
def check_spells_end_once(chronology: Chronology) -> Iterator[Breach]:
    for kind in _ENDING_KINDS:
        assert kind.end_type is not None
        first_end: dict[str, JourneyEvent] = {}
        for end in chronology.of_type(kind.end_type):
            spell_id = getattr(end, kind.id_field)
            if spell_id in first_end:
                yield Breach(
                    _code_of(kind, kind.already_ended),
                    end,
                    kind.id_field,
                    f"{kind.noun} {spell_id!r} was already {kind.end_words} by "
                    f"{_describe(first_end[spell_id])}",
                )
            else:
                first_end[spell_id] = end


@rule(
    *(kind.start_type for kind in _ENDING_KINDS),
    *(k.end_type for k in _ENDING_KINDS if k.end_type),
    refuses={
        _code_of(kind, kind.ends_before_start): {kind.start_type, *_ends(kind)}
        for kind in _ENDING_KINDS
    },
)
def check_spells_end_on_or_after_start(chronology: Chronology) -> Iterator[Breach]:
    for kind in _ENDING_KINDS:
        assert kind.end_type is not None
        if not chronology.of_type(kind.end_type):
            continue  # no spell of this kind has ended: none can end before it starts
        for spell in chronology.spells(kind).values():
            if spell.end is not None and spell.end.occurred_on < spell.started_on:
                yield Breach(
                    _code_of(kind, kind.ends_before_start),
                    spell.end,
                    "occurred_on",
                    f"{kind.noun} {spell.key!r} is {kind.end_words} on {spell.end.occurred_on}, "
                    f"before it started on {spell.started_on}",
                )


# -- at most one open at a time ------------------------------------------------------------


def _overlapping(
    spells: list[tuple[Spell, date | None]],
) -> Iterator[tuple[Spell, Spell]]:
    """Pairs (still open, starting meanwhile) among spells given with their end dates.

    A spell is open from its start up to, not including, its end: one that ends on a day
    leaves room for the next to start that day.
    """
    ordered = sorted(spells, key=lambda pair: (pair[0].started_on, pair[1] or date.max))
    latest: tuple[Spell, date | None] | None = None
    for spell, ended_on in ordered:
        if latest is not None:
            open_spell, open_until = latest
            if open_until is None or spell.started_on < open_until:
                yield open_spell, spell
            if open_until is None or (ended_on is not None and ended_on <= open_until):
                continue
        latest = (spell, ended_on)


def _one_open_at_a_time(
    chronology: Chronology, kind: SpellKind, ended_on: Callable[[Spell], date | None]
) -> Iterator[Breach]:
    if len(chronology.of_type(kind.start_type)) < 2:
        return  # one spell (or none) cannot overlap another
    spells = [(spell, ended_on(spell)) for spell in chronology.spells(kind).values()]
    for open_spell, starting in _overlapping(spells):
        yield Breach(
            _code_of(kind, kind.already_open),
            starting.start,
            "occurred_on",
            f"{kind.noun} {starting.key!r} starts on {starting.started_on} while {kind.noun} "
            f"{open_spell.key!r} (from {open_spell.started_on}) is still open: at most one "
            f"{kind.noun} is open at a time",
        )


@rule(ReferralReceived, ReferralClosed, refuses=[_code_of(REFERRAL, REFERRAL.already_open)])
def check_one_open_referral(chronology: Chronology) -> Iterator[Breach]:
    yield from _one_open_at_a_time(chronology, REFERRAL, lambda spell: spell.ended_on)


@rule(
    ChildProtectionPlanStarted,
    ChildProtectionPlanEnded,
    refuses=[_code_of(PLAN, PLAN.already_open)],
)
def check_one_open_plan(chronology: Chronology) -> Iterator[Breach]:
    yield from _one_open_at_a_time(chronology, PLAN, lambda spell: spell.ended_on)


@rule(PeriodOfCareStarted, PeriodOfCareEnded, refuses=[_code_of(PERIOD, PERIOD.already_open)])
def check_one_open_period(chronology: Chronology) -> Iterator[Breach]:
    yield from _one_open_at_a_time(chronology, PERIOD, lambda spell: spell.ended_on)


@rule(
    PlacementStarted,
    PlacementEnded,
    PeriodOfCareEnded,
    refuses=[_code_of(PLACEMENT, PLACEMENT.already_open)],
)
def check_one_open_placement(chronology: Chronology) -> Iterator[Breach]:
    # A placement left open ends with its period of care (the implicit end).
    yield from _one_open_at_a_time(chronology, PLACEMENT, chronology.placement_ended_on)


# -- child in need and child protection ---------------------------------------------------


# The work a referral takes: (its start, the code of starting it outside the referral).
_REFERRAL_WORK: tuple[tuple[type[AssessmentStarted | Section47Started], Refusal, str], ...] = (
    (AssessmentStarted, Refusal.ASSESSMENT_OUTSIDE_REFERRAL, "assessment"),
    (Section47Started, Refusal.ENQUIRY_OUTSIDE_REFERRAL, "section 47 enquiry"),
)


@rule(
    AssessmentStarted,
    Section47Started,
    ReferralReceived,
    ReferralClosed,
    refuses={
        code: {work_type, ReferralReceived, ReferralClosed} for work_type, code, _ in _REFERRAL_WORK
    },
)
def check_work_belongs_to_open_referral(chronology: Chronology) -> Iterator[Breach]:
    # A referral takes work from the day it is received up to and including the day it
    # is closed (an assessment can start and the case close on the same day).
    referrals = chronology.spells(REFERRAL)
    for work_type, rule_code, noun in _REFERRAL_WORK:
        for started in chronology.of_type(work_type):
            referral = referrals.get(started.referral_id)
            if referral is None:
                continue  # check_references_known names the unknown referral
            closed_on = referral.ended_on
            if started.occurred_on < referral.started_on or (
                closed_on is not None and started.occurred_on > closed_on
            ):
                open_words = f"from {referral.started_on}" + (
                    f" to {closed_on}" if closed_on is not None else ""
                )
                yield Breach(
                    rule_code,
                    started,
                    "occurred_on",
                    f"{noun} starts on {started.occurred_on}, when referral "
                    f"{started.referral_id!r} is not open (open {open_words})",
                )


@rule(ChildProtectionConferenceHeld, Section47Started, refuses=[Refusal.CONFERENCE_BEFORE_ENQUIRY])
def check_conference_follows_enquiry(chronology: Chronology) -> Iterator[Breach]:
    enquiries = chronology.spells(ENQUIRY)
    for conference in chronology.of_type(ChildProtectionConferenceHeld):
        enquiry = enquiries.get(conference.enquiry_id)
        if enquiry is not None and conference.occurred_on < enquiry.started_on:
            yield Breach(
                Refusal.CONFERENCE_BEFORE_ENQUIRY,
                conference,
                "occurred_on",
                f"conference held on {conference.occurred_on}, before section 47 enquiry "
                f"{conference.enquiry_id!r} started on {enquiry.started_on}",
            )


@rule(
    ChildProtectionPlanStarted,
    ChildProtectionConferenceHeld,
    refuses=[Refusal.PLAN_WITHOUT_CONFERENCE],
)
def check_plan_follows_conference(chronology: Chronology) -> Iterator[Breach]:
    deciding = chronology.conferences_requiring_plan()
    first_decided_on = min((c.occurred_on for c in deciding), default=None)
    for started in chronology.of_type(ChildProtectionPlanStarted):
        if first_decided_on is None or started.occurred_on < first_decided_on:
            yield Breach(
                Refusal.PLAN_WITHOUT_CONFERENCE,
                started,
                "occurred_on",
                f"CP plan {started.plan_id!r} (category {started.category}) starts on "
                f"{started.occurred_on} with no child protection conference on or before "
                "that day deciding a plan was required",
            )


@rule(
    ReferralClosed,
    ChildProtectionPlanStarted,
    ChildProtectionPlanEnded,
    refuses=[Refusal.REFERRAL_CLOSED_WITH_OPEN_PLAN],
)
def check_referral_not_closed_with_open_plan(chronology: Chronology) -> Iterator[Breach]:
    for closed in chronology.of_type(ReferralClosed):
        for plan in chronology.open_spells_on(PLAN, closed.occurred_on):
            yield Breach(
                Refusal.REFERRAL_CLOSED_WITH_OPEN_PLAN,
                closed,
                "occurred_on",
                f"referral {closed.referral_id!r} closes on {closed.occurred_on} ({closed.reason}) "
                f"while CP plan {plan.key!r} (from {plan.started_on}) is open: end the plan first",
            )


# -- looked after children -----------------------------------------------------------------


@rule(
    PlacementStarted,
    PlacementEnded,
    PeriodOfCareStarted,
    PeriodOfCareEnded,
    refuses=[Refusal.PLACEMENT_OUTSIDE_PERIOD, Refusal.PLACEMENT_ENDS_AFTER_PERIOD],
)
def check_placements_within_period(chronology: Chronology) -> Iterator[Breach]:
    periods = chronology.spells(PERIOD)
    for placement in chronology.spells(PLACEMENT).values():
        assert isinstance(placement.start, PlacementStarted)
        period = periods.get(placement.start.period_id)
        if period is None:
            continue  # check_references_known names the unknown period
        period_ended_on = period.ended_on
        if placement.started_on < period.started_on or (
            period_ended_on is not None and placement.started_on >= period_ended_on
        ):
            yield Breach(
                Refusal.PLACEMENT_OUTSIDE_PERIOD,
                placement.start,
                "occurred_on",
                f"placement {placement.key!r} ({placement.start.placement_type}) starts on "
                f"{placement.started_on}, outside period of care {period.key!r} "
                f"({_open_words(period)})",
            )
        elif (
            placement.end is not None
            and period_ended_on is not None
            and placement.end.occurred_on > period_ended_on
        ):
            yield Breach(
                Refusal.PLACEMENT_ENDS_AFTER_PERIOD,
                placement.end,
                "occurred_on",
                f"placement {placement.key!r} ends on {placement.end.occurred_on}, after its "
                f"period of care {period.key!r} ended on {period_ended_on} (which ended the "
                "placement that day)",
            )


@rule(
    LegalStatusChanged,
    PeriodOfCareStarted,
    PeriodOfCareEnded,
    refuses=[Refusal.LEGAL_STATUS_OUTSIDE_PERIOD],
)
def check_legal_status_within_period(chronology: Chronology) -> Iterator[Breach]:
    periods = chronology.spells(PERIOD)
    for change in chronology.of_type(LegalStatusChanged):
        period = periods.get(change.period_id)
        if period is not None and not period.open_on(change.occurred_on):
            yield Breach(
                Refusal.LEGAL_STATUS_OUTSIDE_PERIOD,
                change,
                "occurred_on",
                f"legal status changes to {change.legal_status} on {change.occurred_on}, "
                f"outside period of care {period.key!r} ({_open_words(period)})",
            )


def _open_words(spell: Spell) -> str:
    if spell.ended_on is None:
        return f"open from {spell.started_on}"
    return f"open from {spell.started_on} until {spell.ended_on}"


# -- care leavers --------------------------------------------------------------------------


@rule(
    PersonalAdviserAllocated,
    PeriodOfCareStarted,
    refuses=[Refusal.ADVISER_NOT_LOOKED_AFTER, Refusal.ADVISER_TOO_YOUNG],
)
def check_adviser_for_looked_after_child(chronology: Chronology) -> Iterator[Breach]:
    for allocated in chronology.of_type(PersonalAdviserAllocated):
        day = allocated.occurred_on
        if not chronology.has_been_looked_after_by(day):
            yield Breach(
                Refusal.ADVISER_NOT_LOOKED_AFTER,
                allocated,
                "occurred_on",
                f"personal adviser allocated on {day} to a child who is not and has not been "
                "looked after",
            )
        elif chronology.age_on(day) < ADVISER_MINIMUM_AGE:
            yield Breach(
                Refusal.ADVISER_TOO_YOUNG,
                allocated,
                "occurred_on",
                f"personal adviser allocated on {day}, when the child is "
                f"{chronology.age_on(day)}: a personal adviser is allocated from age "
                f"{ADVISER_MINIMUM_AGE}",
            )


@rule(
    CareLeaverContactRecorded,
    PeriodOfCareStarted,
    PeriodOfCareEnded,
    LegalStatusChanged,
    refuses=[Refusal.CONTACT_NOT_CARE_LEAVER],
)
def check_contact_for_care_leaver(chronology: Chronology) -> Iterator[Breach]:
    for contact in chronology.of_type(CareLeaverContactRecorded):
        if not chronology.is_care_leaver_on(contact.occurred_on):
            yield Breach(
                Refusal.CONTACT_NOT_CARE_LEAVER,
                contact,
                "occurred_on",
                f"care leaver contact on {contact.occurred_on} for a young person who is not "
                "a care leaver on that day (looked after at least 91 days after the 14th "
                "birthday, one of them on or after the 16th, short breaks V3/V4 not counted)",
            )


# IN_TOUCH values whose activity and accommodation are always 0 (domain.md section 2).
_ZERO_CODES_IN_TOUCH = frozenset({"DIED", "RHOM"})


@rule(
    CareLeaverContactRecorded,
    refuses=[
        Refusal.CONTACT_CODE_NOT_ZERO,
        Refusal.CONTACT_CODE_ZERO_IN_TOUCH,
        Refusal.ACCOMMODATION_NEVER_SUITABLE,
    ],
)
def check_contact_codes_consistent(chronology: Chronology) -> Iterator[Breach]:
    for contact in chronology.of_type(CareLeaverContactRecorded):
        for field in ("activity", "accommodation"):
            code = getattr(contact, field)
            if contact.in_touch in _ZERO_CODES_IN_TOUCH and code != "0":
                yield Breach(
                    Refusal.CONTACT_CODE_NOT_ZERO,
                    contact,
                    field,
                    f"IN_TOUCH {contact.in_touch} carries {field} code 0, not {code}",
                )
            elif contact.in_touch == "YES" and code == "0":
                yield Breach(
                    Refusal.CONTACT_CODE_ZERO_IN_TOUCH,
                    contact,
                    field,
                    f"IN_TOUCH YES needs a real {field} code, not 0 (0 means not in touch)",
                )
        accommodation = contact.accommodation
        if accommodation[:1] in codes.NEVER_SUITABLE_ACCOMMODATION and accommodation.endswith("1"):
            yield Breach(
                Refusal.ACCOMMODATION_NEVER_SUITABLE,
                contact,
                "accommodation",
                f"ACCOM {accommodation} says suitable, but {accommodation[0]} accommodation "
                f"(no fixed abode or in custody) is never suitable: use {accommodation[0]}2",
            )


# -- looked-after children: reviews, education, health, adoption ----------------------------

_PERIODS = (PeriodOfCareStarted, PeriodOfCareEnded)


def _not_looked_after(
    chronology: Chronology, event_type: type[JourneyEvent], code: Refusal, what: str
) -> Iterator[Breach]:
    """A breach for each event of `event_type` dated on a day the child is not looked after.

    Looked after on day D as domain.md section 3 reads it: a period started on or before D
    and not ended on or before D (so not on the day the period ends).
    """
    for event in chronology.of_type(event_type):
        if not chronology.looked_after_on(event.occurred_on):
            yield Breach(
                code,
                event,
                "occurred_on",
                f"{what} on {event.occurred_on}, when the child is not looked after (no period "
                "of care open that day)",
            )


@rule(StatutoryReviewHeld, *_PERIODS, refuses=[Refusal.REVIEW_NOT_LOOKED_AFTER])
def check_review_within_period_of_care(chronology: Chronology) -> Iterator[Breach]:
    yield from _not_looked_after(
        chronology, StatutoryReviewHeld, Refusal.REVIEW_NOT_LOOKED_AFTER, "statutory review"
    )


@rule(StatutoryReviewHeld, refuses=[Refusal.REVIEW_PARTICIPATION_AGE])
def check_review_participation_fits_age(chronology: Chronology) -> Iterator[Breach]:
    for review in chronology.of_type(StatutoryReviewHeld):
        age = chronology.age_on(review.occurred_on)
        under_4 = age < REVIEW_PARTICIPATION_AGE
        if under_4 != (review.participation in codes.REVIEW_PARTICIPATION_UNDER_4):
            needed = "PN0" if under_4 else "one of PN1-PN7"
            yield Breach(
                Refusal.REVIEW_PARTICIPATION_AGE,
                review,
                "participation",
                f"participation {review.participation} at a review on {review.occurred_on}, "
                f"when the child is {age}: a child under {REVIEW_PARTICIPATION_AGE} is "
                f"recorded PN0, an older child PN1-PN7 (here {needed})",
            )


@rule(
    PersonalEducationPlanCompleted,
    *_PERIODS,
    refuses={
        Refusal.PEP_NOT_LOOKED_AFTER: {PersonalEducationPlanCompleted, *_PERIODS},
        Refusal.PEP_NOT_SCHOOL_AGE: {PersonalEducationPlanCompleted},
    },
)
def check_pep_for_school_age_child_in_care(chronology: Chronology) -> Iterator[Breach]:
    for plan in chronology.of_type(PersonalEducationPlanCompleted):
        day = plan.occurred_on
        if not chronology.looked_after_on(day):
            yield Breach(
                Refusal.PEP_NOT_LOOKED_AFTER,
                plan,
                "occurred_on",
                f"personal education plan on {day}, when the child is not looked after (no "
                "period of care open that day)",
            )
        elif chronology.age_on(day) not in SCHOOL_AGE:
            yield Breach(
                Refusal.PEP_NOT_SCHOOL_AGE,
                plan,
                "occurred_on",
                f"personal education plan on {day}, when the child is {chronology.age_on(day)}: "
                f"a PEP is for a child of statutory school age ({SCHOOL_AGE.start} to "
                f"{SCHOOL_AGE.stop - 1})",
            )


_HEALTH_CHECKS: tuple[tuple[type[JourneyEvent], str], ...] = (
    (HealthAssessmentCompleted, "health assessment"),
    (DentalCheckCompleted, "dental check"),
    (ImmunisationsStatusRecorded, "immunisations status"),
)


@rule(
    *(check_type for check_type, _ in _HEALTH_CHECKS),
    *_PERIODS,
    refuses=[Refusal.HEALTH_CHECK_NOT_LOOKED_AFTER],
)
def check_health_checks_while_looked_after(chronology: Chronology) -> Iterator[Breach]:
    for check_type, what in _HEALTH_CHECKS:
        yield from _not_looked_after(
            chronology, check_type, Refusal.HEALTH_CHECK_NOT_LOOKED_AFTER, what
        )


@rule(AdoptionDecisionMade, *_PERIODS, refuses=[Refusal.ADOPTION_DECISION_NOT_LOOKED_AFTER])
def check_adoption_decision_in_care(chronology: Chronology) -> Iterator[Breach]:
    yield from _not_looked_after(
        chronology,
        AdoptionDecisionMade,
        Refusal.ADOPTION_DECISION_NOT_LOOKED_AFTER,
        "decision that the child should be placed for adoption",
    )


@rule(
    AdoptionDecisionMade,
    AdoptionDecisionCeased,
    *_PERIODS,
    refuses=[_code_of(ADOPTION_DECISION, ADOPTION_DECISION.already_open)],
)
def check_one_open_adoption_decision(chronology: Chronology) -> Iterator[Breach]:
    # A decision not ceased ends with the period of care it was made in (the child adopted
    # or leaving care otherwise), so a later period can hold a decision of its own.
    def ended_on(decision: Spell) -> date | None:
        if decision.ended_on is not None:
            return decision.ended_on
        periods = chronology.open_spells_on(PERIOD, decision.started_on)
        return periods[0].ended_on if periods else decision.started_on

    yield from _one_open_at_a_time(chronology, ADOPTION_DECISION, ended_on)


# -- child protection conferences: who attended -----------------------------------------------


@rule(
    ConferenceAttendanceRecorded,
    ChildProtectionConferenceHeld,
    refuses={
        Refusal.ATTENDANCE_WITHOUT_CONFERENCE: {
            ConferenceAttendanceRecorded,
            ChildProtectionConferenceHeld,
        },
        Refusal.ATTENDANCE_ALREADY_RECORDED: {ConferenceAttendanceRecorded},
    },
)
def check_attendance_at_a_conference_held(chronology: Chronology) -> Iterator[Breach]:
    attendances = chronology.of_type(ConferenceAttendanceRecorded)
    if not attendances:
        return
    held = {
        (c.enquiry_id, c.occurred_on) for c in chronology.of_type(ChildProtectionConferenceHeld)
    }
    enquiries = chronology.spells(ENQUIRY)
    first_recorded: dict[tuple[str, date], JourneyEvent] = {}
    for attendance in attendances:
        conference = (attendance.enquiry_id, attendance.occurred_on)
        if attendance.enquiry_id not in enquiries:
            continue  # check_references_known names the unknown enquiry
        if conference not in held:
            days = sorted(day for enquiry_id, day in held if enquiry_id == attendance.enquiry_id)
            yield Breach(
                Refusal.ATTENDANCE_WITHOUT_CONFERENCE,
                attendance,
                "occurred_on",
                f"attendance recorded for a conference of enquiry {attendance.enquiry_id!r} on "
                f"{attendance.occurred_on}, but no conference of that enquiry is recorded as "
                "held that day"
                + (f" (held on {', '.join(map(str, days))})" if days else " (none is recorded)"),
            )
        elif conference in first_recorded:
            yield Breach(
                Refusal.ATTENDANCE_ALREADY_RECORDED,
                attendance,
                "enquiry_id",
                f"attendance at the conference of enquiry {attendance.enquiry_id!r} on "
                f"{attendance.occurred_on} is already recorded by "
                f"{_describe(first_recorded[conference])}: retract it to correct it",
            )
        else:
            first_recorded[conference] = attendance


# -- supervision: who holds the case, statutory visits, strategy discussions, CP reviews ---


@rule(CaseAllocated, CaseAllocationEnded, refuses=[_code_of(ALLOCATION, ALLOCATION.already_open)])
def check_one_open_allocation(chronology: Chronology) -> Iterator[Breach]:
    # A transfer ends the allocation held and starts the next the same day, so on any day
    # the case is one worker's (or nobody's).
    yield from _one_open_at_a_time(chronology, ALLOCATION, lambda spell: spell.ended_on)


def _spell_holds(spell: Spell, day: date) -> bool:
    """Started on or before `day` and not ended before it (the day it ends included)."""
    return spell.started_on <= day and (spell.ended_on is None or day <= spell.ended_on)


def _held_outside_spell(
    chronology: Chronology,
    held: list[StrategyDiscussionHeld] | list[ChildProtectionReviewConferenceHeld],
    kind: SpellKind,
    code: Refusal,
    what: Callable[[Any], str],
) -> Iterator[Breach]:
    """A breach for each meeting held on a day the spell it names is not open."""
    spells = chronology.spells(kind)
    for meeting in held:
        spell = spells.get(getattr(meeting, kind.id_field))
        if spell is not None and not _spell_holds(spell, meeting.occurred_on):
            yield Breach(
                code,
                meeting,
                "occurred_on",
                f"{what(meeting)} held on {meeting.occurred_on}, when {kind.noun} "
                f"{spell.key!r} is not open ({_open_words(spell)})",
            )


@rule(
    StrategyDiscussionHeld,
    ReferralReceived,
    ReferralClosed,
    refuses=[Refusal.DISCUSSION_OUTSIDE_REFERRAL],
)
def check_discussion_under_open_referral(chronology: Chronology) -> Iterator[Breach]:
    # As the referral's other work: from the day it is received to the day it is closed.
    yield from _held_outside_spell(
        chronology,
        chronology.of_type(StrategyDiscussionHeld),
        REFERRAL,
        Refusal.DISCUSSION_OUTSIDE_REFERRAL,
        lambda meeting: f"strategy discussion {meeting.discussion_id!r}",
    )


@rule(
    ChildProtectionReviewConferenceHeld,
    ChildProtectionPlanStarted,
    ChildProtectionPlanEnded,
    refuses=[Refusal.REVIEW_CONFERENCE_OUTSIDE_PLAN],
)
def check_review_conference_of_open_plan(chronology: Chronology) -> Iterator[Breach]:
    # A review conference may decide the plan ends, and the plan end that day.
    yield from _held_outside_spell(
        chronology,
        chronology.of_type(ChildProtectionReviewConferenceHeld),
        PLAN,
        Refusal.REVIEW_CONFERENCE_OUTSIDE_PLAN,
        lambda _: "review child protection conference",
    )


@rule(StatutoryVisitMade, refuses=[Refusal.VISIT_SEEN_ALONE_NOT_SEEN])
def check_visit_seen_alone_only_if_seen(chronology: Chronology) -> Iterator[Breach]:
    for visit in chronology.of_type(StatutoryVisitMade):
        if visit.seen_alone and not visit.seen:
            yield Breach(
                Refusal.VISIT_SEEN_ALONE_NOT_SEEN,
                visit,
                "seen_alone",
                f"{visit.visit_kind} visit on {visit.occurred_on} says the child was seen "
                "alone but not seen: a child seen alone was seen",
            )


def _visit_applies(chronology: Chronology, kind: str, day: date) -> bool:
    """Whether the child is, on `day`, a child a visit of `kind` is for."""
    if kind == "CIN":
        return any(_spell_holds(r, day) for r in chronology.spells(REFERRAL).values())
    if kind == "CP":
        return any(_spell_holds(p, day) for p in chronology.spells(PLAN).values())
    if kind == "LAC":
        return chronology.looked_after_on(day)
    return chronology.is_care_leaver_on(day)  # CARE_LEAVER


@rule(
    StatutoryVisitMade,
    ReferralReceived,
    ReferralClosed,
    ChildProtectionPlanStarted,
    ChildProtectionPlanEnded,
    *_PERIODS,
    LegalStatusChanged,
    refuses=[Refusal.VISIT_KIND_NOT_APPLICABLE],
)
def check_visit_of_a_kind_that_applies(chronology: Chronology) -> Iterator[Breach]:
    for visit in chronology.of_type(StatutoryVisitMade):
        if not _visit_applies(chronology, visit.visit_kind, visit.occurred_on):
            yield Breach(
                Refusal.VISIT_KIND_NOT_APPLICABLE,
                visit,
                "visit_kind",
                f"{visit.visit_kind} visit on {visit.occurred_on}, when the child is not "
                f"{_VISIT_NEEDS[visit.visit_kind]} that day",
            )


_VISIT_NEEDS = {
    "CIN": "a child in need (no referral open)",
    "CP": "on a child protection plan",
    "LAC": "looked after",
    "CARE_LEAVER": "a care leaver",
}
# -- the statutory returns' items (issue 14) ---------------------------------------------------

# SSDA903 items of a looked-after child: each dated on a day the child is looked after.
_RETURN_ITEMS: tuple[tuple[type[JourneyEvent], str], ...] = (
    (MotherhoodRecorded, "motherhood"),
    (UnaccompaniedAsylumSeekerRecorded, "unaccompanied asylum-seeking status"),
    (MissingEpisodeRecorded, "missing episode"),
    (AdoptionMatchRecorded, "match with adopters"),
    (PreviousPermanenceRecorded, "previous permanence"),
    (StrengthsAndDifficultiesRecorded, "strengths and difficulties questionnaire"),
    (ConvictionRecorded, "conviction, final warning or reprimand"),
    (SubstanceMisuseIdentified, "substance misuse"),
    (DeprivationOfLibertyOrdered, "deprivation of liberty order"),
)


@rule(
    *(item_type for item_type, _ in _RETURN_ITEMS),
    *_PERIODS,
    refuses=[Refusal.RETURN_ITEM_NOT_LOOKED_AFTER],
)
def check_return_items_while_looked_after(chronology: Chronology) -> Iterator[Breach]:
    for item_type, what in _RETURN_ITEMS:
        yield from _not_looked_after(
            chronology, item_type, Refusal.RETURN_ITEM_NOT_LOOKED_AFTER, what
        )


# Items carrying their own end: the event type, the end's field, what it is.
_ITEMS_WITH_AN_END: tuple[tuple[type[JourneyEvent], str, str], ...] = (
    (UnaccompaniedAsylumSeekerRecorded, "ceased_on", "unaccompanied asylum-seeking status"),
    (MissingEpisodeRecorded, "returned_on", "missing episode"),
    (ChildInNeedPlanRecorded, "ended_on", "child in need plan"),
    (DeprivationOfLibertyOrdered, "ended_on", "deprivation of liberty order"),
)


@rule(
    *(item_type for item_type, _, _ in _ITEMS_WITH_AN_END),
    refuses=[Refusal.RETURN_ITEM_ENDS_BEFORE_START],
)
def check_return_items_end_after_they_start(chronology: Chronology) -> Iterator[Breach]:
    for item_type, end_field, what in _ITEMS_WITH_AN_END:
        for item in chronology.of_type(item_type):
            ended = getattr(item, end_field)
            if ended is not None and ended < item.occurred_on:
                yield Breach(
                    Refusal.RETURN_ITEM_ENDS_BEFORE_START,
                    item,
                    end_field,
                    f"{what} starting {item.occurred_on} ends on {ended}, before it starts",
                )


@rule(StrengthsAndDifficultiesRecorded, refuses=[Refusal.SDQ_SCORE_OR_REASON])
def check_sdq_has_a_score_or_a_reason(chronology: Chronology) -> Iterator[Breach]:
    for questionnaire in chronology.of_type(StrengthsAndDifficultiesRecorded):
        if (questionnaire.score is None) == (questionnaire.reason is None):
            yield Breach(
                Refusal.SDQ_SCORE_OR_REASON,
                questionnaire,
                "score",
                "a strengths and difficulties questionnaire records a score (SDQ_SCORE) or "
                "the reason it was not completed (SDQ_REASON), exactly one of them; here "
                + ("neither" if questionnaire.score is None else "both"),
            )


@rule(MotherhoodRecorded, ChildRegistered, refuses=[Refusal.MOTHER_NOT_FEMALE])
def check_a_mother_is_female(chronology: Chronology) -> Iterator[Breach]:
    if chronology.child.sex == "F":
        return
    for motherhood in chronology.of_type(MotherhoodRecorded):
        yield Breach(
            Refusal.MOTHER_NOT_FEMALE,
            motherhood,
            "occurred_on",
            f"motherhood recorded for a child registered with sex {chronology.child.sex}: "
            "SSDA903's MOTHER is recorded for young women only",
        )


@rule(ChildDetailsRecorded, refuses=[Refusal.CHILD_DETAILS_EMPTY])
def check_child_details_give_something(chronology: Chronology) -> Iterator[Breach]:
    for details in chronology.of_type(ChildDetailsRecorded):
        if details.upn is None and not details.disabilities:
            yield Breach(
                Refusal.CHILD_DETAILS_EMPTY,
                details,
                "upn",
                "child details recorded give neither a UPN nor disabilities: they would "
                "change nothing",
            )


@rule(ChildDetailsRecorded, refuses=[Refusal.DISABILITY_NONE_WITH_OTHERS])
def check_no_disability_stands_alone(chronology: Chronology) -> Iterator[Breach]:
    for details in chronology.of_type(ChildDetailsRecorded):
        if "NONE" in details.disabilities and len(details.disabilities) > 1:
            yield Breach(
                Refusal.DISABILITY_NONE_WITH_OTHERS,
                details,
                "disabilities",
                "NONE says the child has no disability, and stands alone: here it is given "
                f"beside {len(details.disabilities) - 1} other code(s)",
            )


# (the event, its field naming the spell, the spell's kind, the refusal, what it is)
_WITHIN_SPELLS: tuple[tuple[type[JourneyEvent], str, SpellKind, Refusal, str], ...] = (
    (
        ChildInNeedPlanRecorded,
        "referral_id",
        REFERRAL,
        Refusal.CIN_PLAN_OUTSIDE_REFERRAL,
        "child in need plan",
    ),
)


@rule(
    *(event_type for event_type, *_ in _WITHIN_SPELLS),
    *{kind.start_type for _, _, kind, _, _ in _WITHIN_SPELLS},
    *{kind.end_type for _, _, kind, _, _ in _WITHIN_SPELLS if kind.end_type is not None},
    refuses={
        code: {event_type, kind.start_type, *_ends(kind)}
        for event_type, _, kind, code, _ in _WITHIN_SPELLS
    },
)
def check_return_items_within_their_spell(chronology: Chronology) -> Iterator[Breach]:
    for event_type, id_field, kind, code, what in _WITHIN_SPELLS:
        events = chronology.of_type(event_type)
        if not events:
            continue
        spells = chronology.spells(kind)
        for event in events:
            spell = spells.get(getattr(event, id_field))
            if spell is None:
                continue  # check_references_known names the unknown spell
            day = event.occurred_on
            ended = spell.ended_on
            # Open on its last day too: a plan is reviewed, or a CIN plan starts, the day
            # the referral or plan it belongs to ends.
            if day < spell.started_on or (ended is not None and day > ended):
                yield Breach(
                    code,
                    event,
                    "occurred_on",
                    f"{what} on {day}, when {kind.noun} {getattr(event, id_field)!r} is not "
                    f"open (from {spell.started_on} to {ended or 'now'})",
                )
