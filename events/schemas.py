"""The registry of every schema version under `schemas/`, keyed by type and by fingerprint.

A schema file is named `<Type>.v<N>.avsc` (e.g. `PlacementStarted.v1.avsc`); the highest
N of a type is its current version, the one the codec writes. Every version stays in the
directory forever, because messages written with it stay on the topic forever.

The fingerprint is the 8-byte CRC-64-AVRO of the schema's Parsing Canonical Form, in
little-endian order as Avro single-object encoding puts it on the wire (domain.md s. 5).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastavro.schema import SchemaParseException, parse_schema, to_parsing_canonical_form

from events.exceptions import InvalidEvent, SchemaFileError
from events.refusals import Refusal

SCHEMA_FILE = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.avsc$")

# CRC-64-AVRO (the Rabin fingerprint of the Avro specification), table-driven.
_EMPTY = 0xC15D213AA4D7A795


def _crc64_avro_table() -> tuple[int, ...]:
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (_EMPTY & -(fp & 1))
        table.append(fp)
    return tuple(table)


_TABLE = _crc64_avro_table()


def crc64_avro(data: bytes) -> int:
    """The CRC-64-AVRO fingerprint of `data`, as the Avro specification defines it."""
    fp = _EMPTY
    for byte in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ byte) & 0xFF]
    return fp


def fingerprint_of(canonical_form: str) -> bytes:
    """The 8 bytes that follow C3 01 in a single-object message (little-endian)."""
    return crc64_avro(canonical_form.encode("utf-8")).to_bytes(8, "little")


@dataclass(frozen=True)
class SchemaVersion:
    """One version of one record schema, as read from its `.avsc` file."""

    name: str  # the record name, the event type for event schemas
    version: int
    path: Path
    raw: dict[str, Any] = field(repr=False)  # the JSON as written in the file
    parsed: dict[str, Any] = field(repr=False)  # fastavro-parsed, for reading and writing
    expanded: dict[str, Any] = field(repr=False)  # named types expanded, for comparisons
    canonical_form: str = field(repr=False)
    fingerprint: bytes = b""

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    @classmethod
    def from_file(cls, path: Path) -> SchemaVersion:
        match = SCHEMA_FILE.match(path.name)
        if match is None:
            raise SchemaFileError(f"{path}: schema files are named <Type>.v<N>.avsc")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise SchemaFileError(f"{path}: not readable JSON ({error})") from None
        if not isinstance(raw, dict) or raw.get("type") != "record":
            raise SchemaFileError(f"{path}: the schema must be an Avro record")
        short_name = str(raw.get("name", "")).rsplit(".", 1)[-1]
        if short_name != match["name"]:
            raise SchemaFileError(
                f"{path}: the record is named {raw.get('name')!r}, the file {match['name']!r}"
            )
        try:
            parsed = parse_schema(raw)
            expanded = parse_schema(raw, expand=True, _write_hint=False)
            canonical_form = to_parsing_canonical_form(raw)
        except (SchemaParseException, ValueError, TypeError, KeyError) as error:
            raise SchemaFileError(f"{path}: not a valid Avro schema ({error})") from None
        return cls(
            name=match["name"],
            version=int(match["version"]),
            path=path,
            raw=raw,
            parsed=parsed,
            expanded=expanded,
            canonical_form=canonical_form,
            fingerprint=fingerprint_of(canonical_form),
        )


class SchemaRegistry:
    """Every schema version in one directory, by name and version and by fingerprint."""

    def __init__(self, versions: list[SchemaVersion]) -> None:
        self._by_name: dict[str, list[SchemaVersion]] = {}
        self._by_fingerprint: dict[bytes, SchemaVersion] = {}
        for version in sorted(versions, key=lambda v: (v.name, v.version)):
            same = self._by_fingerprint.get(version.fingerprint)
            if same is not None:
                raise SchemaFileError(
                    f"{version.path}: same canonical form as {same.path}; "
                    "a new version must change the schema"
                )
            self._by_name.setdefault(version.name, []).append(version)
            self._by_fingerprint[version.fingerprint] = version

    @classmethod
    def load(cls, directory: Path | str) -> SchemaRegistry:
        directory = Path(directory)
        if not directory.is_dir():
            raise SchemaFileError(f"{directory}: no such schema directory")
        return cls([SchemaVersion.from_file(path) for path in sorted(directory.glob("*.avsc"))])

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def versions(self, event_type: str) -> list[SchemaVersion]:
        """Every version of a schema, oldest first."""
        try:
            return list(self._by_name[event_type])
        except KeyError:
            raise InvalidEvent(
                event_type, "<schema>", Refusal.UNKNOWN_EVENT_TYPE, f"no schema for {event_type!r}"
            ) from None

    def current(self, event_type: str) -> SchemaVersion:
        """The newest version: the one messages are written with."""
        return self.versions(event_type)[-1]

    def by_fingerprint(self, fingerprint: bytes) -> SchemaVersion:
        try:
            return self._by_fingerprint[fingerprint]
        except KeyError:
            raise InvalidEvent(
                "unknown",
                "<fingerprint>",
                Refusal.UNKNOWN_FINGERPRINT,
                f"no schema in the registry has fingerprint {bytes(fingerprint).hex()}",
            ) from None

    def __iter__(self) -> Iterator[SchemaVersion]:
        for name in self.names():
            yield from self._by_name[name]

    def __len__(self) -> int:
        return len(self._by_fingerprint)


# --- The evolution guard ------------------------------------------------------------------
#
# Reader-can-read-writer, after the "Schema Resolution" rules of the Avro specification,
# over schemas with named types expanded. A newer version must be readable by every older
# one and must read every older one (full transitive compatibility): messages written
# with any version stay on the topic forever, and old consumers keep running during a
# release.

_PROMOTIONS = {
    "int": {"long", "float", "double"},
    "long": {"float", "double"},
    "float": {"double"},
    "string": {"bytes"},
    "bytes": {"string"},
}
_NAMED = {"record", "enum", "fixed"}


@dataclass(frozen=True)
class Incompatibility:
    """One way in which a reader version cannot read what a writer version wrote."""

    name: str
    reader_version: int
    writer_version: int
    location: str  # e.g. "PlacementStarted.provider"
    reason: str

    @property
    def direction(self) -> str:
        # An older reader failing on newer data breaks forward compatibility.
        return "forward" if self.reader_version < self.writer_version else "backward"

    def __str__(self) -> str:
        older, newer = sorted((self.reader_version, self.writer_version))
        return (
            f"{self.name} v{newer} is not {self.direction} compatible with v{older}: "
            f"v{self.reader_version} cannot read data written with v{self.writer_version} "
            f"at {self.location}: {self.reason}"
        )


def check_compatibility(registry: SchemaRegistry) -> list[Incompatibility]:
    """Every incompatibility between any two versions of each schema (empty: all is well)."""
    found: list[Incompatibility] = []
    for name in registry.names():
        versions = registry.versions(name)
        for i, older in enumerate(versions):
            for newer in versions[i + 1 :]:
                for reader, writer in ((newer, older), (older, newer)):
                    found.extend(
                        Incompatibility(name, reader.version, writer.version, location, reason)
                        for location, reason in reader_problems(
                            reader.expanded, writer.expanded, name
                        )
                    )
    return found


def _type_name(schema: Any) -> str:
    if isinstance(schema, list):
        return "union"
    if isinstance(schema, dict):
        return _type_name(schema["type"]) if isinstance(schema["type"], dict) else schema["type"]
    return str(schema)


def _short_name(schema: dict[str, Any]) -> str:
    return str(schema.get("name", "")).rsplit(".", 1)[-1]


def _describe(schema: Any) -> str:
    kind = _type_name(schema)
    if isinstance(schema, dict) and kind in _NAMED:
        return f"{kind} {_short_name(schema)}"
    if isinstance(schema, dict) and schema.get("logicalType"):
        return f"{kind} ({schema['logicalType']})"
    if isinstance(schema, list):
        return "[" + ", ".join(_describe(branch) for branch in schema) + "]"
    return kind


def reader_problems(reader: Any, writer: Any, location: str) -> list[tuple[str, str]]:
    """Why `reader` cannot read data written with `writer`: (location, reason) pairs."""
    if isinstance(writer, list):
        # Data may be in any writer branch; the reader must read each of them.
        return [
            problem for branch in writer for problem in reader_problems(reader, branch, location)
        ]
    if isinstance(reader, list):
        for branch in reader:
            if not reader_problems(branch, writer, location):
                return []
        return [(location, f"no branch of {_describe(reader)} reads {_describe(writer)}")]

    reader_type, writer_type = _type_name(reader), _type_name(writer)
    if reader_type != writer_type:
        if reader_type in _PROMOTIONS.get(writer_type, set()):
            return []
        return [(location, f"{_describe(writer)} cannot be read as {_describe(reader)}")]
    reader_logical = reader.get("logicalType") if isinstance(reader, dict) else None
    writer_logical = writer.get("logicalType") if isinstance(writer, dict) else None
    if reader_logical != writer_logical:
        return [(location, f"logical type changed from {writer_logical} to {reader_logical}")]
    if reader_type in _NAMED and _short_name(reader) != _short_name(writer):
        return [(location, f"{_describe(writer)} cannot be read as {_describe(reader)}")]
    if reader_type == "record":
        return _record_problems(reader, writer, location)
    if reader_type == "enum":
        missing = [s for s in writer["symbols"] if s not in reader["symbols"]]
        if missing and "default" not in reader:
            return [
                (
                    location,
                    f"symbols {', '.join(missing)} are not in the reader's enum "
                    f"{_short_name(reader)}, which has no default symbol",
                )
            ]
        return []
    if reader_type == "fixed" and reader["size"] != writer["size"]:
        return [(location, f"fixed size changed from {writer['size']} to {reader['size']}")]
    if reader_type == "array":
        return reader_problems(reader["items"], writer["items"], f"{location}[]")
    if reader_type == "map":
        return reader_problems(reader["values"], writer["values"], f"{location}{{}}")
    return []


def _record_problems(
    reader: dict[str, Any], writer: dict[str, Any], location: str
) -> list[tuple[str, str]]:
    writer_fields = {f["name"]: f for f in writer["fields"]}
    for writer_field in writer["fields"]:
        for alias in writer_field.get("aliases", ()):
            writer_fields.setdefault(alias, writer_field)
    problems: list[tuple[str, str]] = []
    for reader_field in reader["fields"]:
        names = [reader_field["name"], *reader_field.get("aliases", ())]
        writer_field = next((writer_fields[n] for n in names if n in writer_fields), None)
        field_location = f"{location}.{reader_field['name']}"
        if writer_field is None:
            if "default" not in reader_field:
                problems.append(
                    (field_location, "the writer has no such field and the reader has no default")
                )
            continue
        problems.extend(reader_problems(reader_field["type"], writer_field["type"], field_location))
    return problems
