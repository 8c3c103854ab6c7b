"""A child's journey read back from the record (`care.journey.events`), in plain English."""

from __future__ import annotations

from events.codec import default_codec
from events.settings import Settings
from journeys.kafka.exceptions import ChildNotInRecord
from journeys.kafka.record_reader import DistinctEvents


def local_authorities_of(settings: Settings, child_id: str) -> set[str]:
    """The local authorities whose records hold a journey for this child id.

    Each event once, however many copies the topic holds (DistinctEvents logs how many
    it skipped); the timeline itself is loaded through the state store, which does too.
    """
    codec = default_codec()
    key = child_id.encode("utf-8")
    return {
        codec.decode(record.value).local_authority
        for record in DistinctEvents(settings)
        if record.key == key and record.value is not None
    }


def read_timeline(
    settings: Settings, child_id: str, local_authority: str | None = None
) -> list[str]:
    """The journey's timeline, loaded through the Kafka persistence module."""
    from journeys.kafka.processor import journey_application

    if local_authority is None:
        authorities = local_authorities_of(settings, child_id)
        if not authorities:
            raise ChildNotInRecord(f"no journey on {settings.events_topic} for child {child_id!r}")
        if len(authorities) > 1:
            raise ChildNotInRecord(
                f"child id {child_id!r} is used by local authorities "
                f"{', '.join(sorted(authorities))}: choose one with --local-authority"
            )
        (local_authority,) = authorities
    # A private in-memory store: never share the processor's store file.
    app = journey_application(settings, memory_store=True)
    try:
        return list(app.journey(local_authority, child_id).timeline())
    finally:
        app.factory.close()
