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

Enums are read the same way, as the int index Avro writes (an enum's encoding is an
int's): fastavro would take a negative index from the end of the symbol list (`sex`
index -1 is the reader-only default UNKNOWN, -2 is "U"), so the codec looks the index up
itself, refuses one outside the writer's symbols (`enum_index`) and refuses the writer's
own default symbol (`enum_default_written`): the default is what an older reader puts in
place of a code it does not know yet, never a code to send.
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
from typing import Any, NoReturn

from fastavro import schemaless_reader, schemaless_writer
from fastavro.read import SchemaResolutionError
from fastavro.schema import parse_schema

import events
from events.catalogue import EVENT_CLASSES, EVENT_TYPES, JourneyEvent, builder_of, fields_of
from events.exceptions import InvalidEvent, SchemaFileError
from events.fastpath import CONVERSIONS, event_builder, record_checker, record_writer
from events.refusals import Refusal
from events.schemas import SchemaRegistry, SchemaVersion
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


def _bare_schema(version: SchemaVersion, *, enums_as_ints: bool = False) -> dict[str, Any]:
    """The parsed schema with top-level uuid, date and timestamp fields as their bare types.

    With `enums_as_ints` (for reading), top-level enums, alone or in a union, become the
    int of their index too: see _EnumField.
    """
    raw = copy.deepcopy(version.raw)
    for avro_field in raw["fields"]:
        logical_type = _logical_type(avro_field["type"])
        if logical_type is not None:
            avro_field["type"] = _OWN_LOGICAL_TYPES[logical_type]
        elif enums_as_ints and _enum_of(avro_field["type"]) is not None:
            # A default stays as written: schema resolution gives it, as the symbol, for
            # a field the writer lacks, and the codec reads only the writer's fields.
            avro_field["type"] = _index_type(avro_field["type"])
    return parse_schema(raw)


def _enum_of(avro_type: Any) -> dict[str, Any] | None:
    """The enum a top-level field holds, alone or as a branch of a union, or None."""
    if isinstance(avro_type, dict) and avro_type.get("type") == "enum":
        return avro_type
    if isinstance(avro_type, list):
        enums = [branch for branch in avro_type if _enum_of(branch) is not None]
        if len(enums) == 1 and not {"int", "long"} & set(map(str, avro_type)):
            return enums[0]
    return None


def _index_type(avro_type: Any) -> Any:
    if isinstance(avro_type, list):
        return ["int" if _enum_of(branch) is not None else branch for branch in avro_type]
    return "int"


@dataclass(frozen=True, slots=True)
class _EnumField:
    """How to read one enum field's raw index: the symbol it stands for, for the reader.

    `symbols[i]` is the reader's symbol for the writer's index i: the writer's symbol, or
    the reader's default when the reader does not know it (Avro schema resolution), or
    None where the index must be refused: the writer's own default symbol, which a writer
    may never send, or a symbol the reader neither knows nor has a default for.
    """

    name: str
    enum_name: str
    symbols: tuple[str | None, ...]
    writer_symbols: tuple[str, ...]
    default_symbol: str | None  # the writer's


def _enum_reading(writer: SchemaVersion, current: SchemaVersion) -> tuple[_EnumField, ...]:
    writer_fields = {f["name"]: f for f in writer.raw["fields"]}
    for writer_field in writer.raw["fields"]:
        for alias in writer_field.get("aliases", ()):
            writer_fields.setdefault(alias, writer_field)
    found = []
    for reader_field in current.raw["fields"]:
        reader_enum = _enum_of(reader_field["type"])
        if reader_enum is None:
            continue
        names = [reader_field["name"], *reader_field.get("aliases", ())]
        writer_field = next((writer_fields[n] for n in names if n in writer_fields), None)
        writer_enum = None if writer_field is None else _enum_of(writer_field["type"])
        if writer_enum is None:
            continue  # not written: the reader's default symbol, as schema resolution gives it
        writer_default = writer_enum.get("default")
        found.append(
            _EnumField(
                name=reader_field["name"],
                enum_name=str(writer_enum["name"]).rsplit(".", 1)[-1],
                symbols=tuple(
                    None if symbol == writer_default else _resolved(symbol, reader_enum)
                    for symbol in writer_enum["symbols"]
                ),
                writer_symbols=tuple(writer_enum["symbols"]),
                default_symbol=writer_default,
            )
        )
    return tuple(found)


