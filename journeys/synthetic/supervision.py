"""Who holds each child's case, and the statutory visits and meetings of supervision.

Written after the rest of a child's story, from its drafts, with a random stream of its
own and recorded apart (`record_supervision`), so that adding it left every other event
of every journey, its recording time and its corrections as they were (the generator's
calibration, tests/unit/test_synthetic_calibration.py, stands unchanged).

- Allocations. The authority has four localities; each has teams of social workers
  (`workforce`), sized so that a worker holds about 17 open cases (15 to 20). A child's
  case is allocated the day a referral is received, to a worker of a team of the child's
  home locality, and the allocation ends the day the referral closes. While it is open the
  case changes hands: on a CP plan or entering care it moves to another team with the
  authority's `transfer_on_status_change`, and otherwise a worker leaving or a caseload
  rebalanced moves it every year or so; a few moves are to another locality.
- A strategy discussion the day before (or the day of) each section 47 enquiry, under its
  referral.
- Visits, at which the child is nearly always seen (seen alone from age 4 with the
  authority's `visits_seen_alone` rate): every CP plan's, the first within 10 working days
  and then about fortnightly; a looked-after child's within a week of each new placement
  and then about every six weeks (three months after a year in the placement); a child in
  need's about every eight weeks; a care leaver's at each contact recorded. Each visit is on time
  with the authority's rate for the year, else late by days or weeks.
- CP review conferences: the first about 3 months after the plan starts, then about every 6
  months while it lasts, some late.
"""

from __future__ import annotations

import bisect
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from events.catalogue import (
    CareLeaverContactRecorded,
    CaseAllocated,
    CaseAllocationEnded,
    ChildProtectionPlanEnded,
    ChildProtectionPlanStarted,
    ChildProtectionReviewConferenceHeld,
    JourneyEvent,
    PeriodOfCareEnded,
    PeriodOfCareStarted,
    PlacementStarted,
    ReferralClosed,
    ReferralReceived,
    Section47Started,
    StatutoryVisitMade,
    StrategyDiscussionHeld,
)
from journeys.domain.facts import add_years_months, age_on
from journeys.synthetic.parameters import AuthorityParameters, reporting_year
from journeys.synthetic.recording import event_of
from journeys.synthetic.story import Draft, Story

LOCALITIES = ("L1", "L2", "L3", "L4")
# Open cases (referrals open on a day) per child of the population, as the synthetic
# authority has them after its improvement (about 2,300 of 65,000 in 2016; 4,400 in 2014,
# when caseloads ran near 30), and the caseload a worker is meant to hold.
_OPEN_CASES_PER_CHILD = 0.035
_CASELOAD = 17
_WORKERS_PER_TEAM = 7

Recorded = tuple[JourneyEvent, Draft]
# Adds a supervision draft (dated on or before the record's end) for the child.
Add = Callable[..., None]


@dataclass(frozen=True, slots=True)
class Team:
    team_id: str
    locality_id: str
    worker_ids: tuple[str, ...]


def workforce(params: AuthorityParameters) -> dict[str, tuple[Team, ...]]:
    """The teams of each locality: as many workers as the open cases need at the caseload."""
    workers = max(len(LOCALITIES), round(params.children * _OPEN_CASES_PER_CHILD / _CASELOAD))
    teams: dict[str, tuple[Team, ...]] = {}
    number = 0
    for index, locality in enumerate(LOCALITIES):
        in_locality = workers // len(LOCALITIES) + (index < workers % len(LOCALITIES))
        team_count = max(1, round(in_locality / _WORKERS_PER_TEAM))
        built = []
        for team in range(team_count):
            size = in_locality // team_count + (team < in_locality % team_count)
            ids = tuple(f"SW{number + i + 1:04d}" for i in range(size))
            number += size
            built.append(Team(f"{locality}-T{team + 1}", locality, ids))
        teams[locality] = tuple(built)
    return teams


@dataclass(frozen=True, slots=True)
class _Spell:
    key: str
    start: date
    end: date | None  # None: still open at the end of the record


