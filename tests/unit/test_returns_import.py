"""SSDA903 import: the round trip (export, import into an empty record judged by the
rules of practice, export again: the same files), a second import adding nothing, and
bad input reported by file, line, field and rule while the rest of the file loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from events.catalogue import JourneyEvent
from events.sealing import KeyedNames
from journeys.application.service import JourneyApplication
from journeys.returns.record import counting
from journeys.returns.ssda903 import ssda903, write_tables
from journeys.returns.ssda903_import import events_of_return
from journeys.returns.ssda903_reading import RowError, read_directory, read_file
from journeys.synthetic import AuthorityParameters, generate

# Ids keyed as an import keys them, by a secret of the test's own.
NAMES = KeyedNames(b"test secret")

YEARS = range(2016, 2026)
FIXTURES = Path(__file__).parent.parent / "fixtures" / "ssda903"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # No history before 2016: every period of care starts in a file that is imported.
    params = AuthorityParameters(
        children=2500, from_year=2016, to_year=2025, seed=7, history_years=0
    )
    events = counting(generate(params))
    out = tmp_path_factory.mktemp("exported")
    for year in YEARS:
        write_tables(ssda903(events, year), out / str(year))
    return out


def imported(exported: Path) -> list[JourneyEvent]:
    """Each year imported in turn into an empty record, every event judged by the rules."""
    app = JourneyApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    record: list[JourneyEvent] = []
    for year in YEARS:
        rows, errors = read_directory(exported / str(year))
        made = events_of_return(rows, year, "371", counting(record), NAMES)
        assert errors == made.errors == []
        for event in made.events:
            app.record(event)  # a refusal raises RuleViolation, naming the rule
        record.extend(made.events)
    return record


def test_export_import_export_gives_the_same_files(exported: Path, tmp_path: Path) -> None:
    record = counting(imported(exported))
    for year in YEARS:
        write_tables(ssda903(record, year), tmp_path / str(year))
        assert_same_files(exported / str(year), tmp_path / str(year))


def assert_same_files(expected: Path, written: Path) -> None:
    """Each file of `expected` written again, the same, in `written`."""
    for first in sorted(expected.iterdir()):
        again = written / first.name
        assert again.read_text() == first.read_text(), f"{written.name}/{first.name}"


def test_importing_a_year_again_adds_nothing(exported: Path) -> None:
    record = counting(imported(exported))
    rows, _ = read_directory(exported / "2025")
    assert events_of_return(rows, 2025, "371", record, NAMES).events == []


def test_a_later_year_changing_an_earlier_row_is_a_retraction_and_the_correction(
    exported: Path, tmp_path: Path
) -> None:
    # A placement recorded in 2024-25 with its provider PR1; the 2025 file says PR4.
    record = counting(imported(exported))
    changed = tmp_path / "2025"
    changed.mkdir()
    for file in (exported / "2025").iterdir():
        (changed / file.name).write_text(file.read_text())
    episodes = (changed / "episodes.csv").read_text().splitlines()
    line = next(i for i, row in enumerate(episodes) if ",PR1," in row)
    episodes[line] = episodes[line].replace(",PR1,", ",PR4,", 1)
    (changed / "episodes.csv").write_text("\n".join(episodes) + "\n")
    rows, _ = read_directory(changed)
    events = events_of_return(rows, 2025, "371", record, NAMES).events
    assert [e.event_type for e in events] == ["EventRetracted", "PlacementStarted"]
    retraction, corrected = events
    assert corrected.provider == "PR4"  # type: ignore[attr-defined]
    assert retraction.retracted_event_id in {e.event_id for e in record}  # type: ignore[attr-defined]


REVIEWS = "CHILD,DOB,REVIEW,REVIEW_CODE\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    "PL_POST,URN\n"
)
BAD = [
    # (file, what it holds, the error: line, field, rule); each file's other row loads.
    (
        "missing_column.csv",
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER\nC1,1,01/01/2010,WBRI,,0\n",
        (1, "MC_DOB", "missing_column"),
    ),
    (
        "bad_date.csv",
        REVIEWS + "C1,01/01/2010,2023-05-01,PN1\nC1,01/01/2010,01/06/2023,PN1\n",
        (2, "REVIEW", "date_format"),
    ),
    (
        "unknown_code.csv",
        REVIEWS + "C1,01/01/2010,01/05/2023,PN9\nC1,01/01/2010,01/06/2023,PN1\n",
        (2, "REVIEW_CODE", "unknown_code"),
    ),
    (
        "ends_before_start.csv",
        EPISODES
        + "C1,01/05/2023,S,C2,N1,U4,PR1,01/04/2023,E8,,,,\n"
        + "C2,01/05/2023,S,C2,N1,U4,PR1,,,,,,\n",
        (2, "DEC", "ends_before_start"),
    ),
]


@pytest.mark.parametrize(("name", "content", "expected"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_row_is_named_by_file_line_field_and_rule_and_the_rest_loads(
    tmp_path: Path, name: str, content: str, expected: tuple[int, str, str]
) -> None:
    path = tmp_path / name
    path.write_text(content)
    rows, errors = read_file(path)
    assert [(e.file, e.line, e.field, e.rule) for e in errors] == [(name, *expected)]
    assert len(rows) == content.count("\n") - 1 - (expected[0] > 1)


def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_bytes(
        b"\xef\xbb\xbfCHILD,DOB,REVIEW,REVIEW_CODE\r\nC1,01/01/2010,01/05/2023,PN1\r\n"
    )
    rows, errors = read_file(path)
    assert errors == []
    assert [(r.table, r.text("CHILD"), r.text("REVIEW_CODE")) for r in rows] == [
        ("Reviews", "C1", "PN1")
    ]


def test_a_file_that_is_no_ssda903_table_is_named(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("LAchildID,Note\nC1,hello\n")
    rows, errors = read_file(path)
    assert rows == []
    assert [(e.line, e.field, e.rule) for e in errors] == [(1, "<header>", "unknown_table")]


def imported_judged(years: list[int], directory: Path) -> tuple[list[JourneyEvent], list[RowError]]:
    """The years imported in turn, every event judged by the rules (one refused raises)."""
    app = JourneyApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    record: list[JourneyEvent] = []
    errors: list[RowError] = []
    for year in years:
        rows, unread = read_directory(directory / str(year))
        made = events_of_return(rows, year, "371", counting(record), NAMES)
        assert unread == []
        errors.extend(made.errors)
        for event in made.events:
            app.record(event)
        record.extend(made.events)
    return record, errors


def test_a_later_year_first_names_what_needs_the_earlier_and_loads_when_it_is_in(
    tmp_path: Path,
) -> None:
    # The hand-written 2025 return first: the children whose periods of care started in
    # an earlier return are named, the year to import first said, and their episodes and
    # the items of their care left out (each row named); then 2023, 2024 and 2025 again:
    # the record of the years imported in order.
    _, refused = imported_judged([2025], FIXTURES)
    assert {e.rule for e in refused} == {"period_not_known"}
    episode = next(e for e in refused if e.field == "RNE")
    assert "(the 2024 return or earlier) first, then the 2025 return again" in episode.message
    assert {e.field for e in refused} == {"RNE", "CHILD"}  # an episode, an item of care
    record, errors = imported_judged([2025, 2023, 2024, 2025], FIXTURES)
    assert errors == refused
    in_order, _ = imported_judged([2023, 2024, 2025], FIXTURES)
    for year in (2023, 2024, 2025):
        write_tables(ssda903(counting(record), year), tmp_path / "any" / str(year))
        write_tables(ssda903(counting(in_order), year), tmp_path / "in_order" / str(year))
        assert_same_files(tmp_path / "in_order" / str(year), tmp_path / "any" / str(year))


def test_a_care_leavers_contact_before_their_care_is_imported_is_named() -> None:
    _, refused = imported_judged([2024], FIXTURES)
    assert [(e.file, e.field, e.rule) for e in refused] == [
        ("leavers.csv", "CHILD", "care_not_known")
    ]
    assert "then the 2024 return again" in refused[0].message
