"""Fixtures shared by tests/ and benchmarks/: a Kafka-protocol broker for the whole
session, and isolated topics.

Without KAFKA_BOOTSTRAP_SERVERS the session starts the embedded Tansu broker; with it,
tests run against that cluster. Either way each test that asks for `kafka` gets its own
topic prefix, so tests never see each other's messages.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from events.settings import Settings
from journeys.kafka.broker import embedded_broker
from journeys.kafka.topics import ensure_topics


@pytest.fixture(scope="session")
def kafka_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The session's broker. Its key store is in a temporary directory, so a test that
    seals with these settings directly never writes one into the working directory."""
    keys = tmp_path_factory.mktemp("session-keys")
    settings = replace(
        Settings.from_environment(),
        key_store=keys / "journeys-keys.sqlite",
        master_key_file=keys / "journeys-master.key",
    )
    if settings.bootstrap_servers is not None:
        yield settings
        return
    with embedded_broker() as broker:
        yield settings.with_embedded_broker(broker.bootstrap_servers)


@pytest.fixture
def kafka(kafka_cluster: Settings, tmp_path: Path) -> Settings:
    """Settings with a topic prefix of this test's own, topics created, state in tmp_path."""
    settings = replace(
        kafka_cluster,
        topic_prefix=f"test-{uuid.uuid4().hex[:12]}.",
        state_dir=tmp_path / "state",
        database=tmp_path / "journeys.duckdb",
        key_store=tmp_path / "keys" / "journeys-keys.sqlite",
        master_key_file=tmp_path / "keys" / "journeys-master.key",
    )
    ensure_topics(settings)
    return settings
