"""Hand-written SSDA903 returns (tests/fixtures/ssda903, see its README) imported year by
year into an empty record, every event judged by the rules of practice: the record they
make, event by event, and an indicator on it, each worked out by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from test_projection_builders import TOPIC, figures, members

from events.catalogue import JourneyEvent
from events.sealing import KeyedNames
from journeys.application.service import JourneyApplication
from journeys.returns.record import counting
from journeys.returns.ssda903_import import events_of_return
from journeys.returns.ssda903_reading import read_directory
from projections.database import open_in_memory
from projections.load import append, batch_of

# Ids keyed as an import keys them, by a secret of the test's own.
NAMES = KeyedNames(b"test secret")

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ssda903"


def summary(event: JourneyEvent) -> tuple[object, ...]:
    """(child, type, day, and what distinguishes it) of one event."""
    detail = {
        "PeriodOfCareStarted": ("period_id", "legal_status"),
        "LegalStatusChanged": ("legal_status",),
        "PlacementStarted": ("placement_id", "placement_type", "provider", "reason_for_change"),
        "PlacementEnded": ("placement_id",),
        "PeriodOfCareEnded": ("reason",),
        "StatutoryReviewHeld": ("participation",),
        "ImmunisationsStatusRecorded": ("up_to_date",),
        "StrengthsAndDifficultiesRecorded": ("score",),
        "CareLeaverContactRecorded": ("in_touch", "activity", "accommodation"),
        "MissingEpisodeRecorded": ("absence", "returned_on"),
        "AdoptionDecisionMade": ("decision_id",),
        "AdoptionMatchRecorded": ("decision_id", "adopters_sex", "adopters_legal_status"),
    }.get(event.event_type, ())
    return (
        event.child_id,
        event.event_type,
        event.occurred_on,
        *(getattr(event, f) for f in detail),
    )


@pytest.fixture(scope="module")
def imports() -> dict[int, list[JourneyEvent]]:
    app = JourneyApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    record: list[JourneyEvent] = []
    made: dict[int, list[JourneyEvent]] = {}
    for year in (2023, 2024, 2025):
        rows, errors = read_directory(FIXTURES / str(year))
        converted = events_of_return(rows, year, "371", counting(record), NAMES)
        assert errors == converted.errors == []
        for event in converted.events:
            app.record(event)  # a refusal raises RuleViolation
        made[year] = converted.events
        record.extend(converted.events)
    return made


D = date


def test_2023_jo_s_period_of_care(imports: dict[int, list[JourneyEvent]]) -> None:
    assert [summary(e) for e in imports[2023]] == [
        ("JO", "ChildRegistered", D(2005, 6, 15)),
        ("JO", "PeriodOfCareStarted", D(2019, 6, 1), "LAC20190601", "C2"),
        ("JO", "PlacementStarted", D(2019, 6, 1), "PL20190601", "U4", "PR1", None),
        ("JO", "PlacementEnded", D(2022, 6, 1), "PL20190601"),
        ("JO", "PeriodOfCareEnded", D(2022, 6, 1), "E8"),
    ]


def test_2024_every_reason_for_new_episode(imports: dict[int, list[JourneyEvent]]) -> None:
    # Ali: registered, her period since 2022, a review, and OC2's items dated 31 March
    # (CONVICTED 0 and SUBSTANCE_MISUSE 0 are no events). Jo: her header is as recorded
    # (nothing new) and her OC3 row is the contact on her 18th birthday. Ruth: S, L, P
    # (reason CARPL on the new placement), P to a T1 placement and P back (no reasons:
    # temporary), T (PLACE), B (LAREQ), a review (pn1 read as PN1), the adoption decision.
    # Sam: S, ended E4A; S again (a new carer: another period); U (the carer kept,
    # reason PLACE); missing at 31 March, not yet back.
    assert [summary(e) for e in imports[2024]] == [
        ("ALI", "ChildRegistered", D(2012, 3, 3)),
        ("ALI", "PeriodOfCareStarted", D(2022, 1, 10), "LAC20220110", "C2"),
        ("ALI", "PlacementStarted", D(2022, 1, 10), "PL20220110", "U4", "PR1", None),
        ("ALI", "StatutoryReviewHeld", D(2023, 7, 1), "PN1"),
        ("ALI", "HealthAssessmentCompleted", D(2024, 3, 31)),
        ("ALI", "DentalCheckCompleted", D(2024, 3, 31)),
        ("ALI", "ImmunisationsStatusRecorded", D(2024, 3, 31), True),
        ("ALI", "StrengthsAndDifficultiesRecorded", D(2024, 3, 31), "14"),
        ("JO", "CareLeaverContactRecorded", D(2023, 6, 15), "YES", "F2", "B1"),
        ("RUTH", "ChildRegistered", D(2010, 5, 1)),
        ("RUTH", "PeriodOfCareStarted", D(2023, 6, 1), "LAC20230601", "C1"),
        ("RUTH", "PlacementStarted", D(2023, 6, 1), "PL20230601", "U6", "PR1", None),
        ("RUTH", "StatutoryReviewHeld", D(2023, 6, 20), "PN1"),
        ("RUTH", "LegalStatusChanged", D(2023, 9, 1), "C2"),
        ("RUTH", "PlacementEnded", D(2023, 11, 1), "PL20230601"),
        ("RUTH", "PlacementStarted", D(2023, 11, 1), "PL20231101", "U6", "PR4", "CARPL"),
        ("RUTH", "PlacementEnded", D(2023, 12, 1), "PL20231101"),
        ("RUTH", "PlacementStarted", D(2023, 12, 1), "PL20231201", "T1", None, None),
        ("RUTH", "PlacementEnded", D(2023, 12, 10), "PL20231201"),
        ("RUTH", "PlacementStarted", D(2023, 12, 10), "PL20231210", "U6", "PR4", None),
        ("RUTH", "PlacementEnded", D(2024, 2, 1), "PL20231210"),
        ("RUTH", "PlacementStarted", D(2024, 2, 1), "PL20240201", "U4", "PR4", "PLACE"),
        ("RUTH", "AdoptionDecisionMade", D(2024, 2, 1), "AD20240201"),
        ("RUTH", "PlacementEnded", D(2024, 3, 1), "PL20240201"),
        ("RUTH", "LegalStatusChanged", D(2024, 3, 1), "E1"),
        ("RUTH", "PlacementStarted", D(2024, 3, 1), "PL20240301", "A6", "PR5", "LAREQ"),
        ("SAM", "ChildRegistered", D(2012, 2, 2)),
        ("SAM", "PeriodOfCareStarted", D(2023, 5, 1), "LAC20230501", "V2"),
        ("SAM", "PlacementStarted", D(2023, 5, 1), "PL20230501", "U6", "PR1", None),
        ("SAM", "PlacementEnded", D(2023, 8, 1), "PL20230501"),
        ("SAM", "PeriodOfCareEnded", D(2023, 8, 1), "E4A"),
        ("SAM", "PeriodOfCareStarted", D(2023, 10, 1), "LAC20231001", "C1"),
        ("SAM", "PlacementStarted", D(2023, 10, 1), "PL20231001", "U6", "PR1", None),
        ("SAM", "PlacementEnded", D(2023, 12, 1), "PL20231001"),
        ("SAM", "LegalStatusChanged", D(2023, 12, 1), "C2"),
        ("SAM", "PlacementStarted", D(2023, 12, 1), "PL20231201", "U4", "PR1", "PLACE"),
        ("SAM", "MissingEpisodeRecorded", D(2024, 3, 25), "M", None),
    ]
    by_id = {
        e.placement_id: e.carer_id for e in imports[2024] if e.event_type == "PlacementStarted"
    }  # type: ignore[attr-defined]
    # The return to K2 after the temporary placement: the carer of the same URN and
    # postcode earlier in the period; T and U keep the carer.
    assert by_id["PL20231210"] == by_id["PL20231101"] == by_id["PL20240201"]
    assert by_id["PL20231201"] != by_id["PL20231101"]


def test_2025_an_open_episode_once_and_corrections(imports: dict[int, list[JourneyEvent]]) -> None:
    # Ruth's B episode is in the file again: nothing new until its end (adopted, E11),
    # and the match (AD1). Sam's U placement now says PR4 and his missing episode has
    # ended: each the retraction of what was recorded and the corrected event.
    summaries = [summary(e) for e in imports[2025]]
    assert summaries == [
        ("RUTH", "AdoptionMatchRecorded", D(2024, 2, 15), "AD20240201", "MF", "L11"),
        ("RUTH", "PlacementEnded", D(2024, 6, 30), "PL20240301"),
        ("RUTH", "PeriodOfCareEnded", D(2024, 6, 30), "E11"),
        ("SAM", "EventRetracted", D(2023, 12, 1)),
        ("SAM", "PlacementStarted", D(2023, 12, 1), "PL20231201", "U4", "PR4", "PLACE"),
        ("SAM", "EventRetracted", D(2024, 3, 25)),
        ("SAM", "MissingEpisodeRecorded", D(2024, 3, 25), "M", D(2024, 4, 2)),
    ]


def test_placements_3plus_on_the_imported_record(imports: dict[int, list[JourneyEvent]]) -> None:
    # Looked after at 31 March 2024: Ruth, Sam, Ali (Jo left in 2022). Placements in
    # 2023-24, temporary ones dropped and consecutive same-carer ones merged: Ruth K1, K2
    # (01/11, the T1 dropped, back on 10/12, U4 on 01/02), the adopters (01/03): 3. Sam:
    # his first carer, then the second period's carer (U6 and U4 merged): 2. Ali: 1.
    connection = open_in_memory()
    events = [e for year in (2023, 2024, 2025) for e in imports[year]]
    append(connection, TOPIC, batch_of(events))
    assert figures(connection, "placements_3plus", 2024) == (1, 3)
    assert members(connection, "placements_3plus", 2024, numerator=True) == {"RUTH"}
