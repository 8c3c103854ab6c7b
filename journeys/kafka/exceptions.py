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
