"""The indicators: each is one file of projections/sql/, and everything else comes from it.

An indicator file is named after the indicator (`seen_alone.sql`), opens with its
definition in words and its header lines,

    -- seen_alone: assessments completed in the year in which the child was seen alone.
    --
    -- title: Assessments where the child was seen alone
    -- order: 12

a third, `-- case held on: <the indicator's own day>` (whose holder of the child's case
its rows count for, `--by locality|team|worker`; e.g. "31 March"), optionally `-- kind:
per_10k_children` (see `KINDS`), and defines one table macro,
`<indicator>_children_as_of(as_known_at)`: the drill-down, one row per member of the
denominator, with the columns of `DRILL_DOWN_COLUMNS`. From that file alone the projection
makes, in `combination_sql`: the rate step of its kind (`<indicator>_as_of`, one row per
authority per reporting year of that authority), its place in `indicators_as_of`,
`indicator_children_as_of` and `indicators_by` (the breakdowns), the views `indicators`,
`indicator_children` and `<indicator>_children`, and its row of the
`indicator_definitions` table, which the report and the demo read their titles, order and
kind from. The reference tables the rates read (`population`, `comparators`) are created
here too, if missing.

The foundation files (`FOUNDATION_SQL`) come first: calendar helpers, the event record as
known at a moment, the analyst tables; each file only uses what comes before it. The
shared indicator files (`SHARED_INDICATOR_SQL`: cohorts several indicators count) come
after the kept tables and before the indicator files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from projections.breakdowns import NOT_ALLOCATED, NOT_RECORDED, breakdown_sql
from projections.comparators import COMPARATORS_DDL
from projections.exceptions import IndicatorDefinitionError
from projections.population import POPULATION_DDL

SQL_DIRECTORY = Path(__file__).parent / "sql"

FOUNDATION_SQL: tuple[str, ...] = ("helpers.sql", "events.sql", "tables.sql", "care_leavers.sql")

# The cohorts and steps several indicators share: installed after the kept tables (whose
# `_as_of` macros they read) and before the indicator files (which read them).
SHARED_INDICATOR_SQL: tuple[str, ...] = ("cohorts.sql", "statutory_duties.sql")

# What every `<indicator>_children_as_of` returns, in this order.
DRILL_DOWN_COLUMNS: tuple[str, ...] = (
    "indicator",
    "year",
    "local_authority",
    "child_id",
    "subject_id",
    "on_date",
    "detail",
    "in_numerator",
)

_HEADER_LINE = re.compile(r"^--\s*(title|order|kind|case held on):\s*(.*?)\s*$", re.MULTILINE)

# What an indicator's rate is (the header's `-- kind:`, `proportion` when absent):
# - proportion: numerator / denominator, the denominator the rows of the drill-down;
# - per_10k_children: numerator / the authority's children aged 0-17 (the `population`
#   table) * 10,000, the denominator that population; null where none is loaded. Every
#   row of such a drill-down is in the numerator.
KINDS: dict[str, int] = {"proportion": 1, "per_10k_children": 10_000}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class IndicatorDefinition:
    """One indicator, as its SQL file states it."""

    indicator: str
    title: str
    order: int
    kind: str  # a key of KINDS
    summary: str  # the file's first paragraph, after the indicator's name
    # The indicator's own day, on which whoever held the child's case is the locality,
    # team and worker its row counts for (projections.breakdowns): `-- case held on:`.
    case_held_on: str
    sql: str
    path: Path


def is_indicator_file(path: Path) -> bool:
    """Whether `path` defines an indicator: its `<name>_children_as_of` macro."""
    return _drill_down_macro(path.stem) in path.read_text(encoding="utf-8")


def _drill_down_macro(name: str) -> str:
    return f"create or replace macro {name}_children_as_of(as_known_at) as table"


def read_definition(path: Path) -> IndicatorDefinition:
    """The indicator defined by one SQL file; IndicatorDefinitionError says what is missing."""
    name = path.stem
    sql = path.read_text(encoding="utf-8")
    if not _NAME.match(name):
        raise IndicatorDefinitionError(
            f"{path}: an indicator's file name must be lower-case letters, digits and "
            f"underscores (it becomes SQL names), not {name!r}"
        )
    first_line = sql.splitlines()[0] if sql else ""
    if not first_line.startswith(f"-- {name}:"):
        raise IndicatorDefinitionError(
            f"{path}: the first line must be '-- {name}: <the definition in words>'"
        )
    if _drill_down_macro(name) not in sql:
        raise IndicatorDefinitionError(f"{path}: defines no macro {name}_children_as_of")
    header = dict(_HEADER_LINE.findall(sql))
    for required in ("title", "order", "case held on"):
        if not header.get(required):
            raise IndicatorDefinitionError(f"{path}: the header has no '-- {required}: ...' line")
    if not header["order"].isdigit():
        raise IndicatorDefinitionError(
            f"{path}: '-- order:' must be a whole number, not {header['order']!r}"
        )
    kind = header.get("kind", "proportion")
    if kind not in KINDS:
        raise IndicatorDefinitionError(
            f"{path}: '-- kind:' must be one of {', '.join(KINDS)}, not {kind!r}"
        )
    return IndicatorDefinition(
        indicator=name,
        title=header["title"],
        order=int(header["order"]),
        kind=kind,
        summary=_first_paragraph(sql).removeprefix(f"{name}:").strip(),
        case_held_on=header["case held on"],
        sql=sql,
        path=path,
    )


def _first_paragraph(sql: str) -> str:
    """The comment lines before the first empty comment line, joined into one line."""
    words = []
    for line in sql.splitlines():
        text = line.removeprefix("--").strip()
        if not line.startswith("--") or not text:
            break
        words.append(text)
    return " ".join(words)


def indicator_definitions(
    directories: Iterable[Path] = (SQL_DIRECTORY,),
) -> tuple[IndicatorDefinition, ...]:
    """Every indicator file in `directories`, in their stated order (then by name)."""
    found: dict[str, IndicatorDefinition] = {}
    for directory in directories:
        for path in sorted(directory.glob("*.sql")):
            shared = path.name in (*FOUNDATION_SQL, *SHARED_INDICATOR_SQL)
            if shared or not is_indicator_file(path):
                continue
            definition = read_definition(path)
            if definition.indicator in found:
                raise IndicatorDefinitionError(
                    f"indicator {definition.indicator!r} is defined twice: "
                    f"{found[definition.indicator].path} and {path}"
                )
            found[definition.indicator] = definition
    return tuple(sorted(found.values(), key=lambda d: (d.order, d.indicator)))


INDICATORS: tuple[str, ...] = tuple(d.indicator for d in indicator_definitions())

# The years of each authority: from the reporting year of its earliest event to that of
# its latest, as reporting_years_as_of is for the whole record. Every figure of an
# authority is for its own years, so an authority's figures in a record shared with
# others are exactly those of its record alone.
_AUTHORITY_YEARS = """
create or replace macro authority_years_as_of(as_known_at) as table
with
spans as (
    select local_authority, min(first_year) as first_year, max(last_year) as last_year
    from reporting_year_spans_as_of(as_known_at)
    group by local_authority
)
select local_authority, unnest(range(first_year, last_year + 1)) as year
from spans;
"""

# The rate step of every indicator: written once, made for each from its drill-down and
# the denominator of its kind (_DENOMINATORS), times the kind's scale (KINDS).
# One row per authority per year of that authority.
_RATE_MACRO = """
create or replace macro {name}_as_of(as_known_at) as table
with
counts as (
    select
        local_authority,
        year,
        count(*) filter (where in_numerator) as numerator,
        count(*) as members
    from {name}_children_as_of(as_known_at)
    group by local_authority, year
){denominator_step}
select
    '{name}' as indicator,
    years.year,
    years.local_authority,
    coalesce(counts.numerator, 0) as numerator,
    {denominator} as denominator,
    rate_of(coalesce(counts.numerator, 0), {denominator}) * {scale} as rate
