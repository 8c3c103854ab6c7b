"""Argument types shared by the commands: a bad value is a usage error naming the option."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date


def whole_number(least: int) -> Callable[[str], int]:
    """An argparse `type=` for a whole number of at least `least`: a bad value is a usage
    error that names the option, before anything starts."""

    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            number = None
        if number is None or number < least:
            raise argparse.ArgumentTypeError(
                f"must be a whole number of at least {least}, not {text!r}"
            )
        return number

    return parse


def iso_date(text: str) -> date:
    """An argparse `type=` for a calendar date as YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date as YYYY-MM-DD, not {text!r}") from None
