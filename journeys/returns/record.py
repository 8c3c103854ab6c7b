"""The record as the returns read it: an authority's events as known at a moment.

`events_known_at` is the one place the returns read `care.journey.events`: it yields the
decoded events, in clear, of one local authority recorded by a moment: each named by the
authority's own child id and with its personal fields opened, both with the key store
(the record holds pseudonyms and sealed fields: docs/privacy.md). A child erased from the
key store is left out, as if never recorded. The returns are built from these events,
never from the DuckDB projection, whose tables do not hold (and must not hold) the
personal fields a return carries (UPN, postcodes, MC_DOB).

`counting` applies the retractions among them: what the record says at that moment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime

from events.catalogue import EventRetracted, JourneyEvent
from events.codec import default_codec
from events.key_store import KeyStore, KeyStoreMismatch, open_key_store
from events.personal_data import is_sealed, unseal
from events.settings import Settings
from journeys.kafka.record_reader import DistinctEvents


def events_known_at(
    settings: Settings, local_authority: str, as_of: datetime | None = None
) -> Iterator[JourneyEvent]:
    """The authority's events recorded by `as_of` (all of them when None), each once."""
    codec = default_codec()
    # An empty record (a first import) has no key store yet; one with events needs it.
    key_store = open_key_store(settings) if settings.key_store.exists() else None
    try:
        for record in DistinctEvents(settings):
            if record.value is None:
                continue
            if key_store is None:
                key_store = open_key_store(settings)  # raises KeyStoreMissing
            event = codec.decode(record.value)
            if event.local_authority != local_authority:
                continue
            if as_of is not None and event.recorded_at > as_of:
                continue
            opened = _in_clear(key_store, event)
            if opened is not None:
                yield opened
    finally:
        if key_store is not None:
            key_store.close()


def _in_clear(key_store: KeyStore, event: JourneyEvent) -> JourneyEvent | None:
    """The event as the authority knows it, or None for an erased child's."""
    child_id = key_store.child_id_of(event.child_id)
    if child_id is None:
        if event.child_id in key_store.erased_pseudonyms():
            return None
        raise KeyStoreMismatch(
            f"key store {key_store.path} has no key for {event.child_id}, a child of the "
            "record: it is not this record's key store"
        )
    if is_sealed(event):
        data_key = key_store.data_key(event.child_id)
        assert data_key is not None  # child_id_of found it
        event = unseal(event, data_key)
    return replace(event, child_id=child_id)


def counting(events: Iterable[JourneyEvent]) -> list[JourneyEvent]:
    """The events that count: every event not retracted, without the retractions."""
    events = list(events)
    retracted = {e.retracted_event_id for e in events if isinstance(e, EventRetracted)}
    return [e for e in events if not isinstance(e, EventRetracted) and e.event_id not in retracted]
