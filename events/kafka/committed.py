"""Reading only committed transactions, from the markers in the log, on any broker.

Kafka's read_committed contract has two halves, both the broker's: it holds back every
record at or after the first record of the earliest still-open transaction (the last
stable offset, LSO), and it lists the aborted transactions of each fetch so the client
can drop their records. The embedded broker (Tansu) does neither: its fetch responses
carry no aborted-transaction list, and it hands out records of open transactions. It does
write the COMMIT and ABORT control batches ("markers") into the log, as the protocol
requires.

`CommittedConsumer` (made by `events.kafka.client.record_reader`) is a KafkaConsumer that keeps the
contract itself from those markers. For every fetched buffer it reads the record batch
headers (producer id and epoch, transactional and control flags; for a control batch its
one record, ABORT or COMMIT), cheaply, without decoding the data records, and filters what
kafka-python would have returned:

- a record of a transactional batch is held until its producer's marker is seen, across
  fetch responses: on COMMIT it is released, on ABORT dropped and counted;
- to keep offset order it emulates the LSO: per partition, every record at or after the
  first record of the earliest open transaction is held (non-transactional ones too), and
  released in offset order as that transaction ends;
- a producer whose epoch moves on (a new writer with the same transactional id fenced the
  old one) can never commit the old epoch's transaction, so that transaction counts as
  aborted even when no ABORT marker for it was written.

On a real Kafka cluster the broker has already done all this, so nothing is ever dropped
here; the cost is holding each transaction's records until its marker arrives (at most
one more fetch) and the per-record bookkeeping.

Because a poll may fetch past records it still holds, `consumer.position(tp)` is not a
"read up to" offset: store `safe_position(consumer, tp)` instead, which never passes a
held record. A seek, a seek to the beginning or end, or a reassignment drops what is held
for that partition. Only `poll()` is supported (the iterator interface moves positions
record by record, which this hook cannot follow); `next(consumer)` raises TypeError.

This hooks private parts of kafka-python (`Fetcher.PartitionRecords`, looked up on the
fetcher instance, and its `_unpack_records`, `_maybe_skip_record`, `drain`): it was written
against the version `KAFKA_PYTHON_VERSION` names, which tests/unit/test_committed.py pins.
"""

from __future__ import annotations

import collections
import functools
import logging
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord, Fetcher
from kafka.record.default_records import DefaultRecordBatch
from kafka.structs import TopicPartition

log = logging.getLogger(__name__)

# The kafka-python release whose private fetcher parts this module hooks (see module doc).
KAFKA_PYTHON_VERSION = "3.0.12"

# Record batch v2 header (KIP-98), offsets into the batch.
_BASE_OFFSET_AND_LENGTH = struct.Struct(">qi")  # at 0; length counts from byte 12
_LOG_OVERHEAD = 12
_MAGIC_AT = 16
_ATTRIBUTES_AND_LAST_DELTA = struct.Struct(">hi")  # at 21
_ATTRIBUTES_AT = 21
_PRODUCER_AT = 43
_PRODUCER = struct.Struct(">qh")  # producer id, producer epoch
_V2_HEADER_SIZE = 61
_TRANSACTIONAL = 0x10
_CONTROL = 0x20


class BatchHeader(NamedTuple):
    """What a record batch's header says about transactions (message format v2)."""

    base_offset: int
    last_offset: int
    producer_id: int
    producer_epoch: int
    transactional: bool
    control: bool
    abort: bool  # a control batch: an ABORT marker (else COMMIT, or another control type)


