"""The key store: each child's pseudonym and data key, outside the record (SQLite).

The record (`care.journey.events`) names a child only by a random pseudonym and holds the
child's personal fields sealed under the child's own data key (events.sealing). This
store is the only place that links the two, and it holds nothing in clear either:

- `children`: per child, the pseudonym, the local authority, a keyed digest of the
  authority's child id (the index a submission is looked up by), the data key wrapped by
  the master key, and the authority's child id sealed under the data key;
- `erasures`: per erased child, the digest, the pseudonym, when, by whom and why, never
  what: the child's row in `children` is deleted, so the key is gone and the record's
  sealed values about the child can never be opened again;
- `meta`: this store's id, and a value sealed under the master key that proves, on
  opening, that the master key given is the one the store was made with.

Unlike every other store of the service, this one cannot be rebuilt from the record:
back it up with the record (`journeys archive` copies it) and keep the master key apart.
SQLite's `secure_delete` overwrites an erased child's row on disk rather than leaving it
in free pages. Writers (the processor enrolling children, `journeys erase`) commit each
change before the Kafka transaction that depends on it, so the record never names a
pseudonym whose key was not durable first.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from events.exceptions import BadInput, OperationalFailure
from events.sealing import Key, KeyedNames, MasterKey, SealBroken, new_key, new_pseudonym
from events.settings import Settings

_CHECK = b"care-journeys key store"
# The key that seals a refused submission no child can be found for (bytes that do not
# decode): it is not any child's, so erasing a child never destroys it.
UNATTRIBUTED = "unattributed"

_SCHEMA = """
create table if not exists meta (name text primary key, value blob not null);
create table if not exists children (
    pseudonym text primary key,
    local_authority text not null,
    lookup blob not null unique,
    wrapped_key blob not null,
    sealed_child_id blob not null,
    enrolled_at text not null
);
create table if not exists erasures (
    lookup blob primary key,
    pseudonym text not null unique,
    local_authority text not null,
    erased_at text not null,
    erased_by text not null,
    reason text not null
);
"""


class KeyStoreMissing(OperationalFailure):
    """The key store the record was sealed with is not where JOURNEYS_KEY_STORE points.
    Without it no personal field of the record can be read and no submission can be
    recorded (it would give a known child a second pseudonym). Restore it from the backup
    `journeys archive` made, or point JOURNEYS_KEY_STORE at it."""


class KeyStoreMismatch(OperationalFailure):
    """The key store, or the master key, is not the one the record was sealed with (or
    the master key is not the key store's). Nothing was written; point JOURNEYS_KEY_STORE
    and JOURNEYS_MASTER_KEY_FILE at the record's own."""


class ChildNotRecorded(BadInput):
    """A child named to a privacy command (erase, subject access) is not in the key
    store, so the record holds nothing about them: check the id and local authority."""


@dataclass(frozen=True, slots=True)
class Erasure:
    """That a child was erased, when, by whom and why (never what the record held)."""

    pseudonym: str
    local_authority: str
    erased_at: str
    erased_by: str
    reason: str


class KeyStore:
    """One open key store. Not shared between threads; one per process."""

    def __init__(self, connection: sqlite3.Connection, master: MasterKey, path: Path) -> None:
        self._db = connection
        self._master = master
        self.path = path
        self.id = self._check_master_key()
        self._keys: dict[str, Key] = {}
        self._pseudonyms: dict[bytes, str] = {}
        # (local authority, child id) -> pseudonym of children seen: spares the processor
        # a keyed digest per submission. Kept in memory only; emptied with the others.
        self._seen: dict[tuple[str, str], str] = {}
        self._version = self._data_version()
        self._erased_lookups: frozenset[bytes] = self._load_erased_lookups()

    # ---- opening ------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, master: MasterKey, *, create: bool = False) -> KeyStore:
        """Open the key store at `path`; with `create`, make it if there is none."""
        if not path.exists() and not create:
            raise KeyStoreMissing(f"there is no key store at {path} (JOURNEYS_KEY_STORE)")
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("pragma secure_delete = on")
        connection.execute("pragma journal_mode = delete")
        connection.execute("pragma synchronous = full")
        connection.execute("pragma busy_timeout = 30000")
        connection.executescript(_SCHEMA)
        if create:
            identity = str(uuid.uuid4())
            check = master.wrapping.seal_bytes(_CHECK, identity.encode())
            connection.execute(
                "insert or ignore into meta values ('id', ?), ('check', ?)",
                (identity.encode(), check),
            )
        return cls(connection, master, path)

    def close(self) -> None:
        self._db.close()

    def names(self, label: str) -> KeyedNames:
        """Identifiers keyed by this store's master key (events.sealing.KeyedNames)."""
        return self._master.names(label)

    def _check_master_key(self) -> str:
        rows = dict(self._db.execute("select name, value from meta").fetchall())
        if "id" not in rows:
            raise KeyStoreMissing(f"{self.path} is not a key store (it has no id)")
        identity = bytes(rows["id"]).decode()
        try:
            opened = self._master.wrapping.open_bytes(
                bytes(rows["check"]), identity.encode(), "the key store's check value"
            )
        except SealBroken as error:
            raise KeyStoreMismatch(
                f"the master key (JOURNEYS_MASTER_KEY_FILE) is not the one key store "
                f"{self.path} was made with"
            ) from error
        if opened != _CHECK:
            raise KeyStoreMismatch(f"key store {self.path} has an unexpected check value")
        return identity

    # ---- changes made by other processes (journeys erase) ---------------------------
    def _data_version(self) -> int:
        return int(self._db.execute("pragma data_version").fetchone()[0])

    def _load_erased_lookups(self) -> frozenset[bytes]:
        return frozenset(bytes(row[0]) for row in self._db.execute("select lookup from erasures"))

    def refresh(self) -> bool:
        """Forget what another process changed since; True if anything was."""
        version = self._data_version()
        if version == self._version:
            return False
        self._version = version
        self._keys.clear()
        self._pseudonyms.clear()
        self._seen.clear()
        self._erased_lookups = self._load_erased_lookups()
        return True

    # ---- children -------------------------------------------------------------------
    def is_erased(self, local_authority: str, child_id: str) -> bool:
        if (local_authority, child_id) in self._seen:
            return False  # enrolled and not erased since (an erasure empties the cache)
        return self._master.lookup_digest(local_authority, child_id) in self._erased_lookups

    def pseudonym_of(self, local_authority: str, child_id: str) -> str | None:
        """The child's pseudonym, or None if the store does not know the child."""
        seen = self._seen.get((local_authority, child_id))
        if seen is not None:
            return seen
        lookup = self._master.lookup_digest(local_authority, child_id)
        known = self._pseudonyms.get(lookup)
        if known is not None:
            return known
        row = self._db.execute(
            "select pseudonym from children where lookup = ?", (lookup,)
        ).fetchone()
        if row is None:
            return None
        self._pseudonyms[lookup] = self._seen[(local_authority, child_id)] = row[0]
        return row[0]

    def enrol(self, local_authority: str, child_id: str) -> str:
        """The child's pseudonym, made with a new data key if the child is new (committed)."""
        known = self.pseudonym_of(local_authority, child_id)
        if known is not None:
            return known
        pseudonym = new_pseudonym()
        key = Key(new_key())
        lookup = self._master.lookup_digest(local_authority, child_id)
        self._db.execute(
            "insert into children values (?, ?, ?, ?, ?, ?)",
            (
                pseudonym,
                local_authority,
                lookup,
                self._master.wrapping.seal_bytes(key.secret, pseudonym.encode()),
                key.seal_bytes(child_id.encode(), _child_id_context(pseudonym)),
                _now(),
            ),
        )
        self._pseudonyms[lookup] = self._seen[(local_authority, child_id)] = pseudonym
        self._keys[pseudonym] = key
        return pseudonym

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Enrolments inside the block commit together, durably, when it ends."""
        self._db.execute("begin immediate")
        try:
            yield
        except BaseException:
            self._db.execute("rollback")
            self._forget_uncommitted()
            raise
        self._db.execute("commit")
        self._version = self._data_version()

    def _forget_uncommitted(self) -> None:
        self._keys.clear()
        self._pseudonyms.clear()
        self._seen.clear()

    def data_key(self, pseudonym: str) -> Key | None:
        """The child's data key, or None when the child was erased (or never enrolled)."""
        known = self._keys.get(pseudonym)
        if known is not None:
            return known
        row = self._db.execute(
            "select wrapped_key from children where pseudonym = ?", (pseudonym,)
        ).fetchone()
        if row is None:
            return None
        secret = self._master.wrapping.open_bytes(
            bytes(row[0]), pseudonym.encode(), f"the data key of {pseudonym}"
        )
        key = Key(secret)
        self._keys[pseudonym] = key
        return key

    def unattributed_key(self) -> Key:
        """The key of refused bytes no child can be found for, made on first use."""
        row = self._db.execute("select value from meta where name = 'unattributed'").fetchone()
        if row is not None:
            return Key(
                self._master.wrapping.open_bytes(bytes(row[0]), b"unattributed", UNATTRIBUTED)
            )
        key = Key(new_key())
        wrapped = self._master.wrapping.seal_bytes(key.secret, b"unattributed")
        self._db.execute("insert or ignore into meta values ('unattributed', ?)", (wrapped,))
        return self.unattributed_key()

    def child_id_of(self, pseudonym: str) -> str | None:
        """The authority's own id for the child, or None when erased or unknown."""
        key = self.data_key(pseudonym)
        if key is None:
            return None
        row = self._db.execute(
            "select sealed_child_id from children where pseudonym = ?", (pseudonym,)
        ).fetchone()
        opened = key.open_bytes(
            bytes(row[0]), _child_id_context(pseudonym), f"the child id of {pseudonym}"
        )
        return opened.decode()

    def children(self) -> list[tuple[str, str]]:
        """(pseudonym, local authority) of every child enrolled and not erased."""
        return self._db.execute(
            "select pseudonym, local_authority from children order by pseudonym"
        ).fetchall()

    def local_authorities(self) -> list[str]:
        """Every local authority with a child enrolled."""
        rows = self._db.execute("select distinct local_authority from children order by 1")
        return [row[0] for row in rows]

    def count(self) -> int:
        return int(self._db.execute("select count(*) from children").fetchone()[0])

    # ---- erasure ----------------------------------------------------------------------
    def erase(
        self, local_authority: str, child_ids: Iterable[str], *, by: str, reason: str
    ) -> list[str]:
        """Destroy the children's keys and mappings in one transaction; their pseudonyms.

        A child erased before is left as it is (erasing twice is harmless); a child the
        store never knew raises ChildNotRecorded before anything changes.
        """
        if not reason.strip():
            raise BadInput("erase: --reason is required: say why (never what) the record forgets")
        wanted = list(dict.fromkeys(child_ids))
        lookups = {child: self._master.lookup_digest(local_authority, child) for child in wanted}
        unknown = [
            child
            for child, lookup in lookups.items()
            if lookup not in self._erased_lookups
            and self.pseudonym_of(local_authority, child) is None
        ]
        if unknown:
            positions = ", ".join(_positions(wanted, unknown))
            raise ChildNotRecorded(
                f"{len(unknown)} of the {len(wanted)} children named are not in the record of "
                f"local authority {local_authority} (argument {positions}); nothing was erased"
            )
        erased: list[str] = []
        with self.batch():
            for child, lookup in lookups.items():
                if lookup in self._erased_lookups:
                    continue
                pseudonym = self.pseudonym_of(local_authority, child)
                self._db.execute("delete from children where pseudonym = ?", (pseudonym,))
                self._db.execute(
                    "insert into erasures values (?, ?, ?, ?, ?, ?)",
                    (lookup, pseudonym, local_authority, _now(), by, reason),
                )
                erased.append(pseudonym)
        self._keys.clear()
        self._pseudonyms.clear()
        self._seen.clear()
        self._erased_lookups = self._load_erased_lookups()
        return erased

    def erasures(self) -> list[Erasure]:
        rows = self._db.execute(
            "select pseudonym, local_authority, erased_at, erased_by, reason from erasures "
            "order by erased_at, pseudonym"
        ).fetchall()
        return [Erasure(*row) for row in rows]

    def erased_pseudonyms(self) -> frozenset[str]:
        return frozenset(row[0] for row in self._db.execute("select pseudonym from erasures"))


def _child_id_context(pseudonym: str) -> bytes:
    return f"{pseudonym}/child_id".encode()


def _positions(wanted: list[str], unknown: list[str]) -> list[str]:
    # Positions, not the ids: the message may reach a log.
    missing = set(unknown)
    return [str(number) for number, child in enumerate(wanted, start=1) if child in missing]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_key_store(settings: Settings, *, may_create: bool = False) -> KeyStore:
    """The key store the settings name, opened with their master key.

    `may_create` (the processor, on an empty record): make the master key file (readable
    by its owner only) and the key store when they do not exist yet.
    """
    if not may_create and not settings.key_store.exists():
        raise KeyStoreMissing(f"there is no key store at {settings.key_store} (JOURNEYS_KEY_STORE)")
    master = _master_key(settings, may_create=may_create)
    return KeyStore.open(settings.key_store, master, create=may_create)


def _master_key(settings: Settings, *, may_create: bool) -> MasterKey:
    path = settings.master_key_file
    if not path.exists():
        if not may_create or settings.key_store.exists():
            raise KeyStoreMismatch(
                f"there is no master key at {path} (JOURNEYS_MASTER_KEY_FILE)"
                + (
                    f", and key store {settings.key_store} cannot be opened without it"
                    if settings.key_store.exists()
                    else ""
                )
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        master = MasterKey(new_key())
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(master.to_text() + "\n")
            file.flush()
            os.fsync(file.fileno())
        return master
    try:
        return MasterKey.from_text(path.read_text(encoding="ascii"), str(path))
    except (ValueError, UnicodeDecodeError) as error:
        raise KeyStoreMismatch(f"{path} does not hold a master key: {error}") from error
