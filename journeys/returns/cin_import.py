"""A CIN census read back into the events it describes, for the submissions topic.

The inverse of `journeys.returns.cin`, element for element (docs/returns.md), done as the
SSDA903 import is done (`journeys.returns.ssda903_import`): ids from natural keys keyed
by the master key, a changed element as the retraction of the recorded event and the
corrected event, an element recorded already adding nothing. What the conversion decides:

- **Ids.** A referral is `RF` and its date (`RF20230601`), an assessment `AS`, an enquiry
  `S47`, a CP plan `CP`, each with its start; a second of a kind starting the same day
  gets `-2`. An event's key is the SSDA903 import's (authority, child, type, day) and the
  id of the thing it belongs to.
- **Seen alone.** The census does not say whether the child was seen alone: an assessment
  completed (AssessmentAuthorisationDate) is recorded with `seen_alone_unknown` true.
- **Conferences.** A section 47 enquiry's DateOfInitialCPC is its initial conference; one
  on the episode (rule 2884) is that of the latest enquiry of the referral started by
  then, in the file or the record. The conference decided a plan was required when a CP
  plan of the episode starts the day it is held.
- **ReferralNFA** is recorded only when it says other than the export derives (true for
  a referral closed with nothing under it), so that the export gives it back as read.
- **A review** of a CP plan decided it continues unless the plan ended that day.
- **The registration.** A child the record registers already is not registered again; a
  census saying otherwise of the date of birth, sex, ethnicity, UPN or disabilities is
  reported by field (a registration cannot be retracted) and the rest loads.
- **When.** The events of year Y's census are recorded at 1 April Y 00:00 UTC.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from events import catalogue as contract
from events.catalogue import JourneyEvent
from events.sealing import KeyedNames
from journeys.returns.child_details import ChildDetails, details_to_record, statement_day
from journeys.returns.cin_reading import Census, CensusChild, ChildInNeedPlan, Episode
from journeys.returns.ssda903 import CollectionYear
from journeys.returns.ssda903_import import (
    UNSETTLED,
    Converted,
    Key,
    natural_key,
    registration_differs,
    settled,
)
from journeys.returns.ssda903_reading import RowError

SOURCE_SYSTEM = "cin-import"
# The field naming what an event belongs to, by which its key tells apart two of a type
# on one day.
_OWNER_FIELDS = ("assessment_id", "enquiry_id", "plan_id", "referral_id")
# What the census holds of a registration that a return does not correct, with the
# element it comes from (its UPN and disabilities are recorded by ChildDetailsRecorded).
_REGISTRATION = {
    "date_of_birth": "PersonBirthDate",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
}


def census_key(event: JourneyEvent) -> Key:
    owner = next((getattr(event, f) for f in _OWNER_FIELDS if hasattr(event, f)), None)
    return natural_key(event) if owner is None else (*natural_key(event), owner)


def events_of_census(
    census: Census,
    year: int,
    local_authority: str,
    record: Iterable[JourneyEvent],
    names: KeyedNames,
) -> Converted:
    """The events of one census's children, given what the record already holds (the
    events that count); `names` (the key store's, label IMPORT_NAMES) makes their ids."""
    known: dict[Key, JourneyEvent] = {}
    recorded: dict[str, list[JourneyEvent]] = defaultdict(list)
    for event in record:
        known[census_key(event)] = event
        recorded[event.child_id].append(event)
    made = Converted()
    reader = _CensusReader(CollectionYear(year), local_authority, known, names, made)
    for child in sorted(census.children, key=lambda c: c.child_id):
        reader.read(child, recorded[child.child_id])
    return made


@dataclass
class _CensusReader:
    collection: CollectionYear
    local_authority: str
    known: dict[Key, JourneyEvent]
    names: KeyedNames
    made: Converted

    @property
    def recorded_at(self) -> datetime:
        return datetime(self.collection.year, 4, 1, tzinfo=UTC)

    def read(self, child: CensusChild, mine: list[JourneyEvent]) -> None:
        drafts = _ChildDrafts(self, child, mine)
        drafts.registration()
        for episode in sorted(child.episodes, key=lambda e: e.referred):
            drafts.episode(episode)
        unique: dict[Key, JourneyEvent] = {}
        kept: list[tuple[JourneyEvent, str]] = []
        for event, where in drafts.drafts:
            key = census_key(event)
            if key in unique:
                # A plan under two episodes (one closing the day the next is received).
                if unique[key] != event:
                    file, _, line = where.rpartition(":")
                    self.made.errors.append(
                        RowError(
                            file,
                            int(line),
                            event.event_type,
                            "contradicts",
                            "the file says two things of one event",
                        )
                    )
                continue
            unique[key] = event
            kept.append((event, where))
        reason = f"corrected by the CIN census of {self.collection.year}"
        for event, where in settled(kept, self.known, self.names, reason, census_key):
            self.made.events.append(event)
            self.made.source[event.event_id] = where


@dataclass
class _ChildDrafts:
    """One child's events as the census describes them, before they are settled."""

    reader: _CensusReader
    child: CensusChild
    mine: list[JourneyEvent]  # the record's events of this child
    drafts: list[tuple[JourneyEvent, str]] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)

    def draft(
        self, event_type: type[JourneyEvent], on: date, where: str, **values: Any
    ) -> JourneyEvent:
        event = event_type(
            event_id=UNSETTLED,
            child_id=self.child.child_id,
            local_authority=self.reader.local_authority,
            occurred_on=on,
            recorded_at=self.reader.recorded_at,
            source_system=SOURCE_SYSTEM,
            **values,
        )
        self.drafts.append((event, where))
        return event

    def new_id(self, prefix: str, on: date) -> str:
        """`prefix` and the day; `-2` on for a second of the kind starting that day."""
        base = f"{prefix}{on:%Y%m%d}"
        self.ids[base] = self.ids.get(base, 0) + 1
        return base if self.ids[base] == 1 else f"{base}-{self.ids[base]}"

    def start_work(
        self,
        event_type: type[contract.AssessmentStarted | contract.Section47Started],
        prefix: str,
        started: date,
        where: str,
        referral: str,
    ) -> str:
        """An assessment or an enquiry started under the referral: its new id."""
        work_id = self.new_id(prefix, started)
        id_field = "assessment_id" if event_type is contract.AssessmentStarted else "enquiry_id"
        self.draft(event_type, started, where, referral_id=referral, **{id_field: work_id})
        return work_id

    def registration(self) -> None:
        child = self.child
        registered = contract.ChildRegistered(
            event_id=UNSETTLED,
            child_id=child.child_id,
            local_authority=self.reader.local_authority,
            occurred_on=child.born,
            recorded_at=self.reader.recorded_at,
            source_system=SOURCE_SYSTEM,
            date_of_birth=child.born,
            sex=child.sex,
            ethnicity=child.ethnicity,
            upn=child.upn,
            disabilities=child.disabilities,
        )
        recorded = self.reader.known.get(natural_key(registered))
        if not isinstance(recorded, contract.ChildRegistered):
            self.drafts.append((registered, child.where))
            return
        for name, element in _REGISTRATION.items():
            if getattr(recorded, name) != getattr(registered, name):
                self.reader.made.errors.append(registration_differs(child.where, element, name))
        details = details_to_record(
            recorded,
            [e for e in self.mine if isinstance(e, contract.ChildDetailsRecorded)],
            self.reader.collection.year,
            SOURCE_SYSTEM,
            ChildDetails(child.upn, child.disabilities),
            disabilities_stated=True,
        )
        if details is not None:
            self.draft(
                contract.ChildDetailsRecorded,
                statement_day(self.reader.collection.year),
                child.where,
                **details,
            )

    def episode(self, episode: Episode) -> None:
        referral = self.new_id("RF", episode.referred)
        self.draft(
            contract.ReferralReceived,
            episode.referred,
            episode.where,
            referral_id=referral,
            source=episode.source,
            primary_need=episode.primary_need,
            no_further_action=self._no_further_action(episode, referral),
        )
        for assessment in episode.assessments:
            assessment_id = self.start_work(
                contract.AssessmentStarted, "AS", assessment.started, assessment.where, referral
            )
            if assessment.authorised is not None:
                self.draft(
                    contract.AssessmentCompleted,
                    assessment.authorised,
                    assessment.where,
                    assessment_id=assessment_id,
                    seen_alone=False,
                    seen_alone_unknown=True,
                    factors=assessment.factors,
                )
        for plan in episode.cin_plans:
            self._cin_plan(plan, referral)
        plans_on = {plan.started for plan in episode.plans}
        for enquiry in episode.enquiries:
            enquiry_id = self.start_work(
                contract.Section47Started, "S47", enquiry.started, enquiry.where, referral
            )
            if enquiry.conference is not None:
                self.draft(
                    contract.ChildProtectionConferenceHeld,
                    enquiry.conference,
                    enquiry.where,
                    enquiry_id=enquiry_id,
                    plan_required=enquiry.conference in plans_on,
                )
        if episode.conference is not None:
            self._conference_on_episode(episode, referral, plans_on)
        for plan in episode.plans:
            plan_id = f"CP{plan.started:%Y%m%d}"  # plans never overlap: one a day at most
            self.draft(
                contract.ChildProtectionPlanStarted,
                plan.started,
                plan.where,
                plan_id=plan_id,
                category=plan.category,
            )
            for where, held in plan.reviews:
                self.draft(
                    contract.ChildProtectionReviewConferenceHeld,
                    held,
                    where,
                    plan_id=plan_id,
                    plan_continues=held != plan.ended,
                )
            if plan.ended is not None:
                self.draft(
                    contract.ChildProtectionPlanEnded, plan.ended, plan.where, plan_id=plan_id
                )
        if episode.closed is not None:
            self.draft(
                contract.ReferralClosed,
                episode.closed,
                episode.where,
                referral_id=referral,
                reason=episode.closure_reason,
            )

    def _cin_plan(self, plan: ChildInNeedPlan, referral: str) -> None:
        """A CIN plan open at 31 March says nothing of its end after it: an earlier
        year's census imported again leaves an end the record holds as it is."""
        ended = plan.ended
        if ended is None:
            recorded = self.reader.known.get(
                (
                    self.reader.local_authority,
                    self.child.child_id,
                    "ChildInNeedPlanRecorded",
                    plan.started,
                    referral,
                )
            )
            later = getattr(recorded, "ended_on", None)
            if later is not None and later > self.reader.collection.last:
                ended = later
        self.draft(
            contract.ChildInNeedPlanRecorded,
            plan.started,
            plan.where,
            referral_id=referral,
            ended_on=ended,
        )

    def _no_further_action(self, episode: Episode, referral: str) -> bool | None:
        """The census's ReferralNFA, or None where it is what the export derives."""
        under = (
            episode.assessments
            or episode.enquiries
            or episode.cin_plans
            or any(
                getattr(e, "referral_id", None) == referral
                and not isinstance(e, contract.ReferralReceived | contract.ReferralClosed)
                and e.occurred_on <= self.reader.collection.last
                for e in self.mine
            )
        )
        derived = episode.closed is not None and not under
        if episode.no_further_action is None or episode.no_further_action == derived:
            return None
        return episode.no_further_action

    def _conference_on_episode(self, episode: Episode, referral: str, plans_on: set[date]) -> None:
        """DateOfInitialCPC on the episode: the conference of the referral's latest
        enquiry started by then, in this file or the record (rule 2884)."""
        where, held = episode.conference  # type: ignore[misc]
        enquiries = [
            e
            for e in (*self.mine, *(d for d, _ in self.drafts))
            if isinstance(e, contract.Section47Started)
            and e.referral_id == referral
            and e.occurred_on <= held
        ]
        if not enquiries:
            file, _, line = where.rpartition(":")
            self.reader.made.errors.append(
                RowError(
                    file,
                    int(line),
                    "DateOfInitialCPC",
                    "no_enquiry",
                    "an initial conference with no section 47 enquiry of the referral "
                    "started by then, in the file or the record: import the earlier year first",
                )
            )
            return
        enquiry = max(enquiries, key=lambda e: e.occurred_on)
        self.draft(
            contract.ChildProtectionConferenceHeld,
            held,
            where,
            enquiry_id=enquiry.enquiry_id,  # type: ignore[attr-defined]
            plan_required=held in plans_on,
        )
