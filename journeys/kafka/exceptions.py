"""What can go wrong between the journey record and Kafka, in words an operator can act on."""

from __future__ import annotations

from events.exceptions import OperationalFailure


class JourneyRecordError(OperationalFailure, RuntimeError):
    """Base class of the errors raised by the Kafka journey record: the message says what
    to check or run."""


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


class BrokerError(OperationalFailure, RuntimeError):
    """The embedded broker could not be started. Its log is in the message.

    Read the log's last lines: most often the port is taken (`journeys broker --port`) or
    the broker binary is missing (reinstall the project's dependencies).
    """


class ChildNotInRecord(OperationalFailure, LookupError):
    """No event on the record has this child id.

    Check the id, and that KAFKA_BOOTSTRAP_SERVERS and JOURNEYS_TOPIC_PREFIX name the
    record the child was sent to. Exit code 2, as it has always been for `timeline`.
    """


class RecordFormatError(OperationalFailure, ValueError):
    """A message on the events topic lacks what the journey record needs (names the offset).

    Something other than this service wrote to the topic, or the settings point at another
    topic: check JOURNEYS_TOPIC_PREFIX, and inspect the message at the offset named.
    """


class ArchiveError(JourneyRecordError):
    """An archive could not be written, read, verified or restored (the message says why)."""


class ArchiveCorrupt(ArchiveError):
    """An archive's files do not match its manifest: a file is missing, changed or unreadable.

    Restore from another copy of the archive; `journeys restore --check` verifies one.
    """


class RecordDiverged(ArchiveError):
    """The topic no longer holds what the archive was copied from (broker emptied or swapped).

    Nothing was archived: check the broker and the settings, and archive again.
    """


class RestoreRefused(ArchiveError):
    """Restore would mix the archive with messages already on the events topic.

    Restore into an empty record (a new cluster or JOURNEYS_TOPIC_PREFIX).
    """
