"""The eventsourcing library's own recorder contract, run against the Kafka recorder.

Every case of AggregateRecorderTestCase and ApplicationRecorderTestCase applies and runs,
including the optional subscription case. TrackingRecorderTestCase and
ProcessRecorderTestCase do not apply: the Kafka record tracks what it consumed with
consumer-group offsets committed in the same transaction (see test_processor.py), so the
persistence module offers no tracking or process recorder.

Each case runs twice: with the producer in this process (TransactionalWriter) and in a
child process (ProcessWriter, which the submission processor uses).
"""

from __future__ import annotations

import pytest
from eventsourcing.persistence import AggregateRecorder, ApplicationRecorder
from eventsourcing.tests.persistence import (
    AggregateRecorderTestCase,
    ApplicationRecorderTestCase,
)

from events.settings import Settings
from journeys.kafka.log import RecordWriter, TransactionalWriter
from journeys.kafka.recorder import KafkaAggregateRecorder, KafkaApplicationRecorder
from journeys.kafka.state_store import StateStore
from journeys.kafka.writer_process import ProcessWriter

pytestmark = [pytest.mark.kafka]


class _OnKafka:
    settings: Settings
    recorders: list[KafkaApplicationRecorder]
    writer_class: type[RecordWriter] = TransactionalWriter

    @pytest.fixture(autouse=True)
    def _on_kafka(self, kafka: Settings) -> object:
        self.settings = kafka
        self.recorders = []
        yield
        for recorder in self.recorders:
            recorder.close()

    def _recorder(self, cls: type[KafkaApplicationRecorder]) -> KafkaApplicationRecorder:
        recorder = cls(self.settings, StateStore(None), self.writer_class(self.settings))
        recorder.catch_up()
        self.recorders.append(recorder)
        return recorder


class TestKafkaAggregateRecorder(_OnKafka, AggregateRecorderTestCase):
    def create_recorder(self) -> AggregateRecorder:
        return self._recorder(KafkaAggregateRecorder)


class TestKafkaApplicationRecorder(_OnKafka, ApplicationRecorderTestCase):
    def create_recorder(self) -> ApplicationRecorder:
        return self._recorder(KafkaApplicationRecorder)

    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()


class TestKafkaAggregateRecorderWithProcessWriter(TestKafkaAggregateRecorder):
    writer_class = ProcessWriter


class TestKafkaApplicationRecorderWithProcessWriter(TestKafkaApplicationRecorder):
    writer_class = ProcessWriter