from authority_years_as_of(as_known_at) as years
left join counts using (local_authority, year){denominator_join};
"""

# Per kind: the denominator, and the step and join that bring it.
# - proportion: the rows of the drill-down;
# - per_10k_children: the authority's children aged 0-17 that year (the `population`
#   table); null where no population is loaded.
_DENOMINATORS: dict[str, dict[str, str]] = {
    "proportion": {
        "denominator": "coalesce(counts.members, 0)",
        "denominator_step": "",
        "denominator_join": "",
    },
    "per_10k_children": {
        "denominator": "children.children",
        "denominator_step": """,
children as (
    select local_authority, year, cast(sum(children) as bigint) as children
    from population
    group by local_authority, year
)""",
        "denominator_join": "\nleft join children using (local_authority, year)",
    },
}

# The drill-down of every indicator, whatever its kind: its rows in its authority's years.
_CHILDREN_VIEW = """
create or replace view {name}_children as
select * from {name}_children_as_of('infinity'::timestamptz)
semi join authority_years_as_of('infinity'::timestamptz) using (local_authority, year);
"""

# Every indicator by any of the breakdowns (projections.breakdowns), as known at a moment:
# numerators and denominators summed over what is not asked for. Without a breakdown it is
# the pooled figure of all authorities; by_local_authority alone is the `indicators` view.
# Columns not asked for are null. Groups with an empty denominator are left out, except
# that without a breakdown of the children (sex, age band, ethnic group) every year of
# every asked authority has its row, as the rate step gives it. A per_10k_children
# indicator's denominator is the population of the group's authorities (and age band):
# null by sex or ethnic group (the population is not held by them), and null where any of
# those authorities has no population loaded for the year.
_INDICATORS_BY = """
-- Who held the case on each drill-down row's own day (its on_date): the one allocation
-- covering it (the rules keep one open at a time; a transfer's day is the new
-- allocation's). The supervision page reads this alone (it needs no child's details).
create or replace macro indicator_children_held_as_of(as_known_at) as table
select
    drill_down.*,
    coalesce(held.locality_id, '{not_allocated}') as locality,
    coalesce(held.team_id, '{not_allocated}') as team,
    coalesce(held.worker_id, '{not_allocated}') as worker
