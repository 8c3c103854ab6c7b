"""The project's topics, created so that Kafka never deletes the record of its own accord.

The record is then as lasting as the cluster's storage, and no more (README, "What is
durable"): on the embedded broker, which keeps topics in memory, it ends with the broker.

The submissions topic is the exception: it is an inbox, and it holds each child's
personal data in clear as the case-management system sent it (the record and the
rejected topic hold it sealed). So it keeps messages for SUBMISSIONS_RETENTION_DAYS only:
long enough for a processor stopped over a long weekend to catch up, short enough that an
erased child's last submissions do not linger. A topic that exists already keeps its own
settings: set `retention.ms` on it with the cluster's tools (docs/privacy.md).
"""

from __future__ import annotations

import contextlib

from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from events.kafka import client
from events.settings import Settings

# No time limit and no size limit on retention, never compacted.
UNLIMITED_RETENTION = {
    "retention.ms": "-1",
    "retention.bytes": "-1",
    "cleanup.policy": "delete",
}


SUBMISSIONS_RETENTION_DAYS = 7
INBOX_RETENTION = {
    "retention.ms": str(SUBMISSIONS_RETENTION_DAYS * 24 * 3600 * 1000),
    "retention.bytes": "-1",
    "cleanup.policy": "delete",
}


def ensure_topics(settings: Settings) -> None:
    """Create the submissions, events and rejected topics if they do not exist yet."""
    admin = client.admin(settings)
    try:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(
                name,
                num_partitions=settings.partitions,
                replication_factor=settings.replication_factor,
                topic_configs=(
                    INBOX_RETENTION if name == settings.submissions_topic else UNLIMITED_RETENTION
                ),
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
