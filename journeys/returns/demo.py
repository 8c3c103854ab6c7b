"""The demo's statutory returns: the last three collection years written from the record
and checked by the DfE's rules."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from events.catalogue import JourneyEvent
from journeys.returns.authorities import ons_code
from journeys.returns.cin import cin_census, write_census
from journeys.returns.exceptions import ValidatorRefused, ValidatorsUnavailable
from journeys.returns.ssda903 import ssda903, write_tables
from journeys.returns.validators import Validation, validate_cin, validate_ssda903


def write_and_validate(
    events: Sequence[JourneyEvent],
    local_authority: str,
    last_year: int,
    out_dir: Path,
    stream: TextIO,
) -> None:
    """SSDA903 and CIN census for the three years to `last_year`, each validated (each
    SSDA903 year with the year before, written for that purpose too)."""
    years = range(last_year - 2, last_year + 1)
    for year in (last_year - 3, *years):
        write_tables(ssda903(events, year), out_dir / "ssda903" / str(year))
    for year in years:
        census = write_census(
            cin_census(events, year, local_authority), out_dir / "cin" / f"{year}.xml"
        )
        directory = out_dir / "ssda903" / str(year)
        print(f"returns {year}: {directory}, {census}", file=stream)
        try:
            tables = validate_ssda903(
                directory, year, ons_code(local_authority), directory.with_name(str(year - 1))
            )
            _say(stream, "SSDA903", year, tables)
            _say(stream, "CIN census", year, validate_cin(census, year))
        except (ValidatorRefused, ValidatorsUnavailable) as error:
            # A year the packages hold no rules for, or no validators: said, not hidden.
            print(f"  not validated: {error}", file=stream)


def _say(stream: TextIO, kind: str, year: int, validation: Validation) -> None:
    codes = ", ".join(f.code for f in validation.errors) or "none"
    print(
        f"  {kind} {year} ({validation.ruleset}): {len(validation.errors)} rules found "
        f"errors ({codes}); journeys validate lists them",
        file=stream,
    )
