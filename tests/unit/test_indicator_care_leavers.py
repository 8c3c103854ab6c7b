"""The four care-leaver indicators and pa_by_15y9m on hand-built journeys (domain.md
section 3, indicators 7-8, with "Care leaver" and "Short breaks").

Year 2024 runs 1 April 2023 to 31 March 2024. The working is beside each young person.
"""

from __future__ import annotations

from datetime import date as d

from journey_builders import Child, at
from test_projection_builders import figures, members, project

EIGHTEEN_ACCOMMODATION = "care_leavers_17_18_suitable_accommodation"
EIGHTEEN_EET = "care_leavers_17_18_eet"
TWENTY_ONE_ACCOMMODATION = "care_leavers_19_21_suitable_accommodation"
TWENTY_ONE_EET = "care_leavers_19_21_eet"


def looked_after(name: str, born: d, since: d, until: d) -> Child:
    """A young person whose period of care "poc" ran from `since` to `until`."""
    child = Child(name, born=born)
    child.period("poc", since)
    child.end_period("poc", until)
    return child


def care_leavers() -> list[Child]:
    # CL1: born 15 Jun 2006; looked after 15 Jun 2020 (14th birthday) to 1 Jan 2023.
    #   17th birthday 15 Jun 2023 (year 2024). Contacts 15 Mar 2023 (exactly 3 months
    #   before: in the window, 92 days away) and 15 Jul 2023 (exactly 1 month after, 30
    #   days away): the closer one says NO / G5 / S2 -> denominator only.
    cl1 = looked_after("CL1", d(2006, 6, 15), d(2020, 6, 15), d(2023, 1, 1))
    cl1.contact(d(2023, 3, 15), "YES", "F1", "B1")
    cl1.contact(d(2023, 7, 15), "NO", "G5", "S2")
    # CL2: born 29 Feb 2004; 20th birthday 29 Feb 2024 (year 2024; 19th was 28 Feb 2023,
    #   year 2023). Contacts 10 days either side; the tie goes to the later recorded_at:
    #   10 Mar 2024 (G5 / C2) -> denominator only.
    cl2 = looked_after("CL2", d(2004, 2, 29), d(2018, 3, 1), d(2021, 1, 1))
    cl2.contact(d(2024, 2, 19), "YES", "F2", "C1", recorded_at=at(2024, 3, 1))
    cl2.contact(d(2024, 3, 10), "YES", "G5", "C2", recorded_at=at(2024, 3, 15))
    # CL3: born 1 Oct 2004; 19th birthday 1 Oct 2023. Contact 5 Oct 2023 (F1 / B1),
    #   recorded late on 10 Apr 2024 -> both 19-21 numerators, once recorded.
    cl3 = looked_after("CL3", d(2004, 10, 1), d(2019, 1, 1), d(2022, 1, 1))
    cl3.contact(d(2023, 10, 5), "YES", "F1", "B1", recorded_at=at(2024, 4, 10))
    # CL4: looked after 1 Sep to 30 Nov 2022 = 90 days after 16 -> not a care leaver.
    cl4 = looked_after("CL4", d(2006, 9, 1), d(2022, 9, 1), d(2022, 11, 30))
    cl4.contact(d(2023, 9, 1), "YES", "P5", "T1")
    # CL5: to 1 Dec 2022 = 91 days -> a care leaver; contact on the 17th birthday
    #   (P5 / T1) retracted on 1 June 2024.
    cl5 = looked_after("CL5", d(2006, 9, 1), d(2022, 9, 1), d(2022, 12, 1))
    contact = cl5.contact(d(2023, 9, 1), "YES", "P5", "T1")
    cl5.retract(contact, at(2024, 6, 1))
    # CL6: 91 days, the first under V3 (short breaks) -> 90 count -> not a care leaver.
    cl6 = Child("CL6", born=d(2006, 9, 1))
    cl6.period("poc", d(2022, 9, 1), legal_status="V3")
    cl6.legal_status("poc", d(2022, 9, 2), "C2")
    cl6.end_period("poc", d(2022, 12, 1))
    cl6.contact(d(2023, 9, 1), "YES", "P5", "T1")
    # CL7: still looked after on the 17th birthday -> no row.
    cl7 = Child("CL7", born=d(2006, 10, 1))
    cl7.period("poc", d(2020, 10, 1))
    cl7.contact(d(2023, 10, 1), "YES", "F1", "B1")
    # CL8: care ends on the 17th birthday: not looked after on it -> a row, no contact.
    cl8 = looked_after("CL8", d(2006, 11, 1), d(2020, 11, 1), d(2023, 11, 1))
    # CL9: the closest contact says DIED -> the row is dropped.
    cl9 = looked_after("CL9", d(2006, 12, 1), d(2020, 12, 1), d(2022, 12, 31))
    cl9.contact(d(2023, 12, 1), "DIED", "0", "0")
    # CL10: looked after 14 to 16 only (care ended on the 16th birthday) -> not a care leaver.
    cl10 = looked_after("CL10", d(2006, 5, 1), d(2020, 5, 1), d(2022, 5, 1))
    return [cl1, cl2, cl3, cl4, cl5, cl6, cl7, cl8, cl9, cl10]


