"""The record's message-size limit, and the refusal's headers that carry it."""

from __future__ import annotations

import uuid

from kafka.record.default_records import DefaultRecordBatchBuilder

from journeys.kafka import limits
from journeys.kafka.rejected import (
    ORIGINAL_SIZE,
    SUBMISSION_TOO_LARGE,
    Rejection,
    rejection_from_message,
)


def test_the_largest_copy_of_a_submission_within_the_limit_fits_a_stock_broker() -> None:
    # Worst case for the accepted copy: the child's id is almost all of the value, so the
    # key (that id) is as large as the value itself. A rejected copy's headers are cut.
    value = b"v" * limits.MAX_SUBMISSION_BYTES
    child_id = value
    headers = [
        ("event_type", b"care-journeys:Journey.PlacementOfAChildLookedAfterStarted"),
        ("journey_id", str(uuid.uuid4()).encode()),
        ("journey_version", b"999999999"),
    ]
    copy = DefaultRecordBatchBuilder.estimate_size_in_bytes(child_id, value, headers)
    assert copy <= limits.KAFKA_DEFAULT_MESSAGE_MAX_BYTES


def test_a_submission_is_measured_by_its_key_value_and_headers() -> None:
    size = limits.submission_size(b"C1", b"x" * 100, [("event_type", b"Referral"), ("n", None)])
    assert (size.key, size.value, size.headers, size.total) == (2, 100, 19, 121)
    assert size.largest_part == "value"
    assert not size.too_large
    assert not limits.is_too_large(b"C1", b"x" * 100, [("event_type", b"Referral"), ("n", None)])
    over = limits.submission_size(b"k" * (limits.MAX_SUBMISSION_BYTES + 1), b"", [])
    assert over.too_large and over.largest_part == "key"
    assert limits.is_too_large(b"k" * (limits.MAX_SUBMISSION_BYTES + 1), b"", [])
    assert not limits.is_too_large(b"k" * limits.MAX_SUBMISSION_BYTES, b"", [])
    assert f"{limits.MAX_SUBMISSION_BYTES:,} bytes" in over.describe()


def test_a_refusal_keeps_the_original_size_in_a_header_and_reads_it_back() -> None:
    refusal = Rejection(
        "C1", None, None, SUBMISSION_TOO_LARGE, "value", "too large", "s[0]@4", b"prefix", 10**7
    )
    headers = refusal.headers()
    assert (ORIGINAL_SIZE, b"10000000") in headers
    assert rejection_from_message(b"C1", b"prefix", headers) == refusal


def test_a_refusal_message_quoting_a_large_value_is_cut_in_its_header() -> None:
    refusal = Rejection("C1", None, None, "RULE", "child_id", "m" * 500_000, "s[0]@4", b"")
    message = dict(refusal.headers())["message"].decode()
    assert len(message) < 2_100
    assert message.startswith("m" * 2_000)
    assert "500,000 characters" in message
