"""JourneyMapper: the stored state is the contract's bytes, reused only when they are exact,
with the personal fields sealed under the child's key."""

from __future__ import annotations

import copy
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from eventsourcing.persistence import JSONTranscoder
from schema_versions import (
    CURRENT_PLACEMENT_STARTED,
    NEXT_PLACEMENT_STARTED,
    message_of,
    schemas_with,
)

from events.catalogue import ChildRegistered, PlacementStarted, ReferralReceived, fields_of
from events.codec import AvroCodec, default_codec, with_child_id
from events.key_store import KeyStoreMissing, open_key_store
from events.personal_data import PLACEHOLDER_DATE
from events.settings import Settings
from journeys.domain.journey import Journey, payload_of, rebuild_domain_event
from journeys.kafka.mapper import JourneyMapper
from journeys.kafka.privacy import RecordPrivacy

CHILD = ChildRegistered(
    event_id=uuid.uuid4(), child_id="C-7", local_authority="371", occurred_on=date(2024, 3, 1),
    recorded_at=datetime(2024, 3, 2, 8, tzinfo=UTC), source_system="LL",
    date_of_birth=date(2015, 6, 1), sex="F", ethnicity="WBRI",
)  # fmt: skip
REFERRAL = ReferralReceived(
    event_id=uuid.uuid4(), child_id="C-7", local_authority="371", occurred_on=date(2024, 3, 1),
    recorded_at=datetime(2024, 3, 2, 8, tzinfo=UTC), source_system="LL", referral_id="R-1",
    source="1A",
)  # fmt: skip
PLACEMENT = PlacementStarted(
    event_id=uuid.uuid4(), child_id="C-7", local_authority="371", occurred_on=date(2024, 3, 1),
    recorded_at=datetime(2024, 3, 2, 8, tzinfo=UTC), source_system="LL", placement_id="PL-1",
    period_id="PC-1", placement_type="U4", provider="PR2", carer_id="K-1",
)  # fmt: skip


def mapper(codec: AvroCodec | None = None, privacy: RecordPrivacy | None = None) -> JourneyMapper:
    the_mapper = JourneyMapper(JSONTranscoder(), codec=codec or default_codec())
    the_mapper.privacy = privacy
    return the_mapper


def key_store_privacy(tmp_path: Path) -> tuple[RecordPrivacy, ChildRegistered]:
    """A key store, and CHILD as the journey holds it: named by the pseudonym enrolled."""
    settings = Settings(key_store=tmp_path / "keys.sqlite", master_key_file=tmp_path / "master.key")
    privacy = RecordPrivacy(open_key_store(settings, may_create=True))
    return privacy, privacy.admit(CHILD, b"")


def test_state_is_the_encoded_payload_sealed_and_the_key_the_pseudonym(tmp_path: Path) -> None:
    privacy, child = key_store_privacy(tmp_path)
    stored = mapper(privacy=privacy).to_stored_event(rebuild_domain_event(child, 1))
    on_the_record = default_codec().decode(stored.state)
    assert isinstance(on_the_record, ChildRegistered)
    assert on_the_record.child_id == child.child_id != CHILD.child_id
    assert on_the_record.date_of_birth == PLACEHOLDER_DATE  # the date itself is sealed
    assert on_the_record.sealed_personal_data.startswith("s1.")
    assert (stored.topic, stored.key) == ("ChildRegistered", child.child_id.encode())  # type: ignore[attr-defined]
    loaded = mapper(privacy=privacy).to_domain_event(stored)
    assert isinstance(loaded, Journey.Event)
    assert payload_of(loaded) == child  # opened again: the date of birth is back


def test_without_a_key_store_personal_fields_are_neither_stored_nor_loaded(
    tmp_path: Path,
) -> None:
    privacy, child = key_store_privacy(tmp_path)
    with pytest.raises(KeyStoreMissing):
        mapper().to_stored_event(rebuild_domain_event(child, 1))
    stored = mapper(privacy=privacy).to_stored_event(rebuild_domain_event(child, 1))
    with pytest.raises(KeyStoreMissing):
        mapper().to_domain_event(stored)


def test_a_child_s_events_without_personal_fields_need_no_key() -> None:
    stored = mapper().to_stored_event(rebuild_domain_event(REFERRAL, 2))
    assert stored.state == default_codec().encode(REFERRAL)


def test_remembered_submission_bytes_are_stored_as_they_came() -> None:
    the_mapper = mapper()
    # The same event, written by a source system whose encoder made different but valid
    # bytes would be stored as sent; here, prove the bytes come from the message itself.
    message = default_codec().encode(REFERRAL)
    payload = default_codec().decode(message)
    the_mapper.remember_wire(payload, message)
    assert the_mapper.to_stored_event(rebuild_domain_event(payload, 1)).state is message


def test_only_the_very_object_remembered_reuses_its_bytes() -> None:
    the_mapper = mapper()
    message = default_codec().encode(REFERRAL)
    payload = default_codec().decode(message)
    the_mapper.remember_wire(payload, message)
    equal_but_another = copy.copy(payload)
    state = the_mapper.to_stored_event(rebuild_domain_event(equal_but_another, 1)).state
    assert state == message and state is not message  # encoded afresh


def test_forgotten_bytes_are_not_reused() -> None:
    the_mapper = mapper()
    message = default_codec().encode(REFERRAL)
    payload = default_codec().decode(message)
    the_mapper.remember_wire(payload, message)
    the_mapper.forget_wire()
    assert the_mapper.to_stored_event(rebuild_domain_event(payload, 1)).state is not message


def test_a_submission_of_another_schema_version_is_stored_in_the_current_one(
    tmp_path: Path,
) -> None:
    # A source system already on the next version of PlacementStarted; this service not.
    schemas_dir = schemas_with(tmp_path, NEXT_PLACEMENT_STARTED)
    on_v1 = AvroCodec(schemas_dir, versions={"PlacementStarted": CURRENT_PLACEMENT_STARTED})
    v2 = on_v1.registry.versions("PlacementStarted")[-1]
    record = {f.name: getattr(PLACEMENT, f.name) for f in fields_of(PlacementStarted)}
    message = message_of(v2, record | {"carer_postcode_district": "DN1"})
    privacy, _ = key_store_privacy(tmp_path)
    payload = privacy.admit(on_v1.decode(message), message)  # as the processor judges it
    the_mapper = mapper(on_v1, privacy)
    the_mapper.remember_wire(payload, message)
    state = the_mapper.to_stored_event(rebuild_domain_event(payload, 2)).state
    assert state[2:10] == on_v1.fingerprint("PlacementStarted") != message[2:10]
    assert (
        privacy.open(on_v1.decode(state))
        == payload
        == replace(PLACEMENT, child_id=payload.child_id)
    )


def test_the_bytes_of_an_event_with_personal_fields_are_never_reused(tmp_path: Path) -> None:
    privacy, child = key_store_privacy(tmp_path)
    the_mapper = mapper(privacy=privacy)
    message = default_codec().encode(child)  # clear: as submitted, with the pseudonym
    the_mapper.remember_wire(child, message)
    state = the_mapper.to_stored_event(rebuild_domain_event(child, 1)).state
    assert state != message and default_codec().decode(state).sealed_personal_data


def test_the_pseudonym_swapped_into_the_bytes_decodes_as_the_same_event() -> None:
    message = default_codec().encode(REFERRAL)
    swapped = with_child_id(message, "ps-0123456789abcdef01234567")
    assert default_codec().decode(swapped) == replace(
        REFERRAL, child_id="ps-0123456789abcdef01234567"
    )
