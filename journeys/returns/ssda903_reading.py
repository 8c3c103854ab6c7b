"""Reading a directory of SSDA903 CSV tables: each file recognised by its header row,
each row checked field by field; a row that cannot be read is reported with the file,
the line, the field and the rule, and the other rows are kept.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from events import codes
from events.exceptions import BadInput
from journeys.returns.ssda903 import COLUMNS

# A file is taken for the table sharing most of its columns, if it shares at least this
# share of them: a table with a column missing is still recognised, and the column named.
_RECOGNISED = 0.6
_DATE_COLUMNS = frozenset(
    {
        "DOB", "MC_DOB", "DECOM", "DEC", "REVIEW", "DUC", "DATE_INT", "DATE_MATCH",
        "DATE_PLACED", "DATE_PLACED_CEASED", "MIS_START", "MIS_END", "DOLO_START", "DOLO_END",
        "SW_DECOM", "SW_DEC",
    }
)  # fmt: skip
_CODED: dict[str, frozenset[str]] = {
    "ETHNIC": codes.ETHNICITY,
    "RNE": frozenset({"S", "L", "P", "T", "B", "U"}),
    "LS": codes.LEGAL_STATUS,
    "CIN": codes.CATEGORY_OF_NEED,
    "PLACE": codes.PLACEMENT_TYPE,
    "PLACE_PROVIDER": codes.PROVIDER,
    "REC": codes.REASON_EPISODE_CEASED,
    "REASON_PLACE_CHANGE": codes.REASON_PLACE_CHANGE,
    "REVIEW_CODE": codes.REVIEW_PARTICIPATION,
    "IN_TOUCH": codes.IN_TOUCH,
    "ACTIV": codes.ACTIVITY,
    "ACCOM": codes.ACCOMMODATION,
    "MISSING": codes.MISSING_KIND,
    "PREV_PERM": codes.PREVIOUS_PERMANENCE,
    "REASON_PLACED_CEASED": codes.ADOPTION_DECISION_CEASED_REASON,
    "SDQ_REASON": codes.SDQ_REASON,
    "SDQ_SCORE": codes.SDQ_SCORE,
    "NB_ADOPTR": codes.NUMBER_OF_ADOPTERS,
    "SEX_ADOPTR": codes.ADOPTERS_SEX,
    "LS_ADOPTR": codes.ADOPTERS_LEGAL_STATUS,
    "SEX": frozenset({"1", "2", "M", "F", "U"}),
    "MOTHER": frozenset({"0", "1"}),
    "SW_REASON": codes.SOCIAL_WORKER_CHANGE_REASON,
    **dict.fromkeys(
        (
            "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT",
            "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED", "FOSTER_CARE",
        ),
        frozenset({"0", "1"}),
    ),
}  # fmt: skip
# Columns a row cannot be read without.
_NEEDED: dict[str, tuple[str, ...]] = {
    "Header": ("CHILD", "SEX", "DOB", "ETHNIC"),
    "Episodes": ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE"),
    "Reviews": ("CHILD", "REVIEW", "REVIEW_CODE"),
    "OC2": ("CHILD",),
    "OC3": ("CHILD", "IN_TOUCH", "ACTIV", "ACCOM"),
    "AD1": ("CHILD", "DATE_INT", "DATE_MATCH", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
    "PlacedAdoption": ("CHILD", "DATE_PLACED"),
    "PrevPerm": ("CHILD", "PREV_PERM"),
    "Missing": ("CHILD", "MISSING", "MIS_START"),
    "UASC": ("CHILD",),
    "DoLo": ("CHILD", "DOLO_START"),
    "SWEpisodes": ("CHILD", "SW_ID", "SW_DECOM"),
}


@dataclass(frozen=True, slots=True)
class RowError:
    """A row (or a whole file, line 1 or 0) that could not be read, and why."""

    file: str
    line: int
    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message} [{self.rule}]"


@dataclass(frozen=True, slots=True)
class Row:
    """A row read: its table, where it came from, and its values (dates parsed)."""

    table: str
    file: str
    line: int
    values: dict[str, str | date | None]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def text(self, column: str) -> str | None:
        value = self.values.get(column)
        return value if isinstance(value, str) else None

    def day(self, column: str) -> date | None:
        value = self.values.get(column)
        return value if isinstance(value, date) else None


def read_directory(directory: Path) -> tuple[list[Row], list[RowError]]:
    """Every readable row of every CSV file in `directory`, and what could not be read."""
    rows: list[Row] = []
    errors: list[RowError] = []
    columns: dict[str, _Column] = {}  # the cells read, shared by the files
    for path in sorted(directory.glob("*.csv")):
        file_rows, file_errors = read_file(path, columns)
        rows.extend(file_rows)
        errors.extend(file_errors)
    return rows, errors


def read_file(
    path: Path, columns: dict[str, _Column] | None = None
) -> tuple[list[Row], list[RowError]]:
    """The file's readable rows and what could not be read; `columns` holds the cells
    read already, by column (a directory's files share it: most have CHILD and DOB)."""
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")  # a byte-order mark is not data
    except UnicodeDecodeError as error:
        return [], [RowError(name, 0, "<file>", "not_utf8", f"not UTF-8 text ({error.reason})")]
    lines = list(csv.reader(io.StringIO(text)))
    if not lines:
        return [], [RowError(name, 1, "<header>", "empty_file", "no header row")]
    header = [column.strip().upper() for column in lines[0]]
    table = _table_of(header)
    if table is None:
        return [], [
            RowError(
                name,
                1,
                "<header>",
                "unknown_table",
                f"the header row ({', '.join(header)}) is not that of any SSDA903 table",
            )
        ]
    errors = [
        RowError(
            name, 1, column, "missing_column", f"the {table} table's {column} column is missing"
        )
        for column in COLUMNS[table]
        if column not in header
    ]
    rows = []
    cells_of = _Cells(table, header, {} if columns is None else columns)
    for number, cells in enumerate(lines[1:], start=2):
        values = cells_of.read(cells)
        if values is not None:
            rows.append(Row(table, name, number, values))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        row, row_errors = _read_row(table, name, number, header, cells)
        errors.extend(row_errors)
        if row is not None:
            rows.append(row)
    return rows, errors


def _day(text: str) -> date:
    """dd/mm/yyyy, read without strptime (a tenth of the cost, for every date of a file)."""
    if len(text) != 10 or text[2] != "/" or text[5] != "/":
        raise ValueError(text)
    day, month, year = text[:2], text[3:5], text[6:]
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        raise ValueError(text)
    return date(int(year), int(month), int(day))


def _table_of(header: list[str]) -> str | None:
    best, shared = None, 0.0
    for table, columns in COLUMNS.items():
        share = len(set(header) & set(columns)) / len(columns)
        if share > shared and set(header) <= set(columns):
            best, shared = table, share
    return best if shared >= _RECOGNISED else None


@dataclass(frozen=True, slots=True)
class _Unreadable:
    """A cell that cannot be read: the rule and what is wrong."""

    rule: str
    message: str


def _cell(column: str, cell: str) -> str | date | _Unreadable | None:
    """One cell of `column`: its value (None when blank), or why it cannot be read."""
    # Codes are read whatever their case, as the DfE's tools read them; other text
    # (identifiers, postcodes, a partial DATE_PERM) as written.
    text = cell.strip().upper() if column in _CODED else cell.strip()
    if not text:
        return None
    if column in _DATE_COLUMNS:
        try:
            return _day(text)
        except ValueError:
            return _Unreadable("date_format", f"{text!r} is not a date dd/mm/yyyy")
    if column in _CODED and text not in _CODED[column]:
        return _Unreadable("unknown_code", f"{text!r} is not a {column} code")
    return text


class _Column(dict[str, str | date | None]):
    """The cells of one column read so far, by their text: a cell not seen before is
    read (`_cell`) when first looked up; one that cannot be read raises _Unread."""

    def __init__(self, column: str) -> None:
        super().__init__()
        self.column = column

    def __missing__(self, cell: str) -> str | date | None:
        value = _cell(self.column, cell)
        if isinstance(value, _Unreadable):
            raise _Unread
        self[cell] = value
        return value


class _Unread(BadInput):
    """A cell `_Column` cannot read. Never seen outside this module: `_Cells` catches it
    and leaves the row to `_read_row`, whose errors name the file, line, field and rule."""


class _Cells:
    """The rows of one file read cell by cell, each cell read once: a file repeats its
    codes and dates (and a child's id) on row after row, so a cell seen before in its
    column is looked up, not read again. A row with a cell that cannot be read, or failing
    a check of the row as a whole (a required column blank, an episode ending before it
    starts), is left to `_read_row`, which names every error."""

    def __init__(self, table: str, header: list[str], columns: dict[str, _Column]) -> None:
        self._header = header
        self._columns = [columns.setdefault(column, _Column(column)) for column in header]
        needed = [header.index(column) for column in _NEEDED[table] if column in header]
        self._needed = needed if len(needed) == len(_NEEDED[table]) else None
        self._episode = (
            (header.index("DECOM"), header.index("DEC"))
            if {"DECOM", "DEC"} <= set(header)
            else None
        )

    def read(self, cells: list[str]) -> dict[str, str | date | None] | None:
        """The row's values, or None for `_read_row` to read (and name what is wrong)."""
        if self._needed is None or len(cells) < len(self._header):
            return None
        try:
            values = [column[cell] for column, cell in zip(self._columns, cells, strict=False)]
        except _Unread:
            return None
        for index in self._needed:
            if values[index] is None:
                return None
        if self._episode is not None:
            started, ended = values[self._episode[0]], values[self._episode[1]]
            if isinstance(started, date) and isinstance(ended, date) and ended < started:
                return None
        return dict(zip(self._header, values, strict=False))  # type: ignore[arg-type]


def _read_row(
    table: str, file: str, line: int, header: list[str], cells: list[str]
) -> tuple[Row | None, list[RowError]]:
    errors: list[RowError] = []
    values: dict[str, str | date | None] = {}
    for column, cell in zip(header, cells, strict=False):
        value = _cell(column, cell)
        if isinstance(value, _Unreadable):
            errors.append(RowError(file, line, column, value.rule, value.message))
        else:
            values[column] = value
    for column in _NEEDED[table]:
        if values.get(column) is None and not any(e.field == column for e in errors):
            errors.append(
                RowError(file, line, column, "required", f"the {table} row has no {column}")
            )
    started, ended = values.get("DECOM"), values.get("DEC")
    if isinstance(started, date) and isinstance(ended, date) and ended < started:
        errors.append(
            RowError(
                file,
                line,
                "DEC",
                "ends_before_start",
                f"the episode ends ({ended:%d/%m/%Y}) before it starts ({started:%d/%m/%Y})",
            )
        )
    if errors:
        return None, errors
    return Row(table, file, line, values), []
