"""Which children become known to social care, and when.

`--children` is the authority's child population; only children who are referred get a
journey. Each reporting year a share of the population (`first_referrals_per_10k`) is
referred for the first time, so children enter the record in every year of the history,
including years before the service went live; some were born long before.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from journeys.synthetic.parameters import AuthorityParameters

# Age at first referral, 0 to 17: babies most often, then a rise in the early teens.
_AGE_WEIGHTS = (15, 7, 6, 6, 6, 5, 5, 5, 5, 5, 5, 5, 6, 7, 7, 7, 5, 3)


@dataclass(frozen=True, slots=True)
class ChildSeed:
    """A child who will have a journey: who they are and their own random stream."""

    index: int
    child_id: str
    date_of_birth: date
    first_referral: date
    rng: random.Random


def child_rng(params: AuthorityParameters, index: int) -> random.Random:
    # A string seed is hashed with SHA-512 by `random`, so it is stable across processes.
    return random.Random(f"{params.seed}/{params.local_authority}/{index}")


def population(params: AuthorityParameters) -> Iterator[ChildSeed]:
    """Children in the order they are first referred, year by year."""
    index = 0
    for year in range(params.history_start.year + 1, params.to_year + 1):
        year_starts = date(year - 1, 4, 1)
        days_in_year = (date(year, 4, 1) - year_starts).days
        newly_referred = round(params.children / 10_000 * params.first_referrals_per_10k.at(year))
        for _ in range(newly_referred):
            index += 1
            rng = child_rng(params, index)
            first_referral = year_starts + timedelta(days=rng.randrange(days_in_year))
            age = rng.choices(range(18), weights=_AGE_WEIGHTS)[0]
            date_of_birth = first_referral - timedelta(days=age * 365 + rng.randrange(365))
            yield ChildSeed(index, f"C{index:07d}", date_of_birth, first_referral, rng)
