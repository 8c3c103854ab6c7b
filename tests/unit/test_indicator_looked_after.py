"""placements_3plus and long_term_stability on hand-built journeys (domain.md section 3, 1-2).

Year 2024 runs 1 April 2023 to 31 March 2024. The working for each child is beside it.
"""

from __future__ import annotations

from datetime import date as d

from journey_builders import Child, at
from test_projection_builders import figures, members, project


def in_care(
    name: str,
    born: d,
    since: d,
    carer: str = "k1",
    first: str = "p1",
    legal_status: str = "C2",
) -> Child:
    """A child whose period of care "poc" and first placement (with `carer`) start `since`."""
    child = Child(name, born=born)
    child.period("poc", since, legal_status=legal_status)
    child.placement(first, "poc", since, carer=carer)
    return child


def to_k2_with_a_hospital_stay(child: Child) -> None:
    """After k1 (p1): k2 from 1 June 2023, hospital (T1) 1 to 10 September, back to k2 (p4)."""
    child.move("p1", "p2", "poc", d(2023, 6, 1), carer="k2")
    child.move("p2", "p3", "poc", d(2023, 9, 1), carer="hospital", placement_type="T1")
    child.move("p3", "p4", "poc", d(2023, 9, 10), carer="k2")


def placements_children() -> dict[str, Child]:
    born = d(2012, 1, 1)
    # A: k1, k2, T1 hospital, back to k2, then placed for adoption (A3) with k2.
    #    Temporary dropped, then k2 x3 merged: placements k1 (ended 2023-06-01), k2 (open)
    #    -> 2 overlap the year. Not in the numerator (5 spells, but 2 placements).
    a = in_care("A", born, since=d(2022, 1, 1))
    to_k2_with_a_hospital_stay(a)
    a.move("p4", "p5", "poc", d(2023, 12, 1), carer="k2", placement_type="A3")
    # B: as A but the last move is to a new carer k3 -> k1, k2, k3 = 3: numerator.
    b = in_care("B", born, since=d(2022, 1, 1))
    to_k2_with_a_hospital_stay(b)
    b.move("p4", "p5", "poc", d(2023, 12, 1), carer="k3", recorded_at=at(2024, 4, 10))
    # C: k1 ended on 1 April 2023 (not in the year), k2, k3 -> 2: not in the numerator.
    c = in_care("C", born, since=d(2021, 1, 1))
    c.move("p1", "p2", "poc", d(2023, 4, 1), carer="k2")
    c.move("p2", "p3", "poc", d(2023, 5, 1), carer="k3")
    # D: k1 ended 2 April 2023 (in the year), k2, k3 started on 31 March 2024 -> 3: numerator.
    dd = in_care("D", born, since=d(2022, 1, 1))
    dd.move("p1", "p2", "poc", d(2023, 4, 2), carer="k2")
    dd.move("p2", "p3", "poc", d(2024, 3, 31), carer="k3")
    children = {child.child_id: child for child in (a, b, c, dd)}
    children |= {name: Child(name, born=born) for name in "EFG"}
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
    h = in_care("H", d(2010, 1, 1), since=d(2021, 9, 30))
    h.move("p1", "p2", "poc", d(2023, 8, 1), carer="k1-holiday", placement_type="T2")
    h.move("p2", "p3", "poc", d(2023, 8, 15), carer="k1")
    # I: moved to k2 on 1 April 2022, a day too late -> denominator only.
    i = in_care("I", d(2010, 1, 1), since=d(2021, 9, 30))
    i.move("p1", "p2", "poc", d(2022, 4, 1), carer="k2")
    # J: period started 1 October 2021, a day too late -> not in the denominator.
    j = in_care("J", d(2010, 1, 1), since=d(2021, 10, 1))
    # K: 16 on 31 March 2024 -> not under 16 -> left out.
    k = in_care("K", d(2008, 3, 31), since=d(2020, 1, 1))
    # L: 16 on 1 April 2024 -> under 16 on 31 March; placement started 31 March 2022
    #    exactly 2 years before -> numerator.
    l_ = in_care("L", d(2008, 4, 1), since=d(2020, 1, 1), first="p0", carer="k0")
    l_.move("p0", "p1", "poc", d(2022, 3, 31), carer="k1")
    # N: on short breaks (V3) at 31 March -> left out.
    n = in_care("N", d(2010, 1, 1), since=d(2020, 1, 1), legal_status="V3")
    # O: placed for adoption (A3) with the same foster carer in 2023: same placement since
    #    2021 -> numerator.
    o = in_care("O", d(2012, 6, 1), since=d(2021, 1, 1))
    o.move("p1", "p2", "poc", d(2023, 1, 1), carer="k1", placement_type="A3")
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
    q = in_care("Q", d(2015, 1, 1), since=d(2020, 1, 1))
    q.move("p1", "p2", "poc", d(2023, 10, 1), carer="adopters", placement_type="A4")
    # R: k1 2021, k2 from 1 June 2022, adopters (A5) from 1 Oct 2023: the previous
    #    placement (k2) started after 31 March 2022 -> denominator only.
    r = in_care("R", d(2015, 1, 1), since=d(2021, 1, 1))
    r.move("p1", "p2", "poc", d(2022, 6, 1), carer="k2")
    r.move("p2", "p3", "poc", d(2023, 10, 1), carer="adopters", placement_type="A5")
    # S: as R but k2 from 31 March 2022, exactly 2 years before -> numerator.
    s = in_care("S", d(2015, 1, 1), since=d(2021, 1, 1))
    s.move("p1", "p2", "poc", d(2022, 3, 31), carer="k2")
    s.move("p2", "p3", "poc", d(2023, 11, 1), carer="adopters", placement_type="A3")
    # T: as Q but the new carer is a foster carer (U4), not a placement for adoption ->
    #    denominator only.
    t = in_care("T", d(2015, 1, 1), since=d(2020, 1, 1))
    t.move("p1", "p2", "poc", d(2023, 10, 1), carer="k2")
    # U: as Q, then a hospital stay (T1) and back to the adopters: the temporary spell is
    #    dropped and the adopters' spells merged, the placement still began as A6 ->
    #    numerator.
    u = in_care("U", d(2015, 1, 1), since=d(2020, 1, 1))
    u.move("p1", "p2", "poc", d(2023, 10, 1), carer="adopters", placement_type="A6")
    u.move("p2", "p3", "poc", d(2024, 1, 1), carer="hospital", placement_type="T1")
    u.move("p3", "p4", "poc", d(2024, 1, 8), carer="adopters", placement_type="A6")
    connection = project(q, r, s, t, u)
    assert figures(connection, "long_term_stability", 2024) == (3, 5)
    assert members(connection, "long_term_stability", 2024, numerator=True) == {"Q", "S", "U"}
