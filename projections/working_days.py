"""England's working days: the bank holidays shipped as a table, and working-day arithmetic.

The statutory timescales of children's social care are counted in working days (a single
assessment within 45 working days of the referral, an initial child protection conference
within 15 working days of the strategy discussion). A working day is a day Monday to Friday
that is not a bank holiday in England. The bank holidays are the file
`projections/calendar/bank_holidays_england.csv` (`day,name`, the gov.uk list for England
and Wales), installed into the projection database as `bank_holidays`, with `working_days`
(one row per day of the years the file covers: `is_working_day`, `working_day_number`, the
count of working days from the first day covered up to and including it) and two macros:

- `working_days_between(from_day, to_day)`: working days after `from_day` up to and
  including `to_day` (0 for the same day; negative when `to_day` is earlier);
- `working_days_after(from_day, n)`: the `n`th working day after `from_day` (n >= 1).

Both are null for a day outside the years the file covers: a timescale is never counted
on a guessed calendar. To extend the file (gov.uk publishes about two years ahead):

    python -m projections.working_days --to-year 2035

appends the standing rules' holidays (`standing_holidays`) for every year after the file's
last, up to the one given; a one-off change (a jubilee, a state funeral, a moved May
holiday: `ONE_OFF_CHANGES`) is made by hand in the file, as gov.uk announces it.
"""

from __future__ import annotations

import argparse
import calendar
import csv
from datetime import date, timedelta
from pathlib import Path

BANK_HOLIDAYS_FILE = Path(__file__).parent / "calendar" / "bank_holidays_england.csv"
COLUMNS = ("day", "name")

_SUBSTITUTE = " (substitute day)"

# Holidays moved or added by proclamation, 2000 on (gov.uk): {year: (removed, added)}.
ONE_OFF_CHANGES: dict[int, tuple[tuple[date, ...], tuple[tuple[date, str], ...]]] = {
    2002: (
        (date(2002, 5, 27),),
        (
            (date(2002, 6, 3), "Golden Jubilee bank holiday"),
            (date(2002, 6, 4), "Spring bank holiday"),
        ),
    ),
    2011: ((), ((date(2011, 4, 29), "Royal wedding"),)),
    2012: (
        (date(2012, 5, 28),),
        (
            (date(2012, 6, 4), "Spring bank holiday"),
            (date(2012, 6, 5), "Queen's Diamond Jubilee"),
        ),
    ),
    2020: ((date(2020, 5, 4),), ((date(2020, 5, 8), "Early May bank holiday (VE day)"),)),
    2022: (
        (date(2022, 5, 30),),
        (
            (date(2022, 6, 2), "Spring bank holiday"),
            (date(2022, 6, 3), "Platinum Jubilee bank holiday"),
            (date(2022, 9, 19), "State Funeral of Queen Elizabeth II"),
        ),
    ),
    2023: ((), ((date(2023, 5, 8), "Bank holiday for the coronation of King Charles III"),)),
}


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the Meeus/Jones/Butcher algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=last.weekday())


def _christmas(year: int) -> list[tuple[date, str]]:
    """Christmas and Boxing Day: each on its own day if a weekday; one falling on a weekend
    on the next weekday neither holds (Christmas on a Sunday: Boxing Day stays Monday, the
    substitute for Christmas is Tuesday)."""
    days = ((date(year, 12, 25), "Christmas Day"), (date(year, 12, 26), "Boxing Day"))
    taken = {day for day, _ in days if day.weekday() < 5}
    observed = []
    for day, name in days:
        if day.weekday() < 5:
            observed.append((day, name))
            continue
        substitute = day
        while substitute.weekday() >= 5 or substitute in taken:
            substitute += timedelta(days=1)
        taken.add(substitute)
        observed.append((substitute, name + _SUBSTITUTE))
    return observed


def standing_holidays(year: int) -> list[tuple[date, str]]:
    """England's bank holidays of `year` by the standing rules (Banking and Financial
    Dealings Act 1971 and the royal proclamations that fix the May and August Mondays),
    without one-off changes."""
    new_year = date(year, 1, 1)
    observed = new_year
    while observed.weekday() >= 5:
        observed += timedelta(days=1)
    easter = easter_sunday(year)
    return sorted(
        [
            (observed, "New Year's Day" + (_SUBSTITUTE if observed != new_year else "")),
            (easter - timedelta(days=2), "Good Friday"),
            (easter + timedelta(days=1), "Easter Monday"),
            (_first_monday(year, 5), "Early May bank holiday"),
            (_last_monday(year, 5), "Spring bank holiday"),
            (_last_monday(year, 8), "Summer bank holiday"),
            *_christmas(year),
        ]
    )