def _spells(story: Story, start_type: type, end_type: type, key: str) -> list[_Spell]:
    ends = {d.fields[key]: d.occurred_on for d in story.drafts if d.event_class is end_type}
    return [
        _Spell(d.fields[key], d.occurred_on, ends.get(d.fields[key]))
        for d in story.drafts
        if d.event_class is start_type
    ]


def _days(n: float) -> timedelta:
    return timedelta(days=max(1, round(n)))


def write_supervision(
    story: Story,
    params: AuthorityParameters,
    rng: random.Random,
    teams: dict[str, tuple[Team, ...]],
) -> list[Draft]:
    """The supervision drafts of one child (not added to the story: recorded apart)."""
    drafts: list[Draft] = []

    def add(event_class: type[JourneyEvent], on: date, **fields: object) -> None:
        if on <= params.end:
            drafts.append(Draft(on, event_class, dict(fields), len(drafts)))

    referrals = _spells(story, ReferralReceived, ReferralClosed, "referral_id")
    plans = _spells(story, ChildProtectionPlanStarted, ChildProtectionPlanEnded, "plan_id")
    periods = [
        p
        for p in _spells(story, PeriodOfCareStarted, PeriodOfCareEnded, "period_id")
        if _starting_status(story, p.key) not in ("V3", "V4")
    ]
    home = rng.choice(LOCALITIES)
    allocation = 0
    for referral in referrals:
        changes = sorted({p.start for p in plans + periods if _within(p.start, referral)})
        allocation = _allocate(add, rng, params, teams, home, referral, changes, allocation)
        _write_child_in_need_visits(add, rng, params, story, referral, plans, periods)
    for enquiry in (d for d in story.drafts if d.event_class is Section47Started):
        referral_start = next(r.start for r in referrals if r.key == enquiry.fields["referral_id"])
        held = max(referral_start, enquiry.occurred_on - timedelta(days=rng.choice((0, 1, 1, 2))))
        add(
            StrategyDiscussionHeld,
            held,
            discussion_id=_discussion_id(drafts),
            referral_id=enquiry.fields["referral_id"],
            section47_required=True,
        )
    for plan in plans:
        _write_plan_work(add, rng, params, story, plan)
    for period in periods:
        _write_care_visits(add, rng, params, story, period)
    for contact in (d for d in story.drafts if d.event_class is CareLeaverContactRecorded):
        if contact.fields["in_touch"] == "YES":
            _visit(add, rng, params, story, contact.occurred_on, "CARE_LEAVER")
    return drafts


def _discussion_id(drafts: list[Draft]) -> str:
    """SD1, SD2, ...: numbered apart from the story's own identifiers."""
    return f"SD{sum(1 for d in drafts if d.event_class is StrategyDiscussionHeld) + 1}"


def _starting_status(story: Story, period_id: str) -> str:
    for draft in story.drafts:
        if draft.event_class is PeriodOfCareStarted and draft.fields["period_id"] == period_id:
            return str(draft.fields["legal_status"])
    return ""


def _within(day: date, spell: _Spell) -> bool:
    return spell.start < day and (spell.end is None or day < spell.end)


# SSDA903 SW_REASON for a worker changing other than by the process (codes.py).
_CHANGE_REASONS = ("MANAGE", "LEFTRL", "ORGRST", "ABSENC", "CHCHAN", "PCCHAN", "OTHERS")


