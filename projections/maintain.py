"""The kept analyst tables: maintained as batches are loaded, read as of a moment by a filter.

Every analyst table (children, referrals, ..., care_leaver_birthdays) and the per-child
span of reporting years is stored as `<table>_versions`: its rows, each with its
knowledge time, `known_from` (the recorded_at from which the row is as it is) and
`known_until` (the recorded_at from which it no longer counts; null while current). So
`<table>_as_of(T)` is the filter `known_from <= T and (known_until is null or known_until >
T)` on a stored table, not a replay of the log; `<table>_replayed_as_of(T)`
(tables.sql, care_leavers.sql) stays the definition of record, and tests compare the two.

How the versions are kept. Every table's rows depend on one child's events only (the
reporting years, the one thing that depends on all children, are kept as a span per child).
Loading a batch notes, per child it touches, the earliest recorded_at it brings for that
child (`kept_pending`, in the batch's own transaction; a retraction touches the child of
the event it names). `bring_up_to_date` then, per noted child and per table: recomputes the
table at every moment from that one on at which the child's events of the table's types
are recorded or retracted (the only moments its rows can change; kept_versions.sql),
merges consecutive equal rows into one version, cuts the versions known before that
moment at it, replaces those known from it on, and joins a cut version to its unchanged
continuation. The result is the same whatever the batches and their order: each row's
versions are its maximal runs of moments. Two shortcuts give the same versions for less:
a table whose every row comes from one event (`ONE_ROW_PER_EVENT`) has one version per
event, known from its recorded_at until its retraction, so it is computed once per event,
not at every moment; and events a table's rules never read (`EVENTS_NOT_READ`) are left
out of its grid of moments.

When: `projections.load.append` brings them up to date in the batch's transaction; the
runner does it before every commit that readers may see (publishing the snapshot, caught
up, stopping), and not at the commits that only bound a catch-up's transaction size, so a
catch-up recomputes each child once rather than once per commit. Children are brought up
to date `CHILDREN_PER_PASS` at a time, to bound the memory of a pass.
"""

from __future__ import annotations

import hashlib
import os

import duckdb

from events.catalogue import EVENT_CLASSES
from projections.code_lists import code_list_sql
from projections.definitions import SQL_DIRECTORY
from projections.schema import event_log_ddl
from projections.working_days import working_days_sql

_PERIODS = ["PeriodOfCareStarted", "PeriodOfCareEnded"]
_SPELLS = [*_PERIODS, "LegalStatusChanged"]
_PLACEMENTS = ["PlacementStarted", "PlacementEnded", *_PERIODS]

