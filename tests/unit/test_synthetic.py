"""The synthetic local authority: deterministic, valid by contract and by the rules."""

from __future__ import annotations

import collections
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from events import codes
from events.catalogue import (
    AssessmentCompleted,
    CareLeaverContactRecorded,
    ChildProtectionPlanStarted,
    ChildRegistered,
    EventRetracted,
    JourneyEvent,
    LegalStatusChanged,
    PeriodOfCareStarted,
    PersonalAdviserAllocated,
    PlacementStarted,
    ReferralReceived,
)
from events.codec import default_codec
from events.jsonl import write_jsonl
from journeys.application.service import JourneyApplication
from journeys.domain.exceptions import RuleViolation
from journeys.synthetic import (
    AuthorityParameters,
    LabelledEvent,
    Trend,
    generate,
    generate_labelled,
)

# Small enough to judge every event in memory in seconds, large enough to hold every
# kind of journey: 1,600 children give about 490 children with journeys since 2003 and
# 18,700 events, every event type among them (1,200 gave as many before demand to 2014
# was calibrated lower, issue 13).
SMALL = AuthorityParameters(children=1_600, from_year=2012, to_year=2018, seed=11)


@pytest.fixture(scope="module")
def small_authority() -> list[LabelledEvent]:
    return list(generate_labelled(SMALL))


def _events(labelled: list[LabelledEvent]) -> list[JourneyEvent]:
    return [item.event for item in labelled]


def test_same_seed_gives_the_same_jsonl_byte_for_byte(tmp_path: Path) -> None:
    params = AuthorityParameters(
        children=400, from_year=2014, to_year=2016, seed=5, invalid_share=0.02
    )
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    written = write_jsonl(first, generate(params))
    write_jsonl(second, generate(params))
    assert written > 0
    assert first.read_bytes() == second.read_bytes()


def test_another_seed_gives_other_journeys(tmp_path: Path) -> None:
    params = AuthorityParameters(children=400, from_year=2014, to_year=2016, seed=5)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    write_jsonl(first, generate(params))
    write_jsonl(
        second, generate(AuthorityParameters(children=400, from_year=2014, to_year=2016, seed=6))
    )
    assert first.read_bytes() != second.read_bytes()


def test_every_event_passes_the_journey_rules(small_authority: list[LabelledEvent]) -> None:
    application = JourneyApplication()
    refused = []
    for event, breaks_rule in small_authority:
        assert breaks_rule is None
        try:
            application.record(event)
        except RuleViolation as violation:
            refused.append(violation)
    assert refused == []


def test_invalid_share_is_mixed_in_and_every_invalid_submission_is_refused() -> None:
    params = AuthorityParameters(
        children=500, from_year=2014, to_year=2017, seed=3, invalid_share=0.05
    )
    application = JourneyApplication()
    accepted_but_invalid, refused_but_valid = [], []
    invalid = 0
    submissions = list(generate_labelled(params))
    for event, breaks_rule in submissions:
        invalid += breaks_rule is not None
        try:
            application.record(event)
        except RuleViolation as violation:
            if breaks_rule is None:
                refused_but_valid.append(violation)
        else:
            if breaks_rule is not None:
                accepted_but_invalid.append((event, breaks_rule))
    assert refused_but_valid == []
    assert accepted_but_invalid == []
    assert 0.04 <= invalid / len(submissions) <= 0.06


def test_every_event_keeps_the_contract(small_authority: list[LabelledEvent]) -> None:
    codec = default_codec()
    ids = set()
    for event in _events(small_authority):
        codec.encode(event)  # raises InvalidEvent on a bad code or field
        assert event.recorded_at.tzinfo is UTC
        assert event.occurred_on <= event.recorded_at.date()
        assert event.local_authority == "371"
        ids.add(event.event_id)
        assert event.event_id.version == 4
    assert len(ids) == len(small_authority), "event ids are unique forever"


def test_each_child_starts_with_registration_and_is_recorded_in_order(
    small_authority: list[LabelledEvent],
) -> None:
    by_child: dict[str, list[JourneyEvent]] = collections.defaultdict(list)
    for event in _events(small_authority):
        by_child[event.child_id].append(event)
    for events in by_child.values():
        assert isinstance(events[0], ChildRegistered)
        recorded = [event.recorded_at for event in events]
        assert recorded == sorted(recorded)
        assert events[0].date_of_birth <= events[0].occurred_on


