"""A period of care's statutory work: reviews, personal education plans, health, adoption.

The schedules follow the statutory guidance: the first review within 20 working days of
coming into care, the second three months later, then every six months; a PEP within 20
school days, then reviewed each term, for a child of statutory school age (5 to 15); an
initial health assessment within 28 days, then a review health assessment every year
(every six months under 5); a dental check and the immunisations checked each year. Each
happens as scheduled with the authority's rate for the year (improving between 2014 and
2016 as the case study reports, domain.md section 4), else it is missed. Everything is
dated while the child is looked after: after the period starts and before the day it ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

from events.catalogue import (
    AdoptionDecisionCeased,
    AdoptionDecisionMade,
    DentalCheckCompleted,
    HealthAssessmentCompleted,
    ImmunisationsStatusRecorded,
    PersonalEducationPlanCompleted,
    StatutoryReviewHeld,
)
from journeys.domain.facts import age_on
from journeys.synthetic.parameters import AuthorityParameters, reporting_year
from journeys.synthetic.returns import write_adoption_match
from journeys.synthetic.story import Story

# How a child of 4 or over took part in a review when they contributed, and when not.
_CONTRIBUTED = ("PN1", "PN2", "PN3", "PN5", "PN6")
_CONTRIBUTED_WEIGHTS = (50, 10, 5, 15, 20)
_NOT_CONTRIBUTED = ("PN4", "PN7")
_NOT_CONTRIBUTED_WEIGHTS = (30, 70)


def _days(n: float) -> timedelta:
    return timedelta(days=max(1, round(n)))


def write_care_plan(
    story: Story,
    params: AuthorityParameters,
    start: date,
    end: date,
    adoption_on: date | None,
    *,
    by_foster_carers: bool = False,
) -> None:
    """The reviews, PEPs, health checks and adoption decisions of one period of care."""
    _write_reviews(story, params, start, end)
    _write_education_plans(story, params, start, end)
    _write_health(story, params, start, end)
    _write_adoption_decision(story, start, end, adoption_on, by_foster_carers)


def _schedule(first: date, end: date, gap: Callable[[date], float]) -> Iterator[date]:
    """Due dates from `first`, each `gap(previous)` days after the last, before `end`."""
    due = first
    while due < end:
        yield due
        due = due + _days(gap(due))


def _write_reviews(story: Story, params: AuthorityParameters, start: date, end: date) -> None:
    rng = story.work_rng
    held = 0

    def gap(_: date) -> float:
        return rng.uniform(85, 95) if held == 1 else rng.uniform(170, 185)

    for due in _schedule(start + _days(rng.uniform(14, 28)), end, gap):
        held += 1
        if age_on(story.date_of_birth, due) < 4:
            participation = "PN0"
        elif rng.random() < params.review_contribution.at(reporting_year(due)):
            participation = rng.choices(_CONTRIBUTED, weights=_CONTRIBUTED_WEIGHTS)[0]
        else:
            participation = rng.choices(_NOT_CONTRIBUTED, weights=_NOT_CONTRIBUTED_WEIGHTS)[0]
        story.add(StatutoryReviewHeld, due, participation=participation)


def _write_education_plans(
    story: Story, params: AuthorityParameters, start: date, end: date
) -> None:
    rng = story.work_rng
    first = start + _days(rng.uniform(10, 30))
    for due in _schedule(first, end, lambda _: rng.uniform(95, 135)):
        if age_on(story.date_of_birth, due) not in range(5, 16):
            continue
        if rng.random() < params.pep_on_time.at(reporting_year(due)):
            story.add(PersonalEducationPlanCompleted, due)


def _write_health(story: Story, params: AuthorityParameters, start: date, end: date) -> None:
    rng = story.work_rng

    def assessment_gap(due: date) -> float:
        under_5 = age_on(story.date_of_birth, due) < 5
        return rng.uniform(160, 185) if under_5 else rng.uniform(320, 360)

    for due in _schedule(start + _days(rng.uniform(7, 28)), end, assessment_gap):
        if rng.random() < params.health_assessment_on_time.at(reporting_year(due)):
            story.add(HealthAssessmentCompleted, due)
    first_dental = start + _days(rng.uniform(20, 120))
    for due in _schedule(first_dental, end, lambda _: rng.uniform(300, 365)):
        if rng.random() < params.dental_check_on_time.at(reporting_year(due)):
            story.add(DentalCheckCompleted, due)
    first_immunisations = start + _days(rng.uniform(7, 40))
    for due in _schedule(first_immunisations, end, lambda _: rng.uniform(200, 330)):
        up_to_date = rng.random() < params.immunisations_up_to_date.at(reporting_year(due))
        story.add(ImmunisationsStatusRecorded, due, up_to_date=up_to_date)


def _write_adoption_decision(
    story: Story, start: date, end: date, adoption_on: date | None, by_foster_carers: bool
) -> None:
    """The decision that the child should be placed for adoption, and sometimes its end.

    A child placed for adoption had the decision some months before; some young children's
    and some older children's plans for adoption change (the court makes no placement
    order, no adopters are found), and the decision ceases while they stay in care.
    """
    rng = story.work_rng
    if adoption_on is not None:
        # Before the placement order (E1, 20 to 80 days before the placement): rule 553.
        decided = max(start + timedelta(days=1), adoption_on - _days(rng.uniform(90, 240)))
        if decided < end:
            decision_id = story.next_id("AD")
            story.add(AdoptionDecisionMade, decided, decision_id=decision_id)
            write_adoption_match(story, decision_id, decided, adoption_on, by_foster_carers)
        return
    age = age_on(story.date_of_birth, start)
    if age >= 10 or rng.random() >= (0.25 if age < 5 else 0.1):
        return
    decided = start + _days(rng.uniform(60, 150))
    ceased = decided + _days(rng.uniform(60, 200))
    if ceased >= end:
        return
    decision_id = story.next_id("AD")
    story.add(AdoptionDecisionMade, decided, decision_id=decision_id)
    story.add(
        AdoptionDecisionCeased,
        ceased,
        decision_id=decision_id,
        reason=rng.choices(("RD1", "RD2", "RD3", "RD4"), weights=(30, 30, 25, 15))[0],
    )
