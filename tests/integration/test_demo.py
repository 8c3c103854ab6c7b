"""The demo end to end on a small authority: generate, publish, process, project, report."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from events.settings import Settings
from journeys.entrypoints.demo import run_demo
from journeys.entrypoints.report import TITLES
from journeys.synthetic import AuthorityParameters, generate_labelled

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_demo_runs_the_whole_service_and_writes_the_report(kafka: Settings, tmp_path: Path) -> None:
    params = AuthorityParameters(
        children=1_500, from_year=2014, to_year=2016, seed=2, invalid_share=0.01
    )
    labelled = list(generate_labelled(params))
    invalid = sum(item.breaks_rule is not None for item in labelled)
    assert invalid > 0
    printed = io.StringIO()

    result = run_demo(params, tmp_path / "demo", kafka, stream=printed)

    assert result.events == len(labelled)
    # The processor refuses exactly the submissions that break a rule on purpose.
    assert result.summary.refused == invalid
    assert result.summary.accepted == len(labelled) - invalid
    years = {value.year for value in result.indicators}
    assert years == {2014, 2015, 2016}
    assert {value.indicator for value in result.indicators} == set(TITLES)
    page = result.report.read_text(encoding="utf-8")
    assert page.count("<svg") == len(TITLES)
    output = printed.getvalue()
    assert "re_referrals_12m" in output
    assert "37.0%" in output, "the published 2014 re-referral figure is printed beside ours"
    assert "  Doncaster, published" in output
    assert "  England, published" in output  # projections/published_figures/england.csv
    # The demo loads its authority's population: the rates per 10,000 have a denominator.
    in_2016 = {v.indicator: v for v in result.indicators if v.year == 2016}
    assert in_2016["looked_after_rate_per_10k"].denominator == 1_500
    assert in_2016["looked_after_rate_per_10k"].rate is not None
    assert output.rstrip().endswith(f"report: {result.report.resolve()}")
    # One supervision page per team: 1,500 children need four workers, a team in each of
    # the four localities.
    pages = sorted((tmp_path / "demo" / "supervision").glob("*.html"))
    assert [page.name for page in pages] == [f"371-L{n}-T1.html" for n in range(1, 5)]
    assert all('class="due' in page.read_text(encoding="utf-8") for page in pages)