from indicator_children_as_of(as_known_at) as drill_down
left join allocations_as_of(as_known_at) as held
    on held.local_authority = drill_down.local_authority
    and held.child_id = drill_down.child_id
    and covers(held.allocated_on, held.ended_on, drill_down.on_date);

create or replace macro indicator_children_described_as_of(as_known_at) as table
select
    drill_down.* exclude (locality, team, worker),
    coalesce(children.sex, '{not_recorded}') as sex,
    age_band(children.birthdays, drill_down.on_date) as age_band,
    coalesce(groups.ethnic_group, '{not_recorded}') as ethnic_group,
    drill_down.locality,
    drill_down.team,
    drill_down.worker
from indicator_children_held_as_of(as_known_at) as drill_down
left join children_as_of(as_known_at) as children using (local_authority, child_id)
left join ethnic_groups as groups on groups.ethnicity = children.ethnicity;

create or replace macro indicators_by(
    as_known_at,
    by_local_authority := false,
    by_sex := false,
    by_age_band := false,
    by_ethnic_group := false,
    by_locality := false,
    by_team := false,
    by_worker := false
) as table
with
members as (
    select
        indicator,
        year,
        case when by_local_authority then local_authority end as local_authority,
        case when by_sex then sex end as sex,
        case when by_age_band then age_band end as age_band,
        case when by_ethnic_group then ethnic_group end as ethnic_group,
        case when by_locality then locality end as locality,
        case when by_team then team end as team,
        case when by_worker then worker end as worker,
        count(*) filter (where in_numerator) as numerator,
        count(*) as denominator
    from indicator_children_described_as_of(as_known_at)
    group by all
),
every_year as (
    select
        definitions.indicator,
        years.year,
        case when by_local_authority then years.local_authority end as local_authority,
        null::varchar as sex,
        null::varchar as age_band,
        null::varchar as ethnic_group,
        null::varchar as locality,
        null::varchar as team,
        null::varchar as worker,
        0 as numerator,
        0 as denominator
    from indicator_definitions as definitions
    cross join authority_years_as_of(as_known_at) as years
    where not (by_sex or by_age_band or by_ethnic_group or by_locality or by_team or by_worker)
),
grouped as (
    select
        indicator, year, local_authority, sex, age_band, ethnic_group, locality, team, worker,
        cast(sum(numerator) as bigint) as numerator,
        cast(sum(denominator) as bigint) as members
    from (select * from members union all select * from every_year)
    group by all
),
population_groups as (
    select
        years.year,
        case when by_local_authority then years.local_authority end as local_authority,
        case when by_age_band then bands.age_band end as age_band,
        case
            when bool_or(population.children is null) then null
            else cast(sum(population.children) as bigint)
        end as children
    from authority_years_as_of(as_known_at) as years
    cross join population_age_bands as bands
    left join population
        on population.local_authority = years.local_authority
        and population.year = years.year
        and population.age_band = bands.age_band
    group by all
),
answered as (
    select
        grouped.indicator, grouped.year, grouped.local_authority, grouped.sex,
        grouped.age_band, grouped.ethnic_group, grouped.locality, grouped.team,
        grouped.worker, grouped.numerator,
        case
            when definitions.kind = 'proportion' then grouped.members
            when by_sex or by_ethnic_group or by_locality or by_team or by_worker then null
            else population_groups.children
        end as denominator,
        definitions.scale
    from grouped
    join indicator_definitions as definitions using (indicator)
    left join population_groups
        on population_groups.year = grouped.year
        and population_groups.local_authority is not distinct from grouped.local_authority
        and population_groups.age_band is not distinct from grouped.age_band
)
select
    indicator, year, local_authority, sex, age_band, ethnic_group, locality, team, worker,
    numerator, denominator, rate_of(numerator, denominator) * scale as rate
