"""cp_second_plan, cp_second_plan_within_2y, re_referrals_12m, cin_over_2_years and
seen_alone on hand-built journeys (domain.md section 3, indicators 3-6 and 9).

Year 2024 runs 1 April 2023 to 31 March 2024. The working is beside each child.
"""

from __future__ import annotations

from datetime import date as d

from journey_builders import Child, at
from test_projection_builders import figures, members, project


def test_cp_second_plans_ever_and_within_2_years() -> None:
    # P: earlier plan ended 1 Jun 2021 = new start 1 Jun 2023 - 2y -> second, within 2y.
    p = Child("P")
    p.cp_plan("a", d(2020, 1, 1))
    p.end_cp_plan("a", d(2021, 6, 1))
    p.cp_plan("b", d(2023, 6, 1))
    # Q: earlier plan ended 31 May 2021, a day too early -> second, not within 2y.
    q = Child("Q")
    q.cp_plan("a", d(2020, 1, 1))
    q.end_cp_plan("a", d(2021, 5, 31))
    q.cp_plan("b", d(2023, 6, 1))
    # R: new plan on 29 Feb 2024; 29 Feb 2024 - 2 years = 28 Feb 2022, the day the earlier
    #    plan ended -> second, within 2y.
    r = Child("R")
    r.cp_plan("a", d(2021, 1, 1))
    r.end_cp_plan("a", d(2022, 2, 28))
    r.cp_plan("b", d(2024, 2, 29))
    # S: a first plan on 1 April 2023 -> in the year, first.
    s = Child("S")
    s.cp_plan("a", d(2023, 4, 1))
    # T: plan on 31 March 2024 (year 2024, first), another on 1 April 2024 (year 2025,
    #    second, the earlier still open -> within 2y).
    t = Child("T")
    t.cp_plan("a", d(2024, 3, 31))
    t.cp_plan("b", d(2024, 4, 1))
    # U: two plans on the same day: neither is the other's earlier plan.
    u = Child("U")
    u.cp_plan("a", d(2023, 5, 1))
    u.cp_plan("b", d(2023, 5, 1))
    # V: an earlier plan recorded in error, retracted on 1 May 2024.
    v = Child("V")
    wrong = v.cp_plan("a", d(2019, 1, 1))
    v.end_cp_plan("a", d(2019, 6, 1))
    v.cp_plan("b", d(2023, 7, 1))
    v.retract(wrong, at(2024, 5, 1))
    # W: an earlier plan (ended 1 Sep 2022) only recorded on 1 June 2024 (back-loaded).
    w = Child("W")
    w.cp_plan("a", d(2022, 1, 1), recorded_at=at(2024, 6, 1))
    w.end_cp_plan("a", d(2022, 9, 1), recorded_at=at(2024, 6, 1))
    w.cp_plan("b", d(2023, 8, 1))
    connection = project(p, q, r, s, t, u, v, w)

    # Year 2024: children with a plan started in the year (one row per child, issue 13
    # item 4; it was one per plan, 9 with U's two): P Q R S T U V W = 8.
    # Now: second = P, Q, R, W (V's earlier plan retracted); within 2y = P, R, W.
    assert figures(connection, "cp_second_plan", 2024) == (4, 8)
    assert figures(connection, "cp_second_plan_within_2y", 2024) == (3, 8)
    assert members(connection, "cp_second_plan_within_2y", 2024, numerator=True) == {"P", "R", "W"}
    # As known at 15 April 2024: V's earlier plan still counts, W's is not yet recorded.
    # second = P, Q, R, V; within 2y = P, R (V's ended 2019-06-01, over 2 years before).
    assert figures(connection, "cp_second_plan", 2024, as_of=at(2024, 4, 15)) == (4, 8)
    assert figures(connection, "cp_second_plan_within_2y", 2024, as_of=at(2024, 4, 15)) == (2, 8)
    # Year 2025: T.b only; second and within 2y.
    assert figures(connection, "cp_second_plan", 2025) == (1, 1)
    assert figures(connection, "cp_second_plan_within_2y", 2025) == (1, 1)


