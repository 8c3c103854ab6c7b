"""Contract events for Kafka integration tests: small valid journeys, built by hand."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from events.catalogue import (
    AssessmentStarted,
    ChildRegistered,
    JourneyEvent,
    ReferralReceived,
)

LA = "371"
RECORDED = datetime(2016, 5, 1, 9, 0, tzinfo=UTC)


def envelope(child_id: str, occurred_on: date, *, minutes: int = 0) -> dict[str, object]:
    return {
        "event_id": uuid.uuid4(),
        "child_id": child_id,
        "local_authority": LA,
        "occurred_on": occurred_on,
        "recorded_at": RECORDED + timedelta(minutes=minutes),
        "source_system": "kafka-tests",
    }


def registration(child_id: str) -> ChildRegistered:
    return ChildRegistered(
        **envelope(child_id, date(2015, 1, 5)),
        date_of_birth=date(2010, 3, 14),
        sex="F",
        ethnicity="WBRI",
    )


def referral(child_id: str, referral_id: str = "R1", *, day: int = 10) -> ReferralReceived:
    return ReferralReceived(
        **envelope(child_id, date(2015, 2, day), minutes=1),
        referral_id=referral_id,
        source="1A",
        primary_need="N1",
    )


def assessment(child_id: str, referral_id: str, assessment_id: str = "A1") -> AssessmentStarted:
    return AssessmentStarted(
        **envelope(child_id, date(2015, 2, 20), minutes=2),
        assessment_id=assessment_id,
        referral_id=referral_id,
    )


def simple_journey(child_id: str) -> list[JourneyEvent]:
    """Registration, a referral and an assessment under it: three events that pass."""
    return [registration(child_id), referral(child_id), assessment(child_id, "R1")]