def test_care_leavers_at_17_and_18() -> None:
    connection = project(*care_leavers())
    # Rows: CL1 (NO/G5/S2), CL5 (contact retracted: none), CL8 (none) -> 0 of 3.
    assert figures(connection, EIGHTEEN_ACCOMMODATION, 2024) == (0, 3)
    assert figures(connection, EIGHTEEN_EET, 2024) == (0, 3)
    assert members(connection, EIGHTEEN_EET, 2024) == {"CL1", "CL5", "CL8"}
    # As known at 1 May 2024 CL5's contact (P5 / T1) counts -> 1 of 3 for both.
    assert figures(connection, EIGHTEEN_ACCOMMODATION, 2024, as_of=at(2024, 5, 1)) == (1, 3)
    assert figures(connection, EIGHTEEN_EET, 2024, as_of=at(2024, 5, 1)) == (1, 3)


def test_care_leavers_at_19_to_21() -> None:
    connection = project(*care_leavers())
    # Rows: CL2 at 20 (G5 / C2, the later recorded of a tie), CL3 at 19 (F1 / B1).
    assert figures(connection, TWENTY_ONE_ACCOMMODATION, 2024) == (1, 2)
    assert figures(connection, TWENTY_ONE_EET, 2024) == (1, 2)
    assert members(connection, TWENTY_ONE_EET, 2024, numerator=True) == {"CL3"}
    # As known at 1 April 2024 CL3's contact is not yet recorded: no outcome.
    assert figures(connection, TWENTY_ONE_EET, 2024, as_of=at(2024, 4, 1)) == (0, 2)
    # Year 2023: CL2's 19th birthday on 28 Feb 2023 (29 Feb + 19 years), no contact near it.
    assert members(connection, TWENTY_ONE_EET, 2023) == {"CL2"}


def test_no_row_for_a_young_person_who_died_was_adopted_or_moved_authority() -> None:
    # Issue 13, item 4: no row when the most recent period of care that ended on or before
    # the birthday ended E2 (died), E3 (transferred), E11 or E12 (adopted). Each young
    # person is looked after from the 14th birthday for 3 years, so a care leaver; each
    # 17th birthday falls in year 2024, with a contact on it (F1 / B1).
    def young_person(name: str, born: d, *endings: tuple[d, d, str]) -> Child:
        child = Child(name, born=born)
        for number, (start, end, reason) in enumerate(endings):
            child.period(f"poc{number}", start)
            child.end_period(f"poc{number}", end, reason=reason)
        child.contact(born.replace(year=born.year + 17), "YES", "F1", "B1")
        return child

    born = d(2006, 6, 1)
    children = [
        # A: ended E8 -> a row (numerator).
        young_person("A", born, (d(2020, 6, 1), d(2023, 5, 1), "E8")),
        # B: adopted (E11) -> no row. C: adopted (E12) -> no row.
        young_person("B", born, (d(2020, 6, 1), d(2023, 5, 1), "E11")),
        young_person("C", born, (d(2020, 6, 1), d(2023, 5, 1), "E12")),
        # D: care transferred to another authority (E3) -> no row.
        young_person("D", born, (d(2020, 6, 1), d(2023, 5, 1), "E3")),
        # E: died (E2) -> no row, whatever a contact says.
        young_person("E", born, (d(2020, 6, 1), d(2023, 5, 1), "E2")),
        # F: adopted (E11) at 15, the adoption broke down, a new period ended E8 -> the most
        #    recent ending is E8 -> a row (numerator).
        young_person(
            "F", born, (d(2020, 6, 1), d(2021, 9, 1), "E11"), (d(2022, 1, 1), d(2023, 5, 1), "E8")
        ),
        # G: the E3 ending is dated after the birthday; the most recent one ended on or
        #    before it ended E8 -> a row (numerator).
        young_person(
            "G", born, (d(2020, 6, 1), d(2023, 5, 1), "E8"), (d(2023, 6, 2), d(2023, 6, 10), "E3")
        ),
    ]
    connection = project(*children)
    assert members(connection, EIGHTEEN_EET, 2024) == {"A", "F", "G"}
    assert figures(connection, EIGHTEEN_EET, 2024) == (3, 3)
    assert figures(connection, EIGHTEEN_ACCOMMODATION, 2024) == (3, 3)


