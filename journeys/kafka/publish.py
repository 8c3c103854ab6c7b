"""Sending source systems' events to `care.journey.submissions`, in the contract's format.

Each message: value = Avro single-object encoding of the event, key = `child_id` (UTF-8),
header `event_type`. A line that is not UTF-8, not JSON, breaks the contract, or makes a
submission larger than the record takes (journeys.kafka.limits) is reported with its line
number and not sent, and the lines after it are published as usual: what is on the
submissions topic always decodes and always fits. The file is read as bytes, line by
line, so one bad line never stops the rest; a UTF-8 byte-order mark before the first
line (as some editors write) is ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from events.catalogue import JourneyEvent
from events.codec import AvroCodec, default_codec
from events.exceptions import InvalidEvent
from events.kafka import client
from events.progress import Progress
from events.refusals import Refusal
from events.settings import Settings
from events.validation import check_not_recorded_ahead
from journeys.kafka import limits

_BYTE_ORDER_MARK = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line that was not published, and why (`line`: its number in the file, from 1; for
    events given as such, their position)."""

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


def submission_messages(
    numbered: Iterable[tuple[int, JourneyEvent]], summary: PublishSummary
) -> Iterator[tuple[int, bytes, bytes, list]]:
    """Line number, key, value and headers of each event's submission; one the record would
    refuse for its size (or that cannot be encoded) goes into `summary.bad_lines` instead."""
    codec = default_codec()
    for number, event in numbered:
        try:
            key, value, headers = submission_message(codec, event)
        except InvalidEvent as error:
            summary.bad_lines.append(BadLine(number, str(error)))
            continue
        if limits.is_too_large(key, value, headers):
            size = limits.submission_size(key, value, headers)
            reason = f"{size.describe()} [{Refusal.SUBMISSION_TOO_LARGE}]"
            summary.bad_lines.append(BadLine(number, reason))
            continue
        yield number, key, value, headers


def publish_events(
    settings: Settings,
    events: Iterable[JourneyEvent],
    *,
    progress: Progress | None = None,
    summary: PublishSummary | None = None,
) -> PublishSummary:
    """Send every event to the submissions topic; returns once all are acknowledged.

    An event too large for the record is not sent, and one the broker refuses is not
    published: either is reported by its position in `events`.
    """
    if summary is None:
        summary = PublishSummary()
    return _publish(settings, enumerate(events, start=1), progress, summary)


def _publish(
    settings: Settings,
    numbered: Iterable[tuple[int, JourneyEvent]],
    progress: Progress | None,
    summary: PublishSummary,
) -> PublishSummary:
    refused: list[BadLine] = []  # appended to by the producer's thread
    producer = client.producer(settings)
    try:
        for number, key, value, headers in submission_messages(numbered, summary):
            sent = producer.send(settings.submissions_topic, key=key, value=value, headers=headers)
            sent.add_errback(_refused_by_the_broker, refused, number)
            summary.published += 1
            if progress is not None:
                progress.advance()
        producer.flush()
    finally:
        producer.close(timeout=10)
    # Every send is answered once flushed: a refused one was counted, but is not there.
    summary.published -= len(refused)
    summary.bad_lines = sorted([*summary.bad_lines, *refused], key=lambda bad: bad.line)
    return summary


def _refused_by_the_broker(refused: list[BadLine], number: int, error: BaseException) -> None:
    refused.append(BadLine(number, f"the broker refused it: {type(error).__name__}: {error}"))


def read_submissions(path: Path, summary: PublishSummary) -> Iterator[tuple[int, JourneyEvent]]:
    """The events of a JSON Lines file with their line numbers; a bad line goes into
    `summary.bad_lines`, skipped."""
    from events.jsonl import event_from_json

    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if number == 1 and line.startswith(_BYTE_ORDER_MARK):
                line = line[len(_BYTE_ORDER_MARK) :]
            if not line.strip():
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as error:
                summary.bad_lines.append(BadLine(number, _not_utf8(line, error)))
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as error:
                summary.bad_lines.append(BadLine(number, f"not valid JSON: {error.msg}"))
                continue
            except (ValueError, RecursionError) as error:  # e.g. nested too deeply
                summary.bad_lines.append(BadLine(number, f"not valid JSON: {error}"))
                continue
            try:
                event = event_from_json(obj, line=number)
                check_not_recorded_ahead(event, datetime.now(UTC))  # as the processor would
            except InvalidEvent as error:
                summary.bad_lines.append(BadLine(number, str(error)))
                continue
            yield number, event


def _not_utf8(line: bytes, error: UnicodeDecodeError) -> str:
    return (
        f"not valid UTF-8: byte 0x{line[error.start]:02x} at byte {error.start + 1:,} "
        "of the line (the file must be UTF-8)"
    )


def count_lines(path: Path) -> int:
    with path.open("rb") as data:
        return sum(1 for line in data if line.strip())


def publish_jsonl(
    settings: Settings, path: Path, *, progress: Progress | None = None
) -> PublishSummary:
    """Publish a JSON Lines file of events; bad lines are reported and skipped."""
    summary = PublishSummary()
    return _publish(settings, read_submissions(path, summary), progress, summary)
