"""Fuzzing the submission processor on the embedded broker: hostile input never stops it.

Each example is a list of up to 50 submissions published in one go: a child's
registration (its dates at their extremes or plausible), then arbitrary bytes;
arbitrary bytes behind a real single-object header (so the Avro reader sees them);
records of any event schema with every field drawn from the schema's own types at their
extremes; and valid events with one or two fields swapped for such values. Records are
written as raw Avro with fastavro from the schemas, enums as their raw index, so they hold
what the codec would refuse to write (negative enum indexes, the default symbol, dates in
year 1 or 9999, NUL and escape sequences, long texts). Half the valid events swapped are
about the registered child, so they reach the Journey rules; and registrations of new
children with extreme values, which need no earlier event to be accepted. Each message
stays under 100 KB: larger ones are the subject of the size limit, tested on their own.

After each list comes one valid submission. The processor must return (process until
idle), account for every submission, refuse each with a rule code, a field and a message,
and record the valid submission; and whatever it recorded must keep the contract's bounds
(read back with fastavro, not the codec).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from fastavro import schemaless_reader, schemaless_writer
from fastavro.schema import parse_schema
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from kafka import KafkaProducer
from kafka_examples import registration
from strategies import events_of

from events.catalogue import EVENT_CLASSES, EVENT_TYPES, JourneyEvent, fields_of
from events.codec import MAGIC, default_codec
from events.fastpath import CONVERSIONS
from events.schemas import SchemaVersion
from events.settings import Settings
from events.validation import (
    EARLIEST_DATE,
    EARLIEST_RECORDED_AT,
    FREE_TEXT_MAX_LENGTH,
    IDENTIFIER_MAX_LENGTH,
    LATEST_DATE,
    RECORDED_AT_MAX_AHEAD,
    is_free_text,
)
from journeys.kafka.processor import process_until_idle
from journeys.kafka.record_reader import read_topic
from journeys.kafka.rejected import read_rejections

pytestmark = [pytest.mark.kafka, pytest.mark.slow]  # some 30 s: a group join per example

MESSAGE_LIMIT = 100_000
CODEC = default_codec()
ALL_CODES = sorted(
    {code for c in EVENT_CLASSES for f in fields_of(c) for code in f.metadata.get("codes", ())}
)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# --- Values at the extremes of each Avro type ---------------------------------------------

texts = st.one_of(
    st.text(max_size=40),  # any code point but surrogates: controls, format characters
    st.sampled_from([*ALL_CODES, "UNKNOWN", "", " ", "371", "\x1b[2J\x1b[H", "C\x00", "\u202e"]),
    st.uuids().map(str),
    st.integers(0, 6_000).map(lambda n: "x" * n),  # past every length bound, under 100 KB
)
days = st.one_of(
    st.integers(-(2**31), 2**31 - 1),
    st.sampled_from([-719_163, -719_162, -25_568, -25_567, 0, 19_800, 47_846, 47_847, 2_932_897]),
)


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


_NOW = datetime.now(UTC)
micros = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from(
        [
            _micros(datetime(1, 1, 1, tzinfo=UTC)),
            _micros(datetime(1899, 12, 31, tzinfo=UTC)),
            _micros(datetime(2099, 1, 1, tzinfo=UTC)),
            _micros(_NOW + timedelta(days=2)),
            _micros(_NOW),
            _micros(datetime(9999, 12, 31, tzinfo=UTC)),
        ]
    ),
)
enum_indexes = st.one_of(st.integers(-5, 15), st.integers(-(2**31), 2**31 - 1))


def _value_of(avro_type: Any) -> st.SearchStrategy[Any]:
    """Any value of an Avro type of the event schemas (an enum as its raw index)."""
    if isinstance(avro_type, list):
        return st.one_of([_value_of(branch) for branch in avro_type])
    if isinstance(avro_type, dict):
        kind, logical = avro_type["type"], avro_type.get("logicalType")
        if kind == "enum":
            return enum_indexes
        if kind == "array":
            return st.lists(_value_of(avro_type["items"]), max_size=5)
        if logical == "uuid":
            return st.uuids().map(str) | texts
        if logical == "date":
            return days
        if logical == "timestamp-micros":
            return micros
        return _value_of(kind)
    return {
        "null": st.none(),
        "string": texts,
        "boolean": st.booleans(),
        "int": days,
        "long": micros,
    }[avro_type]


def _enums_as_ints(avro_type: Any) -> Any:
    if isinstance(avro_type, list):
        return [_enums_as_ints(branch) for branch in avro_type]
    if isinstance(avro_type, dict) and avro_type.get("type") == "enum":
        return "int"
    return avro_type


def _raw_writer(version: SchemaVersion) -> Callable[[dict[str, Any]], bytes]:
    """Writes a record of `version` as a source system could: enums as any raw index."""
    raw = copy.deepcopy(version.raw)
    for avro_field in raw["fields"]:
        avro_field["type"] = _enums_as_ints(avro_field["type"])
    schema = parse_schema(raw)

    def write(record: dict[str, Any]) -> bytes:
        body = BytesIO()
        schemaless_writer(body, schema, record)
        return MAGIC + version.fingerprint + body.getvalue()

    return write


VERSIONS = {t: CODEC.current_version(t) for t in EVENT_TYPES}
WRITERS = {t: _raw_writer(v) for t, v in VERSIONS.items()}


def _avro_record(event: JourneyEvent) -> dict[str, Any]:
    """A valid event as the raw record fastavro writes (logical types and enums converted)."""
    record = {}
    for avro_field in VERSIONS[event.event_type].raw["fields"]:
        name, avro_type = avro_field["name"], avro_field["type"]
        value = getattr(event, name)
        branches = avro_type if isinstance(avro_type, list) else [avro_type]
        enum = next((b for b in branches if isinstance(b, dict) and b["type"] == "enum"), None)
        logical = avro_type.get("logicalType") if isinstance(avro_type, dict) else None
        if enum is not None and value is not None:
            value = enum["symbols"].index(value)
        elif logical in CONVERSIONS:
            value = CONVERSIONS[logical][0](value)
        elif isinstance(value, tuple):
            value = list(value)
        record[name] = value
    return record


@st.composite
def any_record(draw: st.DrawFn) -> bytes:
    """A record of any event schema, every field at its type's extremes."""
    event_type = draw(st.sampled_from(sorted(EVENT_TYPES)))
    fields = VERSIONS[event_type].raw["fields"]
    return WRITERS[event_type]({f["name"]: draw(_value_of(f["type"])) for f in fields})


