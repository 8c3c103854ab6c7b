"""Facts derived from the events that count in a journey, judged on the dates they happened.

`Chronology` indexes a journey's counting events (not retracted, not retractions) by the
spells they open and close: referrals, assessments, CP plans, periods of care and
placements. The rules of practice and the aggregate's derived facts (age, looked after,
care leaver) both read it, so a fact is computed in one place.
"""

from __future__ import annotations

import bisect
import calendar
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from events import codes
from events.catalogue import (
    AdoptionDecisionCeased,
    AdoptionDecisionMade,
    AssessmentCompleted,
    AssessmentStarted,
    CaseAllocated,
    CaseAllocationEnded,
    ChildProtectionConferenceHeld,
    ChildProtectionPlanEnded,
    ChildProtectionPlanStarted,
    ChildRegistered,
    JourneyEvent,
    LegalStatusChanged,
    PeriodOfCareEnded,
    PeriodOfCareStarted,
    PersonalAdviserAllocated,
    PlacementEnded,
    PlacementStarted,
    ReferralClosed,
    ReferralReceived,
    Section47Started,
    StrategyDiscussionHeld,
)
from events.refusals import Refusal

E = TypeVar("E", bound=JourneyEvent)

# Days looked after after the 14th birthday that make a care leaver (domain.md section 3).
CARE_LEAVER_DAYS = 91


