"""report.html: a chart per indicator, case study figures marked, rendered by Chromium."""

from __future__ import annotations

import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from journeys.entrypoints.report import (
    CASE_STUDY,
    TITLES,
    IndicatorValue,
    render_report,
    write_report,
)


def _values() -> list[IndicatorValue]:
    values = []
    for index, indicator in enumerate(TITLES):
        for year in range(2012, 2025):
            denominator = 100 + year - 2012
            numerator = (index * 7 + year) % denominator
            values.append(
                IndicatorValue(indicator, year, numerator, denominator, numerator / denominator)
            )
    return values


def test_report_has_one_chart_per_indicator_with_case_study_marks() -> None:
    page = render_report(_values(), title="test authority")
    for indicator in TITLES:
        assert page.count(f'class="chart" data-indicator="{indicator}"') == 1
    assert page.count("<svg") == len(TITLES)
    marks = sum(len(years) for years in CASE_STUDY.values())
    assert page.count('class="case-study"') == marks
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")


def test_years_without_a_rate_are_left_out_of_the_line() -> None:
    values = [
        IndicatorValue("seen_alone", 2014, 5, 10, 0.5),
        IndicatorValue("seen_alone", 2015, 0, 0, None),
        IndicatorValue("seen_alone", 2016, 6, 10, 0.6),
    ]
    page = render_report(values, title="gaps")
    assert page.count("<circle") == 2


def test_an_empty_report_is_refused() -> None:
    with pytest.raises(ValueError, match="no indicator values"):
        render_report([], title="nothing")


def _png_is_not_blank(png: bytes) -> bool:
    """True when the decoded pixels are not all one value (no imaging library needed)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, position = [], 8
    while position < len(png):
        length = int.from_bytes(png[position : position + 4], "big")
        kind = png[position + 4 : position + 8]
        if kind == b"IDAT":
            chunks.append(png[position + 8 : position + 8 + length])
        position += 12 + length
    pixels = zlib.decompress(b"".join(chunks))
    # Ignore the per-row filter bytes by looking at the variety of byte values.
    return len(set(pixels[::97])) > 8


@pytest.mark.slow
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium); cannot screenshot")
    report = write_report(tmp_path / "report.html", _values(), title="test authority")
    screenshot = tmp_path / "report.png"
    subprocess.run(
        [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={screenshot}", "--window-size=1200,3000", report.resolve().as_uri(),
        ],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    assert screenshot.exists()
    assert _png_is_not_blank(screenshot.read_bytes())
