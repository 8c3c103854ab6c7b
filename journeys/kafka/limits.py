"""How large one submission may be: the record's message-size limit, defined here once.

`journeys publish` refuses a line over the limit before sending it, and the submission
processor refuses a larger submission (from any producer) to `care.journey.rejected`
before decoding it, so that every copy the record makes of a submission can be written
on a stock Kafka cluster and one large message never stops the processor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# A Kafka broker's default `message.max.bytes` (1 MiB plus 12 bytes for the log overhead):
# the largest record batch a stock cluster accepts, and so the largest message.
KAFKA_DEFAULT_MESSAGE_MAX_BYTES = 1_048_588

# The largest submission (key, value and headers together) the record takes. Half the
# broker's default, less room for headers: the accepted copy on `care.journey.events` is
# the submission's value keyed by the child's id, which the value itself carries, so it
# can be up to twice the value; a rejected copy is the submission's key and value with the
# refusal's headers (their texts are cut, see journeys.kafka.rejected). Either stays below
# 2 x 480 KiB = 960 KiB, leaving 64 KiB for headers and the batch's framing. An event of the
# contract is a few hundred bytes, so this bounds no honest submission.
MAX_SUBMISSION_BYTES = 480 * 1024

# How much of a too-large submission's key and value its rejected copy keeps: enough to
# recognise what was sent, small enough for any broker.
REJECTED_PREFIX_BYTES = 1024

HeaderList = Sequence[tuple[str, bytes | None]]


@dataclass(frozen=True, slots=True)
class SubmissionSize:
    """The bytes of one submission, part by part, as the broker counts them."""

    key: int
    value: int
    headers: int

    @property
    def total(self) -> int:
        return self.key + self.value + self.headers

    @property
    def largest_part(self) -> str:
        """The part ("value", "key" or "headers") that makes most of the size."""
        parts = {"value": self.value, "key": self.key, "headers": self.headers}
        return max(parts, key=lambda part: parts[part])

    @property
    def too_large(self) -> bool:
        return self.total > MAX_SUBMISSION_BYTES

    def describe(self) -> str:
        """Its size and the limit, in words (no content of the submission)."""
        return (
            f"the submission is {self.total:,} bytes ({self.value:,} of value, {self.key:,} "
            f"of key, {self.headers:,} of headers), more than the {MAX_SUBMISSION_BYTES:,} "
            "bytes the record takes for one submission"
        )


def submission_size(key: bytes | None, value: bytes | None, headers: HeaderList) -> SubmissionSize:
    return SubmissionSize(key=len(key or b""), value=len(value or b""), headers=_headers(headers))


def is_too_large(key: bytes | None, value: bytes | None, headers: HeaderList) -> bool:
    """`submission_size(...).too_large`, without building the parts: asked of every
    submission the processor reads, a tenth of the time."""
    return len(key or b"") + len(value or b"") + _headers(headers) > MAX_SUBMISSION_BYTES


def _headers(headers: HeaderList) -> int:
    total = 0
    for name, data in headers:
        total += len(name.encode("utf-8")) + len(data or b"")
    return total
