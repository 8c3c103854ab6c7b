"""The timeliness indicators and the visits seen alone, on hand-built journeys (issue 15).

Year 2023 runs 1 April 2022 to 31 March 2023. Working days are Monday to Friday, not a
bank holiday in England; that year's holidays inside the windows below: Good Friday 15
April and Easter Monday 18 April, early May 2 May, the spring and Platinum Jubilee
holidays 2 and 3 June, the Queen's funeral 19 September, 26 and 27 December, 2 January.
Every figure is split by the team that held the case on the indicator's own day (each
file's `-- case held on:`), and the teams' figures sum to the authority's.
"""

from __future__ import annotations

from datetime import date as d

import duckdb
import pytest
from journey_builders import Child
from test_projection_builders import figures, project

from events.catalogue import AssessmentCompleted, AssessmentStarted
from projections.definitions import INDICATORS


def complete_assessment(child: Child, assessment_id: str, referral_id: str, on: d) -> None:
    child.add(AssessmentStarted, on, assessment_id=assessment_id, referral_id=referral_id)
    child.add(AssessmentCompleted, on, assessment_id=assessment_id, seen_alone=True, factors=())


def timeliness_children() -> list[Child]:
    # A: team T1 (worker w1) from 1 April 2022, transferred to T2 (w2) on 1 September.
    a = Child("A", born=d(2015, 1, 1))
    a.allocate("al1", d(2022, 4, 1), worker="w1", team="T1", locality="L1")
    a.transfer("al1", "al2", d(2022, 9, 1), worker="w2", team="T2", locality="L1")
    # Referral r1 on Saturday 28 May 2022 (a weekend start): Monday 30 May is working day
    # 1; 2 and 3 June are holidays; day 45 is Tuesday 2 August (without the holidays it
    # would be Friday 29 July). Completed 2 August: in time, by T1.
    a.referral("r1", d(2022, 5, 28))
    complete_assessment(a, "a1", "r1", d(2022, 8, 2))
    a.close_referral("r1", d(2022, 8, 10))
    # Referral r2 on Monday 5 September: 19 September is a holiday, day 45 is Tuesday 8
    # November. Completed Wednesday 9 November, day 46: late, by T2.
    a.referral("r2", d(2022, 9, 5))
    complete_assessment(a, "a2", "r2", d(2022, 11, 9))

    # B: team T3 (w3) from 14 December 2022, transferred to T4 (w4) on 10 February 2023.
    b = Child("B", born=d(2016, 6, 1))
    b.allocate("al1", d(2022, 12, 14), worker="w3", team="T3", locality="L2")
    b.transfer("al1", "al2", d(2023, 2, 10), worker="w4", team="T4", locality="L2")
    # Strategy discussion Friday 16 December, the enquiry the same day: 19-23 December are
    # days 1-5, 26 and 27 holidays, 28-30 days 6-8, 2 January a holiday, 3-6 days 9-12,
    # 11 January day 15. Conference on 11 January: in time (18 days without holidays).
    b.referral("r", d(2022, 12, 14))
    b.strategy_discussion("sd1", d(2022, 12, 16))
    b.enquiry("e1", d(2022, 12, 16))
    b.conference("e1", d(2023, 1, 11))
    b.cp_plan("cp1", d(2023, 1, 11))
    # CP visits (seen unless said): plan from Wednesday 11 January.
    # 1: due 25 January (10 working days), made Friday 20 January: met (T3).
    b.visit(d(2023, 1, 20), "CP", seen_alone=True)
    # 2: due Friday 3 February, made Monday 6 February: missed (T3).
    b.visit(d(2023, 2, 6), "CP", seen_alone=False)
    # 3: due Monday 20 February (from 6 February); a visit on the 17th without seeing the
    # child does not count; made, seen, on the 20th: met (T4).
    b.visit(d(2023, 2, 17), "CP", seen=False, seen_alone=False)
    b.visit(d(2023, 2, 20), "CP", seen_alone=True)
    # 4: due Monday 6 March, never made, the plan open until 31 March: missed (T4).
    b.end_cp_plan("cp1", d(2023, 3, 31))

    # C: looked after from Saturday 2 April 2022 (a weekend start); team T1 (w1), then T2
    # (w2) from 1 September.
    c = Child("C", born=d(2012, 3, 1))
    c.allocate("al1", d(2022, 4, 2), worker="w1", team="T1", locality="L1")
    c.transfer("al1", "al2", d(2022, 9, 1), worker="w2", team="T2", locality="L1")
    c.period("pc1", d(2022, 4, 2))
    c.placement("p1", "pc1", d(2022, 4, 2), carer="K1")
    # Reviews. 1: due 20 working days after 2 April: 4-8 April days 1-5, 11-14 days 6-9,
    # Good Friday and Easter Monday, 19-22 days 10-13, 25-29 days 14-18, 2 May a holiday,
    # 3 May day 19, Wednesday 4 May day 20. Held 4 May: met (T1).
    c.review(d(2022, 5, 4))
    # 2: due 3 months after the first, 4 August; held 10 August: missed (T1).
    c.review(d(2022, 8, 10))
    # 3: due 6 months after the second, 10 February 2023; held 1 February: met (T2).
    # (4: due 1 August 2023, year 2024.)
    c.review(d(2023, 2, 1))
    # Visits. Placement 1: 1 due 9 April (a week), made 8 April: met; 2 due 20 May (six
    # weeks after the 8th), made 25 May: missed; 3 would be due 6 July, but the child moved
    # on 1 July: placement 2's 1 due 8 July, made 7 July: met; its 2 due 18 August, never
    # made: missed. All four by T1.
    c.visit(d(2022, 4, 8), "LAC", seen_alone=True)
    c.visit(d(2022, 5, 25), "LAC", seen_alone=True)
    c.move("p1", "p2", "pc1", d(2022, 7, 1), carer="K2")
    c.visit(d(2022, 7, 7), "LAC", seen_alone=False)

    # D: team T2 (w2) throughout; a CP plan from 1 December 2021. Review conferences: 1 due
    # 1 March 2022 (year 2022), held 20 February: met; 2 due 20 August 2022, held 25
    # August: missed; 3 due 25 February 2023, held 24 February: met. (4: year 2024.)
    dee = Child("D", born=d(2014, 1, 1))
    dee.allocate("al1", d(2021, 11, 1), worker="w2", team="T2", locality="L1")
    dee.cp_plan("cp1", d(2021, 12, 1))
    dee.review_conference("cp1", d(2022, 2, 20))
    dee.review_conference("cp1", d(2022, 8, 25))
    dee.review_conference("cp1", d(2023, 2, 24))
    return [a, b, c, dee]


