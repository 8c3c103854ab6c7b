"""`journeys demo`: generate a synthetic authority, run it through the service, write report.html.

Start the embedded broker (unless KAFKA_BOOTSTRAP_SERVERS is set), generate a Doncaster-
sized authority, publish, process and project it, write its last three years' SSDA903
and CIN census returns from the record and validate them, print the indicators beside
the case study's published figures and write report.html.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from events.settings import Settings
from journeys.entrypoints.cli.commands.generate import add_authority_arguments, parameters_from
from journeys.entrypoints.demo import run_demo


def register(parser: argparse.ArgumentParser) -> None:
    add_authority_arguments(parser)
    parser.add_argument(
        "--out-dir", type=Path, default=Path("demo-output"),
        help="where submissions.jsonl, the DuckDB projection and report.html go (demo-output)",
    )  # fmt: skip


def run(arguments: argparse.Namespace) -> int:
    params = parameters_from(arguments, "demo")
    if params is None:
        return 2
    run_demo(params, arguments.out_dir, Settings.from_environment(), returns=True)
    return 0