def nearly_valid_record(child: str) -> st.SearchStrategy[bytes]:
    """A valid event with one or two fields swapped for extreme values of their type.

    Half of them are about `child` (registered at the start of the example, with extreme
    dates of its own), so they reach the Journey rules rather than stopping at "child
    not registered".
    """

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        event = draw(st.one_of([events_of(c) for c in EVENT_CLASSES]))
        record = _avro_record(event)
        if draw(st.booleans()):
            # Recorded now, of a day since the child's registration (2015-01-05).
            occurred_on = draw(st.integers(16_440, (_NOW - EPOCH).days))
            record |= {
                "child_id": child, "local_authority": "371", "occurred_on": occurred_on,
                "recorded_at": _micros(_NOW - timedelta(minutes=1)),
            }  # fmt: skip
        fields = {f["name"]: f["type"] for f in VERSIONS[event.event_type].raw["fields"]}
        for name in draw(st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=2)):
            record[name] = draw(_value_of(fields[name]))
        return WRITERS[event.event_type](record)

    return build()


@st.composite
def a_registration(draw: st.DrawFn, child: str) -> bytes:
    """`child` registered, its date of birth and dates at their extremes or plausible."""
    record = _avro_record(registration(child))
    if draw(st.integers(0, 3)) == 0:  # mostly valid, so that the child's events count
        for name in ("date_of_birth", "occurred_on"):
            record[name] = draw(days | st.just(record[name]))
        record["recorded_at"] = draw(micros | st.just(record["recorded_at"]))
    return WRITERS["ChildRegistered"](record)