def test_cp_second_plans_count_children_and_plans_earlier_in_the_same_year() -> None:
    # Issue 13, item 4 (domain.md section 3, indicators 3-4): one row per child who became
    # the subject of a plan in year 2024; a plan of the year with another that started on
    # an earlier date, that year included, puts the child in the numerator.
    # X: first ever plan 1 May 2023, ended 1 Aug 2023, another 1 Dec 2023 -> one row,
    #    second (earlier the same year), within 2y (ended 4 months before).
    x = Child("X")
    x.cp_plan("a", d(2023, 5, 1))
    x.end_cp_plan("a", d(2023, 8, 1))
    x.cp_plan("b", d(2023, 12, 1))
    # Y: three plans in the year, all on the same day 1 June 2023, none before -> one row,
    #    not second.
    y = Child("Y")
    for plan in "abc":
        y.cp_plan(plan, d(2023, 6, 1))
    # Z: a plan in 2015 ended 2016, then two plans in the year (1 Jul and 1 Sep 2023): one
    #    row, second; within 2y through the July plan (open when September's started).
    z = Child("Z")
    z.cp_plan("a", d(2015, 1, 1))
    z.end_cp_plan("a", d(2016, 1, 1))
    z.cp_plan("b", d(2023, 7, 1))
    z.cp_plan("c", d(2023, 9, 1))
    connection = project(x, y, z)
    assert figures(connection, "cp_second_plan", 2024) == (2, 3)
    assert figures(connection, "cp_second_plan_within_2y", 2024) == (2, 3)
    assert members(connection, "cp_second_plan", 2024, numerator=True) == {"X", "Z"}
    assert connection.execute(
        "select child_id, subject_id, on_date from cp_second_plan_children where year = 2024 "
        "order by child_id"
    ).fetchall() == [
        ("X", "a", d(2023, 5, 1)),
        ("Y", "a", d(2023, 6, 1)),
        ("Z", "b", d(2023, 7, 1)),
    ]


def test_re_referrals_within_12_months() -> None:
    # A: 29 Feb 2024 - 1 year = 28 Feb 2023, the earlier referral's date -> re-referral.
    a = Child("A")
    a.referral("r1", d(2023, 2, 28))
    a.referral("r2", d(2024, 2, 29))
    # B: earlier referral on 27 Feb 2023, a day too early -> not.
    b = Child("B")
    b.referral("r1", d(2023, 2, 27))
    b.referral("r2", d(2024, 2, 29))
    # C: two referrals on 1 April 2023 (both in year 2024) -> neither.
    c = Child("C")
    c.referral("r1", d(2023, 4, 1))
    c.referral("r2", d(2023, 4, 1))
    # D: 31 March 2023 (year 2023) then 31 March 2024 (year 2024) -> exactly 1 year: yes.
    dd = Child("D")
    dd.referral("r1", d(2023, 3, 31))
    dd.referral("r2", d(2024, 3, 31))
    # E: earlier referral retracted on 1 June 2024.
    e = Child("E")
    wrong = e.referral("r1", d(2023, 5, 1))
    e.referral("r2", d(2023, 6, 1))
    e.retract(wrong, at(2024, 6, 1))
    connection = project(a, b, c, dd, e)
    # Year 2024 now: A.r2 B.r2 C.r1 C.r2 D.r2 E.r2 = 6; re-referrals A, D.
    assert figures(connection, "re_referrals_12m", 2024) == (2, 6)
    assert members(connection, "re_referrals_12m", 2024, numerator=True) == {"A", "D"}
    # As known at 1 May 2024: E.r1 counts too (7) and makes E.r2 a re-referral (3).
    assert figures(connection, "re_referrals_12m", 2024, as_of=at(2024, 5, 1)) == (3, 7)