def _resolved(symbol: str, reader_enum: dict[str, Any]) -> str | None:
    """The reader's symbol for a writer's symbol (Avro schema resolution), or None."""
    if symbol in reader_enum["symbols"]:
        return symbol
    default = reader_enum.get("default")
    return None if default is None else str(default)


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
    writer_schema: dict[str, Any]  # bare, enums as ints: see _bare_schema
    reader_schema: dict[str, Any] | None  # the same; None when the writer is the current version
    enums: tuple[_EnumField, ...]  # the enum fields, read as their index
    from_avro: tuple[tuple[str, Callable[[Any], Any]], ...]  # of the current version
    enum_fields: frozenset[str]  # where schema resolution may give the default UNKNOWN
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
            current_reading = _bare_schema(current, enums_as_ints=True)
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
                    writer_schema=(
                        current_reading
                        if version is current
                        else _bare_schema(version, enums_as_ints=True)
                    ),
                    reader_schema=None if version is current else current_reading,
                    enums=_enum_reading(version, current),
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

    def current_version(self, event_type: str) -> SchemaVersion:
        """The schema version this codec writes `event_type` with and reads it into."""
        return self._current_version(event_type)

    def _current_version(self, event_type: str) -> SchemaVersion:
        try:
            return self._current[event_type]
        except KeyError:
            raise InvalidEvent(
                event_type,
                "type",
                Refusal.UNKNOWN_EVENT_TYPE,
                f"{event_type!r} is not an event type",
            ) from None

    def encode(self, event: JourneyEvent) -> bytes:
        writer = self._writers.get(type(event))
        if writer is None:
            raise InvalidEvent(
                type(event).__name__,
                "type",
                Refusal.UNKNOWN_EVENT_TYPE,
                f"{type(event).__qualname__} is not an event class of the catalogue",
            )
        if writer.not_in_schema:
            raise InvalidEvent(
                writer.event_type,
                writer.not_in_schema[0],
                Refusal.NOT_IN_SCHEMA,
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
                writer.event_type, field, Refusal.UNENCODABLE, f"cannot be written as Avro: {error}"
            ) from None
        return buffer.getvalue()

    def decode(self, data: bytes) -> JourneyEvent:
        reader, record = self._read_unchecked(data)
        if reader.class_mismatch is not None:
            raise InvalidEvent(
                reader.event_type, "<schema>", Refusal.CLASS_MISMATCH, reader.class_mismatch
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
        reader, record = self._read_unchecked(data)
        try:
            converted = reader.convert_checked(record)
        except _FAST_PATH_DOUBTS:
            converted = False
        if not converted:
            _check_by_the_rules(reader, record)
        return reader.event_type, record

    def is_current_version(self, data: bytes) -> bool:
        """Whether `data` is a message written with the schema version encode writes."""
        reader = self._readers.get(bytes(data[2:HEADER_LENGTH]))
        return (
            data[:2] == MAGIC
            and reader is not None
            and reader.writer_version is self._current[reader.event_type]
        )

    def _reader_for(self, data: bytes) -> _Reader:
        if len(data) < HEADER_LENGTH:
            raise InvalidEvent(
                "unknown",
                "<message>",
                Refusal.TRUNCATED_HEADER,
                f"{len(data)} bytes is shorter than the {HEADER_LENGTH}-byte single-object header",
            )
        if data[:2] != MAGIC:
            raise InvalidEvent(
                "unknown",
                "<message>",
                Refusal.BAD_MAGIC,
                f"starts with {bytes(data[:2]).hex()}, not c301 (Avro single-object encoding)",
            )
        reader = self._readers.get(bytes(data[2:HEADER_LENGTH]))
        if reader is None:
            # Gives the unknown_fingerprint error, or names a non-event schema.
            version = self.registry.by_fingerprint(bytes(data[2:HEADER_LENGTH]))
            raise InvalidEvent(
                version.name,
                "<fingerprint>",
                Refusal.NOT_AN_EVENT,
                f"{version.label} is not an event",
            )
        return reader

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
                Refusal.TRAILING_BYTES,
                f"{len(data) - stream.tell()} bytes follow the end of the record",
            )
        for enum in reader.enums:
            index = record[enum.name]
            if index is None:
                continue  # a union's null
            if type(index) is int and 0 <= index < len(enum.symbols):
                symbol = enum.symbols[index]
                if symbol is not None:
                    record[enum.name] = symbol
                    continue
            _refuse_enum_index(reader, enum, index)
        return reader, record


