"""The generated fast paths of events.fastpath agree with the rules of events.validation.

A generated function may only say "certainly within the contract" (and give the same
result as the general path) or "ask the rules" (None / False). These properties feed both
paths valid events and events with one field swapped for an awkward value, and check that
the fast path never accepts what the rules refuse, and never gives a different answer.
"""

from __future__ import annotations

import copy
import json
import typing
import uuid
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from schema_versions import message_of, schemas_with
from strategies import TIMEZONES, any_event, events_of

from events.catalogue import EVENT_TYPES, JourneyEvent, builder_of
from events.codec import (
    _FAST_PATH_DOUBTS,
    AvroCodec,
    _check_by_the_rules,
    _record_by_the_rules,
    default_codec,
)
from events.exceptions import InvalidEvent
from events.fastpath import source_of, uuid_from_text, uuid_text


class Sex(StrEnum):
    FEMALE = "F"


# Identifiers and free text on and past their bounds: control characters, terminal escape
# sequences, format characters, lengths.
_TEXTS_AT_THE_BOUNDS = [
    "C\x00", "\x1b[2J", "C-\u202e1", "a\u2028b", "a\u00a0b", "\ud800", "\x7f", "\x85",
    "a\nb", "a\r\nb\tc", "\n", "C" * 64, "C" * 65, "x" * 2_000, "x" * 2_001, "S" * 100_000,
]  # fmt: skip

