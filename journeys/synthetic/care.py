"""Periods of care: legal status, placements and their moves, short breaks, leaving care.

The shapes follow SSDA903 practice: younger children are often adopted (placement order
E1, then placed for adoption, sometimes with their foster carer, which is a move with the
same carer); teenagers often stay until their 18th birthday; placements are either short
and unstable or become long-term, the long-term share rising as the authority improves;
carers' holidays and hospital stays are temporary placements (T0-T4) followed by a
return to the same carer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from events.catalogue import (
    LegalStatusChanged,
    PeriodOfCareEnded,
    PeriodOfCareStarted,
    PlacementEnded,
    PlacementStarted,
)
from journeys.synthetic.looked_after import write_care_plan
from journeys.synthetic.parameters import AuthorityParameters, reporting_year
from journeys.synthetic.returns import (
    TEMPORARY,
    home_postcode,
    placement_postcode,
    reason_for_change,
    urn,
    write_entry_details,
    write_motherhood,
    write_wellbeing,
)
from journeys.synthetic.story import Story, birthday


@dataclass(frozen=True, slots=True)
class _Spell:
    begins: date
    placement_type: str
    carer_id: str
    provider: str | None


def _days(n: float) -> timedelta:
    return timedelta(days=max(1, round(n)))


def write_period_of_care(story: Story, params: AuthorityParameters, start: date) -> date:
    """Add one period of care starting on `start`; returns the day it ends (maybe after the end)."""
    rng = story.rng
    age = story.age_on(start)
    eighteenth = birthday(story.date_of_birth, 18)
    route = rng.random()
    adoption_on: date | None = None
    if age < 5 and route < params.adoption_under_5.at(reporting_year(start)):
        adoption_on = start + _days(rng.uniform(300, 620))
        end = adoption_on + _days(rng.uniform(150, 400))
        reason = rng.choice(("E11", "E12"))
    elif age >= 11 and route < 0.55:
        end = eighteenth
        reason = rng.choices(("E5", "E6", "E17", "E8"), weights=(45, 15, 25, 15))[0]
    elif route < 0.72:
        end = start + _days(rng.uniform(20, 300))
        reason = rng.choice(("E4A", "E13", "E4B", "E8"))
    elif route < 0.9:
        end = start + _days(rng.uniform(300, 1100))
        reason = rng.choice(("E41", "E45", "E46", "E47", "E48", "E4A"))
    else:
        end = start + _days(rng.uniform(1100, 4500))
        reason = rng.choice(("E45", "E46", "E4A", "E8"))
    if end >= eighteenth:
        end = eighteenth
        reason = rng.choices(("E5", "E6", "E17", "E8"), weights=(45, 15, 25, 15))[0]

    period_id = story.next_id("LAC")
    legal_status, changes = _legal_status(story, start, end, age, adoption_on)
    story.add(
        PeriodOfCareStarted,
        start,
        period_id=period_id,
        legal_status=legal_status,
        category_of_need=rng.choices(
            ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"), weights=(60, 5, 3, 15, 4, 3, 2, 8)
        )[0],
    )
    spells = _placement_spells(story, params, start, end, age, adoption_on)
    _write_legal_status_changes(story, period_id, changes, spells, end)
    if legal_status == "V2":
        # Placed with parents is never under section 20 alone (SSDA903 rule 378).
        spells = [
            replace(s, placement_type="U6", provider="PR1") if s.placement_type == "P1" else s
            for s in spells
        ]
    if reason in ("E45", "E46") and not spells[-1].placement_type.startswith("U"):
        # A special guardianship or residence order by former foster carers follows a
        # foster placement (SSDA903 rule 516); from anywhere else it is another carer's.
        reason = "E41"
    write_entry_details(story, start)
    _write_placements(story, period_id, spells, end)
    write_care_plan(
        story,
        params,
        start,
        end,
        adoption_on,
        by_foster_carers=adoption_on is not None and spells[-1].placement_type == "A5",
    )
    write_wellbeing(story, start, end)
    write_motherhood(story, start, end)
    story.add(PeriodOfCareEnded, end, period_id=period_id, reason=reason)
    story.periods.append((start, end, False))
    story.adopted = story.adopted or reason in ("E11", "E12")
    return end


def _legal_status(
    story: Story, start: date, end: date, age: int, adoption_on: date | None
) -> tuple[str, list[tuple[date, str]]]:
    """The status the period starts under, and its changes (day, status) in order."""
    rng = story.rng
    roll = rng.random()
    if age >= 12 and roll < 0.06:
        # Not J2 (detained under PACE): it lasts hours, not a period of care (rule 364).
        return rng.choice(("J1", "J1", "J3")), []
    changes: list[tuple[date, str]] = []
    if roll < 0.18:
        first = rng.choice(("L1", "L2"))
        # Police protection (L1) lasts at most 72 hours, an emergency protection order
        # (L2) days: both are replaced by an interim care order within three days.
        changes.append((start + _days(rng.uniform(1, 3)), "C1"))
    elif roll < 0.55 and adoption_on is None:
        first = "V2"
    else:
        first = "C1"
    if first in ("C1", "L1", "L2"):
        changes.append((start + _days(rng.uniform(100, 280)), "C2"))
    if adoption_on is not None:
        placement_order = adoption_on - _days(rng.uniform(20, 80))
        # Placed for adoption (A5/A6) only under the placement order (rule 408): a full
        # care order that would come after it comes no more.
        changes = [(on, status) for on, status in changes if on < placement_order]
        changes.append((placement_order, "E1"))
    return first, sorted(change for change in changes if start < change[0] < end)


def _write_legal_status_changes(
    story: Story,
    period_id: str,
    changes: list[tuple[date, str]],
    spells: list[_Spell],
    end: date,
) -> None:
    """Adds the changes, each falling during a temporary placement moved to the day after
    the child returns: a new episode may not begin in a temporary placement (rule 380),
    and the return from one is a change of placement only (RNE P, rule 383)."""
    away = [
        (spell.begins, spells[index + 1].begins + timedelta(days=1))
        for index, spell in enumerate(spells[:-1])
        if spell.placement_type in TEMPORARY
    ]
    on_day: dict[date, str] = {}
    for on, status in changes:
        moved = next((after for leaves, after in away if leaves <= on < after), on)
        if moved < end:
            on_day[moved] = status  # the later of two changes on one day stands
    for on, status in sorted(on_day.items()):
        story.add(LegalStatusChanged, on, period_id=period_id, legal_status=status)


def _first_placement_type(story: Story, age: int) -> str:
    rng = story.rng
    if age >= 16:
        # Semi-independent living (H5) is gone from the return's codes since 2025: such a
        # young person lives in a children's home here.
        return rng.choices(("U6", "U4", "K2", "K2", "S1", "U3"), weights=(30, 15, 20, 20, 5, 10))[0]
    if age >= 11:
        return rng.choices(("U6", "U4", "K2", "U3", "R1"), weights=(45, 15, 25, 12, 3))[0]
    return rng.choices(("U6", "U4", "U3", "U1", "P1", "R3"), weights=(50, 15, 18, 5, 8, 4))[0]


def _provider(story: Story, placement_type: str) -> str | None:
    rng = story.rng
    rng.random()  # drawn as when 5% of providers were left unknown, so journeys stay the same
    if placement_type in TEMPORARY:
        return None  # a temporary placement has no provider of its own (SSDA903 rule 213)
    if placement_type == "P1":
        return "PR0"
    if placement_type.startswith("A"):
        return rng.choice(("PR1", "PR2", "PR5"))
    if placement_type in ("K2", "H5", "R1"):
        return rng.choices(("PR1", "PR4", "PR5"), weights=(30, 55, 15))[0]
    return rng.choices(("PR1", "PR4", "PR5"), weights=(65, 30, 5))[0]


def _placement_spells(
    story: Story,
    params: AuthorityParameters,
    start: date,
    end: date,
    age: int,
    adoption_on: date | None,
) -> list[_Spell]:
    """Where the child lives during the period, spell by spell."""
    rng = story.rng
    settled_until = adoption_on or end
    spells: list[_Spell] = []
    begins = start
    placement_type = _first_placement_type(story, age)
    while True:
        carer = story.new_carer_id()
        spells.append(_Spell(begins, placement_type, carer, _provider(story, placement_type)))
        stable = rng.random() < params.stable_placement.at(reporting_year(begins))
        lasts = rng.expovariate(1 / 4000) if stable else rng.expovariate(1 / 230) + 14
        moves_on = begins + _days(lasts)
        spells.extend(_within_placement(story, params, spells[-1], min(moves_on, settled_until)))
        if moves_on >= settled_until:
            break
        begins = moves_on
        placement_type = _first_placement_type(story, story.age_on(begins))
    if adoption_on is not None:
        foster = spells[-1]
        if foster.placement_type in ("U4", "U6") and rng.random() < 0.3:
            # Placed for adoption with the current foster carer: a move, same carer.
            # A5: placed for adoption under a placement order with the current foster carer.
            spells.append(_Spell(adoption_on, "A5", foster.carer_id, _provider(story, "A5")))
        else:
            adopters = story.new_carer_id()
            spells.append(_Spell(adoption_on, "A6", adopters, _provider(story, "A6")))
    return spells


def _within_placement(
    story: Story, params: AuthorityParameters, spell: _Spell, until: date
) -> list[_Spell]:
    """Temporary placements and same-carer changes of placement type during a placement."""
    rng = story.rng
    length = (until - spell.begins).days
    extra: list[_Spell] = []
    if length > 60 and rng.random() < min(1.0, params.temporary_placement_per_year * length / 365):
        leaves = spell.begins + _days(rng.uniform(20, length - 35))
        # Not T4: the 2025-26 rules both require and forbid its provider (178, 213).
        temporary = rng.choice(("T0", "T1", "T2", "T3", "T3"))
        respite = story.new_carer_id()
        extra.append(_Spell(leaves, temporary, respite, None))  # no provider (rule 213)
        back = leaves + _days(rng.uniform(2, 14))
        extra.append(_Spell(back, spell.placement_type, spell.carer_id, spell.provider))
    if (
        length > 200
        and spell.placement_type == "U6"
        and rng.random() < params.same_carer_move_share
    ):
        # Foster placement confirmed as long-term fostering with the same carer.
        becomes = (extra[-1].begins if extra else spell.begins) + _days(rng.uniform(30, 120))
        if becomes < until:
            extra.append(_Spell(becomes, "U4", spell.carer_id, spell.provider))
    return extra


def _write_placements(story: Story, period_id: str, spells: list[_Spell], end: date) -> None:
    rng = story.rng
    home = home_postcode(story.returns_rng)
    for index, spell in enumerate(spells):
        placement_id = story.next_id("PL")
        story.add(
            PlacementStarted,
            spell.begins,
            placement_id=placement_id,
            period_id=period_id,
            placement_type=spell.placement_type,
            provider=spell.provider,
            carer_id=spell.carer_id,
            **_placement_details(story, spell, spells[index - 1] if index else None, home),
        )
        last = index == len(spells) - 1
        # The last placement usually ends explicitly; otherwise the period's end closes it.
        if not last or rng.random() < 0.7:
            story.add(
                PlacementEnded, end if last else spells[index + 1].begins, placement_id=placement_id
            )


def _placement_details(
    story: Story, spell: _Spell, previous: _Spell | None, home: str
) -> dict[str, str | None]:
    """What the return records of a placement: URN, postcodes, why the child moved."""
    rng = story.returns_rng
    return {
        "urn": urn(spell.placement_type, spell.carer_id),
        "home_postcode": home,
        "placement_postcode": placement_postcode(spell.carer_id, spell.provider, home),
        "reason_for_change": (
            None
            if previous is None
            else reason_for_change(rng, previous.placement_type, spell.placement_type)
        ),
    }


def write_short_breaks(story: Story, start: date, until: date) -> date:
    """A disabled child's short breaks (V4 agreement, or V3 single breaks); returns the last day."""
    rng = story.rng
    carer = story.new_carer_id()
    placement_type = rng.choice(("U6", "K2"))
    if rng.random() < 0.6:
        breaks = [(start, min(until, start + _days(rng.uniform(200, 1200))), "V4")]
    else:
        breaks = []
        begins = start
        for _ in range(rng.randint(2, 6)):
            ends = begins + _days(rng.uniform(1, 4))
            if ends >= until:
                break
            breaks.append((begins, ends, "V3"))
            begins = ends + _days(rng.uniform(20, 90))
    last = start
    for begins, ends, status in breaks:
        period_id = story.next_id("LAC")
        story.add(
            PeriodOfCareStarted, begins, period_id=period_id, legal_status=status,
            category_of_need="N1",
        )  # fmt: skip
        write_entry_details(story, begins)
        placement_id = story.next_id("PL")
        spell = _Spell(begins, placement_type, carer, _provider(story, placement_type))
        story.add(
            PlacementStarted, begins, placement_id=placement_id, period_id=period_id,
            placement_type=placement_type, provider=spell.provider, carer_id=carer,
            **_placement_details(story, spell, None, home_postcode(story.returns_rng)),
        )  # fmt: skip
        story.add(PlacementEnded, ends, placement_id=placement_id)
        story.add(PeriodOfCareEnded, ends, period_id=period_id, reason="E8")
        story.periods.append((begins, ends, True))
        last = ends
    return last
