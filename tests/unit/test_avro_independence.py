"""What our codec writes is what Apache's own `avro` package reads, for every event type.

The body after the 10-byte header is read by avro.io with the .avsc file alone, and the
fingerprint in the header is recomputed with avro's own CRC-64-AVRO implementation.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from dataclasses import replace
from pathlib import Path

import avro.io
import avro.schema
import pytest
from hypothesis import given, settings
from strategies import events_of

from events.catalogue import EVENT_CLASSES, EventRetracted, JourneyEvent, fields_of
from events.codec import HEADER_LENGTH, MAGIC, default_codec


def _avro_reads(schema_path: Path, body: bytes) -> dict[str, object]:
    schema = avro.schema.parse(schema_path.read_text())
    decoder = avro.io.BinaryDecoder(io.BytesIO(body))
    return avro.io.DatumReader(schema).read(decoder)


@pytest.mark.parametrize("event_class", EVENT_CLASSES, ids=lambda c: c.__name__)
def test_apache_avro_reads_our_body_with_the_avsc_file(event_class: type[JourneyEvent]) -> None:
    codec = default_codec()
    path = codec.current_version(event_class.__name__).path

    @settings(max_examples=15, deadline=None)
    @given(events_of(event_class))
    def check(event: JourneyEvent) -> None:
        data = codec.encode(event)
        assert data[:2] == MAGIC
        datum = _avro_reads(path, data[HEADER_LENGTH:])
        for field in fields_of(event_class):
            expected = getattr(event, field.name)
            if isinstance(expected, tuple):
                expected = list(expected)
            if isinstance(expected, uuid.UUID):  # avro reads the uuid logical type as text
                expected = str(expected)
            assert datum[field.name] == expected, field.name

    check()


@pytest.mark.parametrize("event_class", EVENT_CLASSES, ids=lambda c: c.__name__)
def test_header_fingerprint_matches_apache_avros_crc64(event_class: type[JourneyEvent]) -> None:
    codec = default_codec()
    path = codec.current_version(event_class.__name__).path
    canonical = codec.current_version(event_class.__name__).canonical_form
    # avro's own CRC-64-AVRO over the canonical form, little-endian as on the wire.
    assert avro.schema._crc_64_fingerprint(canonical.encode()) == codec.fingerprint(
        event_class.__name__
    )
    # avro's canonical form keeps logical-type primitives as {"type": "int"} where the
    # specification's [PRIMITIVES] rule reduces them to "int"; otherwise they agree.
    theirs = avro.schema.parse(path.read_text()).canonical_form
    assert re.sub(r'\{"type":("(?:string|int|long)")\}', r"\1", theirs) == canonical
    assert json.loads(canonical)["name"] == f"uk.gov.care_journeys.events.{event_class.__name__}"


def test_a_uuid_is_written_in_its_canonical_text_form() -> None:
    codec = default_codec()
    event_class = EventRetracted  # two UUID fields
    event_id = uuid.UUID("00000000-0000-4000-8000-0000000000AB")

    @settings(max_examples=1, deadline=None)
    @given(events_of(event_class))
    def check(event: JourneyEvent) -> None:
        data = codec.encode(replace(event, event_id=event_id))
        path = codec.current_version("EventRetracted").path
        datum = _avro_reads(path, data[HEADER_LENGTH:])
        assert str(datum["event_id"]) == "00000000-0000-4000-8000-0000000000ab"

    check()
