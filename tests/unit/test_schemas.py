"""The schema files, the registry, and the evolution guard (`journeys schemas check`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from events.catalogue import ENVELOPE_FIELDS, EVENT_CLASSES
from events.codec import default_schemas_dir
from events.exceptions import SchemaFileError
from events.schemas import SchemaRegistry, check_compatibility, crc64_avro, reader_problems
from journeys.entrypoints.cli import main

SCHEMAS = default_schemas_dir()
FIXTURES = Path(__file__).parent.parent / "fixtures" / "schemas"


@pytest.fixture(scope="module")
def registry() -> SchemaRegistry:
    return SchemaRegistry.load(SCHEMAS)


def test_there_is_a_versioned_schema_file_per_event_type_and_the_envelope() -> None:
    versions: dict[str, list[int]] = {}
    for path in SCHEMAS.glob("*.avsc"):
        name, version = path.name.removesuffix(".avsc").split(".v")
        versions.setdefault(name, []).append(int(version))
    assert sorted(versions) == sorted([cls.__name__ for cls in EVENT_CLASSES] + ["Envelope"])
    # Versions run 1..N with none missing: each message names the version it was written in.
    assert all(sorted(found) == list(range(1, len(found) + 1)) for found in versions.values())


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.avsc")), ids=lambda p: p.name)
def test_every_field_has_a_doc_and_every_enum_a_default_symbol(path: Path) -> None:
    schema = json.loads(path.read_text())
    assert schema["doc"]
    for field in schema["fields"]:
        assert field.get("doc"), f"{path.name}: {field['name']} has no doc"
        for branch in field["type"] if isinstance(field["type"], list) else [field["type"]]:
            if isinstance(branch, dict) and branch["type"] == "enum":
                assert branch["default"] == "UNKNOWN"
                assert branch["symbols"][-1] == "UNKNOWN"


def test_every_event_schema_starts_with_exactly_the_envelope(registry: SchemaRegistry) -> None:
    envelope = registry.current("Envelope").raw["fields"]
    assert [f["name"] for f in envelope] == list(ENVELOPE_FIELDS)
    for cls in EVENT_CLASSES:
        fields = registry.current(cls.__name__).raw["fields"]
        assert fields[: len(envelope)] == envelope, cls.__name__


def test_envelope_types_are_uuid_date_and_timestamp_micros(registry: SchemaRegistry) -> None:
    types = {f["name"]: f["type"] for f in registry.current("Envelope").raw["fields"]}
    assert types["event_id"] == {"type": "string", "logicalType": "uuid"}
    assert types["occurred_on"] == {"type": "int", "logicalType": "date"}
    assert types["recorded_at"] == {"type": "long", "logicalType": "timestamp-micros"}


def test_fingerprint_is_the_crc64_avro_of_the_canonical_form(registry: SchemaRegistry) -> None:
    # The specification's own check value: the fingerprint of the canonical form "null".
    assert crc64_avro(b'"null"') == 0x63DD24E7CC258F8A
    for version in registry:
        assert version.fingerprint == crc64_avro(version.canonical_form.encode()).to_bytes(
            8, "little"
        )
        assert registry.by_fingerprint(version.fingerprint) is version


def test_a_misnamed_schema_file_is_refused(tmp_path: Path) -> None:
    shutil.copy(SCHEMAS / "PlacementEnded.v1.avsc", tmp_path / "PlacementEnded.avsc")
    with pytest.raises(SchemaFileError, match=r"<Type>\.v<N>\.avsc"):
        SchemaRegistry.load(tmp_path)


def test_a_file_whose_record_name_differs_from_its_file_name_is_refused(tmp_path: Path) -> None:
    shutil.copy(SCHEMAS / "PlacementEnded.v1.avsc", tmp_path / "PlacementStarted.v2.avsc")
    with pytest.raises(SchemaFileError, match="PlacementEnded"):
        SchemaRegistry.load(tmp_path)


def test_the_real_schemas_pass_the_check(registry: SchemaRegistry) -> None:
    assert check_compatibility(registry) == []


# --- The compatibility rules, one at a time -----------------------------------------------


def record(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": "record", "name": "X", "fields": list(fields)}


def enum(*symbols: str, default: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "enum", "name": "E", "symbols": list(symbols)}
    if default is not None:
        schema["default"] = default
    return schema


RULES = [
    # (case, reader, writer, readable)
    ("same primitive", "string", "string", True),
    ("int promoted to long", "long", "int", True),
    ("long not demoted to int", "int", "long", False),
    ("float promoted to double", "double", "float", True),
    ("string read as bytes", "bytes", "string", True),
    ("string is not boolean", "boolean", "string", False),
    ("added field with default", record({"name": "a", "type": "string"},
                                        {"name": "b", "type": "int", "default": 0}),
     record({"name": "a", "type": "string"}), True),
    ("added field without default", record({"name": "a", "type": "string"},
                                           {"name": "b", "type": "int"}),
     record({"name": "a", "type": "string"}), False),
    ("writer's extra field is skipped", record({"name": "a", "type": "string"}),
     record({"name": "a", "type": "string"}, {"name": "b", "type": "int"}), True),
    ("field found through an alias", record({"name": "b", "type": "string", "aliases": ["a"]}),
     record({"name": "a", "type": "string"}), True),
    ("new enum symbol, reader has a default", enum("A", "U", default="U"), enum("A", "B"), True),
    ("new enum symbol, no default", enum("A", "U"), enum("A", "B"), False),
    ("enum renamed", {**enum("A"), "name": "F"}, enum("A"), False),
    ("union reads each writer branch", ["null", "string"], "string", True),
    ("union branch the reader lacks", "string", ["null", "string"], False),
    ("optional field widened", ["null", "long"], ["null", "int"], True),
    ("array items promoted", {"type": "array", "items": "long"},
     {"type": "array", "items": "int"}, True),
    ("array items changed", {"type": "array", "items": "int"},
     {"type": "array", "items": "string"}, False),
    ("logical type changed", {"type": "int", "logicalType": "date"}, "int", False),
]  # fmt: skip


@pytest.mark.parametrize(("reader", "writer", "readable"), [r[1:] for r in RULES],
                         ids=[r[0] for r in RULES])  # fmt: skip
def test_reader_can_read_writer_rules(reader: Any, writer: Any, readable: bool) -> None:
    assert (reader_problems(reader, writer, "X") == []) is readable


# --- The command -------------------------------------------------------------------------


def test_schemas_check_passes_on_the_real_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schemas", "check"]) == 0
    assert f"{len(list(SCHEMAS.glob('*.avsc')))} schema versions" in capsys.readouterr().out


def test_schemas_check_accepts_an_added_optional_field_and_enum_symbol() -> None:
    assert main(["schemas", "check", "--dir", str(FIXTURES / "compatible")]) == 0


def test_schemas_check_rejects_a_removed_field_without_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schemas", "check", "--dir", str(FIXTURES / "incompatible")]) == 1
    error = capsys.readouterr().err
    assert "PlacementStarted v2 is not forward compatible with v1" in error
    assert "carer_id" in error


def test_schemas_check_fails_on_an_unreadable_schema_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "PlacementEnded.v1.avsc").write_text('{"type": "record", "name": ')
    assert main(["schemas", "check", "--dir", str(tmp_path)]) == 1
    assert "PlacementEnded.v1.avsc" in capsys.readouterr().err


def test_schemas_list_prints_type_version_and_fingerprint(
    registry: SchemaRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schemas", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    placement = registry.current("PlacementStarted")
    assert f"PlacementStarted\tv{placement.version}\t{placement.fingerprint.hex()}" in lines
    assert len(lines) == len(registry)
