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

Frames are a 4-byte big-endian length and a payload. The follower greets each
connection with one JSON frame: {"serving": true} or {"serving": false, "reason": ...}.
A request is one frame of an Arrow IPC stream: a one-row table of the parameters
(columns "0", "1", ... positional, or the parameters' names), its schema's metadata
holding the SQL. The reply is a JSON frame, {"result": bool} or {"error": kind,
"message": text}; after {"result": true}, the rows as an Arrow IPC stream, in frames,
ending with an empty frame. Each statement is refused unless it only reads
(projections.read_only, as `journeys sql` refuses; temporary tables allowed), and runs
in the session's read-only transaction, in DuckDB's instance of the writer: held to its
memory limit (the configured JOURNEYS_DUCKDB_MEMORY_LIMIT while the follower serves) and
without access to the file system.

Why not an existing server: Arrow Flight (in pyarrow) has no session tied to a
connection, so the several queries of one command would each see a different commit,
and a dead client's transaction would stay open until some timeout; buenavista speaks
the Postgres protocol (its own type conversions, so not the same output); the Mosaic
duckdb-server and GizmoSQL serve a database they open themselves, in another process,
which DuckDB refuses while the runner writes.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import struct
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.ipc as ipc
from duckdb import StatementType

from projections.exceptions import QueryRefused, ServedReadsUnavailable
from projections.read_only import refuse_anything_but_queries

_LENGTH = struct.Struct(">I")
_SQL = b"sql"
_NAMED = b"named"
ROWS_PER_BATCH = 65_536


def served_reads_path(database: Path) -> Path:
    """journeys.duckdb -> journeys.duckdb.reads, beside the database."""
    return database.with_name(f"{database.name}.reads")


# --- framing -------------------------------------------------------------------------------


def send_frame(connection: socket.socket, payload: bytes) -> None:
    connection.sendall(_LENGTH.pack(len(payload)) + payload)


def receive_frame(connection: socket.socket) -> bytes | None:
    """The next frame's payload; None if the peer closed the connection before one."""
    header = _receive_exactly(connection, _LENGTH.size)
    if header is None:
        return None
    (length,) = _LENGTH.unpack(header)
    payload = _receive_exactly(connection, length)
    if payload is None:
        raise ConnectionError("the connection closed in the middle of a frame")
    return payload


def _receive_exactly(connection: socket.socket, size: int) -> bytes | None:
    parts, left = [], size
    while left:
        part = connection.recv(min(left, 1 << 20))
        if not part:
            if left == size:
                return None
            raise ConnectionError("the connection closed in the middle of a frame")
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def request_frame(sql: str, parameters: object = None) -> bytes:
    """A query and its parameters (a list, a dict of names, or None) as one frame."""
    if isinstance(parameters, dict):
        names, values, named = [str(n) for n in parameters], list(parameters.values()), b"1"
    else:
        values = list(parameters or [])
        names, named = [str(i) for i in range(len(values))], b"0"
    columns = {name: pa.array([value]) for name, value in zip(names, values, strict=True)}
    table = pa.table(columns).replace_schema_metadata({_SQL: sql.encode(), _NAMED: named})
    sink = io.BytesIO()
    with ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def parse_request(payload: bytes) -> tuple[str, list[object] | dict[str, object]]:
    table = ipc.open_stream(payload).read_all()
    metadata = table.schema.metadata or {}
    values = {name: table.column(name)[0].as_py() for name in table.column_names}
    if metadata.get(_NAMED) == b"1":
        return metadata[_SQL].decode(), values
    return metadata[_SQL].decode(), [values[str(i)] for i in range(len(values))]


class _FrameWriter(io.RawIOBase):
    """A writable file that sends each write as one frame (for Arrow's IPC writer)."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if data:
            send_frame(self.connection, bytes(data))
        return len(data)


def send_rows(connection: socket.socket, reader: pa.RecordBatchReader) -> None:
    """The rows as an Arrow IPC stream, in frames, then the empty frame that ends it."""
    with ipc.new_stream(_FrameWriter(connection), reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
    send_frame(connection, b"")


def receive_rows(connection: socket.socket) -> pa.Table:
    buffer = io.BytesIO()
    while True:
        payload = receive_frame(connection)
        if payload is None:
            raise ConnectionError("the follower closed the connection in the middle of rows")
        if not payload:
            break
        buffer.write(payload)
    return ipc.open_stream(buffer.getvalue()).read_all()


# --- the follower's side -------------------------------------------------------------------


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


# A Unix socket's address holds at most 107 bytes (Linux's sun_path, less its NUL).
_LONGEST_ADDRESS = 107


@contextlib.contextmanager
def _reachable(path: Path) -> Iterator[str]:
    """An address for binding or connecting to the socket at `path`: the path itself, or,
    when it is longer than a socket address may be (a database deep in the file system),
    the same file through a descriptor of its directory (/proc/self/fd/N/name, Linux)."""
    if len(os.fsencode(path)) <= _LONGEST_ADDRESS:
        yield str(path)
        return
    directory = os.open(path.parent, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        yield f"/proc/self/fd/{directory}/{path.name}"
    finally:
        os.close(directory)


def _listen_privately(path: Path) -> socket.socket:
    """A listening socket at `path` that only this user can connect to: bound inside a new
    directory of mode 0700, made 0600, then renamed into place (replacing one a killed
    follower left), so it is never reachable by others, not even for a moment."""
    private = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        bound = private / "socket"
        with _reachable(bound) as address:
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


# --- the reader's side ---------------------------------------------------------------------


class ServedReads:
    """A reader's session with the follower: the few methods of a DuckDB connection the
    project's read commands use (execute/fetchall/fetchone, sql/to_arrow_table, close)."""

    def __init__(self, path: Path, *, timeout_seconds: float = 5.0) -> None:
        self.path = path
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            client.settimeout(timeout_seconds)
            with _reachable(path) as address:
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
