"""The Avro codec: single-object framing, round trips, and refusal of bad input."""

from __future__ import annotations

import struct
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from io import BytesIO
from typing import Any

import pytest
from contract_events import RECORDED_AT, placement
from fastavro import schemaless_writer
from hypothesis import given, settings
from schema_versions import message_of
from strategies import events_of

from events.catalogue import (
    EVENT_CLASSES,
    AssessmentCompleted,
    ChildRegistered,
    JourneyEvent,
    PlacementStarted,
    ReferralReceived,
    fields_of,
)
from events.codec import HEADER_LENGTH, MAGIC, AvroCodec, default_codec
from events.exceptions import InvalidEvent


@pytest.fixture(scope="module")
def codec() -> AvroCodec:
    return default_codec()


@pytest.mark.parametrize("event_class", EVENT_CLASSES, ids=lambda c: c.__name__)
def test_every_event_type_survives_encoding_and_decoding(event_class: type[JourneyEvent]) -> None:
    codec = default_codec()

    @settings(max_examples=40, deadline=None)
    @given(events_of(event_class))
    def round_trip(event: JourneyEvent) -> None:
        data = codec.encode(event)
        assert codec.decode(data) == event
        event_type, record = codec.decode_record(data)
        assert event_type == event_class.__name__
        assert list(record) == [f.name for f in fields_of(event_class)]

    round_trip()


def test_message_is_magic_then_little_endian_fingerprint_then_body(codec: AvroCodec) -> None:
    data = codec.encode(placement())
    assert data[:2] == b"\xc3\x01"
    assert data[2:HEADER_LENGTH] == codec.fingerprint("PlacementStarted")
    body = BytesIO()
    schemaless_writer(body, codec.current_version("PlacementStarted").parsed, placement_record())
    assert data[HEADER_LENGTH:] == body.getvalue()


def placement_record() -> dict[str, Any]:
    event = placement()
    return {f.name: getattr(event, f.name) for f in fields_of(PlacementStarted)}


def test_decoded_timestamps_are_utc_and_equal_to_what_was_sent(codec: AvroCodec) -> None:
    sent = placement(recorded_at=datetime(2024, 5, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))))
    decoded = codec.decode(codec.encode(sent))
    assert decoded.recorded_at.tzinfo is UTC
    assert decoded.recorded_at == sent.recorded_at


def test_decode_record_gives_checked_values_without_building_the_event(codec: AvroCodec) -> None:
    event = AssessmentCompleted(
        event_id=uuid.uuid4(),
        child_id="C-1",
        local_authority="371",
        occurred_on=date(2024, 1, 2),
        recorded_at=RECORDED_AT,
        source_system="LL",
        assessment_id="A-1",
        seen_alone=True,
        factors=("1A", "21"),
    )
    event_type, record = codec.decode_record(codec.encode(event))
    assert event_type == "AssessmentCompleted"
    assert record["event_id"] == event.event_id
    assert record["factors"] == ["1A", "21"]
    assert record["occurred_on"] == date(2024, 1, 2)


def test_a_code_given_as_a_str_enum_member_is_accepted(codec: AvroCodec) -> None:
    class Provider(StrEnum):
        PR2 = "PR2"

    assert codec.decode(codec.encode(placement(provider=Provider.PR2))).provider == "PR2"


def test_optional_fields_may_be_null(codec: AvroCodec) -> None:
    assert codec.decode(codec.encode(placement(provider=None))).provider is None


def test_the_enum_default_symbol_is_never_written(codec: AvroCodec) -> None:
    with pytest.raises(InvalidEvent) as raised:
        codec.encode(placement(provider="UNKNOWN"))
    assert (raised.value.field, raised.value.rule) == ("provider", "code_not_in_list")


# --- Bad input: encoding ------------------------------------------------------------------

BAD_EVENTS = [
    # (case, event, field, rule)
    ("code outside its list (enum)", placement(provider="PR9"), "provider", "code_not_in_list"),
    ("code outside its list (year-varying)", placement(placement_type="Q1"), "placement_type",
     "code_not_in_list"),
    ("occurred after recorded", placement(occurred_on=date(2024, 5, 2)), "occurred_on",
     "occurred_after_recorded"),
    ("occurred after the UTC date of recorded_at",
     placement(occurred_on=date(2024, 5, 1),
               recorded_at=datetime(2024, 5, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))),
     "occurred_on", "occurred_after_recorded"),
    ("naive recorded_at", placement(recorded_at=datetime(2024, 5, 1, 9, 30)), "recorded_at",
     "timezone_required"),
    ("wrong type: str for uuid", placement(event_id="5b0c7a0e-2f0e-4d55-9a53-0f6f3f1f7a11"),
     "event_id", "wrong_type"),
    ("wrong type: datetime for date", placement(occurred_on=RECORDED_AT), "occurred_on",
     "wrong_type"),
    ("wrong type: int for str", placement(carer_id=9), "carer_id", "wrong_type"),
    ("wrong type: None for required", placement(placement_id=None), "placement_id", "wrong_type"),
    ("empty identifier", placement(child_id=" "), "child_id", "empty_identifier"),
    ("local authority not 3 digits", placement(local_authority="37A"), "local_authority",
     "local_authority_code"),
]  # fmt: skip


@pytest.mark.parametrize(("event", "field", "rule"), [c[1:] for c in BAD_EVENTS],
                         ids=[c[0] for c in BAD_EVENTS])  # fmt: skip
