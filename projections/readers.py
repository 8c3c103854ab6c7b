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

import json
import socket
import time
from pathlib import Path

import duckdb
import pyarrow as pa

from events.settings import Settings
from projections.exceptions import QueryRefused, ServedReadsUnavailable
from projections.read_protocol import (
    reachable,
    receive_frame,
    receive_rows,
    request_frame,
    send_frame,
    served_reads_path,
)
from projections.snapshot import open_configured_snapshot


def open_configured_reader(settings: Settings) -> ServedReads | duckdb.DuckDBPyConnection:
    """A session with the follower serving the settings' database (JOURNEYS_DB) if one
    does, else a read-only connection to its snapshot, held to the memory limit."""
    try:
        return ServedReads(served_reads_path(settings.database))
    except ServedReadsUnavailable:
        return open_configured_snapshot(settings)


class ServedReads:
    """A reader's session with the follower: the few methods of a DuckDB connection the
    project's read commands use (execute/fetchall/fetchone, sql/to_arrow_table, close)."""

    def __init__(self, path: Path, *, timeout_seconds: float = 5.0) -> None:
        self.path = path
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            client.settimeout(timeout_seconds)
            with reachable(path) as address:
                client.connect(address)
            greeting = receive_frame(client)
        except OSError as error:  # absent, left by a killed follower, or not ours
            client.close()
            raise ServedReadsUnavailable(f"{path}: {error}") from None
        hello = json.loads(greeting) if greeting else {"serving": False, "reason": "closed"}
        if not hello.get("serving"):
            client.close()
            raise ServedReadsUnavailable(f"{path}: {hello.get('reason')}")
        client.settimeout(None)  # a query may take as long as it takes
        self._client: socket.socket | None = client

    def execute(self, query: str, parameters: object = None) -> _Result:
        return _Result(self._run(query, parameters))

    def sql(self, query: str, params: object = None) -> _Result | None:
        table = self._run(query, params)
        return None if table is None else _Result(table)

    def extract_statements(self, query: str) -> list[duckdb.Statement]:
        return duckdb.extract_statements(query)

    def close(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            client.close()

    def _run(self, query: str, parameters: object) -> pa.Table | None:
        if self._client is None:
            raise duckdb.ConnectionException("the served reads' session is closed")
        send_frame(self._client, request_frame(query, parameters))
        reply = receive_frame(self._client)
        if reply is None:
            raise duckdb.ConnectionException("the follower closed the session (stopping?)")
        answer = json.loads(reply)
        if "error" in answer:
            self.close()
            if answer["error"] == "refused":
                raise QueryRefused(answer["message"])
            error_class = getattr(duckdb, answer["error"], duckdb.Error)
            if not (isinstance(error_class, type) and issubclass(error_class, duckdb.Error)):
                error_class = duckdb.Error
            raise error_class(answer["message"])
        return receive_rows(self._client) if answer["result"] else None


class _Result:
    """The rows of one served statement, read the ways the commands read a DuckDB result."""

    def __init__(self, table: pa.Table | None) -> None:
        self._table = table if table is not None else pa.table({})
        self._rows: list[tuple] | None = None
        self._next = 0

    def to_arrow_table(self) -> pa.Table:
        return self._table

    arrow = to_arrow_table

    def fetchall(self) -> list[tuple]:
        rows = self._tuples()[self._next :]
        self._next = len(self._tuples())
        return rows

    def fetchone(self) -> tuple | None:
        rows = self._tuples()
        if self._next >= len(rows):
            return None
        self._next += 1
        return rows[self._next - 1]

    def _tuples(self) -> list[tuple]:
        if self._rows is None:
            columns = [column.to_pylist() for column in self._table.columns]
            self._rows = list(zip(*columns, strict=True)) if columns else []
        return self._rows


def wait_for_service(path: Path, timeout_seconds: float = 10.0) -> None:
    """Wait until a follower serves reads at `path` (tests and benchmarks)."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            ServedReads(path).close()
            return
        except ServedReadsUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
