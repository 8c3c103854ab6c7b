"""Reads served by the follower from its own process: committed state, no copy of the file.

DuckDB lets no other process open the database while the runner writes it, so the
snapshot is a copy (projections.snapshot), and a copy of a large record takes seconds.
But every cursor of the writer's own database sees the state committed when its
transaction began (DuckDB's MVCC), never the writer's open transaction: so a follower
(`journeys project --follow`) also answers queries itself, on a Unix domain socket beside
the database (`served_reads_path`: journeys.duckdb -> journeys.duckdb.reads), which only
its own user may open (mode 0600, bound in a private directory, then moved into place).

A reader's connection to the socket is one session: the follower opens a cursor for it
and begins a read-only transaction, so every query of the session sees the same committed
state, as one snapshot would, whatever the writer commits meanwhile; the session ends
when either side closes the connection, or at the session's first error. The follower
holds the session's view back while the kept tables lag behind the log (a catch-up's
commits that only bound a transaction's size; `ReadGate`): a session is opened only on a
state readers may see, and one that cannot be within `wait_seconds` is told so, and its
reader reads the snapshot instead (projections.readers). A session idle for `idle_seconds`
is ended: its open transaction would keep DuckDB holding every version replaced since.

The wire protocol is projections.read_protocol; the reader's side, projections.readers.
Each statement is refused unless it only reads (projections.read_only, as `journeys sql`
refuses; temporary tables allowed), and runs in the session's read-only transaction, in
DuckDB's instance of the writer: held to its memory limit (the configured
JOURNEYS_DUCKDB_MEMORY_LIMIT while the follower serves) and without access to the file
system.

Why not an existing server: Arrow Flight (in pyarrow) has no session tied to a
connection, so the several queries of one command would each see a different commit,
and a dead client's transaction would stay open until some timeout; buenavista speaks
the Postgres protocol (its own type conversions, so not the same output); the Mosaic
duckdb-server and GizmoSQL serve a database they open themselves, in another process,
which DuckDB refuses while the runner writes.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
from duckdb import StatementType

from projections.exceptions import QueryRefused
from projections.read_only import refuse_anything_but_queries
from projections.read_protocol import (
    ROWS_PER_BATCH,
    parse_request,
    reachable,
    receive_frame,
    send_frame,
    send_rows,
)


class ReadGate:
    """Whether the writer's last commit is a state readers may see, and the lock that keeps
    a session from beginning its view across a commit that is not.

    The writer `close()`s the gate before a commit that leaves the kept tables behind the
    log and `open()`s it after one that brings them up to date; a session begins its view
    (`pinned`) only while the gate is open, so its view is always of a whole state.
    """

    def __init__(self, *, open_now: bool) -> None:
        self._condition = threading.Condition()
        self._open = open_now

    def close(self) -> None:
        with self._condition:
            self._open = False

    def open(self) -> None:
        with self._condition:
            self._open = True
            self._condition.notify_all()

    @contextlib.contextmanager
    def pinned(self, wait_seconds: float) -> Iterator[bool]:
        """Hold the gate open while the caller begins its view; yields False if it did not
        open within `wait_seconds`."""
        with self._condition:
            yield self._condition.wait_for(lambda: self._open, timeout=wait_seconds)


class ReadService:
    """Serves read sessions on `path` from cursors of `connection` (the writer's), in
    threads of the writer's process, until `close()`."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        path: Path,
        gate: ReadGate,
        *,
        wait_seconds: float = 1.0,
        idle_seconds: float = 300.0,
    ) -> None:
        self.connection = connection
        self.path = path
        self.gate = gate
        self.wait_seconds = wait_seconds
        # A session idle this long (a reader that hung) is ended: an open transaction keeps
        # DuckDB holding every version the writer has replaced since it began.
        self.idle_seconds = idle_seconds
        self._closing = threading.Event()
        self._sessions: dict[socket.socket, duckdb.DuckDBPyConnection] = {}
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        # No statement of a served read reaches the file system (the writer needs no
        # access either once open: it loads from Arrow and checkpoints its own file).
        connection.execute("set enable_external_access = false")
        self._listener = _listen_privately(path)
        self._inode = os.stat(path).st_ino  # the socket is this follower's while it has it
        self._acceptor = threading.Thread(target=self._accept, name="served reads", daemon=True)
        self._acceptor.start()

    def close(self) -> None:
        """Stop accepting, end every session (interrupting its query), remove the socket."""
        self._closing.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._acceptor.join()
        with self._lock:
            sessions = list(self._sessions.items())
        for client, cursor in sessions:
            with contextlib.suppress(Exception):
                cursor.interrupt()
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join()
        with contextlib.suppress(FileNotFoundError):
            if os.stat(self.path).st_ino == self._inode:
                self.path.unlink()

    def __enter__(self) -> ReadService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            thread = threading.Thread(
                target=self._serve, args=(client,), name="served read", daemon=True
            )
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        cursor = self.connection.cursor()
        with self._lock:
            self._sessions[client] = cursor
        try:
            with client:
                client.settimeout(self.idle_seconds)
                if self._begin(cursor, client):
                    self._answer(cursor, client)
        except OSError:  # ConnectionError and TimeoutError among them
            pass  # the reader went away, or stayed idle too long: its session ends
        finally:
            with self._lock:
                self._sessions.pop(client, None)
            cursor.close()  # ends the read-only transaction

    def _begin(self, cursor: duckdb.DuckDBPyConnection, client: socket.socket) -> bool:
        """Begin the session's view on a whole state, and greet the reader."""
        with self.gate.pinned(self.wait_seconds) as open_now:
            if open_now and not self._closing.is_set():
                cursor.execute("begin transaction read only")
                # A transaction takes its view when it first reads the database, not at
                # begin: read it now, while the gate holds the writer's commits off.
                cursor.execute("select 1 from consumed_offsets limit 0").fetchall()
        if not open_now or self._closing.is_set():
            reason = "the follower is catching up" if open_now is False else "stopping"
            send_frame(client, json.dumps({"serving": False, "reason": reason}).encode())
            return False
        send_frame(client, json.dumps({"serving": True}).encode())
        return True

    def _answer(self, cursor: duckdb.DuckDBPyConnection, client: socket.socket) -> None:
        temporary = frozenset({StatementType.CREATE, StatementType.DROP})
        while (payload := receive_frame(client)) is not None:
            sql, parameters = parse_request(payload)
            try:
                refuse_anything_but_queries(cursor, sql, also=temporary)
                # sql, not execute: DuckDB copies the rows once more for Arrow from an
                # execute() result (and warns so).
                relation = cursor.sql(sql, params=parameters or None)
                reader = None if relation is None else relation.to_arrow_reader(ROWS_PER_BATCH)
            except QueryRefused as error:
                _send_error(client, "refused", str(error))
                return
            except duckdb.Error as error:
                _send_error(client, type(error).__name__, str(error))
                return  # the transaction is aborted: the session ends
            send_frame(client, json.dumps({"result": reader is not None}).encode())
            if reader is not None:
                send_rows(client, reader)


def _send_error(client: socket.socket, kind: str, message: str) -> None:
    send_frame(client, json.dumps({"error": kind, "message": message}).encode())


def _listen_privately(path: Path) -> socket.socket:
    """A listening socket at `path` that only this user can connect to: bound inside a new
    directory of mode 0700, made 0600, then renamed into place (replacing one a killed
    follower left), so it is never reachable by others, not even for a moment."""
    private = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        bound = private / "socket"
        with reachable(bound) as address:
            listener.bind(address)
        os.chmod(bound, 0o600)
        listener.listen(16)
        os.replace(bound, path)
    except BaseException:
        listener.close()
        raise
    finally:
        with contextlib.suppress(OSError):
            (private / "socket").unlink()
        private.rmdir()
    return listener
