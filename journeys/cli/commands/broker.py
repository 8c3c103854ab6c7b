"""`journeys broker`: run the embedded Kafka-protocol broker for development."""

from __future__ import annotations

import argparse
import time

from journeys.config import Settings
from journeys.kafka.broker import embedded_broker
from journeys.kafka.topics import ensure_topics


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "broker",
        help="run the embedded Kafka-protocol broker (Tansu) on 127.0.0.1",
        description="Run the embedded Tansu broker with in-memory storage until interrupted. "
        "Point other commands at it with KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:PORT.",
    )
    parser.add_argument("--port", type=int, default=9092, help="port to listen on (9092)")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    with embedded_broker(arguments.port) as broker:
        ensure_topics(Settings.from_environment().with_embedded_broker(broker.bootstrap_servers))
        print(f"Kafka-protocol broker listening on {broker.bootstrap_servers} (memory storage)")
        print(f"  export KAFKA_BOOTSTRAP_SERVERS={broker.bootstrap_servers}")
        print("Press Ctrl-C to stop.")
        try:
            while broker.process.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            print("stopping")
    return 0
