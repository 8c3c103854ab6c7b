"""The key store: pseudonyms and data keys, nothing in clear, erasure that forgets."""

from __future__ import annotations

from pathlib import Path

import pytest

from events.exceptions import BadInput
from events.key_store import (
    ChildNotRecorded,
    KeyStoreMismatch,
    KeyStoreMissing,
    open_key_store,
)
from events.sealing import MasterKey, SealBroken, new_key
from events.settings import Settings


def _settings(tmp_path: Path) -> Settings:
    return Settings(key_store=tmp_path / "keys.sqlite", master_key_file=tmp_path / "master.key")


def test_a_child_keeps_one_pseudonym_and_the_file_holds_no_id_in_clear(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    store = open_key_store(settings, may_create=True)
    first = store.enrol("371", "DNC-000123")
    assert store.enrol("371", "DNC-000123") == first != store.enrol("372", "DNC-000123")
    assert store.child_id_of(first) == "DNC-000123"
    store.close()
    again = open_key_store(settings)  # another process, later
    assert again.pseudonym_of("371", "DNC-000123") == first
    again.close()
    assert b"DNC-000123" not in settings.key_store.read_bytes()
    assert oct(settings.master_key_file.stat().st_mode & 0o777) == "0o600"


def test_a_missing_store_or_a_wrong_master_key_is_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with pytest.raises(KeyStoreMissing):
        open_key_store(settings)
    open_key_store(settings, may_create=True).close()
    settings.master_key_file.write_text(MasterKey(new_key()).to_text())
    with pytest.raises(KeyStoreMismatch, match="master key"):
        open_key_store(settings)
    settings.master_key_file.unlink()
    with pytest.raises(KeyStoreMismatch, match="no master key"):
        open_key_store(settings, may_create=True)  # a store exists: never a new master key


def test_erasure_forgets_the_key_and_is_atomic_idempotent_and_needs_a_reason(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    store = open_key_store(settings, may_create=True)
    kept, erased = store.enrol("371", "C-1"), store.enrol("371", "C-2")
    sealed = store.data_key(erased).seal_text(b"2015-06-01", b"context")  # type: ignore[union-attr]

    with pytest.raises(ChildNotRecorded, match="argument 2"):  # names a position, not the id
        store.erase("371", ["C-2", "NOBODY"], by="dpo", reason="request")
    assert store.data_key(erased) is not None  # nothing erased
    with pytest.raises(BadInput, match="reason"):
        store.erase("371", ["C-2"], by="dpo", reason="  ")

    other = open_key_store(settings)  # `journeys erase`, in another process
    assert other.erase("371", ["C-2"], by="dpo", reason="subject's request") == [erased]
    assert other.erase("371", ["C-2"], by="dpo", reason="again") == []  # harmless
    other.close()

    assert store.refresh()  # the processor notices on its next batch
    assert store.data_key(erased) is None and store.data_key(kept) is not None
    assert store.is_erased("371", "C-2") and not store.is_erased("371", "C-1")
    assert store.pseudonym_of("371", "C-2") is None
    (erasure,) = store.erasures()
    assert (erasure.pseudonym, erasure.erased_by, erasure.reason) == (
        erased, "dpo", "subject's request"
    )  # fmt: skip
    with pytest.raises(SealBroken):  # no key in the world opens it now; a new key fails
        store.data_key(kept).open_text(sealed, b"context", "the sealed date")  # type: ignore[union-attr]
    assert b"C-2" not in settings.key_store.read_bytes()


def test_keys_never_show_in_a_repr() -> None:
    master = MasterKey(new_key())
    assert master.to_text() not in repr(master) and "secret" in repr(master)
    assert repr(master.wrapping) == "Key(<secret>)"
