"""`journeys import cin` on Kafka: a bad element named and the rest published; an element
the rules refuse shown by `journeys rejected` with the census line it came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runs import run_journeys

from events.settings import Settings

pytestmark = [pytest.mark.kafka, pytest.mark.slow]
CENSUS = Path(__file__).parent.parent / "fixtures" / "cin" / "census_2024.xml"


def test_a_census_imported_its_refusals_shown_with_their_lines(
    kafka: Settings, tmp_path: Path
) -> None:
    # Amy's authorisation date is not a date: her assessment is not imported. Ben's
    # enquiry has no conference: his CP plan (line 80) is refused, PLAN_WITHOUT_CONFERENCE.
    census = tmp_path / "census.xml"
    census.write_text(
        CENSUS.read_text()
        .replace("<AssessmentAuthorisationDate>2023-06-09<", "<AssessmentAuthorisationDate>9 June<")
        .replace("<DateOfInitialCPC>2023-07-20</DateOfInitialCPC>", "")
    )
    wrong_year = run_journeys(
        kafka, "import", "cin", "--year", "2025", "--local-authority", "371", str(census)
    )
    assert wrong_year.returncode == 2
    assert "census.xml is the census of 2024, not of --year 2025" in wrong_year.stderr

    imported = run_journeys(
        kafka, "import", "cin", "--year", "2024", "--local-authority", "371", str(census)
    )
    assert imported.returncode == 1
    assert (
        "census.xml:41: AssessmentAuthorisationDate: '9 June' is not a date yyyy-mm-dd "
        "[date_format]" in imported.stderr
    )
    assert "published 18 events" in imported.stdout  # 21, less the assessment's 2 and a conference
    assert run_journeys(kafka, "process", "--until-idle").returncode == 0
    rejected = run_journeys(kafka, "rejected")
    assert "PLAN_WITHOUT_CONFERENCE" in rejected.stdout
    assert f"{census}:80" in rejected.stdout
