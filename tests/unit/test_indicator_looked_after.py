"""placements_3plus and long_term_stability on hand-built journeys (domain.md section 3, 1-2).

Year 2024 runs 1 April 2023 to 31 March 2024. The working for each child is beside it.
"""

from __future__ import annotations

from datetime import date as d

from journey_builders import Child, at
from test_projection_builders import figures, members, project


def placements_children() -> dict[str, Child]:
    children = {name: Child(name, born=d(2012, 1, 1)) for name in "ABCDEFG"}
    # A: k1, k2, T1 hospital, back to k2, then placed for adoption (A3) with k2.
    #    Temporary dropped, then k2 x3 merged: placements k1 (ended 2023-06-01), k2 (open)
    #    -> 2 overlap the year. Not in the numerator (5 spells, but 2 placements).
    a = children["A"]
    a.period("poc", d(2022, 1, 1))
    a.placement("p1", "poc", d(2022, 1, 1), carer="k1")
    a.end_placement("p1", d(2023, 6, 1))
    a.placement("p2", "poc", d(2023, 6, 1), carer="k2")
    a.end_placement("p2", d(2023, 9, 1))
    a.placement("p3", "poc", d(2023, 9, 1), carer="hospital", placement_type="T1")
    a.end_placement("p3", d(2023, 9, 10))
    a.placement("p4", "poc", d(2023, 9, 10), carer="k2")
    a.end_placement("p4", d(2023, 12, 1))
    a.placement("p5", "poc", d(2023, 12, 1), carer="k2", placement_type="A3")
    # B: as A but the last move is to a new carer k3 -> k1, k2, k3 = 3: numerator.
    b = children["B"]
    b.period("poc", d(2022, 1, 1))
    b.placement("p1", "poc", d(2022, 1, 1), carer="k1")
    b.end_placement("p1", d(2023, 6, 1))
    b.placement("p2", "poc", d(2023, 6, 1), carer="k2")
    b.end_placement("p2", d(2023, 9, 1))
    b.placement("p3", "poc", d(2023, 9, 1), carer="hospital", placement_type="T1")
    b.end_placement("p3", d(2023, 9, 10))
    b.placement("p4", "poc", d(2023, 9, 10), carer="k2")
    b.end_placement("p4", d(2023, 12, 1))
    b.placement("p5", "poc", d(2023, 12, 1), carer="k3", recorded_at=at(2024, 4, 10))
    # C: k1 ended on 1 April 2023 (not in the year), k2, k3 -> 2: not in the numerator.
    c = children["C"]
    c.period("poc", d(2021, 1, 1))
    c.placement("p1", "poc", d(2021, 1, 1), carer="k1")
    c.end_placement("p1", d(2023, 4, 1))
    c.placement("p2", "poc", d(2023, 4, 1), carer="k2")
    c.end_placement("p2", d(2023, 5, 1))
    c.placement("p3", "poc", d(2023, 5, 1), carer="k3")
    # D: k1 ended 2 April 2023 (in the year), k2, k3 started on 31 March 2024 -> 3: numerator.
    dd = children["D"]
    dd.period("poc", d(2022, 1, 1))
    dd.placement("p1", "poc", d(2022, 1, 1), carer="k1")
    dd.end_placement("p1", d(2023, 4, 2))
    dd.placement("p2", "poc", d(2023, 4, 2), carer="k2")
    dd.end_placement("p2", d(2024, 3, 31))
    dd.placement("p3", "poc", d(2024, 3, 31), carer="k3")
    # E: period ends on 31 March 2024: not looked after at 31 March, not in the denominator.
    e = children["E"]
    e.period("poc", d(2023, 5, 1))
    for number, carer in enumerate(("k1", "k2", "k3")):
        e.placement(f"p{number}", "poc", d(2023, 6 + number, 1), carer=carer)
        e.end_placement(f"p{number}", d(2023, 7 + number, 1))
    e.end_period("poc", d(2024, 3, 31))
    # F: on short breaks (V3) at 31 March: left out, whatever its placements.
    f = children["F"]
    f.period("poc", d(2023, 1, 1), legal_status="V3")
    for number, carer in enumerate(("k1", "k2", "k3")):
        f.placement(f"p{number}", "poc", d(2023, 6 + number, 1), carer=carer)
        f.end_placement(f"p{number}", d(2023, 7 + number, 1))
    # G: legal status changed to V4 on 31 March itself: the new status applies that day.
    g = children["G"]
    g.period("poc", d(2023, 1, 1))
    g.placement("p1", "poc", d(2023, 1, 1), carer="k1")
    g.legal_status("poc", d(2024, 3, 31), "V4")
    return children


