"""Decoding a batch of events-topic messages straight into Arrow columns.

The projection reads the accepted record, which the processor checked against the
contract on the way in, so it does not check each event again; it decodes as fast as the
Avro bodies allow. Each message's 10-byte single-object header names its writer schema by
fingerprint (any version in `schemas/`; older versions are resolved to the current one).
Logical types are stripped from the schemas handed to fastavro, so UUIDs stay text,
dates stay days since 1970 and timestamps stay microseconds: Arrow takes those as they
are, with no Python object per value. Rows are gathered per event type and turned into
Arrow with `pyarrow.Table.from_pylist`, then laid out in the event log's columns.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pyarrow as pa
from fastavro import schemaless_reader
from fastavro.schema import parse_schema

from events.catalogue import EVENT_TYPES
from events.codec import HEADER_LENGTH, MAGIC, AvroCodec
from events.schemas import SchemaVersion
from projections.schema import ARROW_SCHEMA

# The Arrow type of each column as decoded (before the event log's own types).
_AS_DECODED = {
    pa.date32(): pa.int32(),
    pa.timestamp("us", tz="UTC"): pa.int64(),
}


class UndecodableMessage(ValueError):
    """A message on the events topic is not an event this service can read. The message
    names the partition and offset: inspect it; nothing after it was projected."""


def _strip_logical_types(avro_type: Any) -> Any:
    if isinstance(avro_type, list):
        return [_strip_logical_types(branch) for branch in avro_type]
    if (
        isinstance(avro_type, dict)
        and "logicalType" in avro_type
        and avro_type["type"] in ("string", "int", "long")
    ):
        return avro_type["type"]
    return avro_type


def _bare(version: SchemaVersion) -> dict[str, Any]:
    raw = copy.deepcopy(version.raw)
    for avro_field in raw["fields"]:
        avro_field["type"] = _strip_logical_types(avro_field["type"])
    return parse_schema(raw)


@dataclass(frozen=True)
class _Reader:
    event_type: str
    writer: dict[str, Any]
    reader: dict[str, Any] | None
    decoded_schema: pa.Schema  # the type's fields as fastavro returns them


def _readers(codec: AvroCodec) -> dict[bytes, _Reader]:
    readers: dict[bytes, _Reader] = {}
    column_types = {field.name: field.type for field in ARROW_SCHEMA}
    for event_type in EVENT_TYPES:
        current = codec.registry.current(event_type)
        current_bare = _bare(current)
        names = [avro_field["name"] for avro_field in current.raw["fields"]]
        decoded_schema = pa.schema(
            [(name, _AS_DECODED.get(column_types[name], column_types[name])) for name in names]
        )
        for version in codec.registry.versions(event_type):
            readers[version.fingerprint] = _Reader(
                event_type=event_type,
                writer=current_bare if version is current else _bare(version),
                reader=None if version is current else current_bare,
                decoded_schema=decoded_schema,
            )
    return readers


class MessageDecoder:
    """Turns batches of (value, partition, offset) into Arrow tables of event-log rows."""

    def __init__(self, codec: AvroCodec) -> None:
        self._readers = _readers(codec)

    def to_arrow(self, messages: Iterable[tuple[bytes, int, int]]) -> pa.Table:
        rows: dict[bytes, tuple[list[dict[str, Any]], list[int], list[int]]] = {}
        readers = self._readers
        for value, partition, offset in messages:
            fingerprint = bytes(value[2:HEADER_LENGTH])
            reader = readers.get(fingerprint)
            if reader is None or value[:2] != MAGIC:
                raise UndecodableMessage(
                    f"partition {partition} offset {offset}: not a single-object encoded "
                    f"event of a known schema (header {bytes(value[:HEADER_LENGTH]).hex()})"
                )
            stream = BytesIO(value)
            stream.seek(HEADER_LENGTH)
            try:
                record = schemaless_reader(stream, reader.writer, reader.reader)
            except Exception as error:  # fastavro raises many types; all mean unreadable
                raise UndecodableMessage(
                    f"partition {partition} offset {offset}: the {reader.event_type} body "
                    f"cannot be read ({type(error).__name__}: {error})"
                ) from error
            found = rows.get(fingerprint)
            if found is None:
                found = rows[fingerprint] = ([], [], [])
            found[0].append(record)
            found[1].append(partition)
            found[2].append(offset)
        tables = [
            self._layout(readers[fingerprint], records, partitions, offsets)
            for fingerprint, (records, partitions, offsets) in rows.items()
        ]
        if not tables:
            return ARROW_SCHEMA.empty_table()
        return pa.concat_tables(tables)

    @staticmethod
    def _layout(
        reader: _Reader, records: list[dict[str, Any]], partitions: list[int], offsets: list[int]
    ) -> pa.Table:
        decoded = pa.Table.from_pylist(records, schema=reader.decoded_schema)
        length = decoded.num_rows
        columns = []
        for field in ARROW_SCHEMA:
            if field.name == "event_type":
                columns.append(pa.array([reader.event_type] * length, pa.string()))
            elif field.name == "kafka_partition":
                columns.append(pa.array(partitions, field.type))
            elif field.name == "kafka_offset":
                columns.append(pa.array(offsets, field.type))
            elif field.name in reader.decoded_schema.names:
                columns.append(decoded.column(field.name).cast(field.type))
            else:
                columns.append(pa.nulls(length, field.type))
        return pa.Table.from_arrays(columns, schema=ARROW_SCHEMA)

