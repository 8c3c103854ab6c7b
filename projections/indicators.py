"""Reading the indicators: for one year, as known at a moment, in the catalogue's order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import duckdb
import pyarrow as pa

from projections.breakdowns import AGE_BANDS, BREAKDOWNS

# The moments --as-of can name: Python's datetimes, less the last day, whose end would be
# the first moment of year 10000.
EARLIEST_AS_OF = date.min
LATEST_AS_OF = date.max - timedelta(days=1)


def as_known_at(text: str) -> datetime:
    """Parse --as-of: an ISO 8601 timestamp (no zone = UTC) or a date (= the end of that
    day, UTC: everything recorded on that date counts)."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1), time(), UTC) - timedelta(
                microseconds=1
            )
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise ValueError(
            f"--as-of must be an ISO 8601 date or timestamp from {EARLIEST_AS_OF} to "
            f"{LATEST_AS_OF} (e.g. 2024-04-01 or 2024-04-01T09:00:00Z), not {text!r}"
        ) from None


def indicators_for_year(
    connection: duckdb.DuckDBPyConnection,
    year: int,
    as_of: datetime | None = None,
    by: Sequence[str] = (),
) -> pa.Table:
    """indicator, year, numerator, denominator, rate for `year`, one row per indicator.

    `by` names breakdowns (projections.breakdowns.BREAKDOWNS), in the order their columns
    come after `year`: one row per indicator per group. Without it, the pooled figure of
    every authority in the record (the sums of their numerators and denominators).
    """
    unknown = [name for name in by if name not in BREAKDOWNS]
    if unknown:
        raise ValueError(
            f"--by must name breakdowns of {', '.join(BREAKDOWNS)}, not {', '.join(unknown)}"
        )
    chosen = list(dict.fromkeys(by))
    moment = "infinity" if as_of is None else as_of.isoformat()
    flags = ", ".join(
        f"by_{name} := {'true' if name in chosen else 'false'}" for name in BREAKDOWNS
    )
    columns = "".join(f"{name}, " for name in chosen)
    order = "".join(f", {_ordering(name)}" for name in chosen)
    # connection.sql, not .execute: DuckDB warns that Arrow from an execute() result
    # makes an extra copy of the rows (a UserWarning on every `journeys indicators`).
    return connection.sql(
        f"""
        select indicator, year, {columns}numerator, denominator, rate
        from indicators_by(cast(? as timestamptz), {flags})
        join indicator_definitions using (indicator)
        where year = ?
        order by indicator_definitions.position, indicator{order}
        """,
        params=[moment, year],
    ).to_arrow_table()


def _ordering(breakdown: str) -> str:
    """How a breakdown's groups are ordered: age bands youngest first, the rest by name."""
    if breakdown != "age_band":
        return breakdown
    bands = ", ".join(f"'{band}'" for band, _ in reversed(AGE_BANDS))
    return f"coalesce(list_position([{bands}], age_band), {len(AGE_BANDS) + 1})"


def authorities_without_population(
    connection: duckdb.DuckDBPyConnection, year: int, as_of: datetime | None = None
) -> list[str]:
    """The authorities with data in `year` but no population loaded for it: their rates
    per 10,000 children are null (projections.population)."""
    moment = "infinity" if as_of is None else as_of.isoformat()
    rows = connection.execute(
        """
        select distinct years.local_authority
        from authority_years_as_of(cast(? as timestamptz)) as years
        where years.year = ?
          and exists (select 1 from indicator_definitions where kind = 'per_10k_children')
          and not exists (
              select 1 from population
              where population.local_authority = years.local_authority
                and population.year = years.year
          )
        order by 1
        """,
        [moment, year],
    ).fetchall()
    return [code for (code,) in rows]
