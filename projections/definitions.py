"""The indicators: each is one file of projections/sql/, and everything else comes from it.

An indicator file is named after the indicator (`seen_alone.sql`), opens with its
definition in words and two header lines,

    -- seen_alone: assessments completed in the year in which the child was seen alone.
    --
    -- title: Assessments where the child was seen alone
    -- order: 12

and defines one table macro, `<indicator>_children_as_of(as_known_at)`: the drill-down,
one row per member of the denominator, with the columns of `DRILL_DOWN_COLUMNS`. From that
file alone the projection makes, in `combination_sql`: the rate step (`<indicator>_as_of`,
one row per reporting year), its place in `indicators_as_of` and
`indicator_children_as_of`, the views `indicators`, `indicator_children` and
`<indicator>_children`, and its row of the `indicator_definitions` table, which the report
and the demo read their titles and order from.

The foundation files (`FOUNDATION_SQL`) come first: calendar helpers, the event record as
known at a moment, the analyst tables; each file only uses what comes before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from projections.exceptions import IndicatorDefinitionError

SQL_DIRECTORY = Path(__file__).parent / "sql"

FOUNDATION_SQL: tuple[str, ...] = ("helpers.sql", "events.sql", "tables.sql", "care_leavers.sql")

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

_HEADER_LINE = re.compile(r"^--\s*(title|order):\s*(.*?)\s*$", re.MULTILINE)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class IndicatorDefinition:
    """One indicator, as its SQL file states it."""

    indicator: str
    title: str
    order: int
    summary: str  # the file's first paragraph, after the indicator's name
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
    for required in ("title", "order"):
        if not header.get(required):
            raise IndicatorDefinitionError(f"{path}: the header has no '-- {required}: ...' line")
    if not header["order"].isdigit():
        raise IndicatorDefinitionError(
            f"{path}: '-- order:' must be a whole number, not {header['order']!r}"
        )
    return IndicatorDefinition(
        indicator=name,
        title=header["title"],
        order=int(header["order"]),
        summary=_first_paragraph(sql).removeprefix(f"{name}:").strip(),
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
            if path.name in FOUNDATION_SQL or not is_indicator_file(path):
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

# The rate step of every indicator: written once, made for each from its drill-down.
_RATE_MACRO = """
create or replace macro {name}_as_of(as_known_at) as table
with
counts as (
    select year, count(*) filter (where in_numerator) as numerator, count(*) as denominator
    from {name}_children_as_of(as_known_at)
    group by year
)
select
    '{name}' as indicator,
    years.year,
    coalesce(counts.numerator, 0) as numerator,
    coalesce(counts.denominator, 0) as denominator,
    rate_of(coalesce(counts.numerator, 0), coalesce(counts.denominator, 0)) as rate
from reporting_years_as_of(as_known_at) as years
left join counts using (year);

create or replace view {name}_children as
select * from {name}_children_as_of('infinity'::timestamptz);
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
        f"    ({_literal(d.indicator)}, {_literal(d.title)}, {d.order}, {_literal(d.summary)})"
        for d in definitions
    )
    return "\n".join(
        [
            *(_RATE_MACRO.format(name=d.indicator) for d in definitions),
            f"create or replace macro indicators_as_of(as_known_at) as table\n{rates};",
            "create or replace macro indicator_children_as_of(as_known_at) as table\n"
            f"{drill_downs};",
            "create or replace view indicators as\n"
            "select * from indicators_as_of('infinity'::timestamptz)\norder by indicator, year;",
            "create or replace view indicator_children as\n"
            "select * from indicator_children_as_of('infinity'::timestamptz);",
            "create or replace table indicator_definitions (\n"
            "    indicator varchar primary key, title varchar not null,\n"
            "    position integer not null, summary varchar not null\n);",
            f"insert into indicator_definitions values\n{rows};",
        ]
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
