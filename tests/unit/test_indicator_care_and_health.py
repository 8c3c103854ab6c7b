"""pep_completed, review_participation and the health indicators (immunisations_up_to_date,
dental_check, health_assessment) on hand-built journeys (domain.md section 3, 12-14).

Year 2024 runs 1 April 2023 to 31 March 2024 (366 days: 2024 is a leap year). The working
for each child is beside it.
"""

from __future__ import annotations

from datetime import date as d

from journey_builders import Child, at
from test_projection_builders import figures, members, project


def test_pep_completed_counts_school_age_children_in_care_over_28_days() -> None:
    # 31 March 2024 minus 29 days is 2 March 2024; minus 6 months is 30 September 2023.
    children = []

    def child(name: str, born: d, period_from: d) -> Child:
        c = Child(name, born=born)
        c.period("poc", period_from)
        children.append(c)
        return c

    # A: 10, in care since 2023, PEP 15 Oct 2023 -> numerator.
    child("A", d(2014, 1, 1), d(2023, 1, 1)).pep(d(2023, 10, 15))
    # B: PEP on 29 Sep 2023, a day older than 6 months -> denominator only.
    child("B", d(2014, 1, 1), d(2023, 1, 1)).pep(d(2023, 9, 29))
    # C: PEP on 30 Sep 2023, exactly 6 months -> numerator.
    child("C", d(2014, 1, 1), d(2023, 1, 1)).pep(d(2023, 9, 30))
    # D: in care from 2 March 2024, 29 days at 31 March: more than 28 -> cohort; PEP -> num.
    child("D", d(2014, 1, 1), d(2024, 3, 2)).pep(d(2024, 3, 20))
    # E: in care from 3 March 2024, 28 days: not more than 28 -> not in the cohort.
    child("E", d(2014, 1, 1), d(2024, 3, 3)).pep(d(2024, 3, 20))
    # F: 16 on 1 April 2024, so 15 at 31 March -> cohort, no PEP -> denominator only.
    child("F", d(2008, 4, 1), d(2020, 1, 1))
    # G: 16 on 31 March 2024 -> not of school age that day.
    child("G", d(2008, 3, 31), d(2020, 1, 1)).pep(d(2024, 1, 1))
    # H: 5 on 31 March 2024 -> cohort, no PEP.
    child("H", d(2019, 3, 31), d(2020, 1, 1))
    # I: 5 only on 1 April 2024 -> not of school age at 31 March.
    child("I", d(2019, 4, 1), d(2020, 1, 1)).pep(d(2024, 1, 1))
    # J: PEP in an earlier period of care (ended 1 Nov 2023), a new period from 10 Nov
    #    2023 -> the PEP is not of the current period: denominator only.
    j = child("J", d(2012, 6, 1), d(2022, 1, 1))
    j.pep(d(2023, 10, 1))
    j.end_period("poc", d(2023, 11, 1))
    j.period("poc2", d(2023, 11, 10))
    # K: on a short break (V3) at 31 March -> not in the cohort.
    child("K", d(2012, 6, 1), d(2024, 1, 1)).legal_status("poc", d(2024, 1, 1), "V3")
    # L: PEP 1 Dec 2023 retracted on 10 April 2024 -> numerator before, denominator after.
    ll = child("L", d(2012, 6, 1), d(2022, 1, 1))
    ll.retract(ll.pep(d(2023, 12, 1)), at(2024, 4, 10))
    connection = project(*children)

    # Cohort A B C D F H J L = 8; numerator A C D = 3 (and L before the retraction).
    assert figures(connection, "pep_completed", 2024) == (3, 8)
    assert members(connection, "pep_completed", 2024) == set("ABCDFHJL")
    assert members(connection, "pep_completed", 2024, numerator=True) == set("ACD")
    assert figures(connection, "pep_completed", 2024, as_of=at(2024, 4, 1)) == (4, 8)


def test_review_participation_counts_reviews_the_child_contributed_to() -> None:
    # R1: reviews PN2 on 31 Mar 2023 (year 2023), PN1 May, PN4 Nov, PN7 on 31 Mar 2024,
    #     PN1 on 1 Apr 2024 (year 2025) -> year 2024: 3 reviews, 1 contributed (PN1).
    r1 = Child("R1", born=d(2010, 1, 1))
    r1.period("poc", d(2020, 1, 1))
    for day, code in [
        (d(2023, 3, 31), "PN2"),
        (d(2023, 5, 1), "PN1"),
        (d(2023, 11, 1), "PN4"),
        (d(2024, 3, 31), "PN7"),
        (d(2024, 4, 1), "PN1"),
    ]:
        r1.review(day, code)
    # R2: a child under 4, PN0 -> left out.
    r2 = Child("R2", born=d(2021, 1, 1))
    r2.period("poc", d(2022, 1, 1))
    r2.review(d(2023, 6, 1), "PN0")
    # R3: PN5, PN6, PN3, PN2 -> 4 reviews, all contributed.
    r3 = Child("R3", born=d(2012, 1, 1))
    r3.period("poc", d(2020, 1, 1))
    for month, code in [(7, "PN5"), (8, "PN6"), (9, "PN3"), (10, "PN2")]:
        r3.review(d(2023, month, 1), code)
    connection = project(r1, r2, r3)

    # Year 2024: 3 + 4 = 7 reviews; contributed 1 + 4 = 5.
    assert figures(connection, "review_participation", 2024) == (5, 7)
    assert figures(connection, "review_participation", 2023) == (1, 1)
    assert members(connection, "review_participation", 2024) == {"R1", "R3"}


