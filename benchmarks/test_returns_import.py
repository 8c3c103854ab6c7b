"""Importing ten years of an authority's SSDA903 returns, beside a plain CSV read of them.

The returns are the synthetic authority's own, exported for 2016 to 2025. The figure is
rows a second through `journeys import`'s reading and conversion (tables recognised by
their header rows, every field checked, rows turned into events against the record built
so far); the baseline is `csv.reader` over the same files, in the same run. Target (issue
14): at least a quarter of the plain read's rate. At scale 1.0, 65,000 children (the
authority is Doncaster-sized); the CIN census import is measured beside it in
benchmarks/test_returns_cin_import.py.
"""

from __future__ import annotations

import csv
import gc
import time
from pathlib import Path

from benchmarks.conftest import record_ratio, scaled
from events.sealing import KeyedNames
from journeys.returns.record import counting
from journeys.returns.ssda903 import ssda903, write_tables
from journeys.returns.ssda903_import import events_of_return
from journeys.returns.ssda903_reading import read_directory
from journeys.synthetic import AuthorityParameters, generate

# Ids keyed as an import keys them, by a secret of the test's own.
NAMES = KeyedNames(b"test secret")

YEARS = range(2016, 2026)


def _plain_read(directory: Path) -> int:
    rows = 0
    for year in YEARS:
        for path in sorted((directory / str(year)).glob("*.csv")):
            with path.open(encoding="utf-8", newline="") as file:
                rows += sum(1 for _ in csv.reader(file)) - 1
    return rows


def _import(directory: Path) -> int:
    record: list = []
    rows_read = 0
    for year in YEARS:
        rows, _ = read_directory(directory / str(year))
        rows_read += len(rows)
        record.extend(events_of_return(rows, year, "371", counting(record), NAMES).events)
    return rows_read


def test_ssda903_import_rows_per_second_beside_a_plain_csv_read(
    benchmark, scale: float, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    params = AuthorityParameters(
        children=scaled(65_000, scale), from_year=2016, to_year=2025, history_years=0
    )
    events = counting(generate(params))
    for year in YEARS:
        write_tables(ssda903(events, year), tmp_path / str(year))
    del events
    # The collection the authority's making left due is not either side's to pay.
    gc.collect()

    started = time.perf_counter()
    plain_rows = _plain_read(tmp_path)
    plain_seconds = time.perf_counter() - started

    rows = benchmark.pedantic(lambda: _import(tmp_path), rounds=1, iterations=1)
    importing_seconds = benchmark.stats.stats.mean
    assert rows == plain_rows
    record_ratio(
        benchmark, "ssda903_import_rows_per_second",
        figure=rows / importing_seconds, baseline=plain_rows / plain_seconds, unit="rows/s",
    )  # fmt: skip
    benchmark.extra_info["rows"] = rows
