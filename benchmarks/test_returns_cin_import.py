"""Importing ten years of an authority's CIN censuses, beside a plain XML read of them.

The censuses are the synthetic authority's own, exported for 2016 to 2025. The figure is
children a second through `journeys import cin`'s reading and conversion (every element
read with its line, every field checked, elements turned into events against the record
built so far); the baseline is `xml.etree.ElementTree.parse` of the same files, counting
their Child elements, in the same run. Target (issue 14): at least a quarter of the plain
read's rate. At scale 1.0, 65,000 children (the authority is Doncaster-sized).
"""

from __future__ import annotations

import gc
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from benchmarks.conftest import record_ratio, scaled
from events.catalogue import JourneyEvent
from events.sealing import KeyedNames
from journeys.returns.cin import cin_census, write_census
from journeys.returns.cin_import import events_of_census
from journeys.returns.cin_reading import read_census
from journeys.returns.record import counting
from journeys.synthetic import AuthorityParameters, generate

# Ids keyed as an import keys them, by a secret of the test's own.
NAMES = KeyedNames(b"test secret")

YEARS = range(2016, 2026)


def _plain_read(directory: Path) -> int:
    return sum(
        sum(1 for _ in ElementTree.parse(directory / f"{year}.xml").iter("Child")) for year in YEARS
    )


def _import(directory: Path) -> int:
    record: list[JourneyEvent] = []
    children = 0
    for year in YEARS:
        census = read_census(directory / f"{year}.xml")
        children += len(census.children)
        record.extend(events_of_census(census, year, "371", counting(record), NAMES).events)
    return children


def test_cin_import_children_per_second_beside_a_plain_xml_read(
    benchmark, scale: float, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    params = AuthorityParameters(
        children=scaled(65_000, scale), from_year=2016, to_year=2025, history_years=0
    )
    events = counting(generate(params))
    for year in YEARS:
        write_census(cin_census(events, year, "371"), tmp_path / f"{year}.xml")
    del events
    # The collection the authority's making left due is not either side's to pay.
    gc.collect()

    started = time.perf_counter()
    plain_children = _plain_read(tmp_path)
    plain_seconds = time.perf_counter() - started

    children = benchmark.pedantic(lambda: _import(tmp_path), rounds=1, iterations=1)
    importing_seconds = benchmark.stats.stats.mean
    assert children == plain_children
    record_ratio(
        benchmark, "cin_import_children_per_second",
        figure=children / importing_seconds, baseline=plain_children / plain_seconds,
        unit="children/s",
    )  # fmt: skip
    benchmark.extra_info["children"] = children