def test_bad_events_are_refused_naming_type_field_and_rule(
    codec: AvroCodec, event: JourneyEvent, field: str, rule: str
) -> None:
    with pytest.raises(InvalidEvent) as raised:
        codec.encode(event)
    assert (raised.value.event_type, raised.value.field, raised.value.rule) == (
        "PlacementStarted",
        field,
        rule,
    )
    assert field in str(raised.value)


def test_a_list_field_is_checked_item_by_item(codec: AvroCodec) -> None:
    event = AssessmentCompleted(
        event_id=uuid.uuid4(), child_id="C", local_authority="371", occurred_on=date(2024, 1, 1),
        recorded_at=RECORDED_AT, source_system="LL", assessment_id="A", seen_alone=False,
        factors=("1A", "99Z"),
    )  # fmt: skip
    with pytest.raises(InvalidEvent, match="99Z") as raised:
        codec.encode(event)
    assert raised.value.field == "factors"


def test_an_event_missing_a_field_is_refused(codec: AvroCodec) -> None:
    event = object.__new__(ReferralReceived)
    for name, value in placement_record().items():
        if name in {f.name for f in fields_of(ReferralReceived)}:
            object.__setattr__(event, name, value)
    object.__setattr__(event, "referral_id", "R-1")
    with pytest.raises(InvalidEvent) as raised:
        codec.encode(event)
    assert (raised.value.field, raised.value.rule) == ("source", "missing_field")


# --- Bad input: decoding ------------------------------------------------------------------


def _message(codec: AvroCodec, event_type: str, record: dict[str, Any]) -> bytes:
    return message_of(codec.current_version(event_type), record)


GOOD = default_codec().encode(placement())
BAD_MESSAGES = [
    # (case, bytes, event type, field, rule)
    ("empty", b"", "unknown", "<message>", "truncated_header"),
    ("wrong magic bytes", b"\xc3\x02" + GOOD[2:], "unknown", "<message>", "bad_magic"),
    ("json, not avro", b'{"type": "PlacementStarted"}', "unknown", "<message>", "bad_magic"),
    ("unknown fingerprint", MAGIC + bytes(8) + GOOD[10:], "unknown", "<fingerprint>",
     "unknown_fingerprint"),
    ("header only", GOOD[:HEADER_LENGTH], "PlacementStarted", "event_id", "truncated_body"),
    ("body cut inside carer_id", GOOD[:-6], "PlacementStarted", "carer_id", "truncated_body"),
    ("trailing bytes", GOOD + b"\x00", "PlacementStarted", "<message>", "trailing_bytes"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "event_type", "field", "rule"), [c[1:] for c in BAD_MESSAGES],
                         ids=[c[0] for c in BAD_MESSAGES])  # fmt: skip
def test_bad_messages_are_refused_naming_type_field_and_rule(
    codec: AvroCodec, data: bytes, event_type: str, field: str, rule: str
) -> None:
    for read in (codec.decode, codec.decode_record):
        with pytest.raises(InvalidEvent) as raised:
            read(data)
        assert (raised.value.event_type, raised.value.field, raised.value.rule) == (
            event_type,
            field,
            rule,
        )


def test_a_well_formed_message_that_breaks_a_rule_is_refused_on_decoding(codec: AvroCodec) -> None:
    record = placement_record() | {"placement_type": "Q1", "occurred_on": date(2030, 1, 1)}
    with pytest.raises(InvalidEvent) as raised:
        codec.decode(_message(codec, "PlacementStarted", record))
    assert (raised.value.field, raised.value.rule) == ("placement_type", "code_not_in_list")

    record = placement_record() | {"occurred_on": date(2030, 1, 1)}
    with pytest.raises(InvalidEvent) as raised:
        codec.decode(_message(codec, "PlacementStarted", record))
    assert (raised.value.field, raised.value.rule) == ("occurred_on", "occurred_after_recorded")


def test_a_uuid_field_holding_something_else_is_refused_on_decoding(codec: AvroCodec) -> None:
    body = BytesIO()
    schema = {"type": "record", "name": "X", "fields": [{"name": "event_id", "type": "string"}]}
    schemaless_writer(body, schema, {"event_id": "not-a-uuid"})
    tail = codec.encode(placement())[HEADER_LENGTH + 1 + 36 :]
    data = MAGIC + codec.fingerprint("PlacementStarted") + body.getvalue() + tail
    with pytest.raises(InvalidEvent) as raised:
        codec.decode(data)
    assert (raised.value.field, raised.value.rule) == ("event_id", "wrong_type")


def test_no_library_exception_escapes_the_codec_on_random_corruption(codec: AvroCodec) -> None:
    good = codec.encode(placement())
    for position in range(HEADER_LENGTH, len(good)):
        for value in (0x00, 0x7F, 0xFF):
            data = good[:position] + bytes([value]) + good[position + 1 :]
            try:
                codec.decode(data)
            except InvalidEvent:
                pass
            except (KeyError, struct.error, EOFError) as error:  # pragma: no cover - a bug
                pytest.fail(f"{type(error).__name__} escaped at byte {position}: {error}")


def test_changing_a_field_changes_the_decoded_event(codec: AvroCodec) -> None:
    event = ChildRegistered(
        event_id=uuid.uuid4(), child_id="C", local_authority="371", occurred_on=date(2024, 1, 1),
        recorded_at=RECORDED_AT, source_system="LL", date_of_birth=date(2010, 2, 28), sex="F",
        ethnicity="WBRI",
    )  # fmt: skip
    other = replace(event, date_of_birth=date(2010, 3, 1))
    assert codec.decode(codec.encode(other)) != event
    assert codec.decode(codec.encode(other)).date_of_birth == date(2010, 3, 1)
