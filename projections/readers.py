"""Where the project's read commands read: the follower's served reads, else the snapshot.

`journeys sql`, `indicators`, `due` and `supervision` open their reader here, and only
here is it decided: when a follower (`journeys project --follow`) serves reads of the
database (projections.served_reads), a session with it, which sees what the follower has
committed, without waiting for the next copy; otherwise (no follower, one that is
catching up or stopping, or a socket a killed follower left behind) the latest published
snapshot (projections.snapshot). Both hold the same tables and answer the same queries
alike, so the output does not say which was read.
"""

from __future__ import annotations

import duckdb

from events.settings import Settings
from projections.exceptions import ServedReadsUnavailable
from projections.served_reads import ServedReads, served_reads_path
from projections.snapshot import open_configured_snapshot


def open_configured_reader(settings: Settings) -> ServedReads | duckdb.DuckDBPyConnection:
    """A session with the follower serving the settings' database (JOURNEYS_DB) if one
    does, else a read-only connection to its snapshot, held to the memory limit."""
    try:
        return ServedReads(served_reads_path(settings.database))
    except ServedReadsUnavailable:
        return open_configured_snapshot(settings)