def holidays_of(year: int) -> list[tuple[date, str]]:
    """The standing rules' holidays with the year's one-off changes."""
    removed, added = ONE_OFF_CHANGES.get(year, ((), ()))
    kept = [(day, name) for day, name in standing_holidays(year) if day not in removed]
    return sorted([*kept, *added])


def read_bank_holidays(path: Path = BANK_HOLIDAYS_FILE) -> list[tuple[date, str]]:
    """The file's holidays, in date order; ValueError naming the line of a bad one."""
    with path.open(encoding="utf-8", newline="") as lines:
        reader = csv.DictReader(lines)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}, line 1: the header must be {','.join(COLUMNS)}")
        holidays = []
        for record in reader:
            try:
                day = date.fromisoformat(record["day"])
            except (TypeError, ValueError):
                raise ValueError(
                    f"{path}, line {reader.line_num}, field day: {record['day']!r} is not a "
                    "date (YYYY-MM-DD)"
                ) from None
            holidays.append((day, (record["name"] or "").strip()))
    return sorted(holidays)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def working_days_sql(path: Path = BANK_HOLIDAYS_FILE) -> str:
    """The bank_holidays and working_days tables and the working-day macros."""
    holidays = read_bank_holidays(path)
    first, last = holidays[0][0].year, holidays[-1][0].year
    rows = ",\n".join(f"    (date '{day}', {_literal(name)})" for day, name in holidays)
    return f"""
create or replace table bank_holidays (day date primary key, name varchar not null);
insert into bank_holidays values
{rows};

create or replace table working_days as
with days as (
    select cast(unnest(generate_series(date '{first}-01-01', date '{last}-12-31',
        interval 1 day)) as date) as day
),
flagged as (
    select day, isodow(day) <= 5 and day not in (select day from bank_holidays)
        as is_working_day
    from days
)
select day, is_working_day,
    cast(sum(case when is_working_day then 1 else 0 end) over (order by day) as integer)
        as working_day_number
from flagged
order by day;

-- The calendar as two lists, read by index (a list lookup per row, where a join per call
-- of the macros below cost a second on a Doncaster-sized authority's timescales):
-- numbers[i], the working_day_number of first_day + i - 1; days_by_number[n], the n-th
-- working day.
create or replace table working_day_lists as
select
    min(day) as first_day,
    max(day) as last_day,
    list(working_day_number order by day) as numbers,
    (select list(day order by day) from working_days where is_working_day) as days_by_number
from working_days;

-- The working_day_number of a day; null outside the calendar.
create or replace macro working_day_number(d) as
    case
        when d between (select first_day from working_day_lists)
            and (select last_day from working_day_lists)
        then (select numbers from working_day_lists)[
            cast(d - (select first_day from working_day_lists) as integer) + 1]
    end;

-- Working days after from_day up to and including to_day; null outside the calendar.
create or replace macro working_days_between(from_day, to_day) as
    working_day_number(to_day) - working_day_number(from_day);

-- The n-th working day after from_day (n >= 1); null outside the calendar.
create or replace macro working_days_after(from_day, n) as
    (select days_by_number from working_day_lists)[working_day_number(from_day) + n];
"""


def extend(path: Path, to_year: int) -> int:
    """Append the standing rules' holidays of the years after the file's last, up to
    `to_year`; how many were added."""
    last_year = read_bank_holidays(path)[-1][0].year
    added = [h for year in range(last_year + 1, to_year + 1) for h in standing_holidays(year)]
    with path.open("a", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        for day, name in added:
            writer.writerow([day.isoformat(), name])
    return len(added)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m projections.working_days",
        description="extend the bank holidays file by the standing rules (check gov.uk "
        "for one-off changes and edit the file by hand for them)",
    )
    parser.add_argument("--to-year", type=int, required=True)
    parser.add_argument("--file", type=Path, default=BANK_HOLIDAYS_FILE)
    arguments = parser.parse_args(argv)
    added = extend(arguments.file, arguments.to_year)
    print(f"{arguments.file}: {added} bank holidays added")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
