"""Sending source systems' events to `care.journey.submissions`, in the contract's format.

Each message: value = Avro single-object encoding of the event, key = `child_id` (UTF-8),
header `event_type`. A JSON line that breaks the contract is reported with its line number
and not sent: what is on the submissions topic always decodes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kafka import KafkaProducer

from events.catalogue import JourneyEvent
from events.codec import AvroCodec, default_codec
from events.errors import InvalidEvent
from events.validation import check_not_recorded_ahead
from journeys.config import Settings
from journeys.progress import Progress

_PRODUCER_TUNING = {
    "enable_idempotence": True,
    "acks": "all",
    "linger_ms": 5,
    "batch_size": 512 * 1024,
    "compression_type": None,
}


@dataclass(frozen=True, slots=True)
class BadLine:
    """A JSON line that was not published, and why."""

    line: int
    reason: str


@dataclass
class PublishSummary:
    published: int = 0
    bad_lines: list[BadLine] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.bad_lines


def submission_message(codec: AvroCodec, event: JourneyEvent) -> tuple[bytes, bytes, list]:
    """Key, value and headers of the submission message for `event`."""
    return (
        event.child_id.encode("utf-8"),
        codec.encode(event),
        [("event_type", event.event_type.encode("utf-8"))],
    )


def publish_events(
    settings: Settings,
    events: Iterable[JourneyEvent],
    *,
    progress: Progress | None = None,
    summary: PublishSummary | None = None,
) -> PublishSummary:
    """Send every event to the submissions topic; returns once all are acknowledged."""
    summary = summary if summary is not None else PublishSummary()
    codec = default_codec()
    producer = KafkaProducer(**settings.client_options(), **_PRODUCER_TUNING)
    try:
        for event in events:
            key, value, headers = submission_message(codec, event)
            producer.send(settings.submissions_topic, key=key, value=value, headers=headers)
            summary.published += 1
            if progress is not None:
                progress.advance()
        producer.flush()
    finally:
        producer.close(timeout=10)
    return summary


def read_submissions(path: Path, summary: PublishSummary) -> Iterator[JourneyEvent]:
    """The events of a JSON Lines file; a bad line goes into `summary.bad_lines`, skipped."""
    from events.jsonl import event_from_json

    with path.open(encoding="utf-8") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as error:
                summary.bad_lines.append(BadLine(number, f"not valid JSON: {error.msg}"))
                continue
            try:
                event = event_from_json(obj, line=number)
                check_not_recorded_ahead(event, datetime.now(UTC))  # as the processor would
            except InvalidEvent as error:
                summary.bad_lines.append(BadLine(number, str(error)))
                continue
            yield event


def count_lines(path: Path) -> int:
    with path.open("rb") as data:
        return sum(1 for line in data if line.strip())


def publish_jsonl(
    settings: Settings, path: Path, *, progress: Progress | None = None
) -> PublishSummary:
    """Publish a JSON Lines file of events; bad lines are reported and skipped."""
    summary = PublishSummary()
    return publish_events(
        settings, read_submissions(path, summary), progress=progress, summary=summary
    )
