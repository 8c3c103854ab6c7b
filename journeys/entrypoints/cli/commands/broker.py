"""`journeys broker`: run the embedded Kafka-protocol broker (Tansu) on 127.0.0.1, in memory.

Run the embedded Tansu broker with in-memory storage until interrupted (Ctrl-C, SIGTERM
or SIGHUP). Point other commands at it with KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:PORT.
Everything it holds is lost when it stops: it is for trying the service and for tests,
not for a record that must last.

The broker keeps the record in memory, so the command says so when it starts. It stops
its broker on Ctrl-C, on SIGTERM (how a service manager or a test harness stops it) and
on SIGHUP (its terminal closed); if the command is killed outright, the kernel stops the
broker (see journeys.kafka.broker).
"""

from __future__ import annotations

import argparse
import signal
import threading

from events.settings import Settings
from journeys.kafka.broker import embedded_broker
from journeys.kafka.topics import ensure_topics

MEMORY_ONLY = """\
The embedded broker keeps every topic in memory: when it stops, the record is gone.
It is for trying the service and for tests. For a record that must last, run against a
Kafka cluster (set KAFKA_BOOTSTRAP_SERVERS, and the KAFKA_SECURITY_PROTOCOL / SASL / SSL
settings it needs: see README.md, Configuration), and keep a copy with `journeys archive`."""

_STOPPING_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=9092, help="port to listen on (9092)")


def _stop_on_signal() -> threading.Event:
    """An event set by any of the stopping signals, instead of the default of dying.

    Dying on SIGTERM would skip the `with` block's exit, and so stopping the broker.
    """
    stop = threading.Event()
    for signal_number in _STOPPING_SIGNALS:
        signal.signal(signal_number, lambda _number, _frame: stop.set())
    return stop


def run(arguments: argparse.Namespace) -> int:
    stop = _stop_on_signal()
    with embedded_broker(arguments.port) as broker:
        ensure_topics(Settings.from_environment().with_embedded_broker(broker.bootstrap_servers))
        print(f"Kafka-protocol broker listening on {broker.bootstrap_servers} (memory storage)")
        print(f"  export KAFKA_BOOTSTRAP_SERVERS={broker.bootstrap_servers}")
        print(MEMORY_ONLY)
        print("Press Ctrl-C to stop.", flush=True)
        while not stop.is_set() and broker.process.poll() is None:
            stop.wait(0.5)
        if stop.is_set():
            print("stopping", flush=True)
        else:
            print(f"the broker exited by itself (code {broker.process.returncode})", flush=True)
            return 1
    return 0
