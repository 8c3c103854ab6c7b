"""JSON Lines interchange: the same events as the codec, one object per line."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from strategies import events_of

from events.catalogue import EVENT_CLASSES, AssessmentCompleted, JourneyEvent
from events.exceptions import InvalidEvent
from events.jsonl import dumps, event_from_json, event_to_json, loads, read_jsonl, write_jsonl

EVENT = AssessmentCompleted(
    event_id=uuid.UUID("0f0e0d0c-0b0a-4908-8706-050403020100"),
    child_id="C-1", local_authority="371", occurred_on=date(2024, 2, 29),
    recorded_at=datetime(2024, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),
    source_system="LL", assessment_id="A-1", seen_alone=True, factors=("1A", "21"),
)  # fmt: skip
LINE = (
    '{"type":"AssessmentCompleted","event_id":"0f0e0d0c-0b0a-4908-8706-050403020100",'
    '"child_id":"C-1","local_authority":"371","occurred_on":"2024-02-29",'
    '"recorded_at":"2024-02-29T23:30:00Z","source_system":"LL","assessment_id":"A-1",'
    '"seen_alone":true,"factors":["1A","21"],"seen_alone_unknown":null}'
)


@pytest.mark.parametrize("event_class", EVENT_CLASSES, ids=lambda c: c.__name__)
def test_every_event_type_survives_json_lines(event_class: type[JourneyEvent]) -> None:
    @settings(max_examples=40, deadline=None)
    @given(events_of(event_class))
    def round_trip(event: JourneyEvent) -> None:
        line = dumps(event)
        assert "\n" not in line
        assert loads(line) == event
        assert event_from_json(json.loads(line)) == event

    round_trip()


def test_the_line_is_type_then_fields_with_iso_dates_and_utc_z_timestamps() -> None:
    assert dumps(EVENT) == LINE
    assert event_to_json(EVENT)["recorded_at"] == "2024-02-29T23:30:00Z"


def test_a_line_without_a_later_version_s_optional_field_still_reads() -> None:
    # Files written before AssessmentCompleted v2 (no seen_alone_unknown) read as before.
    older = LINE.replace(',"seen_alone_unknown":null', "")
    assert loads(older) == EVENT


def test_files_are_written_and_read_back_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    assert write_jsonl(path, [EVENT, EVENT]) == 2
    assert path.read_text().splitlines() == [LINE, LINE]
    assert list(read_jsonl(path)) == [EVENT, EVENT]
    assert list(read_jsonl(str(path))) == [EVENT, EVENT]


def test_open_text_and_binary_files_and_blank_lines_are_accepted() -> None:
    assert list(read_jsonl(io.StringIO(f"{LINE}\n\n{LINE}\n"))) == [EVENT, EVENT]
    binary = io.BytesIO()
    write_jsonl(binary, [EVENT])
    assert list(read_jsonl(io.BytesIO(binary.getvalue()))) == [EVENT]


def test_an_optional_field_may_be_an_explicit_null_or_left_out() -> None:
    referral = {
        "type": "ReferralReceived", "event_id": str(uuid.uuid4()), "child_id": "C",
        "local_authority": "371", "occurred_on": "2024-01-01",
        "recorded_at": "2024-01-01T10:00:00+00:00", "source_system": "LL",
        "referral_id": "R", "source": "1A",
    }  # fmt: skip
    assert event_from_json(referral).primary_need is None  # type: ignore[attr-defined]
    assert event_from_json(referral | {"primary_need": None}).primary_need is None  # type: ignore[attr-defined]
    assert event_from_json(referral | {"primary_need": "N4"}).primary_need == "N4"  # type: ignore[attr-defined]


def _with(**changes: object) -> str:
    obj = json.loads(LINE)
    for key, value in changes.items():
        if value is ...:
            del obj[key]
        else:
            obj[key] = value
    return json.dumps(obj)


BAD_LINES = [
    # (case, line, event type, field, rule)
    ("bad JSON", '{"type": "AssessmentCompleted",', "unknown", "<line>", "bad_json"),
    ("not an object", "[1, 2]", "unknown", "<line>", "not_an_object"),
    ("no type", _with(type=...), "unknown", "type", "missing_type"),
    ("unknown type", _with(type="ChildAdopted"), "ChildAdopted", "type", "unknown_event_type"),
    ("unknown field", _with(colour="red"), "AssessmentCompleted", "colour", "unknown_field"),
    ("missing field", _with(seen_alone=...), "AssessmentCompleted", "seen_alone",
     "missing_field"),
    ("bad date", _with(occurred_on="29/02/2024"), "AssessmentCompleted", "occurred_on",
     "bad_date"),
    ("impossible date", _with(occurred_on="2023-02-29"), "AssessmentCompleted", "occurred_on",
     "bad_date"),
    ("bad timestamp", _with(recorded_at="yesterday"), "AssessmentCompleted", "recorded_at",
     "bad_timestamp"),
    ("timestamp without zone", _with(recorded_at="2024-03-01T10:00:00"),
     "AssessmentCompleted", "recorded_at", "timezone_required"),
    ("bad uuid", _with(event_id="123"), "AssessmentCompleted", "event_id", "bad_uuid"),
    ("number for boolean", _with(seen_alone=1), "AssessmentCompleted", "seen_alone",
     "wrong_type"),
    ("number for text", _with(assessment_id=7), "AssessmentCompleted", "assessment_id",
     "wrong_type"),
    ("text for list", _with(factors="1A"), "AssessmentCompleted", "factors", "wrong_type"),
    ("code outside its list", _with(factors=["1A", "ZZ"]), "AssessmentCompleted", "factors",
     "code_not_in_list"),
    ("occurred after recorded", _with(occurred_on="2024-03-01"), "AssessmentCompleted",
     "occurred_on", "occurred_after_recorded"),
]  # fmt: skip


@pytest.mark.parametrize(("line", "event_type", "field", "rule"), [c[1:] for c in BAD_LINES],
                         ids=[c[0] for c in BAD_LINES])  # fmt: skip
def test_bad_lines_are_refused_naming_line_type_field_and_rule(
    line: str, event_type: str, field: str, rule: str
) -> None:
    text = io.StringIO(f"{LINE}\n\n{line}\n{LINE}\n")
    with pytest.raises(InvalidEvent) as raised:
        list(read_jsonl(text))
    assert (raised.value.event_type, raised.value.field, raised.value.rule) == (
        event_type,
        field,
        rule,
    )
    assert "line 3:" in str(raised.value)


def test_writing_an_invalid_event_is_refused(tmp_path: Path) -> None:
    from dataclasses import replace

    with pytest.raises(InvalidEvent) as raised:
        write_jsonl(tmp_path / "out.jsonl", [replace(EVENT, occurred_on=date(2030, 1, 1))])
    assert raised.value.field == "occurred_on"


def test_timestamps_are_read_as_utc() -> None:
    event = loads(_with(recorded_at="2024-03-01T05:30:00+05:30"))
    assert event.recorded_at == datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
    assert event.recorded_at.tzinfo is UTC
