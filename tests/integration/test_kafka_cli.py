"""The source systems' commands end to end: publish, process, rejected, timeline."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runs import run_journeys
from kafka_examples import assessment, simple_journey

from events.jsonl import dumps
from events.settings import Settings

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_a_bad_line_is_reported_skipped_and_the_rest_recorded_refused_and_told(
    kafka: Settings, tmp_path: Path
) -> None:
    refused = assessment("C1", "R7", "A7")
    lines = [dumps(event) for event in simple_journey("C1")]
    lines.insert(1, '{"type": "ReferralReceived", "child_id": "C1"}')
    lines.append(dumps(refused))
    submissions = tmp_path / "submissions.jsonl"
    submissions.write_text("\n".join(lines) + "\n")

    published = run_journeys(kafka, "publish", str(submissions))
    assert published.returncode == 1
    assert f"{submissions}:2: not published" in published.stderr
    assert "published 4 events" in published.stdout

    processed = run_journeys(kafka, "process", "--until-idle")
    assert processed.returncode == 0, processed.stderr
    assert "3 accepted, 1 refused by the rules" in processed.stdout

    rejected = run_journeys(kafka, "rejected")
    assert rejected.returncode == 0, rejected.stderr
    row = next(line for line in rejected.stdout.splitlines() if str(refused.event_id) in line)
    assert "AssessmentStarted" in row and "referral_id" in row and "C1" in row

    timeline = run_journeys(kafka, "timeline", "C1")
    assert timeline.returncode == 0, timeline.stderr
    assert len(timeline.stdout.strip().splitlines()) >= 3
    unknown = run_journeys(kafka, "timeline", "NOBODY")
    assert unknown.returncode == 2
    assert "no journey" in unknown.stderr