from answered;
"""


def combination_sql(definitions: Sequence[IndicatorDefinition]) -> str:
    """The SQL made from the indicator files: rates, unions, views, the definitions table."""
    if not definitions:
        raise IndicatorDefinitionError("no indicator files found")
    columns = ", ".join(DRILL_DOWN_COLUMNS)
    rates = "\nunion all\n".join(
        f"select * from {d.indicator}_as_of(as_known_at)" for d in definitions
    )
    drill_downs = "\nunion all\n".join(
        f"select {columns} from {d.indicator}_children_as_of(as_known_at)" for d in definitions
    )
    rows = ",\n".join(
        f"    ({_literal(d.indicator)}, {_literal(d.title)}, {d.order}, {_literal(d.summary)}, "
        f"{_literal(d.kind)}, {KINDS[d.kind]}, {_literal(d.case_held_on)})"
        for d in definitions
    )
    return "\n".join(
        [
            breakdown_sql(),
            _AUTHORITY_YEARS,
            POPULATION_DDL,
            COMPARATORS_DDL,
            *(
                (_RATE_MACRO + _CHILDREN_VIEW).format(
                    name=d.indicator, scale=KINDS[d.kind], **_DENOMINATORS[d.kind]
                )
                for d in definitions
            ),
            f"create or replace macro indicators_as_of(as_known_at) as table\n{rates};",
            "create or replace macro indicator_children_as_of(as_known_at) as table\n"
            f"select * from (\n{drill_downs}\n)\n"
            "semi join authority_years_as_of(as_known_at) using (local_authority, year);",
            "create or replace view indicators as\n"
            "select * from indicators_as_of('infinity'::timestamptz)\n"
            "order by indicator, year, local_authority;",
            "create or replace view indicator_children as\n"
            "select * from indicator_children_as_of('infinity'::timestamptz);",
            "create or replace table indicator_definitions (\n"
            "    indicator varchar primary key, title varchar not null,\n"
            "    position integer not null, summary varchar not null,\n"
            "    kind varchar not null, scale integer not null,\n"
            "    case_held_on varchar not null\n);",
            f"insert into indicator_definitions values\n{rows};",
            _INDICATORS_BY.format(not_recorded=NOT_RECORDED, not_allocated=NOT_ALLOCATED),
        ]
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
