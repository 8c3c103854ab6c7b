"""The CIN census of a collection year, built from the record's events, as its XML.

The census year Y runs from 1 April Y-1 to 31 March Y (ReferenceDate 31 March Y). A
child is in it with each episode of need (a referral, `CINdetails`) open at any time in
the year; each episode carries what happened under it by 31 March: its assessments, CIN
plans, section 47 enquiries (with their initial conference) and child protection plans
(with their reviews). Dates are yyyy-mm-dd, flags true/false, as the DfE's schema has
them. What comes from where (docs/returns.md):

- ChildIdentifiers: ChildRegistered (UPN, or UPNunknown UN1 when none is recorded; sex
  as GenderCurrent 1 male, 2 female, and from 2025 as Sex M/F/U).
- ChildCharacteristics: ethnicity and disabilities (NONE when none is recorded).
- CINdetails: ReferralReceived and ReferralClosed; ReferralNFA as recorded, else true for
  a referral closed with nothing under it; DateOfInitialCPC the episode's first initial
  conference.
- Assessments: AssessmentStarted, AssessmentCompleted (its date is the authorisation).
- CINPlanDates: ChildInNeedPlanRecorded. Section47: Section47Started, with its
  conference; InitialCPCtarget 15 working days (weekdays) after the enquiry started.
- ChildProtectionPlans: ChildProtectionPlanStarted/Ended, the earlier plans counted,
  ChildProtectionReviewConferenceHeld as Reviews.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from events import catalogue as contract
from events import codes
from events.catalogue import JourneyEvent
from journeys.returns.ssda903 import SEX_AS_LETTERS_FROM, ChildRecord, CollectionYear, children_of

INITIAL_CONFERENCE_WORKING_DAYS = 15


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def working_days_after(day: date, days: int) -> date:
    """`days` weekdays after `day` (bank holidays are not known to the record)."""
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _add(parent: ElementTree.Element, tag: str, text: str | None) -> None:
    """A child element, left out when there is nothing to say (the schema's optional)."""
    if text is not None:
        ElementTree.SubElement(parent, tag).text = text


def _flag(value: bool) -> str:
    return "true" if value else "false"


def cin_census(
    events: Iterable[JourneyEvent], year: int, local_authority: str
) -> ElementTree.Element:
    """The census's XML tree for the collection year ending in March `year`."""
    collection = CollectionYear(year)
    message = ElementTree.Element("Message")
    header = ElementTree.SubElement(message, "Header")
    details = ElementTree.SubElement(header, "CollectionDetails")
    _add(details, "Collection", "CIN")
    _add(details, "Year", str(year))
    _add(details, "ReferenceDate", iso(collection.last))
    source = ElementTree.SubElement(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", local_authority)
    _add(source, "SoftwareCode", "care-journeys")
    _add(source, "Release", "1")
    _add(source, "SerialNo", "1")
    _add(source, "DateTime", datetime(year, 4, 1, 9, 0).isoformat())
    children = ElementTree.SubElement(message, "Children")
    for child in children_of(events):
        episodes = _episodes_of_need(child, collection)
        if episodes:
            _write_child(children, child, episodes, collection)
    return message


def _episodes_of_need(
    child: ChildRecord, collection: CollectionYear
) -> list[contract.ReferralReceived]:
    closed = {c.referral_id: c for c in child.of(contract.ReferralClosed)}  # type: ignore[attr-defined]
    found = []
    for referral in child.of(contract.ReferralReceived):
        end = closed.get(referral.referral_id)  # type: ignore[attr-defined]
        if referral.occurred_on <= collection.last and (
            end is None or end.occurred_on >= collection.first
        ):
            found.append(referral)
    return found  # type: ignore[return-value]


def _write_child(
    children: ElementTree.Element,
    child: ChildRecord,
    episodes: list[contract.ReferralReceived],
    collection: CollectionYear,
) -> None:
    registration = child.registration
    element = ElementTree.SubElement(children, "Child")
    identifiers = ElementTree.SubElement(element, "ChildIdentifiers")
    _add(identifiers, "LAchildID", registration.child_id)
    # A UPN is recorded, or the reason it is not known (UN1-UN10; none recorded: UN1).
    details = child.details(collection)
    upn = details.upn
    unknown = upn if upn in codes.UPN_UNKNOWN else None if upn else "UN1"
    _add(identifiers, "UPN", None if unknown else upn)
    _add(identifiers, "UPNunknown", unknown)
    _add(identifiers, "PersonBirthDate", iso(registration.date_of_birth))
    if collection.year >= SEX_AS_LETTERS_FROM:
        _add(identifiers, "Sex", registration.sex)
    else:
        _add(identifiers, "GenderCurrent", {"M": "1", "F": "2"}.get(registration.sex, "0"))
    characteristics = ElementTree.SubElement(element, "ChildCharacteristics")
    _add(characteristics, "Ethnicity", registration.ethnicity)
    disabilities = ElementTree.SubElement(characteristics, "Disabilities")
    for code in details.disabilities or ("NONE",):
        _add(disabilities, "Disability", code)
    for referral in episodes:
        _write_episode(element, child, referral, collection)


def _in_time(events: list[JourneyEvent], collection: CollectionYear) -> list[JourneyEvent]:
    return [e for e in events if e.occurred_on <= collection.last]


def _write_episode(
    parent: ElementTree.Element,
    child: ChildRecord,
    referral: contract.ReferralReceived,
    collection: CollectionYear,
) -> None:
    referral_id = referral.referral_id
    under = {
        t: [
            e
            for e in _in_time(child.of(t), collection)
            if getattr(e, "referral_id", None) == referral_id
        ]
        for t in (
            contract.AssessmentStarted,
            contract.Section47Started,
            contract.ChildInNeedPlanRecorded,
            contract.ReferralClosed,
        )
    }
    closure = under[contract.ReferralClosed][0] if under[contract.ReferralClosed] else None
    enquiries = under[contract.Section47Started]
    enquiry_ids = {e.enquiry_id for e in enquiries}  # type: ignore[attr-defined]
    conferences = [
        c
        for c in _in_time(child.of(contract.ChildProtectionConferenceHeld), collection)
        if c.enquiry_id in enquiry_ids  # type: ignore[attr-defined]
    ]
    nothing_under = not (
        under[contract.AssessmentStarted] or enquiries or under[contract.ChildInNeedPlanRecorded]
    )
    no_further_action = referral.no_further_action
    if no_further_action is None:
        no_further_action = closure is not None and nothing_under
    details = ElementTree.SubElement(parent, "CINdetails")
    _add(details, "CINreferralDate", iso(referral.occurred_on))
    _add(details, "ReferralSource", referral.source)
    _add(details, "PrimaryNeedCode", referral.primary_need)
    _add(details, "CINclosureDate", iso(closure.occurred_on) if closure else None)
    _add(details, "ReasonForClosure", closure.reason if closure else None)  # type: ignore[attr-defined]
    # The initial conference is recorded once: under its section 47 enquiry when that is in
    # the census, else here (rule 2884).
    in_census = [e for e in enquiries if _enquiry_in_year(e, conferences, collection)]
    held_here = [
        c
        for c in conferences
        if collection.holds(c.occurred_on) and c.enquiry_id not in {e.enquiry_id for e in in_census}  # type: ignore[attr-defined]
    ]
    _add(details, "DateOfInitialCPC", iso(held_here[0].occurred_on) if held_here else None)
    _add(details, "ReferralNFA", _flag(no_further_action))
    _write_assessments(details, child, under[contract.AssessmentStarted], collection)
    for plan in under[contract.ChildInNeedPlanRecorded]:
        if plan.ended_on is not None and plan.ended_on < collection.first:  # type: ignore[attr-defined]
            continue
        dates = ElementTree.SubElement(details, "CINPlanDates")
        _add(dates, "CINPlanStartDate", iso(plan.occurred_on))
        ended = plan.ended_on  # type: ignore[attr-defined]
        _add(dates, "CINPlanEndDate", iso(ended) if ended and ended <= collection.last else None)
    for enquiry in in_census:
        held = [c for c in conferences if c.enquiry_id == enquiry.enquiry_id]  # type: ignore[attr-defined]
        section47 = ElementTree.SubElement(details, "Section47")
        _add(section47, "S47ActualStartDate", iso(enquiry.occurred_on))
        _add(
            section47,
            "InitialCPCtarget",
            iso(working_days_after(enquiry.occurred_on, INITIAL_CONFERENCE_WORKING_DAYS)),
        )
        _add(section47, "DateOfInitialCPC", iso(held[0].occurred_on) if held else None)
        _add(section47, "ICPCnotRequired", _flag(not held))
    _write_plans(details, child, referral, closure, collection)


def _enquiry_in_year(
    enquiry: JourneyEvent, conferences: list[JourneyEvent], collection: CollectionYear
) -> bool:
    """Started in the year, or its initial conference held in it (rule 8715)."""
    held = [c for c in conferences if c.enquiry_id == enquiry.enquiry_id]  # type: ignore[attr-defined]
    if held:
        return collection.holds(held[0].occurred_on)
    return collection.holds(enquiry.occurred_on)


def _write_assessments(
    details: ElementTree.Element,
    child: ChildRecord,
    started: list[JourneyEvent],
    collection: CollectionYear,
) -> None:
    completed = {
        c.assessment_id: c  # type: ignore[attr-defined]
        for c in _in_time(child.of(contract.AssessmentCompleted), collection)
    }
    for assessment in started:
        done = completed.get(assessment.assessment_id)  # type: ignore[attr-defined]
        if done is not None and done.occurred_on < collection.first:
            continue  # completed in an earlier year: not in this census (rule 8696)
        element = ElementTree.SubElement(details, "Assessments")
        _add(element, "AssessmentActualStartDate", iso(assessment.occurred_on))
        _add(element, "AssessmentAuthorisationDate", iso(done.occurred_on) if done else None)
        if done is not None:
            factors = ElementTree.SubElement(element, "FactorsIdentifiedAtAssessment")
            for factor in done.factors:  # type: ignore[attr-defined]
                _add(factors, "AssessmentFactors", factor)


def _write_plans(
    details: ElementTree.Element,
    child: ChildRecord,
    referral: contract.ReferralReceived,
    closure: JourneyEvent | None,
    collection: CollectionYear,
) -> None:
    """The plans started while the episode was open (from its referral to its closure)."""
    until = closure.occurred_on if closure else collection.last
    ended = {
        e.plan_id: e for e in _in_time(child.of(contract.ChildProtectionPlanEnded), collection)
    }  # type: ignore[attr-defined]
    reviews = _in_time(child.of(contract.ChildProtectionReviewConferenceHeld), collection)
    every_plan = child.of(contract.ChildProtectionPlanStarted)
    for plan in every_plan:
        if not referral.occurred_on <= plan.occurred_on <= min(until, collection.last):
            continue
        end = ended.get(plan.plan_id)  # type: ignore[attr-defined]
        if end is not None and end.occurred_on < collection.first:
            continue
        element = ElementTree.SubElement(details, "ChildProtectionPlans")
        _add(element, "CPPstartDate", iso(plan.occurred_on))
        _add(element, "CPPendDate", iso(end.occurred_on) if end else None)
        _add(element, "InitialCategoryOfAbuse", plan.category)  # type: ignore[attr-defined]
        _add(element, "LatestCategoryOfAbuse", plan.category)  # type: ignore[attr-defined]
        earlier = sum(1 for p in every_plan if p.occurred_on < plan.occurred_on)
        _add(element, "NumberOfPreviousCPP", str(earlier))
        for review in reviews:
            if review.plan_id == plan.plan_id:  # type: ignore[attr-defined]
                held = ElementTree.SubElement(element, "Reviews")
                _add(held, "CPPreviewDate", iso(review.occurred_on))


def write_census(message: ElementTree.Element, path: Path) -> Path:
    """The census as an XML file (UTF-8, with its declaration)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ElementTree.indent(message)
    ElementTree.ElementTree(message).write(path, encoding="utf-8", xml_declaration=True)
    return path
