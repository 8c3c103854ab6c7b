"""The supervision page: one offline, printable HTML page for a supervision meeting.

A team's figures (and, if asked, one worker's) beside the team's and the authority's for
the reporting year, each indicator's trend month by month over the last twelve months as
an inline SVG chart, and the due list of the team's (or the worker's) children. Plain HTML
and SVG with no scripts and nothing fetched, so it opens offline and prints as it looks.

Each chart point carries its figures as data attributes (`data-series`, `data-month`,
`data-numerator`, `data-denominator`), and each due-list row its child and step, so a
reader (a test, an accessibility tool) can check what is drawn against the record.
The due list shows the child's id as the projection holds it: the page is for the people
who hold those cases, and is kept as securely as the record.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb

from projections.due import Holder
from projections.supervision import (
    Count,
    IndicatorFigures,
    SupervisionFigures,
    Trend,
    supervision_figures,
)

_WIDTH, _HEIGHT = 640, 200
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 16, 12, 30
_COLOURS = {"worker": "#b45309", "team": "#1d4ed8", "authority": "#6b7280"}
_DASHES = {"worker": "", "team": "", "authority": "6 4"}

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #111; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
p.meta { color: #444; margin-top: 0; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
tr.overdue td { background: #fee2e2; }
figure.chart { display: inline-block; margin: 0.5em 1em 1em 0; page-break-inside: avoid; }
figcaption { font-weight: 600; font-size: 0.9em; }
.legend span { margin-right: 1em; font-size: 0.8em; }
@media print { body { margin: 1cm; } section { page-break-inside: avoid; } }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _shown(count: Count | None) -> str:
    if count is None:
        return ""
    if count.rate is None:
        return "0 of 0"
    return f"{count.rate:.0%} ({count.numerator:,} of {count.denominator:,})"


def _figures_table(figures: Sequence[IndicatorFigures], worker: str | None) -> str:
    heads = ([f"worker {_e(worker)}"] if worker else []) + ["team", "authority"]
    rows = []
    for figure in figures:
        counts = ([figure.worker] if worker else []) + [figure.team, figure.authority]
        cells = "".join(
            f'<td class="number" data-series="{name}" data-numerator="{c.numerator}" '
            f'data-denominator="{c.denominator}">{_shown(c)}</td>'
            for name, c in zip(
                (["worker"] if worker else []) + ["team", "authority"], counts, strict=True
            )
            if c is not None
        )
        rows.append(
            f'<tr data-indicator="{_e(figure.indicator)}"><td>{_e(figure.title)}</td>'
            f"<td>{_e(figure.case_held_on)}</td>{cells}</tr>"
        )
    head = "".join(f"<th>{h}</th>" for h in heads)
    return (
        '<table class="figures"><thead><tr><th>indicator</th><th>counted for whoever held '
        f"the case on</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _chart(trend: Trend) -> str:
    plot_w = _WIDTH - _LEFT - _RIGHT
    plot_h = _HEIGHT - _TOP - _BOTTOM
    step = plot_w / max(len(trend.months) - 1, 1)

    def x(index: int) -> float:
        return _LEFT + index * step

    def y(rate: float) -> float:
        return _TOP + plot_h * (1 - rate)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" '
        f'viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" aria-label="{_e(trend.title)}">'
    ]
    for tick in (0, 0.5, 1):
        parts.append(
            f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#e5e7eb"/>'
            f'<text x="{_LEFT - 6}" y="{y(tick) + 4:.1f}" font-size="10" '
            f'text-anchor="end">{tick:.0%}</text>'
        )
    for index, month in enumerate(trend.months):
        parts.append(
            f'<text x="{x(index):.1f}" y="{_HEIGHT - 10}" font-size="9" '
            f'text-anchor="middle">{month:%b %y}</text>'
        )
    for name, counts in trend.series.items():
        points = [(i, c) for i, c in enumerate(counts) if c.rate is not None]
        if len(points) > 1:
            path = " ".join(f"{x(i):.1f},{y(c.rate or 0):.1f}" for i, c in points)
            parts.append(
                f'<polyline data-series="{name}" fill="none" stroke="{_COLOURS[name]}" '
                f'stroke-width="2" stroke-dasharray="{_DASHES[name]}" points="{path}"/>'
            )
        for i, c in enumerate(counts):
            attributes = (
                f'data-series="{name}" data-month="{trend.months[i]:%Y-%m}" '
                f'data-numerator="{c.numerator}" data-denominator="{c.denominator}"'
            )
            if c.rate is None:
                parts.append(f'<g class="point empty" {attributes}></g>')
                continue
            parts.append(
                f'<circle class="point" {attributes} cx="{x(i):.1f}" cy="{y(c.rate):.1f}" '
                f'r="3" fill="{_COLOURS[name]}"><title>{_e(name)} {trend.months[i]:%b %Y}: '
                f"{_shown(c)}</title></circle>"
            )
    parts.append("</svg>")
    legend = "".join(
        f'<span style="color:{_COLOURS[name]}">&#9632; {name}</span>' for name in trend.series
    )
    return (
        f'<figure class="chart" data-indicator="{_e(trend.indicator)}">'
        f"<figcaption>{_e(trend.title)}</figcaption>{''.join(parts)}"
        f'<div class="legend">{legend}</div></figure>'
    )


def _due_table(due: Sequence[dict[str, object]]) -> str:
    if not due:
        return '<p class="due-none">Nothing is due in the window, and nothing is overdue.</p>'
    rows = []
    for item in due:
        left = int(str(item["days_left"]))
        rows.append(
            f'<tr class="due-item{" overdue" if left < 0 else ""}" '
            f'data-child="{_e(item["child_id"])}" data-duty="{_e(item["duty"])}" '
            f'data-due="{_e(item["due_on"])}" data-days-left="{left}">'
            f"<td>{_e(item['child_id'])}</td><td>{_e(item['worker'])}</td>"
            f"<td>{_e(item['duty'])}</td><td>{_e(item['due_on'])}</td>"
            f'<td class="number">{left}</td><td>{_e(item["detail"])}</td></tr>'
        )
    return (
        '<table class="due"><thead><tr><th>child</th><th>worker</th><th>step</th>'
        "<th>due</th><th>days left</th><th>detail</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def render_supervision_page(page: SupervisionFigures) -> str:
    """The whole page, as text."""
    holder = page.holder
    whose = f"team {holder.team}" + (f", worker {holder.worker}" if holder.worker else "")
    charts = "".join(_chart(trend) for trend in page.trends)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Supervision: {_e(whose)}, {page.on}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>Supervision: {_e(whose)}</h1>
<p class="meta">Authority {_e(page.local_authority)}; reporting year {page.year - 1}-{page.year}
(1 April {page.year - 1} to 31 March {page.year}); as known at the end of {page.on}.
Each figure counts for the team and worker who held the child's case on the indicator's own
day (second column).</p>
<section>
<h2>This year</h2>
{_figures_table(page.figures, holder.worker)}
</section>
<section>
<h2>Month by month</h2>
<p class="meta">The last twelve months to {page.on:%B %Y}; months with nothing to count
have no point.</p>
{charts}
</section>
<section>
<h2>Due in the next fortnight, and overdue</h2>
{_due_table(page.due)}
</section>
</body>
</html>
"""


def write_team_pages(connection: duckdb.DuckDBPyConnection, on: date, out_dir: Path) -> list[Path]:
    """One supervision page per team of the record's allocations, `<authority>-<team>.html`
    in `out_dir`, for the day `on`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    teams = connection.execute(
        "select distinct local_authority, team_id from allocations order by all"
    ).fetchall()
    written = []
    for authority, team in teams:
        page = supervision_figures(connection, Holder(team=team, local_authority=authority), on)
        path = out_dir / f"{authority}-{team}.html"
        path.write_text(render_supervision_page(page), encoding="utf-8")
        written.append(path)
    return written
