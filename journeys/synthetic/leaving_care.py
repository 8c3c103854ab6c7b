"""Care leavers: personal advisers and contacts around the 17th to 21st birthdays.

Who is a care leaver follows domain.md section 3: looked after for at least 91 days after
the 14th birthday (short-break days under V3/V4 do not count), one of them on or after
the 16th birthday. Contacts are only written once the young person meets that test.
"""

from __future__ import annotations

from datetime import date, timedelta

from events.catalogue import CareLeaverContactRecorded, PersonalAdviserAllocated
from journeys.synthetic.parameters import AuthorityParameters, reporting_year
from journeys.synthetic.story import Story, birthday

_SUITABLE = ("B1", "C1", "D1", "E1", "G1", "H1", "K1", "R1", "T1", "U1", "V1", "W1", "Y1", "Z1")
_SUITABLE_WEIGHTS = (6, 3, 3, 6, 3, 4, 2, 10, 4, 20, 8, 5, 2, 2)
_UNSUITABLE = ("S2", "X2", "B2", "D2", "E2", "U2", "Z2")
_UNSUITABLE_WEIGHTS = (20, 25, 15, 10, 10, 10, 10)
_EET = ("F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5")
_EET_WEIGHTS = (8, 1, 30, 3, 8, 1, 25, 8)
_NEET = ("G4", "G5", "G6")
_NEET_WEIGHTS = (2, 6, 2)


def care_leaver_from(story: Story) -> date | None:
    """The first day the young person meets the care-leaver test, or None if they never do."""
    fourteenth = birthday(story.date_of_birth, 14)
    sixteenth = birthday(story.date_of_birth, 16)
    counted = 0
    for start, end, short_break in sorted(story.periods):
        if short_break or end <= fourteenth:
            continue
        # Looked after on day D: started on or before D, not ended on or before D.
        first = max(start, fourteenth)
        for offset in range((end - first).days):
            day = first + timedelta(days=offset)
            counted += 1
            if counted >= 91 and day >= sixteenth:
                return day
    return None


def looked_after_since(story: Story, day: date) -> date | None:
    """The start of the period of care (not short breaks) the child is in on `day`, if any."""
    for start, end, short_break in story.periods:
        if start <= day < end and not short_break:
            return start
    return None


def write_leaving_care(story: Story, params: AuthorityParameters) -> None:
    eligible_from = care_leaver_from(story)
    if eligible_from is None:
        return
    rng = story.rng
    fifteen_nine = birthday(story.date_of_birth, 15) + timedelta(days=274)
    period_start = looked_after_since(story, fifteen_nine)
    if period_start is not None and rng.random() < params.pa_by_15y9m.at(
        reporting_year(fifteen_nine)
    ):
        allocated = max(period_start, fifteen_nine - timedelta(days=rng.randint(0, 60)))
    else:
        allocated = max(eligible_from, birthday(story.date_of_birth, 17)) + timedelta(
            days=rng.randint(0, 200)
        )
    story.add(PersonalAdviserAllocated, allocated, adviser_id=story.next_id("PA"))

    for age in range(17, 22):
        day = birthday(story.date_of_birth, age) + timedelta(days=rng.randint(-80, 25))
        if day < eligible_from or rng.random() < params.contact_missed:
            continue
        year = reporting_year(day)
        older = age >= 19
        story.add(CareLeaverContactRecorded, day, **_contact(story, params, year, older))


def _contact(story: Story, params: AuthorityParameters, year: int, older: bool) -> dict[str, str]:
    rng = story.rng
    in_touch = rng.choices(
        ("YES", "NO", "REFU", "NREQ", "RHOM", "DIED"), weights=(900, 35, 20, 20, 22, 3)
    )[0]
    if in_touch != "YES":
        return {"in_touch": in_touch, "activity": "0", "accommodation": "0"}
    suitable = (
        params.suitable_accommodation_19_21 if older else params.suitable_accommodation_17_18
    ).at(year)
    eet = (params.eet_19_21 if older else params.eet_17_18).at(year)
    accommodation = (
        rng.choices(_SUITABLE, weights=_SUITABLE_WEIGHTS)[0]
        if rng.random() < suitable
        else rng.choices(_UNSUITABLE, weights=_UNSUITABLE_WEIGHTS)[0]
    )
    activity = (
        rng.choices(_EET, weights=_EET_WEIGHTS)[0]
        if rng.random() < eet
        else rng.choices(_NEET, weights=_NEET_WEIGHTS)[0]
    )
    return {"in_touch": in_touch, "activity": activity, "accommodation": accommodation}
