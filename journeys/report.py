"""report.html: one chart per indicator over the years, with the case study's figures marked.

Plain HTML with inline SVG and no scripts, so it opens offline and prints as it looks.
Each chart draws the synthetic (or real) rate per reporting year as a line with points,
and the published Doncaster figures of domain.md section 4 as red diamonds.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from projections.comparators import case_study_figures
from projections.definitions import indicator_definitions

# The case study's published figures (domain.md section 4), kept in projections/comparators.
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


_WIDTH, _HEIGHT = 720, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 20, 16, 36


def _chart(
    indicator: str, title: str, values: Sequence[IndicatorValue], years: Sequence[int]
) -> str:
    """An inline SVG line chart of the rate by year, 0-100%, case study figures marked."""
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

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-indicator="{indicator}" '
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
    for year, rate in sorted(CASE_STUDY.get(indicator, {}).items()):
        if not first <= year <= last:
            continue
        cx, cy = x(year), y(rate)
        parts.append(
            f'<path class="case-study" d="M{cx:.1f},{cy - 7:.1f} L{cx + 7:.1f},{cy:.1f} '
            f'L{cx:.1f},{cy + 7:.1f} L{cx - 7:.1f},{cy:.1f} Z" fill="#c0392b">'
            f"<title>Doncaster {year}, published: {shown_rate(indicator, rate)}</title></path>"
            f'<text x="{cx + 10:.1f}" y="{cy - 8:.1f}" font-size="11" fill="#c0392b">'
            f"{shown_rate(indicator, rate)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(values: Sequence[IndicatorValue]) -> str:
    rows = "".join(
        f"<tr><td>{v.year}</td><td>{v.numerator:,}</td><td>{_count(v.denominator)}</td>"
        f"<td>{shown_rate(v.indicator, v.rate)}</td>"
        f"<td>{_published(v.indicator, v.year)}</td></tr>"
        for v in values
    )
    return (
        "<table><thead><tr><th>year</th><th>numerator</th><th>denominator</th><th>rate</th>"
        f"<th>published</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _published(indicator: str, year: int) -> str:
    return shown_rate(indicator, CASE_STUDY.get(indicator, {}).get(year))


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
) -> str:
    """The whole report as an HTML document; `titles` in the order the charts come."""
    by_indicator: dict[str, list[IndicatorValue]] = {}
    for value in values:
        by_indicator.setdefault(value.indicator, []).append(value)
    if not by_indicator:
        raise ValueError("render_report: no indicator values to chart")
    years = sorted({value.year for rows in by_indicator.values() for value in rows})
    ordered = [name for name in titles if name in by_indicator]
    ordered += sorted(set(by_indicator) - set(ordered))
    sections = []
    for indicator in ordered:
        rows = sorted(by_indicator[indicator], key=lambda v: v.year)
        heading = titles.get(indicator, indicator)
        sections.append(
            f'<section id="{indicator}"><h2>{html.escape(heading)}</h2>'
            f'<p class="key"><code>{indicator}</code></p><div class="row">'
            f"{_chart(indicator, heading, rows, years)}{_table(rows)}</div></section>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p>"
        '<p class="key"><span style="color:#1f5fa8">&#9679; rate by reporting year '
        '(1 April to 31 March)</span> &nbsp; <span style="color:#c0392b">&#9670; Doncaster, '
        "published figure (DfE evaluation 2017)</span></p>" + "".join(sections) + "</body></html>\n"
    )


def write_report(
    path: Path,
    values: Iterable[IndicatorValue],
    *,
    title: str,
    subtitle: str = "",
    titles: Mapping[str, str] = TITLES,
) -> Path:
    page = render_report(values, title=title, subtitle=subtitle, titles=titles)
    path.write_text(page, encoding="utf-8")
    return path
