"""Schema evolution: a next version with an added optional field and a new enum symbol.

The next version (v3 of PlacementStarted, a fixture) reads messages written with the
current one (v2), and a service still on v2 reads messages written with v3 (the new field
is skipped; the new code arrives as the enum default UNKNOWN).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from schema_versions import (
    CURRENT_PLACEMENT_STARTED,
    NEXT_PLACEMENT_STARTED,
    message_of,
    schemas_with,
)

from events.catalogue import PlacementStarted, fields_of
from events.codec import AvroCodec
from events.exceptions import InvalidEvent


@pytest.fixture(scope="module")
def schemas_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real schemas plus the fixture's PlacementStarted v3."""
    return schemas_with(tmp_path_factory.mktemp("schemas"), NEXT_PLACEMENT_STARTED)


EVENT = PlacementStarted(
    event_id=uuid.uuid4(), child_id="C-7", local_authority="371", occurred_on=date(2024, 3, 1),
    recorded_at=datetime(2024, 3, 2, 8, tzinfo=UTC), source_system="LL", placement_id="PL-1",
    period_id="PC-1", placement_type="U4", provider="PR2", carer_id="K-1",
)  # fmt: skip


def v2_message(codec: AvroCodec, **changes: Any) -> bytes:
    v2 = codec.registry.versions("PlacementStarted")[-1]
    record = {f.name: getattr(EVENT, f.name) for f in fields_of(PlacementStarted)}
    return message_of(v2, record | {"carer_postcode_district": "DN1"} | changes)


def test_v2_reads_a_message_written_with_v1(schemas_dir: Path) -> None:
    on_v1 = AvroCodec(schemas_dir, versions={"PlacementStarted": CURRENT_PLACEMENT_STARTED})
    on_v2 = AvroCodec(schemas_dir)
    assert on_v2.current_version("PlacementStarted").version == CURRENT_PLACEMENT_STARTED + 1

    data = on_v1.encode(EVENT)
    assert (
        data[2:10] == on_v1.fingerprint("PlacementStarted") != on_v2.fingerprint("PlacementStarted")
    )
    event_type, record = on_v2.decode_record(data)
    assert event_type == "PlacementStarted"
    assert record["carer_postcode_district"] is None  # the v2 default
    assert {k: v for k, v in record.items() if k != "carer_postcode_district"} == {
        f.name: getattr(EVENT, f.name) for f in fields_of(PlacementStarted)
    }


def test_v1_reads_a_message_written_with_v2(schemas_dir: Path) -> None:
    on_v1 = AvroCodec(schemas_dir, versions={"PlacementStarted": CURRENT_PLACEMENT_STARTED})
    assert on_v1.decode(v2_message(on_v1)) == EVENT


def test_v1_reads_a_code_only_v2_knows_as_the_enum_default(schemas_dir: Path) -> None:
    on_v1 = AvroCodec(schemas_dir, versions={"PlacementStarted": CURRENT_PLACEMENT_STARTED})
    assert on_v1.decode(v2_message(on_v1, provider="PR6")).provider == "UNKNOWN"


def test_a_schema_the_class_does_not_match_cannot_build_events(schemas_dir: Path) -> None:
    on_v2 = AvroCodec(schemas_dir)
    with pytest.raises(InvalidEvent) as raised:
        on_v2.decode(v2_message(on_v2))
    assert raised.value.rule == "class_mismatch"
    assert "carer_postcode_district" in str(raised.value)


def test_pinning_a_version_that_does_not_exist_is_refused(schemas_dir: Path) -> None:
    with pytest.raises(ValueError, match="no version 4"):
        AvroCodec(schemas_dir, versions={"PlacementStarted": 4})
