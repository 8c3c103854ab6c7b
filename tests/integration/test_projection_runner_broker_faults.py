"""The runner is right on the embedded broker's faults (issue 11, item 6).

- A topic holding an event twice (an aborted transaction's copy, shown to read_committed
  readers, then the committed retry) projects it once, and the run counts the copy.
- `end_offsets()` is only a lower bound (0 under read_committed while a transaction is
  open): a poll that comes back empty before the fetch has does not end the run.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from kafka import KafkaProducer
from record_writing import recorded_messages

# tests/integration is on sys.path, as pytest puts a test module's directory there.
from test_projection_runner import assert_same_projection, publish

from events.settings import Settings
from journeys.synthetic import AuthorityParameters, generate
from projections import runner as runner_module
from projections.runner import RunnerOptions, project, rebuild

pytestmark = pytest.mark.kafka


def test_an_event_on_the_topic_twice_is_projected_once_and_the_copy_counted(
    kafka: Settings,
) -> None:
    history = list(generate(AuthorityParameters(children=50, seed=41)))
    producer = KafkaProducer(**kafka.client_options(), linger_ms=5, acks="all")
    messages = recorded_messages(kafka, history)
    try:
        # The same bytes and key again: the same partition.
        for _, key, value in [*messages, messages[len(history) // 2]]:
            producer.send(kafka.events_topic, value=value, key=key)
        producer.flush()
    finally:
        producer.close()

    summary = project(kafka, follow=False, options=RunnerOptions(max_batch=100))
    assert (summary.events, summary.skipped_copies) == (len(history), 1)
    assert_same_projection(kafka, history)
    assert project(kafka, follow=False).events == 0

    rebuilt = rebuild(kafka)
    assert (rebuilt.events, rebuilt.skipped_copies) == (len(history), 1)
    assert_same_projection(kafka, history)


def test_an_early_empty_poll_with_end_offsets_at_zero_does_not_end_the_run(
    kafka: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = list(generate(AuthorityParameters(children=30, seed=42)))
    publish(kafka, history)

    class Lagging(runner_module.ProjectionRunner):
        """The first poll returns nothing (the fetch not back yet), and end_offsets()
        says 0 everywhere, as the embedded broker's does while a transaction is open."""

        polls = 0

        def _poll(self, consumer, timeout_ms):  # type: ignore[no-untyped-def]
            Lagging.polls += 1
            if Lagging.polls == 1:
                return []
            return super()._poll(consumer, timeout_ms)

    def no_end_offsets(self, partitions):  # type: ignore[no-untyped-def]
        return {partition: 0 for partition in partitions}

    monkeypatch.setattr(runner_module, "ProjectionRunner", Lagging)
    monkeypatch.setattr(runner_module.KafkaConsumer, "end_offsets", no_end_offsets)
    assert project(replace(kafka), follow=False).events == len(history)
    assert_same_projection(kafka, history)
