"""A child's UPN and disabilities as the record states them for a collection year.

The registration states them first; a `ChildDetailsRecorded` states one or both again
later (a return giving what another did not, or a later year's return). Each statement
holds from the day it was made: a details event from its `occurred_on`, the registration
from the day it was recorded (for an import, 1 April of its return's year, the day the
return was made). For year Y the child's details are the latest made by 1 April Y (the
registration's where none was made by then): each year's return is written with what
that year's return said, and a year imported after a later one leaves the later one's
details as they are. Of statements made the same day, a details event follows the
registration it amends, and the one recorded later holds.

Disabilities are the record's codes, none for no disability: the registration holds none
as no code, and a details event states none as NONE alone (its empty list says nothing).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from events import catalogue as contract
from events.codes import UPN_UNKNOWN

NO_DISABILITY = ("NONE",)


@dataclass(frozen=True, slots=True)
class ChildDetails:
    upn: str | None
    disabilities: tuple[str, ...]  # none: no disability (or none recorded)


def statement_day(year: int) -> date:
    """The day year Y's return is made, by which a statement holds for it: 1 April Y."""
    return date(year, 4, 1)


def details_for_year(
    registration: contract.ChildRegistered,
    recorded: Iterable[contract.ChildDetailsRecorded],
    year: int,
) -> ChildDetails:
    """The child's UPN and disabilities for collection year `year`."""
    by = statement_day(year)
    upn, disabilities = registration.upn, registration.disabilities
    registered_on = registration.recorded_at.date()
    statements = [
        (registered_on, 0, registration.recorded_at, upn, disabilities or NO_DISABILITY),
        *((d.occurred_on, 1, d.recorded_at, d.upn, d.disabilities) for d in recorded),
    ]
    for made_on, *_, stated_upn, stated_disabilities in sorted(statements, key=lambda s: s[:3]):
        if made_on > by:
            break
        upn = stated_upn if stated_upn is not None else upn
        disabilities = stated_disabilities or disabilities
    return ChildDetails(upn, _record_codes(disabilities))


def details_to_record(
    registration: contract.ChildRegistered,
    recorded: Iterable[contract.ChildDetailsRecorded],
    year: int,
    source_system: str,
    stated: ChildDetails,
    disabilities_stated: bool,
) -> dict[str, object] | None:
    """The fields of the ChildDetailsRecorded an import of year `year`'s return (by
    `source_system`) records for what it states of a registered child, or None: a field
    the record holds for the year already, or that this return stated before (its
    registration or its details: importing it again adds nothing), is left out.
    `disabilities_stated` says whether the return gives disabilities at all."""
    recorded = list(recorded)
    held = details_for_year(registration, recorded, year)
    made_at = datetime(year, 4, 1, tzinfo=UTC)
    # What this return stated before: (UPN or None, disabilities or None), each None
    # where it said nothing.
    before = [
        (d.upn, _record_codes(d.disabilities) if d.disabilities else None)
        for d in recorded
        if d.source_system == source_system and d.recorded_at == made_at
    ]
    if registration.source_system == source_system and registration.recorded_at == made_at:
        before.append((registration.upn, registration.disabilities))
    fields: dict[str, object] = {}
    # A reason the UPN is not known (UN1-UN10) never replaces a UPN.
    knows_less = stated.upn in UPN_UNKNOWN and held.upn not in (None, *UPN_UNKNOWN)
    if (
        stated.upn is not None
        and stated.upn != held.upn
        and not knows_less
        and all(upn != stated.upn for upn, _ in before)
    ):
        fields["upn"] = stated.upn
    if (
        disabilities_stated
        and stated.disabilities != held.disabilities
        and all(codes != stated.disabilities for _, codes in before)
    ):
        fields["disabilities"] = stated.disabilities or NO_DISABILITY
    return fields or None


def _record_codes(disabilities: tuple[str, ...]) -> tuple[str, ...]:
    """Disability codes as the record holds them: none for NONE."""
    return tuple(code for code in disabilities if code != "NONE")
