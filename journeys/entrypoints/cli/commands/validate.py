"""`journeys validate ssda903 DIR --year Y [--previous DIR] | cin FILE --year Y`: check a
return against the DfE's validation rules.

Runs Data to Insight's packages of the DfE's rules (csc-validator-be-903,
csc-validator-be-cin) for the collection year ending in March of Y, in their own Python
environment (created on first use, see docs/returns.md), and prints each rule that fires
with the rows it flags. The exit code is 1 when any rule fires.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from journeys.entrypoints.cli.commands._arguments import whole_number
from journeys.returns.authorities import ons_code
from journeys.returns.validators import Validation, validate_cin, validate_ssda903


def register(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="RETURN")
    ssda903 = kinds.add_parser("ssda903", help="a directory of SSDA903 CSV tables")
    ssda903.add_argument("directory", type=Path, help="the collection year's CSV tables")
    ssda903.add_argument(
        "--previous", type=Path, help="the previous year's tables (rules comparing years)"
    )
    ssda903.add_argument(
        "--local-authority",
        default="371",
        help="the authority: its 3-digit DfE code or ONS code (default 371, Doncaster)",
    )
    cin = kinds.add_parser("cin", help="a CIN census XML file")
    cin.add_argument("file", type=Path, help="the CIN census XML file")
    for kind in (ssda903, cin):
        kind.add_argument(
            "--year",
            type=whole_number(2000),
            required=True,
            help="the collection year, by the March it ends in",
        )


def run(arguments: argparse.Namespace) -> int:
    if arguments.kind == "ssda903":
        for directory in (arguments.directory, arguments.previous):
            if directory is not None and not directory.is_dir():
                print(f"journeys validate: {directory} is not a directory", file=sys.stderr)
                return 2
        validation = validate_ssda903(
            arguments.directory,
            arguments.year,
            ons_code(arguments.local_authority),
            arguments.previous,
        )
    else:
        if not arguments.file.is_file():
            print(f"journeys validate: {arguments.file} is not a file", file=sys.stderr)
            return 2
        validation = validate_cin(arguments.file, arguments.year)
    print_validation(validation)
    return 0 if validation.passed else 1


def print_validation(validation: Validation) -> None:
    """Each rule that fired, with the rows it flags, then the count."""
    for finding in validation.findings:
        caveat = " (the rule's own note: it may flag rows wrongly)" if finding.caveated else ""
        print(f"{finding.code}: {finding.message}{caveat}")
        if finding.fields:
            print(f"    fields: {', '.join(finding.fields)}")
        for row in finding.rows:
            print(f"    {row.where()}")
    for code in validation.failed:
        print(f"{code}: the rule could not run on this return (a fault of the rule or the data)")
    print(
        f"{validation.ruleset}: {len(validation.errors)} rules found errors on "
        f"{sum(len(f.rows) for f in validation.errors)} rows; "
        f"{len(validation.findings) - len(validation.errors)} more fired that may be wrong; "
        f"{len(validation.failed)} could not run; "
        f"{len(validation.skipped)} skipped (their tables are not in the return)"
    )
