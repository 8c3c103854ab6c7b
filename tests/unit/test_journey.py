"""The Journey aggregate: identity, its events, replay, derived facts and the timeline."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from eventsourcing.utils import get_topic
from journey_builders import (
    adviser_allocated,
    assessment_completed,
    assessment_started,
    child_registered,
    conference_held,
    contact_recorded,
    cp_plan_ended,
    cp_plan_started,
    journey_of,
    legal_status_changed,
    period_ended,
    period_started,
    placement_ended,
    placement_started,
    referral_closed,
    referral_received,
    retraction,
    section47_started,
)

from events.catalogue import EVENT_TYPES
from journeys.domain.facts import add_years_months, age_on
from journeys.domain.journey import (
    JOURNEY_NAMESPACE,
    Journey,
    domain_event_class,
    journey_id,
    payload_of,
    rebuild_domain_event,
)


def a_full_journey() -> list:
    """Registration, a CP episode and a period of care with a move, in date order."""
    return [
        child_registered("2010-01-01", date_of_birth="2003-05-31"),
        referral_received("2010-02-01", primary_need=None),
        assessment_started("2010-02-02"),
        section47_started("2010-02-03"),
        conference_held("2010-02-10"),
        cp_plan_started("2010-02-10"),
        assessment_completed("2010-03-01", factors=("2A", "3B")),
        cp_plan_ended("2011-01-01"),
        referral_closed("2011-01-01"),
        period_started("2018-01-01", legal_status="V2"),
        placement_started("2018-01-01", provider=None),
        legal_status_changed("2018-03-01", "C2"),
        placement_ended("2018-06-01"),
        placement_started("2018-06-01", "P2", placement_type="K2", carer_id="C7"),
        adviser_allocated("2019-03-01"),
        period_ended("2020-01-01"),
        contact_recorded("2020-06-01"),
    ]


class TestIdentity:
    def test_journey_id_is_uuid5_of_the_project_namespace_and_la_slash_child(self) -> None:
        assert journey_id("371", "C1") == uuid.uuid5(JOURNEY_NAMESPACE, "371/C1")

    def test_the_same_child_id_in_two_authorities_is_two_journeys(self) -> None:
        assert journey_id("371", "C1") != journey_id("372", "C1")

    def test_a_registered_journey_takes_the_id_of_its_child(self) -> None:
        journey = Journey.register_child(child_registered(child_id="X9", local_authority="208"))
        assert journey.id == journey_id("208", "X9")


class TestAggregateEvents:
    def test_events_are_named_like_the_contract_types_and_carry_the_payload(self) -> None:
        submitted = a_full_journey()
        journey = journey_of(*submitted)
        events = journey.collect_events()
        assert [type(e).__name__ for e in events] == [p.event_type for p in submitted]
        assert [payload_of(e) for e in events] == submitted

    def test_each_event_is_stamped_with_when_the_source_recorded_it(self) -> None:
        late = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
        journey = journey_of(child_registered(), referral_received("2011-01-01", recorded_at=late))
        events = journey.collect_events()
        assert events[0].timestamp == datetime(2010, 1, 1, 12, tzinfo=UTC)
        assert events[1].timestamp == late

    def test_every_event_rebuilds_exactly_from_its_payload_and_version(self) -> None:
        journey = journey_of(*a_full_journey())
        for event in journey.collect_events():
            assert rebuild_domain_event(payload_of(event), event.originator_version) == event

    def test_every_contract_type_has_an_aggregate_event_class_with_a_stable_topic(self) -> None:
        for event_type in EVENT_TYPES:
            event_class = domain_event_class(event_type)
            assert event_class.__name__ == event_type
            assert get_topic(event_class) == f"care-journeys:Journey.{event_type}"
        assert get_topic(Journey) == "care-journeys:Journey"

    def test_an_unknown_event_type_has_no_class(self) -> None:
        with pytest.raises(KeyError):
            domain_event_class("ChildAdopted")

    def test_replaying_the_events_rebuilds_the_same_journey(self) -> None:
        journey = journey_of(*a_full_journey())
        events = journey.collect_events()
        replayed = None
        for event in events:
            replayed = event.mutate(replayed)
        assert replayed == journey
        assert replayed.timeline() == journey.timeline()


class TestCommands:
    def test_each_command_takes_its_own_event_type(self) -> None:
        journey = journey_of(child_registered())
        with pytest.raises(TypeError):
            journey.start_placement(referral_received("2011-01-01"))

    def test_commands_and_record_do_the_same(self) -> None:
        by_command = journey_of(child_registered(date_of_birth="2003-05-31"))
        referral = referral_received("2011-01-01")
        assert by_command.receive_referral(referral) is True
        assert by_command.receive_referral(referral) is False  # a duplicate
        assert by_command.counting_events()[-1] == referral


class TestDates:
    @pytest.mark.parametrize(
        ("start", "years", "months", "expected"),
        [
            ("2000-02-29", 1, 0, "2001-02-28"),
            ("2000-02-29", 4, 0, "2004-02-29"),
            ("2000-05-31", 15, 9, "2016-02-29"),
            ("2001-05-31", 15, 9, "2017-02-28"),
            ("2000-01-31", 0, 1, "2000-02-29"),
            ("2000-11-30", 0, 3, "2001-02-28"),
            ("2010-04-15", -2, -6, "2007-10-15"),
        ],
    )
    def test_add_years_months_clamps_to_the_month_end_like_duckdb(
        self, start: str, years: int, months: int, expected: str
    ) -> None:
        assert add_years_months(date.fromisoformat(start), years, months) == date.fromisoformat(
            expected
        )

    def test_age_turns_on_the_birthday(self) -> None:
        born = date(2005, 6, 15)
        assert age_on(born, date(2019, 6, 14)) == 13
        assert age_on(born, date(2019, 6, 15)) == 14

    def test_a_leap_day_child_turns_a_year_older_on_28_february(self) -> None:
        born = date(2004, 2, 29)
        assert age_on(born, date(2005, 2, 27)) == 0
        assert age_on(born, date(2005, 2, 28)) == 1


class TestDerivedFacts:
    def test_looked_after_from_the_start_day_until_the_day_before_the_end(self) -> None:
        journey = journey_of(
            child_registered(), period_started("2012-03-01"), period_ended("2013-03-01")
        )
        assert not journey.chronology().looked_after_on(date(2012, 2, 29))
        assert journey.chronology().looked_after_on(date(2012, 3, 1))
        assert journey.chronology().looked_after_on(date(2013, 2, 28))
        assert not journey.chronology().looked_after_on(date(2013, 3, 1))

    def test_care_leaver_once_91_days_after_14_with_one_after_16(self) -> None:
        # Born 2005-06-15: 14 on 2019-06-15, 16 on 2021-06-15.
        journey = journey_of(
            child_registered(), period_started("2021-03-16"), period_ended("2021-08-01")
        )
        chronology = journey.chronology()
        assert not chronology.is_care_leaver_on(date(2021, 6, 14))  # 90 days, none after 16
        assert chronology.is_care_leaver_on(date(2021, 6, 15))  # day 91 is the 16th birthday
        assert chronology.is_care_leaver_on(date(2030, 1, 1))

    def test_15_years_9_months(self) -> None:
        journey = journey_of(child_registered(date_of_birth="2000-05-31"))
        assert journey.chronology().date_aged(15, 9) == date(2016, 2, 29)
        assert journey.chronology().age_on(date(2016, 2, 29)) == 15


class TestTimeline:
    def test_the_timeline_reads_in_date_order_whatever_the_arrival_order(self) -> None:
        registration, period, placement = (
            child_registered(),
            period_started("2019-03-01"),
            placement_started("2019-04-02", "P3", placement_type="U4", provider=None),
        )
        referral = referral_received("2011-01-10")  # arrives last, happened first
        journey = journey_of(registration, period, placement, referral)
        assert journey.timeline() == [
            "2010-01-01  Child registered (born 2005-06-15, sex F, ethnicity WBRI)",
            "2011-01-10  Referral R1 received (source 1A, primary need N1)",
            "2019-03-01  Period of care PC1 started (legal status C2, category of need N1)",
            "2019-04-02  Placement P3 started (U4 foster placement, carer C9)"
            " in period of care PC1",
        ]

    def test_a_move_reads_as_an_end_then_a_start_on_the_same_day(self) -> None:
        journey = journey_of(
            child_registered(),
            period_started("2019-03-01"),
            placement_started("2019-03-01", "P1"),
            # The end is recorded after the next start, but it reads first.
            placement_ended("2019-06-01", "P1", recorded_at=datetime(2019, 7, 1, tzinfo=UTC)),
            placement_started("2019-06-01", "P2", carer_id="C4", provider=None),
        )
        assert journey.timeline()[-2:] == [
            "2019-06-01  Placement P1 ended",
            "2019-06-01  Placement P2 started (U4 foster placement, carer C4)"
            " in period of care PC1",
        ]

    def test_a_retracted_event_leaves_the_timeline(self) -> None:
        referral = referral_received("2011-01-10")
        journey = journey_of(child_registered(), referral, retraction("2011-02-01", referral))
        assert not any("Referral R1" in line for line in journey.timeline())
