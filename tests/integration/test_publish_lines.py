"""`journeys publish` line by line: one bad line is reported with its number, never stops
the others, and a byte-order mark is no reason to refuse the first line."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cli_runs import run_journeys
from kafka import KafkaProducer
from kafka.errors import MessageSizeTooLargeError
from kafka.future import Future
from kafka_examples import registration, simple_journey

from events.catalogue import JourneyEvent
from events.codec import default_codec
from events.jsonl import dumps
from events.kafka import client
from events.settings import Settings
from journeys.kafka import limits
from journeys.kafka.publish import publish_jsonl, submission_message
from journeys.kafka.record_reader import read_topic

pytestmark = [pytest.mark.kafka]


def published_ids(settings: Settings) -> list[str]:
    codec = default_codec()
    return [
        str(codec.decode(m.value).event_id)
        for m in read_topic(settings, settings.submissions_topic)
    ]


def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_a_file_with_a_byte_order_mark_publishes_its_first_line(
    kafka: Settings, tmp_path: Path
) -> None:
    journey = simple_journey("C1")
    lines = [dumps(event).encode("utf-8") for event in journey]
    lines[0] = b"\xef\xbb\xbf" + lines[0]
    path = write_lines(tmp_path / "bom.jsonl", lines)

    summary = publish_jsonl(kafka, path)

    assert summary.bad_lines == []
    assert summary.published == 3
    assert sorted(published_ids(kafka)) == sorted(str(event.event_id) for event in journey)


def test_an_invalid_utf8_byte_is_reported_with_its_line_and_the_other_lines_published(
    kafka: Settings, tmp_path: Path
) -> None:
    journey = simple_journey("C1")
    lines = [dumps(event).encode("utf-8") for event in journey]
    lines.insert(1, b'{"type": "ReferralReceived", "child_id": "C\xff1"}')
    path = write_lines(tmp_path / "latin1.jsonl", lines)

    summary = publish_jsonl(kafka, path)

    [bad] = summary.bad_lines
    assert bad.line == 2
    assert "UTF-8" in bad.reason
    assert "0xff" in bad.reason
    assert sorted(published_ids(kafka)) == sorted(str(event.event_id) for event in journey)


def huge_line(event: JourneyEvent) -> bytes:
    """The JSON line of `event` with a 2 MB source_system: what a faulty source could send
    (written by hand: the project's own writer keeps to the contract's bounds)."""
    obj = json.loads(dumps(event))
    obj["source_system"] = "x" * (2 * 1024 * 1024)
    return json.dumps(obj).encode("utf-8")


def test_a_2_mb_line_is_not_published_and_the_valid_line_after_it_is(
    kafka: Settings, tmp_path: Path
) -> None:
    valid = registration("C2")
    lines = [huge_line(registration("C1")), dumps(valid).encode()]
    path = write_lines(tmp_path / "huge.jsonl", lines)

    summary = publish_jsonl(kafka, path)

    assert [bad.line for bad in summary.bad_lines] == [1]
    assert published_ids(kafka) == [str(valid.event_id)]


def test_a_line_over_the_record_limit_is_refused_with_its_size_and_the_limit(
    kafka: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The contract may bound every field well below the record's limit, so the limit is
    # lowered here to reach it with an event the contract accepts.
    big, small = replace(registration("C1"), source_system="x" * 60), registration("C2")
    key, value, headers = submission_message(default_codec(), big)
    size = limits.submission_size(key, value, headers).total
    monkeypatch.setattr(limits, "MAX_SUBMISSION_BYTES", size - 1)
    path = write_lines(tmp_path / "big.jsonl", [dumps(big).encode(), dumps(small).encode()])

    summary = publish_jsonl(kafka, path)

    [bad] = summary.bad_lines
    assert bad.line == 1
    assert f"{size:,} bytes" in bad.reason
    assert f"{size - 1:,}" in bad.reason
    assert published_ids(kafka) == [str(small.event_id)]


@pytest.mark.slow
def test_journeys_publish_reports_the_2_mb_line_by_number_and_publishes_the_next(
    kafka: Settings, tmp_path: Path
) -> None:
    valid = registration("C2")
    lines = [huge_line(registration("C1")), dumps(valid).encode()]
    path = write_lines(tmp_path / "huge.jsonl", lines)
    published = run_journeys(kafka, "publish", str(path))

    assert published.returncode == 1
    assert "Traceback" not in published.stderr
    assert f"{path}:1: not published" in published.stderr
    assert "published 1 events" in published.stdout
    assert published_ids(kafka) == [str(valid.event_id)]


def test_a_line_the_broker_refuses_is_reported_by_number_not_counted_as_published(
    kafka: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class RefusingC2(KafkaProducer):
        """Answers C2's submission as a broker with a smaller message.max.bytes would."""

        def send(
            self, topic: str, value: bytes | None = None, key: bytes | None = None, **options: Any
        ) -> Any:
            if key == b"C2":
                return Future().failure(MessageSizeTooLargeError("over message.max.bytes"))
            return super().send(topic, value=value, key=key, **options)

    monkeypatch.setattr(client, "KafkaProducer", RefusingC2)
    events = [registration(f"C{n}") for n in range(1, 4)]
    path = write_lines(tmp_path / "three.jsonl", [dumps(event).encode() for event in events])

    summary = publish_jsonl(kafka, path)

    [bad] = summary.bad_lines
    assert bad.line == 2
    assert "MessageSizeTooLargeError" in bad.reason
    assert summary.published == 2
    assert sorted(published_ids(kafka)) == sorted(str(events[n].event_id) for n in (0, 2))