def advisers() -> list[Child]:
    # The day is date_of_birth + 189 months.
    # PA1: born 1 Jul 2007 -> 1 Apr 2023 (first day of year 2024); adviser that day.
    pa1 = Child("PA1", born=d(2007, 7, 1))
    pa1.period("poc", d(2021, 7, 1))
    pa1.adviser(d(2023, 4, 1))
    # PA2: born 30 Jun 2008 -> 30 Mar 2024; no adviser -> denominator only.
    pa2 = Child("PA2", born=d(2008, 6, 30))
    pa2.period("poc", d(2022, 6, 30))
    # PA3: born 29 Feb 2008 -> 29 Nov 2023 (15 years then 9 months would give 28 Nov).
    #   Looked after from 31 Aug 2023: 31 Aug..29 Nov inclusive = 1+30+31+29 = 91 days.
    #   Adviser on 29 Nov 2023 -> numerator.
    pa3 = Child("PA3", born=d(2008, 2, 29))
    pa3.period("poc", d(2023, 8, 31))
    pa3.adviser(d(2023, 11, 29))
    # PA4: born 1 Oct 2007 -> 1 Jul 2023; looked after from 3 Apr 2023 = 90 days -> out.
    pa4 = Child("PA4", born=d(2007, 10, 1))
    pa4.period("poc", d(2023, 4, 3))
    pa4.adviser(d(2023, 5, 1))
    # PA5: born 1 Nov 2007 -> 1 Aug 2023, on short breaks (V3) since 1 Jul 2023 -> out.
    pa5 = Child("PA5", born=d(2007, 11, 1))
    pa5.period("poc", d(2021, 11, 1))
    pa5.legal_status("poc", d(2023, 7, 1), "V3")
    pa5.adviser(d(2023, 5, 1))
    # PA6: born 1 Dec 2007 -> 1 Sep 2023; adviser a day late -> denominator only.
    pa6 = Child("PA6", born=d(2007, 12, 1))
    pa6.period("poc", d(2021, 12, 1))
    pa6.adviser(d(2023, 9, 2))
    # PA7: born 1 Jan 2008 -> 1 Oct 2023; adviser 1 Jun 2023, retracted 1 May 2024.
    pa7 = Child("PA7", born=d(2008, 1, 1))
    pa7.period("poc", d(2022, 1, 1))
    allocation = pa7.adviser(d(2023, 6, 1))
    pa7.retract(allocation, at(2024, 5, 1))
    # PA8: born 1 Feb 2008 -> 1 Nov 2023; adviser 1 Oct 2023 recorded 20 Apr 2024.
    pa8 = Child("PA8", born=d(2008, 2, 1))
    pa8.period("poc", d(2022, 2, 1))
    pa8.adviser(d(2023, 10, 1), recorded_at=at(2024, 4, 20))
    return [pa1, pa2, pa3, pa4, pa5, pa6, pa7, pa8]


def test_personal_adviser_by_15_years_9_months() -> None:
    connection = project(*advisers())
    # Denominator PA1, PA2, PA3, PA6, PA7, PA8; numerator PA1, PA3, PA8.
    assert figures(connection, "pa_by_15y9m", 2024) == (3, 6)
    assert members(connection, "pa_by_15y9m", 2024) == {"PA1", "PA2", "PA3", "PA6", "PA7", "PA8"}
    assert members(connection, "pa_by_15y9m", 2024, numerator=True) == {"PA1", "PA3", "PA8"}
    # As known at 1 April 2024: PA7's adviser still counts, PA8's is not yet recorded.
    assert figures(connection, "pa_by_15y9m", 2024, as_of=at(2024, 4, 1)) == (3, 6)
    as_known = connection.execute(
        "select child_id from pa_by_15y9m_children_as_of(cast(? as timestamptz)) "
        "where year = 2024 and in_numerator",
        [at(2024, 4, 1).isoformat()],
    ).fetchall()
    assert {child for (child,) in as_known} == {"PA1", "PA3", "PA7"}
