"""One child's story while it is being written: dated drafts of events, not yet recorded.

Several parts of the generator (need, care, leaving care) add drafts independently; the
story puts them in the order things happened. Drafts on the same day follow the order a
practitioner would record them in (`_SAME_DAY_ORDER`): a conference before the plan it
decides, a placement's end before the next placement's start, a period's placement end
before the period's end.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from events.catalogue import (
    AdoptionDecisionCeased,
    AdoptionDecisionMade,
    AdoptionMatchRecorded,
    AssessmentCompleted,
    AssessmentStarted,
    CareLeaverContactRecorded,
    ChildDetailsRecorded,
    ChildInNeedPlanRecorded,
    ChildProtectionConferenceHeld,
    ChildProtectionPlanEnded,
    ChildProtectionPlanStarted,
    ChildRegistered,
    ConferenceAttendanceRecorded,
    ConvictionRecorded,
    DentalCheckCompleted,
    DeprivationOfLibertyOrdered,
    EventRetracted,
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
    StrengthsAndDifficultiesRecorded,
    SubstanceMisuseIdentified,
    UnaccompaniedAsylumSeekerRecorded,
)

_SAME_DAY_ORDER: dict[type[JourneyEvent], int] = {
    cls: rank
    for rank, cls in enumerate(
        (
            ChildRegistered,
            ReferralReceived,
            AssessmentStarted,
            Section47Started,
            ChildProtectionConferenceHeld,
            ConferenceAttendanceRecorded,
            AssessmentCompleted,
            ChildProtectionPlanEnded,
            ChildProtectionPlanStarted,
            PeriodOfCareStarted,
            LegalStatusChanged,
            PlacementEnded,
            PlacementStarted,
            AdoptionDecisionMade,
            StatutoryReviewHeld,
            PersonalEducationPlanCompleted,
            HealthAssessmentCompleted,
            DentalCheckCompleted,
            ImmunisationsStatusRecorded,
            AdoptionDecisionCeased,
            PeriodOfCareEnded,
            PersonalAdviserAllocated,
            CareLeaverContactRecorded,
            ReferralClosed,
            EventRetracted,
            # The statutory returns' items (journeys/synthetic/returns.py).
            PreviousPermanenceRecorded,
            UnaccompaniedAsylumSeekerRecorded,
            StrengthsAndDifficultiesRecorded,
            ConvictionRecorded,
            SubstanceMisuseIdentified,
            MissingEpisodeRecorded,
            AdoptionMatchRecorded,
            MotherhoodRecorded,
            ChildInNeedPlanRecorded,
            ChildDetailsRecorded,
            DeprivationOfLibertyOrdered,
        )
    )
}


@dataclass(slots=True)
class Draft:
    """An event that happened on `occurred_on`, before its envelope is filled in."""

    occurred_on: date
    event_class: type[JourneyEvent]
    fields: dict[str, Any]
    sequence: int
    # Set on rule-breaking submissions mixed in on purpose: the rule they break.
    breaks_rule: str | None = None

    @property
    def sort_key(self) -> tuple[date, int, int]:
        return (self.occurred_on, _SAME_DAY_ORDER[self.event_class], self.sequence)


@dataclass
class Story:
    """The drafts of one child's journey and the counters for its identifiers."""

    child_id: str
    date_of_birth: date
    rng: random.Random
    # A second stream for the statutory work of care and child protection (reviews, PEPs,
    # health, adoption decisions, conference attendance), so that adding it left the rest
    # of every journey as it was.
    work_rng: random.Random = field(default_factory=random.Random)
    # A third stream, for what the statutory returns record beyond the journey (UPN,
    # postcodes, SDQs, ...: journeys/synthetic/returns.py), added the same way.
    returns_rng: random.Random = field(default_factory=random.Random)
    sex: str = "U"
    drafts: list[Draft] = field(default_factory=list)
    # Periods of care so far: (start, end, under short breaks V3/V4).
    periods: list[tuple[date, date, bool]] = field(default_factory=list)
    had_plan: bool = False
    adopted: bool = False
    _counters: dict[str, int] = field(default_factory=dict)

    def add(self, event_class: type[JourneyEvent], on: date, **fields: Any) -> Draft:
        draft = Draft(on, event_class, fields, len(self.drafts))
        self.drafts.append(draft)
        return draft

    def care_free_from(self) -> date:
        """The day the last period of care ended (the date of birth if never looked after)."""
        return max((end for _, end, _ in self.periods), default=self.date_of_birth)

    def next_id(self, prefix: str) -> str:
        """R1, R2, ... per kind of thing, unique within the journey."""
        number = self._counters.get(prefix, 0) + 1
        self._counters[prefix] = number
        return f"{prefix}{number}"

    def new_carer_id(self) -> str:
        return f"CR{self.rng.getrandbits(40):010x}"

    def age_on(self, day: date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def in_order(self, until: date) -> list[Draft]:
        """The drafts that happened on or before `until`, in the order they happened."""
        return sorted((d for d in self.drafts if d.occurred_on <= until), key=lambda d: d.sort_key)


def birthday(date_of_birth: date, age: int) -> date:
    """The `age`th birthday; 29 February birthdays fall on 28 February in other years."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + age)
    except ValueError:
        return date(date_of_birth.year + age, 2, 28)