# Values a source system might send in place of a proper one; each breaks some rule for
# some field, or keeps the rules in a form the fast path does not handle itself.
AWKWARD_VALUES = [
    "", " ", "\u2003", "UNKNOWN", "X", "37", "3710", "\u0663\u0667\u0661", "371", "F",
    Sex.FEMALE, None, 0, True, 1.5, ["F"], ("F", "X"), ("1A",), (),
    date(2024, 1, 1), date(2100, 1, 1), datetime(2024, 1, 1, 12, 0),
    datetime(2024, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),
    datetime(2024, 1, 1, tzinfo=UTC), uuid.UUID(int=7), str(uuid.UUID(int=7)),
    # The contract's value bounds (docs/contract.md), on and just past each edge.
    date(1, 1, 1), date(1899, 12, 31), date(1900, 1, 1), date(2100, 12, 31),
    date(2101, 1, 1), date(9999, 12, 31),
    datetime(1, 1, 2, tzinfo=UTC), datetime(1899, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(2100, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC), datetime(2101, 1, 1, tzinfo=UTC),
    datetime(2101, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),
    datetime(9999, 12, 31, tzinfo=UTC),
    *_TEXTS_AT_THE_BOUNDS,
]  # fmt: skip

# The same for a record as fastavro reads it (types already those of the schema).
AWKWARD_RAW_VALUES = [
    "", " ", "\u2003", "UNKNOWN", "X", "37", "\u0663\u0667\u0661", "F", "not-a-uuid",
    "{00000000-0000-0000-0000-000000000007}", "0000000000000000000000000000000g",
    "00000000_0000-0000-0000-000000000007", 10**12, -(10**9), 19_000, 2**62, ["1A", "99Z"],
    # Days and microseconds since 1970 on and past the contract's dates.
    -25_568, -25_567, 47_846, 47_847, -719_162, 2_932_896,
    -2_208_988_800_000_001, -2_208_988_800_000_000, 4_133_980_799_999_999, 4_133_980_800_000_000,
    *_TEXTS_AT_THE_BOUNDS,
]  # fmt: skip


@pytest.fixture(scope="module")
def codec() -> AvroCodec:
    return default_codec()


def _by_the_rules(codec: AvroCodec, event: JourneyEvent) -> dict[str, Any] | InvalidEvent:
    try:
        return _record_by_the_rules(codec._writers[type(event)], event)
    except InvalidEvent as refusal:
        return refusal


def _swapped(event: JourneyEvent, name: str, value: Any) -> JourneyEvent:
    swapped = copy.copy(event)
    object.__setattr__(swapped, name, value)
    return swapped


def assert_encoding_paths_agree(codec: AvroCodec, event: JourneyEvent) -> None:
    fast = codec._writers[type(event)].record_of(event)
    general = _by_the_rules(codec, event)
    if isinstance(general, InvalidEvent):
        assert fast is None, f"fast path accepted what the rules refuse: {general}"
    elif fast is not None:
        assert fast == general


def assert_decoding_paths_agree(codec: AvroCodec, reader: Any, record: dict[str, Any]) -> None:
    general: Any
    try:
        converted = dict(record)
        _check_by_the_rules(reader, converted)
        general = converted
    except InvalidEvent as refusal:
        general = refusal
    try:
        built = reader.build_checked(dict(record))
    except _FAST_PATH_DOUBTS:
        built = None
    in_place = dict(record)
    try:
        checked = reader.convert_checked(in_place)
    except _FAST_PATH_DOUBTS:
        checked = False
    if isinstance(general, InvalidEvent):
        assert built is None and checked is False, f"fast path accepted: {general}"
        return
    if checked:
        assert in_place == general
    else:
        assert in_place == record, "a refusing fast path must leave the record as it was"
    if built is not None:
        as_tuples = {k: tuple(v) if isinstance(v, list) else v for k, v in general.items()}
        assert built == builder_of(EVENT_TYPES[reader.event_type])(as_tuples)


def _raw_choices(event_type: str, raw: dict[str, Any], field_name: str) -> list[Any]:
    # fastavro gives the schema's types, so an awkward value is of the same type (a
    # union's null may become a string, except in an optional date: fastavro reads that
    # union's other branch as a date, never as text).
    if raw[field_name] is None:
        hint = typing.get_type_hints(EVENT_TYPES[event_type])[field_name]
        same_type = date if hint == (date | None) else str
    else:
        same_type = type(raw[field_name])
    return [v for v in AWKWARD_RAW_VALUES if type(v) is same_type]


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_every_awkward_value_in_every_field_gets_the_same_answer(
    codec: AvroCodec, event_type: str
) -> None:
    for offset in TIMEZONES:
        event = find(
            events_of(EVENT_TYPES[event_type]),
            lambda e, tz=offset: e.recorded_at.tzinfo == tz,
            settings=settings(phases=[Phase.generate], database=None),  # any one will do
        )
        assert_encoding_paths_agree(codec, event)
        for field_name in (f.name for f in fields(event)):
            for value in AWKWARD_VALUES:
                assert_encoding_paths_agree(codec, _swapped(event, field_name, value))
        reader, raw = codec._read_unchecked(codec.encode(event))
        assert_decoding_paths_agree(codec, reader, raw)
        for field_name in raw:
            for value in _raw_choices(reader.event_type, raw, field_name):
                assert_decoding_paths_agree(codec, reader, dict(raw, **{field_name: value}))


@settings(max_examples=200, deadline=None)
@given(event=any_event, data=st.data())
def test_any_event_with_one_awkward_field_gets_the_same_answer(
    codec: AvroCodec, event: JourneyEvent, data: st.DataObject
) -> None:
    assert_encoding_paths_agree(codec, event)
    field_name = data.draw(st.sampled_from([f.name for f in fields(event)]))
    value = data.draw(st.sampled_from(AWKWARD_VALUES))
    assert_encoding_paths_agree(codec, _swapped(event, field_name, value))
    reader, raw = codec._read_unchecked(codec.encode(event))
    assert_decoding_paths_agree(codec, reader, raw)
    field_name = data.draw(st.sampled_from(sorted(raw)))
    choices = _raw_choices(reader.event_type, raw, field_name) or [raw[field_name]]
    assert_decoding_paths_agree(
        codec, reader, dict(raw, **{field_name: data.draw(st.sampled_from(choices))})
    )


def test_valid_events_take_the_fast_path(codec: AvroCodec) -> None:
    # Otherwise the properties above would hold trivially.
    event = EVENT_TYPES["ReferralReceived"](
        event_id=uuid.uuid4(), child_id="C-1", local_authority="371",
        occurred_on=date(2024, 4, 1), recorded_at=datetime(2024, 4, 2, tzinfo=UTC),
        source_system="LL", referral_id="R-1", source="1A", primary_need=None,
    )  # fmt: skip
    assert codec._writers[type(event)].record_of(event) is not None
    reader, raw = codec._read_unchecked(codec.encode(event))
    assert reader.build_checked(dict(raw)) == event
    assert reader.convert_checked(dict(raw)) is True


@given(st.uuids())
def test_uuid_text_conversions_match_the_uuid_module(value: uuid.UUID) -> None:
    assert uuid_text(value) == str(value)
    parsed = uuid_from_text(str(value))
    assert parsed == value and hash(parsed) == hash(value) and parsed.is_safe == value.is_safe


def test_generated_code_can_be_read(codec: AvroCodec) -> None:
    text = source_of("record_of_PlacementStarted")
    assert "def record_of_PlacementStarted(event):" in text
    assert "v_provider in CODES_provider" in text


def test_a_schema_with_fields_the_class_lacks_takes_the_general_path(tmp_path: Path) -> None:
    # A service whose schemas/ already holds a v2 adding a date field with a default, but
    # whose catalogue class does not have it yet: decode_record still reads such records
    # (converting the new field too), and decode says why it cannot build the event.
    schemas_with(tmp_path)
    v1 = json.loads((tmp_path / "PlacementEnded.v1.avsc").read_text())
    v1["fields"].append(
        {"name": "review_on", "type": {"type": "int", "logicalType": "date"}, "default": 0,
         "doc": "A field the class does not have yet."}
    )  # fmt: skip
    (tmp_path / "PlacementEnded.v2.avsc").write_text(json.dumps(v1))
    codec = AvroCodec(tmp_path)
    v2 = codec.current_version("PlacementEnded")
    record = {
        "event_id": str(uuid.UUID(int=7)), "child_id": "C-1", "local_authority": "371",
        "occurred_on": 19_800, "recorded_at": 1_711_000_000_000_000, "source_system": "LL",
        "placement_id": "PL-1", "review_on": 19_900,
    }  # fmt: skip
    message = message_of(v2, record)

    event_type, read = codec.decode_record(message)
    assert event_type == "PlacementEnded"
    assert read["review_on"] == date(1970, 1, 1) + timedelta(days=19_900)
    assert read["event_id"] == uuid.UUID(int=7)
    with pytest.raises(InvalidEvent) as raised:
        codec.decode(message)
    assert raised.value.rule == "class_mismatch"
