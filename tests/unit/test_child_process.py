"""The child-process helper both the record writer and the decoder run in."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from events.child_process import ChildFailed, ChildGone, ChildProcess

TARGET = "tests.unit.test_child_process:serve"


@contextlib.contextmanager
def serve(greeting: str) -> Iterator[Callable[[str], str]]:
    """A handler that greets, or fails on request (run in the child)."""
    if greeting == "refuse to start":
        raise LookupError("no greeting")

    def answer(name: str) -> str:
        if name == "fail":
            raise ValueError("a name is needed")
        return f"{greeting}, {name}"

    yield answer


@pytest.fixture
def child() -> Iterator[ChildProcess]:
    child = ChildProcess(TARGET)
    child.start("hello").result(timeout=30)
    yield child
    child.close()


def test_answers_come_back_in_the_order_asked(child: ChildProcess) -> None:
    futures = [child.submit(name) for name in ("Ada", "Bo", "Cy")]
    assert [f.result(timeout=30) for f in futures] == ["hello, Ada", "hello, Bo", "hello, Cy"]


def test_large_requests_and_answers_in_flight_together_all_come_back(
    child: ChildProcess,
) -> None:
    # Each request and each answer is larger than a socket's buffers: while the parent is
    # still sending request 3, the child is already sending answer 1, so the parent's
    # reader must be free to read it. (One lock for sending and for the queue of futures
    # deadlocked here: the decoder child hung the projection runner this way.)
    names = [str(n) * 4_000_000 for n in range(4)]
    futures = [child.submit(name) for name in names]
    assert [len(f.result(timeout=60)) for f in futures] == [len(f"hello, {n}") for n in names]


def test_a_failure_is_reported_with_its_type_and_message_and_the_child_goes_on(
    child: ChildProcess,
) -> None:
    with pytest.raises(ChildFailed, match="ValueError: a name is needed") as failure:
        child.submit("fail").result(timeout=30)
    assert isinstance(failure.value.original, ValueError)
    assert child.submit("Di").result(timeout=30) == "hello, Di"


def test_a_failure_to_start_is_reported_with_its_reason() -> None:
    child = ChildProcess(TARGET)
    try:
        with pytest.raises(ChildFailed, match="LookupError: no greeting"):
            child.start("refuse to start").result(timeout=30)
    finally:
        child.close()


def test_a_child_that_died_is_reported_as_gone_with_its_exit_code(child: ChildProcess) -> None:
    assert child.process is not None
    child.process.kill()
    child.process.wait()
    with pytest.raises(ChildGone, match="exit code -9"):
        child.submit("Ed").result(timeout=30)


def test_the_child_stops_when_its_parent_is_killed() -> None:
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from events.child_process import ChildProcess; "
            f"c = ChildProcess({TARGET!r}); c.start('hi').result(30); "
            "print(c.process.pid, flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        child_pid = int(parent.stdout.readline())
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(child_pid):
            time.sleep(0.1)
        assert not _alive(child_pid)
    finally:
        parent.kill()
        parent.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (reaped by init soon) has stopped running.
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[1][0] != "Z"
    return True
