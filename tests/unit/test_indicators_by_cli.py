"""`journeys indicators --by ...`: one row per authority (or group) per indicator."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from cli_runs import run_journeys
from journey_builders import Child

from events.settings import Settings
from projections.database import writer_session
from projections.load import append, batch_of


def test_indicators_by_local_authority_and_by_several_breakdowns(tmp_path: Path) -> None:
    # Worked by hand, re_referrals_12m in year 2024 (1 April 2023 to 31 March 2024):
    # - "C1" of 371: referrals 2023-05-01 and 2023-09-01: two in the denominator, the
    #   second re-referred within 12 months -> 371: 1 of 2.
    # - "C1" of 372 (the same id, another child): one referral 2023-10-01 -> 372: 0 of 1.
    # Pooled: 1 of 3. The children are girls of 371 and a girl of 372, all born 2015.
    first = Child("C1", born=date(2015, 1, 1), local_authority="371")
    first.referral("R1", date(2023, 5, 1))
    first.referral("R2", date(2023, 9, 1))
    # C1 of 371's case: team A from 1 April 2023, transferred to team B on 1 September, the
    # day of the second referral (the re-referral): by team, A 0 of 1, B 1 of 1; 372's C1
    # was never allocated.
    first.allocate("al1", date(2023, 4, 1), worker="w1", team="A", locality="north")
    first.transfer("al1", "al2", date(2023, 9, 1), worker="w2", team="B", locality="north")
    second = Child("C1", born=date(2015, 1, 1), local_authority="372")
    second.referral("R1", date(2023, 10, 1))
    database = tmp_path / "journeys.duckdb"
    with writer_session(database) as (connection, snapshots):
        append(connection, "care.journey.events", batch_of(first.events + second.events))
        snapshots.publish()
    # `journeys indicators` reads the snapshot only: no cluster is contacted.
    settings = Settings(bootstrap_servers="localhost:1", database=database, state_dir=tmp_path)

    def rows(*by: str) -> list[dict[str, object]]:
        done = run_journeys(settings, "indicators", "--year", "2024", *by, "--format", "json")
        assert done.returncode == 0, done.stderr
        return [row for row in json.loads(done.stdout) if row["indicator"] == "re_referrals_12m"]

    assert rows() == [
        {"indicator": "re_referrals_12m", "year": 2024, "numerator": 1, "denominator": 3,
         "rate": 1 / 3},
    ]  # fmt: skip
    assert rows("--by", "local_authority") == [
        {"indicator": "re_referrals_12m", "year": 2024, "local_authority": "371",
         "numerator": 1, "denominator": 2, "rate": 0.5},
        {"indicator": "re_referrals_12m", "year": 2024, "local_authority": "372",
         "numerator": 0, "denominator": 1, "rate": 0.0},
    ]  # fmt: skip
    assert rows("--by", "local_authority,sex", "--by", "age_band") == [
        {"indicator": "re_referrals_12m", "year": 2024, "local_authority": "371", "sex": "F",
         "age_band": "5-9", "numerator": 1, "denominator": 2, "rate": 0.5},
        {"indicator": "re_referrals_12m", "year": 2024, "local_authority": "372", "sex": "F",
         "age_band": "5-9", "numerator": 0, "denominator": 1, "rate": 0.0},
    ]  # fmt: skip

    assert rows("--by", "local_authority,team") == [
        {"indicator": "re_referrals_12m", "year": 2024, "local_authority": "371", "team": "A",
         "numerator": 0, "denominator": 1, "rate": 0.0},
        {"indicator": "re_referrals_12m", "year": 2024, "local_authority": "371", "team": "B",
         "numerator": 1, "denominator": 1, "rate": 1.0},
        {"indicator": "re_referrals_12m", "year": 2024, "local_authority": "372",
         "team": "not allocated", "numerator": 0, "denominator": 1, "rate": 0.0},
    ]  # fmt: skip

    refused = run_journeys(settings, "indicators", "--year", "2024", "--by", "postcode")
    assert refused.returncode == 2
    assert "--by must name breakdowns of local_authority, sex, age_band, ethnic_group, " \
        "locality, team, worker, not postcode" in refused.stderr  # fmt: skip
