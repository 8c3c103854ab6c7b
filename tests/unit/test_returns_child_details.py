"""A child registered by one return gains the other return's details (ChildDetailsRecorded).

Children of the synthetic authority both in need and starting to be looked after in
2023-24: their CIN census for 2024 is written from a record that holds no UPN (the census
says UPNunknown UN1), their SSDA903 return from one that holds no disabilities (it has
none to say). Imported in either order into an empty record judged by the rules, the
record then writes both returns as the full record does: the CIN census with the SSDA903's
UPN, and the disabilities the census gave."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from events import catalogue as contract
from events.catalogue import JourneyEvent
from events.sealing import KeyedNames
from journeys.application.service import JourneyApplication
from journeys.returns.child_details import ChildDetails, details_for_year, details_to_record
from journeys.returns.cin import cin_census, write_census
from journeys.returns.cin_import import events_of_census
from journeys.returns.cin_reading import read_census
from journeys.returns.record import counting
from journeys.returns.ssda903 import CollectionYear, ssda903, write_tables
from journeys.returns.ssda903_import import events_of_return
from journeys.returns.ssda903_reading import read_directory
from journeys.synthetic import AuthorityParameters, generate

NAMES = KeyedNames(b"test secret")
YEAR = 2024
DISABILITIES = ("AUT", "LD")


def _children_in_both(events: list[JourneyEvent]) -> set[str]:
    """Children with a referral and a first period of care in the collection year."""
    year = CollectionYear(YEAR)
    referred = {
        e.child_id
        for e in events
        if isinstance(e, contract.ReferralReceived) and year.holds(e.occurred_on)
    }
    first_period: dict[str, date] = {}
    for e in events:
        if isinstance(e, contract.PeriodOfCareStarted):
            first_period[e.child_id] = min(
                first_period.get(e.child_id, e.occurred_on), e.occurred_on
            )
    return {c for c, day in first_period.items() if year.holds(day) and c in referred}


@pytest.fixture(scope="module")
def record() -> list[JourneyEvent]:
    """The full record: the chosen children's events, every other one with disabilities."""
    params = AuthorityParameters(
        children=2500, from_year=2016, to_year=2025, seed=7, history_years=0
    )
    events = counting(generate(params))
    chosen = sorted(_children_in_both(events))
    assert len(chosen) >= 4
    disabled = set(chosen[::2])
    mine = [e for e in events if e.child_id in chosen]
    return [
        replace(e, disabilities=DISABILITIES)
        if isinstance(e, contract.ChildRegistered) and e.child_id in disabled
        else e
        for e in mine
    ]


def _registrations_with(record: list[JourneyEvent], **values: object) -> list[JourneyEvent]:
    return [replace(e, **values) if isinstance(e, contract.ChildRegistered) else e for e in record]


