"""Birthdays and ages, counted as DuckDB counts them (date + INTERVAL N YEAR / MONTH)."""

from __future__ import annotations

import calendar
from datetime import date


def years_after(born: date, years: int) -> date:
    """The birthday `years` on; born 29 February, 28 February in a common year."""
    year = born.year + years
    day = born.day if born.month != 2 or born.day < 29 or calendar.isleap(year) else 28
    return born.replace(year=year, day=day)


def months_after(born: date, months: int) -> date:
    """The same day `months` on, or that month's last day when it is shorter."""
    total = born.month - 1 + months
    year, month = born.year + total // 12, total % 12 + 1
    return date(year, month, min(born.day, calendar.monthrange(year, month)[1]))
