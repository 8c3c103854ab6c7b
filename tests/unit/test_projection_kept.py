"""The kept analyst tables equal the replaying definition at every moment, however loaded.

`<table>_as_of(T)` reads the kept `<table>_versions` (projections/maintain.py);
`<table>_replayed_as_of(T)` replays the log (tables.sql, care_leavers.sql), the definition
of record. Hand-built journeys with retractions, corrections (retract, then record again),
a retraction of a retraction, a retraction recorded before the event it names, and several
events sharing one recorded_at are loaded in batches of every size and order (so events
arrive recorded earlier than events loaded before them); every table is compared, row for
row, at every distinct recorded_at, just before each, and at +-infinity. Then the stored
versions themselves equal a one-batch rebuild's, and on a synthetic authority the
indicators and drill-downs equal the replaying definition's, now and at past moments.
"""

from __future__ import annotations

import random
from datetime import date as d
from datetime import timedelta

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from journey_builders import Child, assessment_completed, assessment_started, at

from events.catalogue import (
    AdoptionMatchRecorded,
    ChildInNeedPlanRecorded,
    ChildProtectionConferenceHeld,
    ChildRegistered,
    ConvictionRecorded,
    JourneyEvent,
    MissingEpisodeRecorded,
    MotherhoodRecorded,
    PreviousPermanenceRecorded,
    ReferralClosed,
    Section47Started,
    StrengthsAndDifficultiesRecorded,
    SubstanceMisuseIdentified,
    UnaccompaniedAsylumSeekerRecorded,
)
from journeys.synthetic import AuthorityParameters, generate
from projections.database import open_in_memory
from projections.load import append, batch_of
from projections.maintain import ANALYST_TABLES, KEPT_TABLES, replaying_sql

TOPIC = "care.journey.events"
KEPT = (*ANALYST_TABLES, "reporting_years")


