"""Decoding a batch of events-topic messages straight into Arrow columns.

The projection reads the accepted record, which the processor checked against the
contract on the way in, so it does not check each event again; it decodes as fast as the
Avro bodies allow. Each message's 10-byte single-object header names its writer schema by
fingerprint (any version in `schemas/`; older versions are resolved to the current one).
Logical types are stripped from the schemas handed to fastavro, so UUIDs stay text,
dates stay days since 1970 and timestamps stay microseconds: Arrow takes those as they
are, with no Python object per value.

For small records the cost of a fastavro call is mostly the call, not the bytes, so the
bodies of one batch are grouped by writer schema and each group is read in ONE call: the
bodies, headers stripped, are framed as an Avro array (zigzag varint item count, the
bodies end to end, then the 0 that ends an array) and read with the schema
`{"type": "array", "items": <record>}`, with the current version's array as the reader
schema when resolution is needed. The call must return exactly as many records as there
were messages and consume the framed bytes exactly; otherwise, or if it raises, the group
is read again message by message, which names the partition and offset of the first
message that cannot be read (`UndecodableMessage`). The group call reads text as Avro
`bytes` (the same wire format as `string`), sparing a UTF-8 decode into a Python str per
value; Arrow checks each text column's UTF-8 at once, and a group that fails the check
is read one by one to name the message. Each group's list of records becomes one Arrow
struct array in one call (C++), and its fields are laid out in the event log's columns.

The array framing cannot notice two malformed bodies whose errors cancel out (one with
trailing bytes followed by one short by as many): the processor refuses both kinds with
`events.codec` before they reach the topic, so the projection does not pay for a per-body
boundary check.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import pyarrow as pa
from fastavro import schemaless_reader
from fastavro.schema import parse_schema

from events.catalogue import EVENT_TYPES
from events.codec import HEADER_LENGTH, MAGIC, AvroCodec
from events.schemas import SchemaVersion
from projections.exceptions import UndecodableMessage
from projections.schema import ARROW_SCHEMA

# The Arrow type of each column as decoded (before the event log's own types): the same
# width, so the decoded array is reinterpreted in place (`Array.view`), not converted.
_AS_DECODED = {
    pa.date32(): pa.int32(),
    pa.timestamp("us", tz="UTC"): pa.int64(),
}


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


def _bare_raw(version: SchemaVersion) -> dict[str, Any]:
    raw = copy.deepcopy(version.raw)
    for avro_field in raw["fields"]:
        avro_field["type"] = _strip_logical_types(avro_field["type"])
    return raw


def _text_as_bytes(avro_type: Any) -> Any:
    if avro_type == "string":
        return "bytes"
    if isinstance(avro_type, list):
        return [_text_as_bytes(branch) for branch in avro_type]
    if isinstance(avro_type, dict) and avro_type.get("type") == "array":
        return {**avro_type, "items": _text_as_bytes(avro_type["items"])}
    return avro_type


def _array_of(record: dict[str, Any]) -> dict[str, Any]:
    """The array schema a whole group is read with, text read as bytes.

    Avro writes a string exactly as bytes (length, then the UTF-8), so reading it as
    bytes gives the same bytes without decoding them into a Python str only for Arrow
    to encode it again: fastavro reads a group about a third faster. Arrow checks the
    UTF-8 of the whole column at once instead (`_layout`). Parsed once here: fastavro
    would parse an unparsed schema again on every call.
    """
    items = copy.deepcopy(record)
    for avro_field in items["fields"]:
        avro_field["type"] = _text_as_bytes(avro_field["type"])
    return parse_schema({"type": "array", "items": items})


def _as_bytes(arrow_type: pa.DataType) -> pa.DataType:
    if arrow_type == pa.string():
        return pa.binary()
    if arrow_type == pa.list_(pa.string()):
        return pa.list_(pa.binary())
    return arrow_type


def zigzag_varint(number: int) -> bytes:
    """An Avro `long` as written on the wire (zigzag, then base-128 little-endian)."""
    encoded = (number << 1) ^ (number >> 63)
    out = bytearray()
    while encoded > 0x7F:
        out.append((encoded & 0x7F) | 0x80)
        encoded >>= 7
    out.append(encoded)
    return bytes(out)


_END_OF_ARRAY = b"\x00"


@dataclass(frozen=True)
class _Reader:
    event_type: str
    writer: dict[str, Any]  # parsed record schemas, for reading one message
    reader: dict[str, Any] | None  # None when the writer is the current version
    writer_array: dict[str, Any]  # parsed array-of-record schemas, for a whole group
    reader_array: dict[str, Any] | None
    decoded_type: pa.StructType  # the type's fields as fastavro returns them
    decoded_bytes_type: pa.StructType  # the same, text as read by the array schemas
    # Per column of ARROW_SCHEMA, the index of the decoded field that fills it (or None:
    # a column of another event type, or an envelope/position column filled separately).
    sources: tuple[int | None, ...]


@dataclass
class _Group:
    """The messages of one batch written with one schema version, in batch order."""

    reader: _Reader
    bodies: list[bytes] = field(default_factory=list)
    partitions: list[int] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)


def _readers(codec: AvroCodec) -> dict[bytes, _Reader]:
    readers: dict[bytes, _Reader] = {}
    column_types = {arrow_field.name: arrow_field.type for arrow_field in ARROW_SCHEMA}
    for event_type in EVENT_TYPES:
        current = codec.registry.current(event_type)
        current_raw = _bare_raw(current)
        current_parsed = parse_schema(copy.deepcopy(current_raw))
        current_array = _array_of(current_raw)
        names = [avro_field["name"] for avro_field in current.raw["fields"]]
        decoded_type = pa.struct(
            [(name, _AS_DECODED.get(column_types[name], column_types[name])) for name in names]
        )
        sources = tuple(
            names.index(column.name) if column.name in names else None for column in ARROW_SCHEMA
        )
        for version in codec.registry.versions(event_type):
            if version is current:
                writer, writer_array, reader, reader_array = (
                    current_parsed,
                    current_array,
                    None,
                    None,
                )
            else:
                raw = _bare_raw(version)
                writer, writer_array = parse_schema(copy.deepcopy(raw)), _array_of(raw)
                reader, reader_array = current_parsed, current_array
            readers[version.fingerprint] = _Reader(
                event_type=event_type,
                writer=writer,
                reader=reader,
                writer_array=writer_array,
                reader_array=reader_array,
                decoded_type=decoded_type,
                decoded_bytes_type=pa.struct(
                    [pa.field(f.name, _as_bytes(f.type)) for f in decoded_type]
                ),
                sources=sources,
            )
    return readers


class MessageDecoder:
    """Turns batches of (value, partition, offset) into Arrow tables of event-log rows.

    Rows come out grouped by writer schema (in order of first appearance), and in batch
    order within a group; `projections.load.append` does not depend on row order.
    """

    def __init__(self, codec: AvroCodec) -> None:
        self._readers = _readers(codec)

    def to_arrow(self, messages: Iterable[tuple[bytes, int, int]]) -> pa.Table:
        groups: dict[bytes, _Group] = {}
        readers = self._readers
        for value, partition, offset in messages:
            fingerprint = value[2:HEADER_LENGTH]
            group = groups.get(fingerprint)
            if group is None:
                reader = readers.get(bytes(fingerprint))
                if reader is None:
                    raise _unknown_header(value, partition, offset)
                group = groups[fingerprint] = _Group(reader)
            if not value.startswith(MAGIC):
                raise _unknown_header(value, partition, offset)
            group.bodies.append(value[HEADER_LENGTH:])
            group.partitions.append(partition)
            group.offsets.append(offset)
        if not groups:
            return ARROW_SCHEMA.empty_table()
        tables = []
        for group in groups.values():
            # No name holds the records here, so _layout can free them once in Arrow.
            table = _layout(group, *_read_group(group))
            if table is None:  # text that is not UTF-8: find and name its message
                table = _layout(group, _read_one_by_one(group), False)
                assert table is not None
            tables.append(table)
            group.bodies.clear()  # the bytes are in the table now; let them go
        return pa.concat_tables(tables) if len(tables) > 1 else tables[0]


def _unknown_header(value: bytes, partition: int, offset: int) -> UndecodableMessage:
    return UndecodableMessage(
        f"partition {partition} offset {offset}: not a single-object encoded "
        f"event of a known schema (header {bytes(value[:HEADER_LENGTH]).hex()})"
    )


def _read_group(group: _Group) -> tuple[list[dict[str, Any]], bool]:
    """Every body of the group in one fastavro call (text as bytes), and True.

    If the call fails, the bodies are read message by message (text as str), which names
    the first unreadable message or returns the records, and False.
    """
    reader = group.reader
    count = len(group.bodies)
    framed = b"".join((zigzag_varint(count), *group.bodies, _END_OF_ARRAY))
    stream = BytesIO(framed)
    try:
        records: list[dict[str, Any]] = schemaless_reader(
            stream, reader.writer_array, reader.reader_array
        )
    except Exception:  # fastavro raises many types; reading one by one says which message
        return _read_one_by_one(group), False
    if len(records) != count or stream.tell() != len(framed):
        return _read_one_by_one(group), False
    return records, True


def _read_one_by_one(group: _Group) -> list[dict[str, Any]]:
    """Read each body on its own, requiring it to end exactly where its message ends."""
    reader = group.reader
    records = []
    for body, partition, offset in zip(group.bodies, group.partitions, group.offsets, strict=True):
        stream = BytesIO(body)
        try:
            record = schemaless_reader(stream, reader.writer, reader.reader)
        except Exception as error:  # fastavro raises many types; all mean unreadable
            raise UndecodableMessage(
                f"partition {partition} offset {offset}: the {reader.event_type} body "
                f"cannot be read ({type(error).__name__}: {error})"
            ) from error
        if stream.tell() != len(body):
            raise UndecodableMessage(
                f"partition {partition} offset {offset}: {len(body) - stream.tell()} bytes "
                f"follow the end of the {reader.event_type} body"
            )
        records.append(record)
    return records


def _layout(group: _Group, records: list[dict[str, Any]], as_bytes: bool) -> pa.Table | None:
    """The group's rows in the event log's columns; None if text read as bytes is not UTF-8.

    `as_bytes`: are the records' text values bytes (the array read) or str (one by one)?
    """
    reader = group.reader
    decoded = pa.array(records, type=reader.decoded_bytes_type if as_bytes else reader.decoded_type)
    del records  # the Python objects are the batch's biggest allocation; free them now
    fields = decoded.flatten()
    length = len(decoded)
    columns: list[pa.Array] = []
    for column, source in zip(ARROW_SCHEMA, reader.sources, strict=True):
        if source is not None:
            array = fields[source]
            # int32 days -> date32, int64 microseconds -> timestamp, binary -> string:
            # same buffers, new type.
            if array.type != column.type:
                array = array.view(column.type)
                if as_bytes and _holds_text(column.type):
                    try:
                        array.validate(full=True)  # the UTF-8 check a str decode made
                    except pa.ArrowInvalid:
                        return None
            columns.append(array)
        elif column.name == "event_type":
            columns.append(pa.repeat(pa.scalar(reader.event_type, pa.string()), length))
        elif column.name == "kafka_partition":
            columns.append(pa.array(group.partitions, column.type))
        elif column.name == "kafka_offset":
            columns.append(pa.array(group.offsets, column.type))
        else:
            columns.append(pa.nulls(length, column.type))
    return pa.Table.from_arrays(columns, schema=ARROW_SCHEMA)


def _holds_text(arrow_type: pa.DataType) -> bool:
    return arrow_type in (pa.string(), pa.list_(pa.string()))
