"""Avro single-object encoding of journey events (domain.md section 5).

A message is C3 01, then the 8-byte little-endian CRC-64-AVRO fingerprint of the writer
schema's Parsing Canonical Form, then the Avro binary body. Events are written with the
current (newest) version of their type's schema; a message written with any version in
the registry is read into the current class by Avro schema resolution. Every event is
checked against the rules of `events.validation` on the way in and out, and every failure,
whatever the library underneath raised, leaves as `InvalidEvent`.

The per-type work (field names, parsed schemas, header bytes, which fields are enums) is
done once in the constructor. Each event class also gets generated straight-line
functions (`events.fastpath`) that check an event and convert it in one pass; an event
they cannot vouch for takes the general path through `events.validation`, which names the
field and the rule. The codec converts top-level `uuid`, `date` and `timestamp-micros`
fields itself and hands fastavro the schema without those logical types: the Parsing
Canonical Form has no logical types, so the fingerprint and the bytes are the same, and
the conversions here are cheaper than fastavro's generic ones.
"""

from __future__ import annotations

import copy
import functools
import os
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from fastavro import schemaless_reader, schemaless_writer
from fastavro.read import SchemaResolutionError
from fastavro.schema import parse_schema

import events
from events.catalogue import EVENT_CLASSES, EVENT_TYPES, JourneyEvent, builder_of, fields_of
from events.errors import InvalidEvent
from events.fastpath import CONVERSIONS, event_builder, record_checker, record_writer
from events.schemas import SchemaFileError, SchemaRegistry, SchemaVersion
from events.validation import (
    RULES,
    EventRules,
    check_event_values,
    check_record,
    event_values,
)

MAGIC = b"\xc3\x01"
HEADER_LENGTH = len(MAGIC) + 8
SCHEMAS_DIR_VARIABLE = "JOURNEYS_SCHEMAS_DIR"

# What fastavro and the struct/io layers underneath raise on bytes they cannot read.
_READ_ERRORS = (
    EOFError,
    struct.error,
    ValueError,  # includes UnicodeDecodeError
    IndexError,
    KeyError,
    TypeError,
    OverflowError,
    SchemaResolutionError,
)


def default_schemas_dir() -> Path:
    """The repository's schemas/ directory, unless JOURNEYS_SCHEMAS_DIR names another."""
    configured = os.environ.get(SCHEMAS_DIR_VARIABLE)
    if configured:
        return Path(configured)
    return Path(events.__file__).resolve().parent.parent / "schemas"


# What a generated reading function raises on a value it cannot convert: the general path
# then says which field, and why.
_FAST_PATH_DOUBTS = (ValueError, OverflowError, TypeError, KeyError)

# Logical types the codec converts itself (events.fastpath.CONVERSIONS): fastavro gets
# the bare Avro type.
_OWN_LOGICAL_TYPES = {"uuid": "string", "date": "int", "timestamp-micros": "long"}


def _logical_type(avro_type: Any) -> str | None:
    if not isinstance(avro_type, dict):
        return None
    logical_type = avro_type.get("logicalType")
    if (
        logical_type in _OWN_LOGICAL_TYPES
        and avro_type.get("type") == _OWN_LOGICAL_TYPES[logical_type]
    ):
        return str(logical_type)
    return None


def _logical_types(version: SchemaVersion) -> dict[str, str]:
    """Field name -> logical type, for the top-level fields the codec converts itself."""
    found = {f["name"]: _logical_type(f["type"]) for f in version.raw["fields"]}
    return {name: kind for name, kind in found.items() if kind is not None}


def _bare_schema(version: SchemaVersion) -> dict[str, Any]:
    """The parsed schema with top-level uuid, date and timestamp fields as their bare types."""
    raw = copy.deepcopy(version.raw)
    for avro_field in raw["fields"]:
        logical_type = _logical_type(avro_field["type"])
        if logical_type is not None:
            avro_field["type"] = _OWN_LOGICAL_TYPES[logical_type]
    return parse_schema(raw)


@dataclass(frozen=True, slots=True)
class _Writer:
    event_type: str
    header: bytes
    schema: dict[str, Any]  # bare: see _bare_schema
    names: tuple[str, ...]
    rules: EventRules
    to_avro: tuple[tuple[str, Callable[[Any], Any]], ...]  # logical-type conversions
    not_in_schema: tuple[str, ...]  # class fields the schema cannot carry
    # The generated fast path (events.fastpath): the record, or None for "ask the rules".
    record_of: Callable[[JourneyEvent], dict[str, Any] | None]


