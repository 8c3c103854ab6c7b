"""What can go wrong between the journey record and Kafka, in words an operator can act on."""

from __future__ import annotations


class JourneyRecordError(RuntimeError):
    """Base class of the errors raised by the Kafka journey record."""


class NoClusterConfigured(JourneyRecordError):
    """A command that must outlive itself was run without KAFKA_BOOTSTRAP_SERVERS.

    Start a broker in another terminal with `journeys broker`, then
    `export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092` and run the command again.
    """

    def __init__(self, command: str) -> None:
        super().__init__(
            f"`journeys {command}` needs a Kafka cluster that outlives the command, and "
            "KAFKA_BOOTSTRAP_SERVERS is not set. Run `journeys broker` in another terminal, "
            "then `export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092` and try again."
        )


class WriterFenced(JourneyRecordError):
    """Another writer took over the journey record with the same transactional id.

    Only one processor may append to the record at a time. This one has stopped without
    appending anything further; its unfinished transaction was aborted by Kafka. Nothing
    needs repairing: let the newer processor carry on, or stop it and start this one again.
    """

    def __init__(self, transactional_id: str) -> None:
        self.transactional_id = transactional_id
        super().__init__(
            f"another processor started with transactional id {transactional_id!r} and "
            "fenced this one: it has stopped, and its unfinished transaction was aborted. "
            "Only one processor may append to the journey record at a time."
        )


class RecordTransactionFailed(JourneyRecordError):
    """Kafka refused to commit a transaction on the journey record.

    Nothing from the transaction is in the record and the local state store was not
    touched. Restart the processor: it resumes from the last committed submission.
    """


class RecordBehindStateStore(JourneyRecordError):
    """The local state store holds events that the journey record no longer has.

    The store (under JOURNEYS_STATE_DIR) was built from a record whose last message, at
    the partition and offset named, is not on `care.journey.events` any more: typically
    the embedded broker was restarted (it keeps topics in memory, so every topic came back
    empty), or the topics were deleted and created again. Processing on would judge new
    submissions against events the record lacks (resubmissions would be acknowledged as
    duplicates and never recorded), so nothing was processed.

    If the record is gone for good, or was restored from an archive (`journeys restore`),
    rebuild the store from the record as it is now: `journeys process --rebuild-state`
    discards the store (it is derived state) and reads it again from the topic. If the
    broker is merely pointed at the wrong cluster or topic prefix, fix the settings instead.
    """

    def __init__(self, store: str, topic: str, partition: int, offset: int, found: str) -> None:
        self.store = store
        self.partition = partition
        self.offset = offset
        super().__init__(
            f"the state store {store} was built from a record that {topic} no longer "
            f"holds: its last event on partition {partition} was at offset {offset}, and "
            f"the topic has {found}. The broker was probably restarted with memory storage "
            "(every topic empty) or the topics were recreated. Nothing was processed. "
            "Republish or restore the record if it was lost, then run "
            "`journeys process --rebuild-state` to rebuild the store from the record."
        )
