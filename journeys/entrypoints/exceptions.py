"""The entrypoints' own exceptions: what a command refuses before any layer below sees it."""

from __future__ import annotations

from events.exceptions import BadInput


class QueryRefused(BadInput, ValueError):
    """A statement that is not a query: `journeys sql` writes nothing.

    Send a query (select, describe, explain...); to export, use `--format csv` or `json`.
    """
