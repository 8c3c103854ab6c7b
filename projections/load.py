"""Events to Arrow to DuckDB: the one bulk path every projection load takes.

`projections.decode.MessageDecoder` turns a batch of messages into one Arrow table of
event-log rows; `append` inserts that table into `event_log` and moves `consumed_offsets`
forward in one DuckDB transaction (`append_in_transaction` when the caller holds the
transaction open across several batches): the rows and the offsets they came from are committed
together or not at all, so a crash and restart neither loses nor double-counts an event.
`batch_of` does the same for contract event objects (tests, one-off loads).
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pyarrow as pa

from events.catalogue import JourneyEvent
from events.codec import default_codec
from projections.decode import MessageDecoder
from projections.maintain import bring_up_to_date, note_loaded_batch
from projections.schema import COLUMN_NAMES, UUID_COLUMNS


class ProjectionError(RuntimeError):
    """The projection refused a load that would make it wrong; nothing was written.

    Rebuild the projection (`journeys project --rebuild`) if the database was tampered with.
    """


_SELECT_INCOMING = ", ".join(
    f"cast({name} as uuid)" if name in UUID_COLUMNS else name for name in COLUMN_NAMES
)


def batch_of(
    events: Iterable[JourneyEvent], *, partition: int = 0, first_offset: int = 0
) -> pa.Table:
    """Contract events as one Arrow batch at consecutive offsets of one partition.

    The events are encoded as the processor writes them and decoded by the runner's own
    `MessageDecoder`, so a batch built here is exactly what the runner would load.
    """
    codec = default_codec()
    messages = (
        (codec.encode(event), partition, offset)
        for offset, event in enumerate(events, start=first_offset)
    )
    return MessageDecoder(codec).to_arrow(messages)


def consumed_offsets(connection: duckdb.DuckDBPyConnection, topic: str) -> dict[int, int]:
    """Per partition of `topic`, the next offset to read (partitions never read are absent)."""
    rows = connection.execute(
        "select kafka_partition, next_offset from consumed_offsets where topic = ?", [topic]
    ).fetchall()
    return {int(partition): int(next_offset) for partition, next_offset in rows}


def append(connection: duckdb.DuckDBPyConnection, topic: str, batch: pa.Table) -> None:
    """Insert `batch` into event_log and advance consumed_offsets, in one transaction.

    `append_in_transaction` inside a transaction of its own: any failure rolls back the
    rows and the offsets together.
    """
    if batch.num_rows == 0:
        return
    connection.begin()
    try:
        append_in_transaction(connection, topic, batch)
        bring_up_to_date(connection)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise


def append_in_transaction(
    connection: duckdb.DuckDBPyConnection, topic: str, batch: pa.Table
) -> None:
    """The steps of `append`, inside a transaction the caller has begun and will end.

    Steps:
    1. refuse the batch if any of its messages is below a partition's stored next offset
       (it was projected already: loading it again would count it twice);
    2. insert every row of the batch into event_log;
    3. set each partition's next offset to one past the batch's last offset in it.
    The runner appends several polled batches in one transaction while catching up
    (a DuckDB commit costs about as much again as the insert unless the transaction
    holds whole row groups); the rows and their offsets still commit together.
    """
    if batch.num_rows == 0:
        return
    connection.register("incoming_events", batch)
    try:
        already = connection.execute(
            """
            select incoming.kafka_partition, min(incoming.kafka_offset), stored.next_offset
            from incoming_events as incoming
            join consumed_offsets as stored
                on stored.topic = ? and stored.kafka_partition = incoming.kafka_partition
            where incoming.kafka_offset < stored.next_offset
            group by incoming.kafka_partition, stored.next_offset
            """,
            [topic],
        ).fetchall()
        if already:
            partition, offset, next_offset = already[0]
            raise ProjectionError(
                f"{topic} partition {partition} offset {offset} is already projected "
                f"(next offset to read is {next_offset}); refusing to count it twice"
            )
        connection.execute(f"insert into event_log select {_SELECT_INCOMING} from incoming_events")
        note_loaded_batch(connection, "incoming_events")
        connection.execute(
            """
            insert into consumed_offsets
            select ?, kafka_partition, max(kafka_offset) + 1
            from incoming_events
            group by kafka_partition
            on conflict (topic, kafka_partition) do update set next_offset = excluded.next_offset
            """,
            [topic],
        )
    finally:
        connection.unregister("incoming_events")