def add_years_months(day: date, years: int = 0, months: int = 0) -> date:
    """`day` plus whole years and months, clamped to the month's end as DuckDB does.

    29 February plus 1 year is 28 February; 31 May 2000 plus 15 years 9 months is
    29 February 2016.
    """
    month_index = day.month - 1 + years * 12 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def birthday(date_of_birth: date, age: int) -> date:
    """The day the child turns `age` (29 February birthdays fall on 28 February)."""
    return add_years_months(date_of_birth, years=age)


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years of age on `day`, counting birthdays as `birthday` does."""
    age = day.year - date_of_birth.year
    return age if birthday(date_of_birth, age) <= day else age - 1


# A sensible order for events of the same day: ends before the starts that replace them
# (a move ends one placement and starts the next), a period before its placements.
SAME_DAY_ORDER: dict[str, int] = {
    name: rank
    for rank, name in enumerate(
        (
            "ChildRegistered",
            "PlacementEnded",
            "ChildProtectionPlanEnded",
            "AdoptionDecisionCeased",
            "PeriodOfCareEnded",
            "ReferralClosed",
            "ReferralReceived",
            "AssessmentStarted",
            "Section47Started",
            "ChildProtectionConferenceHeld",
            "ConferenceAttendanceRecorded",
            "ChildProtectionPlanStarted",
            "AssessmentCompleted",
            "PeriodOfCareStarted",
            "LegalStatusChanged",
            "PlacementStarted",
            "AdoptionDecisionMade",
            "StatutoryReviewHeld",
            "PersonalEducationPlanCompleted",
            "HealthAssessmentCompleted",
            "DentalCheckCompleted",
            "ImmunisationsStatusRecorded",
            "PersonalAdviserAllocated",
            "CareLeaverContactRecorded",
            "EventRetracted",
            # Issue 15: a transfer's end before the allocation that replaces it.
            "CaseAllocationEnded",
            "CaseAllocated",
            "StrategyDiscussionHeld",
            "ChildProtectionReviewConferenceHeld",
            "StatutoryVisitMade",
            # The statutory returns' items (issue 14): after the spells they fall in.
            "MotherhoodRecorded",
            "UnaccompaniedAsylumSeekerRecorded",
            "MissingEpisodeRecorded",
            "AdoptionMatchRecorded",
            "PreviousPermanenceRecorded",
            "StrengthsAndDifficultiesRecorded",
            "ConvictionRecorded",
            "SubstanceMisuseIdentified",
            "ChildInNeedPlanRecorded",
            "ChildDetailsRecorded",
            "DeprivationOfLibertyOrdered",
        )
    )
}


def in_date_order(event: JourneyEvent) -> tuple[date, int, datetime, uuid.UUID]:
    """Sort key: date, then same-day order, then recording time, then id (for stability)."""
    return (event.occurred_on, SAME_DAY_ORDER[event.event_type], event.recorded_at, event.event_id)


@dataclass(frozen=True, slots=True)
class SpellKind:
    """A kind of thing that starts and (except enquiries and advisers) ends.

    The refusal codes name the rules of journeys.domain.rules a spell of this kind can break
    (None where no rule applies to the kind), so each code is a member of the catalogue
    (events.refusals) that a search finds.
    """

    noun: str
    start_type: type[JourneyEvent]
    end_type: type[JourneyEvent] | None
    id_field: str
    end_words: str  # "ended", "closed", "completed"
    unknown: Refusal | None = None  # an event names a spell not recorded
    already_ended: Refusal | None = None  # a spell ends twice
    ends_before_start: Refusal | None = None
    already_open: Refusal | None = None  # a spell starts while another is open


REFERRAL = SpellKind(
    "referral",
    ReferralReceived,
    ReferralClosed,
    "referral_id",
    "closed",
    unknown=Refusal.UNKNOWN_REFERRAL,
    already_ended=Refusal.REFERRAL_ALREADY_CLOSED,
    ends_before_start=Refusal.REFERRAL_ENDS_BEFORE_START,
    already_open=Refusal.REFERRAL_ALREADY_OPEN,
)
ASSESSMENT = SpellKind(
    "assessment",
    AssessmentStarted,
    AssessmentCompleted,
    "assessment_id",
    "completed",
    unknown=Refusal.UNKNOWN_ASSESSMENT,
    already_ended=Refusal.ASSESSMENT_ALREADY_COMPLETED,
    ends_before_start=Refusal.ASSESSMENT_ENDS_BEFORE_START,
)
ENQUIRY = SpellKind(
    "section 47 enquiry",
    Section47Started,
    None,
    "enquiry_id",
    "",
    unknown=Refusal.UNKNOWN_ENQUIRY,
)
PLAN = SpellKind(
    "CP plan",
    ChildProtectionPlanStarted,
    ChildProtectionPlanEnded,
    "plan_id",
    "ended",
    unknown=Refusal.UNKNOWN_PLAN,
    already_ended=Refusal.PLAN_ALREADY_ENDED,
    ends_before_start=Refusal.PLAN_ENDS_BEFORE_START,
    already_open=Refusal.PLAN_ALREADY_OPEN,
)
PERIOD = SpellKind(
    "period of care",
    PeriodOfCareStarted,
    PeriodOfCareEnded,
    "period_id",
    "ended",
    unknown=Refusal.UNKNOWN_PERIOD,
    already_ended=Refusal.PERIOD_ALREADY_ENDED,
    ends_before_start=Refusal.PERIOD_ENDS_BEFORE_START,
    already_open=Refusal.PERIOD_ALREADY_OPEN,
)
PLACEMENT = SpellKind(
    "placement",
    PlacementStarted,
    PlacementEnded,
    "placement_id",
    "ended",
    unknown=Refusal.UNKNOWN_PLACEMENT,
    already_ended=Refusal.PLACEMENT_ALREADY_ENDED,
    ends_before_start=Refusal.PLACEMENT_ENDS_BEFORE_START,
    already_open=Refusal.PLACEMENT_ALREADY_OPEN,
)
ADVISER = SpellKind("personal adviser allocation", PersonalAdviserAllocated, None, "adviser_id", "")
# From the decision that the child should be placed for adoption until it ceases (or the
# child leaves care, adopted or not).
ADOPTION_DECISION = SpellKind(
    "adoption decision",
    AdoptionDecisionMade,
    AdoptionDecisionCeased,
    "decision_id",
    "ceased",
    unknown=Refusal.UNKNOWN_ADOPTION_DECISION,
    already_ended=Refusal.ADOPTION_DECISION_ALREADY_CEASED,
    ends_before_start=Refusal.ADOPTION_DECISION_ENDS_BEFORE_START,
    already_open=Refusal.ADOPTION_DECISION_ALREADY_OPEN,
)
# The case held by a worker: from its allocation until it ends (a transfer or closure).
ALLOCATION = SpellKind(
    "case allocation",
    CaseAllocated,
    CaseAllocationEnded,
    "allocation_id",
    "ended",
    unknown=Refusal.UNKNOWN_ALLOCATION,
    already_ended=Refusal.ALLOCATION_ALREADY_ENDED,
    ends_before_start=Refusal.ALLOCATION_ENDS_BEFORE_START,
    already_open=Refusal.ALLOCATION_ALREADY_OPEN,
)
# A strategy discussion: a thing with an id that never ends (as an enquiry).
DISCUSSION = SpellKind("strategy discussion", StrategyDiscussionHeld, None, "discussion_id", "")
SPELL_KINDS: tuple[SpellKind, ...] = (
    REFERRAL,
    ASSESSMENT,
    ENQUIRY,
    PLAN,
    PERIOD,
    PLACEMENT,
    ADVISER,
    ADOPTION_DECISION,
    ALLOCATION,
    DISCUSSION,
)
# The event types a kind's spells are built from: adding or removing any other event
# leaves them as they were.
_KIND_TYPES: dict[str, frozenset[type[JourneyEvent]]] = {
    kind.noun: frozenset(t for t in (kind.start_type, kind.end_type) if t is not None)
    for kind in SPELL_KINDS
}


@dataclass(frozen=True, slots=True)
class Spell:
    """One referral, assessment, plan, period or placement: its start and its end, if any."""

    key: str
    start: JourneyEvent
    end: JourneyEvent | None

    @property
    def started_on(self) -> date:
        return self.start.occurred_on

    @property
    def ended_on(self) -> date | None:
        return None if self.end is None else self.end.occurred_on

    def open_on(self, day: date) -> bool:
        """Started on or before `day` and not ended on or before it (domain.md section 3)."""
        return self.started_on <= day and (self.end is None or self.end.occurred_on > day)


_NONE: list[JourneyEvent] = []  # shared empty result; callers never mutate it


class Chronology:
    """The counting events of one journey, indexed for the rules and the derived facts.

    Built fresh from a collection of events, or from another chronology with one event
    added (`adding`, to judge a candidate) or removed (`removing`, to judge a retraction);
    never mutated, so a journey keeps its current one and derived chronologies share the
    parts the added or removed event leaves unchanged.
    """

    def __init__(self, events: Iterable[JourneyEvent]) -> None:
        ordered = tuple(sorted(events, key=in_date_order))
        by_type: dict[type[JourneyEvent], list[JourneyEvent]] = {}
        for event in ordered:
            by_type.setdefault(type(event), []).append(event)
        self._set(ordered, by_type, {})

    def _set(
        self,
        events: tuple[JourneyEvent, ...],
        by_type: dict[type[JourneyEvent], list[JourneyEvent]],
        spells: dict[str, dict[str, Spell]],
    ) -> None:
        self.events: tuple[JourneyEvent, ...] = events
        self._by_type = by_type
        self._spells = spells
        self._statuses_by_period: dict[str, list[tuple[date, str]]] | None = None
        registrations = by_type.get(ChildRegistered, _NONE)
        if len(registrations) != 1:
            raise ValueError(f"a journey has one ChildRegistered event, not {len(registrations)}")
        registration = registrations[0]
        assert isinstance(registration, ChildRegistered)
        self.child: ChildRegistered = registration

    def adding(self, event: JourneyEvent) -> Chronology:
        """This chronology with `event` added, as `Chronology([*self.events, event])` is.

        Cheaper: the event is inserted in date order (the sort key is unique per event
        id, so the place is the one sorting gives), and the spells of kinds the event
        neither starts nor ends are shared.
        """
        events, place = self.events, in_date_order(event)
        at = bisect.bisect_right(events, place, key=in_date_order)
        by_type = dict(self._by_type)
        same_type = list(by_type.get(type(event), ()))
        same_type.insert(bisect.bisect_right(same_type, place, key=in_date_order), event)
        by_type[type(event)] = same_type
        return self._derived((*events[:at], event, *events[at:]), by_type, type(event))

    def removing(self, event: JourneyEvent) -> Chronology:
        """This chronology without `event` (which must be in it), as if built without it."""
        events = tuple(e for e in self.events if e.event_id != event.event_id)
        by_type = dict(self._by_type)
        by_type[type(event)] = [e for e in by_type[type(event)] if e.event_id != event.event_id]
        return self._derived(events, by_type, type(event))

    def _derived(
        self,
        events: tuple[JourneyEvent, ...],
        by_type: dict[type[JourneyEvent], list[JourneyEvent]],
        changed: type[JourneyEvent],
    ) -> Chronology:
        spells = {
            noun: kind_spells
            for noun, kind_spells in self._spells.items()
            if changed not in _KIND_TYPES[noun]
        }
        derived = Chronology.__new__(Chronology)
        derived._set(events, by_type, spells)
        return derived

    def __deepcopy__(self, memo: dict[int, object]) -> Chronology:
        # Never mutated, and its events are frozen: a copy would be the same in every way.
        return self

    def of_type(self, event_type: type[E]) -> list[E]:
        """The events of one type, in date order."""
        return self._by_type.get(event_type, _NONE)  # type: ignore[return-value]

    # -- spells ------------------------------------------------------------------------

    def spells(self, kind: SpellKind) -> dict[str, Spell]:
        """Spells of a kind by id; the first start and first end of an id make the spell."""
        spells = self._spells.get(kind.noun)
        if spells is None:  # built on first use: a rule needs only the kinds it reads
            spells = self._spells[kind.noun] = self._build_spells(kind)
        return spells

    def _build_spells(self, kind: SpellKind) -> dict[str, Spell]:
        starts: dict[str, JourneyEvent] = {}
        for start in self.of_type(kind.start_type):
            starts.setdefault(getattr(start, kind.id_field), start)
        ends: dict[str, JourneyEvent] = {}
        if kind.end_type is not None:
            for end in self.of_type(kind.end_type):
                ends.setdefault(getattr(end, kind.id_field), end)
        return {
            spell_id: Spell(spell_id, start, ends.get(spell_id))
            for spell_id, start in starts.items()
        }

    def placement_ended_on(self, placement: Spell) -> date | None:
        """A placement's end: its own, else the end of its period of care (implicit end)."""
        if placement.end is not None:
            return placement.end.occurred_on
        assert isinstance(placement.start, PlacementStarted)
        period = self.spells(PERIOD).get(placement.start.period_id)
        return None if period is None else period.ended_on

    def legal_statuses(self, period: Spell) -> list[tuple[date, str]]:
        """(from date, legal status) for a period of care, in date order."""
        assert isinstance(period.start, PeriodOfCareStarted)
        return [(period.started_on, period.start.legal_status), *self._changes_of(period.key)]

    def _changes_of(self, period_id: str) -> list[tuple[date, str]]:
        # Indexed on first use: the care-leaver test reads every period's changes per contact.
        if self._statuses_by_period is None:
            index: dict[str, list[tuple[date, str]]] = {}
            for change in self.of_type(LegalStatusChanged):
                index.setdefault(change.period_id, []).append(
                    (change.occurred_on, change.legal_status)
                )
            self._statuses_by_period = index
        return self._statuses_by_period.get(period_id, [])

    def conferences_requiring_plan(self) -> list[ChildProtectionConferenceHeld]:
        return [c for c in self.of_type(ChildProtectionConferenceHeld) if c.plan_required]

    # -- derived facts -----------------------------------------------------------------

    @property
    def date_of_birth(self) -> date:
        return self.child.date_of_birth

    def age_on(self, day: date) -> int:
        return age_on(self.date_of_birth, day)

    def date_aged(self, years: int, months: int = 0) -> date:
        """The day the child reaches an age, e.g. `date_aged(15, 9)` for 15 years 9 months."""
        return add_years_months(self.date_of_birth, years, months)

    def looked_after_on(self, day: date) -> bool:
        return any(period.open_on(day) for period in self.spells(PERIOD).values())

    def has_been_looked_after_by(self, day: date) -> bool:
        return any(period.started_on <= day for period in self.spells(PERIOD).values())

    def days_looked_after(self, first: date, last: date) -> Iterator[tuple[date, date]]:
        """Runs [from, to) of days from `first` to `last` inclusive when looked after.

        Days under a short-break legal status (V3/V4) are left out (domain.md section 3).
        """
        after_last = last + timedelta(days=1)
        for period in self.spells(PERIOD).values():
            period_end = period.ended_on
            statuses = self.legal_statuses(period)
            for index, (since, status) in enumerate(statuses):
                if status in codes.SHORT_BREAK_LEGAL_STATUS:
                    continue
                until = statuses[index + 1][0] if index + 1 < len(statuses) else period_end
                start = max(since, first)
                stop = after_last if until is None else min(until, after_last)
                if start < stop:
                    yield start, stop

    def is_care_leaver_on(self, day: date) -> bool:
        """Looked after >= 91 days since the 14th birthday, one of them on or after the 16th."""
        sixteenth = self.date_aged(16)
        runs = list(self.days_looked_after(self.date_aged(14), day))
        total = sum((stop - start).days for start, stop in runs)
        return total >= CARE_LEAVER_DAYS and any(stop > sixteenth for _, stop in runs)

    def open_spells_on(self, kind: SpellKind, day: date) -> list[Spell]:
        return [spell for spell in self.spells(kind).values() if spell.open_on(day)]
