"""Children in need: referrals, assessments, section 47 enquiries, conferences, CP plans.

One referral at a time: a child is referred again only after the previous episode of
need closed. What happens to a referral is drawn from the authority's pathway shares:
closed without assessment, assessed then closed (no further action or early help),
supported as a child in need for months (some for years), a section 47 enquiry and
perhaps a child protection plan, or a period of care, during which the episode stays open.
"""

from __future__ import annotations

from datetime import date, timedelta

from events import codes
from events.catalogue import (
    AssessmentCompleted,
    AssessmentStarted,
    ChildProtectionConferenceHeld,
    ChildProtectionPlanEnded,
    ChildProtectionPlanStarted,
    ConferenceAttendanceRecorded,
    ReferralClosed,
    ReferralReceived,
    Section47Started,
)
from journeys.synthetic.care import write_period_of_care, write_short_breaks
from journeys.synthetic.parameters import AuthorityParameters, reporting_year
from journeys.synthetic.returns import write_cin_plan
from journeys.synthetic.story import Story, birthday

_SOURCES = sorted(codes.REFERRAL_SOURCE)
_SOURCE_WEIGHTS = [
    8 if s in ("5A", "5B", "5C", "3A", "3B", "1B") else 3 if s[0] in "1256" else 1 for s in _SOURCES
]
_NEEDS = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9", "N0")
_NEED_WEIGHTS = (50, 8, 3, 15, 4, 4, 2, 6, 6, 2)
_FACTORS = sorted(codes.ASSESSMENT_FACTORS)


def _days(n: float) -> timedelta:
    return timedelta(days=max(1, round(n)))


def write_referrals(story: Story, params: AuthorityParameters, first_referral: date) -> None:
    """The child's referrals from `first_referral` on, until the end or their 18th birthday."""
    rng = story.rng
    eighteenth = birthday(story.date_of_birth, 18)
    received = first_referral
    while received <= params.end and received < eighteenth:
        closed = _write_referral(story, params, received, eighteenth)
        if closed >= params.end or closed >= eighteenth:
            return
        year = reporting_year(closed)
        quick_window = (received + timedelta(days=364) - closed).days
        roll = rng.random()
        if quick_window > 14 and roll < params.quick_re_referral.at(year):
            received = closed + _days(rng.uniform(7, quick_window))
        elif roll < params.quick_re_referral.at(year) + params.later_referral:
            received = closed + _days(rng.uniform(365, 1500))
        else:
            return


def _write_referral(
    story: Story, params: AuthorityParameters, received: date, eighteenth: date
) -> date:
    """Adds one referral and what followed; returns the day it closed (maybe after the end)."""
    rng = story.rng
    year = reporting_year(received)
    referral_id = story.next_id("R")
    story.add(
        ReferralReceived,
        received,
        referral_id=referral_id,
        source=rng.choices(_SOURCES, weights=_SOURCE_WEIGHTS)[0],
        # Drawn as when a tenth was left unknown, so journeys stay the same; the CIN
        # census needs the primary need of every referral that led to action (8610).
        primary_need=(rng.random(), rng.choices(_NEEDS, weights=_NEED_WEIGHTS)[0])[1],
    )
    age = story.age_on(received)
    section47 = params.section47_share * (params.repeat_section47_factor if story.had_plan else 1)
    care = params.care_share.at(year) * (1.6 if age >= 11 else 1.0)
    roll = rng.random()
    if roll < params.no_assessment_share:
        closed = received + _days(rng.uniform(1, 12))
        story.add(ReferralClosed, closed, referral_id=referral_id, reason="RC6")
        return closed

    assessed = _write_assessment(story, params, referral_id, received, year)
    roll -= params.no_assessment_share
    if roll < section47:
        return _write_protection(story, params, referral_id, received, eighteenth)
    roll -= section47
    enters = assessed + _days(rng.uniform(0, 40))
    if roll < care and _can_enter_care(story, enters, eighteenth):
        left = write_period_of_care(story, params, enters)
        return _close(story, referral_id, left + _days(rng.uniform(0, 40)), eighteenth, "RC6")
    roll -= care
    if roll < params.short_breaks_share and 3 <= age <= 15 and story.care_free_from() < received:
        last_break = write_short_breaks(story, assessed + _days(rng.uniform(10, 60)), eighteenth)
        return _close(
            story, referral_id, last_break + _days(rng.uniform(10, 120)), eighteenth, "RC6"
        )
    roll -= params.short_breaks_share
    if roll < params.child_in_need_share:
        if rng.random() < params.long_child_in_need.at(year):
            lasts = rng.uniform(*params.drifting_case_days)
        else:
            lasts = rng.expovariate(1 / 200) + 60
        closes = _after_drift_review(story, params, received, assessed + _days(lasts))
        write_cin_plan(story, referral_id, assessed, min(closes, eighteenth), params.end)
        return _close(story, referral_id, closes, eighteenth, "RC6")
    reason = "RC8" if rng.random() < 0.6 else "RC9"
    return _close(story, referral_id, assessed + _days(rng.uniform(0, 10)), eighteenth, reason)


