"""Events as the processor writes them onto the record, for tests that write it directly.

The record names each child by pseudonym and seals the personal fields under the child's
key (journeys.kafka.privacy); a test that puts events on `care.journey.events` itself,
without the processor, enrols each child in the settings' key store the same way, so that
the projection runner reads what it would read from the processor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from events.catalogue import JourneyEvent
from events.codec import default_codec
from events.key_store import open_key_store
from events.personal_data import has_personal_fields, is_sealed, seal, unseal
from events.settings import Settings


def as_recorded(settings: Settings, events: Iterable[JourneyEvent]) -> list[JourneyEvent]:
    """Each event named by its child's pseudonym, personal fields sealed."""
    key_store = open_key_store(settings, may_create=True)
    try:
        recorded = []
        for event in events:
            pseudonym = key_store.enrol(event.local_authority, event.child_id)
            event = dataclasses.replace(event, child_id=pseudonym)
            if has_personal_fields(type(event)):
                data_key = key_store.data_key(pseudonym)
                assert data_key is not None
                event = seal(event, data_key)
            recorded.append(event)
        return recorded
    finally:
        key_store.close()


def recorded_messages(
    settings: Settings, events: Iterable[JourneyEvent]
) -> list[tuple[JourneyEvent, bytes, bytes]]:
    """(event as recorded, Kafka key, value) for each event."""
    codec = default_codec()
    return [
        (event, event.child_id.encode(), codec.encode(event))
        for event in as_recorded(settings, events)
    ]


def pseudonym_for(settings: Settings, local_authority: str, child_id: str) -> str:
    """The child's pseudonym in the settings' key store, enrolling the child if new."""
    key_store = open_key_store(settings, may_create=True)
    try:
        return key_store.enrol(local_authority, child_id)
    finally:
        key_store.close()


def opened(settings: Settings, event: JourneyEvent) -> JourneyEvent:
    """An event read off the record with its personal fields opened."""
    if not is_sealed(event):
        return event
    key_store = open_key_store(settings)
    try:
        data_key = key_store.data_key(event.child_id)
        assert data_key is not None
        return unseal(event, data_key)
    finally:
        key_store.close()
