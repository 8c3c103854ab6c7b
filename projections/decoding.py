"""Decoding batches off the runner's thread: in a worker process, or in line.

Decoding Avro is the runner's biggest cost after the Kafka client itself, and both hold
Python's interpreter lock; a worker process decodes batch N while the runner polls batch
N+1. Results are handed back strictly in the order the batches were submitted, so the
runner appends them in offset order exactly as it would without the worker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

import pyarrow as pa

from events.codec import default_codec
from projections.decode import MessageDecoder

Message = tuple[bytes, int, int]  # value, partition, offset

_worker_decoder: MessageDecoder | None = None


def _exit_when_orphaned(parent_pid: int) -> None:
    # A runner killed with SIGKILL cannot stop its worker; the worker notices it was
    # orphaned and exits, rather than linger holding the runner's pipes and memory.
    while os.getppid() == parent_pid:
        time.sleep(0.2)
    os._exit(1)


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    # Ctrl-C in a terminal goes to the whole process group, the worker included. The
    # runner stops cleanly on it; the worker must not die of it (a KeyboardInterrupt
    # traceback, and a broken pool under the runner). A process spawned while SIGINT is
    # blocked keeps it blocked for life (the mask survives fork and exec), and the
    # runner loses nothing: a SIGINT that came meanwhile is delivered on unblocking.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _start_worker(parent_pid: int) -> None:
    global _worker_decoder
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
    _worker_decoder = MessageDecoder(default_codec())


def _decode_in_worker(messages: Sequence[Message]) -> pa.Table:
    assert _worker_decoder is not None, "the worker initialiser did not run"
    return _worker_decoder.to_arrow(messages)


class Decoding:
    """A first-in first-out queue of batches being decoded."""

    def __init__(self, *, in_worker: bool, depth: int = 2) -> None:
        self.depth = depth
        self._pending: deque[Future[pa.Table]] = deque()
        self._pool: ProcessPoolExecutor | None = None
        self._decoder: MessageDecoder | None = None
        if in_worker:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
            # The pool starts its process at the first submit; starting it now lets the
            # worker's imports and schema parsing (about half a second) overlap the
            # runner's own start-up and first poll instead of delaying the first batch.
            with _sigint_blocked():
                self._pool.submit(int)
        else:
            self._decoder = MessageDecoder(default_codec())

    def submit(self, messages: Sequence[Message]) -> None:
        if self._pool is not None:
            self._pending.append(self._pool.submit(_decode_in_worker, messages))
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
        return self._pending.popleft().result()

    def close(self) -> None:
        for future in self._pending:
            future.cancel()
        self._pending.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
