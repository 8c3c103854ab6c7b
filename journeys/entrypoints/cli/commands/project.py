"""`journeys project`: project the events topic into the DuckDB database (JOURNEYS_DB).

Read care.journey.events from where the database left off and load it into JOURNEYS_DB;
after each batch (at most once a second) publish the read-only snapshot that BI tools
and analysts open. With --follow --serve-reads, also serve reads from this process
(journeys.duckdb.reads: projections.served_reads), which `journeys sql`, `indicators`, `due`
and `supervision` use while it runs: they see each commit with no copy in between, while
the snapshot is refreshed less often.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from events.settings import Settings
from journeys.entrypoints.cli.commands._arguments import whole_number
from journeys.kafka.broker import kafka_settings
from journeys.kafka.topics import ensure_topics
from projections.runner import ProjectionSummary, RunnerOptions, project, rebuild
from projections.snapshot import snapshot_path


def register(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--until-idle", action="store_true", help="stop once caught up with the topic (the default)"
    )
    mode.add_argument(
        "--follow", action="store_true", help="keep following the topic until interrupted"
    )
    parser.add_argument(
        "--serve-reads",
        action="store_true",
        help="with --follow: answer journeys sql, indicators, due and supervision from this "
        "process, with no snapshot copy between (the snapshot is then refreshed less often)",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="build a fresh database from offset 0 and swap it in atomically",
    )
    parser.add_argument(
        "--batch-size",
        type=whole_number(least=1),
        default=RunnerOptions.max_batch,
        help="most events per DuckDB transaction (default %(default)s)",
    )


def run(arguments: argparse.Namespace) -> int:
    options = RunnerOptions(max_batch=arguments.batch_size, show_progress=True)
    with kafka_settings(Settings.from_environment()) as settings:
        ensure_topics(settings)
        try:
            if arguments.rebuild:
                summary = rebuild(settings, options=options)
                print(
                    f"rebuilt {settings.database} from {summary.events:,} events"
                    f"{_skipped(summary)}",
                    file=sys.stderr,
                )
            if arguments.follow:
                print(
                    f"following {settings.events_topic} into {settings.database}; "
                    f"readers open {snapshot_path(settings.database)}",
                    file=sys.stderr,
                )
                summary = project(
                    settings,
                    follow=True,
                    stop=_stop_on_signal(),
                    options=options,
                    serve_reads=arguments.serve_reads,
                )
                print(
                    f"projected {summary.events:,} new events{_skipped(summary)}", file=sys.stderr
                )
                print("stopped; every committed batch is kept", file=sys.stderr)
            elif not arguments.rebuild:
                summary = project(settings, follow=False, options=options)
                print(
                    f"projected {summary.events:,} new events into {settings.database}"
                    f"{_skipped(summary)}",
                    file=sys.stderr,
                )
        except KeyboardInterrupt:
            print("stopped; every committed batch is kept", file=sys.stderr)
    return 0


def _skipped(summary: ProjectionSummary) -> str:
    if summary.skipped_copies == 0:
        return ""
    return (
        f"; skipped {summary.skipped_copies:,} later copies of events already projected "
        "(records of aborted transactions the broker showed)"
    )


def _stop_on_signal() -> threading.Event:
    """An event set by Ctrl-C or SIGTERM, so a follower stops between batches.

    Raising KeyboardInterrupt wherever the runner happens to be (inside the decoder
    pool's bookkeeping, say) can leave it waiting on its worker; a flag checked by the
    loop ends it cleanly, committing what it has appended.
    """
    stop = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda _number, _frame: stop.set())
    return stop
