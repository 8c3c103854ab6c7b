"""One source of truth: each catalogue class and its current schema agree field for field."""

from __future__ import annotations

import typing
import uuid
from dataclasses import MISSING
from datetime import date, datetime
from typing import Any

import pytest

from events.catalogue import EVENT_CLASSES, JourneyEvent, fields_of, personal_fields_of
from events.codec import default_codec
from events.validation import UNKNOWN_SYMBOL

# The Avro type each Python field type must have.
AVRO_TYPE_OF = {
    uuid.UUID: {"type": "string", "logicalType": "uuid"},
    date: {"type": "int", "logicalType": "date"},
    datetime: {"type": "long", "logicalType": "timestamp-micros"},
    bool: "boolean",
    str: "string",
    tuple[str, ...]: {"type": "array", "items": "string"},
}


def _enum_in(avro_type: Any) -> dict[str, Any] | None:
    for branch in avro_type if isinstance(avro_type, list) else [avro_type]:
        if isinstance(branch, dict) and branch.get("type") == "enum":
            return branch
    return None


@pytest.mark.parametrize("event_class", EVENT_CLASSES, ids=lambda c: c.__name__)
def test_class_and_schema_agree_field_for_field(event_class: type[JourneyEvent]) -> None:
    schema = default_codec().current_version(event_class.__name__).raw
    assert schema["name"] == event_class.__name__ == event_class.event_type
    hints = typing.get_type_hints(event_class)
    class_fields = fields_of(event_class)
    assert [f["name"] for f in schema["fields"]] == [f.name for f in class_fields]

    for field, avro_field in zip(class_fields, schema["fields"], strict=True):
        where = f"{event_class.__name__}.{field.name}"
        assert avro_field["doc"] == field.metadata["doc"], where
        hint = hints[field.name]
        optional = type(None) in typing.get_args(hint)
        inner = next((a for a in typing.get_args(hint) if a is not type(None)), hint)
        enum = _enum_in(avro_field["type"])
        codes = field.metadata.get("codes")
        if enum is not None:
            # A closed list: the enum lists exactly the codes, plus the reader-side default.
            assert codes is not None, where
            assert set(enum["symbols"]) == set(codes) | {UNKNOWN_SYMBOL}, where
            plain = enum["name"]
            expected: Any = ["null", plain] if optional else plain
            actual = avro_field["type"]
            actual = ["null", enum["name"]] if isinstance(actual, list) else enum["name"]
            assert actual == expected, where
        elif optional:
            assert avro_field["type"] == ["null", AVRO_TYPE_OF[inner]], where
        else:
            assert avro_field["type"] == AVRO_TYPE_OF[hint], where

        if optional:
            assert field.default is None and avro_field["default"] is None, where
        elif field.default is not MISSING:
            # A tuple (of codes) is an Avro array; a text is itself.
            default = field.default if isinstance(field.default, str) else list(field.default)
            assert avro_field["default"] == default, where
        else:
            assert "default" not in avro_field, where


def test_every_code_list_of_a_string_field_is_checked_by_the_codec() -> None:
    # Year-varying lists travel as strings: only the "codes" metadata guards them.
    for event_class in EVENT_CLASSES:
        schema = default_codec().current_version(event_class.__name__).raw
        for field, avro_field in zip(fields_of(event_class), schema["fields"], strict=True):
            if _enum_in(avro_field["type"]) is None and field.name in {
                "placement_type",
                "legal_status",
                "source",
                "ethnicity",
                "activity",
                "accommodation",
                "factors",
            }:
                assert field.metadata.get("codes"), f"{event_class.__name__}.{field.name}"
            if event_class.__name__ == "PeriodOfCareEnded" and field.name == "reason":
                assert field.metadata.get("codes")


def test_every_event_type_with_a_personal_field_can_carry_it_sealed() -> None:
    # The record never holds a personal field in clear (events.personal_data): a type that
    # gains one gains sealed_personal_data in the same schema version.
    for event_class in EVENT_CLASSES:
        if personal_fields_of(event_class):
            assert "sealed_personal_data" in {f.name for f in fields_of(event_class)}, (
                event_class.__name__
            )
