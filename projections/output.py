"""Query results as a table, CSV or JSON for the command line, through Arrow.

Going through Arrow keeps timestamps with time zone printable without extra packages
(DuckDB's own Python conversion of them needs pytz).
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from typing import Any, TextIO

import pyarrow as pa

FORMATS = ("table", "csv", "json")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | bool | str) or value is None:
        return value
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    return str(value)


def write(table: pa.Table, output_format: str, stream: TextIO) -> None:
    """Write `table` to `stream` as an aligned text table, CSV, or a JSON list of objects."""
    rows = table.to_pylist()
    names = table.column_names
    if output_format == "json":
        json.dump([{k: _json_value(v) for k, v in row.items()} for row in rows], stream, indent=2)
        stream.write("\n")
    elif output_format == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(names)
        writer.writerows([_text(row[name]) for name in names] for row in rows)
    elif output_format == "table":
        cells = [[_text(row[name]) for name in names] for row in rows]
        widths = [
            max([len(name), *(len(line[i]) for line in cells)]) for i, name in enumerate(names)
        ]
        stream.write("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)) + "\n")
        stream.write("  ".join("-" * w for w in widths) + "\n")
        for line in cells:
            stream.write("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + "\n")
    else:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {output_format!r}")
