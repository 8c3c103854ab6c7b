"""Projecting a history in pieces gives the same tables and indicators as one load.

The pieces go through the same bulk loader the runner uses, split at random offsets
(several seeds), so an incremental projection and a rebuild cannot drift apart.
"""

from __future__ import annotations

import random

import duckdb
import pytest

from journeys.synthetic import AuthorityParameters, generate
from projections.database import open_in_memory
from projections.load import append, batch_of

TOPIC = "care.journey.events"
TABLES = (
    "event_log", "consumed_offsets", "events", "children", "referrals", "assessments",
    "enquiries", "cp_plans", "periods_of_care", "legal_status_spells", "placement_spells",
    "placements", "personal_advisers", "care_leaver_contacts", "care_leaver_birthdays",
    "indicators", "indicator_children",
)  # fmt: skip


def contents(connection: duckdb.DuckDBPyConnection) -> dict[str, object]:
    return {
        table: connection.execute(f"select * from {table} order by all").to_arrow_table()
        for table in TABLES
    }


@pytest.mark.parametrize("seed", [1])
def test_projecting_in_pieces_equals_one_rebuild(seed: int) -> None:
    events = list(generate(AuthorityParameters(children=250, seed=seed)))
    whole = open_in_memory()
    append(whole, TOPIC, batch_of(events))

    pieces = open_in_memory()
    splits = sorted(random.Random(seed).sample(range(1, len(events)), 9))
    for start, end in zip([0, *splits], [*splits, len(events)], strict=True):
        append(pieces, TOPIC, batch_of(events[start:end], first_offset=start))

    expected, actual = contents(whole), contents(pieces)
    assert expected["indicators"].num_rows > 0
    assert expected["indicator_children"].num_rows > 0
    for table in TABLES:
        assert actual[table].equals(expected[table]), f"{table} differs"


def test_every_child_in_a_numerator_is_in_the_denominator_of_every_indicator() -> None:
    connection = open_in_memory()
    append(connection, TOPIC, batch_of(generate(AuthorityParameters(children=400, seed=9))))
    # Computed once each, then checked against each other.
    connection.execute("create temp table published as select * from indicators")
    connection.execute("create temp table drill_down as select * from indicator_children")
    assert connection.execute(
        "select count(*) from published where numerator > denominator"
    ).fetchone() == (0,)
    assert connection.execute(
        "select count(*) from published where rate is distinct from "
        "case when denominator = 0 then null else numerator / denominator end"
    ).fetchone() == (0,)
    # Each indicator and year: the drill-down counts equal the published figures.
    assert connection.execute(
        """
        select count(*)
        from published
        full outer join (
            select indicator, year, count(*) filter (where in_numerator) as numerator,
                count(*) as denominator
            from drill_down group by all
        ) as drilled using (indicator, year)
        where coalesce(drilled.numerator, 0) <> published.numerator
           or coalesce(drilled.denominator, 0) <> published.denominator
        """
    ).fetchone() == (0,)
    assert (
        connection.execute(
            "select count(distinct indicator) from published where denominator > 0"
        ).fetchone()[0]
        >= 10
    )  # type: ignore[index]
