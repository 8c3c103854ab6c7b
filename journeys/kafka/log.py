"""The one transactional writer of the journey record, and the read side's consumer options.

Every append to `care.journey.events` and `care.journey.rejected` goes through a
`TransactionalWriter`: a kafka-python producer with a transactional id. Starting one
(`start()`, which calls `init_transactions`) fences any older writer with the same id and
lets Kafka finish or abort that writer's open transaction, so two writers never interleave
appends to the same record. The submission processor runs its TransactionalWriter in a
child process (journeys.kafka.writer_process); `RecordWriter` is what both offer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import Any, Protocol

from kafka import KafkaProducer
from kafka.errors import InvalidProducerEpochError, KafkaError, ProducerFencedError
from kafka.partitioner import DefaultPartitioner
from kafka.partitioner.default import murmur2
from kafka.producer.future import FutureRecordMetadata, RecordMetadata
from kafka.structs import OffsetAndMetadata, TopicPartition

from events.kafka import client
from events.settings import Settings
from journeys.kafka.exceptions import RecordTransactionFailed, WriterFenced

Headers = Sequence[tuple[str, bytes]]

# Throughput without giving up durability: linger long enough to fill large batches (a
# transaction's commit flushes them anyway, so lingering never delays a commit), no
# compression (the Avro bodies are small and CPU is the bottleneck), acks from all replicas.
# A processor batch is thousands of events: wait for them to fill large producer batches.
_LINGER_MS = 100

_FENCED = (ProducerFencedError, InvalidProducerEpochError)
_PARTITION_MEMO_SIZE = 1 << 17


def _was_fenced(producer: KafkaProducer | None, error: BaseException) -> bool:
    """Whether `error` means another writer fenced this one.

    kafka-python raises the fencing error itself only from the call that meets it; later
    calls raise a plain KafkaError naming the stored error, so ask the transaction manager.
    """
    if isinstance(error, _FENCED):
        return True
    manager = getattr(producer, "_transaction_manager", None)
    return manager is not None and isinstance(manager.last_error, _FENCED)


def writer_transactional_id(settings: Settings) -> str:
    """The transactional id of the single writer of this deployment's journey record."""
    return f"{settings.topic_prefix}care-journeys.record-writer"


class RecordWriter(Protocol):
    """What the recorder needs of a writer: TransactionalWriter, or ProcessWriter.

    `send()` returns a ticket for the message; `commit(tickets)` returns where those
    messages landed (objects with `partition` and `offset`), in the order given, and
    `commit_later(tickets)` a future of the same (the writer's only pipelined boundary).
    """

    transactional_id: str

    def start(self) -> None: ...

    def begin(self) -> None: ...

    def send(self, topic: str, *, key: bytes | None, value: bytes, headers: Headers) -> Any: ...

    def send_offsets(
        self, offsets: Mapping[TopicPartition, OffsetAndMetadata], group_metadata: Any
    ) -> None: ...

    def commit(self, tickets: Sequence[Any] = ()) -> Sequence[Any]: ...

    def commit_later(self, tickets: Sequence[Any] = ()) -> Future[Sequence[Any]]: ...

    def abort(self) -> None: ...

    def close(self) -> None: ...


