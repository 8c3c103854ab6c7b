"""`journeys due --team T | --worker W | --locality L [--on DATE] [--window DAYS]`: each
child whose next statutory step is due within the window, or overdue.

Reads the projection's snapshot, as known at the end of the day asked: assessments nearing
45 working days, initial child protection conferences, CP and looked-after visits,
looked-after reviews, CP review conferences, a young person nearing 15 years 9 months with
no personal adviser; with the date due and how many days are left (negative: overdue).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime

from events.settings import Settings
from projections.due import DEFAULT_WINDOW_DAYS, Holder, due_items
from projections.output import FORMATS, write
from projections.readers import open_configured_reader


def add_holder_arguments(parser: argparse.ArgumentParser) -> None:
    """--team, --worker, --locality (at least one) and --local-authority."""
    parser.add_argument("--team", help="the authority's own id of the team")
    parser.add_argument("--worker", help="the authority's own id of the social worker")
    parser.add_argument("--locality", help="the authority's own id of the locality")
    parser.add_argument(
        "--local-authority", help="3-digit LA code (needed only if two LAs share the ids)"
    )


def holder_of(arguments: argparse.Namespace, command: str) -> Holder | None:
    """The holder the arguments name; None (after saying why) if they name none."""
    holder = Holder(
        team=arguments.team,
        worker=arguments.worker,
        locality=arguments.locality,
        local_authority=arguments.local_authority,
    )
    if holder.team is None and holder.worker is None and holder.locality is None:
        print(f"journeys {command}: name a --team, a --worker or a --locality", file=sys.stderr)
        return None
    return holder


def day_of(text: str | None, command: str) -> date | None:
    """--on: an ISO date, or today (UTC) when not given; None (said why) if not a date."""
    if text is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        print(
            f"journeys {command}: --on must be a date (YYYY-MM-DD), not {text!r}", file=sys.stderr
        )
        return None


def register(parser: argparse.ArgumentParser) -> None:
    add_holder_arguments(parser)
    parser.add_argument("--on", help="the day (YYYY-MM-DD); default: today (UTC)")
    parser.add_argument(
        "--window",
        type=int,
        default=DEFAULT_WINDOW_DAYS,
        help=f"days ahead to list (default {DEFAULT_WINDOW_DAYS}); overdue steps always show",
    )
    parser.add_argument("--format", choices=FORMATS, default="table")


def run(arguments: argparse.Namespace) -> int:
    holder = holder_of(arguments, "due")
    on = day_of(arguments.on, "due")
    if holder is None or on is None:
        return 2
    if arguments.window < 0:
        print(f"journeys due: --window must be 0 or more, not {arguments.window}", file=sys.stderr)
        return 2
    settings = Settings.from_environment()
    connection = open_configured_reader(settings)
    try:
        write(due_items(connection, holder, on, arguments.window), arguments.format, sys.stdout)
    finally:
        connection.close()
    return 0