def health_children() -> list[Child]:
    # A: looked after from 1 April 2023, exactly 12 months at 31 March -> cohort. Health
    #    assessment 1 May 2023, dental check 31 March 2024 (recorded 10 April 2024),
    #    immunisations up to date 1 June 2023 -> all three numerators.
    a = Child("A", born=d(2015, 1, 1))
    a.period("poc", d(2023, 4, 1))
    a.health_assessment(d(2023, 5, 1))
    a.dental_check(d(2024, 3, 31), recorded_at=at(2024, 4, 10))
    a.immunisations(d(2023, 6, 1), up_to_date=True)
    # B: looked after from 2 April 2023: 365 days, not 12 months -> not in the cohort.
    b = Child("B", born=d(2015, 1, 1))
    b.period("poc", d(2023, 4, 2))
    b.health_assessment(d(2023, 5, 1))
    # C: period ends 31 March 2024: not looked after at 31 March -> not in the cohort.
    c = Child("C", born=d(2015, 1, 1))
    c.period("poc", d(2020, 1, 1))
    c.end_period("poc", d(2024, 3, 31))
    c.health_assessment(d(2023, 5, 1))
    # D: one period ends and the next starts on 1 Oct 2023 (continuous) -> cohort. Health
    #    assessment on 31 March 2023 (the year before) -> no; no dental check; immunisations
    #    up to date in May, then not up to date on 10 Jan 2024 -> no.
    dd = Child("D", born=d(2015, 1, 1))
    dd.period("poc", d(2020, 1, 1))
    dd.end_period("poc", d(2023, 10, 1))
    dd.period("poc2", d(2023, 10, 1))
    dd.health_assessment(d(2023, 3, 31))
    dd.immunisations(d(2023, 5, 1), up_to_date=True)
    dd.immunisations(d(2024, 1, 10), up_to_date=False)
    # E: on a short break (V4) 1-5 Dec 2023: those days do not count -> not in the cohort.
    e = Child("E", born=d(2015, 1, 1))
    e.period("poc", d(2020, 1, 1))
    e.legal_status("poc", d(2023, 12, 1), "V4")
    e.legal_status("poc", d(2023, 12, 5), "C2")
    e.health_assessment(d(2023, 5, 1))
    # F: cohort. Health assessment on 1 April 2023 (the first day) -> yes; dental check on
    #    1 April 2024 (the next year) -> no; immunisations up to date on 1 Feb 2023, before
    #    the year, and none in it -> no.
    f = Child("F", born=d(2015, 1, 1))
    f.period("poc", d(2020, 1, 1))
    f.health_assessment(d(2023, 4, 1))
    f.dental_check(d(2024, 4, 1))
    f.immunisations(d(2023, 2, 1), up_to_date=True)
    # G: out of care 1-2 Sep 2023 -> not continuous, not in the cohort.
    g = Child("G", born=d(2015, 1, 1))
    g.period("poc", d(2020, 1, 1))
    g.end_period("poc", d(2023, 9, 1))
    g.period("poc2", d(2023, 9, 2))
    g.dental_check(d(2023, 10, 1))
    return [a, b, c, dd, e, f, g]


def test_health_indicators_read_the_oc2_cohort() -> None:
    connection = project(*health_children())

    # Cohort A, D, F = 3. Health assessments A, F; dental checks A; immunisations A.
    for indicator in ("health_assessment", "dental_check", "immunisations_up_to_date"):
        assert members(connection, indicator, 2024) == {"A", "D", "F"}, indicator
    assert figures(connection, "health_assessment", 2024) == (2, 3)
    assert figures(connection, "dental_check", 2024) == (1, 3)
    assert figures(connection, "immunisations_up_to_date", 2024) == (1, 3)
    assert members(connection, "immunisations_up_to_date", 2024, numerator=True) == {"A"}
    # As known on 1 April 2024, A's dental check was not yet recorded.
    assert figures(connection, "dental_check", 2024, as_of=at(2024, 4, 1)) == (0, 3)
