"""England's working days: the shipped bank holidays and the working-day macros."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from projections.database import open_in_memory
from projections.working_days import (
    BANK_HOLIDAYS_FILE,
    extend,
    holidays_of,
    read_bank_holidays,
    standing_holidays,
)


def test_the_file_covers_2000_to_2030_by_the_rules_and_their_one_off_changes() -> None:
    shipped = read_bank_holidays()
    assert {day.year for day, _ in shipped} == set(range(2000, 2031))
    assert shipped == [h for year in range(2000, 2031) for h in holidays_of(year)]


def test_the_file_agrees_with_an_independent_calendar_of_england_s_bank_holidays() -> None:
    # The `holidays` package keeps its own list of England's bank holidays (gov.uk's, and
    # the standing rules for the years gov.uk has not announced yet). It lists a holiday
    # that falls on a weekend on its own day as well as its substitute; the shipped table
    # holds only the days off work, so compare the weekdays.
    import holidays

    independent = {
        day
        for year in range(2000, 2031)
        for day in holidays.country_holidays("GB", subdiv="ENG", years=year)
        if day.weekday() < 5
    }
    assert {day for day, _ in read_bank_holidays()} == independent


@pytest.mark.parametrize(
    ("day", "name"),
    [
        # Dates from the gov.uk list, each a case of a rule or a one-off change.
        (date(2002, 6, 3), "Golden Jubilee bank holiday"),
        (date(2011, 4, 29), "Royal wedding"),
        (date(2012, 6, 5), "Queen's Diamond Jubilee"),
        (date(2016, 12, 27), "Christmas Day (substitute day)"),  # Christmas on a Sunday
        (date(2020, 5, 8), "Early May bank holiday (VE day)"),
        (date(2021, 12, 28), "Boxing Day (substitute day)"),  # Christmas on a Saturday
        (date(2022, 1, 3), "New Year's Day (substitute day)"),
        (date(2022, 9, 19), "State Funeral of Queen Elizabeth II"),
        (date(2023, 5, 8), "Bank holiday for the coronation of King Charles III"),
        (date(2024, 3, 29), "Good Friday"),
        (date(2026, 12, 28), "Boxing Day (substitute day)"),  # Boxing Day on a Saturday
    ],
)
def test_the_file_holds_the_gov_uk_days(day: date, name: str) -> None:
    assert (day, name) in read_bank_holidays()


def test_moved_holidays_are_not_on_their_usual_days() -> None:
    days = {day for day, _ in read_bank_holidays()}
    # 2020's early May Monday moved to VE day; 2012's and 2022's spring Mondays to June.
    assert {date(2020, 5, 4), date(2012, 5, 28), date(2022, 5, 30)}.isdisjoint(days)


def test_working_day_macros_skip_weekends_and_bank_holidays() -> None:
    connection = open_in_memory()

    def ask(sql: str) -> object:
        row = connection.execute(f"select {sql}").fetchone()
        assert row is not None
        return row[0]

    # Wed 1 June 2022: Thu 2 and Fri 3 are bank holidays, then a weekend: Mon 6 is the
    # first working day after.
    assert ask("working_days_after(date '2022-06-01', 1)") == date(2022, 6, 6)
    assert ask("working_days_between(date '2022-06-01', date '2022-06-06')") == 1
    # From a Saturday (4 June 2022): Mon 6 is 1, Fri 10 is 5.
    assert ask("working_days_after(date '2022-06-04', 5)") == date(2022, 6, 10)
    # The same day is 0; an earlier day negative.
    assert ask("working_days_between(date '2022-06-06', date '2022-06-06')") == 0
    assert ask("working_days_between(date '2022-06-07', date '2022-06-06')") == -1
    # Outside the years the file covers: null, never a guess.
    assert ask("working_days_after(date '2031-01-02', 3)") is None
    assert ask("working_days_between(date '1999-12-30', date '2000-01-05')") is None


def test_extending_the_file_appends_the_standing_rules_of_the_years_after(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "bank_holidays.csv"
    shutil.copy(BANK_HOLIDAYS_FILE, copy)
    assert extend(copy, 2032) == 16
    extended = read_bank_holidays(copy)
    assert extended[-16:] == [*standing_holidays(2031), *standing_holidays(2032)]
    assert extended[:-16] == read_bank_holidays()
