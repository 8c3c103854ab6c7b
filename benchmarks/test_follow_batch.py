"""The follower's cost per batch, at two sizes of record, side by side.

A follower (`journeys project --follow`) loads each batch and brings the kept tables up
to date for the children it touches before it publishes (`projections.load.append`: the
insert, the later-copy check and `projections.maintain.bring_up_to_date`). That cost
should follow the batch, not the record: this benchmark builds two projections of the
same synthetic authority, one `SMALL_SHARE` the size of the other, holds back from each
the last event of `HELD_CHILDREN` children spread over the record, and loads those back
in batches of `BATCH_EVENTS` events, as a follower receives them. The figure is the median
seconds per batch on the large record; the baseline, on the small one (lower is better;
1.0 means the record's size does not matter). After each batch the snapshot is
published as the runner publishes it (`projections.snapshot.SnapshotPublisher`), timed
apart: a second figure, large record beside small.

No broker: what is measured is the projection's own work per batch, not Kafka's.
"""

from __future__ import annotations

import itertools
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from benchmarks.conftest import record_ratio, scaled

EVENTS_AT_SCALE_1 = 1_000_000
SMALL_SHARE = 0.1
HELD_CHILDREN = 1_200
BATCH_EVENTS = 200
TOPIC = "care.journey.events"


def _synthetic_batch(wanted: int) -> pa.Table:
    """`wanted` events of a synthetic authority as one Arrow table, built 50,000 events at
    a time (at --scale 10 a list of every event object would not fit in memory)."""
    from journeys.synthetic import AuthorityParameters, generate
    from projections.load import batch_of

    tables, chunk, first = [], [], 0
    events = generate(AuthorityParameters(children=max(100, wanted // 6), seed=2024))
    for event in itertools.islice(events, wanted):
        chunk.append(event)
        if len(chunk) == 50_000:
            tables.append(batch_of(chunk, first_offset=first))
            first, chunk = first + len(chunk), []
    if chunk:
        tables.append(batch_of(chunk, first_offset=first))
    return pa.concat_tables(tables)


def _split_off_latest_events(table: pa.Table) -> tuple[pa.Table, pa.Table]:
    """The table without the last event of HELD_CHILDREN children, in recorded_at order,
    and those events renumbered past the end (as a follower would read them next)."""
    connection = duckdb.connect()
    connection.register("loaded", table)
    held = connection.execute(
        f"""
        select last_offset from (
            select child_id, max(kafka_offset) as last_offset from loaded group by child_id
        ) using sample {HELD_CHILDREN} rows (reservoir, 7)
        """
    ).to_arrow_table()["last_offset"]
    connection.close()
    mask = pc.is_in(table["kafka_offset"], held)
    rest, later = table.filter(pc.invert(mask)), table.filter(mask)
    # In the order recorded, as a record of many years is: each child's events are spread
    # over the whole log, not side by side as the generator writes them.
    rest = rest.sort_by("recorded_at")
    offsets = pa.array(range(table.num_rows, table.num_rows + later.num_rows), pa.int64())
    later = later.set_column(later.schema.get_field_index("kafka_offset"), "kafka_offset", offsets)
    return rest, later


@dataclass
class Followed:
    """Per batch: seconds to load it and bring the kept tables up to date, then seconds to
    publish the snapshot (checkpoint and copy); and the database file's size at the end."""

    batch_seconds: list[float] = field(default_factory=list)
    publish_seconds: list[float] = field(default_factory=list)
    file_mib: float = 0.0


def _follow(path: Path, table: pa.Table) -> Followed:
    from projections.database import install
    from projections.load import append
    from projections.snapshot import SnapshotPublisher

    rest, later = _split_off_latest_events(table)
    followed = Followed()
    connection = duckdb.connect(str(path))
    try:
        install(connection)
        # The runner's writer settings (projections.runner.RunnerOptions).
        connection.execute("set threads = 1")
        connection.execute("set memory_limit = '128MB'")
        append(connection, TOPIC, rest)
        publisher = SnapshotPublisher(connection, path)
        try:
            publisher.publish()
            for first in range(0, later.num_rows, BATCH_EVENTS):
                started = time.perf_counter()
                append(connection, TOPIC, later.slice(first, BATCH_EVENTS))
                loaded = time.perf_counter()
                publisher.publish()
                followed.batch_seconds.append(loaded - started)
                followed.publish_seconds.append(time.perf_counter() - loaded)
        finally:
            publisher.close()
        followed.file_mib = path.stat().st_size / (1 << 20)
        return followed
    finally:
        connection.close()


def test_follow_batch_cost_beside_a_record_a_tenth_the_size(
    benchmark: Any, scale: float, tmp_path: Path
) -> None:
    large_size = scaled(EVENTS_AT_SCALE_1, scale)
    table = _synthetic_batch(large_size)
    small_table = table.slice(0, int(large_size * SMALL_SHARE))
    small = _follow(tmp_path / "small.duckdb", small_table)
    large = Followed()

    def measured() -> None:
        nonlocal large
        large = _follow(tmp_path / "large.duckdb", table)

    benchmark.pedantic(measured, rounds=1, iterations=1)
    for name, events, followed in (("small", small_table, small), ("large", table, large)):
        print(
            f"\n{name} record, {events.num_rows:,} events, {followed.file_mib:,.0f} MiB: "
            f"per batch of {BATCH_EVENTS} events {[round(s, 3) for s in followed.batch_seconds]}"
            f" s, then publishing {[round(s, 3) for s in followed.publish_seconds]} s"
        )
    record_ratio(
        benchmark,
        "follow_batch_seconds_large_vs_small_record",
        statistics.median(large.batch_seconds),
        statistics.median(small.batch_seconds),
        "s",
        higher_is_better=False,
    )
    record_ratio(
        benchmark,
        "snapshot_publish_seconds_large_vs_small_record",
        statistics.median(large.publish_seconds),
        statistics.median(small.publish_seconds),
        "s",
        higher_is_better=False,
    )
