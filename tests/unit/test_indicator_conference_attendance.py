"""conference_family_attendance and its per-role files on hand-built journeys (domain.md
section 3, indicator 15).

Year 2024 runs 1 April 2023 to 31 March 2024. A role recorded as None does not apply to
that conference (no row); the child's own attendance is recorded but is not a family role.
"""

from __future__ import annotations

from datetime import date as d

from journey_builders import Child, at
from test_projection_builders import figures, project


def with_a_conference(name: str, enquiry_on: d, held_on: d) -> Child:
    """A child (born 1 January 2012) with a section 47 enquiry "e1" and its conference."""
    child = Child(name, born=d(2012, 1, 1))
    child.enquiry("e1", enquiry_on)
    child.conference("e1", held_on)
    return child


def attendance_children() -> list[Child]:
    # P: conference 1 June 2023: mother attended, father did not, the child attended.
    p = with_a_conference("P", enquiry_on=d(2023, 5, 20), held_on=d(2023, 6, 1))
    p.attendance("e1", d(2023, 6, 1), mother=True, father=False, child=True)
    # Q: conference 1 Dec 2023: mother did not attend; father, grandparent, other did.
    q = with_a_conference("Q", enquiry_on=d(2023, 11, 20), held_on=d(2023, 12, 1))
    q.attendance(
        "e1", d(2023, 12, 1), mother=False, father=True, grandparent=True, other_family=True
    )
    # R: conference on 1 April 2024: year 2025.
    r = with_a_conference("R", enquiry_on=d(2024, 3, 20), held_on=d(2024, 4, 1))
    r.attendance("e1", d(2024, 4, 1), mother=True)
    # S: a conference with no attendance recorded: no rows.
    s = with_a_conference("S", enquiry_on=d(2023, 4, 20), held_on=d(2023, 5, 1))
    # T: mother recorded as attending, retracted on 1 May 2024 and recorded as not.
    t = with_a_conference("T", enquiry_on=d(2023, 7, 20), held_on=d(2023, 8, 1))
    wrong = t.attendance("e1", d(2023, 8, 1), mother=True)
    t.retract(wrong, at(2024, 5, 1))
    t.attendance("e1", d(2023, 8, 1), mother=False, recorded_at=at(2024, 5, 1))
    return [p, q, r, s, t]


def test_family_attendance_counts_each_expected_family_member() -> None:
    connection = project(*attendance_children())

    # Year 2024, family roles only: P mother yes, father no; Q mother no, father yes,
    # grandparent yes, other yes; T mother no -> 4 of 7.
    assert figures(connection, "conference_family_attendance", 2024) == (4, 7)
    # Mothers: P yes, Q no, T no -> 1 of 3; before T's correction, T yes -> 2 of 3.
    assert figures(connection, "conference_family_attendance_mother", 2024) == (1, 3)
    assert figures(
        connection, "conference_family_attendance_mother", 2024, as_of=at(2024, 4, 15)
    ) == (2, 3)
    # Fathers: P no, Q yes. Grandparents and other family: Q only.
    assert figures(connection, "conference_family_attendance_father", 2024) == (1, 2)
    assert figures(connection, "conference_family_attendance_grandparent", 2024) == (1, 1)
    assert figures(connection, "conference_family_attendance_other_family", 2024) == (1, 1)
    # R's conference is in year 2025.
    assert figures(connection, "conference_family_attendance_mother", 2025) == (1, 1)
