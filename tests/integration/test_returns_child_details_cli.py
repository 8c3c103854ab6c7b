"""On Kafka: a child the CIN census registers without a UPN gains the SSDA903's, recorded
sealed (ChildDetailsRecorded), and both returns are written with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runs import run_journeys

from events.settings import Settings
from journeys.kafka.record_reader import read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.slow]
CENSUS = Path(__file__).parent.parent / "fixtures" / "cin" / "census_2024.xml"
UPN = "K371310017582"  # Amy's, in the hand-written census


def test_the_census_child_gains_the_ssda903_upn_sealed_and_both_returns_carry_it(
    kafka: Settings, tmp_path: Path
) -> None:
    census = tmp_path / "census.xml"
    census.write_text(
        CENSUS.read_text().replace(f"<UPN>{UPN}</UPN>", "<UPNunknown>UN2</UPNunknown>")
    )
    return_2024 = tmp_path / "2024"
    return_2024.mkdir()
    (return_2024 / "header.csv").write_text(
        f"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nAMY,2,20/04/2012,WBRI,{UPN},0,\n"
    )
    (return_2024 / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN\nAMY,05/02/2024,S,C1,N1,U6,PR1,,,,DN1 2LE,DN4 6BZ,SC100001\n"
    )
    for command in (
        ("import", "cin", "--year", "2024", "--local-authority", "371", str(census)),
        ("import", "ssda903", "--year", "2024", "--local-authority", "371", str(return_2024)),
    ):
        imported = run_journeys(kafka, *command)
        assert imported.returncode == 0, imported.stderr
        assert run_journeys(kafka, "process", "--until-idle").returncode == 0
    assert "published 3 events" in imported.stdout  # the details, the period, the placement
    rejected = run_journeys(kafka, "rejected")
    assert "ChildDetailsRecorded" not in rejected.stdout

    # The UPN is on the record only sealed.
    recorded = [r.value or b"" for r in read_topic(kafka, kafka.events_topic)]
    assert recorded and not any(UPN.encode() in value for value in recorded)

    cin_out = _exported(kafka, "cin", tmp_path / "out.xml")
    assert f"<UPN>{UPN}</UPN>" in cin_out.read_text()
    header = _exported(kafka, "ssda903", tmp_path / "out") / "header.csv"
    assert f"AMY,2,20/04/2012,WBRI,{UPN}," in header.read_text()


def _exported(kafka: Settings, kind: str, out: Path) -> Path:
    arguments = ("export", kind, "--year", "2024", "--local-authority", "371", "--out", str(out))
    exported = run_journeys(kafka, *arguments)
    assert exported.returncode == 0, exported.stderr
    return out
