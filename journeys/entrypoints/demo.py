"""The demo: a synthetic authority through the whole service, ending in report.html.

Steps, each with its progress on stderr: start the embedded broker (unless
KAFKA_BOOTSTRAP_SERVERS names a cluster), generate the authority and keep its JSON Lines,
publish the submissions, process them (the journey rules accept or refuse each), project
the accepted events into DuckDB, write the last three years' statutory returns from the
record and check them with the DfE's rules (`journeys demo`), print the indicators beside
the case study's published figures, write report.html, and one supervision page per team
(supervision/).
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TextIO

import duckdb

from events.catalogue import JourneyEvent
from events.jsonl import write_jsonl
from events.progress import Progress
from events.settings import Settings
from journeys.entrypoints.report import TITLES, IndicatorValue, shown_rate, write_report
from journeys.entrypoints.supervision import write_team_pages
from journeys.kafka.broker import kafka_settings
from journeys.kafka.processor import ProcessSummary, process_until_idle
from journeys.kafka.publish import publish_events
from journeys.kafka.topics import ensure_topics
from journeys.returns.demo import write_and_validate
from journeys.returns.record import counting, events_known_at
from journeys.synthetic import AuthorityParameters, generate
from journeys.synthetic.population import population
from projections.comparators import (
    CASE_STUDY_FILE,
    ENGLAND_FILE,
    Comparator,
    case_study_comparators,
    comparators_in,
)
from projections.population import (
    SYNTHETIC_AUTHORITY_FILE,
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
            "select indicator, year, numerator, denominator, rate, local_authority "
            "from indicators where year between ? and ? order by indicator, local_authority, year",
            [from_year, to_year],
        ).fetchall()
    finally:
        connection.close()
    return [IndicatorValue(*row) for row in rows]


def read_comparators(database: Path) -> list[Comparator]:
    """The published figures of the database's comparators table."""
    connection = duckdb.connect(str(database), read_only=True)
    try:
        return comparators_in(connection)
    finally:
        connection.close()


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
    params: AuthorityParameters,
    out_dir: Path,
    settings: Settings,
    *,
    stream: TextIO = sys.stdout,
    returns: bool = False,
) -> DemoResult:
    """The demo; with `returns`, also its last three years' statutory returns, written
    from the record and checked by the DfE's rules (journeys/returns/demo.py)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = dataclasses.replace(
        settings,
        database=out_dir / "journeys.duckdb",
        state_dir=out_dir / "state",
        key_store=out_dir / "journeys-keys.sqlite",
        master_key_file=out_dir / "journeys-master.key",
    )
    for leftover in (
        settings.database,
        settings.database.with_name(settings.database.name + ".wal"),
        # The demo's broker starts empty, so its record's key store does too.
        settings.key_store,
        settings.master_key_file,
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
        if returns:
            record = counting(events_known_at(live, params.local_authority))
            write_and_validate(
                record, params.local_authority, params.to_year, out_dir / "returns", stream
            )
    population_file = _population_file(params, out_dir)
    load_reference_file(settings.database, "population", population_file)
    print(f"population loaded ({population_file})", file=stream)
    for published in (CASE_STUDY_FILE, ENGLAND_FILE):
        load_reference_file(settings.database, "comparators", published)
        print(f"comparators loaded ({published})", file=stream)

    indicators = read_indicators(settings.database, params.from_year, params.to_year)
    titles = read_titles(settings.database)
    comparators = read_comparators(settings.database)
    print(indicator_table(indicators, titles, comparators), file=stream)
    report = write_report(
        out_dir / "report.html",
        indicators,
        titles=titles,
        comparators=comparators,
        title="care-journeys: a synthetic Doncaster-sized authority",
        subtitle=f"{params.children:,} children, reporting years {params.from_year}-"
        f"{params.to_year}, seed {params.seed}; {summary.accepted:,} events accepted, "
        f"{summary.refused:,} refused.",
    )
    pages = write_supervision_pages(settings.database, params.end, out_dir / "supervision")
    print(f"supervision pages, one per team, for {params.end}: {pages}", file=stream)
    print(f"finished in {time.monotonic() - started:.0f} s", file=stream)
    print(f"report: {report.resolve()}", file=stream)
    return DemoResult(len(events), summary, indicators, report, settings.database)


def write_supervision_pages(database: Path, on: date, out_dir: Path) -> Path:
    """One supervision page per team for the day `on`, in `out_dir`; returns `out_dir`."""
    connection = duckdb.connect(str(database), read_only=True)
    try:
        write_team_pages(connection, on, out_dir)
    finally:
        connection.close()
    return out_dir.resolve()


def indicator_table(
    values: list[IndicatorValue],
    titles: Mapping[str, str] = TITLES,
    comparators: Sequence[Comparator] | None = None,
) -> str:
    """Rates by year, one line per indicator and authority, and under it each published
    comparator's figures in the same columns (the case study's by default)."""
    published = case_study_comparators() if comparators is None else comparators
    years = sorted({v.year for v in values})
    rates = {(v.indicator, v.local_authority, v.year): v.rate for v in values}
    authorities = sorted({v.local_authority for v in values}, key=lambda code: code or "")
    names = [name for name in titles if any(v.indicator == name for v in values)]
    several = len(authorities) > 1
    rows: list[tuple[str, list[str]]] = []
    for name in names:
        for authority in authorities:
            if not any((name, authority, year) in rates for year in years):
                continue
            label = f"{name} [{authority}]" if several and authority is not None else name
            rows.append(
                (label, [_cell(name, rates.get((name, authority, year))) for year in years])
            )
        for comparator in sorted({f.comparator for f in published if f.indicator == name}):
            figures = {
                f.year: f.rate
                for f in published
                if (f.indicator, f.comparator) == (name, comparator)
            }
            if any(year in figures for year in years):
                rows.append(
                    (
                        f"  {comparator}, published",
                        [_cell(name, figures.get(year)) for year in years],
                    )
                )
    width = max([len("indicator"), *(len(label) for label, _ in rows)])
    lines = [f"{'indicator':<{width}} " + " ".join(f"{year:>7}" for year in years)]
    lines.extend(f"{label:<{width}} " + " ".join(cells) for label, cells in rows)
    lines.append("rates per 10,000 children for the *_per_10k indicators; percentages otherwise")
    return "\n".join(lines)


def _cell(indicator: str, rate: float | None) -> str:
    return f"{'-':>7}" if rate is None else f"{shown_rate(indicator, rate):>7}"
