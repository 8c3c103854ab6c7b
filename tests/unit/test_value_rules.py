"""Each value rule of the contract is written once, and both of the codec's paths keep it.

A rule added to events.validation.VALUE_RULES, and nowhere else, is enforced by the
general path (naming the field and the rule) and by the fast path's generated functions
(which then defer to the general path), on encoding and on decoding. A rule taken out of
the table is enforced by neither: the fast path holds no copy of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, cast

import pytest

from events.catalogue import EVENT_CLASSES, EVENT_TYPES, JourneyEvent
from events.codec import AvroCodec, default_codec
from events.exceptions import InvalidEvent
from events.fastpath import source_of
from events.refusals import Refusal
from events.validation import RULES, VALUE_RULES, ValueRule, check_event, compile_rules

# A trial rule: no identifier may start with TRIAL. It borrows a code of the catalogue;
# its message is its own, so the refusals below can only have come from it.
TRIAL_RULE = ValueRule(
    refusal=Refusal.IDENTIFIER_NOT_PRINTABLE,
    governs="identifiers",
    test="not value.startswith('TRIAL')",
    explain=lambda value: "starts with TRIAL, which the trial rule refuses",
)


def referral(**changes: Any) -> JourneyEvent:
    fields: dict[str, Any] = {
        "event_id": uuid.UUID(int=7), "child_id": "C-1", "local_authority": "371",
        "occurred_on": date(2024, 4, 1), "recorded_at": datetime(2024, 4, 2, tzinfo=UTC),
        "source_system": "LL", "referral_id": "R-1", "source": "1A", "primary_need": None,
    }  # fmt: skip
    return EVENT_TYPES["ReferralReceived"](**(fields | changes))


@contextmanager
def contract_with(value_rules: Sequence[ValueRule]) -> Iterator[AvroCodec]:
    """The rules of every event class compiled from `value_rules`, and a codec built on them."""
    rules = cast(dict[type[JourneyEvent], Any], RULES)
    kept = dict(rules)
    rules.update({cls: compile_rules(cls, value_rules) for cls in EVENT_CLASSES})
    try:
        yield AvroCodec()
    finally:
        rules.update(kept)
        AvroCodec()  # the generated sources shown by source_of, of the table again


def assert_refused_by_the_trial_rule(refused: pytest.ExceptionInfo[InvalidEvent]) -> None:
    assert (refused.value.event_type, refused.value.field, refused.value.rule) == (
        "ReferralReceived",
        "referral_id",
        "identifier_not_printable",
    )
    assert "starts with TRIAL, which the trial rule refuses" in str(refused.value)


def test_a_rule_added_to_the_table_is_enforced_by_the_general_path() -> None:
    with contract_with((*VALUE_RULES, TRIAL_RULE)):
        check_event(referral())
        with pytest.raises(InvalidEvent) as refused:
            check_event(referral(referral_id="TRIAL-1"))
    assert_refused_by_the_trial_rule(refused)
    check_event(referral(referral_id="TRIAL-1"))  # the table alone again


def test_a_rule_added_to_the_table_is_enforced_by_the_fast_path_on_encoding() -> None:
    with contract_with((*VALUE_RULES, TRIAL_RULE)) as codec:
        record_of = codec._writers[EVENT_TYPES["ReferralReceived"]].record_of
        assert "not v_referral_id.startswith('TRIAL')" in source_of("record_of_ReferralReceived")
        assert record_of(referral()) is not None
        assert record_of(referral(referral_id="TRIAL-1")) is None
        with pytest.raises(InvalidEvent) as refused:
            codec.encode(referral(referral_id="TRIAL-1"))
    assert_refused_by_the_trial_rule(refused)


def test_a_rule_added_to_the_table_is_enforced_by_the_fast_path_on_decoding() -> None:
    message = default_codec().encode(referral(referral_id="TRIAL-1"))
    with contract_with((*VALUE_RULES, TRIAL_RULE)) as codec:
        reader, raw = codec._read_unchecked(message)
        assert reader.build_checked(dict(raw)) is None
        assert reader.convert_checked(dict(raw)) is False
        for read in (codec.decode, codec.decode_record):
            with pytest.raises(InvalidEvent) as refused:
                read(message)
            assert_refused_by_the_trial_rule(refused)


def test_a_rule_taken_out_of_the_table_is_enforced_by_neither_path() -> None:
    # Recorded the day before it happened: only OCCURRED_AFTER_RECORDED refuses it.
    early = referral(occurred_on=date(2024, 4, 3))
    without = tuple(r for r in VALUE_RULES if r.refusal is not Refusal.OCCURRED_AFTER_RECORDED)
    with pytest.raises(InvalidEvent, match="occurred_after_recorded"):
        default_codec().encode(early)
    with contract_with(without) as codec:
        assert codec._writers[type(early)].record_of(early) is not None
        reader, raw = codec._read_unchecked(codec.encode(early))
        assert reader.build_checked(dict(raw)) == early
        assert codec.decode(codec.encode(early)) == early
        check_event(early)


def test_a_rule_must_explain_itself_with_the_names_its_test_reads() -> None:
    with pytest.raises(TypeError, match="recorded_at"):
        ValueRule(
            refusal=Refusal.OCCURRED_AFTER_RECORDED,
            governs="occurred_on",
            test="value <= recorded_at.date()",
            explain=lambda value: "is after recorded_at",
        )
