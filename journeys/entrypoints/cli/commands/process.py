"""`journeys process`: apply submissions through the journey rules onto the record (exactly once).

Consume care.journey.submissions as the processor group, append accepted events to
care.journey.events and refusals to care.journey.rejected, committing offsets in the
same Kafka transaction. Needs KAFKA_BOOTSTRAP_SERVERS.
"""

from __future__ import annotations

import argparse
import sys

from events.settings import Settings
from journeys.entrypoints.cli.commands._arguments import whole_number
from journeys.kafka.broker import configured_cluster
from journeys.kafka.persistence import discard_state_store
from journeys.kafka.processor import DEFAULT_BATCH_SIZE, ProcessSummary, SubmissionProcessor
from journeys.kafka.topics import ensure_topics


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--until-idle", action="store_true", help="stop once every waiting submission is done"
    )
    parser.add_argument(
        "--batch-size", type=whole_number(least=1), default=DEFAULT_BATCH_SIZE,
        help=f"submissions per transaction (default {DEFAULT_BATCH_SIZE})",
    )  # fmt: skip
    parser.add_argument(
        "--rebuild-state", action="store_true",
        help="first discard the local state store under JOURNEYS_STATE_DIR and rebuild it "
        "from care.journey.events (after the record was lost or restored)",
    )  # fmt: skip


def run(arguments: argparse.Namespace) -> int:
    settings = configured_cluster(Settings.from_environment(), "process")
    ensure_topics(settings)
    if arguments.rebuild_state:
        store = discard_state_store(settings)
        print(f"discarded the state store {store}; reading the record again", file=sys.stderr)

    def report(batch: ProcessSummary) -> None:
        print(f"committed: {batch.describe()}", file=sys.stderr)

    processor = SubmissionProcessor(settings, batch_size=arguments.batch_size, on_batch=report)
    try:
        processor.run(until_idle=arguments.until_idle)
    except KeyboardInterrupt:
        print("interrupted: the open batch was not committed", file=sys.stderr)
    print(processor.summary.describe())
    return 0