def test_children_in_need_for_over_2_years_at_31_march() -> None:
    # 31 March 2024 - 2 years = 31 March 2022; numerator: received strictly before it.
    f = Child("F")
    f.referral("r", d(2022, 3, 30))  # open, before -> numerator
    g = Child("G")
    g.referral("r", d(2022, 3, 31))  # open, on the day -> denominator only
    h = Child("H")
    h.referral("r", d(2023, 1, 1))
    h.close_referral("r", d(2024, 3, 31))  # closed on 31 March -> not open
    i = Child("I")
    i.referral("r", d(2021, 1, 1))
    i.close_referral("r", d(2024, 4, 1))  # closed 1 April -> open at 31 March, numerator
    j = Child("J")
    j.referral("r", d(2024, 3, 31))  # received on 31 March -> open, denominator only
    k = Child("K")
    k.referral("r", d(2020, 1, 1))
    k.close_referral("r", d(2023, 5, 1), recorded_at=at(2024, 6, 1))  # closure recorded late
    connection = project(f, g, h, i, j, k)
    assert figures(connection, "cin_over_2_years", 2024) == (2, 4)
    assert members(connection, "cin_over_2_years", 2024) == {"F", "G", "I", "J"}
    # As known at 15 April 2024, K's closure is unknown: K open since 2020 -> numerator.
    assert figures(connection, "cin_over_2_years", 2024, as_of=at(2024, 4, 15)) == (3, 5)


def test_seen_alone_among_assessments_completed_in_the_year() -> None:
    a = Child("A")
    a.assessment("a1", d(2023, 4, 1), seen_alone=True)  # year 2024, seen alone
    a.assessment("a2", d(2024, 3, 31), seen_alone=False)  # year 2024, not
    a.assessment("a3", d(2023, 3, 31), seen_alone=True)  # year 2023
    a.assessment("a4", d(2024, 4, 1), seen_alone=True)  # year 2025
    wrong = a.assessment("a5", d(2023, 6, 1), seen_alone=True)
    # Corrected on 1 May 2024: retracted, then recorded again (same assessment id), not alone.
    a.retract(wrong, at(2024, 5, 1))
    from events.catalogue import AssessmentCompleted

    a.add(
        AssessmentCompleted,
        d(2023, 6, 1),
        recorded_at=at(2024, 5, 1),
        assessment_id="a5",
        seen_alone=False,
    )
    connection = project(a)
    # Year 2024: a1, a2, a5 -> seen alone a1 only (a5 corrected).
    assert figures(connection, "seen_alone", 2024) == (1, 3)
    # As known at 15 April 2024: a5 still as first recorded -> a1, a5.
    assert figures(connection, "seen_alone", 2024, as_of=at(2024, 4, 15)) == (2, 3)
    assert figures(connection, "seen_alone", 2023) == (1, 1)
    assert figures(connection, "seen_alone", 2025) == (1, 1)


def test_seen_alone_leaves_out_an_assessment_whose_answer_is_not_recorded() -> None:
    from events.catalogue import AssessmentCompleted, AssessmentStarted

    a = Child("A")
    a.assessment("a1", d(2023, 5, 1), seen_alone=True)  # year 2024, seen alone
    a.assessment("a2", d(2023, 9, 1), seen_alone=False)  # year 2024, not
    # a3: imported from a CIN census, which does not say (seen_alone false, a placeholder).
    a.add(AssessmentStarted, d(2023, 10, 1), assessment_id="a3", referral_id="r")
    a.add(
        AssessmentCompleted,
        d(2023, 10, 1),
        assessment_id="a3",
        seen_alone=False,
        seen_alone_unknown=True,
    )
    connection = project(a)
    # Year 2024: a1 and a2 in the cohort (a3 left out, neither seen alone nor not): 1 of 2.
    assert figures(connection, "seen_alone", 2024) == (1, 2)
    assert connection.execute(
        "select assessment_id, seen_alone from assessments order by assessment_id"
    ).fetchall() == [("a1", True), ("a2", False), ("a3", None)]
