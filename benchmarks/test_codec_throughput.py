"""Codec throughput against raw fastavro on the same records, measured side by side.

The baseline is `fastavro.schemaless_writer` / `schemaless_reader` with the same parsed
schemas and record dicts prepared up front: the least any Avro codec on fastavro can do.
Our figure adds everything the contract needs (the single-object header, the checks of
`events.validation`, building the event objects). Target: at least 0.8 of the baseline.
The events are timed in chunks of 2,000, baseline and figure alternating chunk by chunk,
over several passes; each chunk counts its fastest pass. On a shared machine a burst of
noise then spoils one chunk of one pass, for both sides alike, instead of a whole round.
"""

from __future__ import annotations

import random
import time
import typing
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from fastavro import schemaless_reader, schemaless_writer

from benchmarks.conftest import record_ratio, scaled
from events.catalogue import EVENT_TYPES, JourneyEvent, fields_of
from events.codec import HEADER_LENGTH, default_codec

# Roughly how often each event type occurs in a year of Doncaster's records.
MIX = {
    "ReferralReceived": 40, "AssessmentStarted": 35, "AssessmentCompleted": 33,
    "ReferralClosed": 38, "Section47Started": 10, "ChildProtectionConferenceHeld": 7,
    "ChildProtectionPlanStarted": 5, "ChildProtectionPlanEnded": 5, "ChildRegistered": 30,
    "PeriodOfCareStarted": 3, "LegalStatusChanged": 2, "PlacementStarted": 8,
    "PlacementEnded": 7, "PeriodOfCareEnded": 3, "PersonalAdviserAllocated": 1,
    "CareLeaverContactRecorded": 4, "EventRetracted": 1,
}  # fmt: skip
PASSES = 7
CHUNK = 2_000
EVERYTHING = slice(None)


def _value(rng: random.Random, name: str, hint: Any, metadata: Any) -> Any:
    codes = sorted(metadata.get("codes", ()))
    if name == "local_authority":
        return "371"
    if hint is uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)
    if hint is bool:
        return rng.random() < 0.6
    if hint is date:
        return date(2005, 1, 1) + timedelta(days=rng.randrange(4000))
    if typing.get_origin(hint) is tuple:
        return tuple(rng.sample(codes, rng.randrange(4)))
    if codes:
        return rng.choice(codes)
    if hint == (str | None):
        return None
    return f"{name[:3].upper()}-{rng.randrange(10**6)}"


def realistic_events(count: int) -> list[JourneyEvent]:
    rng = random.Random(2017)
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=count)
    made = []
    for kind in kinds:
        event_class = EVENT_TYPES[kind]
        hints = typing.get_type_hints(event_class)
        recorded_at = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(10**7))
        values = {
            f.name: _value(rng, f.name, hints[f.name], f.metadata)
            for f in fields_of(event_class)
            if f.name not in ("occurred_on", "recorded_at")
        }
        occurred_on = recorded_at.date() - timedelta(days=rng.randrange(60))
        made.append(event_class(**values, occurred_on=occurred_on, recorded_at=recorded_at))
    return made


def _best_rates(
    count: int, baseline: Callable[[slice], Any], figure: Callable[[slice], Any]
) -> tuple[float, float]:
    """Events per second of figure and baseline, from each chunk's fastest pass."""
    chunks = [slice(start, start + CHUNK) for start in range(0, count, CHUNK)]
    best_baseline = [float("inf")] * len(chunks)
    best_figure = [float("inf")] * len(chunks)
    for _ in range(PASSES):
        for i, chunk in enumerate(chunks):
            start = time.perf_counter()
            baseline(chunk)
            best_baseline[i] = min(best_baseline[i], time.perf_counter() - start)
            start = time.perf_counter()
            figure(chunk)
            best_figure[i] = min(best_figure[i], time.perf_counter() - start)
    return count / sum(best_figure), count / sum(best_baseline)


@pytest.fixture(scope="module")
def workload(scale: float) -> dict[str, Any]:
    codec = default_codec()
    events = realistic_events(scaled(20_000, scale))
    schemas = [codec.current_version(e.event_type).parsed for e in events]
    records = [{f.name: getattr(e, f.name) for f in fields_of(type(e))} for e in events]
    messages = [codec.encode(e) for e in events]
    bodies = [m[HEADER_LENGTH:] for m in messages]

    def raw_read(part: slice = EVERYTHING) -> list[dict[str, Any]]:
        return [
            schemaless_reader(BytesIO(body), schema, None)
            for schema, body in zip(schemas[part], bodies[part], strict=True)
        ]

    return {
        "codec": codec, "events": events, "schemas": schemas, "records": records,
        "messages": messages, "raw_read": raw_read,
    }  # fmt: skip


def test_encode_keeps_most_of_raw_fastavro_speed(benchmark: Any, workload: dict[str, Any]) -> None:
    encode, events = workload["codec"].encode, workload["events"]
    schemas, records = workload["schemas"], workload["records"]

    def ours(part: slice = EVERYTHING) -> list[bytes]:
        return [encode(event) for event in events[part]]

    def raw(part: slice = EVERYTHING) -> list[bytes]:
        out = []
        for schema, record in zip(schemas[part], records[part], strict=True):
            buffer = BytesIO()
            schemaless_writer(buffer, schema, record)
            out.append(buffer.getvalue())
        return out

    assert [m[HEADER_LENGTH:] for m in ours()] == raw()  # the same bytes, after the header
    figure, baseline = _best_rates(len(events), raw, ours)
    benchmark.pedantic(ours, rounds=1, iterations=1)
    record_ratio(benchmark, "encode", figure, baseline, unit="events/s")


def test_decode_keeps_most_of_raw_fastavro_speed(benchmark: Any, workload: dict[str, Any]) -> None:
    decode, messages, raw = workload["codec"].decode, workload["messages"], workload["raw_read"]

    def ours(part: slice = EVERYTHING) -> list[JourneyEvent]:
        return [decode(message) for message in messages[part]]

    assert ours() == workload["events"]
    figure, baseline = _best_rates(len(messages), raw, ours)
    benchmark.pedantic(ours, rounds=1, iterations=1)
    record_ratio(benchmark, "decode (events)", figure, baseline, unit="events/s")


def test_decode_record_keeps_most_of_raw_fastavro_speed(
    benchmark: Any, workload: dict[str, Any]
) -> None:
    decode_record, messages = workload["codec"].decode_record, workload["messages"]
    raw = workload["raw_read"]

    def ours(part: slice = EVERYTHING) -> list[tuple[str, dict[str, Any]]]:
        return [decode_record(message) for message in messages[part]]

    assert [record for _, record in ours()] == raw()
    figure, baseline = _best_rates(len(messages), raw, ours)
    benchmark.pedantic(ours, rounds=1, iterations=1)
    record_ratio(benchmark, "decode_record", figure, baseline, unit="events/s")