def batch_headers(buffer: bytes | bytearray | memoryview) -> list[BatchHeader]:
    """The v2 batch headers of a fetched buffer, in log order.

    Batches of the old formats (v0, v1) know no transactions and are left out, as is a
    batch cut off at the buffer's end (kafka-python leaves it for the next fetch too).
    """
    headers: list[BatchHeader] = []
    size = len(buffer)
    position = 0
    while position + _MAGIC_AT < size:
        base_offset, length = _BASE_OFFSET_AND_LENGTH.unpack_from(buffer, position)
        end = position + _LOG_OVERHEAD + length
        if end > size:
            break
        if buffer[position + _MAGIC_AT] >= 2 and length + _LOG_OVERHEAD >= _V2_HEADER_SIZE:
            attributes, last_delta = _ATTRIBUTES_AND_LAST_DELTA.unpack_from(
                buffer, position + _ATTRIBUTES_AT
            )
            producer_id, producer_epoch = _PRODUCER.unpack_from(buffer, position + _PRODUCER_AT)
            control = bool(attributes & _CONTROL)
            headers.append(
                BatchHeader(
                    base_offset=base_offset,
                    last_offset=base_offset + last_delta,
                    producer_id=producer_id,
                    producer_epoch=producer_epoch,
                    transactional=bool(attributes & _TRANSACTIONAL),
                    control=control,
                    abort=control and _is_abort_marker(memoryview(buffer)[position:end]),
                )
            )
        position = end
    return headers


def _is_abort_marker(batch: memoryview) -> bool:
    # One record per control batch; rare (one per transaction), so decode it properly.
    record = next(iter(DefaultRecordBatch(batch)), None)
    return bool(record is not None and record.abort)


@dataclass(eq=False)
class _Transaction:
    """One producer's transaction as seen on one partition, until its marker."""

    producer_epoch: int
    first_offset: int
    records: int = 0
    aborted: bool = False


@dataclass(eq=False)
class _PartitionLedger:
    """What one partition holds back, and how far its log has been read."""

    read_to: int  # the next offset not yet looked at
    owner: Any  # the consumer's TopicPartitionState this ledger belongs to
    open: dict[int, _Transaction] = field(default_factory=dict)  # by producer id
    # (offset, its transaction or None, record), in offset order
    held: collections.deque[tuple[int, _Transaction | None, ConsumerRecord]] = field(
        default_factory=collections.deque
    )
    aborted: int = 0

    def hold(self, record: ConsumerRecord, transaction: _Transaction | None) -> None:
        if transaction is not None:
            transaction.records += 1
        self.held.append((record.offset, transaction, record))

    def transaction_of(self, batch: BatchHeader, offset: int) -> tuple[_Transaction, bool]:
        """The open transaction `batch` belongs to, and whether an older one of its
        producer just ended (fenced) on the way."""
        transaction = self.open.get(batch.producer_id)
        fenced = transaction is not None and batch.producer_epoch > transaction.producer_epoch
        if fenced:
            # A newer epoch of this producer id: the older one was fenced, and a fenced
            # transaction can never commit.
            self._end(batch.producer_id, abort=True)
            transaction = None
        if transaction is None:
            transaction = self.open[batch.producer_id] = _Transaction(batch.producer_epoch, offset)
        return transaction, fenced

    def decide(self, marker: BatchHeader) -> None:
        transaction = self.open.get(marker.producer_id)
        if transaction is None or marker.producer_epoch < transaction.producer_epoch:
            return  # a transaction none of whose records this reader holds
        self._end(marker.producer_id, abort=marker.abort)

    def _end(self, producer_id: int, *, abort: bool) -> None:
        transaction = self.open.pop(producer_id)
        if abort:
            transaction.aborted = True
            self.aborted += transaction.records

    def release(self) -> Iterator[ConsumerRecord]:
        """Pop, in offset order, every held record before the earliest open transaction."""
        stable = min((t.first_offset for t in self.open.values()), default=None)
        held = self.held
        while held and (stable is None or held[0][0] < stable):
            _, transaction, record = held.popleft()
            if transaction is None or not transaction.aborted:
                yield record

    @property
    def first_held(self) -> int | None:
        return self.held[0][0] if self.held else None


