"""What the statutory returns record beyond the journey: UPNs, postcodes, URNs, reasons
for a placement change, previous permanence, SDQs, offending, substance misuse, missing
episodes, UASC status, motherhood, the adopters of a child adopted, disabilities found
after the registration, and deprivation of liberty orders.

Drawn from each child's own stream for the returns (`Story.returns_rng`), so that adding
them left every journey's other events as they were. Postcodes are real ones, from the
ONS postcode directory as the DfE's validators hold it: a handful in Doncaster (the
authority's own area) and in Rotherham (placements out of area; Sheffield's postcodes
carry an authority code newer than the validators' list of authorities).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from events.catalogue import (
    AdoptionMatchRecorded,
    AssessmentCompleted,
    ChildDetailsRecorded,
    ChildInNeedPlanRecorded,
    ConvictionRecorded,
    DeprivationOfLibertyOrdered,
    MissingEpisodeRecorded,
    MotherhoodRecorded,
    PreviousPermanenceRecorded,
    StrengthsAndDifficultiesRecorded,
    SubstanceMisuseIdentified,
    UnaccompaniedAsylumSeekerRecorded,
)
from journeys.domain.facts import age_on, birthday
from journeys.synthetic.story import Story

OWN_AREA_POSTCODES = (
    "DN12 4LQ", "DN7 4JB", "DN5 7LB", "DN10 6PP", "DN1 2LE",
    "DN4 6BZ", "DN12 2BQ", "DN6 0AL", "DN3 2JJ", "DN1 2QZ",
)  # fmt: skip
OUT_OF_AREA_POSTCODES = ("S65 3SU", "S60 4LQ", "S66 2QA", "S61 2WX", "S63 6RF")
# Placement types that have no Ofsted URN (SSDA903 rules 218 and 222).
WITHOUT_URN = frozenset(
    {"P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1", "Z11", "Z12", "Z13", "Z14"}
)
TEMPORARY = frozenset({"T0", "T1", "T2", "T3", "T4"})
# Reasons for a placement change, as an authority's are spread.
_CHANGE_REASONS = (
    "CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ",
    "PLACE", "OTHER",
)  # fmt: skip
_CHANGE_WEIGHTS = (25, 4, 2, 12, 5, 8, 4, 10, 18, 8, 4)
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn(rng: random.Random, local_authority: str, born: date) -> str:
    """A well-formed Unique Pupil Number: check letter, LA, school, year allocated, serial.

    The check letter is the DfE's: the sum of the 12 digits each times its position (2 to
    13), modulo 23, as a letter of A-Z without I, O and S.
    """
    allocated = (born.year + 5) % 100
    digits = (
        f"{local_authority}{rng.randrange(2000, 7000):04d}{allocated:02d}{rng.randrange(1000):03d}"
    )
    check = sum(int(d) * position for position, d in enumerate(digits, start=2)) % 23
    return _UPN_LETTERS[check] + digits


def home_postcode(rng: random.Random) -> str:
    return rng.choice(OWN_AREA_POSTCODES)


def placement_postcode(carer_id: str, provider: str | None, home: str) -> str:
    """Where the carer lives: the same for every placement with the carer (a return from
    a temporary placement is to the same place, rule 383), drawn from the carer's id.
    Own provision is in the authority's area, others mostly too; never the home's
    postcode (rule 392d; placed with parents is recorded so too, for simplicity)."""
    rng = random.Random(carer_id)
    if provider in ("PR1", "PR0") or rng.random() < 0.7:
        return rng.choice([p for p in OWN_AREA_POSTCODES if p != home])
    return rng.choice(OUT_OF_AREA_POSTCODES)


def urn(placement_type: str, carer_id: str) -> str | None:
    """A placement's Ofsted URN: one per carer or home (from its id); none where the type
    has none."""
    if placement_type in WITHOUT_URN:
        return None
    number = int(carer_id[2:], 16) % 900_000 + 100_000
    return f"SC{number}"


def reason_for_change(rng: random.Random, previous_type: str, placement_type: str) -> str | None:
    """Why the child moved, for a move between two placements neither temporary (with the
    same carer too: SSDA903 rule 225 asks it of every such move)."""
    if previous_type in TEMPORARY or placement_type in TEMPORARY:
        return None
    return rng.choices(_CHANGE_REASONS, weights=_CHANGE_WEIGHTS)[0]


def write_entry_details(story: Story, start: date) -> None:
    """What the return records of a child starting a period of care: previous permanence,
    and, for some older children, UASC status."""
    rng = story.returns_rng
    roll = rng.random()
    if roll < 0.9:
        story.add(PreviousPermanenceRecorded, start, arrangement="Z1")
    else:
        arrangement = rng.choice(("P1", "P2", "P3"))
        ordered = start - timedelta(days=rng.randint(400, 2000))
        ordered = max(ordered, story.date_of_birth)
        exact = rng.random() < 0.7
        story.add(
            PreviousPermanenceRecorded,
            start,
            arrangement=arrangement,
            order_date=ordered.strftime("%d/%m/%Y") if exact else f"zz/zz/{ordered.year}",
            # The authority that made the order: this one or a neighbour (DfE codes).
            authority=rng.choice(("371", "370", "372", "373")),
        )
    age = age_on(story.date_of_birth, start)
    if 14 <= age < 18 and rng.random() < 0.05:
        story.add(
            UnaccompaniedAsylumSeekerRecorded,
            start,
            ceased_on=birthday(story.date_of_birth, 18),
        )


def write_wellbeing(story: Story, start: date, end: date) -> None:
    """A looked-after child's SDQ in each collection year of the period (SDQ1 when the
    child is under 4 or over 16 that day), and, for teenagers, offending, substance
    misuse and missing episodes."""
    rng = story.returns_rng
    year = start.year + 1 if start.month >= 4 else start.year
    while date(year - 1, 4, 1) < end:
        first = max(start + timedelta(days=1), date(year - 1, 4, 1))
        last = min(end - timedelta(days=1), date(year, 3, 31))
        year += 1
        if last < first:
            continue
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        age = age_on(story.date_of_birth, day)
        if not 4 <= age <= 16:
            story.add(StrengthsAndDifficultiesRecorded, day, reason="SDQ1")
        elif rng.random() < 0.85:
            story.add(StrengthsAndDifficultiesRecorded, day, score=str(rng.randint(2, 30)))
        else:
            story.add(
                StrengthsAndDifficultiesRecorded,
                day,
                reason=rng.choice(("SDQ2", "SDQ3", "SDQ4", "SDQ5")),
            )
        if age >= 12:
            _write_teenage_year(story, rng, day, end, age)


def _write_teenage_year(story: Story, rng: random.Random, day: date, end: date, age: int) -> None:
    if rng.random() < 0.06:
        story.add(ConvictionRecorded, day)
    if rng.random() < 0.05:
        # INTERVENTION_OFFERED is asked only of those who received none (rule 158).
        received = rng.random() < 0.6
        story.add(
            SubstanceMisuseIdentified,
            day,
            intervention_received=received,
            intervention_offered=None if received else rng.random() < 0.7,
        )
    if rng.random() < 0.1:
        missing_from = day + timedelta(days=rng.randint(5, 60))
        back = missing_from + timedelta(days=rng.randint(0, 4))
        if back < end:
            story.add(
                MissingEpisodeRecorded,
                missing_from,
                absence=rng.choice(("M", "M", "A")),
                returned_on=back,
            )


def write_adoption_match(
    story: Story, decision_id: str, decided: date, placed: date, foster_carers: bool
) -> None:
    """The match with adopters, between the decision and the placement for adoption."""
    rng = story.returns_rng
    matched = decided + timedelta(days=max(1, (placed - decided).days * 2 // 3))
    couple = rng.random() < 0.85
    sex = rng.choice(("MF", "MF", "MF", "MM", "FF")) if couple else rng.choice(("F1", "M1"))
    # LS_ADOPTR as the DfE's rules pair it with SEX_ADOPTR: L0 a single adopter; L11
    # married or in a civil partnership, L3 not, a couple of a man and a woman; L12 and
    # L4 the same for a couple of the same sex.
    if not couple:
        status = "L0"
    elif sex == "MF":
        status = rng.choice(("L11", "L11", "L3"))
    else:
        status = rng.choice(("L12", "L4"))
    story.add(
        AdoptionMatchRecorded,
        matched,
        decision_id=decision_id,
        former_foster_carers=foster_carers,
        adopters="2" if couple else "1",
        adopters_sex=sex,
        adopters_legal_status=status,
    )


def write_motherhood(story: Story, start: date, end: date) -> None:
    """Some young women of 16 and over in care have a child."""
    rng = story.returns_rng
    sixteenth = birthday(story.date_of_birth, 16)
    if story.sex != "F" or end <= sixteenth or rng.random() >= 0.04:
        return
    earliest = max(start, sixteenth)
    born = earliest + timedelta(days=rng.randint(0, max(0, (end - earliest).days - 1)))
    story.add(MotherhoodRecorded, born, child_date_of_birth=born)


def write_cin_plan(
    story: Story, referral_id: str, assessed: date, closes: date, record_ends: date
) -> None:
    """A child in need's plan, from soon after the assessment to the case's closure
    (still open if that is after the end of the record)."""
    starts = assessed + timedelta(days=story.returns_rng.randint(0, 10))
    if starts >= closes:
        return
    story.add(
        ChildInNeedPlanRecorded,
        starts,
        referral_id=referral_id,
        ended_on=closes if closes <= record_ends else None,
    )


# Disabilities an assessment finds, as a CIN census spreads them (one code mostly).
_DISABILITIES = ("LD", "AUT", "COMM", "BEH", "CON", "MOB", "HEAR", "VIS", "HAND", "PC", "INC")
_DISABILITY_WEIGHTS = (22, 20, 16, 14, 8, 6, 4, 3, 3, 2, 2)


def write_later_details(story: Story, record_ends: date) -> None:
    """What is recorded of the child after the registration, once the rest of the journey
    is drawn (from a stream of its own, so the other items stay as they were): for about
    one child in twelve assessed, the disabilities the first completed assessment found;
    and, rarely, a deprivation of liberty order for a teenager in care."""
    rng = random.Random(story.returns_rng.getrandbits(64))
    assessed = sorted(d.occurred_on for d in story.drafts if d.event_class is AssessmentCompleted)
    if assessed and rng.random() < 0.08:
        found = {rng.choices(_DISABILITIES, weights=_DISABILITY_WEIGHTS)[0]}
        if rng.random() < 0.25:
            found.add(rng.choices(_DISABILITIES, weights=_DISABILITY_WEIGHTS)[0])
        story.add(ChildDetailsRecorded, assessed[0], disabilities=tuple(sorted(found)))
    thirteenth = birthday(story.date_of_birth, 13)
    for start, end, short_break in story.periods:
        first = max(start + timedelta(days=30), thirteenth)
        last = min(end, record_ends) - timedelta(days=30)
        if short_break or last <= first or rng.random() >= 0.03:
            continue
        ordered = first + timedelta(days=rng.randint(0, (last - first).days))
        ends: date | None = ordered + timedelta(days=rng.randint(60, 365))
        if ends >= min(end, record_ends):
            # Still in force at the end of the record if the period is; else it ends the
            # day before the child leaves care.
            ends = None if end > record_ends else end - timedelta(days=1)
        story.add(DeprivationOfLibertyOrdered, ordered, ended_on=ends)
