"""A worker in a child interpreter of its own, answering requests in order with futures.

Both pipelines that need a second core use it: the record writer (journeys.kafka.
writer_process) and the projection's decoder (projections.decoding). It lives in `events`
because both `journeys` and `projections` import `events` and `events` imports neither,
so neither package has to import the other for it.

The parent starts `ChildProcess(target)`, where `target` names ("module:function") a
function that takes the start argument and returns a context manager yielding the
request handler. `submit(request)` sends a request and returns a `Future` of its answer;
the child answers one request at a time, in the order sent, and a reader thread in the
parent resolves the futures in that order.

- Starting: a fresh interpreter (not multiprocessing's spawn, which re-runs the parent's
  main script), started with SIGINT blocked and ignoring it: Ctrl-C reaches the whole
  process group, and the parent decides when its child stops.
- Stopping with the parent: the child reads end-of-file on its socket once the parent is
  gone, and a watcher thread exits it as soon as it is orphaned, even mid-request.
- Failures: an exception in the handler (or in starting it) is reported to the parent as
  `ChildFailed`, with the exception's type name and message (and the exception itself
  when it can be pickled); a child that died is reported as `ChildGone` with its exit code.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import AbstractContextManager
from multiprocessing.connection import Connection
from typing import Any

from events.exceptions import ChildFailed, ChildGone

_ANSWER, _FAILED, _CLOSE = "answer", "failed", "close"
_CLOSE_TIMEOUT_S = 10.0
_ORPHAN_CHECK_S = 0.2
# The target is on the command line so that an operator (or a test) can tell children apart.
_CHILD = "import sys; from events.child_process import main; main(sys.argv[1], int(sys.argv[2]))"

Handler = Callable[[Any], Any]
Target = Callable[[Any], AbstractContextManager[Handler]]


class ChildProcess:
    """A child interpreter running `target`, with a future for each request's answer."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.process: subprocess.Popen[bytes] | None = None
        self._connection: Connection | None = None
        self._pending: deque[Future[Any]] = deque()
        # Two locks, never one: a sender may block while the child's answers fill the socket,
        # and the reader thread must still be able to take the next pending future, or
        # parent and child each wait for the other to read (a deadlock seen with large
        # batches). `_send_lock` keeps one sender at a time, so the futures queue in the
        # order their requests were sent; `_lock` guards only the queue and `_gone`.
        self._send_lock = threading.Lock()
        self._lock = threading.Lock()
        self._gone: ChildGone | None = None
        self._reader: threading.Thread | None = None

    def start(self, argument: Any) -> Future[Any]:
        """Start the child with `argument`; the future resolves once its handler is ready."""
        if self.process is not None:
            raise RuntimeError(f"the {self.target} process is already started")
        ours, theirs = socket.socketpair()
        with ours, theirs, _sigint_blocked():
            self.process = subprocess.Popen(
                [sys.executable, "-c", _CHILD, self.target, str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, sys.path))},
            )
            # Our copy of the child's end closes here: once the child is gone, our reads
            # see end-of-file.
            self._connection = Connection(ours.detach())
        self._reader = threading.Thread(
            target=self._read_answers, name=f"{self.target} answers", daemon=True
        )
        self._reader.start()
        return self.submit(argument)

    def submit(self, request: Any) -> Future[Any]:
        """Send `request`; the future holds the handler's answer, or its failure."""
        future: Future[Any] = Future()
        with self._send_lock:
            with self._lock:
                if self._connection is None:
                    raise RuntimeError(f"the {self.target} process is not started")
                gone = self._gone
                if gone is None:
                    self._pending.append(future)
            if gone is None:
                try:
                    self._connection.send(request)
                    return future
                except OSError as error:
                    with self._lock:
                        if future in self._pending:
                            self._pending.remove(future)
                        self._gone = gone = self._gone or self._went(error)
            if not future.done():  # the reader may have failed it already
                future.set_exception(gone)
        return future

    def close(self) -> None:
        """Ask the child to stop and wait for it (killing it if it does not stop in time)."""
        connection, process = self._connection, self.process
        if connection is not None:
            with self._send_lock, contextlib.suppress(OSError):  # a child gone needs no word
                connection.send(_CLOSE)
        if process is not None:
            try:
                process.wait(_CLOSE_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._reader is not None:
            self._reader.join()
        if connection is not None:
            connection.close()
        self._connection = self.process = self._reader = None

    def _read_answers(self) -> None:
        assert self._connection is not None
        while True:
            try:
                kind, *detail = self._connection.recv()
            except (EOFError, OSError) as error:
                self._fail_pending(self._went(error))
                return
            with self._lock:
                future = self._pending.popleft() if self._pending else None
            if future is None or future.cancelled():
                continue  # nobody waits (a failure in stopping, after the last request)
            if kind == _ANSWER:
                future.set_result(detail[0])
            else:
                future.set_exception(ChildFailed(*detail))

    def _fail_pending(self, gone: ChildGone) -> None:
        with self._lock:
            self._gone = gone
            pending, self._pending = self._pending, deque()
        for future in pending:
            if not future.cancelled():
                future.set_exception(gone)

    def _went(self, error: BaseException | None) -> ChildGone:
        process = self.process
        exit_code = None
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                exit_code = process.wait(1.0)  # end-of-file comes just before the exit
        return ChildGone(self.target, exit_code, error)


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    # A process started while SIGINT is blocked keeps it blocked (the mask survives fork and
    # exec), so a Ctrl-C during the child's imports gives no traceback; the parent loses
    # nothing: a SIGINT that came meanwhile is delivered to it on unblocking.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


# The child ------------------------------------------------------------------------------


def main(target: str, descriptor: int) -> None:
    """The child: start the target's handler, then answer requests until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    connection = Connection(descriptor)
    module, _, function = target.partition(":")
    start: Target = getattr(importlib.import_module(module), function)
    with contextlib.suppress(EOFError, OSError):  # the parent is gone: stop quietly
        argument = connection.recv()
        try:
            with start(argument) as handler:
                connection.send((_ANSWER, None))
                while (request := connection.recv()) != _CLOSE:
                    try:
                        answer = handler(request)
                    except Exception as error:  # reported to the parent, which raises it
                        connection.send(_failure(error))
                    else:
                        connection.send((_ANSWER, answer))
        except Exception as error:  # starting (or stopping) the handler failed
            connection.send(_failure(error))


def _failure(error: BaseException) -> tuple[str, str, str, BaseException | None]:
    original: BaseException | None = error
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        original = None  # its type and message still say what happened
    return (_FAILED, type(error).__name__, str(error), original)


def _exit_when_orphaned(parent_pid: int) -> None:
    # A parent killed with SIGKILL cannot stop its child: the child notices it was
    # orphaned and exits, rather than linger holding the parent's work and memory.
    while os.getppid() == parent_pid:
        time.sleep(_ORPHAN_CHECK_S)
    os._exit(1)
