"""The indicators the projection computes: identifiers of domain.md section 3, in order."""

from __future__ import annotations

INDICATORS: tuple[str, ...] = (
    "placements_3plus",
    "long_term_stability",
    "cp_second_plan",
    "cp_second_plan_within_2y",
    "re_referrals_12m",
    "cin_over_2_years",
    "care_leavers_17_18_suitable_accommodation",
    "care_leavers_17_18_eet",
    "care_leavers_19_21_suitable_accommodation",
    "care_leavers_19_21_eet",
    "pa_by_15y9m",
    "seen_alone",
)

# The SQL files, in the order they are installed: each only uses what comes before it.
FOUNDATION_SQL: tuple[str, ...] = ("helpers.sql", "events.sql", "tables.sql", "care_leavers.sql")
COMBINATION_SQL = "indicators.sql"


def sql_files() -> tuple[str, ...]:
    return (*FOUNDATION_SQL, *(f"{name}.sql" for name in INDICATORS), COMBINATION_SQL)