@dataclass(frozen=True, slots=True)
class _Reader:
    event_type: str
    event_class: type[JourneyEvent]
    writer_version: SchemaVersion
    writer_schema: dict[str, Any]  # bare: see _bare_schema
    reader_schema: dict[str, Any] | None  # bare; None when the writer is the current version
    from_avro: tuple[tuple[str, Callable[[Any], Any]], ...]  # of the current version
    enum_fields: frozenset[str]  # where the enum default UNKNOWN may appear
    sequence_fields: tuple[str, ...]  # Avro arrays, read as lists, held as tuples
    class_mismatch: str | None  # why records of this schema cannot become the class
    build: Callable[[Mapping[str, Any]], JourneyEvent]  # the class, from checked values
    # The generated fast path (events.fastpath): the event, or None for "ask the rules".
    build_checked: Callable[[dict[str, Any]], JourneyEvent | None]
    convert_checked: Callable[[dict[str, Any]], bool | None]  # converted in place, or falsy


def _enum_fields(schema: dict[str, Any]) -> frozenset[str]:
    def is_enum(avro_type: Any) -> bool:
        if isinstance(avro_type, list):
            return any(is_enum(branch) for branch in avro_type)
        return isinstance(avro_type, dict) and avro_type.get("type") == "enum"

    return frozenset(f["name"] for f in schema["fields"] if is_enum(f["type"]))


