"""The entrypoints' own exceptions: what a command refuses before any layer below sees it.

QueryRefused lives in projections.exceptions now, since the runner's served reads refuse
by the same rule as `journeys sql` (projections.read_only); it is named here as before.
"""

from __future__ import annotations

from projections.exceptions import QueryRefused

__all__ = ["QueryRefused"]
