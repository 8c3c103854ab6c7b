"""The projection's batch decoder: one fastavro call per writer schema and batch.

Reading every body of one schema as a single Avro array must give exactly what reading
each message on its own gives, for every event type, mixed in one batch, and for
messages written with an older schema version; a message that cannot be read is still
named by its partition and offset, wherever it sits in the batch.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pytest
from schema_versions import message_of, schemas_with

from events.catalogue import JourneyEvent, PlacementStarted, fields_of
from events.codec import AvroCodec, default_codec, default_schemas_dir
from journeys.synthetic import AuthorityParameters, generate
from projections import decode
from projections.decode import MessageDecoder, zigzag_varint
from projections.exceptions import UndecodableMessage

Message = tuple[bytes, int, int]


def messages_of(codec: AvroCodec, events: list[JourneyEvent]) -> list[Message]:
    """The events encoded as the processor writes them, spread over three partitions."""
    return [(codec.encode(event), offset % 3, offset) for offset, event in enumerate(events)]


def decoded_one_by_one(
    decoder: MessageDecoder, messages: list[Message], monkeypatch: pytest.MonkeyPatch
) -> pa.Table:
    """The same batch through the per-message path (one fastavro call per message)."""
    with monkeypatch.context() as patch:
        patch.setattr(decode, "_read_group", lambda group: (decode._read_one_by_one(group), False))
        return decoder.to_arrow(messages)


def by_position(table: pa.Table) -> pa.Table:
    return table.sort_by([("kafka_partition", "ascending"), ("kafka_offset", "ascending")])


@pytest.fixture(scope="module")
def history() -> list[JourneyEvent]:
    return list(generate(AuthorityParameters(children=100, seed=11)))


def test_zigzag_varint_is_the_avro_long_encoding() -> None:
    assert zigzag_varint(0) == b"\x00"
    assert zigzag_varint(1) == b"\x02"
    assert zigzag_varint(63) == b"\x7e"
    assert zigzag_varint(64) == b"\x80\x01"
    assert zigzag_varint(20_000) == b"\xc0\xb8\x02"


def test_a_batch_of_every_event_type_equals_reading_each_message_alone(
    history: list[JourneyEvent], monkeypatch: pytest.MonkeyPatch
) -> None:
    codec = default_codec()
    messages = messages_of(codec, history)
    assert len({event.event_type for event in history}) >= 10  # really mixed
    decoder = MessageDecoder(codec)
    fallbacks: list[object] = []
    with monkeypatch.context() as patch:  # the batch path must not fall back here
        patch.setattr(decode, "_read_one_by_one", fallbacks.append)
        batched = decoder.to_arrow(messages)
    assert fallbacks == []
    assert batched.num_rows == len(messages)
    assert by_position(batched).equals(
        by_position(decoded_one_by_one(decoder, messages, monkeypatch))
    )
    # And each row is the event it came from (ids, types, offsets line up).
    rows = by_position(batched).select(["event_type", "event_id", "kafka_offset"]).to_pylist()
    in_offset_order = sorted(rows, key=lambda row: row["kafka_offset"])
    assert [(row["event_type"], row["event_id"]) for row in in_offset_order] == [
        (event.event_type, str(event.event_id)) for event in history
    ]


@pytest.fixture(scope="module")
def evolved_codec(tmp_path_factory: pytest.TempPathFactory) -> AvroCodec:
    """PlacementStarted as it is today (v2 here), after a v1 that had no `provider`."""
    directory = schemas_with(tmp_path_factory.mktemp("schemas"))
    for copied in directory.glob("PlacementStarted.v*.avsc"):
        copied.unlink()
    current = AvroCodec(default_schemas_dir()).current_version("PlacementStarted").raw
    older = {**current, "fields": [f for f in current["fields"] if f["name"] != "provider"]}
    (directory / "PlacementStarted.v1.avsc").write_text(json.dumps(older))
    (directory / "PlacementStarted.v2.avsc").write_text(json.dumps(current))
    return AvroCodec(directory)


def written_with_v1(codec: AvroCodec, event: PlacementStarted) -> bytes:
    v1 = codec.registry.versions("PlacementStarted")[0]
    return message_of(v1, {f.name: getattr(event, f.name) for f in fields_of(PlacementStarted)})


def test_messages_of_an_older_version_are_resolved_in_the_batch(
    evolved_codec: AvroCodec, history: list[JourneyEvent], monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = messages_of(evolved_codec, history)
    # Every other placement rewritten as a v1 message: old and new versions interleaved.
    old_offsets = [
        offset for offset, event in enumerate(history) if isinstance(event, PlacementStarted)
    ][::2]
    assert len(old_offsets) >= 3
    for offset in old_offsets:
        event = history[offset]
        assert isinstance(event, PlacementStarted)
        messages[offset] = (written_with_v1(evolved_codec, event), offset % 3, offset)

    decoder = MessageDecoder(evolved_codec)
    batched = by_position(decoder.to_arrow(messages))
    assert batched.equals(by_position(decoded_one_by_one(decoder, messages, monkeypatch)))
    rows = {row["kafka_offset"]: row for row in batched.to_pylist()}
    for offset in old_offsets:
        event = history[offset]
        assert isinstance(event, PlacementStarted)
        row = rows[offset]
        assert row["provider"] is None  # v1 had none: the current version's default
        assert (row["event_id"], row["placement_id"], row["carer_id"], row["occurred_on"]) == (
            str(event.event_id),
            event.placement_id,
            event.carer_id,
            event.occurred_on,
        )
    untouched = next(
        offset for offset, event in enumerate(history)
        if isinstance(event, PlacementStarted) and offset not in old_offsets
        and event.provider is not None
    )  # fmt: skip
    assert rows[untouched]["provider"] == history[untouched].provider  # type: ignore[attr-defined]


def damaged(messages: list[Message], index: int, value: bytes) -> list[Message]:
    _, partition, offset = messages[index]
    return [*messages[:index], (value, partition, offset), *messages[index + 1 :]]


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda value: value[:-3], "body cannot be read"),  # truncated
        (lambda value: value + b"\x00\x02", "bytes follow the end"),  # trailing bytes
        (lambda value: value[:14] + b"\xff" * 9 + value[23:], "cannot be read"),  # garbage
        # The first byte of child_id (after the 36-character event_id) not UTF-8: the
        # batch reads text as bytes, and Arrow's check sends it back to be named.
        (lambda value: value[:48] + b"\xff" + value[49:], "cannot be read"),
        (lambda value: b"\x00\x01" + value[2:], "not a single-object encoded"),  # bad magic
        (lambda value: value[:2] + b"\x00" * 8 + value[10:], "not a single-object encoded"),
    ],
    ids=["truncated", "trailing-bytes", "garbage", "not-utf8", "bad-magic", "unknown-fingerprint"],
)
def test_an_unreadable_message_in_a_batch_is_named_by_partition_and_offset(
    history: list[JourneyEvent], damage: Any, says: str
) -> None:
    codec = default_codec()
    messages = messages_of(codec, history)
    # A message in the middle of its schema's group, so good bodies follow it.
    index = next(
        i for i, event in enumerate(history[50:], start=50)
        if event.event_type == history[0].event_type
    )  # fmt: skip
    value, partition, offset = messages[index]
    named = f"partition {partition} offset {offset}: "
    with pytest.raises(UndecodableMessage, match=named) as raised:
        MessageDecoder(codec).to_arrow(damaged(messages, index, damage(value)))
    assert says in str(raised.value)


def test_an_empty_batch_is_an_empty_table_of_the_event_log_schema() -> None:
    table = MessageDecoder(default_codec()).to_arrow([])
    assert table.num_rows == 0
    assert table.schema == decode.ARROW_SCHEMA
