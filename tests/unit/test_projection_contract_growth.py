"""A projection database made before the contract gained event types opens and loads them.

The event log has a column per field of the contract; a database made by an earlier release
lacks the columns of fields added since. Opening it adds them (null for the events loaded
before), and rows are inserted by column name, so the added columns' place at the end of the
table does not matter.
"""

from __future__ import annotations

from datetime import date as d

import duckdb
from journey_builders import Child

from projections.database import install
from projections.load import append, batch_of

TOPIC = "care.journey.events"
# Fields that came with the issue 13 event types, in the middle of the column order.
LATER_FIELDS = ("participation", "up_to_date", "mother_attended", "decision_id")


def test_an_older_event_log_gains_the_new_columns_and_loads_new_events() -> None:
    # A database with events, as an earlier release left it: without the later columns.
    connection = duckdb.connect(":memory:")
    install(connection)
    before = Child("B", born=d(2010, 1, 1))
    before.referral("r1", d(2018, 1, 1))
    append(connection, TOPIC, batch_of(before.events))
    for name in LATER_FIELDS:
        connection.execute(f"alter table event_log drop column {name}")

    install(connection)
    after = Child("A", born=d(2010, 1, 1))
    after.period("pc1", d(2018, 1, 1))
    after.review(d(2018, 2, 1), "PN5")
    append(connection, TOPIC, batch_of(after.events, first_offset=len(before.events)))

    columns = [row[0] for row in connection.execute("describe event_log").fetchall()]
    assert columns[-len(LATER_FIELDS) :] == list(LATER_FIELDS)
    assert connection.execute(
        "select child_id, participation from statutory_reviews"
    ).fetchall() == [("A", "PN5")]
    assert connection.execute(
        "select referral_id, participation from event_log where event_type = 'ReferralReceived'"
    ).fetchall() == [("r1", None)]
