"""The returns' commands on Kafka: import the hand-written SSDA903 returns, process them,
and export the year back from the record; a bad row is named and the rest published."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_runs import run_journeys

from events.settings import Settings

pytestmark = [pytest.mark.kafka, pytest.mark.slow]
FIXTURES = Path(__file__).parent.parent / "fixtures" / "ssda903"


def test_import_process_export_gives_the_return_back(kafka: Settings, tmp_path: Path) -> None:
    for year in ("2023", "2024"):
        imported = run_journeys(
            kafka, "import", "ssda903", "--year", year, "--local-authority", "371",
            str(FIXTURES / year),
        )  # fmt: skip
        assert imported.returncode == 0, imported.stderr
        processed = run_journeys(kafka, "process", "--until-idle")
        assert processed.returncode == 0, processed.stderr
    assert "published 37 events" in imported.stdout  # the 2024 list of test_returns_fixtures

    out = tmp_path / "2024"
    exported = run_journeys(
        kafka, "export", "ssda903", "--year", "2024", "--local-authority", "371",
        "--out", str(out),
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    # The same rows as the hand-written file (the export lists children by their ids).
    episodes = (out / "episodes.csv").read_text().splitlines()
    written = (FIXTURES / "2024" / "care.csv").read_text().splitlines()
    assert episodes[0] == written[0]
    assert sorted(episodes[1:]) == sorted(written[1:])
    assert "not held: Header.UPN is required and blank on 4 rows" in exported.stdout


def test_a_bad_row_is_named_and_the_rest_is_published(kafka: Settings, tmp_path: Path) -> None:
    directory = tmp_path / "2023"
    shutil.copytree(FIXTURES / "2023", directory)
    care = directory / "care.csv"
    care.write_text(care.read_text().replace("01/06/2022", "2022-06-01"))
    imported = run_journeys(
        kafka, "import", "ssda903", "--year", "2023", "--local-authority", "371", str(directory)
    )
    assert imported.returncode == 1
    assert "care.csv:2: DEC: '2022-06-01' is not a date dd/mm/yyyy [date_format]" in imported.stderr
    assert "published 1 events" in imported.stdout  # Jo's registration, from her header


def test_a_row_the_rules_refuse_is_shown_by_rejected_with_its_line(
    kafka: Settings, tmp_path: Path
) -> None:
    # Jo's review dated after her period of care ended: REVIEW_NOT_LOOKED_AFTER.
    directory = tmp_path / "2023"
    shutil.copytree(FIXTURES / "2023", directory)
    (directory / "reviews.csv").write_text(
        "CHILD,DOB,REVIEW,REVIEW_CODE\nJO,15/06/2005,01/07/2022,PN1\n"
    )
    imported = run_journeys(
        kafka, "import", "ssda903", "--year", "2023", "--local-authority", "371", str(directory)
    )
    assert imported.returncode == 0, imported.stderr
    assert run_journeys(kafka, "process", "--until-idle").returncode == 0
    rejected = run_journeys(kafka, "rejected")
    assert "REVIEW_NOT_LOOKED_AFTER" in rejected.stdout
    assert f"{directory}/reviews.csv:2" in rejected.stdout
