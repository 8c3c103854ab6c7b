"""`journeys schemas list|check`: list the event schemas, or check that their versions
stay compatible.

The Avro schemas of the event contract, one file per version.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from events.codec import default_schemas_dir
from events.exceptions import SchemaFileError
from events.schemas import SchemaRegistry, check_compatibility


def register(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="schemas_command", required=True, metavar="ACTION")
    for name, handler, text in (
        ("list", list_schemas, "print each schema's type, version and fingerprint"),
        (
            "check",
            check_schemas,
            "fail (exit 1) unless every version of each schema is backward and forward "
            "compatible with every earlier version",
        ),
    ):
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="the schema directory (default: the repository's schemas/, "
            "or JOURNEYS_SCHEMAS_DIR)",
        )
        action.set_defaults(handler=handler)


def _load(arguments: argparse.Namespace) -> SchemaRegistry | None:
    directory = arguments.dir or default_schemas_dir()
    try:
        return SchemaRegistry.load(directory)
    except SchemaFileError as error:
        print(f"schemas: {error}", file=sys.stderr)
        return None


def list_schemas(arguments: argparse.Namespace) -> int:
    registry = _load(arguments)
    if registry is None:
        return 1
    for version in registry:
        print(f"{version.name}\tv{version.version}\t{version.fingerprint.hex()}")
    return 0


def check_schemas(arguments: argparse.Namespace) -> int:
    registry = _load(arguments)
    if registry is None:
        return 1
    problems = check_compatibility(registry)
    for problem in problems:
        print(f"incompatible: {problem}", file=sys.stderr)
    if problems:
        print(f"schemas: {len(problems)} incompatibilities", file=sys.stderr)
        return 1
    print(f"schemas: {len(registry)} schema versions of {len(registry.names())} types compatible")
    return 0
