"""JourneyMapper: the stored state is the contract's bytes, reused only when they are exact."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from eventsourcing.persistence import JSONTranscoder
from schema_versions import (
    CURRENT_PLACEMENT_STARTED,
    NEXT_PLACEMENT_STARTED,
    message_of,
    schemas_with,
)

from events.catalogue import ChildRegistered, PlacementStarted, fields_of
from events.codec import AvroCodec, default_codec
from journeys.domain.journey import Journey, rebuild_domain_event
from journeys.kafka.mapper import JourneyMapper

CHILD = ChildRegistered(
    event_id=uuid.uuid4(), child_id="C-7", local_authority="371", occurred_on=date(2024, 3, 1),
    recorded_at=datetime(2024, 3, 2, 8, tzinfo=UTC), source_system="LL",
    date_of_birth=date(2015, 6, 1), sex="F", ethnicity="WBRI",
)  # fmt: skip
PLACEMENT = PlacementStarted(
    event_id=uuid.uuid4(), child_id="C-7", local_authority="371", occurred_on=date(2024, 3, 1),
    recorded_at=datetime(2024, 3, 2, 8, tzinfo=UTC), source_system="LL", placement_id="PL-1",
    period_id="PC-1", placement_type="U4", provider="PR2", carer_id="K-1",
)  # fmt: skip


def mapper(codec: AvroCodec | None = None) -> JourneyMapper:
    return JourneyMapper(JSONTranscoder(), codec=codec or default_codec())


def test_state_is_the_encoded_payload_and_the_key_the_child() -> None:
    stored = mapper().to_stored_event(rebuild_domain_event(CHILD, 1))
    assert stored.state == default_codec().encode(CHILD)
    assert (stored.topic, stored.key) == ("ChildRegistered", b"C-7")  # type: ignore[attr-defined]
    assert isinstance(mapper().to_domain_event(stored), Journey.Event)


def test_remembered_submission_bytes_are_stored_as_they_came() -> None:
    the_mapper = mapper()
    # The same event, written by a source system whose encoder made different but valid
    # bytes would be stored as sent; here, prove the bytes come from the message itself.
    message = default_codec().encode(CHILD)
    payload = default_codec().decode(message)
    the_mapper.remember_wire(payload, message)
    assert the_mapper.to_stored_event(rebuild_domain_event(payload, 1)).state is message


def test_only_the_very_object_remembered_reuses_its_bytes() -> None:
    the_mapper = mapper()
    message = default_codec().encode(CHILD)
    payload = default_codec().decode(message)
    the_mapper.remember_wire(payload, message)
    equal_but_another = copy.copy(payload)
    state = the_mapper.to_stored_event(rebuild_domain_event(equal_but_another, 1)).state
    assert state == message and state is not message  # encoded afresh


def test_forgotten_bytes_are_not_reused() -> None:
    the_mapper = mapper()
    message = default_codec().encode(CHILD)
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
    payload = on_v1.decode(message)
    the_mapper = mapper(on_v1)
    the_mapper.remember_wire(payload, message)
    state = the_mapper.to_stored_event(rebuild_domain_event(payload, 2)).state
    assert state[2:10] == on_v1.fingerprint("PlacementStarted") != message[2:10]
    assert on_v1.decode(state) == payload == PLACEMENT