def test_journeys_hold_every_kind_of_practice(small_authority: list[LabelledEvent]) -> None:
    events = _events(small_authority)
    of = collections.defaultdict(list)
    for event in events:
        of[type(event)].append(event)
    types = collections.Counter(event.event_type for event in events)
    assert set(types) == {cls.__name__ for cls in JourneyEvent.__subclasses__()}

    referrals = collections.Counter(event.child_id for event in of[ReferralReceived])
    assert sum(count > 1 for count in referrals.values()) > 50, "re-referrals"
    assert {event.seen_alone for event in of[AssessmentCompleted]} == {True, False}
    plans = collections.Counter(event.child_id for event in of[ChildProtectionPlanStarted])
    assert any(count > 1 for count in plans.values()), "repeat CP plans"
    placements = of[PlacementStarted]
    assert any(p.placement_type in codes.TEMPORARY_PLACEMENT_TYPE for p in placements)
    assert any(p.placement_type in ("A3", "A4", "A5", "A6") for p in placements), "adoption"
    carers = collections.Counter((p.child_id, p.carer_id) for p in placements)
    assert any(count > 1 for count in carers.values()), "moves with the same carer"
    moves = collections.Counter(p.child_id for p in placements)
    assert any(count >= 3 for count in moves.values()), "placement moves"
    assert any(p.provider is None for p in placements), "explicit null provider"
    statuses = {p.legal_status for p in of[PeriodOfCareStarted]}
    assert statuses & codes.SHORT_BREAK_LEGAL_STATUS, "short breaks V3/V4"
    assert {e.legal_status for e in of[LegalStatusChanged]} >= {"C1", "C2", "E1"}
    assert of[PersonalAdviserAllocated]
    contacts = of[CareLeaverContactRecorded]
    assert {c.in_touch for c in contacts} >= {"YES", "NO"}
    assert any(c.accommodation.endswith("1") for c in contacts)
    assert any(c.activity in codes.EET_ACTIVITY for c in contacts)


def test_some_events_are_recorded_late_and_some_corrected(
    small_authority: list[LabelledEvent],
) -> None:
    events = _events(small_authority)
    assert any(e.recorded_at.date() - e.occurred_on > timedelta(days=30) for e in events)
    live = [e for e in events if e.occurred_on >= SMALL.go_live]
    on_the_day = sum(e.recorded_at.date() == e.occurred_on for e in live)
    assert len(live) // 3 < on_the_day < len(live)
    by_id = {event.event_id: event for event in events}
    retractions = [event for event in events if isinstance(event, EventRetracted)]
    assert retractions
    for retraction in retractions:
        retracted = by_id[retraction.retracted_event_id]
        assert retracted.recorded_at < retraction.recorded_at
        corrected = events[events.index(retraction) + 1]
        # The correction reuses the business identifier, never the event id.
        assert type(corrected) is type(retracted)
        assert corrected.event_id != retracted.event_id
        assert corrected != retracted


def test_history_before_go_live_is_migrated_on_one_day_per_child(
    small_authority: list[LabelledEvent],
) -> None:
    go_live = SMALL.go_live
    migrated = collections.defaultdict(set)
    for event in _events(small_authority):
        if event.occurred_on < go_live:
            migrated[event.child_id].add(event.recorded_at)
            assert event.recorded_at.date() >= go_live
    assert migrated
    assert all(len(stamps) == 1 for stamps in migrated.values())


def test_improving_authority_changes_its_rates_by_year() -> None:
    trend = Trend(((2013, 0.4), (2016, 0.1)))
    assert trend.at(2010) == pytest.approx(0.4)
    assert trend.at(2014) == pytest.approx(0.3)
    assert trend.at(2020) == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"children": 0}, "children"),
        ({"from_year": 2020, "to_year": 2019}, "from_year"),
        ({"invalid_share": 0.6}, "invalid_share"),
        ({"local_authority": "37"}, "local_authority"),
        ({"care_share": 1.5}, "care_share"),
        ({"care_share": Trend(((2013, 0.04), (2016, 1.2)))}, "care_share"),
        ({"drifting_case_days": (4000.0, 730.0)}, "drifting_case_days"),
    ],
)
def test_bad_parameters_are_refused_naming_the_field(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValueError, match=field):
        AuthorityParameters(**changes)  # type: ignore[arg-type]


def test_a_doncaster_sized_workforce_in_four_localities() -> None:
    from journeys.synthetic.supervision import LOCALITIES, workforce

    teams = workforce(AuthorityParameters())
    assert tuple(teams) == LOCALITIES
    workers = [w for locality in teams.values() for team in locality for w in team.worker_ids]
    assert len(workers) == len(set(workers))
    # 65,000 children, about 2,300 open cases after the improvement, about 17 a worker.
    assert 2_300 / len(workers) == pytest.approx(17, abs=1)
    assert all(5 <= len(team.worker_ids) <= 9 for locality in teams.values() for team in locality)


def test_cases_change_hands_and_visits_are_mostly_on_time(
    small_authority: list[LabelledEvent],
) -> None:
    from events.catalogue import CaseAllocated, CaseAllocationEnded, StatutoryVisitMade

    events = _events(small_authority)
    allocated = collections.Counter(e.child_id for e in events if isinstance(e, CaseAllocated))
    ended = {(e.child_id, e.occurred_on) for e in events if isinstance(e, CaseAllocationEnded)}
    transfers = [
        e for e in events if isinstance(e, CaseAllocated) and (e.child_id, e.occurred_on) in ended
    ]
    assert transfers, "transfers: an allocation ending the day the next starts"
    assert max(allocated.values()) >= 3
    cp_visits: dict[str, list] = collections.defaultdict(list)
    for event in events:
        if isinstance(event, StatutoryVisitMade) and event.visit_kind == "CP":
            cp_visits[event.child_id].append(event.occurred_on)
    gaps = [
        (later - earlier).days
        for days in cp_visits.values()
        for earlier, later in zip(sorted(days), sorted(days)[1:], strict=False)
    ]
    late = sum(gap > 14 for gap in gaps)
    assert 0 < late < len(gaps) / 3, "some CP visits late, most about fortnightly"
    kinds = {e.visit_kind for e in events if isinstance(e, StatutoryVisitMade)}
    assert kinds == {"CIN", "CP", "LAC", "CARE_LEAVER"}