class CommittedLedger:
    """Per consumer: each partition's held records and read position, and what was dropped."""

    def __init__(self, subscriptions: Any) -> None:
        self._subscriptions = subscriptions
        self._partitions: dict[TopicPartition, _PartitionLedger] = {}
        self.aborted_dropped = 0  # by partitions forgotten since

    def at(self, tp: TopicPartition, fetch_offset: int) -> _PartitionLedger:
        """The ledger of `tp` for a fetch from `fetch_offset`: a fresh one if the reader
        moved (a seek or reset this module did not see, or a new assignment)."""
        owner = self._subscriptions.assignment.get(tp)
        ledger = self._partitions.get(tp)
        if ledger is not None and (ledger.read_to != fetch_offset or ledger.owner is not owner):
            self.forget([tp])
            ledger = None
        if ledger is None:
            ledger = self._partitions[tp] = _PartitionLedger(read_to=fetch_offset, owner=owner)
        return ledger

    def forget(self, partitions: Iterable[TopicPartition] | None = None) -> None:
        """Drop what is held for `partitions` (all when None): the reader moved."""
        for tp in list(self._partitions) if partitions is None else list(partitions):
            ledger = self._partitions.pop(tp, None)
            if ledger is not None:
                self.aborted_dropped += ledger.aborted

    def first_held(self, tp: TopicPartition) -> int | None:
        ledger = self._partitions.get(tp)
        return None if ledger is None else ledger.first_held

    def held(self, tp: TopicPartition) -> int:
        ledger = self._partitions.get(tp)
        return 0 if ledger is None else len(ledger.held)

    def aborted(self, tp: TopicPartition | None = None) -> int:
        if tp is not None:
            ledger = self._partitions.get(tp)
            return 0 if ledger is None else ledger.aborted
        return self.aborted_dropped + sum(ledger.aborted for ledger in self._partitions.values())


class CommittedPartitionRecords(Fetcher.PartitionRecords):  # type: ignore[misc]
    """kafka-python's parsed fetch of one partition, filtered by the transaction markers."""

    def __init__(self, ledger: CommittedLedger, *arguments: Any, **options: Any) -> None:
        self._ledger = ledger
        self._filtering: Any = None  # the generator of _committed (see drain)
        self._drain_deferred = False
        super().__init__(*arguments, **options)

    def _unpack_records(
        self, tp: TopicPartition, records: Any, key_deserializer: Any, value_deserializer: Any
    ) -> Iterator[ConsumerRecord]:
        batches = collections.deque(batch_headers(records._buffer))
        unpacked = super()._unpack_records(tp, records, key_deserializer, value_deserializer)
        self._filtering = self._committed(tp, unpacked, batches)
        return self._filtering  # type: ignore[no-any-return]

    def _maybe_skip_record(self, record: ConsumerRecord) -> bool:
        # Records before the fetch offset are skipped in _committed, by the ledger's
        # position: released records of an earlier fetch are below it and must pass.
        return False

    def drain(self) -> None:
        # The parent's generator drains the records as it ends, called from within
        # _committed (running then); held records released by the markers at the buffer's
        # end are still to come, so drain after them. The fetcher's own drains (a stale
        # fetch, close) come while _committed is suspended.
        if self._filtering is not None and self._filtering.gi_running:
            self._drain_deferred = True
            return
        super().drain()

    def _committed(
        self,
        tp: TopicPartition,
        unpacked: Iterator[ConsumerRecord],
        batches: collections.deque[BatchHeader],
    ) -> Iterator[ConsumerRecord]:
        ledger: _PartitionLedger | None = None
        # The batch of the last record, and its open transaction (None: not transactional,
        # or not yet looked up): worked out once per batch, not per record.
        batch: BatchHeader | None = None
        transaction: _Transaction | None = None
        for record in unpacked:
            if ledger is None:
                ledger = self._ledger.at(tp, self.fetch_offset)
            offset = record.offset
            if batch is None or offset > batch.last_offset:
                while batches and batches[0].last_offset < offset:
                    passed = batches.popleft()
                    if passed.control and passed.last_offset >= ledger.read_to:
                        ledger.decide(passed)
                        ledger.read_to = passed.last_offset + 1
                        yield from ledger.release()
                batch = batches[0] if batches and batches[0].base_offset <= offset else None
                transaction = None
            if offset < ledger.read_to:
                continue  # read in an earlier fetch (a batch may start before the offset)
            ledger.read_to = offset + 1
            if batch is not None and batch.transactional:
                if transaction is None:
                    transaction, fenced = ledger.transaction_of(batch, offset)
                    if fenced:
                        ledger.hold(record, transaction)
                        yield from ledger.release()
                        continue
                ledger.hold(record, transaction)
            elif ledger.held:
                ledger.hold(record, None)  # behind an open transaction: keep offset order
            else:
                yield record
        if ledger is None:
            ledger = self._ledger.at(tp, self.fetch_offset)
        for remaining in batches:
            if remaining.control and remaining.last_offset >= ledger.read_to:
                ledger.decide(remaining)
        ledger.read_to = max(ledger.read_to, self.next_fetch_offset)
        yield from ledger.release()
        if self._drain_deferred:
            self._drain_deferred = False
            super().drain()  # not self.drain(): this generator is running


