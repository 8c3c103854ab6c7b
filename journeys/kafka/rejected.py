"""Refused submissions on `care.journey.rejected`: what was refused, and why.

A rejection message keeps the submitted bytes and key exactly as they arrived, and adds
headers: `rule_code`, `field`, `message`, `submission` (topic[partition]@offset it came
from), and `event_type` / `event_id` when the bytes could be decoded that far.
"""

from __future__ import annotations

from dataclasses import dataclass

from journeys.config import Settings
from journeys.kafka.record_reader import read_topic

RULE_CODE = "rule_code"
FIELD = "field"
MESSAGE = "message"
EVENT_TYPE = "event_type"
EVENT_ID = "event_id"
SUBMISSION = "submission"


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

    def headers(self) -> list[tuple[str, bytes]]:
        headers = [
            (RULE_CODE, self.rule_code.encode("utf-8")),
            (FIELD, self.field.encode("utf-8")),
            (MESSAGE, self.message.encode("utf-8")),
            (SUBMISSION, self.submission.encode("utf-8")),
        ]
        if self.event_type is not None:
            headers.append((EVENT_TYPE, self.event_type.encode("utf-8")))
        if self.event_id is not None:
            headers.append((EVENT_ID, self.event_id.encode("utf-8")))
        return headers

    @property
    def key(self) -> bytes | None:
        return None if self.child_id is None else self.child_id.encode("utf-8")


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("utf-8", errors="replace")


def rejection_from_message(key: bytes | None, value: bytes | None, headers: list) -> Rejection:
    found = dict(headers)
    return Rejection(
        child_id=_text(key),
        event_type=_text(found.get(EVENT_TYPE)),
        event_id=_text(found.get(EVENT_ID)),
        rule_code=_text(found.get(RULE_CODE)) or "unknown",
        field=_text(found.get(FIELD)) or "",
        message=_text(found.get(MESSAGE)) or "",
        submission=_text(found.get(SUBMISSION)) or "",
        value=value or b"",
    )


def read_rejections(settings: Settings) -> list[Rejection]:
    """Every refusal now on the rejected topic, partition by partition."""
    return [
        rejection_from_message(record.key, record.value, record.headers)
        for record in read_topic(settings, settings.rejected_topic)
    ]
