"""The figures of a supervision meeting: a team's (or a worker's) beside the team's and
the authority's, their trends by month, and the due list.

Everything comes from one read of the authority's drill-down rows with who held the case
on each row's own day (`indicator_children_held_as_of`, projections/definitions.py: not
the child's sex, age band or ethnic group, which the page does not show), as known at the
end of the day of the meeting, so every figure of the page is a sum of the same rows: the
team's over its rows, the authority's over all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from projections.due import Holder, due_items, end_of
from projections.exceptions import HolderNotFound

# Indicators counted on a fixed day of the year (31 March) have one point a year: they
# are in the table, not among the monthly trends.
_FIXED_DAY = "31 March"
TREND_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Count:
    """A numerator over a denominator."""

    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator


@dataclass(frozen=True, slots=True)
class IndicatorFigures:
    """One indicator in the reporting year: the worker's (if asked), the team's, the
    authority's."""

    indicator: str
    title: str
    case_held_on: str
    team: Count
    authority: Count
    worker: Count | None = None


@dataclass(frozen=True, slots=True)
class Trend:
    """One indicator month by month: (first day of the month, count) per series."""

    indicator: str
    title: str
    months: tuple[date, ...]
    series: dict[str, tuple[Count, ...]]  # "worker", "team", "authority"


@dataclass(frozen=True, slots=True)
class SupervisionFigures:
    holder: Holder
    local_authority: str
    year: int
    on: date
    figures: tuple[IndicatorFigures, ...]
    trends: tuple[Trend, ...]
    due: tuple[dict[str, object], ...]


def reporting_year_of(day: date) -> int:
    return day.year + (1 if day.month >= 4 else 0)


def authority_of(connection: duckdb.DuckDBPyConnection, holder: Holder) -> str:
    """The one authority whose allocations name the holder's team (and worker)."""
    where, parameters = holder.conditions(suffix="_id")
    found = [
        code
        for (code,) in connection.execute(
            f"select distinct local_authority from allocations where true{where} order by 1",
            parameters,
        ).fetchall()
    ]
    if not found:
        raise HolderNotFound(
            f"no case allocation names {_named(holder)}: check the id (the authority's own)"
        )
    if len(found) > 1:
        raise HolderNotFound(
            f"{_named(holder)} is in the allocations of authorities {', '.join(found)}: "
            "name one with --local-authority"
        )
    return found[0]


def _named(holder: Holder) -> str:
    parts = [
        f"{kind} {value!r}"
        for kind, value in (("team", holder.team), ("worker", holder.worker))
        if value
    ]
    return " and ".join(parts) or "that holder"


def _months_ending(on: date) -> tuple[date, ...]:
    first = date(on.year, on.month, 1)
    months = []
    for back in range(TREND_MONTHS - 1, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        months.append(date(index // 12, index % 12 + 1, 1))
    return tuple(months)


def supervision_figures(
    connection: duckdb.DuckDBPyConnection,
    holder: Holder,
    on: date,
    year: int | None = None,
) -> SupervisionFigures:
    """The page's figures for `holder` (a team, optionally one of its workers) on `on`."""
    if holder.team is None:
        raise HolderNotFound("a supervision page is for a team: name its --team")
    authority = holder.local_authority or authority_of(connection, holder)
    holder = Holder(team=holder.team, worker=holder.worker, local_authority=authority)
    year = reporting_year_of(on) if year is None else year
    months = _months_ending(on)
    connection.execute(
        """
        create or replace temp table supervision_rows as
        select indicator, year, on_date, in_numerator, team, worker,
            cast(date_trunc('month', on_date) as date) as month
        from indicator_children_held_as_of(cast(? as timestamptz))
        where local_authority = ?
          and (year = ? or on_date between ? and ?)
        """,
        [end_of(on).isoformat(), authority, year, months[0], on],
    )
    definitions = connection.execute(
        "select indicator, title, case_held_on from indicator_definitions "
        "where kind = 'proportion' order by position, indicator"
    ).fetchall()
    year_counts = _counts(connection, holder, "year = $year", "indicator", year=year)
    month_counts = _counts(
        connection,
        holder,
        "month >= $month and on_date <= $on",
        "indicator, month",
        month=months[0],
        on=on,
    )
    figures = tuple(
        _figures_of(year_counts.get((indicator,), _NONE), indicator, title, held_on, holder)
        for indicator, title, held_on in definitions
    )
    trends = tuple(
        trend
        for indicator, title, held_on in definitions
        if held_on != _FIXED_DAY
        for trend in [_trend_of(month_counts, indicator, title, holder, months)]
        # A chart with nothing to draw for anyone is left out.
        if any(count.denominator for count in trend.series["authority"])
    )
    due = tuple(due_items(connection, holder, on).to_pylist())
    connection.execute("drop table supervision_rows")
    return SupervisionFigures(holder, authority, year, on, figures, trends, due)


_COUNTS = """
select
    {keys},
    count(*) filter (where in_numerator and {worker}),
    count(*) filter (where {worker}),
    count(*) filter (where in_numerator and team = $team),
    count(*) filter (where team = $team),
    count(*) filter (where in_numerator),
    count(*)
from supervision_rows
where {where}
group by {keys}
"""
# Counts of an indicator (or month) with no rows.
_NONE = (0, 0, 0, 0, 0, 0)


def _counts(
    connection: duckdb.DuckDBPyConnection,
    holder: Holder,
    where: str,
    keys: str,
    **parameters: object,
) -> dict[tuple[object, ...], tuple[int, ...]]:
    """(worker, team, authority) numerators and denominators by `keys`, in one query."""
    worker = "team = $team and worker = $worker" if holder.worker else "false"
    named: dict[str, object] = {"team": holder.team, **parameters}
    if holder.worker:
        named["worker"] = holder.worker
    rows = connection.execute(
        _COUNTS.format(keys=keys, worker=worker, where=where), named
    ).fetchall()
    width = len(keys.split(","))
    return {tuple(row[:width]): tuple(row[width:]) for row in rows}


def _figures_of(
    counts: tuple[int, ...], indicator: str, title: str, held_on: str, holder: Holder
) -> IndicatorFigures:
    worker_n, worker_d, team_n, team_d, all_n, all_d = counts
    return IndicatorFigures(
        indicator,
        title,
        held_on,
        team=Count(team_n, team_d),
        authority=Count(all_n, all_d),
        worker=Count(worker_n, worker_d) if holder.worker else None,
    )


def _trend_of(
    counts: dict[tuple[object, ...], tuple[int, ...]],
    indicator: str,
    title: str,
    holder: Holder,
    months: tuple[date, ...],
) -> Trend:
    names = [("team", 2), ("authority", 4)]
    if holder.worker:
        names.insert(0, ("worker", 0))
    series = {
        name: tuple(Count(*counts.get((indicator, month), _NONE)[at : at + 2]) for month in months)
        for name, at in names
    }
    return Trend(indicator, title, months, series)