def hand_built_journeys() -> list[JourneyEvent]:
    # A care leaver: period, legal status change, placements (a temporary one between two
    # with the same carer), the period's end corrected, contacts around the birthdays.
    leaver = Child("L", born=d(2000, 1, 10))
    leaver.period("pc1", d(2014, 5, 1), recorded_at=at(2014, 5, 2))
    # Shares its recorded_at with the period.
    leaver.placement("p1", "pc1", d(2014, 5, 1), carer="X", recorded_at=at(2014, 5, 2))
    leaver.legal_status("pc1", d(2015, 1, 1), "C1")
    leaver.end_placement("p1", d(2015, 6, 1), recorded_at=at(2015, 6, 3))
    leaver.placement(
        "p2", "pc1", d(2015, 6, 1), carer="Y", placement_type="T0", recorded_at=at(2015, 6, 3)
    )
    leaver.move("p2", "p3", "pc1", d(2015, 6, 20), carer="X")
    wrong_end = leaver.end_period("pc1", d(2017, 2, 1), recorded_at=at(2017, 2, 2))
    leaver.retract(wrong_end, at(2017, 3, 1))
    # The correction shares its recorded_at with the retraction.
    leaver.end_period("pc1", d(2017, 1, 15), recorded_at=at(2017, 3, 1))
    adviser = leaver.adviser(d(2016, 9, 1))
    leaver.retract(adviser, at(2016, 10, 1))
    leaver.adviser(d(2016, 10, 1))
    leaver.contact(d(2017, 1, 20), "YES", "F1", "B1")
    # Recorded a year late, after the later contacts.
    leaver.contact(d(2018, 1, 5), "YES", "G5", "C2", recorded_at=at(2019, 2, 1))
    wrong_contact = leaver.contact(d(2019, 1, 12), "NO", "G6", "S2")
    leaver.retract(wrong_contact, at(2019, 1, 30))
    leaver.contact(d(2020, 1, 10), "YES", "F2", "B2")

    # Children in need: referrals, a closure retracted and recorded again, two closures of
    # one referral (the earliest dated wins), assessments, an enquiry, plans.
    need = Child("N", born=d(2008, 3, 3))
    need.referral("r1", d(2013, 4, 2))
    closure = need.close_referral("r1", d(2013, 6, 1))
    need.retract(closure, at(2013, 7, 1))
    need.close_referral("r1", d(2013, 6, 15), recorded_at=at(2013, 7, 1))
    need.close_referral("r1", d(2013, 6, 10), recorded_at=at(2013, 8, 1))
    need.referral("r2", d(2014, 2, 1))
    need.assessment("a1", d(2014, 2, 10), seen_alone=True)
    # Completed a month after it started.
    need.events.append(assessment_started("2015-09-01", "a2", referral_id="r2", child_id="N"))
    need.events.append(assessment_completed("2015-10-01", "a2", seen_alone=False, child_id="N"))
    need.add(
        ReferralClosed, d(2014, 9, 1), recorded_at=at(2014, 9, 1), referral_id="r2",
        reason="RC1",
    )  # fmt: skip
    started = need.add(
        Section47Started, d(2014, 2, 12), enquiry_id="e1", referral_id="r2",
    )  # fmt: skip
    need.add(Section47Started, d(2014, 2, 20), enquiry_id="e2", referral_id="r2")
    need.add(ChildProtectionConferenceHeld, d(2014, 3, 1), enquiry_id="e2", plan_required=True)
    need.cp_plan("cp1", d(2014, 3, 1))
    need.end_cp_plan("cp1", d(2015, 3, 1))
    need.cp_plan("cp2", d(2015, 9, 1))
    # The latest-dated event, retracted: the reporting years shrink back.
    last = need.cp_plan("cp3", d(2023, 1, 1))
    need.retract(last, at(2023, 2, 1))
    # A retraction of a retraction: the enquiry stays retracted.
    undo = need.retract(started, at(2014, 5, 1))
    need.retract(undo, at(2014, 6, 1))

    # Registered twice (the later recorded wins); an event retracted before it was
    # recorded (it never counts); a period still open.
    twice = Child("T", born=d(2005, 5, 5))
    twice.add(
        ChildRegistered, d(2005, 5, 5), recorded_at=at(2011, 1, 1),
        date_of_birth=d(2005, 5, 6), sex="M", ethnicity="WBRI",
    )  # fmt: skip
    early = twice.period("pc9", d(2019, 4, 1), recorded_at=at(2019, 4, 2))
    twice.retract(early, at(2019, 4, 1))
    twice.period("pc10", d(2020, 4, 1))
    twice.placement("p9", "pc10", d(2020, 4, 1), carer="Z")
    # The leaver's review, PEP and immunisations status, and the attendance at N's
    # conference, each recorded in error and retracted (one correction recorded again),
    # recorded at moments the journeys already have, to keep the grid of moments small.
    review = leaver.review(d(2015, 6, 1), "PN7", recorded_at=at(2015, 6, 3))
    leaver.retract(review, at(2017, 3, 1))
    leaver.review(d(2015, 6, 1), "PN1", recorded_at=at(2017, 3, 1))
    plan = leaver.pep(d(2015, 1, 1), recorded_at=at(2015, 6, 3))
    leaver.retract(plan, at(2016, 10, 1))
    status = leaver.immunisations(d(2015, 1, 1), up_to_date=False, recorded_at=at(2015, 6, 3))
    leaver.retract(status, at(2016, 10, 1))
    attendance = need.attendance("e2", d(2014, 3, 1), mother=True, father=False)
    need.retract(attendance, at(2014, 6, 1))
    # Supervision (issue 15): N's case allocated, transferred, its new allocation's end
    # recorded in error and retracted; a visit and a review conference retracted; a
    # strategy discussion retracted and recorded again.
    need.allocate("al1", d(2013, 4, 2), worker="w1", team="t1", locality="l1",
                  recorded_at=at(2013, 7, 1))  # fmt: skip
    need.end_allocation("al1", d(2014, 3, 1), recorded_at=at(2014, 5, 1))
    need.allocate("al2", d(2014, 3, 1), worker="w2", team="t2", locality="l1",
                  recorded_at=at(2014, 5, 1))  # fmt: skip
    wrong_allocation_end = need.end_allocation("al2", d(2014, 6, 1), recorded_at=at(2014, 6, 1))
    need.retract(wrong_allocation_end, at(2014, 9, 1))
    visit = need.visit(d(2014, 3, 10), "CP", recorded_at=at(2014, 5, 1))
    need.retract(visit, at(2014, 6, 1))
    # Visits the steps read (seen, on the plan) and do not (a child in need visit, a CP
    # visit at which the child was not seen: statutory_steps drops them from its grid).
    need.visit(d(2014, 3, 12), "CP", recorded_at=at(2014, 6, 1))
    need.visit(d(2014, 3, 20), "CIN", recorded_at=at(2014, 5, 1))
    need.visit(d(2014, 3, 24), "CP", seen=False, seen_alone=False, recorded_at=at(2014, 9, 1))
    discussion = need.strategy_discussion("sd1", d(2014, 2, 11), "r2", recorded_at=at(2014, 5, 1))
    need.retract(discussion, at(2014, 6, 1))
    need.strategy_discussion("sd1", d(2014, 2, 12), "r2", recorded_at=at(2014, 6, 1))
    review_conference = need.review_conference("cp1", d(2014, 6, 1), recorded_at=at(2014, 6, 1))
    need.retract(review_conference, at(2014, 9, 1))
    # The leaver missing from placement, open at first, then the corrected row with its
    # end (as a later SSDA903 return records it).
    missing = leaver.add(
        MissingEpisodeRecorded, d(2015, 2, 1), recorded_at=at(2015, 6, 3), absence="M"
    )
    leaver.retract(missing, at(2016, 10, 1))
    leaver.add(
        MissingEpisodeRecorded, d(2015, 2, 1), recorded_at=at(2016, 10, 1), absence="M",
        returned_on=d(2015, 2, 3),
    )  # fmt: skip
    # The statutory returns' items (issue 14), each recorded, retracted, and recorded again
    # corrected (as a later return corrects an earlier one).
    match = {
        "decision_id": "ad1",
        "former_foster_carers": False,
        "adopters": "2",
        "adopters_sex": "MF",
        "adopters_legal_status": "L0",
    }
    items: list[tuple[Child, type[JourneyEvent], dict[str, object], dict[str, object]]] = [
        (leaver, MotherhoodRecorded, {}, {}),
        (leaver, UnaccompaniedAsylumSeekerRecorded, {}, {"ceased_on": d(2016, 1, 10)}),
        (leaver, AdoptionMatchRecorded, match, {"former_foster_carers": True}),
        (leaver, PreviousPermanenceRecorded, {"arrangement": "Z1"}, {"arrangement": "P1"}),
        (leaver, StrengthsAndDifficultiesRecorded, {"score": "12"}, {"score": "14"}),
        (leaver, ConvictionRecorded, {}, {}),
        (leaver, SubstanceMisuseIdentified, {}, {"intervention_offered": True}),
        (need, ChildInNeedPlanRecorded, {"referral_id": "r1"}, {"ended_on": d(2013, 9, 1)}),
    ]
    for child, item_type, values, corrected in items:
        item = child.add(item_type, d(2015, 3, 2), recorded_at=at(2015, 6, 3), **values)
        child.retract(item, at(2016, 10, 1))
        on = d(2015, 3, 3) if not corrected else d(2015, 3, 2)
        child.add(item_type, on, recorded_at=at(2016, 10, 1), **{**values, **corrected})
    return [*leaver.events, *need.events, *twice.events]


