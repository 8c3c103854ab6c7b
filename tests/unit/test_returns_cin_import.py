"""CIN census import: the hand-written censuses of tests/fixtures/cin (see its README)
imported into an empty record, every event judged by the rules of practice, give the
record and the indicators worked out by hand; the synthetic authority's censuses give
themselves back (export, import, export); a second import adds nothing; bad input is
named by file, line, field and rule while the rest of the file loads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from test_projection_builders import TOPIC, figures

from events.catalogue import JourneyEvent
from events.sealing import KeyedNames
from journeys.application.service import JourneyApplication
from journeys.domain.timeline import describe
from journeys.returns.cin import cin_census, write_census
from journeys.returns.cin_import import events_of_census
from journeys.returns.cin_reading import read_census
from journeys.returns.record import counting
from journeys.synthetic import AuthorityParameters, generate
from projections.database import open_in_memory
from projections.load import append, batch_of

# Ids keyed as an import keys them, by a secret of the test's own.
NAMES = KeyedNames(b"test secret")
FIXTURES = Path(__file__).parent.parent / "fixtures" / "cin"
D = date


def imported(files: dict[int, Path]) -> dict[int, list[JourneyEvent]]:
    """Each year's census imported in turn into an empty record, every event judged by
    the rules (a refusal raises RuleViolation, naming the rule)."""
    app = JourneyApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    record: list[JourneyEvent] = []
    made: dict[int, list[JourneyEvent]] = {}
    for year, path in files.items():
        census = read_census(path)
        converted = events_of_census(census, year, "371", counting(record), NAMES)
        assert census.errors == converted.errors == []
        for event in converted.events:
            app.record(event)
        made[year] = converted.events
        record.extend(converted.events)
    return made


@pytest.fixture(scope="module")
def imports() -> dict[int, list[JourneyEvent]]:
    return imported({year: FIXTURES / f"census_{year}.xml" for year in (2024, 2025)})


def summary(event: JourneyEvent) -> tuple[object, ...]:
    """(child, type, day, and what distinguishes it) of one event."""
    detail = {
        "ChildRegistered": ("sex", "ethnicity", "disabilities"),
        "ReferralReceived": ("referral_id", "source", "primary_need", "no_further_action"),
        "AssessmentStarted": ("assessment_id", "referral_id"),
        "AssessmentCompleted": ("assessment_id", "seen_alone_unknown", "factors"),
        "ChildInNeedPlanRecorded": ("referral_id", "ended_on"),
        "Section47Started": ("enquiry_id", "referral_id"),
        "ChildProtectionConferenceHeld": ("enquiry_id", "plan_required"),
        "ChildProtectionPlanStarted": ("plan_id", "category"),
        "ChildProtectionReviewConferenceHeld": ("plan_id", "plan_continues"),
        "ChildProtectionPlanEnded": ("plan_id",),
        "ReferralClosed": ("referral_id", "reason"),
    }.get(event.event_type, ())
    return (
        event.child_id,
        event.event_type,
        event.occurred_on,
        *(getattr(event, f) for f in detail),
    )


def test_2024_the_record_the_census_makes(imports: dict[int, list[JourneyEvent]]) -> None:
    # Amy: GenderCurrent 2 is F, ethnicity read whatever its case, NONE is no disability;
    # ReferralNFA false is what the export derives (work under the referral): not kept.
    # Her assessment is completed the day it was authorised, seen alone not recorded.
    # Ben: the enquiry's conference decided a plan (one starts that day); the review on
    # the day the plan ended decided it ends. Cal: ReferralNFA true for a referral closed
    # with nothing under it, as the export derives it: not kept; the re-referral open at
    # 31 March, its assessment not yet authorised, its CIN plan open.
    assert [summary(e) for e in imports[2024]] == [
        ("AMY", "ChildRegistered", D(2012, 4, 20), "F", "WBRI", ()),
        ("AMY", "ReferralReceived", D(2023, 5, 2), "RF20230502", "3A", "N1", None),
        ("AMY", "AssessmentStarted", D(2023, 5, 3), "AS20230503", "RF20230502"),
        ("AMY", "AssessmentCompleted", D(2023, 6, 9), "AS20230503", True, ("2A", "3B")),
        ("AMY", "ChildInNeedPlanRecorded", D(2023, 6, 12), "RF20230502", D(2024, 1, 15)),
        ("AMY", "ReferralClosed", D(2024, 2, 1), "RF20230502", "RC7"),
        ("BEN", "ChildRegistered", D(2015, 3, 14), "M", "MWBC", ("LD", "COMM")),
        ("BEN", "ReferralReceived", D(2023, 7, 3), "RF20230703", "5A", "N1", None),
        ("BEN", "Section47Started", D(2023, 7, 5), "S4720230705", "RF20230703"),
        ("BEN", "ChildProtectionConferenceHeld", D(2023, 7, 20), "S4720230705", True),
        ("BEN", "ChildProtectionPlanStarted", D(2023, 7, 20), "CP20230720", "NEG"),
        ("BEN", "ChildProtectionReviewConferenceHeld", D(2023, 10, 19), "CP20230720", True),
        ("BEN", "ChildProtectionPlanEnded", D(2024, 1, 18), "CP20230720"),
        ("BEN", "ChildProtectionReviewConferenceHeld", D(2024, 1, 18), "CP20230720", False),
        ("BEN", "ReferralClosed", D(2024, 3, 1), "RF20230703", "RC7"),
        ("CAL", "ChildRegistered", D(2019, 11, 30), "M", "ABAN", ()),
        ("CAL", "ReferralReceived", D(2023, 9, 4), "RF20230904", "1A", None, None),
        ("CAL", "ReferralClosed", D(2023, 9, 8), "RF20230904", "RC7"),
        ("CAL", "ReferralReceived", D(2024, 1, 10), "RF20240110", "2B", "N2", None),
        ("CAL", "AssessmentStarted", D(2024, 1, 11), "AS20240111", "RF20240110"),
        ("CAL", "ChildInNeedPlanRecorded", D(2024, 3, 1), "RF20240110", None),
    ]
    registered = {e.child_id: e for e in imports[2024] if e.event_type == "ChildRegistered"}
    # A UPN as written; a reason it is not known kept as its code.
    assert [registered[c].upn for c in ("AMY", "BEN", "CAL")] == [  # type: ignore[attr-defined]
        "K371310017582",
        "UN5",
        "UN1",
    ]


def test_the_timeline_says_seen_alone_is_not_recorded(
    imports: dict[int, list[JourneyEvent]],
) -> None:
    completed = next(e for e in imports[2024] if e.event_type == "AssessmentCompleted")
    assert describe(completed) == (
        "Assessment AS20230503 completed (child seen alone: not recorded; factors 2A, 3B)"
    )


def test_2025_what_is_new_and_a_correction(imports: dict[int, list[JourneyEvent]]) -> None:
    # Cal again (Sex M as his GenderCurrent 1 was: the registration adds nothing): the
    # referral and assessment start as recorded; the CIN plan now ended, the retraction
    # of the recorded plan and the corrected one; the assessment authorised; the closure.
    assert [summary(e) for e in imports[2025]] == [
        ("CAL", "EventRetracted", D(2024, 3, 1)),
        ("CAL", "ChildInNeedPlanRecorded", D(2024, 3, 1), "RF20240110", D(2024, 9, 30)),
        ("CAL", "AssessmentCompleted", D(2024, 4, 19), "AS20240111", True, ("21",)),
        ("CAL", "ReferralClosed", D(2024, 10, 15), "RF20240110", "RC7"),
    ]
    retraction = imports[2025][0]
    open_plan = imports[2024][-1]
    assert retraction.retracted_event_id == open_plan.event_id  # type: ignore[attr-defined]


def test_indicators_on_the_imported_record(imports: dict[int, list[JourneyEvent]]) -> None:
    connection = open_in_memory()
    append(connection, TOPIC, batch_of([e for year in (2024, 2025) for e in imports[year]]))
    # Year 2024 (1 April 2023 to 31 March 2024). Referrals received: Amy 2 May, Ben 3 Jul,
    # Cal 4 Sep and 10 Jan; Cal's second within 12 months of his first: 1 of 4.
    assert figures(connection, "re_referrals_12m", 2024) == (1, 4)
    # Assessments completed: Amy's, referral 2 May 2023 to 9 June 2023: working days
    # 3 May to 9 June, 28 weekdays less the bank holidays of 8 and 29 May: 26, within 45.
    assert figures(connection, "assessments_within_45_days", 2024) == (1, 1)
    # Year 2025: Cal's, referral 10 January 2024 to 19 April 2024: 72 weekdays from
    # 11 January less Good Friday and Easter Monday: 70, not within 45.
    assert figures(connection, "assessments_within_45_days", 2025) == (0, 1)
    # Seen alone is not recorded by the census: no assessment is in the cohort.
    assert figures(connection, "seen_alone", 2024) == (0, 0)


def test_importing_a_census_again_adds_nothing(imports: dict[int, list[JourneyEvent]]) -> None:
    record = counting(e for year in (2024, 2025) for e in imports[year])
    for year in (2024, 2025):  # the earlier year too: Cal's plan end is the record's
        census = read_census(FIXTURES / f"census_{year}.xml")
        assert events_of_census(census, year, "371", record, NAMES).events == []


def test_a_registration_the_census_contradicts_is_named_and_the_rest_loads(
    imports: dict[int, list[JourneyEvent]], tmp_path: Path
) -> None:
    record = counting(imports[2024])
    changed = tmp_path / "census.xml"
    text = (FIXTURES / "census_2025.xml").read_text()
    changed.write_text(text.replace("<Ethnicity>ABAN</Ethnicity>", "<Ethnicity>AIND</Ethnicity>"))
    converted = events_of_census(read_census(changed), 2025, "371", record, NAMES)
    assert [(e.file, e.line, e.field, e.rule) for e in converted.errors] == [
        ("census.xml", 19, "Ethnicity", "registration_differs")
    ]
    assert len(converted.events) == 4  # as test_2025_what_is_new_and_a_correction


# Bad input: (what is changed in the 2024 census, the error: line, field, rule, and the
# events that still load of the 21 of the whole file).
BAD = [
    (
        "<ReferralSource>5A</ReferralSource>",
        "<ReferralSource>5Z</ReferralSource>",
        (69, "ReferralSource", "unknown_code"),
        13,  # Ben's episode left out (8 events), his registration kept
    ),
    (
        "<AssessmentAuthorisationDate>2023-06-09</AssessmentAuthorisationDate>",
        "<AssessmentAuthorisationDate>09/06/2023</AssessmentAuthorisationDate>",
        (41, "AssessmentAuthorisationDate", "date_format"),
        19,  # Amy's assessment left out (started and completed), the rest of her episode kept
    ),
    (
        "<CPPstartDate>2023-07-20</CPPstartDate>",
        "",
        (80, "CPPstartDate", "required"),
        17,  # Ben's plan left out: its start, two reviews, its end; his conference decides none
    ),
    (
        "<LAchildID>CAL</LAchildID>",
        "<LAchildID></LAchildID>",
        (97, "LAchildID", "required"),
        15,  # Cal left out, with his episodes
    ),
]


@pytest.mark.parametrize(("old", "new", "expected", "loaded"), BAD, ids=[b[2][1] for b in BAD])
def test_a_bad_element_is_named_by_file_line_field_and_rule_and_the_rest_loads(
    tmp_path: Path, old: str, new: str, expected: tuple[int, str, str], loaded: int
) -> None:
    path = tmp_path / "census.xml"
    text = (FIXTURES / "census_2024.xml").read_text()
    assert text.count(old) == 1
    path.write_text(text.replace(old, new))
    census = read_census(path)
    assert [(e.file, e.line, e.field, e.rule) for e in census.errors] == [("census.xml", *expected)]
    converted = events_of_census(census, 2024, "371", [], NAMES)
    assert converted.errors == []
    app = JourneyApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    for event in converted.events:
        app.record(event)  # what loads keeps the rules
    assert len(converted.events) == loaded


def test_a_file_that_is_not_xml_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "census.xml"
    path.write_text("CHILD,DOB\nC1,01/01/2010\n")
    census = read_census(path)
    assert census.children == []
    assert [(e.file, e.line, e.field, e.rule) for e in census.errors] == [
        ("census.xml", 1, "<file>", "not_xml")
    ]


def test_an_episode_conference_names_the_enquiry_of_an_earlier_census(tmp_path: Path) -> None:
    # Ben's enquiry in the 2024 census; a 2025 census (made here) holds his episode again,
    # open, with a second initial conference on the episode (rule 2884) on 20 March 2024,
    # which belongs to the enquiry the record holds; no plan starts that day.
    first = imported({2024: FIXTURES / "census_2024.xml"})[2024]
    text = (FIXTURES / "census_2024.xml").read_text()
    # Ben's closure (its date is his alone, its reason the line after) replaced.
    closure = "<CINclosureDate>2024-03-01</CINclosureDate>\n        <ReasonForClosure>RC7<"
    assert text.count(closure) == 1
    later = text.replace("<Year>2024</Year>", "<Year>2025</Year>").replace(
        closure + "/ReasonForClosure>", "<DateOfInitialCPC>2024-03-20</DateOfInitialCPC>"
    )
    path = tmp_path / "census.xml"
    path.write_text(later)
    census = read_census(path)
    ben = [c for c in census.children if c.child_id == "BEN"]
    census.children = ben
    converted = events_of_census(census, 2025, "371", counting(first), NAMES)
    conferences = [e for e in converted.events if e.event_type == "ChildProtectionConferenceHeld"]
    assert [summary(e) for e in conferences] == [
        ("BEN", "ChildProtectionConferenceHeld", D(2024, 3, 20), "S4720230705", False)
    ]


# The synthetic authority's censuses: no history before 2016, so every referral, enquiry
# and plan starts in a file that is imported.
YEARS = range(2016, 2026)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    params = AuthorityParameters(
        children=2000, from_year=2016, to_year=2025, seed=7, history_years=0
    )
    events = counting(generate(params))
    out = tmp_path_factory.mktemp("exported")
    for year in YEARS:
        write_census(cin_census(events, year, "371"), out / f"{year}.xml")
    return out


def test_export_import_export_gives_the_same_files(exported: Path, tmp_path: Path) -> None:
    made = imported({year: exported / f"{year}.xml" for year in YEARS})
    record = counting(e for events in made.values() for e in events)
    # Corrections among them: CIN plans open at one 31 March and ended in the next year.
    assert any(e.event_type == "EventRetracted" for events in made.values() for e in events)
    for year in YEARS:
        again = write_census(cin_census(record, year, "371"), tmp_path / f"{year}.xml")
        assert again.read_text() == (exported / f"{year}.xml").read_text(), year
    # Every year imported again adds nothing.
    for year in YEARS:
        census = read_census(exported / f"{year}.xml")
        assert events_of_census(census, year, "371", record, NAMES).events == [], year
