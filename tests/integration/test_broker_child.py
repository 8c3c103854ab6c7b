"""The embedded broker never outlives what started it.

`journeys broker` and `embedded_broker()` start Tansu as a child process. Stopped by a
service manager (SIGTERM), by Ctrl-C (SIGINT), or killed outright (SIGKILL, where no
handler runs), the parent must take its broker with it: an orphaned Tansu keeps its
whole in-memory record and nobody stops it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from journeys.kafka.broker import free_port

pytestmark = pytest.mark.kafka

ROOT = Path(__file__).resolve().parents[2]


def children_of(pid: int) -> list[int]:
    """Process ids whose parent is `pid`, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the command name, which is in parentheses and may hold spaces.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def is_running(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def wait_until_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(pid):
            return True
        time.sleep(0.05)
    return False


def tansu_child(parent: subprocess.Popen[str]) -> int:
    children = [
        pid
        for pid in children_of(parent.pid)
        if "tansu" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    ]
    assert len(children) == 1, f"expected one Tansu child of {parent.pid}, found {children}"
    return children[0]


def read_until(process: subprocess.Popen[str], text: str) -> str:
    """What the process prints up to and including the first line containing `text`."""
    assert process.stdout is not None
    printed = ""
    for line in process.stdout:
        printed += line
        if text in line:
            return printed
    raise AssertionError(f"the process exited ({process.wait()}) before printing {text!r}")


@pytest.fixture
def cleanup() -> Iterator[list[int]]:
    """Pids to SIGKILL after the test, so a failing test leaves no broker behind either."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if is_running(pid):
            os.kill(pid, signal.SIGKILL)


def start_broker_command(cleanup: list[int]) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    parent = subprocess.Popen(
        [sys.executable, "-m", "journeys", "broker", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": "", "JOURNEYS_TOPIC_PREFIX": "",
             "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    cleanup.append(parent.pid)
    greeting = read_until(parent, "Press Ctrl-C to stop")
    child = tansu_child(parent)
    cleanup.append(child)
    assert "listening on" in greeting
    # Plainly said: nothing it holds outlives it.
    assert "keeps every topic in memory: when it stops, the record is gone" in greeting
    assert "KAFKA_BOOTSTRAP_SERVERS" in greeting
    return parent, child


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_journeys_broker_stops_its_tansu(stop: signal.Signals, cleanup: list[int]) -> None:
    parent, child = start_broker_command(cleanup)
    parent.send_signal(stop)
    assert parent.wait(timeout=15) == 0
    assert wait_until_gone(child), f"Tansu ({child}) outlived `journeys broker` after {stop.name}"


def test_killing_journeys_broker_kills_its_tansu(cleanup: list[int]) -> None:
    parent, child = start_broker_command(cleanup)
    parent.kill()
    parent.wait(timeout=15)
    assert wait_until_gone(child), f"Tansu ({child}) outlived a SIGKILLed `journeys broker`"


HOLDS_AN_EMBEDDED_BROKER = textwrap.dedent(
    """
    import sys, time
    from journeys.kafka.broker import embedded_broker
    with embedded_broker() as broker:
        print(broker.process.pid, flush=True)
        time.sleep(600)
    """
)


def test_killing_the_holder_of_embedded_broker_kills_its_tansu(cleanup: list[int]) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDS_AN_EMBEDDED_BROKER],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    cleanup.append(holder.pid)
    assert holder.stdout is not None
    child = int(holder.stdout.readline())
    cleanup.append(child)
    assert is_running(child)
    holder.kill()
    holder.wait(timeout=15)
    assert wait_until_gone(child), f"Tansu ({child}) outlived a SIGKILLed embedded_broker()"
