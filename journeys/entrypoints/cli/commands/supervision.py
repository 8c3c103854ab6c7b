"""`journeys supervision --team T [--worker W] --out FILE.html`: the page for a supervision
meeting, offline and printable.

The team's (or the worker's) figures beside the team's and the authority's for the
reporting year, the trends by month over the last twelve months, and the due list; read
from the projection's snapshot as known at the end of the day (--on, default today).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from events.settings import Settings
from journeys.entrypoints.cli.commands.due import day_of
from journeys.entrypoints.supervision import render_supervision_page
from projections.due import Holder
from projections.readers import open_configured_reader
from projections.supervision import supervision_figures


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--team", required=True, help="the authority's own id of the team")
    parser.add_argument("--worker", help="one of the team's social workers (their own id)")
    parser.add_argument(
        "--local-authority", help="3-digit LA code (needed only if two LAs share the ids)"
    )
    parser.add_argument("--on", help="the day of the meeting (YYYY-MM-DD); default: today")
    parser.add_argument("--year", type=int, help="reporting year; default: the --on day's")
    parser.add_argument("--out", type=Path, required=True, help="the HTML file to write")


def run(arguments: argparse.Namespace) -> int:
    on = day_of(arguments.on, "supervision")
    if on is None:
        return 2
    holder = Holder(
        team=arguments.team, worker=arguments.worker, local_authority=arguments.local_authority
    )
    settings = Settings.from_environment()
    connection = open_configured_reader(settings)
    try:
        page = supervision_figures(connection, holder, on, arguments.year)
    finally:
        connection.close()
    arguments.out.write_text(render_supervision_page(page), encoding="utf-8")
    print(f"journeys supervision: wrote {arguments.out}")
    return 0
