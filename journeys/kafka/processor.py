"""The submission processor: exactly-once from `care.journey.submissions` to the record.

For each batch of submissions polled from the consumer group, in ONE Kafka transaction:

1. decode each submission; bytes that break the contract go to `care.journey.rejected`
   with the InvalidEvent's rule, field and message; a submission larger than the record
   takes (journeys.kafka.limits) goes there before decoding, cut to a prefix;
2. judge each decoded event by the Journey rules (JourneyApplication.batch: against its
   journey with every earlier event of the batch): a refusal goes to
   `care.journey.rejected` with the rule code, field and message; a duplicate (an event_id
   already recorded) is acknowledged and produces nothing; the accepted events are saved
   once for the batch, in the order accepted, and the Kafka recorder appends them to
   `care.journey.events`;
3. add the consumer offsets after the batch to the transaction;
4. commit. Only then does the local state store receive the batch's events.

The Kafka producer runs in a child process (journeys.kafka.writer_process), and step 4
hands the transaction to it without waiting: while it is written, the next batch is
decided, on a second core. That next batch is handed over only once the previous one is
known to be committed, and a batch counts (summary, `on_batch`) only once it is. A
transaction the writer fails to write is reported as `RecordTransactionFailed` naming the
submissions of its batch (topic, partition and offsets).

A crash anywhere before step 4 completes aborts the whole batch (Kafka aborts the open
transaction when the next processor fences this one), so the batch is processed again
from the same offsets: nothing lost, nothing twice. A failure this process survives
also drops the journeys of the batches not known to be committed from the aggregate
cache, which never keeps what an aborted transaction decided.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.structs import OffsetAndMetadata, TopicPartition

from events.codec import default_codec, with_child_id
from events.exceptions import InvalidEvent
from events.kafka import client
from events.refusals import Refusal
from events.settings import Settings
from events.validation import check_not_recorded_ahead
from journeys.domain.exceptions import RuleViolation
from journeys.domain.journey import journey_id
from journeys.kafka import limits
from journeys.kafka.exceptions import RecordTransactionFailed
from journeys.kafka.mapper import JourneyMapper
from journeys.kafka.persistence import RECORD_WRITER, persistence_environment
from journeys.kafka.privacy import (
    ChildErased,
    RecordPrivacy,
    check_not_sealed,
    open_record_privacy,
)
from journeys.kafka.recorder import KafkaApplicationRecorder, RecordTransaction
from journeys.kafka.rejected import Rejection

if TYPE_CHECKING:
    from journeys.application.service import RecordBatch

DEFAULT_BATCH_SIZE = 2_000
_POLL_TIMEOUT_MS = 200
# A batch allocates some twenty objects per submission (events, aggregate events, Kafka
# records) that all live until the batch is committed, so the collector's default young
# generation (700 allocations) rescans them hundreds of times per batch and promotes them
# into older generations that are costlier still. Almost all of it is freed by reference
# counting when the batch ends; the rare cycles are still collected, only later.
# Measured: about a fifth more submissions per second.
_YOUNG_GENERATION_THRESHOLD = 50_000


def processor_group_id(settings: Settings) -> str:
    return f"{settings.topic_prefix}care-journeys.processor"


@dataclass
class ProcessSummary:
    """What one run of the processor did (committed batches only)."""

    submissions: int = 0
    accepted: int = 0
    refused: int = 0
    too_large: int = 0
    undecodable: int = 0
    duplicates: int = 0
    transactions: int = 0

    def add(self, other: ProcessSummary) -> None:
        self.submissions += other.submissions
        self.accepted += other.accepted
        self.refused += other.refused
        self.too_large += other.too_large
        self.undecodable += other.undecodable
        self.duplicates += other.duplicates
        self.transactions += other.transactions

    def describe(self) -> str:
        return (
            f"{self.submissions:,} submissions in {self.transactions:,} transactions: "
            f"{self.accepted:,} accepted, {self.refused:,} refused by the rules, "
            f"{self.too_large:,} too large, {self.undecodable:,} undecodable, "
            f"{self.duplicates:,} duplicates acknowledged"
        )


def journey_application(
    settings: Settings, *, memory_store: bool = False, privacy: RecordPrivacy | None = None
) -> Any:
    """A JourneyApplication whose events live on Kafka (journeys.kafka.persistence).

    `privacy` (the key store) seals and opens the personal fields; it may also be set on
    `app.mapper.privacy` once the record is caught up (the processor's way).
    """
    from journeys.application.service import JourneyApplication

    env = persistence_environment(settings, memory_store=memory_store)
    env[RECORD_WRITER] = "process"
    # This process is the record's only writer, so a cached journey is never stale.
    env["AGGREGATE_CACHE_MAXSIZE"] = "100000"
    env["AGGREGATE_CACHE_FASTFORWARD"] = "n"
    # Journey commands decide before they trigger, so a refused event leaves the cached
    # journey untouched; and a failed transaction drops every journey its batch touched
    # from the cache (RecordBatch.forget), so handing out the cached object itself is
    # safe and much faster.
    env["DEEPCOPY_FROM_AGGREGATE_CACHE"] = "n"
    app = JourneyApplication(env=env)
    app.mapper.privacy = privacy
    return app


class SubmissionProcessor:
    """Consumes submissions as a group member and records them, one transaction per batch."""

    def __init__(
        self,
        settings: Settings,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        memory_store: bool = False,
        on_batch: Callable[[ProcessSummary], None] | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self.settings = settings
        self.batch_size = batch_size
        self.memory_store = memory_store
        self.on_batch = on_batch
        self.codec = default_codec()
        self.summary = ProcessSummary()
        # The batch handed to the writer whose commit is not confirmed yet, and its
        # submissions (for the error, should it fail).
        self._in_flight: RecordBatch | None = None
        self._in_flight_submissions = ""
        self.privacy: RecordPrivacy  # opened by run(), once the record is caught up

    def run(self, *, until_idle: bool, stop: threading.Event | None = None) -> ProcessSummary:
        """Process until stopped, or (until_idle) until every assigned partition is drained."""
        with _collect_garbage_rarely():
            return self._run(until_idle=until_idle, stop=stop)

    def _run(self, *, until_idle: bool, stop: threading.Event | None) -> ProcessSummary:
        app = journey_application(self.settings, memory_store=self.memory_store)
        recorder: KafkaApplicationRecorder = app.recorder
        consumer: KafkaConsumer | None = None
        try:
            # Fence any older processor first, then read everything it committed.
            recorder.open_for_writing()
            self.privacy = open_record_privacy(self.settings, recorder.store)
            app.mapper.privacy = self.privacy
            self._forget_erased(app, recorder)
            consumer = client.group_member(
                self.settings,
                processor_group_id(self.settings),
                max_poll_records=self.batch_size,
            )
            consumer.subscribe([self.settings.submissions_topic])
            while stop is None or not stop.is_set():
                batches = consumer.poll(timeout_ms=_POLL_TIMEOUT_MS, max_records=self.batch_size)
                if batches:
                    self._process_batch(app, recorder, consumer, batches)
                    continue
                self._settle(recorder)  # nothing to do meanwhile: report the last batch
                if until_idle and _drained(consumer, self.settings.submissions_topic):
                    break
            self._settle(recorder)
            return self.summary
        finally:
            if consumer is not None:
                consumer.close(autocommit=False)
            app.factory.close()
            if app.mapper.privacy is not None:
                app.mapper.privacy.key_store.close()

    def _process_batch(
        self,
        app: Any,
        recorder: KafkaApplicationRecorder,
        consumer: KafkaConsumer,
        batches: dict[TopicPartition, list[ConsumerRecord]],
    ) -> None:
        tally = ProcessSummary(transactions=1)
        if self.privacy.key_store.refresh():  # `journeys erase` ran meanwhile
            self._forget_erased(app, recorder)
        decided = app.batch()
        mapper: JourneyMapper = app.mapper
        submissions = _submissions(batches)
        try:
            with (
                recorder.transaction(on_committed=lambda: self._committed(tally)) as transaction,
                # New children's keys are durable before the transaction naming them.
                self.privacy.key_store.batch(),
            ):
                for records in batches.values():
                    for record in records:
                        self._process_one(decided, mapper, transaction, record, tally)
                # One save for the batch: every accepted event joins the open transaction.
                decided.save()
                transaction.send_offsets(
                    {
                        partition: OffsetAndMetadata(records[-1].offset + 1, "", -1)
                        for partition, records in batches.items()
                    },
                    consumer.group_metadata(),
                )
        except RecordTransactionFailed as failure:
            # Still in flight, the batch before this one is what failed (the recorder
            # settles it before handing this one over); else this one did.
            failed = self._in_flight_submissions if self._in_flight is not None else submissions
            self._forget_unconfirmed(decided)
            raise _failed(failed, failure) from failure
        except BaseException:
            # The cached journeys may hold what this aborted transaction decided, or the
            # one in flight before it, which failed or may yet fail.
            self._forget_unconfirmed(decided)
            raise
        finally:
            mapper.forget_wire()
        self._in_flight, self._in_flight_submissions = decided, submissions

    def _forget_erased(self, app: Any, recorder: KafkaApplicationRecorder) -> None:
        """Purge the state store and the journey cache of every erased child."""
        self._settle(recorder)
        erasures = self.privacy.key_store.erasures()
        journey_ids = [journey_id(e.local_authority, e.pseudonym) for e in erasures]
        app.forget(journey_ids)
        recorder.store.forget_journeys(journey_ids)

    def _settle(self, recorder: KafkaApplicationRecorder) -> None:
        failed = self._in_flight_submissions
        try:
            recorder.settle()
        except RecordTransactionFailed as failure:
            self._forget_unconfirmed(None)
            raise _failed(failed, failure) from failure
        except BaseException:
            self._forget_unconfirmed(None)
            raise

    def _forget_unconfirmed(self, decided: RecordBatch | None) -> None:
        for batch in (decided, self._in_flight):
            if batch is not None:
                batch.forget()
        self._in_flight, self._in_flight_submissions = None, ""

    def _committed(self, tally: ProcessSummary) -> None:
        """A batch's transaction is committed and in the store: it counts now."""
        self._in_flight, self._in_flight_submissions = None, ""
        self.summary.add(tally)
        if self.on_batch is not None:
            self.on_batch(tally)

    def _process_one(
        self,
        decided: RecordBatch,
        mapper: JourneyMapper,
        transaction: RecordTransaction,
        record: ConsumerRecord,
        tally: ProcessSummary,
    ) -> None:
        tally.submissions += 1
        if limits.is_too_large(record.key, record.value, record.headers):
            tally.too_large += 1
            self._reject_too_large(transaction, record)
            return
        try:
            event = self.codec.decode(record.value or b"")
        except InvalidEvent as invalid:
            tally.undecodable += 1
            known_type = None if invalid.event_type == "unknown" else invalid.event_type
            self._reject(
                transaction,
                record,
                Rejection(
                    None,  # no child can be read from the bytes (nor trusted from the key)
                    known_type,
                    None,
                    invalid.rule,
                    invalid.field,
                    invalid.message,
                    _where(record),
                    record.value or b"",
                ),
            )
            return
        try:
            event = self.privacy.admit(event, record.value or b"")
        except ChildErased as erased:
            tally.refused += 1
            self._reject_erased(transaction, record, erased)
            return
        if self.codec.is_current_version(record.value or b""):
            mapper.remember_wire(event, with_child_id(record.value or b"", event.child_id))
        try:
            check_not_sealed(event)
            # Within the contract, but judged against this processor's clock: a refusal of
            # the submission as such, like a rule's, so it keeps its event type and id.
            check_not_recorded_ahead(event, datetime.now(UTC))
            outcome = decided.record(event)
        except (RuleViolation, InvalidEvent) as refusal:
            tally.refused += 1
            code = refusal.rule_code if isinstance(refusal, RuleViolation) else refusal.rule
            self._reject(
                transaction,
                record,
                Rejection(
                    event.child_id,
                    event.event_type,
                    str(event.event_id),
                    code,
                    refusal.field,
                    refusal.message,
                    _where(record),
                    record.value or b"",
                ),
            )
            return
        if outcome.duplicate:
            tally.duplicates += 1
        else:
            tally.accepted += 1

    def _reject(
        self, transaction: RecordTransaction, record: ConsumerRecord, rejection: Rejection
    ) -> None:
        """Send a refusal to the rejected topic, sealed under its child's key (if any)."""
        sealed_key, sealed_value, headers = rejection.sealed(
            self.privacy.key_for_rejection(rejection.child_id)
        )
        transaction.send(
            self.settings.rejected_topic, key=sealed_key, value=sealed_value, headers=headers
        )

    def _reject_erased(
        self, transaction: RecordTransaction, record: ConsumerRecord, erased: ChildErased
    ) -> None:
        """Refuse a submission about an erased child, keeping no copy of it."""
        rejection = Rejection(
            None,
            None,
            None,
            Refusal.CHILD_ERASED,
            "child_id",
            str(erased),
            _where(record),
            b"",
            digest=erased.digest,
        )
        key, value, headers = rejection.without_copy()
        transaction.send(self.settings.rejected_topic, key=key, value=value, headers=headers)

    def _reject_too_large(self, transaction: RecordTransaction, record: ConsumerRecord) -> None:
        """Refuse a submission for its size alone, keeping a prefix of it (never decoded)."""
        size = limits.submission_size(record.key, record.value, record.headers)
        self._reject(
            transaction,
            record,
            Rejection(
                None,  # never decoded, so no child is known
                None,
                None,
                Refusal.SUBMISSION_TOO_LARGE,
                size.largest_part,
                size.describe(),
                _where(record),
                (record.value or b"")[: limits.REJECTED_PREFIX_BYTES],
                original_size=size.total,
            ),
        )


@contextlib.contextmanager
def _collect_garbage_rarely() -> Iterator[None]:
    """Raise the young generation's threshold for the block (see _YOUNG_GENERATION_THRESHOLD)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], _YOUNG_GENERATION_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _where(record: ConsumerRecord) -> str:
    """Where a submission sits, for its rejection."""
    return f"{record.topic}[{record.partition}]@{record.offset}"


def _submissions(batches: dict[TopicPartition, list[ConsumerRecord]]) -> str:
    """The submissions of a batch, partition by partition: topic[p]@first-last (n)."""
    count = sum(len(records) for records in batches.values())
    ranges = ", ".join(
        f"{partition.topic}[{partition.partition}]@{records[0].offset}"
        + (f"-{records[-1].offset}" if len(records) > 1 else "")
        for partition, records in batches.items()
    )
    return f"{ranges} ({count:,} submission{'' if count == 1 else 's'})"


def _failed(submissions: str, failure: RecordTransactionFailed) -> RecordTransactionFailed:
    return RecordTransactionFailed(
        f"the transaction of submissions {submissions} was not written, so none of them "
        f"is in the record: {failure}"
    )


def _drained(consumer: KafkaConsumer, topic: str) -> bool:
    """True once this member holds every partition of `topic` and has read each to its end.

    Holding only some is not enough: after a crash the dead member keeps its partitions
    until its session expires, and stopping then would leave its share unprocessed.
    """
    assigned = consumer.assignment()
    partitions = consumer.partitions_for_topic(topic)
    if not assigned or {p.partition for p in assigned if p.topic == topic} != partitions:
        return False
    partitions = list(assigned)
    return client.reached(consumer, partitions, consumer.end_offsets(partitions))


def process_until_idle(
    settings: Settings,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    memory_store: bool = False,
    on_batch: Callable[[ProcessSummary], None] | None = None,
) -> ProcessSummary:
    """Process every submission waiting now, then return what was done."""
    processor = SubmissionProcessor(
        settings, batch_size=batch_size, memory_store=memory_store, on_batch=on_batch
    )
    return processor.run(until_idle=True)
