"""Which record a projection was built from, and whether the events topic still holds it.

`consumed_offsets` keeps, per partition, the offset and event_id of the last event the
projection read. Before a runner resumes, `check_built_from` reads each of those events
back from the topic: if one is missing or another event sits at its offset, the topic is
no longer the record the projection was built from (the embedded broker keeps topics in
memory only, so a restart empties them; or JOURNEYS_TOPIC_PREFIX now names another
record), and resuming would serve old indicators and read at offsets the new record does
not have. The runner then refuses, and `journeys project --rebuild` builds the projection
again from the record as it is.

The events are read back, not inferred from `end_offsets()`: the embedded broker's is the
newest batch's base offset plus one, so it says too little. Reading is read_uncommitted,
so an event is found whatever transaction is open on the partition.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
from kafka import TopicPartition
from kafka.errors import OffsetOutOfRangeError

from events.codec import default_codec
from events.exceptions import InvalidEvent
from events.kafka import client
from events.settings import Settings
from projections.exceptions import ProjectionError, RecordChanged

# How long to wait for the topic to answer about every partition before giving up.
_READ_BACK_SECONDS = 30.0
_POLL_MS = 500


@dataclass(frozen=True)
class LastEvent:
    """Where the projection's last event of one partition was, and which event it was."""

    partition: int
    offset: int
    event_id: uuid.UUID


def check_built_from(
    settings: Settings,
    connection: duckdb.DuckDBPyConnection,
    database: Path,
    partitions: list[int],
) -> None:
    """Raise RecordChanged unless the topic holds the projection's last event of every
    partition at its offset (nothing to check for a projection that read nothing yet)."""
    topic = settings.events_topic
    last_events = _last_events(connection, database, topic)
    missing = sorted({event.partition for event in last_events} - set(partitions))
    if missing:
        raise RecordChanged(
            database, f"{topic} has no partition {missing[0]}, which the projection read"
        )
    if not last_events:
        return
    found = _read_back(settings, topic, last_events)
    codec = default_codec()
    for event in last_events:
        where = f"partition {event.partition} offset {event.offset:,}"
        value = found.get(event.partition)
        if value is None:
            raise RecordChanged(
                database,
                f"{topic} ends before {where}, the last event projected from it (a broker "
                "restarted with empty in-memory topics?)",
            )
        try:
            event_id = codec.decode_record(value)[1]["event_id"]
        except InvalidEvent:
            event_id = None
        if event_id is None or uuid.UUID(str(event_id)) != event.event_id:
            raise RecordChanged(
                database,
                f"{topic} holds another event at {where} than the one projected from there",
            )


def _last_events(
    connection: duckdb.DuckDBPyConnection, database: Path, topic: str
) -> list[LastEvent]:
    rows = connection.execute(
        "select topic, kafka_partition, next_offset, last_offset, last_event_id "
        "from consumed_offsets order by topic, kafka_partition"
    ).fetchall()
    others = sorted({str(row[0]) for row in rows} - {topic})
    if others:
        raise RecordChanged(database, f"it was projected from {others[0]}, not {topic}")
    events = []
    for _, partition, next_offset, last_offset, last_event_id in rows:
        if last_event_id is None:
            if int(next_offset) == 0:
                continue
            raise RecordChanged(
                database,
                f"it was projected by an earlier version that did not note the last event "
                f"read from partition {partition}, so which record it holds is unknown",
            )
        events.append(LastEvent(int(partition), int(last_offset), uuid.UUID(str(last_event_id))))
    return events


def _read_back(settings: Settings, topic: str, last_events: list[LastEvent]) -> dict[int, bytes]:
    """The value at each last event's offset, per partition; absent where the partition
    ends before that offset, empty where the first record at or after it is later."""
    wanted = {TopicPartition(topic, event.partition): event.offset for event in last_events}
    consumer = client.raw_reader(
        settings,
        auto_offset_reset="none",  # an offset past the end is an answer, not a reset
        max_poll_records=1,
    )
    found: dict[int, bytes] = {}
    answered: set[TopicPartition] = set()
    try:
        consumer.assign(list(wanted))
        for partition, offset in wanted.items():
            consumer.seek(partition, offset)
        deadline = time.monotonic() + _READ_BACK_SECONDS
        while len(answered) < len(wanted):
            if time.monotonic() > deadline:
                waiting = sorted(tp.partition for tp in set(wanted) - answered)
                raise ProjectionError(
                    f"{topic} did not answer within {_READ_BACK_SECONDS:.0f} s when asked "
                    f"for the last projected events of partitions {waiting}: is the "
                    "broker up? Nothing was written"
                )
            try:
                polled = consumer.poll(timeout_ms=_POLL_MS)
            except OffsetOutOfRangeError as error:
                ended = error.args[0] if error.args and isinstance(error.args[0], dict) else {}
                for partition in ended or set(wanted) - answered:
                    answered.add(partition)
                    consumer.pause(partition)
                continue
            for partition, messages in polled.items():
                if partition in answered or not messages:
                    continue
                # A later offset first: nothing is at the wanted one, so not the event.
                exact = messages[0].offset == wanted[partition]
                found[partition.partition] = messages[0].value if exact else b""
                answered.add(partition)
                consumer.pause(partition)
            for partition in set(wanted) - answered:
                # The fetch's high watermark is the partition's true end (its end_offsets()
                # may be lower on the embedded broker): at or before the offset, no event.
                end = consumer.highwater(partition)
                if end is not None and end <= wanted[partition]:
                    answered.add(partition)
                    consumer.pause(partition)
    finally:
        consumer.close()
    return found
