"""The local state store: a SQLite copy of the journey record, for loading journeys fast.

It is derived state. Kafka's `care.journey.events` is the record; this store holds the
events of committed transactions only, each with the partition and offset it has on the
topic and its event id, indexed (an event id is unique across the whole record);
and, per partition, the offset to read from next and the last message it took in (its
offset and its event id), by which it checks that the topic is still the record it was
built from (journeys.kafka.record_reader.catch_up). All of it is written in one SQLite
transaction, so after a crash the store either has a batch and knows it, or has neither
and reads the batch again from the topic.

A second copy of an event already here (the same event id at another offset: the
embedded broker shows records of aborted transactions to read_committed readers) is
skipped and counted, never stored twice. Delete the file, or `discard()` it, and it is
rebuilt from offset 0; a file of an older layout is discarded on opening.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from eventsourcing.persistence import IntegrityError, Notification, StoredEvent

_SCHEMA = """
create table if not exists stored_events (
    notification_id integer primary key autoincrement,
    originator_id text not null,
    id_is_uuid integer not null,
    originator_version integer not null,
    topic text not null,
    state blob not null,
    partition integer not null,
    "offset" integer not null,
    event_id blob,
    unique (originator_id, originator_version)
);
create unique index if not exists stored_events_event_id on stored_events (event_id);
create table if not exists positions (
    partition integer primary key,
    next_offset integer not null,
    last_offset integer,
    last_event text
);
"""

# The layout above, as SQLite's user_version: a file of another layout is discarded.
_LAYOUT = 2
_TABLES = ("stored_events", "positions")

_logger = logging.getLogger(__name__)


# Nothing when the journey version or the event id is here already: see _insert_all.
_INSERT = (
    "insert into stored_events (originator_id, id_is_uuid, originator_version, "
    'topic, state, partition, "offset", event_id) values (?, ?, ?, ?, ?, ?, ?, ?) '
    "on conflict do nothing"
)
_POSITION = (
    "insert into positions (partition, next_offset, last_offset, last_event) "
    "values (?, ?, ?, ?) on conflict (partition) do update set "
    "next_offset = max(next_offset, excluded.next_offset), "
    "last_offset = case when excluded.last_offset > coalesce(last_offset, -1) "
    "then excluded.last_offset else last_offset end, "
    "last_event = case when excluded.last_offset > coalesce(last_offset, -1) "
    "then excluded.last_event else last_event end"
)


@dataclass(frozen=True, slots=True)
class PlacedEvent:
    """A stored event, where it sits on the events topic, and its event id if it has one.

    Journey events have one (the contract's `event_id`); the library's recorder tests
    store events without.
    """

    stored_event: StoredEvent
    partition: int
    offset: int
    event_id: uuid.UUID | None = None

    def identity(self) -> str:
        """What tells this message from any other: its event id, else journey and version."""
        if self.event_id is not None:
            return self.event_id.hex
        event = self.stored_event
        return f"{id_text(event.originator_id)}/{event.originator_version}"


class Anchor(NamedTuple):
    """The last message of a partition the store took in: it must still be on the topic."""

    offset: int
    identity: str


class Appended(NamedTuple):
    """What `StateStore.append` did: notification ids of the events added, copies skipped."""

    ids: list[int]
    skipped: int


def _row(item: PlacedEvent) -> tuple[object, ...]:
    event = item.stored_event
    return (
        id_text(event.originator_id),
        int(isinstance(event.originator_id, uuid.UUID)),
        event.originator_version,
        event.topic,
        event.state,
        item.partition,
        item.offset,
        None if item.event_id is None else item.event_id.bytes,
    )


@functools.lru_cache(maxsize=1 << 17)
def id_text(originator_id: uuid.UUID | str) -> str:
    """An originator id as text, the store's key; kept for recent ids (str(UUID) is slow).

    Every event of a batch asks for it several times: the recorder's checks, the Kafka
    headers, the store's rows and its version index.
    """
    return str(originator_id)


class _EventIdFilter:
    """Which event ids the store may hold, to answer "new" for most without a query.

    A Bloom filter of one hash: a bit per slot, set for each id stored, so a clear bit
    means the id is certainly not here and a set bit means "ask the table". At most one
    id in sixteen slots (the store builds a larger one from its table past that), so few
    new ids are asked about twice; two megabytes per million events.
    """

    _MINIMUM_SLOTS = 1 << 16
    _SLOTS_PER_ID = 16

    def __init__(self, slots: int = _MINIMUM_SLOTS) -> None:
        self._bits = bytearray(slots // 8)
        self._mask = slots - 1
        self._count = 0

    @classmethod
    def of(cls, event_ids: Iterable[int]) -> _EventIdFilter:
        held = list(event_ids)
        slots = cls._MINIMUM_SLOTS
        while slots < len(held) * cls._SLOTS_PER_ID:
            slots *= 2
        built = cls(slots)
        for event_id in held:
            built._set(event_id)
        built._count = len(held)
        return built

    def add(self, event_id: int) -> None:
        self._set(event_id)
        self._count += 1

    @property
    def crowded(self) -> bool:
        """True once it holds more ids than it has room for: build a larger one."""
        return self._count * self._SLOTS_PER_ID > self._mask + 1

    def may_hold(self, event_id: int) -> bool:
        """Whether the id (as `UUID.int`) may be held; False means certainly not."""
        slot = hash(event_id) & self._mask
        return bool(self._bits[slot >> 3] & (1 << (slot & 7)))

    def _set(self, event_id: int) -> None:
        slot = hash(event_id) & self._mask
        self._bits[slot >> 3] |= 1 << (slot & 7)


def _position_rows(
    placed: Sequence[PlacedEvent], next_offsets: Mapping[int, int]
) -> list[tuple[int, int, int | None, str | None]]:
    """The positions to write: per partition, the next offset and the newest message."""
    newest: dict[int, PlacedEvent] = {}
    for item in placed:
        known = newest.get(item.partition)
        if known is None or item.offset > known.offset:
            newest[item.partition] = item
    rows = []
    for partition, next_offset in sorted(next_offsets.items()):
        item = newest.get(partition)
        if item is None:
            rows.append((partition, next_offset, None, None))
        else:
            rows.append((partition, next_offset, item.offset, item.identity()))
    return rows


def _id_value(text: str, is_uuid: int) -> uuid.UUID | str:
    return uuid.UUID(text) if is_uuid else text


class StateStore:
    """SQLite file under the state directory (or in memory when `path` is None)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._connection = sqlite3.connect(
            ":memory:" if path is None else str(path),
            check_same_thread=False,
            isolation_level=None,  # explicit begin/commit below
        )
        self._connection.execute("pragma journal_mode=wal")
        self._connection.execute("pragma synchronous=normal")
        self._open_layout()
        # The highest version of each journey, kept in memory: answers "is this version
        # new?" and "is there anything to load?" for most events without a query.
        self._max_versions: dict[str, int] = {}
        # And which event ids may be here, for "is this event id new?" (see _EventIdFilter).
        self._event_ids = _EventIdFilter()
        self.reload_versions()

    def _open_layout(self) -> None:
        """Create the tables; first discard a file of another layout (it is derived)."""
        connection = self._connection
        connection.execute("begin immediate")
        try:
            (layout,) = connection.execute("pragma user_version").fetchone()
            if layout != _LAYOUT:
                held = connection.execute(
                    "select count(*) from sqlite_master where type = 'table' and name = ?",
                    ("stored_events",),
                ).fetchone()[0]
                if held:
                    _logger.warning(
                        "the state store %s has an older layout (%s): discarded, it is "
                        "rebuilt from the record",
                        self.path,
                        layout,
                    )
                for table in _TABLES:
                    connection.execute(f"drop table if exists {table}")
                connection.execute(f"pragma user_version = {_LAYOUT}")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    connection.execute(statement)
        except BaseException:
            connection.execute("rollback")
            raise
        connection.execute("commit")

    def discard(self) -> None:
        """Forget everything: the store is rebuilt from offset 0 on the next catch-up."""
        with self._lock:
            connection = self._connection
            connection.execute("begin immediate")
            try:
                for table in _TABLES:
                    connection.execute(f"delete from {table}")
                connection.execute("delete from sqlite_sequence where name = 'stored_events'")
            except BaseException:
                connection.execute("rollback")
                raise
            connection.execute("commit")
            self._max_versions = {}
            self._event_ids = _EventIdFilter()

    def last_states(self, limit: int) -> list[bytes]:
        """The stored state (message bytes) of the last `limit` events taken in."""
        with self._lock:
            rows = self._connection.execute(
                "select state from stored_events order by notification_id desc limit ?", (limit,)
            ).fetchall()
        return [bytes(row[0]) for row in rows]

    def forget_journeys(self, originator_ids: Iterable[uuid.UUID]) -> int:
        """Delete every event of these journeys (erased children); how many were deleted.

        The topic still holds them, sealed under keys that no longer exist; a store
        rebuilt from it takes them in again and the processor forgets them again on start.
        The file is checkpointed and vacuumed so no deleted page keeps them.
        """
        ids = [id_text(originator_id) for originator_id in originator_ids]
        if not ids:
            return 0
        with self._lock:
            connection = self._connection
            connection.execute("begin immediate")
            try:
                deleted = 0
                for originator_id in ids:
                    deleted += connection.execute(
                        "delete from stored_events where originator_id = ?", (originator_id,)
                    ).rowcount
            except BaseException:
                connection.execute("rollback")
                raise
            connection.execute("commit")
            if deleted:
                connection.execute("pragma wal_checkpoint(truncate)")
                connection.execute("vacuum")
                connection.execute("pragma wal_checkpoint(truncate)")
            self.reload_versions()
            return deleted

    def reload_versions(self) -> None:
        """Re-read what is kept in memory, e.g. after another process wrote to the file."""
        with self._lock:
            self._reload_event_ids()
            self._max_versions = {
                str(originator_id): int(version)
                for originator_id, version in self._connection.execute(
                    "select originator_id, max(originator_version) from stored_events "
                    "group by originator_id"
                )
            }

    def _reload_event_ids(self) -> None:
        self._event_ids = _EventIdFilter.of(
            int.from_bytes(row[0])
            for row in self._connection.execute(
                "select event_id from stored_events where event_id is not null"
            )
        )

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    # Writing -----------------------------------------------------------------------

    def existing_versions(self, stored_events: Sequence[StoredEvent]) -> list[StoredEvent]:
        """The given events whose (originator id, version) is already in the store."""
        with self._lock:
            found = []
            for event in stored_events:
                highest = self._max_versions.get(id_text(event.originator_id))
                if highest is None or event.originator_version > highest:
                    continue
                row = self._connection.execute(
                    "select 1 from stored_events where originator_id = ? "
                    "and originator_version = ?",
                    (id_text(event.originator_id), event.originator_version),
                ).fetchone()
                if row is not None:
                    found.append(event)
            return found

    def append(self, placed: Sequence[PlacedEvent], next_offsets: Mapping[int, int]) -> Appended:
        """Add committed events and move the read positions on, all or nothing.

        Returns the notification ids given to the events added, in order, and how many
        were skipped as second copies of an event already here (the same event id, or
        for an event without one the same journey version with the same bytes, at
        another offset). A different event for a journey version already here raises
        IntegrityError and changes nothing.
        """
        with self._lock:
            connection = self._connection
            connection.execute("begin immediate")
            try:
                ids = self._insert_all(placed)
                connection.executemany(_POSITION, _position_rows(placed, next_offsets))
            except sqlite3.IntegrityError as error:
                connection.execute("rollback")
                raise IntegrityError(
                    f"the state store already holds a version of one of these events: {error}"
                ) from error
            except BaseException:
                connection.execute("rollback")
                raise
            connection.execute("commit")
            for item, notification_id in zip(placed, ids, strict=True):
                if notification_id is None:
                    continue
                if item.event_id is not None:
                    self._event_ids.add(item.event_id.int)
                key = id_text(item.stored_event.originator_id)
                version = item.stored_event.originator_version
                if version > self._max_versions.get(key, version - 1):
                    self._max_versions[key] = version
            if self._event_ids.crowded:
                self._reload_event_ids()
            added = [notification_id for notification_id in ids if notification_id is not None]
            return Appended(added, len(ids) - len(added))

    def _insert_all(self, placed: Sequence[PlacedEvent]) -> list[int | None]:
        """Insert the events (inside the open SQLite transaction); their notification ids.

        None for a second copy, skipped. All at once when none is here yet, which is the
        usual case: the ids are then the next ones in the sequence, since this connection
        holds the write lock. If any is already here, start again one by one, which sorts
        out each of those.
        """
        if not placed:
            return []
        connection = self._connection
        connection.execute("savepoint insert_all")
        before = connection.total_changes
        connection.executemany(_INSERT, [_row(item) for item in placed])
        if connection.total_changes - before == len(placed):
            connection.execute("release insert_all")
            (last,) = connection.execute(
                "select seq from sqlite_sequence where name = 'stored_events'"
            ).fetchone()
            return list(range(int(last) - len(placed) + 1, int(last) + 1))
        connection.execute("rollback to insert_all")
        connection.execute("release insert_all")
        return [self._insert(item) for item in placed]

    def _insert(self, item: PlacedEvent) -> int | None:
        """Insert one event; its notification id, or None for a second copy (skipped)."""
        event = item.stored_event
        if item.event_id is not None:
            row = self._connection.execute(
                'select notification_id, partition, "offset" from stored_events where event_id = ?',
                (item.event_id.bytes,),
            ).fetchone()
            if row is not None:
                notification_id, partition, offset = row
                # The very same message (another process sharing this file caught up
                # with it first), or a second copy of the event: kept once.
                same = (partition, offset) == (item.partition, item.offset)
                return int(notification_id) if same else None
        cursor = self._connection.execute(_INSERT, _row(item))
        if cursor.rowcount == 1:
            return int(cursor.lastrowid or 0)
        notification_id, partition, offset, topic, state = self._connection.execute(
            'select notification_id, partition, "offset", topic, state from stored_events '
            "where originator_id = ? and originator_version = ?",
            (id_text(event.originator_id), event.originator_version),
        ).fetchone()
        if (partition, offset) == (item.partition, item.offset):
            return int(notification_id)
        if item.event_id is None and (topic, bytes(state)) == (event.topic, event.state):
            return None  # a second copy of a message that has no event id
        raise sqlite3.IntegrityError(
            f"version {event.originator_version} of {event.originator_id} is already "
            f"stored from partition {partition} offset {offset}"
        )

    # Reading -----------------------------------------------------------------------

    def first_use_of(self, event_id: uuid.UUID) -> tuple[uuid.UUID | str, str] | None:
        """The journey id and event type of the stored event with this id; None if new."""
        with self._lock:
            if not self._event_ids.may_hold(event_id.int):
                return None
            row = self._connection.execute(
                "select originator_id, id_is_uuid, topic from stored_events where event_id = ?",
                (event_id.bytes,),
            ).fetchone()
        if row is None:
            return None
        originator_id, is_uuid, topic = row
        return _id_value(originator_id, is_uuid), str(topic)

    def anchors(self) -> dict[int, Anchor]:
        """Per partition, the last message the store took in (see the module docstring)."""
        with self._lock:
            rows = self._connection.execute(
                "select partition, last_offset, last_event from positions "
                "where last_offset is not null"
            ).fetchall()
        return {int(partition): Anchor(int(offset), str(key)) for partition, offset, key in rows}

    def next_offsets(self) -> dict[int, int]:
        """Per partition of the events topic, the first offset not yet in the store."""
        with self._lock:
            rows = self._connection.execute("select partition, next_offset from positions")
            return {int(partition): int(offset) for partition, offset in rows}

    def select_events(
        self,
        originator_id: uuid.UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        if id_text(originator_id) not in self._max_versions:
            return []
        clauses = ["originator_id = ?"]
        parameters: list[object] = [id_text(originator_id)]
        if gt is not None:
            clauses.append("originator_version > ?")
            parameters.append(gt)
        if lte is not None:
            clauses.append("originator_version <= ?")
            parameters.append(lte)
        sql = (
            "select originator_version, topic, state from stored_events where "
            + " and ".join(clauses)
            + f" order by originator_version {'desc' if desc else 'asc'}"
        )
        if limit is not None:
            sql += " limit ?"
            parameters.append(limit)
        with self._lock:
            rows = self._connection.execute(sql, parameters).fetchall()
        return [
            StoredEvent(
                originator_id=originator_id,
                originator_version=int(version),
                topic=str(topic),
                state=bytes(state),
            )
            for version, topic, state in rows
        ]

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Iterable[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> list[Notification]:
        clauses = []
        parameters: list[object] = []
        if start is not None:
            clauses.append("notification_id >= ?" if inclusive_of_start else "notification_id > ?")
            parameters.append(start)
        if stop is not None:
            clauses.append("notification_id <= ?")
            parameters.append(stop)
        topics = list(topics)
        if topics:
            clauses.append(f"topic in ({', '.join('?' for _ in topics)})")
            parameters.extend(topics)
        where = f"where {' and '.join(clauses)} " if clauses else ""
        sql = (
            "select notification_id, originator_id, id_is_uuid, originator_version, topic, "
            f"state from stored_events {where}order by notification_id limit ?"
        )
        parameters.append(limit)
        with self._lock:
            rows = self._connection.execute(sql, parameters).fetchall()
        return [
            Notification(
                id=int(notification_id),
                originator_id=_id_value(originator_id, is_uuid),
                originator_version=int(version),
                topic=str(topic),
                state=bytes(state),
            )
            for notification_id, originator_id, is_uuid, version, topic, state in rows
        ]

    def max_notification_id(self) -> int | None:
        with self._lock:
            row = self._connection.execute(
                "select max(notification_id) from stored_events"
            ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def count(self) -> int:
        with self._lock:
            row = self._connection.execute("select count(*) from stored_events").fetchone()
        return int(row[0])
