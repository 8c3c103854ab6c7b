"""Refused submissions on `care.journey.rejected`: what was refused, and why.

A rejection message keeps the submitted bytes and key exactly as they arrived, and adds
headers: `rule_code`, `field`, `message`, `submission` (topic[partition]@offset it came
from), and `event_type` / `event_id` when the bytes could be decoded that far.

A submission larger than the record takes (journeys.kafka.limits.MAX_SUBMISSION_BYTES) is
the exception: it is refused before decoding with rule code `SUBMISSION_TOO_LARGE` (field:
the part, `value`, `key` or `headers`, that makes most of it; message: its size and the
limit), its copy keeps only the first REJECTED_PREFIX_BYTES of its key and value, and the
header `original_size` gives its size in bytes (key, value and headers).

The message and field headers are cut to _MAX_HEADER_CHARACTERS, so that a message
quoting a large value cannot make the rejected copy too large to write.
"""

from __future__ import annotations

from dataclasses import dataclass

from events.refusals import Refusal
from events.settings import Settings
from journeys.kafka.record_reader import read_topic

RULE_CODE = "rule_code"
FIELD = "field"
MESSAGE = "message"
EVENT_TYPE = "event_type"
EVENT_ID = "event_id"
SUBMISSION = "submission"
ORIGINAL_SIZE = "original_size"

# Kept for readers of this module; the code is the catalogue's (events.refusals).
SUBMISSION_TOO_LARGE = Refusal.SUBMISSION_TOO_LARGE

# What a rejection read back shows for a message with no rule_code header (one this
# service did not write): not a refusal code, so not in the catalogue.
NO_RULE_CODE = "unknown"

_MAX_HEADER_CHARACTERS = 2_000


@dataclass(frozen=True, slots=True)
class Rejection:
    """One refused submission and the reason, as the rejected topic records it."""

    child_id: str | None
    event_type: str | None
    event_id: str | None
    rule_code: str
    field: str
    message: str
    submission: str
    value: bytes
    original_size: int | None = None  # set when the copy holds only a prefix of the value

    def headers(self) -> list[tuple[str, bytes]]:
        headers = [
            (RULE_CODE, self.rule_code.encode("utf-8")),
            (FIELD, _cut(self.field).encode("utf-8")),
            (MESSAGE, _cut(self.message).encode("utf-8")),
            (SUBMISSION, self.submission.encode("utf-8")),
        ]
        if self.original_size is not None:
            headers.append((ORIGINAL_SIZE, str(self.original_size).encode("ascii")))
        if self.event_type is not None:
            headers.append((EVENT_TYPE, self.event_type.encode("utf-8")))
        if self.event_id is not None:
            headers.append((EVENT_ID, self.event_id.encode("utf-8")))
        return headers

    @property
    def key(self) -> bytes | None:
        return None if self.child_id is None else self.child_id.encode("utf-8")


def _cut(text: str) -> str:
    if len(text) <= _MAX_HEADER_CHARACTERS:
        return text
    return f"{text[:_MAX_HEADER_CHARACTERS]}... (cut: {len(text):,} characters in all)"


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("utf-8", errors="replace")


def _size(value: bytes | None) -> int | None:
    text = _text(value)
    return int(text) if text is not None and text.isascii() and text.isdigit() else None


def rejection_from_message(key: bytes | None, value: bytes | None, headers: list) -> Rejection:
    found = dict(headers)
    return Rejection(
        child_id=_text(key),
        event_type=_text(found.get(EVENT_TYPE)),
        event_id=_text(found.get(EVENT_ID)),
        rule_code=_text(found.get(RULE_CODE)) or NO_RULE_CODE,
        field=_text(found.get(FIELD)) or "",
        message=_text(found.get(MESSAGE)) or "",
        submission=_text(found.get(SUBMISSION)) or "",
        value=value or b"",
        original_size=_size(found.get(ORIGINAL_SIZE)),
    )


def read_rejections(settings: Settings) -> list[Rejection]:
    """Every refusal now on the rejected topic, partition by partition."""
    return [
        rejection_from_message(record.key, record.value, record.headers)
        for record in read_topic(settings, settings.rejected_topic)
    ]
