"""The demo: a synthetic authority through the whole service, ending in report.html.

Steps, each with its progress on stderr: start the embedded broker (unless
KAFKA_BOOTSTRAP_SERVERS names a cluster), generate the authority and keep its JSON Lines,
publish the submissions, process them (the journey rules accept or refuse each), project
the accepted events into DuckDB, print the indicators beside the case study's published
figures, and write report.html.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import duckdb

from events.catalogue import JourneyEvent
from events.jsonl import write_jsonl
from journeys.config import Settings
from journeys.kafka.broker import kafka_settings
from journeys.kafka.processor import ProcessSummary, process_until_idle
from journeys.kafka.publish import publish_events
from journeys.kafka.topics import ensure_topics
from journeys.progress import Progress
from journeys.report import CASE_STUDY, TITLES, IndicatorValue, write_report
from journeys.synthetic import AuthorityParameters, generate
from journeys.synthetic.population import population
from projections.population import (
    SYNTHETIC_AUTHORITY_FILE,
    load_population,
    read_population,
    synthetic_population_csv,
)
from projections.reference import load_reference_file
from projections.runner import RunnerOptions, project


@dataclass(frozen=True)
class DemoResult:
    events: int
    summary: ProcessSummary
    indicators: list[IndicatorValue]
    report: Path
    database: Path


def _generate(params: AuthorityParameters) -> list[JourneyEvent]:
    children = sum(1 for _ in population(params))
    events: list[JourneyEvent] = []
    with Progress(children, "generating journeys", unit="children") as progress:
        last_child = None
        for event in generate(params):
            if event.child_id != last_child:
                progress.advance(last_child is not None)
                last_child = event.child_id
            events.append(event)
        progress.advance(last_child is not None)
    return events


def _population_file(params: AuthorityParameters, out_dir: Path) -> Path:
    """The synthetic authority's population: the shipped file for the default authority,
    else the same age shares for this one's size, written beside the report."""
    years = range(params.history_start.year + 1, params.to_year + 1)
    shipped = AuthorityParameters()
    same_authority = (params.children, params.local_authority) == (
        shipped.children,
        shipped.local_authority,
    )
    if same_authority and {r.year for r in read_population(SYNTHETIC_AUTHORITY_FILE)} >= set(years):
        return SYNTHETIC_AUTHORITY_FILE
    path = out_dir / "population.csv"
    path.write_text(
        synthetic_population_csv(params.children, params.local_authority, years), encoding="utf-8"
    )
    return path


def read_indicators(database: Path, from_year: int, to_year: int) -> list[IndicatorValue]:
    connection = duckdb.connect(str(database), read_only=True)
    try:
        rows = connection.execute(
            "select indicator, year, numerator, denominator, rate from indicators "
            "where year between ? and ? order by indicator, year",
            [from_year, to_year],
        ).fetchall()
    finally:
        connection.close()
    return [IndicatorValue(*row) for row in rows]


def read_titles(database: Path) -> dict[str, str]:
    """Each indicator's title, in the order the database states (its indicator files')."""
    connection = duckdb.connect(str(database), read_only=True)
    try:
        rows = connection.execute(
            "select indicator, title from indicator_definitions order by position, indicator"
        ).fetchall()
    finally:
        connection.close()
    return dict(rows)


def run_demo(
    params: AuthorityParameters, out_dir: Path, settings: Settings, *, stream: TextIO = sys.stdout
) -> DemoResult:
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = dataclasses.replace(
        settings, database=out_dir / "journeys.duckdb", state_dir=out_dir / "state"
    )
    for leftover in (
        settings.database,
        settings.database.with_name(settings.database.name + ".wal"),
    ):
        leftover.unlink(missing_ok=True)  # a demo always starts from an empty projection
    started = time.monotonic()
    events = _generate(params)
    jsonl = out_dir / "submissions.jsonl"
    write_jsonl(jsonl, events)
    print(f"generated {len(events):,} submissions ({jsonl})", file=stream)

    with kafka_settings(settings) as live:
        ensure_topics(live)
        with Progress(len(events), "publishing", unit="submissions") as progress:
            publish_events(live, events, progress=progress)
        with Progress(len(events), "processing", unit="submissions") as progress:
            summary = process_until_idle(
                live, on_batch=lambda batch: progress.advance(batch.submissions)
            )
        print(summary.describe(), file=stream)
        project(live, follow=False, options=RunnerOptions(show_progress=True))
    population_file = _population_file(params, out_dir)
    load_reference_file(settings.database, load_population, population_file)
    print(f"population loaded ({population_file})", file=stream)

    indicators = read_indicators(settings.database, params.from_year, params.to_year)
    titles = read_titles(settings.database)
    print(indicator_table(indicators, titles), file=stream)
    report = write_report(
        out_dir / "report.html",
        indicators,
        titles=titles,
        title="care-journeys: a synthetic Doncaster-sized authority",
        subtitle=f"{params.children:,} children, reporting years {params.from_year}-"
        f"{params.to_year}, seed {params.seed}; {summary.accepted:,} events accepted, "
        f"{summary.refused:,} refused.",
    )
    print(f"finished in {time.monotonic() - started:.0f} s", file=stream)
    print(f"report: {report.resolve()}", file=stream)
    return DemoResult(len(events), summary, indicators, report, settings.database)


def indicator_table(values: list[IndicatorValue], titles: Mapping[str, str] = TITLES) -> str:
    """Rates by year, one row per indicator, then the case study comparison."""
    years = sorted({v.year for v in values})
    rates = {(v.indicator, v.year): v.rate for v in values}
    names = [name for name in titles if any(v.indicator == name for v in values)]
    width = max(len(name) for name in names) if names else 10
    lines = [f"{'indicator':<{width}} " + " ".join(f"{year:>6}" for year in years)]
    for name in names:
        cells = " ".join(_percent(rates.get((name, year))) for year in years)
        lines.append(f"{name:<{width}} {cells}")
    lines.append("")
    lines.append(
        f"{'case study (published vs synthetic)':<{width}} "
        + "  ".join(f"{year}: published synthetic" for year in (2014, 2016))
    )
    for name, figures in CASE_STUDY.items():
        cells = []
        for year in (2014, 2016):
            published_year = year if year in figures else year - 1
            published = figures.get(published_year)
            cells.append(
                f"{year}: {_percent(published)}{'*' if published_year != year else ' '}  "
                f"{_percent(rates.get((name, published_year)))}  "
            )
        lines.append(f"{name:<{width}} " + "".join(cells))
    lines.append("* the published figure is for 2015; compared with the synthetic 2015")
    return "\n".join(lines)


def _percent(rate: float | None) -> str:
    return f"{'-':>6}" if rate is None else f"{rate:>6.1%}"
