"""The local state store: a SQLite copy of the journey record, for loading journeys fast.

It is derived state. Kafka's `care.journey.events` is the record; this store holds the
events of committed transactions only, each with the partition and offset it has on the
topic, plus, per partition, the offset to read from next. Both are written in one SQLite
transaction, so after a crash the store either has a batch and knows it, or has neither
and reads the batch again from the topic. Delete the file and it is rebuilt from offset 0.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

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
    unique (originator_id, originator_version)
);
create table if not exists positions (
    partition integer primary key,
    next_offset integer not null
);
"""


_INSERT = (
    "insert into stored_events (originator_id, id_is_uuid, originator_version, "
    'topic, state, partition, "offset") values (?, ?, ?, ?, ?, ?, ?) '
    "on conflict (originator_id, originator_version) do nothing"
)


@dataclass(frozen=True, slots=True)
class PlacedEvent:
    """A stored event and where it sits on the events topic."""

    stored_event: StoredEvent
    partition: int
    offset: int


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
    )


@functools.lru_cache(maxsize=1 << 17)
def id_text(originator_id: uuid.UUID | str) -> str:
    """An originator id as text, the store's key; kept for recent ids (str(UUID) is slow).

    Every event of a batch asks for it several times: the recorder's checks, the Kafka
    headers, the store's rows and its version index.
    """
    return str(originator_id)


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
        self._connection.executescript(_SCHEMA)
        # The highest version of each journey, kept in memory: answers "is this version
        # new?" and "is there anything to load?" for most events without a query.
        self._max_versions: dict[str, int] = {}
        self.reload_versions()

    def reload_versions(self) -> None:
        """Re-read the version index, e.g. after another process wrote to the same file."""
        with self._lock:
            self._max_versions = {
                str(originator_id): int(version)
                for originator_id, version in self._connection.execute(
                    "select originator_id, max(originator_version) from stored_events "
                    "group by originator_id"
                )
            }

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

    def append(self, placed: Sequence[PlacedEvent], next_offsets: Mapping[int, int]) -> list[int]:
        """Add committed events and move the read positions on, all or nothing.

        Returns the notification ids given to the events, in order. A second event for
        the same journey version raises IntegrityError and changes nothing.
        """
        with self._lock:
            connection = self._connection
            connection.execute("begin immediate")
            try:
                ids = self._insert_all(placed)
                connection.executemany(
                    "insert into positions (partition, next_offset) values (?, ?) "
                    "on conflict (partition) do update set "
                    "next_offset = max(next_offset, excluded.next_offset)",
                    sorted(next_offsets.items()),
                )
            except sqlite3.IntegrityError as error:
                connection.execute("rollback")
                raise IntegrityError(
                    f"the state store already holds a version of one of these events: {error}"
                ) from error
            except BaseException:
                connection.execute("rollback")
                raise
            connection.execute("commit")
            for item in placed:
                key = id_text(item.stored_event.originator_id)
                version = item.stored_event.originator_version
                if version > self._max_versions.get(key, version - 1):
                    self._max_versions[key] = version
            return ids

    def _insert_all(self, placed: Sequence[PlacedEvent]) -> list[int]:
        """Insert the events (inside the open SQLite transaction); their notification ids.

        All at once when none is here yet, which is the usual case: the ids are then the
        next ones in the sequence, since this connection holds the write lock. If any is
        already here, start again one by one, which sorts out each of those.
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

    def _insert(self, item: PlacedEvent) -> int:
        event = item.stored_event
        cursor = self._connection.execute(_INSERT, _row(item))
        if cursor.rowcount == 1:
            return int(cursor.lastrowid or 0)
        # Already here: fine if it is the very same message (another process sharing this
        # file caught up with it first), a conflict if it is a different one.
        notification_id, partition, offset = self._connection.execute(
            'select notification_id, partition, "offset" from stored_events '
            "where originator_id = ? and originator_version = ?",
            (id_text(event.originator_id), event.originator_version),
        ).fetchone()
        if (partition, offset) != (item.partition, item.offset):
            raise sqlite3.IntegrityError(
                f"version {event.originator_version} of {event.originator_id} is already "
                f"stored from partition {partition} offset {offset}"
            )
        return int(notification_id)

    # Reading -----------------------------------------------------------------------

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
