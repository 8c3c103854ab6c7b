"""The event log's columns: the envelope, every field of every event type, and the offset.

One wide row per event keeps loading a single bulk append whatever the event type; the
analyst-facing tables are SQL over this log (see `sql/`). Columns are derived from the
event catalogue, so a field added to the contract gets its column here without a second
list to keep in step. Two event types sharing a field name (`reason`, `referral_id`, ...)
share one column: the names carry the same meaning wherever they appear, and
`event_type` says which event a row is.
"""

from __future__ import annotations

import types
import typing
import uuid
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from events.catalogue import ENVELOPE_FIELDS, EVENT_CLASSES, fields_of

# Kafka position of the event: the key that makes a reload of the same message detectable.
POSITION_COLUMNS: tuple[tuple[str, pa.DataType, str], ...] = (
    ("kafka_partition", pa.int32(), "integer"),
    ("kafka_offset", pa.int64(), "bigint"),
)

# Filled by the runner from the key store, not read off the wire (projections.privacy):
# the dates the indicators need of a child (on the ChildRegistered row) and, in the
# identified mode only, the authority's own id for the child.
DERIVED_COLUMNS: tuple[tuple[str, pa.DataType, str], ...] = (
    ("birthdays", pa.list_(pa.date32()), "date[]"),
    ("reaches_15y9m_on", pa.date32(), "date"),
    ("authority_child_id", pa.string(), "varchar"),
)

_ARROW_AND_DUCKDB: dict[Any, tuple[pa.DataType, str]] = {
    str: (pa.string(), "varchar"),
    bool: (pa.bool_(), "boolean"),
    date: (pa.date32(), "date"),
    datetime: (pa.timestamp("us", tz="UTC"), "timestamptz"),
    # Arrow carries the UUID as text; the insert casts it to DuckDB's uuid type.
    uuid.UUID: (pa.string(), "uuid"),
    tuple[str, ...]: (pa.list_(pa.string()), "varchar[]"),
}


def _column_types(annotation: Any) -> tuple[pa.DataType, str]:
    arguments = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        (annotation,) = arguments  # an optional field: its column is nullable anyway
    try:
        return _ARROW_AND_DUCKDB[annotation]
    except KeyError:
        raise TypeError(
            f"no event_log column type for the field annotation {annotation!r}"
        ) from None


def _event_columns() -> tuple[tuple[str, pa.DataType, str], ...]:
    columns: dict[str, tuple[pa.DataType, str]] = {}
    for event_class in EVENT_CLASSES:
        hints = typing.get_type_hints(event_class)
        for event_field in fields_of(event_class):
            types = _column_types(hints[event_field.name])
            known = columns.setdefault(event_field.name, types)
            if known != types:
                raise TypeError(
                    f"field {event_field.name!r} has different types in different event "
                    f"types ({known[1]} and {types[1]}): the event log needs one column type"
                )
    envelope = [(name, *columns.pop(name)) for name in ENVELOPE_FIELDS]
    return (
        ("event_type", pa.string(), "varchar"),
        *envelope,
        *((name, *types) for name, types in columns.items()),
    )


EVENT_COLUMNS: tuple[tuple[str, pa.DataType, str], ...] = _event_columns()
ALL_COLUMNS = (*EVENT_COLUMNS, *DERIVED_COLUMNS, *POSITION_COLUMNS)
COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _, _ in ALL_COLUMNS)
UUID_COLUMNS: frozenset[str] = frozenset(name for name, _, sql in ALL_COLUMNS if sql == "uuid")

ARROW_SCHEMA = pa.schema([pa.field(name, arrow) for name, arrow, _ in ALL_COLUMNS])


def event_log_ddl() -> str:
    columns = ",\n    ".join(f"{name} {sql}" for name, _, sql in ALL_COLUMNS)
    return f"create table if not exists event_log (\n    {columns}\n)"


def event_log_additions() -> list[str]:
    """Statements adding to an older event_log the columns a newer contract brings.

    A database made before an event type or field was added to the contract has no column
    for it; the column is added, null for every event loaded before (none of them had the
    field). Rows are inserted by column name (projections.load), so the order the columns
    were added in does not matter.
    """
    return [
        f"alter table event_log add column if not exists {name} {sql}"
        for name, _, sql in ALL_COLUMNS
    ]