def _allocate(
    add: Add, rng: random.Random, params: AuthorityParameters,
    teams: dict[str, tuple[Team, ...]], home: str, referral: _Spell, changes: list[date],
    number: int,
) -> int:  # fmt: skip
    """The allocations of one referral's case: from its receipt to its closure."""
    end = referral.end if referral.end is not None else params.end + timedelta(days=1)
    moves: list[date] = [c for c in changes if rng.random() < params.transfer_on_status_change]
    day = referral.start + _days(rng.uniform(200, 500))
    while day < end:
        moves.append(day)
        day += _days(rng.uniform(200, 500))
    moves = sorted({m for m in moves if referral.start < m < end})
    locality = home
    team = rng.choice(teams[locality])
    held_from = referral.start
    reason = "FCONTA"  # the case's first allocation
    for move in [*moves, None]:
        number += 1
        allocation_id = f"AL{number}"
        add(
            CaseAllocated,
            held_from,
            allocation_id=allocation_id,
            worker_id=rng.choice(team.worker_ids),
            team_id=team.team_id,
            locality_id=team.locality_id,
            reason=reason,
        )
        if move is None:
            if referral.end is not None:
                add(CaseAllocationEnded, referral.end, allocation_id=allocation_id)
            break
        add(CaseAllocationEnded, move, allocation_id=allocation_id)
        if rng.random() < 0.1:
            locality = rng.choice([name for name in LOCALITIES if name != locality])
        choices = [t for t in teams[locality] if t.team_id != team.team_id] or list(teams[locality])
        team = rng.choice(choices)
        held_from = move
        # A transfer on a change of the child's status is the process's; another, one of
        # the other reasons, picked by the allocation's number (not drawing on rng, so
        # the rest of the synthetic record is as it was).
        reason = "TSPROC" if move in changes else _CHANGE_REASONS[number % len(_CHANGE_REASONS)]
    return number


def _on_time(rng: random.Random, params: AuthorityParameters, due: date) -> bool:
    return rng.random() < params.visits_on_time.at(reporting_year(due))


def _visit(
    add: Add, rng: random.Random, params: AuthorityParameters, story: Story, day: date, kind: str
) -> None:
    seen = rng.random() < 0.97
    alone = (
        seen
        and age_on(story.date_of_birth, day) >= 4
        and rng.random() < params.visits_seen_alone.at(reporting_year(day))
    )
    add(StatutoryVisitMade, day, visit_kind=kind, seen=seen, seen_alone=alone)


def _cadence(
    rng: random.Random, params: AuthorityParameters, first: date, last: date,
    on_time_gap: tuple[float, float], late_gap: tuple[float, float],
    first_gap: tuple[float, float], late_first: tuple[float, float],
) -> Iterator[date]:  # fmt: skip
    """Visit days from `first` (a spell's start) to `last` inclusive: each on time or late."""
    gap = first_gap if _on_time(rng, params, first) else late_first
    day = first + _days(rng.uniform(*gap))
    while day <= last:
        yield day
        gap = on_time_gap if _on_time(rng, params, day) else late_gap
        day += _days(rng.uniform(*gap))


def _last_day(spell: _Spell, params: AuthorityParameters, inclusive: bool) -> date:
    if spell.end is None:
        return params.end
    return spell.end if inclusive else spell.end - timedelta(days=1)


def _write_plan_work(
    add: Add, rng: random.Random, params: AuthorityParameters, story: Story, plan: _Spell
) -> None:
    """A CP plan's visits (10 working days is about 14 calendar days) and reviews."""
    last = _last_day(plan, params, inclusive=True)
    for day in _cadence(rng, params, plan.start, last, (5, 13), (15, 24), (1, 12), (15, 22)):
        _visit(add, rng, params, story, day, "CP")
    on_time = _on_time(rng, params, plan.start)
    review = plan.start + _days(rng.uniform(75, 91) if on_time else rng.uniform(93, 110))
    while review <= last:
        add(ChildProtectionReviewConferenceHeld, review, plan_id=plan.key, plan_continues=True)
        late = not _on_time(rng, params, review)
        review += _days(rng.uniform(183, 200) if late else rng.uniform(160, 182))