@st.composite
def a_new_child(draw: st.DrawFn) -> bytes:
    """A registration of a child of its own, one or two fields at their extremes.

    A registration needs no earlier event, so it is where the Journey rules let the most
    through: what the contract does not refuse here ends up in the record.
    """
    record = _avro_record(registration(f"FUZZ-{draw(st.uuids()).hex[:8]}"))
    fields = {f["name"]: f["type"] for f in VERSIONS["ChildRegistered"].raw["fields"]}
    for name in draw(st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=2)):
        record[name] = draw(_value_of(fields[name]))
    return WRITERS["ChildRegistered"](record)


headers = st.sampled_from([MAGIC + v.fingerprint for v in VERSIONS.values()])
keys = st.none() | st.binary(max_size=80) | st.text(max_size=20).map(str.encode)


@st.composite
def an_example(draw: st.DrawFn) -> list[tuple[bytes | None, bytes]]:
    """Up to 50 submissions: a child's registration, then anything."""
    child = f"FUZZ-{draw(st.uuids()).hex[:8]}"
    near = nearly_valid_record(child)
    submissions = st.one_of(
        st.binary(max_size=300),
        st.builds(bytes.__add__, headers, st.binary(min_size=20, max_size=300)),
        any_record(),
        a_new_child(),
        *[near] * 4,  # one_of draws its branches alike: these are half the submissions
    ).filter(lambda data: len(data) < MESSAGE_LIMIT)
    first = (child.encode(), draw(a_registration(child)))
    return [first, *draw(st.lists(st.tuples(keys, submissions), min_size=15, max_size=49))]


def _assert_within_the_contract(value: bytes, judged_by: datetime) -> None:
    """What the record holds keeps the bounds of docs/contract.md, read without the codec."""
    version = CODEC.registry.by_fingerprint(value[2:10])
    record = schemaless_reader(BytesIO(value[10:]), version.parsed, None)
    for avro_field in version.raw["fields"]:
        name, avro_type, held = avro_field["name"], avro_field["type"], record[avro_field["name"]]
        if held is None:
            continue
        branches = avro_type if isinstance(avro_type, list) else [avro_type]
        for enum in (b for b in branches if isinstance(b, dict) and b["type"] == "enum"):
            assert held != enum["default"], name
        if name == "recorded_at":
            assert EARLIEST_RECORDED_AT <= held <= judged_by + RECORDED_AT_MAX_AHEAD, name
        elif isinstance(held, date):
            assert EARLIEST_DATE <= held <= LATEST_DATE, name
        elif isinstance(held, str) and (name.endswith("_id") or name == "source_system"):
            assert held.isprintable() and len(held) <= IDENTIFIER_MAX_LENGTH, name
        elif isinstance(held, str):
            assert is_free_text(held) and len(held) <= FREE_TEXT_MAX_LENGTH, name


@settings(
    max_examples=6,
    deadline=None,
    database=None,
    # No shrinking: each step would run the processor again (minutes); a failure shows
    # its whole list of submissions instead.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(messages=an_example())
def test_hostile_submissions_never_stop_the_processor_and_a_valid_one_is_recorded(
    kafka: Settings, messages: list[tuple[bytes | None, bytes]]
) -> None:
    # Every example shares the test's topics: what earlier examples left is still there.
    refused_before = len(read_rejections(kafka))
    valid = registration(f"FUZZ-{uuid.uuid4().hex[:8]}")
    producer = KafkaProducer(**kafka.client_options())
    for key, value in messages:
        producer.send(kafka.submissions_topic, key=key, value=value)
    producer.send(kafka.submissions_topic, key=valid.child_id.encode(), value=CODEC.encode(valid))
    producer.flush()
    producer.close()

    summary = process_until_idle(kafka)  # returns: nothing stopped it

    assert summary.submissions == len(messages) + 1
    assert summary.submissions == (
        summary.accepted + summary.refused + summary.undecodable + summary.duplicates
    )
    judged_by = datetime.now(UTC)
    record = [m.value for m in read_topic(kafka, kafka.events_topic)]
    recorded = [CODEC.decode(value).event_id for value in record]
    assert recorded.count(valid.event_id) == 1
    for value in record:
        _assert_within_the_contract(value, judged_by)
    rejections = read_rejections(kafka)
    assert len(rejections) - refused_before == summary.refused + summary.undecodable
    for rejection in rejections:
        assert rejection.rule_code not in ("", "unknown"), rejection
        assert rejection.field, rejection
        assert rejection.message, rejection
