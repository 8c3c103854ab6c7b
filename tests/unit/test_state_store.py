"""The local state store on its own: its index of event ids, second copies, its layout."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from journeys.kafka.state_store import Anchor, PlacedEvent, StateStore


def _placed(offset: int, *, version: int = 1, event_id: uuid.UUID | None = None) -> PlacedEvent:
    journey = uuid.uuid5(uuid.NAMESPACE_URL, f"journey-{offset}")
    return PlacedEvent(
        StoredEvent(journey, version, "ReferralReceived", b"state-%d" % offset),
        partition=0,
        offset=offset,
        event_id=event_id or uuid.uuid4(),
    )


def test_every_stored_event_id_is_found_and_new_ones_are_not() -> None:
    store = StateStore(None)
    # Enough events to outgrow the in-memory filter of event ids several times.
    placed = [_placed(offset) for offset in range(20_000)]
    for start in range(0, len(placed), 2_500):
        store.append(placed[start : start + 2_500], {0: start + 2_500})
    assert all(store.first_use_of(item.event_id) is not None for item in placed)  # type: ignore[arg-type]
    assert store.first_use_of(placed[7].event_id) == (  # type: ignore[arg-type]
        placed[7].stored_event.originator_id,
        "ReferralReceived",
    )
    assert not any(store.first_use_of(uuid.uuid4()) for _ in range(1_000))


def test_a_second_copy_of_an_event_is_skipped_and_counted() -> None:
    store = StateStore(None)
    first = _placed(0)
    copy = PlacedEvent(first.stored_event, 0, 5, first.event_id)
    same_id_other_version = PlacedEvent(
        StoredEvent(first.stored_event.originator_id, 2, "ReferralReceived", b"x"),
        0,
        6,
        first.event_id,
    )
    assert store.append([first], {0: 1}) == ([1], 0)
    assert store.append([copy, same_id_other_version], {0: 7}) == ([], 2)
    assert store.count() == 1
    assert store.anchors() == {0: Anchor(6, first.event_id.hex)}  # type: ignore[union-attr]


def test_a_different_event_for_a_stored_version_is_an_integrity_error() -> None:
    store = StateStore(None)
    store.append([_placed(0)], {0: 1})
    other = PlacedEvent(_placed(0).stored_event, 0, 3, uuid.uuid4())
    with pytest.raises(IntegrityError):
        store.append([other], {0: 4})
    assert (store.count(), store.next_offsets()) == (1, {0: 1})


def test_the_anchor_is_the_newest_message_of_each_partition() -> None:
    store = StateStore(None)
    first, second = _placed(0), _placed(1)
    store.append([first, second], {0: 2})
    store.append([], {0: 3, 1: 0})  # a transaction marker: the anchor stays
    assert store.anchors() == {0: Anchor(1, second.event_id.hex)}  # type: ignore[union-attr]


def test_discarding_empties_the_store_for_a_rebuild(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "store.sqlite3")
    item = _placed(0)
    store.append([item], {0: 1})
    store.discard()
    assert (store.count(), store.next_offsets(), store.anchors()) == (0, {}, {})
    assert store.first_use_of(item.event_id) is None  # type: ignore[arg-type]
    assert store.append([item], {0: 1}).ids == [1]
    store.close()


def test_a_store_file_of_an_older_layout_is_discarded_on_opening(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    older = sqlite3.connect(path)
    older.executescript(
        "create table stored_events (notification_id integer primary key, "
        "originator_id text, id_is_uuid integer, originator_version integer, topic text, "
        'state blob, partition integer, "offset" integer);'
        "create table positions (partition integer primary key, next_offset integer);"
        "insert into positions values (0, 12);"
    )
    older.commit()
    older.close()
    store = StateStore(path)
    assert store.next_offsets() == {}
    assert store.append([_placed(0)], {0: 1}).ids == [1]
    store.close()
    assert StateStore(path).count() == 1
