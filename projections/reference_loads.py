"""Loading a reference file while a runner writes the database: the runner's inbox.

DuckDB lets one process write a database file, and `journeys project --follow` is that
process for as long as it runs. So `journeys population load` and `journeys comparators
load`, finding the writer's lock taken, do not open the file: they check the file
themselves (a bad file is refused there and then, naming the file, line and field), then
leave a request in the database's inbox, `<database>.loads/`, and wait for the answer.
The runner looks in the inbox at every turn of its loop; it takes each request, loads the
file in a transaction of its own on its own connection, publishes the snapshot, and
answers: the rows loaded, or the refusal, which the loader reports as if it had loaded
the file itself. Nothing but the one writer ever opens the database for writing.

One request, `<id>.request.json` (`{"table": "population", "file": "/abs/FILE.csv"}`),
moves through names, each move an atomic rename, so it is taken or withdrawn once only:

1. the loader writes `<id>.request.json.tmp` and renames it to `<id>.request.json`;
2. the runner takes it by renaming it to `<id>.taken.json` (or the loader, giving up,
   withdraws it by renaming it to `<id>.withdrawn.json`: whichever rename comes first
   wins, the other finds no file);
3. the runner loads the file, publishes, writes `<id>.answer.json` (through a `.tmp`
   and a rename) and removes `<id>.taken.json`;
4. the loader reads the answer and removes it.

The runner reads the file from where the loader named it, so the refusal names the
operator's own file; keep it in place until the command returns.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from projections.comparators import load_comparators, read_comparators
from projections.exceptions import ComparatorFileError, PopulationFileError
from projections.population import load_population, read_population

Load = Callable[[duckdb.DuckDBPyConnection, Path], int]


@dataclass(frozen=True, slots=True)
class ReferenceTable:
    """A reference table loaded from a file: how to check the file, how to load it, and
    the refusal its bad files raise."""

    name: str
    check: Callable[[Path], object]
    load: Load
    refusal: type[ValueError]


REFERENCE_TABLES: Mapping[str, ReferenceTable] = {
    "population": ReferenceTable(
        "population", read_population, load_population, PopulationFileError
    ),
    "comparators": ReferenceTable(
        "comparators", read_comparators, load_comparators, ComparatorFileError
    ),
}

_REQUEST = ".request.json"
_TAKEN = ".taken.json"
_WITHDRAWN = ".withdrawn.json"
_ANSWER = ".answer.json"


def inbox_path(database: Path) -> Path:
    """journeys.duckdb -> journeys.duckdb.loads, beside the database."""
    return database.with_name(f"{database.name}.loads")


@dataclass(frozen=True, slots=True)
class Answer:
    """The runner's answer to one request: the rows loaded, or why the file was refused."""

    loaded: int | None = None
    refused: str | None = None


@dataclass(frozen=True, slots=True)
class Taken:
    """A request the runner has taken, and what loading it gave."""

    identifier: str
    answer: Answer


class ReferenceRequest:
    """The loader's side of one request."""

    def __init__(self, database: Path, table: ReferenceTable, file: Path) -> None:
        self.inbox = inbox_path(database)
        self.table = table
        self.file = file.resolve()
        self.identifier = f"{os.getpid()}-{uuid.uuid4().hex}"

    def _path(self, suffix: str) -> Path:
        return self.inbox / f"{self.identifier}{suffix}"

    def send(self) -> None:
        self.inbox.mkdir(exist_ok=True)
        request = self._path(_REQUEST)
        pending = request.with_name(request.name + ".tmp")
        pending.write_text(
            json.dumps({"table": self.table.name, "file": str(self.file)}), encoding="utf-8"
        )
        os.replace(pending, request)

    def answer(self) -> Answer | None:
        """The runner's answer, once it has given one (then removed from the inbox)."""
        path = self._path(_ANSWER)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        path.unlink(missing_ok=True)
        fields = json.loads(text)
        return Answer(loaded=fields.get("loaded"), refused=fields.get("refused"))

    def withdraw(self) -> bool:
        """Take the request back if no runner has taken it yet; False if one has."""
        try:
            os.rename(self._path(_REQUEST), self._path(_WITHDRAWN))
        except FileNotFoundError:
            return False
        self._path(_WITHDRAWN).unlink(missing_ok=True)
        return True

    def forget(self) -> None:
        """Remove what a runner that stopped while loading it left of the request."""
        self._path(_TAKEN).unlink(missing_ok=True)


class ReferenceInbox:
    """The runner's side: the requests waiting in the inbox of `database`."""

    def __init__(self, database: Path) -> None:
        self.path = inbox_path(database)

    def waiting(self) -> list[str]:
        """The identifiers of the requests waiting, oldest first (cheap: one scandir)."""
        found: list[tuple[int, str]] = []
        try:
            with os.scandir(self.path) as entries:
                for entry in entries:
                    if entry.name.endswith(_REQUEST):
                        try:
                            stamp = entry.stat().st_mtime_ns
                        except FileNotFoundError:
                            continue  # withdrawn since the directory was read
                        found.append((stamp, entry.name.removesuffix(_REQUEST)))
        except FileNotFoundError:
            return []  # no request was ever left
        return [identifier for _, identifier in sorted(found)]

    def serve(self, connection: duckdb.DuckDBPyConnection) -> list[Taken]:
        """Take and load every waiting request, each in a transaction of its own (none
        may be open on `connection`); the answers are sent with `answer` once the
        snapshot shows them. A refused file is an answer; any other error is raised."""
        served: list[Taken] = []
        for identifier in self.waiting():
            taken = self.path / f"{identifier}{_TAKEN}"
            try:
                os.rename(self.path / f"{identifier}{_REQUEST}", taken)
            except FileNotFoundError:
                continue  # withdrawn meanwhile
            served.append(Taken(identifier, _load(connection, taken)))
        return served

    def answer(self, served: list[Taken]) -> None:
        for taken in served:
            answer = self.path / f"{taken.identifier}{_ANSWER}"
            pending = answer.with_name(answer.name + ".tmp")
            fields = {"loaded": taken.answer.loaded, "refused": taken.answer.refused}
            pending.write_text(json.dumps(fields), encoding="utf-8")
            os.replace(pending, answer)
            (self.path / f"{taken.identifier}{_TAKEN}").unlink(missing_ok=True)


def _load(connection: duckdb.DuckDBPyConnection, request: Path) -> Answer:
    fields = json.loads(request.read_text(encoding="utf-8"))
    table = REFERENCE_TABLES.get(fields.get("table"))
    if table is None:
        return Answer(refused=f"{request}: no reference table {fields.get('table')!r}")
    try:
        return Answer(loaded=table.load(connection, Path(fields["file"])))
    except table.refusal as refused:
        return Answer(refused=str(refused))