class CommittedConsumer(KafkaConsumer):  # type: ignore[misc]
    """A KafkaConsumer whose poll returns only committed (and non-transactional) records."""

    def __init__(self, *topics: str, **configs: Any) -> None:
        super().__init__(*topics, **configs)
        self.committed = CommittedLedger(self._subscription)
        # Looked up on the fetcher instance (`self.PartitionRecords(...)`): this consumer
        # only, never kafka-python's class for every consumer of the process.
        self._fetcher.PartitionRecords = functools.partial(
            CommittedPartitionRecords, self.committed
        )

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.committed.forget([partition])
        super().seek(partition, offset)

    def seek_to_beginning(self, *partitions: TopicPartition) -> None:
        self.committed.forget(partitions or None)
        super().seek_to_beginning(*partitions)

    def seek_to_end(self, *partitions: TopicPartition) -> None:
        self.committed.forget(partitions or None)
        super().seek_to_end(*partitions)

    def assign(self, partitions: Iterable[TopicPartition]) -> None:
        # kafka-python keeps the position of a partition that stays assigned, so its held
        # records stay valid; a partition that leaves loses them.
        partitions = list(partitions)
        self.committed.forget(set(self.assignment()) - set(partitions))
        super().assign(partitions)

    def unsubscribe(self) -> None:
        self.committed.forget()
        super().unsubscribe()

    def __next__(self) -> Any:
        raise TypeError(
            "a CommittedConsumer is read with poll(): iterating moves positions record by "
            "record, past records still held back for an open transaction"
        )


def _ledger(consumer: KafkaConsumer) -> CommittedLedger:
    if not isinstance(consumer, CommittedConsumer):
        raise TypeError("not a CommittedConsumer: make it with client.record_reader()")
    return consumer.committed


def safe_position(consumer: KafkaConsumer, tp: TopicPartition) -> int:
    """The offset a reader of `tp` may store as "read up to": never past a held record.

    Every record before it was returned by poll() or was not committed (or was a marker);
    none at or after it was returned. Resuming from it later reads exactly what follows.
    """
    position: int = consumer.position(tp)
    first_held = _ledger(consumer).first_held(tp)
    return position if first_held is None else min(position, first_held)


def safe_positions(consumer: KafkaConsumer, partitions: Iterable[TopicPartition]) -> dict[int, int]:
    """`safe_position` of each partition, by partition number."""
    return {tp.partition: safe_position(consumer, tp) for tp in partitions}


def held_back(consumer: KafkaConsumer, tp: TopicPartition) -> int:
    """How many fetched records of `tp` wait for their transaction (or an earlier one)."""
    return _ledger(consumer).held(tp)


def aborted_dropped(consumer: KafkaConsumer, tp: TopicPartition | None = None) -> int:
    """How many records of aborted transactions this consumer dropped (of `tp`, or all).

    On a real Kafka cluster kafka-python drops them first, from the broker's list, and
    they are not counted here.
    """
    return _ledger(consumer).aborted(tp)