def test_placements_3plus_drops_temporary_and_merges_same_carer_moves() -> None:
    # Denominator A, B, C, D (E left on 31 March, F and G on short breaks); numerator B, D.
    connection = project(*placements_children().values())
    assert figures(connection, "placements_3plus", 2024) == (2, 4)
    assert members(connection, "placements_3plus", 2024) == {"A", "B", "C", "D"}
    assert members(connection, "placements_3plus", 2024, numerator=True) == {"B", "D"}
    assert connection.execute(
        "select placement_spell_ids from placements where child_id = 'A' order by started_on"
    ).fetchall() == [(["p1"],), (["p2", "p4", "p5"],)]


def test_placements_3plus_as_known_before_a_late_recorded_move_and_after_a_retraction() -> None:
    children = placements_children()
    # D's move to k3 on 31 March is retracted on 1 May 2024.
    move = next(e for e in children["D"].events if getattr(e, "carer_id", None) == "k3")
    children["D"].retract(move, at(2024, 5, 1))
    connection = project(*children.values())
    # As known at 5 April 2024: B's move to k3 (recorded 10 April) is unknown -> B has 2;
    # D's move still counts -> numerator D only.
    assert figures(connection, "placements_3plus", 2024, as_of=at(2024, 4, 5)) == (1, 4)
    # As known at 20 April: B's move known, D's not yet retracted -> B, D.
    assert figures(connection, "placements_3plus", 2024, as_of=at(2024, 4, 20)) == (2, 4)
    # Now: D's move retracted -> D has 2 placements -> B only.
    assert figures(connection, "placements_3plus", 2024) == (1, 4)


def stability_children() -> list[Child]:
    # Year 2024: 31 March 2024; period must start on or before 30 September 2021
    # (31 March - 30 months, clipped); placement on or before 31 March 2022.
    # H: period and k1 from 30 Sep 2021, holiday (T2) then back to k1: current placement
    #    started 30 Sep 2021 -> numerator.
    h = Child("H", born=d(2010, 1, 1))
    h.period("poc", d(2021, 9, 30))
    h.placement("p1", "poc", d(2021, 9, 30), carer="k1")
    h.end_placement("p1", d(2023, 8, 1))
    h.placement("p2", "poc", d(2023, 8, 1), carer="k1-holiday", placement_type="T2")
    h.end_placement("p2", d(2023, 8, 15))
    h.placement("p3", "poc", d(2023, 8, 15), carer="k1")
    # I: moved to k2 on 1 April 2022, a day too late -> denominator only.
    i = Child("I", born=d(2010, 1, 1))
    i.period("poc", d(2021, 9, 30))
    i.placement("p1", "poc", d(2021, 9, 30), carer="k1")
    i.end_placement("p1", d(2022, 4, 1))
    i.placement("p2", "poc", d(2022, 4, 1), carer="k2")
    # J: period started 1 October 2021, a day too late -> not in the denominator.
    j = Child("J", born=d(2010, 1, 1))
    j.period("poc", d(2021, 10, 1))
    j.placement("p1", "poc", d(2021, 10, 1), carer="k1")
    # K: 16 on 31 March 2024 -> not under 16 -> left out.
    k = Child("K", born=d(2008, 3, 31))
    k.period("poc", d(2020, 1, 1))
    k.placement("p1", "poc", d(2020, 1, 1), carer="k1")
    # L: 16 on 1 April 2024 -> under 16 on 31 March; placement started 31 March 2022
    #    exactly 2 years before -> numerator.
    l_ = Child("L", born=d(2008, 4, 1))
    l_.period("poc", d(2020, 1, 1))
    l_.placement("p0", "poc", d(2020, 1, 1), carer="k0")
    l_.end_placement("p0", d(2022, 3, 31))
    l_.placement("p1", "poc", d(2022, 3, 31), carer="k1")
    # N: on short breaks (V3) at 31 March -> left out.
    n = Child("N", born=d(2010, 1, 1))
    n.period("poc", d(2020, 1, 1), legal_status="V3")
    n.placement("p1", "poc", d(2020, 1, 1), carer="k1")
    # O: placed for adoption (A3) with the same foster carer in 2023: same placement since
    #    2021 -> numerator.
    o = Child("O", born=d(2012, 6, 1))
    o.period("poc", d(2021, 1, 1))
    o.placement("p1", "poc", d(2021, 1, 1), carer="k1")
    o.end_placement("p1", d(2023, 1, 1))
    o.placement("p2", "poc", d(2023, 1, 1), carer="k1", placement_type="A3")
    return [h, i, j, k, l_, n, o]


def test_long_term_stability_counts_the_current_placement_after_merging() -> None:
    # Denominator H, I, L, O; numerator H, L, O.
    connection = project(*stability_children())
    assert figures(connection, "long_term_stability", 2024) == (3, 4)
    assert members(connection, "long_term_stability", 2024) == {"H", "I", "L", "O"}
    assert members(connection, "long_term_stability", 2024, numerator=True) == {"H", "L", "O"}


