"""The committed reader's filter (events.kafka.committed), on record batches built here.

No broker: each test builds the bytes of a fetch (data batches, and the control batches
only a broker writes) and drives the hooked PartitionRecords as kafka-python's fetcher
does. The broker tests are tests/integration/test_committed_reader.py.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

import kafka
from kafka.consumer.fetcher import Fetcher
from kafka.record.default_records import DefaultRecordBatchBuilder
from kafka.record.memory_records import MemoryRecords
from kafka.record.util import calc_crc32c
from kafka.structs import TopicPartition

from events.kafka.committed import (
    KAFKA_PYTHON_VERSION,
    BatchHeader,
    CommittedLedger,
    CommittedPartitionRecords,
    batch_headers,
)

TP = TopicPartition("care.journey.events", 0)
NOT_TRANSACTIONAL = -1


def test_kafka_python_is_the_version_the_committed_reader_was_written_against() -> None:
    assert kafka.__version__ == KAFKA_PYTHON_VERSION, (
        f"kafka-python is {kafka.__version__}, and events/kafka/committed.py hooks private "
        f"parts of {KAFKA_PYTHON_VERSION}: re-check Fetcher.PartitionRecords (its __init__ "
        "arguments, that the fetcher creates it as self.PartitionRecords(...), that "
        "_unpack_records is a generator over MemoryRecords with _buffer that calls drain() "
        "at its end and sets next_fetch_offset, _maybe_skip_record, drain) and "
        "KafkaConsumer.seek/seek_to_beginning/seek_to_end/assign, then run "
        "tests/unit/test_committed.py and tests/integration/test_committed_reader.py and "
        "update KAFKA_PYTHON_VERSION"
    )
    for name in ("_unpack_records", "_maybe_skip_record", "drain", "take"):
        assert hasattr(Fetcher.PartitionRecords, name), name


def _batch(
    base_offset: int,
    values: Sequence[bytes],
    *,
    producer_id: int = NOT_TRANSACTIONAL,
    epoch: int = 0,
) -> bytes:
    builder = DefaultRecordBatchBuilder(
        magic=2,
        compression_type=0,
        is_transactional=producer_id != NOT_TRANSACTIONAL,
        producer_id=producer_id,
        producer_epoch=epoch if producer_id != NOT_TRANSACTIONAL else -1,
        base_sequence=0 if producer_id != NOT_TRANSACTIONAL else -1,
        batch_size=1 << 20,
    )
    for delta, value in enumerate(values):
        builder.append(delta, timestamp=0, key=None, value=value, headers=[])
    built = bytearray(builder.build())
    struct.pack_into(">q", built, 0, base_offset)
    return bytes(built)


def _marker(offset: int, producer_id: int, *, abort: bool, epoch: int = 0) -> bytes:
    """A control batch as a broker writes it: one record, key (version 0, type)."""
    builder = DefaultRecordBatchBuilder(
        magic=2,
        compression_type=0,
        is_transactional=True,
        producer_id=producer_id,
        producer_epoch=epoch,
        base_sequence=-1,
        batch_size=1 << 20,
    )
    key = struct.pack(">hh", 0, 0 if abort else 1)
    builder.append(0, timestamp=0, key=key, value=struct.pack(">hi", 0, 0), headers=[])
    built = bytearray(builder.build())
    struct.pack_into(">q", built, 0, offset)
    (attributes,) = struct.unpack_from(">h", built, 21)
    struct.pack_into(">h", built, 21, attributes | 0x20)  # the control flag
    struct.pack_into(">I", built, 17, calc_crc32c(memoryview(built)[21:]))
    return bytes(built)


@dataclass
class _Subscriptions:
    assignment: dict[TopicPartition, object]


class _Fetches:
    """The fetcher's side: one position per partition, moved as kafka-python's does."""

    def __init__(self) -> None:
        self.ledger = CommittedLedger(_Subscriptions({TP: object()}))
        self.position = 0

    def fetch(self, *batches: bytes, take: int | None = None) -> list[tuple[int, bytes]]:
        part = CommittedPartitionRecords(
            self.ledger, self.position, TP, MemoryRecords(b"".join(batches))
        )
        records = []
        while part:
            taken = part.take(take)
            records += [(record.offset, record.value) for record in taken]
            self.position = part.next_fetch_offset
        return records


def test_batch_headers_say_producer_transaction_and_marker() -> None:
    buffer = _batch(0, [b"a"]) + _batch(1, [b"b", b"c"], producer_id=7, epoch=2)
    buffer += _marker(3, 7, abort=True, epoch=2) + _marker(4, 7, abort=False, epoch=2)
    assert batch_headers(buffer) == [
        BatchHeader(0, 0, -1, -1, transactional=False, control=False, abort=False),
        BatchHeader(1, 2, 7, 2, transactional=True, control=False, abort=False),
        BatchHeader(3, 3, 7, 2, transactional=True, control=True, abort=True),
        BatchHeader(4, 4, 7, 2, transactional=True, control=True, abort=False),
    ]


def test_a_batch_cut_off_at_the_end_of_the_buffer_is_left_for_the_next_fetch() -> None:
    whole = _batch(0, [b"a"])
    assert batch_headers(whole + _batch(1, [b"b"])[:30]) == batch_headers(whole)


def test_a_commit_in_a_later_fetch_releases_what_an_earlier_one_held() -> None:
    fetches = _Fetches()
    assert fetches.fetch(_batch(0, [b"t1", b"t2"], producer_id=7), _batch(2, [b"plain"])) == []
    assert fetches.position == 3
    assert fetches.ledger.first_held(TP) == 0  # the safe position stays at the open one
    assert fetches.fetch(_marker(3, 7, abort=False), _batch(4, [b"next"])) == [
        (0, b"t1"),
        (1, b"t2"),
        (2, b"plain"),
        (4, b"next"),
    ]
    assert fetches.ledger.first_held(TP) is None
    assert fetches.ledger.aborted() == 0


def test_markers_at_the_end_of_a_buffer_release_before_it_is_drained() -> None:
    fetches = _Fetches()
    records = fetches.fetch(
        _batch(0, [b"t1", b"t2", b"t3"], producer_id=7), _marker(3, 7, abort=False), take=1
    )
    assert records == [(0, b"t1"), (1, b"t2"), (2, b"t3")]
    assert fetches.position == 4


def test_an_abort_drops_only_its_own_transaction_and_counts_it() -> None:
    fetches = _Fetches()
    records = fetches.fetch(
        _batch(0, [b"a1"], producer_id=7),
        _batch(1, [b"b1"], producer_id=8),
        _batch(2, [b"a2"], producer_id=7),
        _marker(3, 7, abort=True),
        _batch(4, [b"plain"]),
        _marker(5, 8, abort=False),
    )
    assert records == [(1, b"b1"), (4, b"plain")]
    assert fetches.ledger.aborted(TP) == 2


def test_a_newer_epoch_of_a_producer_ends_its_fenced_transaction_as_aborted() -> None:
    fetches = _Fetches()
    records = fetches.fetch(
        _batch(0, [b"fenced-1", b"fenced-2"], producer_id=7, epoch=0),
        _batch(2, [b"plain"]),
        _batch(3, [b"new"], producer_id=7, epoch=1),
        _marker(4, 7, abort=False, epoch=1),
    )
    assert records == [(2, b"plain"), (3, b"new")]
    assert fetches.ledger.aborted() == 2


def test_records_before_the_fetch_offset_are_not_returned_again() -> None:
    fetches = _Fetches()
    first = _batch(0, [b"a", b"b", b"c"])
    assert fetches.fetch(first, take=2) == [(0, b"a"), (1, b"b"), (2, b"c")]
    fetches.position = 2  # a broker may answer from the start of the batch holding 2
    fetches.ledger.forget([TP])
    assert fetches.fetch(first) == [(2, b"c")]


def test_a_moved_position_drops_what_is_held() -> None:
    fetches = _Fetches()
    log = (_batch(0, [b"plain"]), _batch(1, [b"open"], producer_id=7))
    assert fetches.fetch(*log) == [(0, b"plain")]
    fetches.position = 0  # moved back, unseen by the ledger: the fetch offset tells
    assert fetches.fetch(*log, _marker(2, 7, abort=False)) == [(0, b"plain"), (1, b"open")]
