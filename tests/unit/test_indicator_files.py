"""An indicator is one SQL file: a throw-away one installed from a temporary directory
appears in the `indicators` view, the drill-down, the year's figures and the report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from journey_builders import Child
from test_projection_builders import TOPIC

from events.catalogue import ReferralClosed
from journeys.entrypoints.report import IndicatorValue, render_report
from projections.database import open_in_memory
from projections.definitions import SQL_DIRECTORY, indicator_definitions
from projections.exceptions import IndicatorDefinitionError
from projections.indicators import indicators_for_year
from projections.load import append, batch_of

TRIAL = """\
-- trial_closed_after_assessment: referrals closed in the year after an assessment with no
-- further action.
--
-- title: Referrals closed with no further action
-- order: 900
-- case held on: the day the referral closed
--
-- Denominator, referrals closed in the year; numerator, those closed RC8.

create or replace macro trial_closed_after_assessment_children_as_of(as_known_at) as table
select
    'trial_closed_after_assessment' as indicator,
    years.year,
    referrals.local_authority,
    referrals.child_id,
    referrals.referral_id as subject_id,
    referrals.closed_on as on_date,
    'closed ' || referrals.closure_reason as detail,
    referrals.closure_reason = 'RC8' as in_numerator
from referrals_as_of(as_known_at) as referrals
join reporting_years_as_of(as_known_at) as years
    on reporting_year(referrals.closed_on) = years.year;
"""


def test_a_new_indicator_file_is_all_an_indicator_needs(tmp_path: Path) -> None:
    (tmp_path / "trial_closed_after_assessment.sql").write_text(TRIAL, encoding="utf-8")
    connection = open_in_memory((SQL_DIRECTORY, tmp_path))
    # Worked by hand: in reporting year 2024 (1 April 2023 to 31 March 2024) referral R1
    # closes RC8 and R2 closes RC1 (both in the denominator); R3 closes in 2025 (not this
    # year's) and R4 is still open. Numerator 1, denominator 2, rate 0.5.
    child = Child("C1", born=date(2015, 1, 1))
    for referral, received, closed, reason in [
        ("R1", date(2023, 5, 1), date(2023, 6, 1), "RC8"),
        ("R2", date(2023, 7, 1), date(2023, 9, 1), "RC1"),
        ("R3", date(2024, 2, 1), date(2024, 5, 1), "RC8"),
    ]:
        child.referral(referral, received)
        child.add(ReferralClosed, closed, referral_id=referral, reason=reason)
    child.referral("R4", date(2023, 8, 1))
    append(connection, TOPIC, batch_of(child.events))

    assert connection.execute(
        "select numerator, denominator, rate from indicators "
        "where indicator = 'trial_closed_after_assessment' and year = 2024"
    ).fetchall() == [(1, 2, 0.5)]
    assert connection.execute(
        "select subject_id, in_numerator from indicator_children "
        "where indicator = 'trial_closed_after_assessment' and year = 2024 order by subject_id"
    ).fetchall() == [("R1", True), ("R2", False)]
    assert connection.execute(
        "select count(*) from trial_closed_after_assessment_children where year = 2025"
    ).fetchall() == [(1,)]
    year = indicators_for_year(connection, 2024).to_pylist()
    assert year[-1]["indicator"] == "trial_closed_after_assessment"  # order 900: last
    assert len(year) == len(indicator_definitions()) + 1

    titles = dict(
        connection.execute(
            "select indicator, title from indicator_definitions order by position"
        ).fetchall()
    )
    values = [IndicatorValue(**row) for row in year]
    page = render_report(values, title="trial", titles=titles)
    assert 'class="chart" data-indicator="trial_closed_after_assessment"' in page
    assert "Referrals closed with no further action" in page


@pytest.mark.parametrize(
    ("broken", "complaint"),
    [
        (TRIAL.replace("-- title: Referrals closed with no further action\n", ""), "title"),
        (TRIAL.replace("-- order: 900", "-- order: last"), "whole number"),
        (TRIAL.replace("-- trial_closed_after_assessment:", "-- trial:"), "first line"),
        (TRIAL.replace("-- order: 900", "-- order: 900\n-- kind: per_10k"), "kind"),
        (TRIAL.replace("-- case held on: the day the referral closed\n", ""), "case held on"),
    ],
)
def test_an_indicator_file_without_its_header_is_refused_by_name(
    tmp_path: Path, broken: str, complaint: str
) -> None:
    path = tmp_path / "trial_closed_after_assessment.sql"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(IndicatorDefinitionError, match=complaint) as refused:
        indicator_definitions((tmp_path,))
    assert str(path) in str(refused.value)


def test_every_shipped_indicator_has_a_title_and_a_place() -> None:
    definitions = indicator_definitions()
    assert len({d.order for d in definitions}) == len(definitions)
    assert all(d.title and d.summary for d in definitions)


def test_a_per_10k_children_indicator_divides_by_the_population(tmp_path: Path) -> None:
    # The same file declared `-- kind: per_10k_children`: its numerator over the
    # authority's children aged 0-17, times 10,000. Worked by hand for year 2024: R1 is
    # closed RC8 (numerator 1; R2 closed RC1 is a row outside it); 5,000 children -> 2.0.
    per_10k = TRIAL.replace("-- order: 900", "-- order: 900\n-- kind: per_10k_children")
    (tmp_path / "trial_closed_after_assessment.sql").write_text(per_10k, encoding="utf-8")
    connection = open_in_memory((SQL_DIRECTORY, tmp_path))
    child = Child("C1", born=date(2015, 1, 1))
    for referral, reason in [("R1", "RC8"), ("R2", "RC1")]:
        child.referral(referral, date(2023, 5, 1))
        child.add(ReferralClosed, date(2023, 6, 1), referral_id=referral, reason=reason)
    append(connection, TOPIC, batch_of(child.events))
    question = (
        "select numerator, denominator, rate from indicators "
        "where indicator = 'trial_closed_after_assessment' and year = 2024"
    )
    assert connection.execute(question).fetchall() == [(1, None, None)]
    for band, children in [("under 1", 500), ("1-4", 1000), ("5-9", 1000), ("10-15", 2000)]:
        connection.execute("insert into population values ('371', 2024, ?, ?)", [band, children])
    connection.execute("insert into population values ('371', 2024, '16 and over', 500)")
    assert connection.execute(question).fetchall() == [(1, 5000, 2.0)]
    assert connection.execute(
        "select kind, scale from indicator_definitions "
        "where indicator = 'trial_closed_after_assessment'"
    ).fetchall() == [("per_10k_children", 10_000)]
