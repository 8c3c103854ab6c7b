"""Reading the CSV files an operator loads (population, comparators): one way for both.

A file is read whole or refused whole: the exception class the caller gives names the
file, and the line and field where they are known, so the operator can fix and reload.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

Row = TypeVar("Row")


def read_csv_rows(
    path: Path,
    columns: Sequence[str],
    refused: type[Exception],
    make_row: Callable[[int, dict[str, str | None]], Row],
) -> list[Row]:
    """`make_row(line, record)` for each record of `path` (UTF-8, a byte-order mark
    allowed), after checking that the header holds `columns`; `refused` when the file
    cannot be read or a column is missing (make_row raises its own for a bad value)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as lines:
            reader = csv.DictReader(lines)
            missing = [name for name in columns if name not in (reader.fieldnames or [])]
            if missing:
                raise refused(
                    f"{path}, line 1: the header has no column {', '.join(missing)} "
                    f"(the columns are {','.join(columns)})"
                )
            return [make_row(reader.line_num, record) for record in reader]
    except OSError as error:
        raise refused(f"{path}: cannot be read: {error.strerror}") from None


def required_field(
    path: Path, line: int, record: dict[str, str | None], name: str, refused: type[Exception]
) -> str:
    """The value of field `name` of one record, stripped; `refused` when it is empty."""
    value = (record.get(name) or "").strip()
    if not value:
        raise refused(f"{path}, line {line}, field {name}: is empty")
    return value
