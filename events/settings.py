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
- ``JOURNEYS_CONNECT_TIMEOUT``: seconds a Kafka client waits for its first answer from
  the cluster before the command gives up and names the address it tried (default 10).
- ``JOURNEYS_DB``: the DuckDB projection database (default ``journeys.duckdb``).
- ``JOURNEYS_STATE_DIR``: where derived local state lives (default ``.journeys-state``).
- ``JOURNEYS_KEY_STORE``: the key store, each child's pseudonym and data key (default
  ``journeys-keys.sqlite``). Not derived: it cannot be rebuilt from the record, and
  without it the record's personal fields cannot be read (events.key_store).
- ``JOURNEYS_MASTER_KEY_FILE``: the file holding the master key that wraps the key
  store's data keys (default ``journeys-master.key``). The processor makes both, the
  file readable by its owner only, when neither exists and the record is empty.
- ``JOURNEYS_ANALYSIS``: ``pseudonymised`` (the default) or ``identified``: whether the
  projection database holds only pseudonyms and the dates indicators need, or also each
  child's own id and date of birth, for the authority's case-level drill-down.
- ``JOURNEYS_RETENTION``: until which birthday each kind of record is kept, as
  ``looked_after=75,child_protection=26,child_in_need=25`` (those are the defaults; any of
  them, any order): what `journeys retention` lists (journeys.kafka.retention).
- ``JOURNEYS_DUCKDB_MEMORY_LIMIT``: the most memory DuckDB may use for a query of the
  projection (``2GB``, ``512MiB``, ...; default ``1GiB``): the limit of every reader of the
  snapshot, and of the projection runner while it brings the kept tables up to date
  (its loading keeps a smaller one). Beyond it DuckDB spills to disk or fails the query.

A value that breaks its rule raises `ConfigurationError`, naming the variable and the
rule, before any command starts its work.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from events.exceptions import ConfigurationError

SUBMISSIONS = "care.journey.submissions"
EVENTS = "care.journey.events"
REJECTED = "care.journey.rejected"

# What the projection database holds of each child (JOURNEYS_ANALYSIS).
PSEUDONYMISED = "pseudonymised"
IDENTIFIED = "identified"
ANALYSIS_MODES = (PSEUDONYMISED, IDENTIFIED)

# What kafka-python accepts; anything else would fail only as a connection timeout.
_SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
_SASL_MECHANISMS = ("PLAIN", "GSSAPI", "OAUTHBEARER", "SCRAM-SHA-256", "SCRAM-SHA-512")
_SSL_FILES = ("KAFKA_SSL_CAFILE", "KAFKA_SSL_CERTFILE", "KAFKA_SSL_KEYFILE")
DEFAULT_CONNECT_TIMEOUT = 10.0  # seconds: long enough for a TLS handshake to a far cluster

_SECURITY_VARIABLES = {
    "KAFKA_SECURITY_PROTOCOL": "security_protocol",
    "KAFKA_SASL_MECHANISM": "sasl_mechanism",
    "KAFKA_SASL_USERNAME": "sasl_plain_username",
    "KAFKA_SASL_PASSWORD": "sasl_plain_password",
    "KAFKA_SSL_CAFILE": "ssl_cafile",
    "KAFKA_SSL_CERTFILE": "ssl_certfile",
    "KAFKA_SSL_KEYFILE": "ssl_keyfile",
}


def _whole_number(env: Mapping[str, str], variable: str, default: int, *, least: int) -> int:
    text = env.get(variable, "").strip()
    if not text:
        return default
    if not text.isdecimal() or int(text) < least:
        raise ConfigurationError(variable, f"a whole number of at least {least}", text)
    return int(text)


def _replication_factor(env: Mapping[str, str]) -> int:
    text = env.get("JOURNEYS_REPLICATION_FACTOR", "").strip()
    if text in ("", "-1"):
        return -1
    if not text.isdecimal() or int(text) < 1:
        raise ConfigurationError(
            "JOURNEYS_REPLICATION_FACTOR",
            "a whole number of at least 1 (or unset for the cluster's default)",
            text,
        )
    return int(text)


def _connect_timeout(env: Mapping[str, str]) -> float:
    text = env.get("JOURNEYS_CONNECT_TIMEOUT", "").strip()
    if not text:
        return DEFAULT_CONNECT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds <= 3600:  # also false for nan
        raise ConfigurationError(
            "JOURNEYS_CONNECT_TIMEOUT", "a number of seconds above 0 and at most 3600", text
        )
    return seconds


