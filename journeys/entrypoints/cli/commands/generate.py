"""`journeys generate`: write a synthetic local authority's journeys to a JSON Lines file.

Generate complete, rule-abiding journeys for a synthetic authority. Same seed, same
file, byte for byte.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from events.catalogue import JourneyEvent
from events.jsonl import write_jsonl
from events.progress import Progress
from journeys.synthetic import AuthorityParameters, generate
from journeys.synthetic.population import population


def register(parser: argparse.ArgumentParser) -> None:
    add_authority_arguments(parser)
    parser.add_argument(
        "--invalid-share",
        type=float,
        default=0.0,
        help="share of submissions that break a rule on purpose, e.g. 0.01 (default 0)",
    )
    parser.add_argument("--out", type=Path, required=True, help="the JSON Lines file to write")


def add_authority_arguments(parser: argparse.ArgumentParser) -> None:
    """The options `generate` and `demo` share."""
    defaults = AuthorityParameters()
    parser.add_argument(
        "--children",
        type=int,
        default=defaults.children,
        help=f"the child population of the authority (default {defaults.children:,}, "
        "Doncaster-sized); only children referred get a journey",
    )
    parser.add_argument(
        "--from-year", type=int, default=defaults.from_year, help="first reporting year"
    )
    parser.add_argument("--to-year", type=int, default=defaults.to_year, help="last reporting year")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="random seed (default 1)")


def parameters_from(arguments: argparse.Namespace, command: str) -> AuthorityParameters | None:
    """The authority the options describe; None, with the reason on stderr under
    `journeys <command>:`, where the options do not make one (the caller exits with 2)."""
    try:
        return AuthorityParameters(
            children=arguments.children,
            from_year=arguments.from_year,
            to_year=arguments.to_year,
            seed=arguments.seed,
            invalid_share=getattr(arguments, "invalid_share", 0.0),
        )
    except ValueError as error:
        print(f"journeys {command}: {error}", file=sys.stderr)
        return None


def generate_with_progress(params: AuthorityParameters) -> Iterator[JourneyEvent]:
    """The authority's events, with progress shown per child on stderr."""
    children = sum(1 for _ in population(params))
    with Progress(children, "generating journeys", unit="children") as progress:
        current_child = None
        for event in generate(params):
            if event.child_id != current_child:
                if current_child is not None:
                    progress.advance(1)
                current_child = event.child_id
            yield event
        progress.advance(1 if current_child is not None else 0)


def run(arguments: argparse.Namespace) -> int:
    params = parameters_from(arguments, "generate")
    if params is None:
        return 2
    started = time.monotonic()
    written = write_jsonl(arguments.out, generate_with_progress(params))
    seconds = time.monotonic() - started
    print(f"wrote {written:,} events to {arguments.out} in {seconds:.1f} s")
    return 0