def test_long_term_stability_as_known_at_and_after_a_retraction() -> None:
    children = stability_children()
    h = children[0]
    # H's return to k1 is retracted and re-recorded as a move to a new carer k9.
    back_to_k1 = h.events[-1]
    h.retract(back_to_k1, at(2024, 5, 1))
    h.placement("p3", "poc", d(2023, 8, 15), carer="k9", recorded_at=at(2024, 5, 1))
    connection = project(*children)
    # Before the correction: as the first test -> (3, 4).
    assert figures(connection, "long_term_stability", 2024, as_of=at(2024, 4, 30)) == (3, 4)
    # After: H's current placement (k9) started 15 Aug 2023 -> H leaves the numerator.
    assert figures(connection, "long_term_stability", 2024) == (2, 4)
    # Before 2024 nothing of 2024's cohort but H, I, L... as known at 1 Jan 2022 the
    # periods of K, L, N, O and H/I exist; year 2022 (31 March 2022): H and I started
    # 30 Sep 2021, after 30 Sep 2019 -> not; K is 14 with a period from 2020 (after
    # 30 Sep 2019) -> none qualify.
    assert figures(connection, "long_term_stability", 2022, as_of=at(2022, 1, 1)) == (0, 0)


def test_long_term_stability_counts_a_placement_for_adoption_with_the_previous_one() -> None:
    # Footnote 93 (issue 13, item 4): placed for adoption (A3-A6) with a new carer, the
    # adoptive placement together with the previous one lasting at least 2 years: the
    # previous placement started on or before 31 March 2022. All periods start well before
    # 30 September 2021, all children are under 16: the denominator is all five.
    # Q: k1 from 1 Jan 2020, adopters (A4) from 1 Oct 2023 -> previous 2020: numerator.
    q = Child("Q", born=d(2015, 1, 1))
    q.period("poc", d(2020, 1, 1))
    q.placement("p1", "poc", d(2020, 1, 1), carer="k1")
    q.end_placement("p1", d(2023, 10, 1))
    q.placement("p2", "poc", d(2023, 10, 1), carer="adopters", placement_type="A4")
    # R: k1 2021, k2 from 1 June 2022, adopters (A5) from 1 Oct 2023: the previous
    #    placement (k2) started after 31 March 2022 -> denominator only.
    r = Child("R", born=d(2015, 1, 1))
    r.period("poc", d(2021, 1, 1))
    r.placement("p1", "poc", d(2021, 1, 1), carer="k1")
    r.end_placement("p1", d(2022, 6, 1))
    r.placement("p2", "poc", d(2022, 6, 1), carer="k2")
    r.end_placement("p2", d(2023, 10, 1))
    r.placement("p3", "poc", d(2023, 10, 1), carer="adopters", placement_type="A5")
    # S: as R but k2 from 31 March 2022, exactly 2 years before -> numerator.
    s = Child("S", born=d(2015, 1, 1))
    s.period("poc", d(2021, 1, 1))
    s.placement("p1", "poc", d(2021, 1, 1), carer="k1")
    s.end_placement("p1", d(2022, 3, 31))
    s.placement("p2", "poc", d(2022, 3, 31), carer="k2")
    s.end_placement("p2", d(2023, 11, 1))
    s.placement("p3", "poc", d(2023, 11, 1), carer="adopters", placement_type="A3")
    # T: as Q but the new carer is a foster carer (U4), not a placement for adoption ->
    #    denominator only.
    t = Child("T", born=d(2015, 1, 1))
    t.period("poc", d(2020, 1, 1))
    t.placement("p1", "poc", d(2020, 1, 1), carer="k1")
    t.end_placement("p1", d(2023, 10, 1))
    t.placement("p2", "poc", d(2023, 10, 1), carer="k2")
    # U: as Q, then a hospital stay (T1) and back to the adopters: the temporary spell is
    #    dropped and the adopters' spells merged, the placement still began as A6 ->
    #    numerator.
    u = Child("U", born=d(2015, 1, 1))
    u.period("poc", d(2020, 1, 1))
    u.placement("p1", "poc", d(2020, 1, 1), carer="k1")
    u.end_placement("p1", d(2023, 10, 1))
    u.placement("p2", "poc", d(2023, 10, 1), carer="adopters", placement_type="A6")
    u.end_placement("p2", d(2024, 1, 1))
    u.placement("p3", "poc", d(2024, 1, 1), carer="hospital", placement_type="T1")
    u.end_placement("p3", d(2024, 1, 8))
    u.placement("p4", "poc", d(2024, 1, 8), carer="adopters", placement_type="A6")
    connection = project(q, r, s, t, u)
    assert figures(connection, "long_term_stability", 2024) == (3, 5)
    assert members(connection, "long_term_stability", 2024, numerator=True) == {"Q", "S", "U"}