@pytest.fixture(scope="module")
def connection() -> duckdb.DuckDBPyConnection:
    return project(*timeliness_children())


def by_team(connection: duckdb.DuckDBPyConnection, indicator: str, year: int) -> dict:
    rows = connection.execute(
        "select team, numerator, denominator from indicators_by(timestamptz 'infinity', "
        "by_team := true) where indicator = ? and year = ?",
        [indicator, year],
    ).fetchall()
    return {team: (numerator, denominator) for team, numerator, denominator in rows}


# (indicator, the authority's (numerator, denominator) in 2023, each team's)
WORKED: list[tuple[str, tuple[int, int], dict[str, tuple[int, int]]]] = [
    # A: a1 in time (T1), a2 a day late (T2).
    ("assessments_within_45_days", (1, 2), {"T1": (1, 1), "T2": (0, 1)}),
    # B: the conference in time (T3).
    ("initial_conferences_within_15_days", (1, 1), {"T3": (1, 1)}),
    # B: met, missed (T3); met, missed (T4).
    ("cp_visits_on_time", (2, 4), {"T3": (1, 2), "T4": (1, 2)}),
    # C: met, missed, met, missed, all T1.
    ("lac_visits_on_time", (2, 4), {"T1": (2, 4)}),
    # C: met, missed (T1); met (T2).
    ("lac_reviews_on_time", (2, 3), {"T1": (1, 2), "T2": (1, 1)}),
    # D: missed, met (T2).
    ("cp_reviews_on_time", (1, 2), {"T2": (1, 2)}),
    # Visits at which the child was seen: B's 20 January (alone) and 6 February (not) by
    # T3, 20 February (alone) by T4; C's 8 April and 25 May (alone) and 7 July (not) by T1.
    ("visits_seen_alone", (4, 6), {"T1": (2, 3), "T3": (1, 2), "T4": (1, 1)}),
]


@pytest.mark.parametrize(("indicator", "authority", "teams"), WORKED, ids=[w[0] for w in WORKED])
def test_timeliness_worked_by_hand_for_the_authority_and_each_team(
    connection: duckdb.DuckDBPyConnection,
    indicator: str,
    authority: tuple[int, int],
    teams: dict[str, tuple[int, int]],
) -> None:
    assert figures(connection, indicator, 2023) == authority
    assert by_team(connection, indicator, 2023) == teams


def test_cp_review_conference_of_the_year_before_is_in_its_own_year(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    # D's first review conference, due 1 March 2022 and held 20 February: year 2022.
    assert figures(connection, "cp_reviews_on_time", 2022) == (1, 1)


@pytest.mark.parametrize("breakdown", ["locality", "team", "worker"])
def test_every_indicator_split_by_who_held_the_case_sums_to_the_authority(
    connection: duckdb.DuckDBPyConnection, breakdown: str
) -> None:
    split = connection.execute(
        f"select indicator, year, sum(numerator), sum(denominator) "
        f"from indicators_by(timestamptz 'infinity', by_local_authority := true, "
        f"by_{breakdown} := true) group by all order by all"
    ).fetchall()
    whole = connection.execute(
        "select indicator, year, numerator, denominator from indicators "
        "where denominator > 0 and indicator in "
        "(select indicator from indicator_definitions where kind = 'proportion') order by all"
    ).fetchall()
    assert [row for row in split if row[0] in {w[0] for w in whole}] == whole
    assert {row[0] for row in whole} >= {w[0] for w in WORKED}
    assert set(INDICATORS) >= {w[0] for w in WORKED}