def _write_care_visits(
    add: Add, rng: random.Random, params: AuthorityParameters, story: Story, period: _Spell
) -> None:
    """A period of care's visits: within a week of each placement, then every six weeks
    (three months after the placement's first year)."""
    last = _last_day(period, params, inclusive=False)
    placements = sorted(
        d.occurred_on
        for d in story.drafts
        if d.event_class is PlacementStarted
        and d.fields["period_id"] == period.key
        and not str(d.fields["placement_type"]).startswith("T")
    )
    for index, placed in enumerate(placements):
        following = placements[index + 1] if index + 1 < len(placements) else None
        until = last if following is None else min(last, following - timedelta(days=1))
        a_year_on = add_years_months(placed, years=1)
        on_time = _on_time(rng, params, placed)
        day = placed + _days(rng.uniform(1, 6) if on_time else rng.uniform(8, 14))
        while day <= until:
            _visit(add, rng, params, story, day, "LAC")
            if day < a_year_on:
                gap = rng.uniform(28, 42) if _on_time(rng, params, day) else rng.uniform(43, 60)
            else:
                gap = rng.uniform(60, 91) if _on_time(rng, params, day) else rng.uniform(92, 120)
            day += _days(gap)


def _write_child_in_need_visits(
    add: Add, rng: random.Random, params: AuthorityParameters, story: Story,
    referral: _Spell, plans: list[_Spell], periods: list[_Spell],
) -> None:  # fmt: skip
    """About every eight weeks (the authority's own standard; none is statutory) while the
    case is open and the child neither on a plan nor in care."""
    last = _last_day(referral, params, inclusive=True)
    day = referral.start + _days(rng.uniform(5, 20))
    while day <= last:
        busy = any(s.start <= day and (s.end is None or day <= s.end) for s in (*plans, *periods))
        if not busy:
            _visit(add, rng, params, story, day, "CIN")
        day += _days(rng.uniform(42, 70))


def record_supervision(
    story: Story,
    params: AuthorityParameters,
    rng: random.Random,
    drafts: list[Draft],
    recorded: list[Recorded],
) -> list[Recorded]:
    """The child's recorded events with the supervision drafts recorded among them.

    Each supervision event is recorded no earlier than everything of the child's that
    happened on or before its day (and any correction of it), so what it rests on (the
    referral, the plan, the period of care) is in the record first.
    """
    # By the day things happened: the latest recording time of everything of the child's
    # that happened on or before it.
    by_day = sorted((draft.occurred_on, event.recorded_at) for event, draft in recorded)
    happened = [day for day, _ in by_day]
    latest: list[datetime] = []
    for _, at in by_day:
        latest.append(max(at, latest[-1]) if latest else at)
    supervision: list[Recorded] = []
    last = datetime.min.replace(tzinfo=UTC)
    for draft in sorted(drafts, key=lambda d: (d.occurred_on, _ORDER[d.event_class], d.sequence)):
        before = bisect.bisect_right(happened, draft.occurred_on)
        floor = latest[before - 1] if before else last
        if draft.occurred_on < params.go_live:
            at = floor  # migrated with the child's history
        else:
            roll = rng.random()
            delay = rng.randint(30, 120) if roll < 0.02 else rng.randint(1, 20) if roll < 0.3 else 0
            at = _at(rng, draft.occurred_on, delay)
        at = max(at, floor, last)
        supervision.append((event_of(draft, story, params, _event_id(rng), at), draft))
        last = at
    merged = [(0, i, pair) for i, pair in enumerate(recorded)]
    merged += [(1, i, pair) for i, pair in enumerate(supervision)]
    merged.sort(key=lambda item: (item[2][0].recorded_at, item[0], item[1]))
    return [pair for _, _, pair in merged]


# A transfer's end before the allocation that replaces it.
_ORDER = {
    CaseAllocationEnded: 0,
    CaseAllocated: 1,
    StrategyDiscussionHeld: 2,
    ChildProtectionReviewConferenceHeld: 3,
    StatutoryVisitMade: 4,
}


def _at(rng: random.Random, day: date, delay: int) -> datetime:
    seconds = rng.randrange(8 * 3600, 18 * 3600)
    return datetime.combine(day + timedelta(days=delay), time(), tzinfo=UTC) + timedelta(
        seconds=seconds
    )


def _event_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)
