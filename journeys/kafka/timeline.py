"""A child's journey read back from the record (`care.journey.events`), in plain English.

The record names children by pseudonym: the key store finds the child's (for the local
authority given, or for the one authority whose record holds the id) and opens the
journey's personal fields for the reader.
"""

from __future__ import annotations

from events.key_store import KeyStore, open_key_store
from events.settings import Settings
from journeys.kafka.exceptions import ChildNotInRecord
from journeys.kafka.privacy import RecordPrivacy


def pseudonym_of(
    key_store: KeyStore, child_id: str, local_authority: str | None
) -> tuple[str, str]:
    """(local authority, pseudonym) of the authority's child id; ChildNotInRecord if none."""
    authorities = [local_authority] if local_authority else key_store.local_authorities()
    found = {
        authority: pseudonym
        for authority in authorities
        if (pseudonym := key_store.pseudonym_of(authority, child_id)) is not None
    }
    if not found:
        where = f" of local authority {local_authority}" if local_authority else ""
        raise ChildNotInRecord(f"no journey{where} in the record for child {child_id!r}")
    if len(found) > 1:
        raise ChildNotInRecord(
            f"child id {child_id!r} is used by local authorities "
            f"{', '.join(sorted(found))}: choose one with --local-authority"
        )
    ((authority, pseudonym),) = found.items()
    return authority, pseudonym


def read_timeline(
    settings: Settings, child_id: str, local_authority: str | None = None
) -> list[str]:
    """The journey's timeline, loaded through the Kafka persistence module."""
    from journeys.kafka.processor import journey_application

    # The record first (a private in-memory store: never share the processor's store
    # file), so an unreachable cluster is named before anything else.
    app = journey_application(settings, memory_store=True)
    try:
        key_store = open_key_store(settings)
        try:
            authority, pseudonym = pseudonym_of(key_store, child_id, local_authority)
            app.mapper.privacy = RecordPrivacy(key_store)
            return list(app.journey(authority, pseudonym).timeline())
        finally:
            key_store.close()
    finally:
        app.factory.close()
