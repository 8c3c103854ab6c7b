"""The eventsourcing persistence module that keeps journeys on Kafka.

Select it the library's own way, with the environment (or an application's `env`):

    PERSISTENCE_MODULE=journeys.kafka.persistence

plus the project's own variables (events.settings): KAFKA_BOOTSTRAP_SERVERS,
JOURNEYS_TOPIC_PREFIX, JOURNEYS_STATE_DIR and the KAFKA_* security settings. Optional:
JOURNEYS_STATE_STORE=memory keeps the local state store in memory instead of SQLite under
JOURNEYS_STATE_DIR (it is rebuilt from the topic on every start either way);
JOURNEYS_RECORD_WRITER=process runs the Kafka producer in a child process
(journeys.kafka.writer_process), which the submission processor does.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    InfrastructureFactory,
    Mapper,
    NotSupportedError,
    ProcessRecorder,
    TrackingRecorder,
    Transcoder,
)
from eventsourcing.utils import resolve_topic

from events.key_store import open_key_store
from events.settings import Settings
from journeys.kafka.log import RecordWriter, TransactionalWriter
from journeys.kafka.mapper import JourneyMapper
from journeys.kafka.privacy import RecordPrivacy
from journeys.kafka.recorder import KafkaAggregateRecorder, KafkaApplicationRecorder
from journeys.kafka.state_store import StateStore
from journeys.kafka.writer_process import ProcessWriter

STATE_STORE = "JOURNEYS_STATE_STORE"
RECORD_WRITER = "JOURNEYS_RECORD_WRITER"


def state_store_path(settings: Settings) -> Path:
    """One SQLite file per events topic, so deployments sharing a directory never mix."""
    return settings.state_dir / f"{settings.events_topic}.sqlite3"


def discard_state_store(settings: Settings) -> Path:
    """Empty the state store of these settings, to be rebuilt from the record; its path.

    For a store built from a record the topic no longer holds (RecordBehindStateStore):
    the store is derived state, and the next catch-up reads it all again from offset 0.
    """
    path = state_store_path(settings)
    store = StateStore(path)
    try:
        store.discard()
    finally:
        store.close()
    return path


def persistence_environment(settings: Settings, *, memory_store: bool = False) -> dict[str, str]:
    """The application `env` that selects this module for the given settings."""
    from events.settings import _SECURITY_VARIABLES

    env = {
        "PERSISTENCE_MODULE": __name__,
        "JOURNEYS_TOPIC_PREFIX": settings.topic_prefix,
        "JOURNEYS_PARTITIONS": str(settings.partitions),
        "JOURNEYS_REPLICATION_FACTOR": str(settings.replication_factor),
        "JOURNEYS_STATE_DIR": str(settings.state_dir),
        "JOURNEYS_DB": str(settings.database),
        "JOURNEYS_KEY_STORE": str(settings.key_store),
        "JOURNEYS_MASTER_KEY_FILE": str(settings.master_key_file),
        STATE_STORE: "memory" if memory_store else "sqlite",
    }
    if settings.bootstrap_servers is not None:
        env["KAFKA_BOOTSTRAP_SERVERS"] = settings.bootstrap_servers
    option_to_variable = {option: variable for variable, option in _SECURITY_VARIABLES.items()}
    for option, value in settings.security.items():
        env[option_to_variable[option]] = value
    return env


class Factory(InfrastructureFactory[TrackingRecorder]):
    """Builds the Kafka recorder (and the journey mapper) for an eventsourcing Application."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.settings = Settings.from_environment(self.env)
        self._recorders: list[KafkaApplicationRecorder] = []
        self._privacy: RecordPrivacy | None = None

    def mapper(
        self,
        transcoder: Transcoder | None = None,
        mapper_class: type[Mapper[Any]] | None = None,
    ) -> Mapper[Any]:
        # The contract's wire format unless the application asks for another mapper.
        if mapper_class is None and not self.env.get(self.MAPPER_TOPIC):
            mapper_class = JourneyMapper
        mapper = super().mapper(transcoder=transcoder, mapper_class=mapper_class)
        if isinstance(mapper, JourneyMapper):
            mapper.open_privacy = self._open_privacy
        return mapper

    def _open_privacy(self) -> RecordPrivacy:
        """The settings' key store, made if there is none yet. The processor opens its own,
        checked against the record (journeys.kafka.privacy.open_record_privacy)."""
        self._privacy = RecordPrivacy(open_key_store(self.settings, may_create=True))
        return self._privacy

    def _store(self) -> StateStore:
        kind = self.env.get(STATE_STORE, "sqlite")
        if kind not in ("sqlite", "memory"):
            raise ValueError(f"{STATE_STORE} must be 'sqlite' or 'memory', not {kind!r}")
        return StateStore(None if kind == "memory" else state_store_path(self.settings))

    def _writer(self) -> RecordWriter:
        kind = self.env.get(RECORD_WRITER, "inline")
        if kind == "inline":
            return TransactionalWriter(self.settings)
        if kind == "process":
            return ProcessWriter(self.settings)
        raise ValueError(f"{RECORD_WRITER} must be 'inline' or 'process', not {kind!r}")

    def _build(self, recorder_class: type[KafkaApplicationRecorder]) -> KafkaApplicationRecorder:
        recorder = recorder_class(self.settings, self._store(), self._writer())
        recorder.catch_up()
        self._recorders.append(recorder)
        return recorder

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        if purpose != "events":
            # Snapshots would be a second record beside the contract's one; journeys are
            # short enough to replay, so the Kafka record keeps events only.
            raise NotSupportedError(
                f"the Kafka journey record stores events only, not {purpose!r}: "
                "leave IS_SNAPSHOTTING_ENABLED unset"
            )
        return typing.cast(AggregateRecorder, self._build(KafkaAggregateRecorder))

    def application_recorder(self) -> ApplicationRecorder:
        topic = self.env.get(self.APPLICATION_RECORDER_TOPIC)
        recorder_class = resolve_topic(topic) if topic else KafkaApplicationRecorder
        if not issubclass(recorder_class, KafkaApplicationRecorder):
            raise TypeError(f"{topic} is not a KafkaApplicationRecorder")
        return self._build(recorder_class)

    def tracking_recorder(
        self, tracking_recorder_class: type[TrackingRecorder] | None = None
    ) -> TrackingRecorder:
        raise NotSupportedError(
            "the Kafka journey record tracks what it consumed with consumer-group offsets "
            "committed inside each transaction (journeys.kafka.processor), not a tracking "
            "recorder"
        )

    def process_recorder(self) -> ProcessRecorder:
        raise NotSupportedError(
            "the Kafka journey record has no process recorder: the submission processor "
            "(journeys.kafka.processor) commits consumer offsets in the record's transaction"
        )

    def close(self) -> None:
        for recorder in self._recorders:
            recorder.close()
        self._recorders.clear()
        if self._privacy is not None:
            self._privacy.key_store.close()
            self._privacy = None