def _refuse_enum_index(reader: _Reader, enum: _EnumField, index: Any) -> NoReturn:
    if type(index) is int and 0 <= index < len(enum.symbols):
        symbol = enum.writer_symbols[index]
        if symbol != enum.default_symbol:
            raise InvalidEvent(
                reader.event_type,
                "<schema>",
                Refusal.SCHEMA_RESOLUTION,
                f"{reader.writer_version.label} cannot be read as the current version: "
                f"{enum.name} symbol {symbol} is not in the reader's {enum.enum_name}, which "
                "has no default symbol",
            )
        raise InvalidEvent(
            reader.event_type,
            enum.name,
            Refusal.ENUM_DEFAULT_WRITTEN,
            f"{symbol} is the default an older reader puts in place of a code it does not "
            "know; a writer must send the code itself",
        )
    raise InvalidEvent(
        reader.event_type,
        enum.name,
        Refusal.ENUM_INDEX,
        f"enum index {index} is outside the {len(enum.symbols)} symbols of "
        f"{enum.enum_name} (0 to {len(enum.symbols) - 1})",
    )


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
            reader.event_type, name, Refusal.WRONG_TYPE, f"not a valid {name} value: {error}"
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
            Refusal.SCHEMA_RESOLUTION,
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
    truncated = isinstance(error, EOFError | struct.error)
    return InvalidEvent(
        reader.event_type,
        field,
        Refusal.TRUNCATED_BODY if truncated else Refusal.UNREADABLE_BODY,
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


def _read_long(data: bytes, position: int) -> tuple[int, int]:
    """An Avro long (zig-zag varint) at `position`: its value and the position after it."""
    shift = result = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return (result >> 1) ^ -(result & 1), position
        shift += 7


def _long_bytes(value: int) -> bytes:
    zigzag = (value << 1) ^ (value >> 63)
    out = bytearray()
    while zigzag & ~0x7F:
        out.append((zigzag & 0x7F) | 0x80)
        zigzag >>= 7
    out.append(zigzag)
    return bytes(out)


def with_child_id(message: bytes, child_id: str) -> bytes:
    """`message` (a single-object event, already decoded and checked) naming `child_id`.

    Every event schema begins event_id, child_id (the envelope), so the child's id is the
    second string of the body: the processor swaps in the child's pseudonym this way at a
    fraction of the cost of encoding the event again. The result decodes to the same event
    with only child_id changed (tests/unit/test_codec.py).
    """
    length, position = _read_long(message, HEADER_LENGTH)
    start = position + length  # after event_id, at child_id's length
    length, position = _read_long(message, start)
    encoded = child_id.encode("utf-8")
    return b"".join(
        (message[:start], _long_bytes(len(encoded)), encoded, message[position + length :])
    )