@pytest.fixture(scope="module")
def returns(record: list[JourneyEvent], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("returns")
    write_census(cin_census(_registrations_with(record, upn=None), YEAR, "371"), out / "cin.xml")
    write_tables(ssda903(_registrations_with(record, disabilities=()), YEAR), out / "ssda903")
    write_census(cin_census(record, YEAR, "371"), out / "expected.xml")
    write_tables(ssda903(record, YEAR), out / "expected")
    return out


def _import(
    kind: str, returns: Path, record: list[JourneyEvent], app: JourneyApplication
) -> list[JourneyEvent]:
    if kind == "cin":
        census = read_census(returns / "cin.xml")
        made = events_of_census(census, YEAR, "371", counting(record), NAMES)
        assert census.errors == []
    else:
        rows, errors = read_directory(returns / "ssda903")
        made = events_of_return(rows, YEAR, "371", counting(record), NAMES)
        assert errors == []
    assert made.errors == []
    for event in made.events:
        app.record(event)  # a refusal raises RuleViolation, naming the rule
    return made.events


@pytest.mark.parametrize("order", [("cin", "ssda903"), ("ssda903", "cin")])
def test_both_returns_imported_in_either_order_write_both_returns_whole(
    order: tuple[str, str], returns: Path, record: list[JourneyEvent], tmp_path: Path
) -> None:
    app = JourneyApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    imported: list[JourneyEvent] = []
    first = _import(order[0], returns, imported, app)
    imported.extend(first)
    second = _import(order[1], returns, imported, app)
    imported.extend(second)
    details = [e for e in second if isinstance(e, contract.ChildDetailsRecorded)]
    assert not any(
        isinstance(e, contract.EventRetracted | contract.ChildRegistered) for e in second
    )
    if order[1] == "ssda903":
        # The census said UN1 of every child: the SSDA903 gives each their UPN.
        assert len(details) == len({e.child_id for e in record})
        assert all(d.upn and not d.disabilities for d in details)
    else:
        # The SSDA903 said nothing of disabilities: the census gives them where there
        # are any (none is what the registration holds already).
        disabled = {e.child_id for e in record if getattr(e, "disabilities", ())}
        assert {d.child_id for d in details} == disabled
        assert {d.disabilities for d in details} == {DISABILITIES}
        assert all(d.upn is None for d in details)  # UN1 does not replace a UPN

    # Each import again adds nothing.
    for kind in order:
        assert _import(kind, returns, imported, app) == []

    # The children's identifiers and characteristics (UPN, disabilities) as the full
    # record writes them; the rest of each return is the round trip's, tested elsewhere
    # (here earlier years, and their CP plans, are not imported).
    write_census(cin_census(counting(imported), YEAR, "371"), tmp_path / "cin.xml")
    assert _details_of_children(tmp_path / "cin.xml") == _details_of_children(
        returns / "expected.xml"
    )
    write_tables(ssda903(counting(imported), YEAR), tmp_path / "ssda903")
    header = (tmp_path / "ssda903" / "header.csv").read_text()
    assert header == (returns / "expected" / "header.csv").read_text()


def _details_of_children(path: Path) -> list[str]:
    children = ElementTree.parse(path).getroot().iter("Child")
    return [
        ElementTree.tostring(child.find(part))  # type: ignore[arg-type]
        .decode()
        .strip()
        for child in children
        for part in ("ChildIdentifiers", "ChildCharacteristics")
    ]


def _registration(
    upn: str | None, year: int, source: str = "cin-import"
) -> contract.ChildRegistered:
    return contract.ChildRegistered(
        event_id=uuid.uuid4(),
        child_id="C1",
        local_authority="371",
        occurred_on=date(2010, 1, 1),
        recorded_at=datetime(year, 4, 1, tzinfo=UTC),
        source_system=source,
        date_of_birth=date(2010, 1, 1),
        sex="F",
        ethnicity="WBRI",
        upn=upn,
    )


def _details(
    upn: str | None, year: int, source: str = "ssda903-import", disabilities: tuple[str, ...] = ()
) -> contract.ChildDetailsRecorded:
    return contract.ChildDetailsRecorded(
        event_id=uuid.uuid4(),
        child_id="C1",
        local_authority="371",
        occurred_on=date(year, 4, 1),
        recorded_at=datetime(year, 4, 1, tzinfo=UTC),
        source_system=source,
        upn=upn,
        disabilities=disabilities,
    )


def test_a_year_imported_after_a_later_one_keeps_each_years_details() -> None:
    # The 2025 census registered the child with UPN C; the 2024 return, imported after,
    # said B: 2024's returns are written with B, 2025's with C, 2023's with C (nothing
    # was said by then but the registration).
    registration = _registration("C", 2025)
    stated = [_details("B", 2024)]
    assert details_for_year(registration, stated, 2024).upn == "B"
    assert details_for_year(registration, stated, 2025).upn == "C"
    assert details_for_year(registration, stated, 2023).upn == "C"


def test_details_stated_the_day_of_the_registration_follow_it() -> None:
    registration = _registration("A", 2024)
    assert details_for_year(registration, [_details("B", 2024)], 2024).upn == "B"
    none = _details(None, 2024, "cin-import", ("NONE",))
    assert details_for_year(registration, [none], 2024).disabilities == ()


def test_a_return_stating_again_what_it_said_adds_nothing() -> None:
    # The census registered the child with A, the SSDA903 then said B (held for 2024):
    # the census imported again says A, which it said already.
    registration = _registration("A", 2024)
    stated = [_details("B", 2024)]
    again = details_to_record(
        registration, stated, 2024, "cin-import", ChildDetails("A", ()), disabilities_stated=True
    )
    assert again is None
    # Another return saying A is new.
    other = details_to_record(
        registration, stated, 2024, "other-import", ChildDetails("A", ()), disabilities_stated=False
    )
    assert other == {"upn": "A"}


def test_a_reason_the_upn_is_not_known_does_not_replace_a_upn() -> None:
    registration = _registration("A123456789012", 2024, "ssda903-import")
    stated = details_to_record(
        registration, [], 2025, "cin-import", ChildDetails("UN1", ()), disabilities_stated=False
    )
    assert stated is None
    unknown = _registration("UN2", 2024, "ssda903-import")
    assert details_to_record(
        unknown, [], 2025, "cin-import", ChildDetails("UN1", ()), disabilities_stated=False
    ) == {"upn": "UN1"}
