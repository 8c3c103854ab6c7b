"""Refused submissions on `care.journey.rejected`: what was refused, and why.

A rejection message keeps the submitted bytes, sealed (a submission holds personal data in
clear), and headers: `rule_code`, `field`, `message` (sealed too: it may quote a value),
`submission` (topic[partition]@offset it came from), `event_type` / `event_id` when the
bytes could be decoded that far, and `sealed`: `child` when the bytes are sealed under the
child's own key (the message key is then the child's pseudonym), `unattributed` when no
child could be read from them (the key store's own key). Erasing the child makes its
refusals unreadable with the rest of its record. The submitter's own message key is not
kept: it may be the child's id.

A refusal because the child was erased (CHILD_ERASED) keeps no copy at all: its code, the
submission's place, and the SHA-256 `digest` of the submitted bytes.

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

from events.key_store import KeyStore, open_key_store
from events.refusals import Refusal
from events.sealing import Key
from events.settings import Settings
from journeys.kafka.record_reader import read_topic

RULE_CODE = "rule_code"
FIELD = "field"
MESSAGE = "message"
EVENT_TYPE = "event_type"
EVENT_ID = "event_id"
SUBMISSION = "submission"
ORIGINAL_SIZE = "original_size"
SEALED = "sealed"
DIGEST = "digest"
SEALED_BY_CHILD = "child"
SEALED_UNATTRIBUTED = "unattributed"
# What a reader without the key (an erased child, no key store) sees of a sealed message.
UNREADABLE = "(sealed: not readable without the child's key)"

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
    digest: str | None = None  # CHILD_ERASED: no copy, the SHA-256 of the bytes

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

    def sealed(self, key: Key) -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
        """The message as the rejected topic holds it: (key, value, headers), sealed by `key`.

        `child_id` must be the child's pseudonym (or None) and `key` its data key (or, with
        no child, the key store's unattributed key).
        """
        context = self.submission.encode("utf-8")
        headers = [
            (name, _sealed_message(key, value, context) if name == MESSAGE else value)
            for name, value in self.headers()
        ]
        origin = SEALED_UNATTRIBUTED if self.child_id is None else SEALED_BY_CHILD
        headers.append((SEALED, origin.encode("ascii")))
        return self.key, key.seal_bytes(self.value, context), headers

    def without_copy(self) -> tuple[None, bytes, list[tuple[str, bytes]]]:
        """The message for a refusal that keeps nothing of the submission (CHILD_ERASED)."""
        assert self.digest is not None
        return (
            None,
            b"",
            [
                (RULE_CODE, self.rule_code.encode("utf-8")),
                (FIELD, self.field.encode("utf-8")),
                (MESSAGE, self.message.encode("utf-8")),
                (SUBMISSION, self.submission.encode("utf-8")),
                (DIGEST, self.digest.encode("ascii")),
            ],
        )


def _sealed_message(key: Key, message: bytes, context: bytes) -> bytes:
    return key.seal_text(message, b"message/" + context).encode("ascii")


def _cut(text: str) -> str:
    if len(text) <= _MAX_HEADER_CHARACTERS:
        return text
    return f"{text[:_MAX_HEADER_CHARACTERS]}... (cut: {len(text):,} characters in all)"


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("utf-8", errors="replace")


def _size(value: bytes | None) -> int | None:
    text = _text(value)
    return int(text) if text is not None and text.isascii() and text.isdigit() else None


def rejection_from_message(
    key: bytes | None, value: bytes | None, headers: list, key_store: KeyStore | None = None
) -> Rejection:
    """A rejection read back, its sealed parts opened when `key_store` holds their key."""
    found = dict(headers)
    if SEALED in found:
        value, found[MESSAGE] = _opened(key, value or b"", found, key_store)
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
        digest=_text(found.get(DIGEST)),
    )


def _opened(
    key: bytes | None, value: bytes, found: dict, key_store: KeyStore | None
) -> tuple[bytes, bytes]:
    """(value, message) of a sealed rejection, or (b"", UNREADABLE) without its key."""
    if key_store is None:
        return b"", UNREADABLE.encode()
    origin = _text(found.get(SEALED))
    pseudonym = _text(key)
    data_key = (
        key_store.unattributed_key()
        if origin == SEALED_UNATTRIBUTED or pseudonym is None
        else key_store.data_key(pseudonym)
    )
    if data_key is None:
        return b"", UNREADABLE.encode()
    context = (_text(found.get(SUBMISSION)) or "").encode("utf-8")
    where = f"the rejection of {context.decode()}"
    message = data_key.open_text(
        (_text(found.get(MESSAGE)) or ""), b"message/" + context, f"the message of {where}"
    )
    return data_key.open_bytes(value, context, where), message


def read_rejections(settings: Settings, key_store: KeyStore | None = None) -> list[Rejection]:
    """Every refusal now on the rejected topic, partition by partition.

    Sealed parts are opened with `key_store`, or with the settings' own key store when it
    exists; without one they read as UNREADABLE.
    """
    opened_here = key_store is None and settings.key_store.exists()
    if opened_here:
        key_store = open_key_store(settings)
    try:
        return [
            rejection_from_message(record.key, record.value, record.headers, key_store)
            for record in read_topic(settings, settings.rejected_topic)
        ]
    finally:
        if opened_here and key_store is not None:
            key_store.close()