EVENTS = hand_built_journeys()


def moments(events: list[JourneyEvent]) -> list[str]:
    """Every distinct recorded_at, one microsecond before each, and +-infinity."""
    recorded = sorted({event.recorded_at for event in events})
    just_before = [moment - timedelta(microseconds=1) for moment in recorded]
    return ["-infinity", "infinity", *(m.isoformat() for m in [*recorded, *just_before])]


MOMENTS = moments(EVENTS)


def rows(connection: duckdb.DuckDBPyConnection, macro: str) -> list:
    """`macro` at every moment of MOMENTS, in one query: (moment, row...), sorted."""
    connection.execute(
        "create or replace temp table moments as select cast(unnest(?) as timestamptz) as moment",
        [MOMENTS],
    )
    found = connection.execute(
        f"select cast(moment as varchar), rows.* "
        f"from moments, lateral (select * from {macro}(moments.moment)) as rows"
    ).fetchall()
    return sorted(found, key=repr)


def load_in_batches(events: list[JourneyEvent], sizes: list[int]) -> duckdb.DuckDBPyConnection:
    connection = open_in_memory()
    start = 0
    for size in sizes:
        if start >= len(events):
            break
        append(connection, TOPIC, batch_of(events[start : start + size], first_offset=start))
        start += size
    if start < len(events):
        append(connection, TOPIC, batch_of(events[start:], first_offset=start))
    return connection


@pytest.fixture(scope="module")
def replayed() -> dict[str, list]:
    connection = load_in_batches(EVENTS, [len(EVENTS)])
    return {table: rows(connection, f"{table}_replayed_as_of") for table in KEPT}


def assert_kept_equals_replayed(
    connection: duckdb.DuckDBPyConnection, replayed: dict[str, list]
) -> None:
    for table in KEPT:
        assert rows(connection, f"{table}_as_of") == replayed[table], table


def test_the_hand_built_journeys_exercise_every_table(
    replayed: dict[str, list],
) -> None:
    for table in KEPT:
        assert replayed[table], f"{table} is empty: the test would prove nothing"
    # Every table has a row that stops counting: superseded, retracted or corrected.
    for table in KEPT:
        every_row = {repr(row[1:]) for row in replayed[table]}
        current = {repr(row[1:]) for row in replayed[table] if row[0] == "infinity"}
        assert every_row - current, f"{table}: no row ever stops counting"


