"""The record's transactional writer in a process of its own, so Kafka's client gets a core.

kafka-python is pure Python: building each record batch, and the producer's network
thread, hold the interpreter lock that the submission processor needs for decoding and
judging submissions. Measured with the processor on a 2-core machine: the whole Python
process used one core (52% of two) while the broker used almost none, and sending took
over a quarter of the processor's time. A `ProcessWriter` is a `TransactionalWriter`
whose producer lives in a child process: `send()` only keeps the message, and `commit()`
hands the whole transaction (messages, consumer offsets) to the child, which begins it,
sends, adds the offsets and commits, and answers with where each message landed.

`commit_later()` hands it over without waiting and returns a `Future` of the placements,
so the processor can judge the next batch while the child writes this one. Nothing
reaches Kafka before a commit is handed over, so `abort()` only forgets the buffered
messages.

The child holds the transactional id, so fencing works as before: starting a writer
fences the older one, whose next commit is answered "fenced" and raises `WriterFenced`.
The child is an events.child_process.ChildProcess: if this process dies, the child stops;
a transaction it had not committed is aborted by Kafka when the next writer starts.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
from typing import Any, NamedTuple

from kafka.structs import OffsetAndMetadata, TopicPartition

from events.child_process import ChildFailed, ChildGone, ChildProcess
from events.settings import Settings
from journeys.kafka.exceptions import JourneyRecordError, RecordTransactionFailed, WriterFenced
from journeys.kafka.log import Headers, TransactionalWriter, writer_transactional_id

# The child's command line names this module (tests/integration/test_kill_record.py finds
# the writer child by it).
_TARGET = "journeys.kafka.writer_process:serve"


class Placement(NamedTuple):
    """Where a message landed: what the recorder reads from kafka-python's RecordMetadata."""

    partition: int
    offset: int


class ProcessWriter:
    """The interface of TransactionalWriter, with the producer in a child process.

    `send()` returns a ticket (the message's place in the transaction); `commit(tickets)`
    returns where those messages landed, in the order given; `commit_later(tickets)` a
    future of the same.
    """

    def __init__(self, settings: Settings, transactional_id: str | None = None) -> None:
        self.settings = settings
        self.transactional_id = transactional_id or writer_transactional_id(settings)
        self._child: ChildProcess | None = None
        self._messages: list[tuple[str, bytes | None, bytes, Headers]] = []
        self._offsets: tuple[dict[TopicPartition, OffsetAndMetadata], Any] | None = None
        self._in_transaction = False
        self._outcome: Future[list[Placement]] | None = None  # the last one handed over
        self._broken: str | None = None  # why the child is unusable, once it is

    @property
    def _process(self) -> subprocess.Popen[bytes] | None:
        return None if self._child is None else self._child.process

    def start(self) -> None:
        """Start the child and wait until its producer holds the transactional id."""
        if self._child is not None:
            return
        self._child = ChildProcess(_TARGET)
        try:
            started = self._child.start((self.settings, self.transactional_id))
            self._result(started, starting=True)
        except BaseException:
            self.close()
            raise

    def begin(self) -> None:
        if self._in_transaction:
            raise RuntimeError("a transaction is already open")
        if self._child is None:
            raise RuntimeError("ProcessWriter.start() must be called before writing")
        if self._broken is not None:
            raise RecordTransactionFailed(self._broken)
        self._messages = []
        self._offsets = None
        self._in_transaction = True

    def send(self, topic: str, *, key: bytes | None, value: bytes, headers: Headers) -> int:
        if not self._in_transaction:
            raise RuntimeError("ProcessWriter.send() outside a transaction")
        self._messages.append((topic, key, value, headers))
        return len(self._messages) - 1

    def send_offsets(
        self, offsets: Mapping[TopicPartition, OffsetAndMetadata], group_metadata: Any
    ) -> None:
        if not self._in_transaction:
            raise RuntimeError("ProcessWriter.send_offsets() outside a transaction")
        self._offsets = (dict(offsets), group_metadata)

    def commit(self, tickets: Sequence[int] = ()) -> list[Placement]:
        """Commit the open transaction and wait; where each of `tickets` landed."""
        return self.commit_later(tickets).result()

    def commit_later(self, tickets: Sequence[int] = ()) -> Future[list[Placement]]:
        """Hand the transaction to the child now; a future of where `tickets` landed.

        The future raises WriterFenced, or RecordTransactionFailed with the child's reason.
        Wait for it before the next commit: the child writes one transaction at a time, and
        a transaction must never be handed over while an earlier one might still fail.
        """
        if not self._in_transaction:
            raise RuntimeError("ProcessWriter.commit() outside a transaction")
        if self._outcome is not None and not self._outcome.done():
            raise RuntimeError("the previous transaction's outcome is not known yet")
        self._in_transaction = False
        assert self._child is not None
        messages, self._messages = self._messages, []
        if self._broken is not None:  # an earlier outcome failed: this one must not commit
            raise RecordTransactionFailed(self._broken)
        answer = self._child.submit((messages, self._offsets))
        outcome: Future[list[Placement]] = Future()
        wanted = list(tickets)

        def settle(answer: Future[list[tuple[int, int]]]) -> None:
            try:
                placements = self._result(answer)
            except BaseException as error:
                outcome.set_exception(error)
            else:
                outcome.set_result([Placement(*placements[ticket]) for ticket in wanted])

        self._outcome = outcome
        answer.add_done_callback(settle)
        return outcome

    def abort(self) -> None:
        """Forget the open transaction: none of it was handed to Kafka."""
        self._in_transaction = False
        self._messages = []
        self._offsets = None

    def close(self) -> None:
        child, self._child = self._child, None
        if child is not None:
            child.close()

    # ---------------------------------------------------------------------------------

    def _result(self, answer: Future[Any], *, starting: bool = False) -> Any:
        """The child's answer, or its failure as this writer's exception."""
        try:
            return answer.result()
        except ChildGone as gone:
            self._broken = (
                f"the record writer process {self.transactional_id!r} is gone "
                f"({gone}); nothing it had not committed is in the record: "
                "restart the processor"
            )
            raise RecordTransactionFailed(self._broken) from gone
        except ChildFailed as failure:
            if failure.type_name == WriterFenced.__name__:
                self._broken = f"the record writer was fenced: {failure.message}"
                raise WriterFenced(self.transactional_id) from failure
            if starting:
                self._broken = f"the record writer could not start: {failure.reason}"
                raise JourneyRecordError(self._broken) from failure
            self._broken = f"the record writer stopped after a failure: {failure.reason}"
            raise RecordTransactionFailed(failure.reason) from failure


@contextlib.contextmanager
def serve(start: tuple[Settings, str]) -> Iterator[Any]:
    """The child: one TransactionalWriter, answering each transaction with its placements."""
    settings, transactional_id = start
    writer = TransactionalWriter(settings, transactional_id)
    try:
        writer.start()
        yield lambda transaction: _write(writer, *transaction)
    finally:
        writer.close()


def _write(
    writer: TransactionalWriter,
    messages: list[tuple[str, bytes | None, bytes, Headers]],
    offsets: tuple[dict[TopicPartition, OffsetAndMetadata], Any] | None,
) -> list[tuple[int, int]]:
    writer.begin()
    try:
        futures = [
            writer.send(topic, key=key, value=value, headers=headers)
            for topic, key, value, headers in messages
        ]
        if offsets is not None:
            writer.send_offsets(*offsets)
    except BaseException:
        writer.abort()
        raise
    return [(where.partition, where.offset) for where in writer.commit(futures)]
