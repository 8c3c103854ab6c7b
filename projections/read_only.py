"""What a reader of the projection may run: queries, and nothing that writes or reconfigures.

One rule for both ways of reading: `journeys sql` on the snapshot, and every statement a
follower's served reads run on the writer's own database (projections.served_reads).
Only queries pass (select and its forms: with, from, values, describe, show, summarize,
pivot, explain, and the pragmas that only report); anything else is refused by name
before it runs. On the snapshot, behind that, the connection cannot reach the file system
and its configuration is locked (`lock_down`). A served read shares the writer's DuckDB
instance, whose configuration the writer itself changes as it works, so there the
pragmas that would change it are refused by name (`READ_PRAGMAS` are the only ones let
through, on both ways, so they answer alike), and so are the functions that checkpoint
the writer's file, which the runner copies for the snapshot.
"""

from __future__ import annotations

import itertools
import re
from typing import NoReturn

import duckdb
from duckdb import StatementType

from projections.exceptions import QueryRefused

# PIVOT parses as MULTI (it declares its column types, then selects); the rest are the
# kinds of statement that only read.
QUERIES = frozenset(
    {StatementType.SELECT, StatementType.EXPLAIN, StatementType.PRAGMA, StatementType.MULTI}
)
# The pragmas that only report (on a locked-down snapshot, every other one either changes
# a setting or is refused): they alone may run, on the snapshot and served alike.
READ_PRAGMAS = frozenset(
    {
        "collations",
        "database_list",
        "database_size",
        "functions",
        "metadata_info",
        "platform",
        "show",
        "show_databases",
        "show_tables",
        "show_tables_expanded",
        "storage_info",
        "table_info",
        "user_agent",
        "version",
    }
)
# Table functions that write the database file: a served read may not call them (the
# runner copies the file for the snapshot, and must be the only one to checkpoint it).
_WRITING_FUNCTIONS = frozenset({"checkpoint", "force_checkpoint"})
_PRAGMA_NAME = re.compile(r"\s*pragma\s+(\w+)", re.IGNORECASE)
_NAMES = (duckdb.token_type.identifier, duckdb.token_type.keyword)


def lock_down(connection: duckdb.DuckDBPyConnection) -> None:
    """Close the connection's way to the file system and lock its configuration."""
    connection.execute("set enable_external_access = false")
    connection.execute("set lock_configuration = true")


def refuse_anything_but_queries(
    connection: duckdb.DuckDBPyConnection, query: str, *, also: frozenset = frozenset()
) -> None:
    """Raise QueryRefused unless every statement of `query` is a query (or of a kind in
    `also`: the served reads let the project's own commands make temporary tables, which
    their read-only transaction keeps off the database)."""
    for statement in connection.extract_statements(query):
        if statement.type not in QUERIES | also:
            _refuse(_kind(statement))
        if statement.type == StatementType.PRAGMA:
            name = _PRAGMA_NAME.match(statement.query)
            if name is None:  # a statement DuckDB runs as a pragma: IMPORT DATABASE
                _refuse(_kind(statement))
            if name.group(1).lower() not in READ_PRAGMAS:
                _refuse(f"PRAGMA {name.group(1).upper()}")
    for function in _called_names(query) & _WRITING_FUNCTIONS:
        _refuse(f"{function}()")


def _refuse(kind: str) -> NoReturn:
    raise QueryRefused(
        f"refused: {kind} statements are not allowed; journeys sql only reads "
        "the snapshot and writes nothing (to export, use --format csv or json "
        "and redirect stdout)"
    )


def _called_names(query: str) -> set[str]:
    """The names in `query` directly followed by an opening parenthesis, in lower case."""
    tokens = duckdb.tokenize(query)
    called = set()
    for (start, kind), (following, _) in itertools.pairwise(tokens):
        if kind in _NAMES and query[following] == "(":
            called.add(query[start:following].strip().strip('"').lower())
    return called


def _kind(statement: duckdb.Statement) -> str:
    """The statement's kind in the user's own word (DuckDB calls INSTALL a LOAD)."""
    words = statement.query.split(maxsplit=1)
    word = words[0].upper() if words else ""
    if word.isalpha() and word != "WITH":
        return word
    return statement.type.name.replace("_", " ")
