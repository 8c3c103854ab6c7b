"""Decoding batches off the runner's thread: in a worker process, or in line.

Decoding Avro is the runner's biggest cost after the Kafka client itself, and both hold
Python's interpreter lock; a worker process (an events.child_process.ChildProcess, which
stops with the runner and ignores Ctrl-C) decodes batch N while the runner polls batch
N+1. Results are handed back strictly in the order the batches were submitted, so the
runner appends them in offset order exactly as it would without the worker.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future

import pyarrow as pa

from events.child_process import ChildFailed, ChildGone, ChildProcess
from events.codec import default_codec
from projections.decode import MessageDecoder

Message = tuple[bytes, int, int]  # value, partition, offset

_TARGET = "projections.decoding:serve"


@contextlib.contextmanager
def serve(_: None) -> Iterator[Callable[[Sequence[Message]], pa.Table]]:
    """The worker: one decoder, answering each batch of messages with its Arrow table."""
    yield MessageDecoder(default_codec()).to_arrow


class Decoding:
    """A first-in first-out queue of batches being decoded."""

    def __init__(self, *, in_worker: bool, depth: int = 2) -> None:
        self.depth = depth
        self._pending: deque[Future[pa.Table]] = deque()
        self._worker: ChildProcess | None = None
        self._started: Future[None] | None = None
        self._decoder: MessageDecoder | None = None
        if in_worker:
            self._worker = ChildProcess(_TARGET)
            # Not waited for: the worker's imports and schema parsing (about half a
            # second) overlap the runner's own start-up and first poll; the first batch's
            # answer comes after it, and a failure to start is raised in its place.
            self._started = self._worker.start(None)
        else:
            self._decoder = MessageDecoder(default_codec())

    def submit(self, messages: Sequence[Message]) -> None:
        if self._worker is not None:
            self._pending.append(self._worker.submit(messages))
            return
        done: Future[pa.Table] = Future()
        try:
            assert self._decoder is not None
            done.set_result(self._decoder.to_arrow(messages))
        except BaseException as error:
            done.set_exception(error)
        self._pending.append(done)

    def __len__(self) -> int:
        return len(self._pending)

    def oldest_is_ready(self) -> bool:
        return bool(self._pending) and self._pending[0].done()

    def take_oldest(self) -> pa.Table:
        """The oldest batch's table (waiting for it); re-raises its decoding error."""
        try:
            return self._pending.popleft().result()
        except ChildGone:
            if self._started is not None and self._started.exception() is not None:
                raise self._started.exception() from None  # why the worker never started
            raise
        except ChildFailed as failure:
            if failure.original is not None:
                raise failure.original from None  # as if decoded here (UndecodableMessage)
            raise

    def close(self) -> None:
        for future in self._pending:
            future.cancel()
        self._pending.clear()
        if self._worker is not None:
            self._worker.close()