# Each kept table and the event types it is built from (with those of the tables it reads).
KEPT_TABLES: dict[str, list[str]] = {
    "reporting_year_spans": [c.__name__ for c in EVENT_CLASSES if c.__name__ != "EventRetracted"],
    "children": ["ChildRegistered"],
    "referrals": ["ReferralReceived", "ReferralClosed"],
    "assessments": ["AssessmentStarted", "AssessmentCompleted"],
    "enquiries": ["Section47Started", "ChildProtectionConferenceHeld"],
    "cp_plans": ["ChildProtectionPlanStarted", "ChildProtectionPlanEnded"],
    "periods_of_care": _PERIODS,
    "legal_status_spells": _SPELLS,
    "placement_spells": _PLACEMENTS,
    "placements": _PLACEMENTS,
    "personal_advisers": ["PersonalAdviserAllocated"],
    "care_leaver_contacts": ["CareLeaverContactRecorded"],
    "care_leaver_birthdays": ["ChildRegistered", *_SPELLS, "CareLeaverContactRecorded"],
    "statutory_reviews": ["StatutoryReviewHeld"],
    "education_plans": ["PersonalEducationPlanCompleted"],
    "health_checks": [
        "HealthAssessmentCompleted",
        "DentalCheckCompleted",
        "ImmunisationsStatusRecorded",
    ],
    "conference_attendance": ["ConferenceAttendanceRecorded"],
    "allocations": ["CaseAllocated", "CaseAllocationEnded"],
    "statutory_visits": ["StatutoryVisitMade"],
    "strategy_discussions": ["StrategyDiscussionHeld"],
    "cp_review_conferences": ["ChildProtectionReviewConferenceHeld"],
    "missing_episodes": ["MissingEpisodeRecorded"],
    "motherhood": ["MotherhoodRecorded"],
    "uasc_statuses": ["UnaccompaniedAsylumSeekerRecorded"],
    "adoption_matches": ["AdoptionMatchRecorded"],
    "previous_permanence": ["PreviousPermanenceRecorded"],
    "sdq_scores": ["StrengthsAndDifficultiesRecorded"],
    "convictions": ["ConvictionRecorded"],
    "substance_misuse": ["SubstanceMisuseIdentified"],
    "cin_plans": ["ChildInNeedPlanRecorded"],
    "statutory_steps": [
        "ChildProtectionPlanStarted",
        "ChildProtectionPlanEnded",
        *_PLACEMENTS,
        "StatutoryVisitMade",
        "ChildProtectionReviewConferenceHeld",
        "StatutoryReviewHeld",
    ],
}
# The kept tables whose every row comes from one event and stays as it is until that event
# is retracted, each with the column naming its event: a row's one version is known from
# the event's recorded_at until its retraction's, so they are computed once per event
# (`events_at_moments(types, once)`, kept_versions.sql), not at every moment of the child.
ONE_ROW_PER_EVENT: dict[str, str] = {
    "personal_advisers": "allocated_event_id",
    "care_leaver_contacts": "contact_event_id",
    "statutory_reviews": "review_event_id",
    "education_plans": "plan_event_id",
    "health_checks": "check_event_id",
    "conference_attendance": "attendance_event_id",
    "statutory_visits": "visit_event_id",
    "strategy_discussions": "discussion_event_id",
    "cp_review_conferences": "conference_event_id",
    "missing_episodes": "missing_event_id",
    "motherhood": "motherhood_event_id",
    "uasc_statuses": "uasc_event_id",
    "adoption_matches": "match_event_id",
    "previous_permanence": "permanence_event_id",
    "sdq_scores": "sdq_event_id",
    "convictions": "conviction_event_id",
    "substance_misuse": "substance_misuse_event_id",
    "cin_plans": "cin_plan_event_id",
}
# Events of a kept table's types that its rules never read: dropped from a pass's events
# just before that table is computed, after every other table of the pass, so they add no
# moments to its grid. statutory_steps reads only the visits at which a child on a plan or
# looked after was seen; the others (children in need's, care leavers', not seen), about
# half of all visits, would each add a moment of the child at which none of its steps
# changes.
EVENTS_NOT_READ: dict[str, str] = {
    "statutory_steps": "event_type = 'StatutoryVisitMade' "
    "and not (seen and visit_kind in ('CP', 'LAC'))",
}
# The analyst tables among them (reporting_year_spans only serves reporting_years_as_of).
ANALYST_TABLES: tuple[str, ...] = tuple(t for t in KEPT_TABLES if t != "reporting_year_spans")

CHILDREN_PER_PASS = 100_000
# DuckDB's memory limit while bringing the tables up to date, if the connection's is lower
# (the runner's writer has 128 MB: its loading never reads back); the runner passes the
# configured one (JOURNEYS_DUCKDB_MEMORY_LIMIT). A pass of 100,000 children at the
# synthetic authority's density measured 4.7 s at 1 GB, 6.1 s at 128 MB (spilling to disk).
MAINTENANCE_MEMORY_LIMIT_BYTES = 1 << 30

# Up to this many children in a pass, the join that finds their events and versions hands
# their ids to the scan as a list (DuckDB's dynamic_or_filter_threshold, 50 by default),
# so the scan reads the other columns only where an id matches: on a million events in
# the order recorded, 0.15 s -> 0.10 s for 200 children, 0.17 s -> 0.14 s for 1,000. A
# catch-up's passes of CHILDREN_PER_PASS keep the plain hash join.
IN_LIST_CHILDREN = 5_000

