"""What is due: each child's next statutory step due within a window, or overdue.

The steps and their timescales are statutory_duties.sql's (`due_items_as_of`), the same
the timeliness indicators count; this module asks for one holder of cases (a team, a
worker or a locality) on one day, as known at the end of that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import duckdb
import pyarrow as pa

DEFAULT_WINDOW_DAYS = 14

# The columns a due list shows, in order.
DUE_COLUMNS = (
    "local_authority",
    "locality",
    "team",
    "worker",
    "child_id",
    "duty",
    "due_on",
    "days_left",
    "detail",
)


@dataclass(frozen=True, slots=True)
class Holder:
    """Whose cases: any of a team, a worker, a locality (ids as allocations hold them),
    in one authority or in every authority of the record."""

    team: str | None = None
    worker: str | None = None
    locality: str | None = None
    local_authority: str | None = None

    def conditions(self, suffix: str = "") -> tuple[str, list[str]]:
        """SQL conditions on due_items_as_of's columns (with `suffix="_id"`, on the
        allocations table's `team_id`, `worker_id`, `locality_id`), and their parameters."""
        named = [
            (column, value)
            for column, value in (
                (f"team{suffix}", self.team),
                (f"worker{suffix}", self.worker),
                (f"locality{suffix}", self.locality),
                ("local_authority", self.local_authority),
            )
            if value is not None
        ]
        return "".join(f" and {column} = ?" for column, _ in named), [v for _, v in named]


def end_of(day: date) -> datetime:
    """The last moment of `day`, UTC: everything recorded that day counts."""
    return datetime.combine(day + timedelta(days=1), time(), UTC) - timedelta(microseconds=1)


def due_items(
    connection: duckdb.DuckDBPyConnection,
    holder: Holder,
    on: date,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> pa.Table:
    """The holder's children's steps due by `on` + `window_days` (overdue ones first), as
    known at the end of `on`; the case's holder is the allocation covering `on`."""
    if window_days < 0:
        raise ValueError(f"the window must be 0 days or more, not {window_days}")
    where, parameters = holder.conditions()
    # The child as the database names them: by the authority's own id in the identified
    # mode (a team manager's list), by pseudonym in the pseudonymised one (projections.privacy).
    columns = ", ".join(
        "coalesce(children.authority_child_id, items.child_id) as child_id"
        if column == "child_id"
        else f"items.{column}"
        for column in DUE_COLUMNS
    )
    moment = end_of(on).isoformat()
    return connection.sql(
        f"""
        select {columns}
        from due_items_as_of(cast(? as timestamptz), cast(? as date), ?) as items
        left join children_as_of(cast(? as timestamptz)) as children
            using (local_authority, child_id)
        where true{where}
        order by items.due_on, items.child_id, items.duty, items.subject_id
        """,
        params=[moment, on.isoformat(), window_days, moment, *parameters],
    ).to_arrow_table()