@pytest.mark.parametrize("order", ["as recorded", "reversed", "as built"])
@pytest.mark.parametrize("size", [pytest.param(1, marks=pytest.mark.slow), 4, len(EVENTS)])
def test_kept_tables_equal_the_replay_at_every_moment(
    replayed: dict[str, list], order: str, size: int
) -> None:
    events = {
        "as recorded": sorted(EVENTS, key=lambda e: e.recorded_at),
        "reversed": sorted(EVENTS, key=lambda e: e.recorded_at, reverse=True),
        "as built": EVENTS,
    }[order]
    assert_kept_equals_replayed(load_in_batches(events, [size] * len(events)), replayed)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    order=st.permutations(range(len(EVENTS))),
    sizes=st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=len(EVENTS)),
)
def test_kept_tables_equal_the_replay_in_any_order_and_batching(
    replayed: dict[str, list], order: list[int], sizes: list[int]
) -> None:
    assert_kept_equals_replayed(load_in_batches([EVENTS[i] for i in order], sizes), replayed)


def stored_versions(connection: duckdb.DuckDBPyConnection) -> dict[str, list]:
    return {
        table: connection.execute(f"select * from {table}_versions order by all").fetchall()
        for table in KEPT_TABLES
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_versions_equal_a_rebuild_table_for_table(seed: int) -> None:
    shuffled = random.Random(seed).sample(EVENTS, len(EVENTS))
    rebuilt = stored_versions(load_in_batches(shuffled, [len(EVENTS)]))
    sizes = [random.Random(seed + 10 + i).randint(1, 6) for i in range(len(EVENTS))]
    incremental = stored_versions(load_in_batches(shuffled, sizes))
    assert rebuilt == incremental
    assert all(rebuilt[table] for table in KEPT_TABLES)
    # Consecutive equal versions are merged: a child's row changes only when its
    # registration does (T's, corrected by a second ChildRegistered).
    assert len(rebuilt["children"]) == 4  # L, N, and T twice (its registration corrected)


def synthetic_events() -> list[JourneyEvent]:
    return list(generate(AuthorityParameters(children=250, seed=5, to_year=2017)))


def test_indicators_equal_the_replaying_definition_now_and_at_past_moments() -> None:
    events = synthetic_events()
    splits = sorted(random.Random(5).sample(range(1, len(events)), 6))
    connection = open_in_memory()
    for start, end in zip([0, *splits], [*splits, len(events)], strict=True):
        append(connection, TOPIC, batch_of(events[start:end], first_offset=start))
    recorded = sorted(event.recorded_at for event in events)
    past = [recorded[len(recorded) * k // 4].isoformat() for k in (1, 2, 3)]
    queries = [("indicators_as_of", moment) for moment in ["infinity", *past]] + [
        ("indicator_children_as_of", moment) for moment in ["infinity", past[1]]
    ]

    def answers() -> list[list]:
        return [
            sorted(
                connection.execute(
                    f"select * from {macro}(cast(? as timestamptz))", [moment]
                ).fetchall(),
                key=repr,
            )
            for macro, moment in queries
        ]

    kept = answers()
    connection.execute(replaying_sql())
    assert kept == answers()
    years = {row[1] for row in kept[0]}
    assert len(years) > 3 and any(row[3] > 0 for row in kept[0])


def test_a_change_to_the_rules_recomputes_the_kept_tables() -> None:
    connection = load_in_batches(EVENTS, [5] * len(EVENTS))
    before = stored_versions(connection)
    connection.execute("delete from children_versions")
    connection.execute("update kept_rules set fingerprint = 'rules of an older release'")
    from projections.database import install

    install(connection)
    assert stored_versions(connection) == before


def test_a_bank_holiday_added_changes_the_rules_the_steps_are_kept_by(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # statutory_steps counts working days: a calendar with one more holiday (a state
    # funeral, say) must recompute the kept steps when the database is next opened.
    import projections.maintain as maintain
    from projections.working_days import BANK_HOLIDAYS_FILE, working_days_sql

    shipped = maintain.rules_fingerprint()
    extended = tmp_path / "bank_holidays_england.csv"
    extended.write_text(
        BANK_HOLIDAYS_FILE.read_text(encoding="utf-8").rstrip("\n")
        + "\n2030-09-19,A day proclaimed\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(maintain, "working_days_sql", lambda: working_days_sql(extended))
    assert maintain.rules_fingerprint() != shipped
