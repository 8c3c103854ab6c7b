"""report.html: a chart per indicator and per authority over the years, with the
published comparators' figures marked.

Plain HTML with inline SVG and no scripts, so it opens offline and prints as it looks.
Each chart draws one authority's rate per reporting year (or the pooled rate, for values
without an authority) as a line with points, and the published comparators' figures
(by default the case study's, domain.md section 4; the demo reads the database's
`comparators` table) as red diamonds; the table beside it lists them per year.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from projections.comparators import (
    Comparator,
    case_study_comparators,
    case_study_figures,
    figures_by_indicator,
)
from projections.definitions import indicator_definitions

# The case study's published figures (domain.md section 4), kept in
# projections/published_figures/case_study.csv.
CASE_STUDY: Mapping[str, Mapping[int, float]] = case_study_figures()

# Each indicator's title, from the header of its SQL file (projections/definitions.py).
TITLES: Mapping[str, str] = {d.indicator: d.title for d in indicator_definitions()}
# The indicators whose rate is per 10,000 children, not a proportion (`-- kind:`).
PER_10K: frozenset[str] = frozenset(
    d.indicator for d in indicator_definitions() if d.kind == "per_10k_children"
)


def shown_rate(indicator: str, rate: float | None) -> str:
    """A rate as the DfE prints it: a percentage, or a number per 10,000 children."""
    if rate is None:
        return ""
    return f"{rate:.1f}" if indicator in PER_10K else f"{rate:.1%}"


def _count(number: int | None) -> str:
    return "" if number is None else f"{number:,}"


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """One row of the `indicators` view."""

    indicator: str
    year: int
    numerator: int
    denominator: int | None  # None: a rate per 10,000 with no population loaded
    rate: float | None
    local_authority: str | None = None  # None: pooled over every authority


_WIDTH, _HEIGHT = 720, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 20, 16, 36


def _chart(
    indicator: str,
    title: str,
    values: Sequence[IndicatorValue],
    years: Sequence[int],
    published: Sequence[Comparator],
) -> str:
    """An inline SVG line chart of one authority's rate by year (0-100%, or 0 to a round
    number per 10,000), the published comparators' figures marked."""
    plot_w = _WIDTH - _LEFT - _RIGHT
    plot_h = _HEIGHT - _TOP - _BOTTOM
    first, last = years[0], years[-1]
    span = max(last - first, 1)
    # Proportions on 0-100%; rates per 10,000 on 0 to a round number above the highest.
    highest = max(
        [v.rate for v in values if v.rate is not None]
        + list(CASE_STUDY.get(indicator, {}).values()),
        default=0.0,
    )
    top = 1.0 if indicator not in PER_10K else _round_up(highest)

    def x(year: int) -> float:
        return _LEFT + plot_w * (year - first) / span

    def y(rate: float) -> float:
        return _TOP + plot_h * (1 - rate / top)

    authority = values[0].local_authority if values else None
    area = "" if authority is None else f' data-local-authority="{html.escape(authority)}"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-indicator="{indicator}"'
        f"{area} "
        f'width="{_WIDTH}" height="{_HEIGHT}" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        f'aria-label="{html.escape(title)}">'
    ]
    for tenth in range(0, 11, 2):
        level = y(top * tenth / 10)
        label = f"{tenth * 10}%" if indicator not in PER_10K else f"{top * tenth / 10:g}"
        parts.append(
            f'<line x1="{_LEFT}" y1="{level:.1f}" x2="{_WIDTH - _RIGHT}" y2="{level:.1f}" '
            'stroke="#ddd"/>'
            f'<text x="{_LEFT - 8}" y="{level + 4:.1f}" text-anchor="end" '
            f'font-size="11">{label}</text>'
        )
    for year in years:
        parts.append(
            f'<text x="{x(year):.1f}" y="{_HEIGHT - 14}" text-anchor="middle" '
            f'font-size="11">{year}</text>'
        )
    points = [(v.year, v.rate) for v in values if v.rate is not None]
    if points:
        path = " ".join(f"{x(year):.1f},{y(rate):.1f}" for year, rate in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1f5fa8" stroke-width="2.5"/>')
        for value in values:
            if value.rate is None:
                continue
            tip = (
                f"{value.year}: {shown_rate(indicator, value.rate)} "
                f"({value.numerator:,} of {_count(value.denominator)})"
            )
            parts.append(
                f'<circle cx="{x(value.year):.1f}" cy="{y(value.rate):.1f}" r="4" fill="#1f5fa8">'
                f"<title>{html.escape(tip)}</title></circle>"
            )
    for figure in published:
        if not first <= figure.year <= last:
            continue
        cx, cy = x(figure.year), y(figure.rate)
        label = shown_rate(indicator, figure.rate)
        tip = f"{figure.comparator} {figure.year}, published: {label} ({figure.source})"
        parts.append(
            f'<path class="case-study" d="M{cx:.1f},{cy - 7:.1f} L{cx + 7:.1f},{cy:.1f} '
            f'L{cx:.1f},{cy + 7:.1f} L{cx - 7:.1f},{cy:.1f} Z" fill="#c0392b">'
            f"<title>{html.escape(tip)}</title></path>"
            f'<text x="{cx + 10:.1f}" y="{cy - 8:.1f}" font-size="11" fill="#c0392b">'
            f"{html.escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(values: Sequence[IndicatorValue], published: Sequence[Comparator]) -> str:
    """The rows of one chart, each comparator's published figure beside its year."""
    names = sorted({figure.comparator for figure in published})
    by_name = {
        name: figures_by_indicator([f for f in published if f.comparator == name]) for name in names
    }
    rows = "".join(
        f"<tr><td>{v.year}</td><td>{v.numerator:,}</td><td>{_count(v.denominator)}</td>"
        f"<td>{shown_rate(v.indicator, v.rate)}</td>"
        + "".join(
            f"<td>{shown_rate(v.indicator, by_name[name].get(v.indicator, {}).get(v.year))}</td>"
            for name in names
        )
        + "</tr>"
        for v in values
    )
    heads = "".join(f"<th>{html.escape(name)}</th>" for name in names)
    return (
        "<table><thead><tr><th>year</th><th>numerator</th><th>denominator</th><th>rate</th>"
        f"{heads}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _round_up(value: float) -> float:
    """The smallest of 1, 2, 5 times a power of ten at or above `value` (at least 1)."""
    step = 1.0
    while True:
        for factor in (1, 2, 5):
            if factor * step >= value:
                return factor * step
        step *= 10


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1100px; }
section { margin-bottom: 28px; }
h2 { font-size: 17px; margin: 0 0 4px; }
h3 { font-size: 14px; margin: 8px 0 2px; color: #444; }
.key { color: #555; font-size: 13px; }
.row { display: flex; gap: 16px; align-items: flex-start; }
table { border-collapse: collapse; font-size: 12px; }
td, th { border-bottom: 1px solid #eee; padding: 2px 8px; text-align: right; }
"""


def render_report(
    values: Iterable[IndicatorValue],
    *,
    title: str,
    subtitle: str = "",
    titles: Mapping[str, str] = TITLES,
    comparators: Sequence[Comparator] | None = None,
) -> str:
    """The whole report as an HTML document: per indicator (`titles` in the order the
    sections come), one chart and table per authority; `comparators` default to the
    case study's figures."""
    published = case_study_comparators() if comparators is None else comparators
    by_indicator: dict[str, dict[str | None, list[IndicatorValue]]] = {}
    for value in values:
        lines = by_indicator.setdefault(value.indicator, {})
        lines.setdefault(value.local_authority, []).append(value)
    if not by_indicator:
        raise ValueError("render_report: no indicator values to chart")
    years = sorted(
        {v.year for lines in by_indicator.values() for rows in lines.values() for v in rows}
    )
    ordered = [name for name in titles if name in by_indicator]
    ordered += sorted(set(by_indicator) - set(ordered))
    sections = []
    for indicator in ordered:
        heading = titles.get(indicator, indicator)
        figures = [f for f in published if f.indicator == indicator]
        charts = []
        for authority in sorted(by_indicator[indicator], key=lambda code: code or ""):
            rows = sorted(by_indicator[indicator][authority], key=lambda v: v.year)
            label = "all authorities" if authority is None else f"authority {authority}"
            charts.append(
                f'<h3>{html.escape(label)}</h3><div class="row">'
                f"{_chart(indicator, heading, rows, years, figures)}{_table(rows, figures)}</div>"
            )
        sections.append(
            f'<section id="{indicator}"><h2>{html.escape(heading)}</h2>'
            f'<p class="key"><code>{indicator}</code></p>{"".join(charts)}</section>'
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p>"
        '<p class="key"><span style="color:#1f5fa8">&#9679; rate by reporting year '
        '(1 April to 31 March)</span> &nbsp; <span style="color:#c0392b">&#9670; published '
        "comparator figure (hover for its source)</span></p>"
        + "".join(sections)
        + "</body></html>\n"
    )


def write_report(
    path: Path,
    values: Iterable[IndicatorValue],
    *,
    title: str,
    subtitle: str = "",
    titles: Mapping[str, str] = TITLES,
    comparators: Sequence[Comparator] | None = None,
) -> Path:
    page = render_report(
        values, title=title, subtitle=subtitle, titles=titles, comparators=comparators
    )
    path.write_text(page, encoding="utf-8")
    return path
