"""adopted_from_care on hand-built journeys (domain.md section 3, item 11).

Year 2024 runs 1 April 2023 to 31 March 2024. The working is beside each child.
"""

from __future__ import annotations

from datetime import date as d

from journey_builders import Child, at
from test_projection_builders import figures, members, project


def test_adopted_among_the_children_who_ceased_to_be_looked_after() -> None:
    # A: ended 1 Sep 2023, E11 -> numerator.
    a = Child("A", born=d(2018, 1, 1))
    a.period("poc", d(2020, 1, 1))
    a.end_period("poc", d(2023, 9, 1), reason="E11")
    # B: ended 15 Jan 2024, E12 -> numerator; the ending is retracted on 1 June 2024
    #    (recorded in error): from then B never ceased -> out of the cohort.
    b = Child("B", born=d(2018, 1, 1))
    b.period("poc", d(2020, 1, 1))
    ending = b.end_period("poc", d(2024, 1, 15), reason="E12")
    b.retract(ending, at(2024, 6, 1))
    # C: ended 1 Jun 2023, E4A (returned home) -> denominator only.
    c = Child("C", born=d(2012, 1, 1))
    c.period("poc", d(2021, 1, 1))
    c.end_period("poc", d(2023, 6, 1), reason="E4A")
    # D: adopted on 1 April 2024 -> year 2025, not 2024.
    dd = Child("D", born=d(2018, 1, 1))
    dd.period("poc", d(2020, 1, 1))
    dd.end_period("poc", d(2024, 4, 1), reason="E11")
    # E: a period ended 1 May 2023 (E8) and a new one started that day, still open: care
    #    went on -> not ceasing -> out.
    e = Child("E", born=d(2012, 1, 1))
    e.period("poc1", d(2021, 1, 1))
    e.end_period("poc1", d(2023, 5, 1))
    e.period("poc2", d(2023, 5, 1))
    # F: on short breaks (V3) when the period ended 1 Jul 2023 -> left out.
    f = Child("F", born=d(2012, 1, 1))
    f.period("poc", d(2022, 1, 1), legal_status="V3")
    f.end_period("poc", d(2023, 7, 1))
    # G: ceased twice in the year: home on 1 May 2023 (E4A), back in care 1 Aug 2023, then
    #    adopted 1 Feb 2024 (E11) -> one row, numerator.
    g = Child("G", born=d(2019, 1, 1))
    g.period("poc1", d(2021, 1, 1))
    g.end_period("poc1", d(2023, 5, 1), reason="E4A")
    g.period("poc2", d(2023, 8, 1))
    g.end_period("poc2", d(2024, 2, 1), reason="E11")
    # H: adopted 1 Oct 2023 (E12), recorded late on 1 May 2024.
    h = Child("H", born=d(2019, 1, 1))
    h.period("poc", d(2021, 1, 1))
    h.end_period("poc", d(2023, 10, 1), reason="E12", recorded_at=at(2024, 5, 1))
    connection = project(a, b, c, dd, e, f, g, h)

    # Now: ceased A, C, G, H (B's ending retracted); adopted A, G, H -> 3 of 4.
    assert figures(connection, "adopted_from_care", 2024) == (3, 4)
    assert members(connection, "adopted_from_care", 2024) == {"A", "C", "G", "H"}
    assert members(connection, "adopted_from_care", 2024, numerator=True) == {"A", "G", "H"}
    # As known at 30 April 2024: H's adoption not yet recorded, B's ending still counts:
    # ceased A, B, C, G; adopted A, B, G -> 3 of 4.
    assert figures(connection, "adopted_from_care", 2024, as_of=at(2024, 4, 30)) == (3, 4)
    assert connection.execute(
        "select child_id, subject_id, detail from adopted_from_care_children_as_of("
        "cast(? as timestamptz)) where year = 2024 and in_numerator order by child_id",
        [at(2024, 4, 30).isoformat()],
    ).fetchall() == [
        ("A", "poc", "period of care ended 2023-09-01 (E11)"),
        ("B", "poc", "period of care ended 2024-01-15 (E12)"),
        ("G", "poc2", "period of care ended 2024-02-01 (E11)"),
    ]
    # Year 2025: D -> 1 of 1.
    assert figures(connection, "adopted_from_care", 2025) == (1, 1)
