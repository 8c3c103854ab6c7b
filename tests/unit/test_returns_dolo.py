"""The SSDA903 DoLo table (deprivation of liberty orders, from the 2026-27 return): the
synthetic authority's looked-after children given orders, exported, imported into an empty
record judged by the rules, exported again: the same files; an order in force at 31 March
is shown in force, its end in the next year's file; an earlier year imported again keeps
the end the later one gave."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from test_returns_import import assert_same_files, imported_judged

from events import catalogue as contract
from events.catalogue import JourneyEvent
from events.sealing import KeyedNames
from journeys.returns.record import counting
from journeys.returns.ssda903 import DOLO_FROM, FILES, ssda903, write_tables
from journeys.returns.ssda903_import import events_of_return
from journeys.returns.ssda903_reading import read_directory
from journeys.synthetic import AuthorityParameters, generate

NAMES = KeyedNames(b"test secret")
YEARS = range(2016, 2029)
STARTED, ENDED = date(2026, 10, 1), date(2027, 6, 30)


def _looked_after_throughout(events: list[JourneyEvent]) -> list[str]:
    """Children in a period of care from before STARTED to after ENDED."""
    started = {
        (e.child_id, e.period_id): e.occurred_on  # type: ignore[attr-defined]
        for e in events
        if isinstance(e, contract.PeriodOfCareStarted)
    }
    ended = {
        (e.child_id, e.period_id): e.occurred_on  # type: ignore[attr-defined]
        for e in events
        if isinstance(e, contract.PeriodOfCareEnded)
    }
    return sorted(
        {
            child
            for (child, period), day in started.items()
            if day < STARTED and ended.get((child, period), date.max) > ENDED
        }
    )


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    params = AuthorityParameters(
        children=2500, from_year=2016, to_year=2028, seed=7, history_years=0
    )
    events = counting(generate(params))
    children = _looked_after_throughout(events)[:3]
    assert len(children) == 3
    ordered = [
        contract.DeprivationOfLibertyOrdered(
            event_id=uuid.uuid4(),
            child_id=child,
            local_authority="371",
            occurred_on=STARTED,
            recorded_at=datetime(2027, 1, 1, tzinfo=UTC),
            source_system="test",
            ended_on=ENDED if index else None,  # the first still in force
        )
        for index, child in enumerate(children)
    ]
    out = tmp_path_factory.mktemp("exported")
    for year in YEARS:
        write_tables(ssda903([*events, *ordered], year), out / str(year))
    return out


def _imported(exported: Path) -> list[JourneyEvent]:
    """Every year imported in turn, each event judged by the rules, no row refused."""
    record, refused = imported_judged(list(YEARS), exported)
    assert refused == []
    return record


def test_the_dolo_table_is_in_the_returns_from_2026_27_only(exported: Path) -> None:
    name = FILES["DoLo"]
    assert not (exported / str(DOLO_FROM - 1) / name).exists()
    assert len(_children(exported / "2027" / name)) == 3
    assert (exported / "2027" / name).read_text().splitlines()[1:] == [
        f"{child},{dob},01/10/2026," for child, dob in _children(exported / "2027" / name)
    ]
    ends = [
        line.rsplit(",", 1)[1] for line in (exported / "2028" / name).read_text().splitlines()[1:]
    ]
    assert sorted(ends) == ["", "30/06/2027", "30/06/2027"]


def _children(path: Path) -> list[tuple[str, str]]:
    return [tuple(line.split(",")[:2]) for line in path.read_text().splitlines()[1:]]  # type: ignore[misc]


def test_export_import_export_gives_the_same_dolo_files(exported: Path, tmp_path: Path) -> None:
    record = counting(_imported(exported))
    orders = [e for e in record if isinstance(e, contract.DeprivationOfLibertyOrdered)]
    assert sorted(str(o.ended_on) for o in orders) == ["2027-06-30", "2027-06-30", "None"]
    for year in (2027, 2028):
        write_tables(ssda903(record, year), tmp_path / str(year))
        assert_same_files(exported / str(year), tmp_path / str(year))


def test_the_earlier_year_imported_again_keeps_the_later_end(exported: Path) -> None:
    record = counting(_imported(exported))
    rows, _ = read_directory(exported / "2027")
    assert events_of_return(rows, 2027, "371", record, NAMES).events == []
