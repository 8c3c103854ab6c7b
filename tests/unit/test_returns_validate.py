"""`journeys validate`: the DfE's rules run in their own environment, each rule that fires
printed with the rows it flags (file and line), nothing of the child's printed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from journeys.returns.exceptions import ValidatorRefused
from journeys.returns.validators import validate_cin, validate_ssda903, validator_python

ROOT = Path(__file__).resolve().parents[2]
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC900001,1,01/01/2010,WBRI,A123456789012,,\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    "PL_POST,URN\n"
    "C900001,01/05/2023,S,{ls},N1,U1,PR1,,,,DN1 1AA,DN1 2AA,SC123456\n"
)

pytestmark = pytest.mark.slow  # the first run may install the validators' own environment


@pytest.fixture(scope="module")
def validators() -> Path:
    return validator_python()


def a_return(directory: Path, legal_status: str) -> Path:
    directory.mkdir()
    # File names do not matter: the tables are recognised by their header rows.
    (directory / "one.csv").write_text(HEADER, encoding="utf-8")
    (directory / "two.csv").write_text(EPISODES.format(ls=legal_status), encoding="utf-8")
    return directory


def test_an_unknown_legal_status_is_flagged_at_its_line(validators: Path, tmp_path: Path) -> None:
    validation = validate_ssda903(a_return(tmp_path / "r", "ZZ"), 2024, "E08000017")
    fired = {finding.code: finding for finding in validation.findings}
    assert validation.ruleset == "lac2023_24"
    # Rule 144: "The legal status code is not a valid code", on the episode's row: line 2
    # of two.csv (its header is line 1).
    assert [row.where() for row in fired["144"].rows] == ["two.csv:2 (Episodes)"]


def test_a_valid_legal_status_is_not_flagged(validators: Path, tmp_path: Path) -> None:
    validation = validate_ssda903(a_return(tmp_path / "r", "C2"), 2024, "E08000017")
    assert "144" not in {finding.code for finding in validation.findings}


def test_a_year_without_rules_is_refused_naming_the_years_there_are(
    validators: Path, tmp_path: Path
) -> None:
    with pytest.raises(ValidatorRefused, match=r"March 2019 .*lac2022_23"):
        validate_ssda903(a_return(tmp_path / "r", "C2"), 2019, "E08000017")


def test_a_cin_file_that_is_not_xml_is_refused_naming_the_file(
    validators: Path, tmp_path: Path
) -> None:
    file = tmp_path / "census.xml"
    file.write_text("LAchildID,UPN\n", encoding="utf-8")
    with pytest.raises(ValidatorRefused, match=r"census.xml: not XML"):
        validate_cin(file, 2024)


def test_the_command_prints_the_rule_and_the_line_and_fails(
    validators: Path, tmp_path: Path
) -> None:
    directory = a_return(tmp_path / "r", "ZZ")
    completed = subprocess.run(
        [sys.executable, "-m", "journeys", "validate", "ssda903", str(directory), "--year", "2024"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    assert "144: The legal status code is not a valid code." in completed.stdout
    assert "two.csv:2 (Episodes)" in completed.stdout
    assert "C900001" not in completed.stdout  # the rows are named by line, not by child
