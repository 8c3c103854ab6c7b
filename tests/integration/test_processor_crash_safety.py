"""SIGKILL the processor at random moments: the record still holds each event exactly once."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from cli_runs import cli_environment
from kafka_examples import simple_journey

from events.codec import default_codec
from events.settings import Settings
from journeys.kafka.processor import process_until_idle
from journeys.kafka.publish import publish_events
from journeys.kafka.record_reader import read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

KILLS = 10
CHILDREN = 1_500  # 4,500 submissions: a few seconds of work per run, so kills land mid-way


def test_killing_the_processor_repeatedly_loses_nothing_and_duplicates_nothing(
    kafka: Settings,
) -> None:
    valid = [event for n in range(CHILDREN) for event in simple_journey(f"K{n}")]
    publish_events(kafka, valid)
    rng = random.Random(4)
    command = [sys.executable, "-m", "journeys", "process", "--until-idle", "--batch-size", "300"]
    finished_early = 0
    for _ in range(KILLS):
        process = subprocess.Popen(
            command,
            env=cli_environment(kafka),
            cwd=Path(__file__).resolve().parents[2],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(1.5, 4.5))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        else:
            finished_early += 1
        process.wait()

    # The last processor, in this process, finishes whatever is left.
    process_until_idle(kafka)

    codec = default_codec()
    recorded = Counter(
        codec.decode(m.value).event_id for m in read_topic(kafka, kafka.events_topic)
    )
    duplicated = sorted(str(event_id) for event_id, n in recorded.items() if n > 1)
    missing = sorted(str(e.event_id) for e in valid if e.event_id not in recorded)
    assert (duplicated[:5], len(duplicated), missing[:5], len(missing)) == ([], 0, [], 0)
    assert set(recorded) == {event.event_id for event in valid}
    assert finished_early < KILLS, "no run was killed mid-way: the batch is too small"
