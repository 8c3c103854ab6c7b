"""The analysts' database's part of a subject access request: each row naming the child.

Every table and view of the snapshot with a `child_id` column is searched for the child's
pseudonym (the event log, the kept tables, the analysts' views), and the rows found are
written one CSV file per table. journeys.kafka.subject_access writes the rest.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from projections.snapshot import snapshot_path


def write_rows(database: Path, pseudonym: str, directory: Path) -> int:
    """Each row of the published snapshot naming the child, one CSV per table; how many."""
    path = snapshot_path(database)
    if not path.exists():
        return 0
    directory.mkdir()
    connection = duckdb.connect(str(path), read_only=True)
    total = 0
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "select distinct table_name from information_schema.columns "
                "where column_name = 'child_id' and table_schema = 'main' order by 1"
            ).fetchall()
        ]
        for table in tables:
            result = connection.execute(f'select * from "{table}" where child_id = ?', [pseudonym])
            rows = result.fetchall()
            if not rows:
                continue
            total += len(rows)
            with (directory / f"{table}.csv").open("w", newline="", encoding="utf-8") as file:
                writer = csv.writer(file)
                writer.writerow([column[0] for column in result.description])
                writer.writerows(rows)
    finally:
        connection.close()
    return total