class AvroCodec:
    """Encodes events to single-object Avro bytes and decodes them back, checked."""

    def __init__(
        self, schemas_dir: Path | None = None, *, versions: Mapping[str, int] | None = None
    ) -> None:
        """Load every schema version under `schemas_dir` (default: default_schemas_dir()).

        `versions` pins, per event type, the version the codec writes and reads into
        (default: the newest): how a service deployed before a newer version behaves.
        """
        self.registry = SchemaRegistry.load(schemas_dir or default_schemas_dir())
        self._current: dict[str, SchemaVersion] = {}
        self._writers: dict[type[JourneyEvent], _Writer] = {}
        self._readers: dict[bytes, _Reader] = {}
        pinned = dict(versions or {})
        for event_class in EVENT_CLASSES:
            current = self._choose(event_class.__name__, pinned.pop(event_class.__name__, None))
            self._current[event_class.__name__] = current
            current_schema = _bare_schema(current)
            class_names = tuple(f.name for f in fields_of(event_class))
            schema_names = tuple(f["name"] for f in current.raw["fields"])
            logical_types = _logical_types(current)
            self._writers[event_class] = _Writer(
                event_type=event_class.__name__,
                header=MAGIC + current.fingerprint,
                schema=current_schema,
                names=class_names,
                rules=RULES[event_class],
                to_avro=tuple((n, CONVERSIONS[k][0]) for n, k in logical_types.items()),
                not_in_schema=tuple(n for n in class_names if n not in schema_names),
                record_of=record_writer(event_class, logical_types),
            )
            class_mismatch = None
            if set(class_names) != set(schema_names):
                class_mismatch = (
                    f"{current.label} has fields {sorted(set(schema_names) - set(class_names))} "
                    f"and lacks {sorted(set(class_names) - set(schema_names))} of the class "
                    f"{event_class.__name__}; events/catalogue.py and schemas/ must agree"
                )
            sequences = tuple(f["name"] for f in current.raw["fields"] if _is_array(f["type"]))
            shape = (event_class, logical_types, sequences)
            build_checked, convert_checked = event_builder(*shape), record_checker(*shape)
            if class_mismatch is not None:
                # The generated code knows the class's fields only: a schema with others
                # takes the general path, which converts and checks what the schema has.
                build_checked, convert_checked = _ask_the_rules, _ask_the_rules
            for version in self.registry.versions(event_class.__name__):
                self._readers[version.fingerprint] = _Reader(
                    event_type=event_class.__name__,
                    event_class=event_class,
                    writer_version=version,
                    writer_schema=current_schema if version is current else _bare_schema(version),
                    reader_schema=None if version is current else current_schema,
                    from_avro=tuple((n, CONVERSIONS[k][1]) for n, k in logical_types.items()),
                    enum_fields=_enum_fields(current.raw),
                    sequence_fields=sequences,
                    class_mismatch=class_mismatch,
                    build=builder_of(event_class),
                    build_checked=build_checked,
                    convert_checked=convert_checked,
                )
        if pinned:
            raise SchemaFileError(f"versions pinned for unknown event types: {sorted(pinned)}")

    def _choose(self, event_type: str, pinned: int | None) -> SchemaVersion:
        versions = self.registry.versions(event_type)
        if pinned is None:
            return versions[-1]
        for version in versions:
            if version.version == pinned:
                return version
        raise SchemaFileError(f"{event_type}: no version {pinned} to pin in the registry")

    def fingerprint(self, event_type: str) -> bytes:
        """The fingerprint of the current schema of `event_type`: what encode writes."""
        return self._current_version(event_type).fingerprint

    def schema_for(self, event_type: str) -> dict[str, Any]:
        """The parsed current schema of `event_type` (fastavro's parsed form)."""
        return self._current_version(event_type).parsed

    def current_version(self, event_type: str) -> SchemaVersion:
        """The schema version this codec writes `event_type` with and reads it into."""
        return self._current_version(event_type)

    def _current_version(self, event_type: str) -> SchemaVersion:
        try:
            return self._current[event_type]
        except KeyError:
            raise InvalidEvent(
                event_type, "type", "unknown_event_type", f"{event_type!r} is not an event type"
            ) from None

    def encode(self, event: JourneyEvent) -> bytes:
        writer = self._writers.get(type(event))
        if writer is None:
            raise InvalidEvent(
                type(event).__name__,
                "type",
                "unknown_event_type",
                f"{type(event).__qualname__} is not an event class of the catalogue",
            )
        if writer.not_in_schema:
            raise InvalidEvent(
                writer.event_type,
                writer.not_in_schema[0],
                "not_in_schema",
                f"the schema this codec writes has no field {writer.not_in_schema[0]!r}",
            )
        try:
            record = writer.record_of(event)
        except AttributeError:  # an event built around its __init__: the rules name the field
            record = None
        if record is None:
            record = _record_by_the_rules(writer, event)
        buffer = BytesIO()
        buffer.write(writer.header)
        try:
            schemaless_writer(buffer, writer.schema, record)
        except (ValueError, TypeError, OverflowError, AttributeError) as error:
            field = _unencodable_field(record)
            raise InvalidEvent(
                writer.event_type, field, "unencodable", f"cannot be written as Avro: {error}"
            ) from None
        return buffer.getvalue()

    def decode(self, data: bytes) -> JourneyEvent:
        reader, record = self._read_unchecked(data)
        if reader.class_mismatch is not None:
            raise InvalidEvent(
                reader.event_type, "<schema>", "class_mismatch", reader.class_mismatch
            )
        try:
            event = reader.build_checked(record)
        except _FAST_PATH_DOUBTS:
            event = None
        if event is not None:
            return event
        _check_by_the_rules(reader, record)
        for name in reader.sequence_fields:
            record[name] = tuple(record[name])
        return reader.build(record)

    def decode_record(self, data: bytes) -> tuple[str, dict[str, Any]]:
        """The event type and the checked field values, without building the event object.

        For bulk loading: values are as fastavro gives them (UUID, date, aware datetime;
        arrays as lists), with the field names of the current schema.
        """
        reader, record = self._read(data)
        return reader.event_type, record

    def is_current_version(self, data: bytes) -> bool:
        """Whether `data` is a message written with the schema version encode writes."""
        reader = self._readers.get(bytes(data[2:HEADER_LENGTH]))
        return (
            data[:2] == MAGIC
            and reader is not None
            and reader.writer_version is self._current[reader.event_type]
        )

    def event_type_of(self, data: bytes) -> str:
        """The event type a message holds, read from its header alone."""
        return self._reader_for(data).event_type

    def _reader_for(self, data: bytes) -> _Reader:
        if len(data) < HEADER_LENGTH:
            raise InvalidEvent(
                "unknown",
                "<message>",
                "truncated_header",
                f"{len(data)} bytes is shorter than the {HEADER_LENGTH}-byte single-object header",
            )
        if data[:2] != MAGIC:
            raise InvalidEvent(
                "unknown",
                "<message>",
                "bad_magic",
                f"starts with {bytes(data[:2]).hex()}, not c301 (Avro single-object encoding)",
            )
        reader = self._readers.get(bytes(data[2:HEADER_LENGTH]))
        if reader is None:
            # Gives the unknown_fingerprint error, or names a non-event schema.
            version = self.registry.by_fingerprint(bytes(data[2:HEADER_LENGTH]))
            raise InvalidEvent(
                version.name, "<fingerprint>", "not_an_event", f"{version.label} is not an event"
            )
        return reader

    def _read(self, data: bytes) -> tuple[_Reader, dict[str, Any]]:
        reader, record = self._read_unchecked(data)
        try:
            converted = reader.convert_checked(record)
        except _FAST_PATH_DOUBTS:
            converted = False
        if not converted:
            _check_by_the_rules(reader, record)
        return reader, record

    def _read_unchecked(self, data: bytes) -> tuple[_Reader, dict[str, Any]]:
        """The record as fastavro reads it: logical types not converted, rules not checked."""
        reader = self._reader_for(data)
        stream = BytesIO(data)
        stream.seek(HEADER_LENGTH)
        try:
            record = schemaless_reader(stream, reader.writer_schema, reader.reader_schema)
        except _READ_ERRORS as error:
            raise _unreadable(reader, data, error) from None
        if stream.tell() != len(data):
            raise InvalidEvent(
                reader.event_type,
                "<message>",
                "trailing_bytes",
                f"{len(data) - stream.tell()} bytes follow the end of the record",
            )
        return reader, record


