"""The analysts' database and the children's personal data: what is opened, what is kept.

The record names each child by pseudonym and seals their personal fields (events.sealing).
The runner opens what the indicators need, as each batch is loaded, with the key store:

- pseudonymised (the default, JOURNEYS_ANALYSIS): the database holds the pseudonym in
  `child_id`, never the authority's id, and no date of birth: `date_of_birth` is null and
  each child's row carries instead the dates the indicators need, computed here:
  `birthdays` (birthdays[n] is the n-th birthday, 1 to 25) and `reaches_15y9m_on`;
  free text (a retraction's reason) stays empty;
- identified: as well, `authority_child_id` and the real `date_of_birth` and reason, for
  the authority's own case-level drill-down. It has to be chosen, and the database says
  which mode built it (`privacy_mode`), so a file is never mistaken for the other kind.

A child erased from the key store counts as never recorded: their rows are dropped from
each batch, and `purge_erased` deletes every row the database already held of them, in
the event log and in every kept table (no rebuild). A sealed value whose key the store
does not hold, for a child it never erased, means the key store is not the record's:
the runner stops (KeyStoreMismatch) before loading anything in clear.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from events.birthdays import months_after, years_after
from events.catalogue import ChildRegistered
from events.key_store import KeyStore, KeyStoreMismatch, KeyStoreMissing, open_key_store
from events.personal_data import PLACEHOLDER_DATE
from events.settings import IDENTIFIED, Settings
from projections.exceptions import AnalysisModeChanged
from projections.maintain import KEPT_TABLES

BIRTHDAYS = 25  # the oldest age an indicator asks about (a personal adviser to 25)
SEALED = "sealed_personal_data"

_MODE_DDL = "create table if not exists privacy_mode (mode varchar not null)"
_ERASED_DDL = "create table if not exists erased_children (child_id varchar primary key)"


class PersonalDataOpener:
    """Opens each batch's sealed fields as the database's mode allows; drops the erased."""

    def __init__(self, key_store: KeyStore | None, settings: Settings) -> None:
        self.key_store = key_store
        self.settings = settings
        self.identified = settings.analysis == IDENTIFIED
        self._known: set[str] = set()
        self._erased = key_store.erased_pseudonyms() if key_store is not None else frozenset()

    @classmethod
    def for_settings(cls, settings: Settings) -> PersonalDataOpener:
        key_store = open_key_store(settings) if settings.key_store.exists() else None
        return cls(key_store, settings)

    def close(self) -> None:
        if self.key_store is not None:
            self.key_store.close()

    @property
    def erased(self) -> frozenset[str]:
        return self._erased

    def refresh(self) -> bool:
        """True when the key store changed since (an erasure, most likely)."""
        if self.key_store is None or not self.key_store.refresh():
            return False
        self._erased = self.key_store.erased_pseudonyms()
        return True

    def open(self, batch: pa.Table) -> pa.Table:
        """The batch as the database keeps it (see the module's docstring)."""
        if batch.num_rows == 0:
            return batch
        key_store = self._store()
        if self._erased:
            keep = pc.invert(pc.is_in(batch["child_id"], pa.array(sorted(self._erased))))
            batch = batch.filter(keep)
        self._check_children(key_store, batch)
        has_sealed = pc.fill_null(pc.not_equal(batch[SEALED], ""), False)
        if pc.any(has_sealed).as_py():
            batch = self._opened(key_store, batch, has_sealed)
        batch = with_birthdays(batch)
        if self.identified:
            ids = [key_store.child_id_of(p) for p in batch["child_id"].to_pylist()]
            return _replaced(batch, "authority_child_id", ids)
        return _replaced(batch, "date_of_birth", [None] * batch.num_rows)

    def _store(self) -> KeyStore:
        if self.key_store is None:
            raise KeyStoreMissing(
                f"the record on {self.settings.events_topic} has events, and there is no key "
                f"store at {self.settings.key_store} (JOURNEYS_KEY_STORE) to open them with"
            )
        return self.key_store

    def _check_children(self, key_store: KeyStore, batch: pa.Table) -> None:
        for pseudonym in pc.unique(batch["child_id"]).to_pylist():
            if pseudonym in self._known:
                continue
            if key_store.data_key(pseudonym) is None:
                raise KeyStoreMismatch(
                    f"key store {key_store.path} has no key for {pseudonym}, a child on "
                    f"{self.settings.events_topic}, and never erased them: it is not this "
                    "record's key store"
                )
            self._known.add(pseudonym)

    def _opened(self, key_store: KeyStore, batch: pa.Table, has_sealed: pa.Array) -> pa.Table:
        """The batch with its sealed fields opened in place (and the sealed column null)."""
        positions = pc.indices_nonzero(has_sealed).to_pylist()
        rows = batch.take(positions)
        born = batch["date_of_birth"].to_pylist()
        reasons = batch["reason"].to_pylist()
        for position, event_type, pseudonym, event_id, value in zip(
            positions,
            rows["event_type"].to_pylist(),
            rows["child_id"].to_pylist(),
            rows["event_id"].to_pylist(),
            rows[SEALED].to_pylist(),
            strict=True,
        ):
            key = key_store.data_key(pseudonym)
            assert key is not None  # _check_children
            what = f"the personal data of {event_type} {event_id}"
            opened = json.loads(key.open_text(value, f"{pseudonym}/{event_id}".encode(), what))
            if "date_of_birth" in opened:
                born[position] = date.fromisoformat(opened["date_of_birth"])
            if "reason" in opened:
                reasons[position] = opened["reason"] if self.identified else ""
        batch = _replaced(batch, "date_of_birth", born)
        batch = _replaced(batch, "reason", reasons)
        return _replaced(batch, SEALED, [None] * batch.num_rows)


def _replaced(batch: pa.Table, name: str, values: list) -> pa.Table:
    index = batch.schema.get_field_index(name)
    return batch.set_column(index, name, pa.array(values, batch.schema.field(name).type))


def with_birthdays(batch: pa.Table) -> pa.Table:
    """Each ChildRegistered row's birthdays and 15y9m date, from its date of birth."""
    is_registration = pc.equal(batch["event_type"], ChildRegistered.event_type)
    if not pc.any(is_registration).as_py():
        return batch
    birthdays = batch["birthdays"].to_pylist()
    reaches = batch["reaches_15y9m_on"].to_pylist()
    for position, (registration, born) in enumerate(
        zip(is_registration.to_pylist(), batch["date_of_birth"].to_pylist(), strict=True)
    ):
        if registration and born is not None and born != PLACEHOLDER_DATE:
            birthdays[position] = [years_after(born, n) for n in range(1, BIRTHDAYS + 1)]
            reaches[position] = months_after(born, 189)
    batch = _replaced(batch, "birthdays", birthdays)
    return _replaced(batch, "reaches_15y9m_on", reaches)


def install(connection: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Record the database's mode on first use; refuse to mix modes in one file."""
    connection.execute(_MODE_DDL)
    connection.execute(_ERASED_DDL)
    found = connection.execute("select mode from privacy_mode").fetchone()
    if found is None:
        connection.execute("insert into privacy_mode values (?)", [settings.analysis])
    elif found[0] != settings.analysis:
        raise AnalysisModeChanged(
            f"the projection database was built {found[0]}, and JOURNEYS_ANALYSIS asks for "
            f"{settings.analysis}: rebuild it (journeys project --rebuild) to change mode"
        )


def purge_erased(connection: duckdb.DuckDBPyConnection, erased: frozenset[str]) -> int:
    """Delete every row of erased children not purged yet; how many children were purged.

    In the caller's transaction. Every kept table's rows are one child's, so deleting the
    child's rows leaves each table exactly as if the child had never been recorded.
    """
    done = {row[0] for row in connection.execute("select child_id from erased_children").fetchall()}
    newly = sorted(erased - done)
    if not newly:
        return 0
    connection.execute("create or replace temp table purging (child_id varchar)")
    connection.executemany("insert into purging values (?)", [[p] for p in newly])
    connection.execute(
        "delete from kept_retractions where retracted_event_id in "
        "(select event_id from event_log where child_id in (select child_id from purging))"
    )
    connection.execute("delete from event_log where child_id in (select child_id from purging)")
    for table in KEPT_TABLES:
        connection.execute(
            f"delete from {table}_versions where child_id in (select child_id from purging)"
        )
    connection.execute("delete from kept_pending where child_id in (select child_id from purging)")
    connection.execute("insert into erased_children select child_id from purging")
    connection.execute("drop table purging")
    return len(newly)
