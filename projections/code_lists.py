"""The DfE code lists of events/codes.py, installed as DuckDB tables the SQL reads.

Each list `NAME` of `events.codes` becomes a table `name_codes` with one column, `code`
(for example `eet_activity_codes`, `temporary_placement_type_codes`), so an indicator says
`activity in (select code from eet_activity_codes)` and a code list is written only once,
in Python, for the codec and the projection alike.
"""

from __future__ import annotations

from events import codes


def code_lists() -> dict[str, frozenset[str]]:
    """Every code list of events.codes, by its table name."""
    return {
        f"{name.lower()}_codes": value
        for name, value in vars(codes).items()
        if name.isupper() and isinstance(value, frozenset)
    }


def code_list_sql() -> str:
    """SQL that (re)creates one table per code list."""
    statements = []
    for table, values in sorted(code_lists().items()):
        rows = ", ".join("('" + code.replace("'", "''") + "')" for code in sorted(values))
        statements.append(
            f"create or replace table {table} (code varchar primary key);\n"
            f"insert into {table} values {rows};"
        )
    return "\n".join(statements)
