"""What can go wrong in the DuckDB projection, in words an operator can act on.

Each exception derives from one of the two bases of `events.exceptions` (bad input,
operational failure), which decide the command line's exit code.
"""

from __future__ import annotations

from pathlib import Path

from events.exceptions import BadInput, OperationalFailure


class ProjectionError(OperationalFailure, RuntimeError):
    """The projection refused a load that would make it wrong; nothing was written.

    Rebuild the projection (`journeys project --rebuild`) if the database was tampered with.
    """


class RecordChanged(ProjectionError):
    """The events topic no longer holds the record this projection was built from.

    Typically the embedded broker restarted (it keeps topics in memory only, so every topic
    came back empty), or JOURNEYS_TOPIC_PREFIX or KAFKA_BOOTSTRAP_SERVERS now point at
    another record. Nothing was written, and the snapshot still shows the old record: run
    `journeys project --rebuild` to build the projection from the record as it is now.
    """

    def __init__(self, database: Path, reason: str) -> None:
        self.database = database
        super().__init__(
            f"{database} was not built from the record this topic holds: {reason}. "
            "Its snapshot still shows the old record; run `journeys project --rebuild` "
            "to build it again from the record as it is"
        )


class DatabaseInUse(BadInput, RuntimeError):
    """Another process has the projection database open (a `journeys project --follow`
    runner?). Stop it first, or read the snapshot instead (docs/analysts.md).

    A bad input by its exit code only: 1, as `journeys project` has always exited here.
    """


class ProjectionWriterRunning(DatabaseInUse):
    """Another `journeys project` (a `--follow` runner, an `--until-idle` run or a
    `--rebuild`) is writing this projection database, and only one may at a time.

    Nothing was written. Let it finish, or stop it (Ctrl-C) and run the command again;
    to read the projection meanwhile, open the snapshot (docs/analysts.md).
    """

    def __init__(self, database: Path, holder: str) -> None:
        self.database = database
        self.holder = holder
        super().__init__(
            f"another `journeys project` ({holder}) is writing {database}; only one may "
            "write it at a time. Let it finish, or stop it and run this again; readers "
            "open the snapshot meanwhile"
        )


class UndecodableMessage(OperationalFailure, ValueError):
    """A message on the events topic is not an event this service can read. The message
    names the partition and offset: inspect it; nothing after it was projected."""


class SnapshotMissing(BadInput, FileNotFoundError):
    """No snapshot yet: run `journeys project --until-idle` (or `--follow`) first.

    Or point JOURNEYS_DB at the database the runner writes. A bad input by its exit code
    only: 1, as the readers (`indicators`, `sql`) have always exited here.
    """


class IndicatorDefinitionError(BadInput, ValueError):
    """An indicator's SQL file lacks what every indicator must have: fix the file it names."""


class PopulationFileError(BadInput, ValueError):
    """A population file (`journeys population load`) was refused; nothing was loaded.

    The message names the file, the line and the field: correct the file (the layout is in
    docs/analysts.md, "Population") and load it again.
    """


class ComparatorFileError(BadInput, ValueError):
    """A comparators file (`journeys comparators load`) was refused; nothing was loaded.

    The message names the file, the line and the field: correct the file (the layout is in
    docs/analysts.md, "Published comparators") and load it again.
    """


class ReferenceLoadNotTaken(OperationalFailure):
    """A reference file was left for the runner writing the database (`journeys project`),
    which did not take it in time: a `--rebuild` takes files only once it has caught up.

    Nothing was loaded. Load the file again when the runner follows the topic, or stop it.
    """

    def __init__(self, database: Path, file: Path, holder: str, seconds: float) -> None:
        super().__init__(
            f"{file} was not loaded: the runner writing {database} ({holder}) did not take "
            f"it within {seconds:g} s (a `journeys project --rebuild` takes files only once "
            "it has caught up). Nothing was loaded; load it again when the runner follows "
            "the topic, or stop the runner"
        )


class AnalysisModeChanged(OperationalFailure):
    """The projection database was built in the other mode (JOURNEYS_ANALYSIS:
    pseudonymised or identified) than the one now asked for. A file never mixes the two:
    rebuild it (`journeys project --rebuild`) in the mode wanted, or set the mode back."""


class HolderNotFound(BadInput, ValueError):
    """No case allocation names the team or worker asked for, or they are in several
    authorities' allocations.

    Check the id (the authority's own id of the team or worker, as CaseAllocated carries
    it), or name the authority with --local-authority.
    """


class QueryRefused(BadInput, ValueError):
    """A statement that is not a query: `journeys sql` and the served reads write nothing.

    Send a query (select, describe, explain...); to export, use `--format csv` or `json`.
    """


class ServedReadsUnavailable(OperationalFailure, ConnectionError):
    """No follower serves reads of this database now: none runs, it is catching up or
    stopping, or the socket is one a killed follower left.

    The read commands read the snapshot instead (projections.readers), so this reaches
    no one; to read the follower's latest commits, keep `journeys project --follow`
    running with the same JOURNEYS_DB.
    """
