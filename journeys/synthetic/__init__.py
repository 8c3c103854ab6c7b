"""A synthetic local authority: complete, rule-abiding journeys for a child population.

    from journeys.synthetic import AuthorityParameters, generate
    events = list(generate(AuthorityParameters(children=65_000, seed=7)))

Deterministic: each child has its own random stream derived from the seed and the child's
index, so the same parameters always give the same events, byte for byte once written.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import NamedTuple

from events.catalogue import ChildRegistered, JourneyEvent
from journeys.synthetic.invalid import RecordedEvent, mix_in_invalid
from journeys.synthetic.leaving_care import write_leaving_care
from journeys.synthetic.need import write_referrals
from journeys.synthetic.parameters import AuthorityParameters, Trend, reporting_year
from journeys.synthetic.population import ChildSeed, population
from journeys.synthetic.recording import record
from journeys.synthetic.returns import upn, write_later_details
from journeys.synthetic.story import Story
from journeys.synthetic.supervision import Team, record_supervision, workforce, write_supervision

__all__ = [
    "AuthorityParameters",
    "LabelledEvent",
    "Trend",
    "generate",
    "generate_labelled",
    "reporting_year",
]

_ETHNICITY = (
    "WBRI",
    "WOTH",
    "WIRT",
    "WROM",
    "MWBC",
    "MWBA",
    "MOTH",
    "APKN",
    "AOTH",
    "BAFR",
    "BCRB",
    "OOTH",
    "REFU",
    "NOBT",
)
_ETHNICITY_WEIGHTS = (85, 3, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 0.5, 0.5)


class LabelledEvent(NamedTuple):
    """A generated submission; `breaks_rule` names the rule when it is invalid on purpose."""

    event: JourneyEvent
    breaks_rule: str | None


def generate(params: AuthorityParameters) -> Iterator[JourneyEvent]:
    """Every submission of the authority, child by child, each child's in recording order."""
    for labelled in generate_labelled(params):
        yield labelled.event


def generate_labelled(params: AuthorityParameters) -> Iterator[LabelledEvent]:
    """As `generate`, saying which submissions break a rule on purpose (`invalid_share`)."""
    teams = workforce(params)
    for child in population(params):
        for event, draft in _journey(child, params, teams):
            yield LabelledEvent(event, draft.breaks_rule)


def _journey(
    child: ChildSeed, params: AuthorityParameters, teams: dict[str, tuple[Team, ...]]
) -> list[RecordedEvent]:
    work_rng = random.Random(f"{params.seed}/{params.local_authority}/{child.child_id}/work")
    story = Story(child.child_id, child.date_of_birth, child.rng, work_rng)
    story.returns_rng = random.Random(
        f"{params.seed}/{params.local_authority}/{child.child_id}/returns"
    )
    registered = child.first_referral
    if child.rng.random() < 0.1:
        # Known before the first referral (e.g. as a sibling); never before birth.
        registered = max(child.date_of_birth, registered.replace(day=1))
    # Sex as the returns record it: female or male (SSDA903 had no code for unknown
    # before 2025).
    story.sex = child.rng.choices(("F", "M", "U"), weights=(48, 52, 0))[0]
    story.add(
        ChildRegistered,
        registered,
        date_of_birth=child.date_of_birth,
        sex=story.sex,
        ethnicity=child.rng.choices(_ETHNICITY, weights=_ETHNICITY_WEIGHTS)[0],
        upn=upn(story.returns_rng, params.local_authority, child.date_of_birth),
    )
    write_referrals(story, params, child.first_referral)
    write_leaving_care(story, params)
    write_later_details(story, params.end)
    recorded = record(story, params, story.in_order(params.end))
    # Who held the case, visits and meetings: a stream of their own, recorded apart, so
    # that the rest of the journey is as it was without them.
    supervision_rng = random.Random(
        f"{params.seed}/{params.local_authority}/{child.child_id}/supervision"
    )
    drafts = write_supervision(story, params, supervision_rng, teams)
    recorded = record_supervision(story, params, supervision_rng, drafts, recorded)
    return mix_in_invalid(story, params, recorded)
