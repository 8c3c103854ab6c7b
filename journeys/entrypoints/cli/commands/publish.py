"""`journeys publish FILE.jsonl`: publish a JSON Lines file of events to
care.journey.submissions.

Sends source-system events to the submissions topic, where the processor judges them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from events.progress import Progress
from events.settings import Settings
from journeys.kafka.broker import configured_cluster
from journeys.kafka.limits import MAX_SUBMISSION_BYTES
from journeys.kafka.publish import count_lines, publish_jsonl
from journeys.kafka.topics import ensure_topics

DESCRIPTION = (
    "Each line is checked against the contract and sent Avro single-object "
    "encoded (key child_id, header event_type). Lines that are not UTF-8 JSON, break the "
    "contract, or make a submission over the record's limit of "
    f"{MAX_SUBMISSION_BYTES:,} bytes are reported with their line number and not sent, "
    "and the other lines are published; the exit code is then 1."
)


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="JSON Lines file, one event per line")


def run(arguments: argparse.Namespace) -> int:
    path: Path = arguments.file
    if not path.is_file():
        print(f"journeys publish: {path} is not a file", file=sys.stderr)
        return 2
    settings = configured_cluster(Settings.from_environment(), "publish")
    ensure_topics(settings)
    with Progress(total=count_lines(path), label="publishing", unit="events") as progress:
        summary = publish_jsonl(settings, path, progress=progress)
    for bad in summary.bad_lines:
        print(f"{path}:{bad.line}: not published: {bad.reason}", file=sys.stderr)
    print(
        f"published {summary.published:,} events to {settings.submissions_topic}; "
        f"{len(summary.bad_lines):,} lines not published"
    )
    return 0 if summary.ok else 1
