"""The contract's value bounds (docs/contract.md): implausible values are refused.

Each case is refused the same way whether an event is encoded (a source system using this
codec) or raw Avro is decoded (a source system writing the bytes itself, as fastavro or any
other Avro library lets it), and the refusal names the field and the rule.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from contract_events import placement, registration, retraction
from fastavro import schemaless_writer
from fastavro.schema import parse_schema

from events.catalogue import (
    DATE_DOC,
    FREE_TEXT_DOC,
    IDENTIFIER_DOC,
    RECORDED_AT_DOC,
    JourneyEvent,
    fields_of,
)
from events.codec import MAGIC, AvroCodec, default_codec
from events.exceptions import InvalidEvent
from events.jsonl import write_jsonl
from events.validation import (
    EARLIEST_DATE,
    EARLIEST_RECORDED_AT,
    FREE_TEXT_MAX_LENGTH,
    IDENTIFIER_MAX_LENGTH,
    LATEST_DATE,
    LATEST_RECORDED_AT,
    RECORDED_AT_MAX_AHEAD,
    RULES,
    check_not_recorded_ahead,
)


@pytest.fixture(scope="module")
def codec() -> AvroCodec:
    return default_codec()


def _raw_record(event: JourneyEvent) -> dict[str, Any]:
    return {f.name: getattr(event, f.name) for f in fields_of(type(event))}


def _written_by_a_source_system(codec: AvroCodec, event: JourneyEvent) -> bytes:
    """The bytes fastavro writes for `event` with the current schema, unchecked."""
    version = codec.current_version(event.event_type)
    body = BytesIO()
    schemaless_writer(body, version.parsed, _raw_record(event))
    return MAGIC + version.fingerprint + body.getvalue()


def _with_enum_index(codec: AvroCodec, event: JourneyEvent, field: str, index: int) -> bytes:
    """The bytes of `event` with `field` (an enum) written as the raw index `index`.

    Avro writes an enum as its symbol's index (a zigzag varint, the encoding of an int), so
    a schema with that enum as an int writes the same bytes and lets any index through.
    """
    version = codec.current_version(event.event_type)
    raw = copy.deepcopy(version.raw)
    for avro_field in raw["fields"]:
        if avro_field["name"] == field:
            branches = avro_field["type"]
            avro_field["type"] = ["null", "int"] if isinstance(branches, list) else "int"
    body = BytesIO()
    schemaless_writer(body, parse_schema(raw), _raw_record(event) | {field: index})
    return MAGIC + version.fingerprint + body.getvalue()


IMPLAUSIBLE = [
    # (case, event, field, rule)
    ("occurred in year 1", placement(occurred_on=date(1, 1, 1)), "occurred_on",
     "date_out_of_range"),
    ("occurred the day before the earliest date", placement(occurred_on=date(1899, 12, 31)),
     "occurred_on", "date_out_of_range"),
    ("born in year 1", registration(date_of_birth=date(1, 1, 1)), "date_of_birth",
     "date_out_of_range"),
    ("born in 9999", registration(date_of_birth=date(9999, 12, 31)), "date_of_birth",
     "date_out_of_range"),
    ("recorded in 9999", placement(recorded_at=datetime(9999, 12, 31, tzinfo=UTC)),
     "recorded_at", "date_out_of_range"),
    ("recorded in year 1", placement(occurred_on=date(1900, 1, 1),
                                     recorded_at=datetime(1, 1, 2, tzinfo=UTC)),
     "recorded_at", "date_out_of_range"),
    ("NUL in child_id", placement(child_id="C\x00-1"), "child_id", "identifier_not_printable"),
    ("bell in carer_id", placement(carer_id="CARER\x07"), "carer_id",
     "identifier_not_printable"),
    ("terminal escape in placement_id", placement(placement_id="\x1b[2J\x1b[31mPL-1"),
     "placement_id", "identifier_not_printable"),
    ("right-to-left override in child_id", placement(child_id="C-\u202e1001"), "child_id",
     "identifier_not_printable"),
    ("line break in source_system", placement(source_system="LL\nLCS"), "source_system",
     "identifier_not_printable"),
    ("10,000-character child_id", placement(child_id="C" * 10_000), "child_id",
     "identifier_too_long"),
    ("one character too many", placement(period_id="P" * (IDENTIFIER_MAX_LENGTH + 1)),
     "period_id", "identifier_too_long"),
    ("5 MB source_system", placement(source_system="S" * 5_000_000), "source_system",
     "identifier_too_long"),
    ("free text too long", retraction(reason="x" * (FREE_TEXT_MAX_LENGTH + 1)), "reason",
     "text_too_long"),
    ("terminal escape in free text", retraction(reason="wrong child\x1b]0;owned\x07"),
     "reason", "text_not_printable"),
    ("NUL in free text", retraction(reason="wrong\x00child"), "reason", "text_not_printable"),
]  # fmt: skip


@pytest.mark.parametrize(("event", "field", "rule"), [c[1:] for c in IMPLAUSIBLE],
                         ids=[c[0] for c in IMPLAUSIBLE])  # fmt: skip
def test_an_implausible_value_is_refused_when_encoding(
    codec: AvroCodec, event: JourneyEvent, field: str, rule: str
) -> None:
    with pytest.raises(InvalidEvent) as raised:
        codec.encode(event)
    assert (raised.value.field, raised.value.rule) == (field, rule)


@pytest.mark.parametrize(("event", "field", "rule"), [c[1:] for c in IMPLAUSIBLE],
                         ids=[c[0] for c in IMPLAUSIBLE])  # fmt: skip
def test_an_implausible_value_written_as_raw_avro_is_refused_when_decoding(
    codec: AvroCodec, event: JourneyEvent, field: str, rule: str
) -> None:
    data = _written_by_a_source_system(codec, event)
    for read in (codec.decode, codec.decode_record):
        with pytest.raises(InvalidEvent) as raised:
            read(data)
        assert (raised.value.event_type, raised.value.field, raised.value.rule) == (
            event.event_type,
            field,
            rule,
        )


def test_a_refusal_does_not_repeat_the_identifier_it_refuses(codec: AvroCodec) -> None:
    # The message goes to the rejected topic and to operators' screens: a child's id, or
    # a 5 MB value, has no place in it.
    with pytest.raises(InvalidEvent) as raised:
        codec.encode(placement(child_id="SECRET-1001\x1b[0m"))
    assert "SECRET" not in raised.value.message
    assert "U+001B" in raised.value.message
    with pytest.raises(InvalidEvent) as raised:
        codec.encode(registration(date_of_birth=date(1899, 7, 14)))
    assert "07-14" not in raised.value.message and "1899" in raised.value.message
    with pytest.raises(InvalidEvent) as raised:
        codec.encode(placement(source_system="S" * 5_000_000))
    assert len(str(raised.value)) < 200 and "5,000,000" in raised.value.message


def test_values_at_the_bounds_are_accepted(codec: AvroCodec) -> None:
    at_the_bounds = [
        registration(date_of_birth=EARLIEST_DATE),
        registration(date_of_birth=LATEST_DATE),
        placement(occurred_on=EARLIEST_DATE),
        placement(child_id="C" * IDENTIFIER_MAX_LENGTH, carer_id="Mrs O'Brien-Łukasz 3"),
        placement(recorded_at=datetime(2100, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)),
        retraction(reason="x" * FREE_TEXT_MAX_LENGTH),
        retraction(reason="Wrong child.\nEntered twice;\tsee case note 4."),
    ]
    for event in at_the_bounds:
        assert codec.decode(codec.encode(event)) == event
        assert codec.decode(_written_by_a_source_system(codec, event)) == event


# --- Avro enums: the raw index ------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "field", "index"),
    [
        (registration(), "sex", -1),  # fastavro: the last symbol, the reader-only UNKNOWN
        (registration(), "sex", -2),  # fastavro: "U", a valid code the writer never sent
        (registration(), "sex", 4),
        (registration(), "sex", 2**31 - 1),
        (placement(), "provider", -1),  # an optional enum, in a union with null
        (placement(), "provider", 7),
    ],
    ids=["sex -1", "sex -2", "sex 4", "sex 2**31-1", "provider -1", "provider 7"],
)
def test_an_enum_index_outside_the_symbol_list_is_refused_with_the_field_named(
    codec: AvroCodec, event: JourneyEvent, field: str, index: int
) -> None:
    data = _with_enum_index(codec, event, field, index)
    for read in (codec.decode, codec.decode_record):
        with pytest.raises(InvalidEvent) as raised:
            read(data)
        assert (raised.value.field, raised.value.rule) == (field, "enum_index")
        assert str(index) in raised.value.message


@pytest.mark.parametrize(
    ("event", "field"),
    [(registration(), "sex"), (placement(), "provider")],
    ids=["sex", "provider"],
)
def test_the_enum_default_symbol_written_by_a_writer_is_refused(
    codec: AvroCodec, event: JourneyEvent, field: str
) -> None:
    # The writer's own schema lists UNKNOWN (so an older reader can map new codes to it),
    # so Avro lets a writer send it; the contract does not.
    data = _written_by_a_source_system(codec, replace(event, **{field: "UNKNOWN"}))
    for read in (codec.decode, codec.decode_record):
        with pytest.raises(InvalidEvent) as raised:
            read(data)
        assert (raised.value.field, raised.value.rule) == (field, "enum_default_written")


def test_every_valid_enum_index_still_reads_as_its_symbol(codec: AvroCodec) -> None:
    for index, sex in enumerate(["F", "M", "U"]):
        assert codec.decode(_with_enum_index(codec, registration(), "sex", index)).sex == sex
    assert codec.decode(codec.encode(placement(provider=None))).provider is None


# --- recorded_at against the processor's clock -------------------------------------------


def test_recorded_at_more_than_the_margin_ahead_of_now_is_refused() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    check_not_recorded_ahead(placement(recorded_at=now + RECORDED_AT_MAX_AHEAD), now)
    check_not_recorded_ahead(placement(recorded_at=now - timedelta(days=3_000)), now)
    for ahead in (RECORDED_AT_MAX_AHEAD + timedelta(microseconds=1), timedelta(days=27_000)):
        with pytest.raises(InvalidEvent) as raised:
            check_not_recorded_ahead(placement(recorded_at=now + ahead), now)
        assert (raised.value.field, raised.value.rule) == ("recorded_at", "recorded_in_future")
        assert "2024-05-01" in raised.value.message


def test_journeys_publish_refuses_a_line_recorded_in_2099_and_sends_the_rest(
    tmp_path: Path,
) -> None:
    from journeys.kafka.publish import PublishSummary, read_submissions

    valid = placement()
    future = placement(event_id=uuid.UUID(int=9), recorded_at=datetime(2099, 1, 1, tzinfo=UTC))
    path = tmp_path / "events.jsonl"
    write_jsonl(path, [future, valid])
    summary = PublishSummary()
    assert list(read_submissions(path, summary)) == [(2, valid)]  # (line number, event)
    (bad,) = summary.bad_lines
    assert bad.line == 1 and "recorded_in_future" in bad.reason and "recorded_at" in bad.reason


# --- The bounds as the docs state them ---------------------------------------------------


def test_every_field_doc_states_its_bound_as_the_rules_hold_it() -> None:
    assert f"at most {IDENTIFIER_MAX_LENGTH}." in IDENTIFIER_DOC
    assert f"{EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}" in DATE_DOC
    latest = LATEST_RECORDED_AT.isoformat().replace("+00:00", "Z")
    assert f"{EARLIEST_RECORDED_AT.isoformat().replace('+00:00', 'Z')} and {latest}" in (
        RECORDED_AT_DOC
    )
    assert timedelta(days=1) == RECORDED_AT_MAX_AHEAD and "at most 1 day ahead" in RECORDED_AT_DOC
    assert f"at most {FREE_TEXT_MAX_LENGTH:,} characters" in FREE_TEXT_DOC
    for event_class, rules in RULES.items():
        docs = [f.metadata["doc"] for f in fields_of(event_class)]
        for i in rules.identifiers:
            if i != rules.local_authority:  # its own rule: a 3-digit code
                assert docs[i].endswith(IDENTIFIER_DOC), (event_class, rules.names[i])
        for i in rules.dates:
            assert docs[i].endswith(DATE_DOC), (event_class, rules.names[i])
        for i in rules.texts:
            assert docs[i].endswith(FREE_TEXT_DOC), (event_class, rules.names[i])
        assert docs[rules.recorded_at].endswith(RECORDED_AT_DOC)


def test_every_enum_doc_says_its_default_symbol_is_refused_from_a_writer(
    codec: AvroCodec,
) -> None:
    for version in codec.registry:
        for avro_field in version.raw["fields"]:
            branches = avro_field["type"]
            for branch in branches if isinstance(branches, list) else [branches]:
                if isinstance(branch, dict) and branch["type"] == "enum":
                    assert "enum_default_written" in branch["doc"], (version.label, branch)