_SIZE_UNITS = {"bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}

# The files whose rules the kept versions follow: a change to any of them recomputes them.
_RULE_FILES = ("helpers.sql", "events.sql", "tables.sql", "care_leavers.sql", "kept_versions.sql")

_PENDING_COLUMNS = (
    "local_authority varchar, child_id varchar, event_type varchar, since timestamptz"
)

_SCRATCH_DDL = f"""
create table if not exists kept_pending ({_PENDING_COLUMNS});
create or replace table kept_children_to_update (
    local_authority varchar, child_id varchar, since timestamptz
);
create or replace table kept_events_to_replay as
select *, null::timestamptz as valid_until from event_log where false;
create table if not exists kept_rules (fingerprint varchar);
create table if not exists kept_retractions (
    kafka_partition integer, kafka_offset bigint, retracted_event_id uuid, recorded_at timestamptz
);
"""

# Every EventRetracted of the log, by where it was read (so that a later copy of one,
# which projections.load.skip_later_copies deletes from the log, leaves it too): what the
# maintenance joins each child's events to, instead of a scan of the whole log's types.
_FILL_RETRACTIONS = """
insert into kept_retractions
select kafka_partition, kafka_offset, cast(retracted_event_id as uuid), recorded_at
from {source} where event_type = 'EventRetracted'
"""


def _types_literal(table: str) -> str:
    return "[" + ", ".join(f"'{t}'" for t in KEPT_TABLES[table]) + "]"


def rules_fingerprint() -> str:
    """A digest of everything the kept versions are computed from."""
    digest = hashlib.sha256()
    for name in _RULE_FILES:
        digest.update((SQL_DIRECTORY / name).read_bytes())
    digest.update(code_list_sql().encode())
    # statutory_steps counts working days: a bank holiday added recomputes it.
    digest.update(working_days_sql().encode())
    digest.update(event_log_ddl().encode())
    digest.update(repr((KEPT_TABLES, ONE_ROW_PER_EVENT, EVENTS_NOT_READ)).encode())
    digest.update(_SCRATCH_DDL.encode())
    return digest.hexdigest()


def install_kept_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the kept tables and their macros and views (after the foundation SQL).

    If the rules they were computed by have changed since (or they are new), every
    child's versions are recomputed from the log, in one transaction.
    """
    connection.execute(_SCRATCH_DDL)
    connection.execute((SQL_DIRECTORY / "kept_versions.sql").read_text(encoding="utf-8"))
    fingerprint = rules_fingerprint()
    stored = connection.execute("select fingerprint from kept_rules").fetchall()
    if stored != [(fingerprint,)]:
        connection.begin()
        try:
            for table in KEPT_TABLES:
                connection.execute(f"drop table if exists {table}_versions")
                connection.execute(
                    f"create table {table}_versions as "
                    f"select * exclude (moment), null::timestamptz as known_from, "
                    f"null::timestamptz as known_until "
                    f"from {table}_at_moments({_types_literal(table)}) where false"
                )
            connection.execute(f"create or replace table kept_pending ({_PENDING_COLUMNS})")
            connection.execute("delete from kept_retractions")
            connection.execute(_FILL_RETRACTIONS.format(source="event_log"))
            connection.execute(
                "insert into kept_pending select distinct local_authority, child_id, "
                "event_type, '-infinity'::timestamptz from event_log"
            )
            connection.execute("delete from kept_rules")
            connection.execute("insert into kept_rules values (?)", [fingerprint])
            bring_up_to_date(connection)
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
    connection.execute(kept_sql())


_REPORTING_YEARS_MACRO = """
create or replace macro reporting_years_as_of(as_known_at) as table
with
bounds as (
    select min(first_year) as first_year, max(last_year) as last_year
    from reporting_year_spans_versions
    where known_from <= as_known_at and (known_until is null or known_until > as_known_at)
)
select year, year_starts_on(year) as year_starts_on, year_ends_on(year) as march_31
from bounds, range(bounds.first_year, bounds.last_year + 1) as years(year);
"""


def kept_sql() -> str:
    """The as-of macros and the current views, reading the kept tables."""
    statements = [_REPORTING_YEARS_MACRO]
    for table in KEPT_TABLES:
        statements.append(
            f"create or replace macro {table}_as_of(as_known_at) as table\n"
            f"select * exclude (known_from, known_until) from {table}_versions\n"
            f"where known_from <= as_known_at\n"
            f"  and (known_until is null or known_until > as_known_at);"
        )
    statements.append(
        # The replayed definition keeps only birthdays in a year with data.
        "create or replace macro care_leaver_birthdays_as_of(as_known_at) as table\n"
        "select * exclude (known_from, known_until) from care_leaver_birthdays_versions\n"
        "where known_from <= as_known_at\n"
        "  and (known_until is null or known_until > as_known_at)\n"
        "  and year in (select year from reporting_years_as_of(as_known_at));"
    )
    statements.extend(
        f"create or replace view {table} as\nselect * from {table}_as_of('infinity'::timestamptz);"
        for table in ANALYST_TABLES
    )
    return "\n".join(statements)


def replaying_sql() -> str:
    """The as-of macros and views redefined as replays of the log (the definition of
    record): for comparing the kept tables with it, and as a way back if they are wrong."""
    names = [*ANALYST_TABLES, "reporting_years"]
    statements = [
        f"create or replace macro {name}_as_of(as_known_at) as table\n"
        f"select * from {name}_replayed_as_of(as_known_at);"
        for name in names
    ]
    statements.extend(
        f"create or replace view {table} as\nselect * from {table}_as_of('infinity'::timestamptz);"
        for table in ANALYST_TABLES
    )
    return "\n".join(statements)


def note_loaded_batch(connection: duckdb.DuckDBPyConnection, incoming: str) -> None:
    """Note, per child and event type the batch `incoming` (a registered relation, already
    inserted into event_log) touches, the earliest recorded_at it brings: a retraction
    touches the child and type of the event it names (if loaded; else that event, when
    it comes, brings its own recorded_at, and the retraction is found then)."""
    connection.execute(_FILL_RETRACTIONS.format(source=incoming))
    connection.execute(
        f"""
        insert into kept_pending
        select local_authority, child_id, event_type, min(recorded_at)
        from (
            select local_authority, child_id, event_type, recorded_at from {incoming}
            where event_type <> 'EventRetracted'
            union all
            select log.local_authority, log.child_id, log.event_type, retraction.recorded_at
            from {incoming} as retraction
            join event_log as log
                on log.event_id = cast(retraction.retracted_event_id as uuid)
            where retraction.event_type = 'EventRetracted'
        )
        group by local_authority, child_id, event_type
        """
    )


def has_pending(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether a loaded batch has not yet been brought into the kept tables."""
    return connection.execute("select exists (from kept_pending)").fetchone() == (True,)


def bring_up_to_date(
    connection: duckdb.DuckDBPyConnection,
    *,
    children_per_pass: int = CHILDREN_PER_PASS,
    memory_limit_bytes: int = MAINTENANCE_MEMORY_LIMIT_BYTES,
) -> None:
    """Bring every noted child's versions up to date, inside the caller's transaction.

    With more memory and every core for the while: the writer's connection is kept small
    and on one thread for loading (projections.runner.RunnerOptions), but while the kept
    tables are brought up to date the loader waits, so its decoder's core is free.
    """
    if not has_pending(connection):
        return
    (limit,) = connection.execute("select current_setting('memory_limit')").fetchone()
    (threads,) = connection.execute("select current_setting('threads')").fetchone()
    (in_list,) = connection.execute(
        "select current_setting('dynamic_or_filter_threshold')"
    ).fetchone()
    number, unit = str(limit).split()
    raise_memory = float(number) * _SIZE_UNITS.get(unit, 1) < memory_limit_bytes
    if raise_memory:
        connection.execute(f"set memory_limit = '{int(memory_limit_bytes)}B'")
    connection.execute(f"set threads = {max(int(threads), os.cpu_count() or 1)}")
    connection.execute(f"set dynamic_or_filter_threshold = {max(int(in_list), IN_LIST_CHILDREN)}")
    try:
        _bring_up_to_date(connection, children_per_pass)
    finally:
        connection.execute(f"set dynamic_or_filter_threshold = {int(in_list)}")
        connection.execute(f"set threads = {int(threads)}")
        if raise_memory:
            connection.execute(f"set memory_limit = '{limit}'")


def _bring_up_to_date(connection: duckdb.DuckDBPyConnection, children_per_pass: int) -> None:
    connection.execute(
        """
        create or replace temp table kept_pending_children as
        select local_authority, child_id, event_type, min(since) as since,
            dense_rank() over (order by local_authority, child_id) - 1 as position
        from kept_pending
        group by local_authority, child_id, event_type
        """
    )
    (count,) = connection.execute(
        "select coalesce(max(position) + 1, 0) from kept_pending_children"
    ).fetchone()
    # The tables that drop events come last: the events they drop stay dropped for the
    # rest of the pass (so a second such table would see the first's drops too).
    tables = sorted(KEPT_TABLES, key=lambda table: table in EVENTS_NOT_READ)
    for first in range(0, count, children_per_pass):
        _select_events(connection, first, first + children_per_pass)
        for table in tables:
            if not _select_children(connection, table, first, first + children_per_pass):
                continue
            if table in EVENTS_NOT_READ:
                connection.execute(
                    f"delete from kept_events_to_replay where {EVENTS_NOT_READ[table]}"
                )
            if table in ONE_ROW_PER_EVENT:
                _replace_versions_of_events(connection, table)
            else:
                _replace_versions(connection, table, _columns(connection, table))
    connection.execute("delete from kept_children_to_update")
    connection.execute("delete from kept_events_to_replay")
    connection.execute("delete from kept_pending")
    connection.execute("drop table kept_pending_children")


_COLUMNS: dict[str, list[str]] = {}


def _columns(connection: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The columns of a kept table but its knowledge time (fixed by the installed rules)."""
    if table not in _COLUMNS:
        names = [row[0] for row in connection.execute(f"describe {table}_versions").fetchall()]
        _COLUMNS[table] = [name for name in names if name not in ("known_from", "known_until")]
    return _COLUMNS[table]


def _select_events(connection: duckdb.DuckDBPyConnection, first: int, end: int) -> None:
    """The events of one pass's children, with when each stops counting."""
    connection.execute("delete from kept_events_to_replay")
    connection.execute(
        """
        insert into kept_events_to_replay
        with
        retractions as (
            select retracted_event_id as event_id, min(recorded_at) as valid_until
            from kept_retractions
            group by retracted_event_id
        )
        select log.*, retractions.valid_until
        from event_log as log
        semi join (
            select local_authority, child_id from kept_pending_children
            where position >= ? and position < ?
        ) as children
            on children.local_authority = log.local_authority
            and children.child_id = log.child_id
        left join retractions on retractions.event_id = log.event_id
        where log.event_type <> 'EventRetracted'
        """,
        [first, end],
    )


def _select_children(
    connection: duckdb.DuckDBPyConnection, table: str, first: int, end: int
) -> bool:
    """The pass's children whose events of the table's types changed, each with the
    earliest moment they changed at; whether there are any."""
    connection.execute("delete from kept_children_to_update")
    connection.execute(
        f"""
        insert into kept_children_to_update
        select local_authority, child_id, min(since)
        from kept_pending_children
        where position >= ? and position < ? and list_contains({_types_literal(table)}, event_type)
        group by local_authority, child_id
        """,
        [first, end],
    )
    return connection.execute("select exists (from kept_children_to_update)").fetchone() == (True,)


def _replace_versions_of_events(connection: duckdb.DuckDBPyConnection, table: str) -> None:
    """Recompute a ONE_ROW_PER_EVENT table for this pass's children: all their versions,
    one per event, known from its recorded_at until its retraction (if any)."""
    target = f"{table}_versions"
    connection.execute(
        f"delete from {target} where (local_authority, child_id) in "
        "(select (local_authority, child_id) from kept_children_to_update)"
    )
    connection.execute(
        f"""
        insert into {target}
        select rows.* exclude (moment), rows.moment as known_from, events.valid_until
        from {table}_at_moments({_types_literal(table)}, once := true) as rows
        join kept_events_to_replay as events
            on events.event_id = rows.{ONE_ROW_PER_EVENT[table]}
        """
    )


def _replace_versions(
    connection: duckdb.DuckDBPyConnection, table: str, columns: list[str]
) -> None:
    """Recompute `table` for this pass's children from each one's `since` on."""
    types = _types_literal(table)
    listed = ", ".join(columns)
    connection.execute(
        f"""
        create or replace temp table kept_rows_at_moments as
        with
        grid as (
            select
                local_authority, child_id, moment,
                row_number() over child_moments as moment_number,
                lead(moment) over child_moments as next_moment
            from kept_moments({types})
            window child_moments as (partition by local_authority, child_id order by moment)
        )
        select rows.*, grid.moment_number, grid.next_moment
        from {table}_at_moments({types}) as rows
        join grid using (local_authority, child_id, moment)
        """
    )
    # Most rows, once known, stay as they are until they stop counting: one run of
    # consecutive moments, which a grouping alone finds (a window over every column
    # measured 2.5 times slower).
    connection.execute(
        f"""
        create or replace temp table kept_new_versions as
        select {listed}, min(moment) as known_from,
            arg_max_null(next_moment, moment_number) as known_until,
            count(*) = max(moment_number) - min(moment_number) + 1 as one_run
        from kept_rows_at_moments
        group by {listed}
        """
    )
    # A row that stops counting and later counts again: its child's rows are cut into runs.
    connection.execute(
        "create or replace temp table kept_children_cut as "
        "select distinct local_authority, child_id from kept_new_versions where not one_run"
    )
    if connection.execute("select exists (from kept_children_cut)").fetchone() == (True,):
        connection.execute(
            "delete from kept_new_versions where (local_authority, child_id) in "
            "(select (local_authority, child_id) from kept_children_cut)"
        )
        connection.execute(
            f"""
            insert into kept_new_versions
            with
            runs as (
                select
                    rows.*,
                    moment_number - row_number() over (
                        partition by {listed} order by moment_number
                    ) as run
                from kept_rows_at_moments as rows
                semi join kept_children_cut using (local_authority, child_id)
            )
            select {listed}, min(moment) as known_from,
                arg_max_null(next_moment, moment_number) as known_until, true as one_run
            from runs
            group by {listed}, run
            """
        )
    connection.execute("drop table kept_children_cut")
    target = f"{table}_versions"
    connection.execute(
        f"""
        delete from {target} using kept_children_to_update as children
        where {target}.local_authority = children.local_authority
          and {target}.child_id = children.child_id
          and {target}.known_from >= children.since
        """
    )
    connection.execute(
        f"""
        update {target} set known_until = children.since
        from kept_children_to_update as children
        where {target}.local_authority = children.local_authority
          and {target}.child_id = children.child_id
          and {target}.known_from < children.since
          and ({target}.known_until is null or {target}.known_until > children.since)
        """
    )
    same_row = " and ".join(f"old.{c} is not distinct from new.{c}" for c in columns)
    connection.execute(
        f"""
        create or replace temp table kept_continued as
        select old.rowid as old_row, new.rowid as new_row, new.known_until
        from {target} as old
        join kept_children_to_update as children
            on children.local_authority = old.local_authority
            and children.child_id = old.child_id
            and old.known_until = children.since
        join kept_new_versions as new
            on new.local_authority = old.local_authority
            and new.child_id = old.child_id
            and new.known_from = children.since
            and {same_row}
        """
    )
    connection.execute(
        f"update {target} set known_until = continued.known_until "
        f"from kept_continued as continued where {target}.rowid = continued.old_row"
    )
    connection.execute(
        "delete from kept_new_versions where rowid in (select new_row from kept_continued)"
    )
    connection.execute(f"insert into {target} select * exclude (one_run) from kept_new_versions")
    connection.execute("drop table kept_continued")
    connection.execute("drop table kept_new_versions")
    connection.execute("drop table kept_rows_at_moments")