class TransactionalWriter:
    """Appends messages to Kafka topics in transactions, as the only writer of its id."""

    def __init__(self, settings: Settings, transactional_id: str | None = None) -> None:
        self.settings = settings
        self.transactional_id = transactional_id or writer_transactional_id(settings)
        self._producer: KafkaProducer | None = None
        self._in_transaction = False
        # (topic, key) -> (the topic's partitions then, the key's partition): see _partition.
        self._partitions: dict[tuple[str, bytes], tuple[frozenset[int], int]] = {}
        self._topic_partitions: dict[str, set[int]] = {}  # for the open transaction
        self._custom_partitioner = False

    def start(self) -> None:
        """Become the writer: fences any older writer with the same transactional id."""
        if self._producer is not None:
            return
        producer = client.producer(
            self.settings, transactional_id=self.transactional_id, linger_ms=_LINGER_MS
        )
        try:
            producer.init_transactions()
        except BaseException:
            producer.close(timeout=0)
            raise
        self._producer = producer
        # The memo in _partition reproduces the default partitioner only.
        self._custom_partitioner = not isinstance(
            producer.config["partitioner"], DefaultPartitioner
        )

    @property
    def producer(self) -> KafkaProducer:
        if self._producer is None:
            raise RuntimeError("TransactionalWriter.start() must be called before writing")
        return self._producer

    def begin(self) -> None:
        self._topic_partitions.clear()
        try:
            self.producer.begin_transaction()
        except KafkaError as error:
            self._raise_if_fenced(error)
            raise
        self._in_transaction = True

    def send(
        self, topic: str, *, key: bytes | None, value: bytes, headers: Headers
    ) -> FutureRecordMetadata:
        if not self._in_transaction:
            raise RuntimeError("TransactionalWriter.send() outside a transaction")
        try:
            return self.producer.send(
                topic,
                key=key,
                value=value,
                headers=list(headers),
                partition=self._partition(topic, key),
            )
        except KafkaError as error:
            self._raise_if_fenced(error)
            raise

    def _partition(self, topic: str, key: bytes | None) -> int | None:
        """The partition the producer's default partitioner gives a keyed message, memoised.

        kafka-python hashes the key (murmur2, in pure Python) on every send, and a journey's
        events all share one key; the answer depends only on the key and the topic's
        partitions, so it is kept per key and worked out again when those change (looked
        up once per transaction: a partition added mid-transaction counts from the next).
        Keyless messages are left to the producer.
        """
        if key is None or self._custom_partitioner:
            return None
        partitions = self._topic_partitions.get(topic)
        if partitions is None:
            partitions = self._topic_partitions[topic] = self.producer.partitions_for(topic)
        known = self._partitions.get((topic, key))
        if known is not None and known[0] == partitions:
            return known[1]
        # DefaultPartitioner.partition for a keyed message, without its cluster lookups.
        ordered = sorted(partitions)
        partition = ordered[(murmur2(key) & 0x7FFFFFFF) % len(ordered)]
        if len(self._partitions) >= _PARTITION_MEMO_SIZE:
            self._partitions.clear()  # bounded: worked out again for keys still in use
        self._partitions[(topic, key)] = (frozenset(partitions), partition)
        return int(partition)

    def send_offsets(
        self, offsets: Mapping[TopicPartition, OffsetAndMetadata], group_metadata: Any
    ) -> None:
        """Make committing these consumer offsets part of the open transaction."""
        try:
            self.producer.send_offsets_to_transaction(dict(offsets), group_metadata)
        except KafkaError as error:
            self._raise_if_fenced(error)
            raise

    def commit(self, futures: Sequence[FutureRecordMetadata] = ()) -> list[RecordMetadata]:
        """Commit the open transaction; returns where each of `futures` landed.

        Kafka's commit flushes every send first, so the futures are all resolved here.
        """
        try:
            self.producer.commit_transaction()
        except KafkaError as error:
            self._raise_if_fenced(error)
            self._abort_quietly()
            raise RecordTransactionFailed(
                f"Kafka refused to commit a transaction of {self.transactional_id!r}: {error}"
            ) from error
        self._in_transaction = False
        return [future.get(timeout=0) for future in futures]

    def commit_later(
        self, futures: Sequence[FutureRecordMetadata] = ()
    ) -> Future[list[RecordMetadata]]:
        """`commit()`, as a future of its outcome (see ProcessWriter.commit_later).

        This writer has nobody to hand the work to, so it commits now.
        """
        outcome: Future[list[RecordMetadata]] = Future()
        try:
            outcome.set_result(self.commit(futures))
        except Exception as error:  # the future carries it to whoever waits on it
            outcome.set_exception(error)
        return outcome

    def abort(self) -> None:
        if not self._in_transaction:
            return
        self._in_transaction = False
        try:
            self.producer.abort_transaction()
        except KafkaError as error:
            self._raise_if_fenced(error)
            raise

    def _raise_if_fenced(self, error: KafkaError) -> None:
        if _was_fenced(self._producer, error):
            self._in_transaction = False
            raise WriterFenced(self.transactional_id) from error

    def _abort_quietly(self) -> None:
        # Called only while another error is already on its way up; that error is the news.
        self._in_transaction = False
        with contextlib.suppress(KafkaError):
            self.producer.abort_transaction()

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=5)
            self._producer = None