def _close(story: Story, referral_id: str, on: date, eighteenth: date, reason: str) -> date:
    if on >= eighteenth:
        # Still open at 18: the episode closes on transfer to adult services, or ends.
        reason = "RC5" if story.rng.random() < 0.3 else "RC6"
    story.add(ReferralClosed, on, referral_id=referral_id, reason=reason)
    return on


def _after_drift_review(
    story: Story, params: AuthorityParameters, received: date, closes: date
) -> date:
    """A case open for over a year when the review starts may be closed by it."""
    review_starts = date(params.drift_review_year - 1, 4, 1)
    review_ends = date(params.drift_review_year + 1, 3, 31)
    reviewed_from = max(review_starts, received + timedelta(days=365))
    if closes <= reviewed_from or reviewed_from >= review_ends:
        return closes
    if story.rng.random() >= params.drift_review_share:
        return closes
    window = (review_ends - reviewed_from).days
    return min(closes, reviewed_from + _days(story.rng.uniform(0, window)))


def _can_enter_care(story: Story, day: date, eighteenth: date) -> bool:
    """Not while already looked after, not in the last weeks before the 18th birthday, and
    never again after an adoption (SSDA903 rule 199)."""
    return (
        story.care_free_from() < day and day < eighteenth - timedelta(days=90) and not story.adopted
    )


def _write_assessment(
    story: Story, params: AuthorityParameters, referral_id: str, received: date, year: int
) -> date:
    """Adds a single assessment under the referral; returns the day it was completed."""
    rng = story.rng
    assessment_id = story.next_id("A")
    started = received + timedelta(days=round(rng.uniform(0, 4)))
    story.add(AssessmentStarted, started, assessment_id=assessment_id, referral_id=referral_id)
    completed = started + _days(rng.triangular(7, 70, 30))
    story.add(
        AssessmentCompleted,
        completed,
        assessment_id=assessment_id,
        seen_alone=rng.random() < params.seen_alone.at(year),
        factors=tuple(sorted(rng.sample(_FACTORS, rng.randint(1, 4)))),
    )
    return completed


def _weekday(day: date) -> date:
    """The day, or the Monday after it if it falls on a weekend."""
    return day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def _write_protection(
    story: Story, params: AuthorityParameters, referral_id: str, received: date, eighteenth: date
) -> date:
    """A section 47 enquiry, its conference, maybe a CP plan and maybe care afterwards."""
    rng = story.rng
    enquiry_id = story.next_id("S")
    started = received + timedelta(days=round(rng.uniform(1, 10)))
    story.add(Section47Started, started, enquiry_id=enquiry_id, referral_id=referral_id)
    conference = _weekday(started + _days(rng.uniform(8, 25)))  # never a weekend (8875)
    plan_required = rng.random() < params.conference_decides_plan
    story.add(
        ChildProtectionConferenceHeld,
        conference,
        enquiry_id=enquiry_id,
        plan_required=plan_required,
    )
    _write_attendance(story, params, enquiry_id, conference)
    if not plan_required:
        return _close(
            story, referral_id, conference + _days(rng.uniform(30, 200)), eighteenth, "RC6"
        )
    plan_id = story.next_id("CP")
    story.add(
        ChildProtectionPlanStarted,
        conference,
        plan_id=plan_id,
        category=rng.choices(("NEG", "EMO", "PHY", "SAB", "MUL"), weights=(48, 35, 8, 4, 5))[0],
    )
    story.had_plan = True
    plan_ends = conference + _days(rng.triangular(90, 720, 240))
    enters = min(plan_ends, conference + _days(rng.uniform(20, 200)))
    if rng.random() < 0.18 and _can_enter_care(story, enters, eighteenth):
        # The plan was not enough: the child comes into care and the plan ends that day.
        plan_ends = enters
        story.add(ChildProtectionPlanEnded, plan_ends, plan_id=plan_id)
        left = write_period_of_care(story, params, plan_ends)
        return _close(story, referral_id, left + _days(rng.uniform(0, 40)), eighteenth, "RC6")
    story.add(ChildProtectionPlanEnded, plan_ends, plan_id=plan_id)
    return _close(story, referral_id, plan_ends + _days(rng.uniform(20, 270)), eighteenth, "RC6")


def _write_attendance(
    story: Story, params: AuthorityParameters, enquiry_id: str, conference: date
) -> None:
    """Who came to the conference: each family role expected or not, and if so attended."""
    rng = story.work_rng
    if rng.random() < 0.03:
        return  # attendance not recorded
    year = reporting_year(conference)

    def role(expected: float, attends: float) -> bool | None:
        return (rng.random() < attends) if rng.random() < expected else None

    story.add(
        ConferenceAttendanceRecorded,
        conference,
        enquiry_id=enquiry_id,
        mother_attended=role(params.mother_expected, params.mother_attends.at(year)),
        father_attended=role(params.father_expected, params.father_attends.at(year)),
        grandparent_attended=role(params.grandparent_expected, params.grandparent_attends.at(year)),
        other_family_attended=role(
            params.other_family_expected, params.other_family_attends.at(year)
        ),
        child_attended=role(1.0, 0.4) if story.age_on(conference) >= 10 else None,
    )