def _ask_the_rules(record: dict[str, Any]) -> None:
    """A fast path that always defers to the general one."""
    return None


def _record_by_the_rules(writer: _Writer, event: JourneyEvent) -> dict[str, Any]:
    """The general path of encode: check (InvalidEvent names the field), then convert."""
    values = event_values(event)
    check_event_values(writer.rules, values)
    record = dict(zip(writer.names, values, strict=False))  # same length: rules.values
    for name, convert in writer.to_avro:  # timestamps aware, as check_event_values vouched
        record[name] = convert(record[name])
    return record


def _check_by_the_rules(reader: _Reader, record: dict[str, Any]) -> None:
    """The general path of decoding: convert and check, naming the field at fault."""
    _convert_logical_types(reader, record)
    check_record(reader.event_type, record, tolerated_unknown=reader.enum_fields)


def _convert_logical_types(reader: _Reader, record: dict[str, Any]) -> None:
    name = ""
    try:
        for name, convert in reader.from_avro:
            record[name] = convert(record[name])
    except (ValueError, OverflowError, TypeError) as error:
        raise InvalidEvent(
            reader.event_type, name, "wrong_type", f"not a valid {name} value: {error}"
        ) from None


def _is_array(avro_type: Any) -> bool:
    return isinstance(avro_type, dict) and avro_type.get("type") == "array"


def _unencodable_field(record: dict[str, Any]) -> str:
    # check_event has vouched for the types, so what is left is text Avro cannot hold
    # (lone surrogates); name the first such field.
    for name, value in record.items():
        texts = value if isinstance(value, tuple) else (value,)
        for text in texts:
            if isinstance(text, str):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    return name
    return "<body>"


def _unreadable(reader: _Reader, data: bytes, error: Exception) -> InvalidEvent:
    """Name the writer field the body breaks down in, by reading it field by field."""
    if isinstance(error, SchemaResolutionError):
        return InvalidEvent(
            reader.event_type,
            "<schema>",
            "schema_resolution",
            f"{reader.writer_version.label} cannot be read as the current version: {error}",
        )
    stream = BytesIO(data)
    stream.seek(HEADER_LENGTH)
    field = "<body>"
    for writer_field in reader.writer_version.raw["fields"]:
        field = writer_field["name"]
        try:
            schemaless_reader(stream, writer_field["type"], None)
        except _READ_ERRORS:
            break
    rule = "truncated_body" if isinstance(error, EOFError | struct.error) else "unreadable_body"
    return InvalidEvent(
        reader.event_type,
        field,
        rule,
        f"the {reader.writer_version.label} body cannot be read at this field "
        f"({type(error).__name__}: {error})",
    )


@functools.cache
def default_codec() -> AvroCodec:
    """The codec over the repository's schemas/ (or JOURNEYS_SCHEMAS_DIR), built once."""
    return AvroCodec()


__all__ = [
    "EVENT_TYPES",
    "HEADER_LENGTH",
    "MAGIC",
    "AvroCodec",
    "default_codec",
    "default_schemas_dir",
]
