"""`journeys rejected` and `journeys timeline` print senders' text safely: escaped and cut."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from events.catalogue import EventRetracted, PlacementStarted
from journeys.domain.display import escaped, shown
from journeys.domain.timeline import describe, timeline
from journeys.entrypoints.cli.commands.rejected import format_table, rows
from journeys.kafka.rejected import Rejection

ESCAPE_SEQUENCES = "\x1b[2J\x1b[H\x1b]0;owned\x07"  # clear screen, home, set window title


def _is_safe(text: str) -> bool:
    return all(c.isprintable() or c == "\n" for c in text) and "\x1b" not in text


def test_control_characters_and_escape_sequences_are_shown_as_escapes() -> None:
    assert escaped("C-1001") == "C-1001"
    assert escaped("C\x00-1\x1b[31m") == "C\\x00-1\\x1b[31m"
    assert escaped("a\nb\tc") == "a\\nb\\tc"
    assert escaped("C-\u202e1001") == "C-\\u202e1001"
    assert escaped("\ud800") == "\\ud800"
    assert escaped("Łukasz 3") == "Łukasz 3"
    # A backslash is escaped too, so "\\x1b" typed by a sender cannot pass for an escape.
    assert escaped("\\x1b") == "\\\\x1b"


def test_a_long_value_is_cut_with_an_ellipsis_and_its_original_length() -> None:
    assert shown("C" * 80) == "C" * 80
    assert shown("C" * 10_000) == "C" * 80 + "… (10,000 characters)"
    assert shown("\x1b" * 50, limit=3) == "\\x1b\\x1b\\x1b… (50 characters)"


def _rejection(**changes: object) -> Rejection:
    values: dict[str, object] = dict(
        child_id="C-1", event_type="PlacementStarted", event_id=str(uuid.UUID(int=1)),
        rule_code="identifier_not_printable", field="carer_id",
        message="holds the non-printable character U+001B at position 0",
        submission="care.journey.submissions[0]@7", value=b"",
    )  # fmt: skip
    values.update(changes)
    return Rejection(**values)  # type: ignore[arg-type]


def test_journeys_rejected_escapes_and_cuts_every_cell() -> None:
    hostile = _rejection(
        child_id=ESCAPE_SEQUENCES + "C" * 10_000,
        event_type="\x00Placement",
        rule_code="rule\x1b[8m",
        field="f\nield",
        message="why " * 1_000,
    )
    table = format_table(rows([_rejection(), hostile]))
    assert _is_safe(table)
    lines = table.splitlines()
    assert len(lines) == 3  # the header and one line per rejection: no line break let through
    assert "\\x1b[2J\\x1b[H\\x1b]0;owned\\x07" in lines[2]
    assert "(10,017 characters)" in lines[2] and "(4,000 characters)" in lines[2]
    assert "\\x00Placement" in lines[2] and "f\\nield" in lines[2]
    assert max(len(line) for line in lines) < 600


def test_journeys_timeline_escapes_and_cuts_identifiers_and_reasons() -> None:
    envelope = dict(
        event_id=uuid.UUID(int=2), child_id="C-1", local_authority="371",
        occurred_on=date(2024, 4, 30), recorded_at=datetime(2024, 5, 1, tzinfo=UTC),
        source_system="LL",
    )  # fmt: skip
    # Events built without the codec: as an event accepted before the contract's bounds.
    placement = PlacementStarted(
        **envelope, placement_id="PL\x1b[2J", period_id="P" * 500, placement_type="U4",
        provider=None, carer_id="\u202eCARER",
    )  # fmt: skip
    retraction = EventRetracted(
        **envelope, retracted_event_id=uuid.UUID(int=1), reason="Wrong child.\n" + "x" * 3_000
    )
    lines = timeline([placement, retraction])
    assert len(lines) == 2 and all(_is_safe(line) and "\n" not in line for line in lines)
    assert "Placement PL\\x1b[2J started (U4 foster placement, carer \\u202eCARER)" in lines[0]
    assert "… (500 characters)" in lines[0]
    assert describe(retraction).startswith("Event 00000000-0000-0000-0000-000000000001 retracted")
    assert "Wrong child.\\nxxx" in lines[1] and "… (3,013 characters)" in lines[1]