_MEMORY_UNITS = {
    "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
    "KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40,
}  # fmt: skip
DEFAULT_DUCKDB_MEMORY_LIMIT_BYTES = 1 << 30
_MEMORY_RULE = (
    "a size of at least 1MiB, such as 2GB or 512MiB "
    "(a number, then B, KB, MB, GB, TB, KiB, MiB or GiB)"
)


def _memory_limit_bytes(env: Mapping[str, str]) -> int:
    text = env.get("JOURNEYS_DUCKDB_MEMORY_LIMIT", "").strip()
    if not text:
        return DEFAULT_DUCKDB_MEMORY_LIMIT_BYTES
    number = text.rstrip("BbKkMmGgTtIi ")
    unit = text[len(number) :].strip().upper()
    try:
        size = float(number) * _MEMORY_UNITS[unit]
    except (ValueError, KeyError):
        size = float("nan")
    if not size >= 1 << 20:  # also false for nan: below a MiB DuckDB cannot run a query
        raise ConfigurationError(
            "JOURNEYS_DUCKDB_MEMORY_LIMIT", _MEMORY_RULE + ", at least 1MiB", text
        )
    return int(size)


def _analysis(env: Mapping[str, str]) -> str:
    text = env.get("JOURNEYS_ANALYSIS", "").strip() or PSEUDONYMISED
    if text not in ANALYSIS_MODES:
        raise ConfigurationError("JOURNEYS_ANALYSIS", " or ".join(ANALYSIS_MODES), text)
    return text


def _bootstrap_servers(env: Mapping[str, str]) -> str | None:
    text = env.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if not text:
        return None
    for server in text.split(","):
        # host, host:port or [v6 address]:port; kafka-python assumes port 9092 if none.
        host, colon, port = server.strip().rpartition(":")
        if not colon or host.endswith(":") or "]" in port:
            host, port = server.strip(), "9092"
        if not (host and port.isdecimal() and 0 < int(port) < 65536):
            raise ConfigurationError(
                "KAFKA_BOOTSTRAP_SERVERS", "a comma-separated list of host:port", text
            )
    return text


def _security(env: Mapping[str, str]) -> dict[str, str]:
    chosen = {variable: env[variable] for variable in _SECURITY_VARIABLES if env.get(variable)}
    protocol = chosen.get("KAFKA_SECURITY_PROTOCOL")
    if protocol is not None and protocol not in _SECURITY_PROTOCOLS:
        raise ConfigurationError(
            "KAFKA_SECURITY_PROTOCOL", f"one of {', '.join(_SECURITY_PROTOCOLS)}", protocol
        )
    mechanism = chosen.get("KAFKA_SASL_MECHANISM")
    if mechanism is not None and mechanism not in _SASL_MECHANISMS:
        raise ConfigurationError(
            "KAFKA_SASL_MECHANISM", f"one of {', '.join(_SASL_MECHANISMS)}", mechanism
        )
    for variable in _SSL_FILES:
        if variable in chosen and not Path(chosen[variable]).is_file():
            raise ConfigurationError(variable, "the path of an existing file", chosen[variable])
    return {_SECURITY_VARIABLES[variable]: value for variable, value in chosen.items()}


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
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    duckdb_memory_limit_bytes: int = DEFAULT_DUCKDB_MEMORY_LIMIT_BYTES
    key_store: Path = Path("journeys-keys.sqlite")
    master_key_file: Path = Path("journeys-master.key")
    analysis: str = PSEUDONYMISED
    retention: str = ""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings of `environ` (default: os.environ); raises ConfigurationError."""
        env = os.environ if environ is None else environ
        return cls(
            bootstrap_servers=_bootstrap_servers(env),
            security=_security(env),
            topic_prefix=env.get("JOURNEYS_TOPIC_PREFIX", ""),
            partitions=_whole_number(env, "JOURNEYS_PARTITIONS", 3, least=1),
            replication_factor=_replication_factor(env),
            database=Path(env.get("JOURNEYS_DB", "journeys.duckdb")),
            state_dir=Path(env.get("JOURNEYS_STATE_DIR", ".journeys-state")),
            connect_timeout=_connect_timeout(env),
            duckdb_memory_limit_bytes=_memory_limit_bytes(env),
            key_store=Path(env.get("JOURNEYS_KEY_STORE", "journeys-keys.sqlite")),
            master_key_file=Path(env.get("JOURNEYS_MASTER_KEY_FILE", "journeys-master.key")),
            analysis=_analysis(env),
            retention=env.get("JOURNEYS_RETENTION", ""),
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
        return {
            "bootstrap_servers": self.bootstrap_servers,
            # How long a client waits for the cluster's first answer; kafka-python's own
            # default (30 s) left an unreachable broker looking like a hung command.
            "bootstrap_timeout_ms": int(self.connect_timeout * 1000),
            **self.security,
        }
