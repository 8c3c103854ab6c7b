"""`journeys supervision`: the page's figures, charts and due list against the data.

The journeys are those of the timeliness tests (test_indicator_timeliness) and the due
list's (test_due), read for team T2 and its worker w2 on 20 March 2023 (year 2023). The
page is checked with a parser, and, where Chromium is installed (/usr/bin/chromium), as
Chromium renders it: the DOM it builds and a screenshot kept in the test's tmp dir.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date as d
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from test_due import team_t9
from test_indicator_timeliness import timeliness_children
from test_projection_builders import project

from journeys.entrypoints.supervision import render_supervision_page
from projections.due import Holder, due_items
from projections.exceptions import HolderNotFound
from projections.supervision import supervision_figures

ON = d(2023, 3, 20)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class PageReader(HTMLParser):
    """The data attributes of the page's chart points, figure cells and due rows."""

    def __init__(self) -> None:
        super().__init__()
        self.chart: str | None = None
        self.row: str | None = None
        self.points: dict[tuple[str, str, str], tuple[int, int]] = {}
        self.cells: dict[tuple[str, str], tuple[int, int]] = {}
        self.due: list[tuple[str, str, str, int]] = []
        self.polylines: set[tuple[str, str]] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "figure" and "chart" in a.get("class", ""):
            self.chart = a["data-indicator"]
        elif tag == "tr" and "data-indicator" in a:
            self.row = a["data-indicator"]
        elif tag == "tr" and "due-item" in a.get("class", ""):
            self.due.append(
                (a["data-child"], a["data-duty"], a["data-due"], int(a["data-days-left"]))
            )
        elif tag == "polyline" and self.chart:
            self.polylines.add((self.chart, a["data-series"]))
        elif "data-month" in a and self.chart:
            key = (self.chart, a["data-series"], a["data-month"])
            self.points[key] = (int(a["data-numerator"]), int(a["data-denominator"]))
        elif tag == "td" and "data-series" in a and self.row:
            key = (self.row, a["data-series"])
            self.cells[key] = (int(a["data-numerator"]), int(a["data-denominator"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self.chart = None


@pytest.fixture(scope="module")
def connection() -> duckdb.DuckDBPyConnection:
    return project(*timeliness_children(), *team_t9())


@pytest.fixture(scope="module")
def page(connection: duckdb.DuckDBPyConnection) -> str:
    figures = supervision_figures(connection, Holder(team="T2", worker="w2"), ON)
    return render_supervision_page(figures)


def read(page: str) -> PageReader:
    reader = PageReader()
    reader.feed(page)
    return reader


def monthly(connection: duckdb.DuckDBPyConnection, where: str) -> dict:
    """(indicator, month) -> (numerator, denominator) straight from the drill-downs."""
    rows = connection.execute(
        "select indicator, strftime(on_date, '%Y-%m'), count(*) filter (where in_numerator), "
        "count(*) from indicator_children_described_as_of("
        "timestamptz '2023-03-20 23:59:59.999999Z') "
        f"where on_date between date '2022-04-01' and date '2023-03-20' and {where} group by all"
    ).fetchall()
    return {(indicator, month): (n, total) for indicator, month, n, total in rows}


def assert_page_matches_the_data(reader: PageReader, connection: duckdb.DuckDBPyConnection) -> None:
    # The year's figures, worked by hand in test_indicator_timeliness: T2 (and its worker
    # w2, who holds all of T2's cases) 0 of 1 assessments in time, 1 of 1 looked-after
    # review, 1 of 2 CP review conferences; the authority 1 of 2, 2 of 3, 1 of 2.
    for series in ("team", "worker"):
        assert reader.cells["assessments_within_45_days", series] == (0, 1)
        assert reader.cells["lac_reviews_on_time", series] == (1, 1)
        assert reader.cells["cp_reviews_on_time", series] == (1, 2)
    assert reader.cells["assessments_within_45_days", "authority"] == (1, 2)
    assert reader.cells["lac_reviews_on_time", "authority"] == (2, 3)
    # Every chart point is the month's count of the drill-downs' rows: the team's rows,
    # the worker's, everyone's.
    for series, where in (
        ("team", "team = 'T2'"),
        ("worker", "team = 'T2' and worker = 'w2'"),
        ("authority", "true"),
    ):
        expected = monthly(connection, where)
        drawn = {
            (indicator, month): counts
            for (indicator, name, month), counts in reader.points.items()
            if name == series and counts[1] > 0
        }
        charted = {indicator for indicator, _, _ in reader.points}
        assert drawn == {key: v for key, v in expected.items() if key[0] in charted}, series
    # 31 March indicators have no monthly chart; the timeliness ones do, with a line each.
    charted = {indicator for indicator, _, _ in reader.points}
    assert "placements_3plus" not in charted
    assert {"cp_visits_on_time", "lac_reviews_on_time", "visits_seen_alone"} <= charted
    assert ("lac_reviews_on_time", "authority") in reader.polylines
    # The due list is the team's, as `journeys due` gives it: D's first CP visit (due 15
    # December 2021) and C's second visit in placement 2 (due 18 August 2022), both never
    # made; D's next review conference (24 August) and C's next review (1 August) are
    # outside the window.
    expected_due = [
        (row["child_id"], row["duty"], row["due_on"].isoformat(), row["days_left"])
        for row in due_items(connection, Holder(team="T2", worker="w2"), ON).to_pylist()
    ]
    assert reader.due == expected_due
    assert reader.due == [
        ("D", "CP visit", "2021-12-15", -460),
        ("C", "looked-after visit", "2022-08-18", -214),
    ]


def test_the_page_shows_the_team_the_worker_and_the_authority(
    page: str, connection: duckdb.DuckDBPyConnection
) -> None:
    assert_page_matches_the_data(read(page), connection)
    # Offline: nothing fetched, no script.
    assert "<script" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "https://" not in page


def test_a_team_no_allocation_names_is_refused_by_name(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    with pytest.raises(HolderNotFound, match="team 'T7'"):
        supervision_figures(connection, Holder(team="T7"), ON)


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (/usr/bin/chromium)")
def test_the_page_opens_in_headless_chromium(
    page: str, connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "supervision.html"
    path.write_text(page, encoding="utf-8")
    flags = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
    ]  # fmt: skip
    dom = subprocess.run(
        [*flags, "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert dom.returncode == 0, dom.stderr
    # The DOM as Chromium built it holds the same charts and due list.
    assert_page_matches_the_data(read(dom.stdout), connection)
    screenshot = tmp_path / "supervision.png"
    shot = subprocess.run(
        [*flags, f"--screenshot={screenshot}", "--window-size=1280,2400", path.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.returncode == 0, shot.stderr
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_journeys_supervision_writes_the_page_from_the_snapshot(tmp_path: Path) -> None:
    from cli_runs import run_journeys

    from events.settings import Settings
    from projections.database import writer_session
    from projections.load import append, batch_of

    database = tmp_path / "journeys.duckdb"
    with writer_session(database) as (connection, snapshots):
        events = [e for child in (*timeliness_children(), *team_t9()) for e in child.events]
        append(connection, "care.journey.events", batch_of(events))
        snapshots.publish()
    settings = Settings(bootstrap_servers="localhost:1", database=database, state_dir=tmp_path)
    out = tmp_path / "T2.html"
    done = run_journeys(
        settings, "supervision", "--team", "T2", "--worker", "w2", "--on", ON.isoformat(),
        "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    reader = read(out.read_text(encoding="utf-8"))
    assert reader.cells["lac_reviews_on_time", "worker"] == (1, 1)
    assert [child for child, *_ in reader.due] == ["D", "C"]
    unknown = run_journeys(settings, "supervision", "--team", "T7", "--out", str(out))
    assert unknown.returncode == 1
    assert "no case allocation names team 'T7'" in unknown.stderr
