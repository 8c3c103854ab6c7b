"""Reading a JSON Lines file for `journeys publish`: every bad line is reported with its
number and never stops the lines after it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from events.catalogue import ChildRegistered
from events.jsonl import dumps
from journeys.kafka.publish import PublishSummary, read_submissions


def registration(child_id: str) -> ChildRegistered:
    return ChildRegistered(
        event_id=uuid.uuid4(),
        child_id=child_id,
        local_authority="371",
        occurred_on=date(2015, 1, 5),
        recorded_at=datetime(2016, 5, 1, 9, 0, tzinfo=UTC),
        source_system="unit-tests",
        date_of_birth=date(2010, 3, 14),
        sex="F",
        ethnicity="WBRI",
    )


def test_each_bad_line_is_reported_by_number_and_the_good_lines_are_read(tmp_path: Path) -> None:
    good = [registration(f"C{n}") for n in range(4)]
    lines = [
        b"\xef\xbb\xbf" + dumps(good[0]).encode(),  # 1: a byte-order mark, then a good line
        b'{"type": "ChildRegistered", "child_id": "C\xe9"}',  # 2: Latin-1, not UTF-8
        dumps(good[1]).encode(),  # 3
        b"[" * 100_000,  # 4: nested too deeply for the JSON parser
        dumps(good[2]).encode(),  # 5
        b'{"type": 1' + b"1" * 5_000 + b"}",  # 6: an integer too long to convert
        dumps(good[3]).encode(),  # 7
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    summary = PublishSummary()

    read = list(read_submissions(path, summary))

    assert read == [(1, good[0]), (3, good[1]), (5, good[2]), (7, good[3])]
    assert [bad.line for bad in summary.bad_lines] == [2, 4, 6]
    assert "not valid UTF-8: byte 0xe9" in summary.bad_lines[0].reason
    assert all(bad.reason.startswith("not valid JSON") for bad in summary.bad_lines[1:])
