"""The projection keeps each event_id once (issue 11, item 6).

The embedded broker hands records of aborted transactions to read_committed readers, so
the events topic can hold an event twice: the aborted copy, then the committed retry
(same event_id, another offset). The first copy is kept, the later one skipped and
counted, and the tables and indicators are those of the record with the event once.
"""

from __future__ import annotations

from datetime import date as d

import duckdb
import pyarrow as pa

from events.catalogue import JourneyEvent
from journeys.synthetic import AuthorityParameters, generate
from projections.database import open_in_memory
from projections.load import append, batch_of

TOPIC = "care.journey.events"
TABLES = (
    "events", "children", "referrals", "placements", "periods_of_care", "indicators",
    "indicator_children",
)  # fmt: skip


def history() -> list[JourneyEvent]:
    return list(generate(AuthorityParameters(children=60, seed=31)))


def contents(connection: duckdb.DuckDBPyConnection) -> dict[str, pa.Table]:
    """Every table, without the Kafka positions (a copy moves the events after it)."""
    found = {}
    for table in ("event_log", *TABLES):
        columns = connection.sql(f"select * from {table}").columns
        positions = [name for name in ("kafka_partition", "kafka_offset") if name in columns]
        exclude = f"exclude ({', '.join(positions)})" if positions else ""
        found[table] = connection.sql(
            f"select * {exclude} from {table} order by all"
        ).to_arrow_table()
    return found


def once(events: list[JourneyEvent]) -> dict[str, pa.Table]:
    connection = open_in_memory()
    assert append(connection, TOPIC, batch_of(events)) == 0
    return contents(connection)


def skipped(connection: duckdb.DuckDBPyConnection) -> list[tuple[int, int]]:
    return connection.execute(
        "select kafka_partition, kafka_offset from skipped_copies order by all"
    ).fetchall()


def test_an_event_twice_in_one_batch_is_projected_once_and_the_copy_counted() -> None:
    events = history()
    repeated = events[10]
    connection = open_in_memory()
    # The copy right after the original, as a retry after an aborted transaction lands.
    assert append(connection, TOPIC, batch_of([*events[:11], repeated, *events[11:]])) == 1
    assert skipped(connection) == [(0, 11)]
    assert connection.execute("select count(*) from event_log").fetchone() == (len(events),)
    assert connection.execute(
        "select kafka_offset from event_log where event_id = ?", [str(repeated.event_id)]
    ).fetchall() == [(10,)]  # the first copy is the one kept
    expected, actual = once(events), contents(connection)
    assert expected["indicators"].num_rows > 0
    for table in expected:
        assert actual[table].equals(expected[table]), f"{table} differs"


def test_a_copy_in_a_later_load_is_skipped_and_so_is_one_on_another_partition() -> None:
    events = history()
    connection = open_in_memory()
    assert append(connection, TOPIC, batch_of(events[:30])) == 0
    assert append(connection, TOPIC, batch_of([events[5], *events[30:]], first_offset=30)) == 1
    assert append(connection, TOPIC, batch_of([events[7]], partition=1)) == 1
    assert skipped(connection) == [(0, 30), (1, 0)]
    assert connection.execute(
        "select next_offset from consumed_offsets order by all"
    ).fetchall() == [(1,), (len(events) + 1,)]  # the copies were read, and are not read again
    expected, actual = once(events), contents(connection)
    for table in expected:
        assert actual[table].equals(expected[table]), f"{table} differs"


def test_a_later_copy_of_a_retraction_stamped_earlier_never_counts() -> None:
    # A period recorded on 2 May, retracted on 1 June; a later copy of that retraction at
    # a later offset says 10 May. The copy is skipped, so the period counts until 1 June
    # in the kept tables as in the replay of the log: on 20 May it is still there.
    from dataclasses import replace

    from journey_builders import Child, at

    child = Child("R", born=d(2010, 1, 1))
    period = child.period("pc1", d(2014, 5, 1), recorded_at=at(2014, 5, 2))
    retraction = child.retract(period, at(2014, 6, 1))
    copy = replace(retraction, occurred_on=d(2014, 5, 10), recorded_at=at(2014, 5, 10))
    connection = open_in_memory()
    append(connection, TOPIC, batch_of(child.events))
    assert append(connection, TOPIC, batch_of([copy], first_offset=len(child.events))) == 1
    on_20_may = "2014-05-20T00:00:00+00:00"
    kept = connection.execute(
        "select period_id from periods_of_care_as_of(?::timestamptz)", [on_20_may]
    ).fetchall()
    replayed = connection.execute(
        "select period_id from periods_of_care_replayed_as_of(?::timestamptz)", [on_20_may]
    ).fetchall()
    assert kept == replayed == [("pc1",)]
