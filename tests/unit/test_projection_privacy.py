"""What the analysts' database keeps of a child, by mode (projections.privacy)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import journey_builders as b
import pytest

from events.codec import default_codec
from events.key_store import KeyStore, KeyStoreMismatch, KeyStoreMissing, open_key_store
from events.personal_data import seal
from events.settings import IDENTIFIED, Settings
from projections import privacy
from projections.decode import MessageDecoder
from projections.exceptions import AnalysisModeChanged


def _settings(tmp_path: Path, **changes: str) -> Settings:
    return replace(
        Settings(key_store=tmp_path / "keys.sqlite", master_key_file=tmp_path / "master.key"),
        **changes,
    )


def _sealed_batch(key_store: KeyStore, child_ids: list[str]) -> tuple[list[str], object]:
    """Each child registered (born 29 February 2008) as the record holds it, decoded."""
    codec = default_codec()
    pseudonyms, messages = [], []
    for offset, child_id in enumerate(child_ids):
        pseudonym = key_store.enrol(b.LOCAL_AUTHORITY, child_id)
        registered = b.child_registered(child_id=pseudonym, date_of_birth="2008-02-29")
        on_record = seal(registered, key_store.data_key(pseudonym))
        messages.append((codec.encode(on_record), 0, offset))
        pseudonyms.append(pseudonym)
    return pseudonyms, MessageDecoder(codec).to_arrow(messages)


def test_pseudonymised_keeps_the_dates_indicators_need_and_no_date_of_birth(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    key_store = open_key_store(settings, may_create=True)
    (pseudonym,), batch = _sealed_batch(key_store, ["C-1"])
    row = privacy.PersonalDataOpener(key_store, settings).open(batch).to_pylist()[0]
    assert row["child_id"] == pseudonym
    assert row["date_of_birth"] is None and row["authority_child_id"] is None
    assert row["sealed_personal_data"] is None
    # Born 29 February 2008: the first birthday is 28 February 2009, the fourth a 29th;
    # 15 years 9 months on is 29 November 2023 (189 months, one interval).
    assert row["birthdays"][:4] == [
        date(2009, 2, 28), date(2010, 2, 28), date(2011, 2, 28), date(2012, 2, 29)
    ]  # fmt: skip
    assert len(row["birthdays"]) == privacy.BIRTHDAYS
    assert row["reaches_15y9m_on"] == date(2023, 11, 29)


def test_identified_keeps_the_authority_s_id_and_the_date_of_birth(tmp_path: Path) -> None:
    settings = _settings(tmp_path, analysis=IDENTIFIED)
    key_store = open_key_store(settings, may_create=True)
    _, batch = _sealed_batch(key_store, ["C-1"])
    row = privacy.PersonalDataOpener(key_store, settings).open(batch).to_pylist()[0]
    assert (row["authority_child_id"], row["date_of_birth"]) == ("C-1", date(2008, 2, 29))


def test_an_erased_child_s_rows_are_dropped_and_a_stranger_s_stop_the_load(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    key_store = open_key_store(settings, may_create=True)
    pseudonyms, batch = _sealed_batch(key_store, ["C-1", "C-2"])
    key_store.erase(b.LOCAL_AUTHORITY, ["C-1"], by="test", reason="request")
    opener = privacy.PersonalDataOpener(open_key_store(settings), settings)
    assert opener.open(batch)["child_id"].to_pylist() == [pseudonyms[1]]

    elsewhere = _settings(tmp_path / "elsewhere")
    stranger = privacy.PersonalDataOpener(open_key_store(elsewhere, may_create=True), elsewhere)
    with pytest.raises(KeyStoreMismatch, match="not this record's key store"):
        stranger.open(batch)
    with pytest.raises(KeyStoreMissing):
        privacy.PersonalDataOpener(None, settings).open(batch)


def test_a_database_says_which_mode_built_it_and_refuses_the_other(tmp_path: Path) -> None:
    connection = duckdb.connect()
    privacy.install(connection, _settings(tmp_path))
    assert connection.execute("select mode from privacy_mode").fetchall() == [("pseudonymised",)]
    with pytest.raises(AnalysisModeChanged, match="rebuild"):
        privacy.install(connection, _settings(tmp_path, analysis=IDENTIFIED))
