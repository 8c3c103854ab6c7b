"""The served reads' wire protocol: framing, requests, rows, and the socket's address.

Frames are a 4-byte big-endian length and a payload. The follower greets each
connection with one JSON frame: {"serving": true} or {"serving": false, "reason": ...}.
A request is one frame of an Arrow IPC stream: a one-row table of the parameters
(columns "0", "1", ... positional, or the parameters' names), its schema's metadata
holding the SQL. The reply is a JSON frame, {"result": bool} or {"error": kind,
"message": text}; after {"result": true}, the rows as an Arrow IPC stream, in frames,
ending with an empty frame. The follower's side is projections.served_reads; the
reader's, projections.readers.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc

_LENGTH = struct.Struct(">I")
_SQL = b"sql"
_NAMED = b"named"
ROWS_PER_BATCH = 65_536


def served_reads_path(database: Path) -> Path:
    """journeys.duckdb -> journeys.duckdb.reads, beside the database."""
    return database.with_name(f"{database.name}.reads")


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


# A Unix socket's address holds at most 107 bytes (Linux's sun_path, less its NUL).
LONGEST_ADDRESS = 107


@contextlib.contextmanager
def reachable(path: Path) -> Iterator[str]:
    """An address for binding or connecting to the socket at `path`: the path itself, or,
    when it is longer than a socket address may be (a database deep in the file system),
    the same file through a descriptor of its directory (/proc/self/fd/N/name, Linux)."""
    if len(os.fsencode(path)) <= LONGEST_ADDRESS:
        yield str(path)
        return
    directory = os.open(path.parent, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        yield f"/proc/self/fd/{directory}/{path.name}"
    finally:
        os.close(directory)
