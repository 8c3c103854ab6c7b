"""One typed configuration object, built from the environment once at start-up.

Environment variables (all optional):

- ``KAFKA_BOOTSTRAP_SERVERS``: an existing Kafka cluster (``host:port,...``). When unset,
  commands that need a broker start the embedded Tansu broker on 127.0.0.1.
- ``KAFKA_SECURITY_PROTOCOL``, ``KAFKA_SASL_MECHANISM``, ``KAFKA_SASL_USERNAME``,
  ``KAFKA_SASL_PASSWORD``, ``KAFKA_SSL_CAFILE``, ``KAFKA_SSL_CERTFILE``,
  ``KAFKA_SSL_KEYFILE``: passed through to every Kafka client (kafka-python names).
- ``JOURNEYS_TOPIC_PREFIX``: prepended to every topic name (default empty), so several
  environments or test runs can share one cluster.
- ``JOURNEYS_PARTITIONS``: partitions for topics this project creates (default 3).
- ``JOURNEYS_REPLICATION_FACTOR``: replication factor for topics this project creates
  (default: the cluster's own default; the embedded broker uses 1).
- ``JOURNEYS_DB``: the DuckDB projection database (default ``journeys.duckdb``).
- ``JOURNEYS_STATE_DIR``: where derived local state lives (default ``.journeys-state``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

SUBMISSIONS = "care.journey.submissions"
EVENTS = "care.journey.events"
REJECTED = "care.journey.rejected"

_SECURITY_VARIABLES = {
    "KAFKA_SECURITY_PROTOCOL": "security_protocol",
    "KAFKA_SASL_MECHANISM": "sasl_mechanism",
    "KAFKA_SASL_USERNAME": "sasl_plain_username",
    "KAFKA_SASL_PASSWORD": "sasl_plain_password",
    "KAFKA_SSL_CAFILE": "ssl_cafile",
    "KAFKA_SSL_CERTFILE": "ssl_certfile",
    "KAFKA_SSL_KEYFILE": "ssl_keyfile",
}


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    bootstrap_servers: str | None = None
    security: Mapping[str, str] = field(default_factory=dict, repr=False)
    topic_prefix: str = ""
    partitions: int = 3
    replication_factor: int = -1  # -1: the cluster's default.replication.factor
    database: Path = Path("journeys.duckdb")
    state_dir: Path = Path(".journeys-state")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        partitions = env.get("JOURNEYS_PARTITIONS", "3")
        if not partitions.isdigit() or int(partitions) < 1:
            raise ValueError(
                f"JOURNEYS_PARTITIONS must be a whole number of at least 1, not {partitions!r}"
            )
        return cls(
            bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS") or None,
            security={
                option: env[variable]
                for variable, option in _SECURITY_VARIABLES.items()
                if env.get(variable)
            },
            topic_prefix=env.get("JOURNEYS_TOPIC_PREFIX", ""),
            partitions=int(partitions),
            replication_factor=int(env.get("JOURNEYS_REPLICATION_FACTOR", "-1")),
            database=Path(env.get("JOURNEYS_DB", "journeys.duckdb")),
            state_dir=Path(env.get("JOURNEYS_STATE_DIR", ".journeys-state")),
        )

    def with_embedded_broker(self, bootstrap_servers: str) -> Settings:
        return replace(self, bootstrap_servers=bootstrap_servers, replication_factor=1)

    @property
    def submissions_topic(self) -> str:
        return self.topic_prefix + SUBMISSIONS

    @property
    def events_topic(self) -> str:
        return self.topic_prefix + EVENTS

    @property
    def rejected_topic(self) -> str:
        return self.topic_prefix + REJECTED

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments common to every kafka-python client."""
        if self.bootstrap_servers is None:
            raise RuntimeError(
                "No Kafka bootstrap servers: set KAFKA_BOOTSTRAP_SERVERS or start the "
                "embedded broker (journeys.kafka.broker.embedded_broker)."
            )
        return {"bootstrap_servers": self.bootstrap_servers, **self.security}
