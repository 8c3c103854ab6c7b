"""Published comparators: the CSV layout, `journeys comparators load`, and where they show
(the report's charts per authority, the demo's table)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runs import run_journeys

from events.settings import Settings
from journeys.entrypoints.demo import indicator_table
from journeys.entrypoints.report import IndicatorValue, render_report
from projections.comparators import (
    CASE_STUDY_FILE,
    ENGLAND_FILE,
    Comparator,
    case_study_comparators,
    comparators_in,
    load_comparators,
    read_comparators,
)
from projections.database import open_in_memory, writer_session
from projections.exceptions import ComparatorFileError
from projections.snapshot import open_snapshot

SOURCE = "DfE, Characteristics of children in need 2016, table A1"
GOOD = f"""\
comparator,indicator,year,rate,source
England,re_referrals_12m,2016,0.22,"{SOURCE}"
England,children_in_need_rate_per_10k,2016,337.3,"{SOURCE}"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "comparators.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_case_study_loads_and_a_second_file_keeps_it(tmp_path: Path) -> None:
    connection = open_in_memory()
    assert load_comparators(connection, CASE_STUDY_FILE) == len(case_study_comparators())
    assert load_comparators(connection, write(tmp_path, GOOD)) == 2
    held = comparators_in(connection)
    assert {figure.comparator for figure in held} == {"Doncaster", "England"}
    assert Comparator("England", "re_referrals_12m", 2016, 0.22, SOURCE) in held
    # Loading England again replaces England's figures only.
    load_comparators(connection, write(tmp_path, GOOD.replace("0.22", "0.21")))
    assert len(comparators_in(connection)) == len(case_study_comparators()) + 2
    assert Comparator("England", "re_referrals_12m", 2016, 0.21, SOURCE) in comparators_in(
        connection
    )


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (GOOD.replace("rate,source", "rate"), "line 1: the header has no column source"),
        (GOOD.replace("0.22", "22"), "line 2, field rate: re_referrals_12m is reported as a "
            "proportion from 0 to 1, not '22'"),
        (GOOD.replace("337.3", "-1"), "line 3, field rate: children_in_need_rate_per_10k is "
            "reported as a number per 10,000, 0 or more, not '-1'"),
        (GOOD.replace("re_referrals_12m", "re_referrals"), "line 2, field indicator: "
            "'re_referrals' is not an indicator"),
        (GOOD.replace(f',"{SOURCE}"\n', ",\n", 1), "line 2, field source: is empty"),
        (GOOD.replace(",2016,337.3", ",16,337.3"), "line 3, field year: must be a reporting year"),
        (GOOD + f'England,re_referrals_12m,2016,0.2,"{SOURCE}"\n', "England's re_referrals_12m "
            "for 2016 is given twice"),
    ],
)  # fmt: skip
def test_a_bad_comparators_file_is_refused_whole(tmp_path: Path, text: str, complaint: str) -> None:
    connection = open_in_memory()
    with pytest.raises(ComparatorFileError) as refused:
        load_comparators(connection, write(tmp_path, text))
    assert complaint in str(refused.value)
    assert str(tmp_path) in str(refused.value)
    assert comparators_in(connection) == []


def test_journeys_comparators_load_into_the_snapshot(tmp_path: Path) -> None:
    database = tmp_path / "journeys.duckdb"
    with writer_session(database) as (_, snapshots):
        snapshots.publish()
    settings = Settings(bootstrap_servers="localhost:1", database=database, state_dir=tmp_path)
    done = run_journeys(settings, "comparators", "load", str(write(tmp_path, GOOD)))
    assert done.returncode == 0, done.stderr
    refused = run_journeys(settings, "comparators", "load", str(tmp_path / "missing.csv"))
    assert refused.returncode == 1
    assert "missing.csv: cannot be read" in refused.stderr
    snapshot = open_snapshot(database)
    try:
        assert len(comparators_in(snapshot)) == 2
    finally:
        snapshot.close()


def values() -> list[IndicatorValue]:
    return [
        IndicatorValue("re_referrals_12m", year, 30, 100, 0.30, authority)
        for authority in ("371", "372")
        for year in (2015, 2016)
    ] + [
        IndicatorValue("children_in_need_rate_per_10k", 2016, 2000, 65_000, 307.7, "371"),
    ]


def test_the_report_has_a_chart_per_indicator_and_authority_with_comparators() -> None:
    england = [
        Comparator("England", "re_referrals_12m", 2016, 0.22, SOURCE),
        Comparator("England", "children_in_need_rate_per_10k", 2016, 337.3, SOURCE),
    ]
    page = render_report(values(), title="two authorities", comparators=england)
    for authority in ("371", "372"):
        assert (
            f'class="chart" data-indicator="re_referrals_12m" data-local-authority="{authority}"'
            in page
        )
    assert page.count("<svg") == 3
    # England's figure on each of the three charts, its source in the tooltip.
    assert page.count('class="case-study"') == 3
    assert f"England 2016, published: 22.0% ({SOURCE})" in page
    assert f"England 2016, published: 337.3 ({SOURCE})" in page


def test_the_demo_table_prints_each_comparator_beside_each_authority() -> None:
    table = indicator_table(values(), comparators=case_study_comparators()).splitlines()
    assert table[0].split() == ["indicator", "2015", "2016"]
    at = table.index(next(line for line in table if line.startswith("re_referrals_12m [371]")))
    assert table[at].split() == ["re_referrals_12m", "[371]", "30.0%", "30.0%"]
    assert table[at + 1].split() == ["re_referrals_12m", "[372]", "30.0%", "30.0%"]
    assert table[at + 2].split() == ["Doncaster,", "published", "-", "23.0%"]
    rate = next(line for line in table if line.startswith("children_in_need_rate_per_10k"))
    assert rate.split() == ["children_in_need_rate_per_10k", "[371]", "-", "307.7"]
    published = table[table.index(rate) + 1]
    assert published.split() == ["Doncaster,", "published", "-", "381.7"]


def test_every_shipped_england_figure_names_where_it_was_read() -> None:
    england = read_comparators(ENGLAND_FILE)
    assert england and {figure.comparator for figure in england} == {"England"}
    for figure in england:
        assert "DfE" in figure.source and "http" in figure.source, figure


def test_the_demo_table_prints_england_beside_the_case_study() -> None:
    published = [*case_study_comparators(), *read_comparators(ENGLAND_FILE)]
    rows = [
        IndicatorValue("children_in_need_rate_per_10k", year, 2300, 65_000, 353.8, "371")
        for year in (2014, 2016)
    ]
    table = indicator_table(rows, comparators=published).splitlines()
    at = next(i for i, line in enumerate(table) if line.startswith("children_in_need_rate"))
    assert table[at + 1].split() == ["Doncaster,", "published", "345.9", "381.7"]
    assert table[at + 2].split() == ["England,", "published", "346.4", "337.7"]
