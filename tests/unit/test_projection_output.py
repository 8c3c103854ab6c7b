"""The analyst commands' parsing of --as-of and their csv/json/table output."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from projections.indicators import as_known_at
from projections.output import write


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2024-04-01", datetime(2024, 4, 1, 23, 59, 59, 999999, tzinfo=UTC)),
        ("2024-04-01T09:30:00Z", datetime(2024, 4, 1, 9, 30, tzinfo=UTC)),
        ("2024-04-01T09:30:00", datetime(2024, 4, 1, 9, 30, tzinfo=UTC)),
        ("2024-04-01T10:30:00+01:00", datetime(2024, 4, 1, 9, 30, tzinfo=UTC)),
    ],
)
def test_as_of_reads_a_date_as_the_end_of_that_day_and_a_timestamp_as_utc(
    text: str, moment: datetime
) -> None:
    assert as_known_at(text) == moment


@pytest.mark.parametrize("text", ["yesterday", "2024-13-01", "01/04/2024"])
def test_as_of_refuses_anything_but_iso_8601(text: str) -> None:
    with pytest.raises(ValueError, match="--as-of must be an ISO 8601 date or timestamp"):
        as_known_at(text)


TABLE = pa.table(
    {
        "indicator": ["seen_alone", "placements_3plus"],
        "year": [2024, 2024],
        "numerator": [1, 0],
        "denominator": [3, 0],
        "rate": [1 / 3, None],
        "on_date": [date(2024, 3, 31), None],
    }
)


def test_json_is_a_list_of_objects_with_the_columns() -> None:
    out = io.StringIO()
    write(TABLE, "json", out)
    assert json.loads(out.getvalue()) == [
        {
            "indicator": "seen_alone",
            "year": 2024,
            "numerator": 1,
            "denominator": 3,
            "rate": 1 / 3,
            "on_date": "2024-03-31",
        },
        {
            "indicator": "placements_3plus",
            "year": 2024,
            "numerator": 0,
            "denominator": 0,
            "rate": None,
            "on_date": None,
        },
    ]


def test_csv_has_a_header_and_empty_cells_for_nulls() -> None:
    out = io.StringIO()
    write(TABLE, "csv", out)
    assert out.getvalue().splitlines() == [
        "indicator,year,numerator,denominator,rate,on_date",
        "seen_alone,2024,1,3,0.3333,2024-03-31",
        "placements_3plus,2024,0,0,,",
    ]


def test_table_aligns_columns_under_their_names() -> None:
    out = io.StringIO()
    write(TABLE.select(["indicator", "rate"]), "table", out)
    assert out.getvalue().splitlines() == [
        "indicator         rate  ",
        "----------------  ------",
        "seen_alone        0.3333",
        "placements_3plus        ",
    ]
