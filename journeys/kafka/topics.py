"""The project's topics, created with the retention a permanent record needs."""

from __future__ import annotations

import contextlib

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from journeys.config import Settings

# A permanent record: no time limit and no size limit on retention, never compacted.
PERMANENT_RETENTION = {
    "retention.ms": "-1",
    "retention.bytes": "-1",
    "cleanup.policy": "delete",
}


def ensure_topics(settings: Settings) -> None:
    """Create the submissions, events and rejected topics if they do not exist yet."""
    admin = KafkaAdminClient(**settings.client_options())
    try:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(
                name,
                num_partitions=settings.partitions,
                replication_factor=settings.replication_factor,
                topic_configs=PERMANENT_RETENTION,
            )
            for name in (
                settings.submissions_topic,
                settings.events_topic,
                settings.rejected_topic,
            )
            if name not in existing
        ]
        if wanted:
            # Created concurrently by another process: what we wanted.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(wanted)
    finally:
        admin.close()
