"""The SSDA903 social worker episodes table (SWEpisodes, from the 2023-24 return), worked
by hand: one looked-after child's two years of social worker episodes imported into an
empty record, judged by the rules; the allocations they make, event by event; the table
written again the same; a year imported again adding nothing; no table before 2023-24."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from test_returns_import import imported_judged

from events import catalogue as contract
from events.sealing import KeyedNames
from journeys.returns.record import counting
from journeys.returns.social_workers import SW_EPISODES_FROM
from journeys.returns.ssda903 import FILES, ssda903, write_tables
from journeys.returns.ssda903_import import NOT_IN_RETURN, events_of_return
from journeys.returns.ssda903_reading import read_directory

NAMES = KeyedNames(b"test secret")
SW_FILE = FILES["SWEpisodes"]
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,1,01/06/2012,WBRI,,,\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    "PL_POST,URN\nC1,01/06/2023,S,C2,N1,U1,PR1,,,,,,\n"
)
SW_COLUMNS = "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n"
# A first allocation from the referral, before care; a change by management decision,
# held across 31 March 2024 (open in the 2024 file, ended in the 2025 one); the worker
# leaving, the new worker's allocation held at 31 March 2025.
SOCIAL_WORKERS = {
    2024: "C1,01/06/2012,SW123,10/01/2023,01/09/2023,FCONTA\n"
    "C1,01/06/2012,SW456,01/09/2023,,MANAGE\n",
    2025: "C1,01/06/2012,SW456,01/09/2023,01/05/2024,MANAGE\n"
    "C1,01/06/2012,SW789,01/05/2024,,LEFTRL\n",
}


def _returns(directory: Path) -> Path:
    for year, rows in SOCIAL_WORKERS.items():
        (directory / str(year)).mkdir(parents=True)
        (directory / str(year) / "a.csv").write_text(HEADER)
        (directory / str(year) / "b.csv").write_text(EPISODES)
        (directory / str(year) / "c.csv").write_text(SW_COLUMNS + rows)
    return directory


def test_the_episodes_are_the_childs_allocations_as_the_return_gives_them(tmp_path: Path) -> None:
    record, refused = imported_judged([2024, 2025], _returns(tmp_path))
    assert refused == []
    allocated = [e for e in record if isinstance(e, contract.CaseAllocated)]
    assert [
        (a.occurred_on, a.allocation_id, a.worker_id, a.team_id, a.locality_id, a.reason)
        for a in allocated
    ] == [
        (date(2023, 1, 10), "SW20230110", "SW123", NOT_IN_RETURN, NOT_IN_RETURN, "FCONTA"),
        (date(2023, 9, 1), "SW20230901", "SW456", NOT_IN_RETURN, NOT_IN_RETURN, "MANAGE"),
        (date(2024, 5, 1), "SW20240501", "SW789", NOT_IN_RETURN, NOT_IN_RETURN, "LEFTRL"),
    ]
    ended = [e for e in record if isinstance(e, contract.CaseAllocationEnded)]
    assert [(e.occurred_on, e.allocation_id) for e in ended] == [
        (date(2023, 9, 1), "SW20230110"),
        (date(2024, 5, 1), "SW20230901"),
    ]


def test_the_table_is_written_again_the_same_and_not_before_2023_24(tmp_path: Path) -> None:
    record, _ = imported_judged([2024, 2025], _returns(tmp_path / "in"))
    record = counting(record)
    for year, rows in SOCIAL_WORKERS.items():
        written = write_tables(ssda903(record, year), tmp_path / "out" / str(year))
        assert written["SWEpisodes"].read_text() == SW_COLUMNS + rows
    written = write_tables(ssda903(record, SW_EPISODES_FROM - 1), tmp_path / "out" / "2023")
    assert "SWEpisodes" not in written
    assert not (tmp_path / "out" / "2023" / SW_FILE).exists()


def test_a_year_imported_again_adds_nothing(tmp_path: Path) -> None:
    directory = _returns(tmp_path)
    record, _ = imported_judged([2024, 2025], directory)
    for year in (2024, 2025):
        rows, _ = read_directory(directory / str(year))
        assert events_of_return(rows, year, "371", counting(record), NAMES).events == []


def test_a_reason_not_in_the_dfe_list_is_named_and_the_rest_loads(tmp_path: Path) -> None:
    directory = _returns(tmp_path)
    (directory / "2024" / "c.csv").write_text(
        SW_COLUMNS + SOCIAL_WORKERS[2024].replace("MANAGE", "BOSSES")
    )
    rows, unread = read_directory(directory / "2024")
    assert [(e.file, e.line, e.field, e.rule) for e in unread] == [
        ("c.csv", 3, "SW_REASON", "unknown_code")
    ]
    made = events_of_return(rows, 2024, "371", counting([]), NAMES)
    allocated = [e for e in made.events if isinstance(e, contract.CaseAllocated)]
    assert [e.worker_id for e in allocated] == ["SW123"]


def test_an_allocation_with_no_reason_recorded_is_written_blank_and_listed(
    tmp_path: Path,
) -> None:
    record, _ = imported_judged([2024, 2025], _returns(tmp_path))
    # As a v1 message would have it: no reason.
    record = [
        replace(e, reason=None) if isinstance(e, contract.CaseAllocated) else e for e in record
    ]
    made = ssda903(counting(record), 2025)
    assert [row["SW_REASON"] for row in made.tables["SWEpisodes"]] == ["", ""]
    assert made.not_held[("SWEpisodes", "SW_REASON")] == 2
