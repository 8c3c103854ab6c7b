"""The breakdowns of every indicator: by local authority, sex, age band, ethnic group, and
the locality, team and worker who held the child's case.

Each indicator's drill-down has one row per member of its denominator; a breakdown groups
those rows by what the record holds of the child (`children`: sex, date of birth,
ethnicity) and sums numerators and denominators, so a figure for several groups or
authorities together is always the sum of theirs (domain.md section 3, last paragraph).

The groups are the DfE's own:
- age band on the indicator's own day (the drill-down's `on_date`): under 1, 1-4, 5-9,
  10-15, 16 and over (the CIN census and SSDA903 publication bands);
- ethnic group: the DfE major groups of the ethnicity codes (`ETHNIC_GROUPS`);
- sex: the code recorded (F, M, U).
A child with no ChildRegistered that counts is in the group 'not recorded'.

And by who held the child's case on the indicator's own day (`on_date`; each indicator's
header says which day that is): the `locality`, `team` and `worker` ids of the allocation
covering that day (`allocations`: from allocated_on, up to but not including ended_on, so
on the day of a transfer the case is the new allocation's), as known at the moment asked.
A case no allocation covers that day is in the group 'not allocated'.
"""

from __future__ import annotations

BREAKDOWNS: tuple[str, ...] = (
    "local_authority",
    "sex",
    "age_band",
    "ethnic_group",
    "locality",
    "team",
    "worker",
)

NOT_RECORDED = "not recorded"
NOT_ALLOCATED = "not allocated"

# The DfE major ethnic groups of the CIN census / SSDA903 codes. Reading fixed here:
# Chinese (CHNE) goes with "Other ethnic group", as the CIN census and SSDA903 code lists
# group it ("Chinese or other ethnic group"); refused and not yet obtained stay apart.
ETHNIC_GROUPS: dict[str, str] = {
    **dict.fromkeys(("WBRI", "WIRI", "WIRT", "WOTH", "WROM"), "White"),
    **dict.fromkeys(("MWBC", "MWBA", "MWAS", "MOTH"), "Mixed or multiple ethnic groups"),
    **dict.fromkeys(("AIND", "APKN", "ABAN", "AOTH"), "Asian or Asian British"),
    **dict.fromkeys(("BCRB", "BAFR", "BOTH"), "Black, African, Caribbean or Black British"),
    **dict.fromkeys(("CHNE", "OOTH"), "Other ethnic group"),
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}

# (band, the age it starts at), oldest first: a child is in the first band whose age it
# has reached on the day.
AGE_BANDS: tuple[tuple[str, int], ...] = (
    ("16 and over", 16),
    ("10-15", 10),
    ("5-9", 5),
    ("1-4", 1),
    ("under 1", 0),
)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def breakdown_sql() -> str:
    """The ethnic groups table and the age_band macro the breakdowns read."""
    rows = ",\n".join(
        f"    ({_literal(code)}, {_literal(group)})"
        for code, group in sorted(ETHNIC_GROUPS.items())
    )
    bands = "\n".join(
        f"        when birthdays[{start}] <= on_date then {_literal(band)}"
        for band, start in AGE_BANDS[:-1]
    )
    return f"""
create or replace table ethnic_groups (
    ethnicity varchar primary key, ethnic_group varchar not null
);
insert into ethnic_groups values
{rows};

-- The DfE age band of a child with these birthdays (children.birthdays: the n-th birthday
-- at n), on day on_date (full years of age).
create or replace macro age_band(birthdays, on_date) as
    case
        when birthdays is null then {_literal(NOT_RECORDED)}
{bands}
        else {_literal(AGE_BANDS[-1][0])}
    end;
"""
