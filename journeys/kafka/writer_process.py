"""The record's transactional writer in a process of its own, so Kafka's client gets a core.

kafka-python is pure Python: building each record batch, and the producer's network
thread, hold the interpreter lock that the submission processor needs for decoding and
judging submissions. Measured with the processor on a 2-core machine: the whole Python
process used one core (52% of two) while the broker used almost none, and sending took
over a quarter of the processor's time. A `ProcessWriter` is a `TransactionalWriter`
whose producer lives in a child process: `send()` only keeps the message, and `commit()`
hands the whole transaction (messages, consumer offsets) to the child, which begins it,
sends, adds the offsets and commits, and answers with where each message landed.

`commit_later()` hands it over without waiting, so the processor can judge the next batch
while the child writes this one. Nothing reaches Kafka before a commit is handed over,
so `abort()` only forgets the buffered messages.

The child holds the transactional id, so fencing works as before: starting a writer
fences the older one, whose next commit is answered "fenced" and raises `WriterFenced`.
If this process dies, the child reads end-of-file on its pipe and stops; a transaction it
had not committed is aborted by Kafka when the next writer starts.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.connection import Connection
from typing import Any, NamedTuple

from kafka.structs import OffsetAndMetadata, TopicPartition

from journeys.config import Settings
from journeys.kafka.exceptions import JourneyRecordError, RecordTransactionFailed, WriterFenced
from journeys.kafka.log import Headers, TransactionalWriter, writer_transactional_id

_STARTED, _COMMITTED, _FENCED, _FAILED, _CLOSE = "started", "committed", "fenced", "failed", "close"
_CLOSE_TIMEOUT_S = 10.0
# A fresh interpreter rather than multiprocessing's spawn, which would re-run the parent's
# main script (a script without a `__main__` guard would start itself over).
_CHILD = "import sys; from journeys.kafka.writer_process import main; main(int(sys.argv[1]))"


class Placement(NamedTuple):
    """Where a message landed: what the recorder reads from kafka-python's RecordMetadata."""

    partition: int
    offset: int


class ProcessWriter:
    """The interface of TransactionalWriter, with the producer in a child process.

    `send()` returns a ticket (the message's place in the transaction); `commit(tickets)`
    returns where those messages landed, in the order given.
    """

    def __init__(self, settings: Settings, transactional_id: str | None = None) -> None:
        self.settings = settings
        self.transactional_id = transactional_id or writer_transactional_id(settings)
        self._process: subprocess.Popen[bytes] | None = None
        self._connection: Connection | None = None
        self._messages: list[tuple[str, bytes | None, bytes, Headers]] = []
        self._offsets: tuple[dict[TopicPartition, OffsetAndMetadata], Any] | None = None
        self._in_transaction = False
        self._awaiting_answer = False
        self._broken: str | None = None  # why the child is gone, once it is

    def start(self) -> None:
        """Start the child and wait until its producer holds the transactional id."""
        if self._process is not None:
            return
        ours, theirs = socket.socketpair()
        with ours, theirs:
            process = subprocess.Popen(
                [sys.executable, "-c", _CHILD, str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, sys.path))},
            )
            # Our copy of the child's end closes here: once the child is gone, our reads
            # see end-of-file.
            self._process, self._connection = process, Connection(ours.detach())
        try:
            self._connection.send((self.settings, self.transactional_id))
            self._answer(_STARTED)
        except BaseException:
            self.close()
            raise

    def begin(self) -> None:
        if self._in_transaction:
            raise RuntimeError("a transaction is already open")
        if self._connection is None:
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
        return self.commit_later(tickets)()

    def commit_later(self, tickets: Sequence[int] = ()) -> Callable[[], list[Placement]]:
        """Hand the transaction to the child now; the returned call waits for the outcome.

        Call it before the next commit: the child writes one transaction at a time, and a
        transaction must never be handed over while an earlier one might still fail.
        """
        if not self._in_transaction:
            raise RuntimeError("ProcessWriter.commit() outside a transaction")
        if self._awaiting_answer:
            raise RuntimeError("the previous transaction's outcome has not been read")
        self._in_transaction = False
        assert self._connection is not None
        messages, self._messages = self._messages, []
        try:
            self._connection.send(("transaction", messages, self._offsets))
        except OSError as error:
            raise self._gone(error) from error
        self._awaiting_answer = True
        wanted = list(tickets)

        def outcome() -> list[Placement]:
            self._awaiting_answer = False
            placements: list[tuple[int, int]] = self._answer(_COMMITTED)
            return [Placement(*placements[ticket]) for ticket in wanted]

        return outcome

    def abort(self) -> None:
        """Forget the open transaction: none of it was handed to Kafka."""
        self._in_transaction = False
        self._messages = []
        self._offsets = None

    def close(self) -> None:
        connection, process = self._connection, self._process
        self._connection = self._process = None
        if connection is not None:
            with contextlib.suppress(OSError):  # a child that is already gone needs no word
                connection.send((_CLOSE,))
            connection.close()
        if process is not None:
            try:
                process.wait(_CLOSE_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    # ---------------------------------------------------------------------------------

    def _answer(self, expected: str) -> Any:
        assert self._connection is not None
        try:
            answer = self._connection.recv()
        except (EOFError, OSError) as error:
            raise self._gone(error) from error
        kind, detail = answer
        if kind == expected:
            return detail
        if kind == _FENCED:
            self._broken = f"the record writer was fenced: {detail}"
            raise WriterFenced(self.transactional_id)
        if expected == _STARTED:
            self._broken = f"the record writer could not start: {detail}"
            raise JourneyRecordError(self._broken)
        self._broken = f"the record writer stopped after a failure: {detail}"
        raise RecordTransactionFailed(detail)

    def _gone(self, error: BaseException) -> RecordTransactionFailed:
        exit_code = None if self._process is None else self._process.poll()
        self._broken = (
            f"the record writer process {self.transactional_id!r} is gone "
            f"(exit code {exit_code}, {type(error).__name__}); nothing it had not "
            "committed is in the record: restart the processor"
        )
        return RecordTransactionFailed(self._broken)


def main(descriptor: int) -> None:
    """The child: one TransactionalWriter, one transaction per message, until told to stop."""
    # Ctrl-C reaches the whole process group; the parent decides when this child stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    connection = Connection(descriptor)
    with contextlib.suppress(EOFError, OSError):  # the parent is gone: stop quietly
        settings, transactional_id = connection.recv()
        writer = TransactionalWriter(settings, transactional_id)
        try:
            if _tell(connection, writer.start, _STARTED):
                while (message := connection.recv())[0] != _CLOSE:
                    _, messages, offsets = message
                    if not _tell(connection, functools.partial(_write, writer, messages, offsets)):
                        break
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


def _tell(connection: Connection, work: Callable[[], Any], kind: str = _COMMITTED) -> bool:
    """Do `work` and send its outcome to the parent; False once the writer is unusable."""
    try:
        result = work()
    except WriterFenced as fenced:
        connection.send((_FENCED, str(fenced)))
        return False
    except Exception as error:  # reported to the parent, which raises it there
        connection.send((_FAILED, f"{type(error).__name__}: {error}"))
        return False
    connection.send((kind, result))
    return True
