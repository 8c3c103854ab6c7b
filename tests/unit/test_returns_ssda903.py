"""The SSDA903 return built from hand-built journeys: each reason for new episode, an
episode open across two years, a child who leaves and returns, a care leaver's OC3 row,
reviews and an OC2 row, each worked out by hand in the comments.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from journey_builders import Child

from events import catalogue as contract
from journeys.returns.record import counting
from journeys.returns.ssda903 import ssda903


def placed(child: Child, placement_id: str, period_id: str, on: date, carer: str, **kw):
    """A placement with the details the return needs (provider, URN, postcodes)."""
    return child.placement(
        placement_id,
        period_id,
        on,
        carer,
        **{
            "provider": "PR1",
            "urn": f"SC{carer}",
            "home_postcode": "DN1 2LE",
            "placement_postcode": "DN4 6BZ",
            **kw,
        },
    )


def ruth() -> Child:
    """Born 1 May 2010; looked after from 1 June 2023, adopted 30 June 2024.

    Day        what changed                          episode RNE
    01/06/2023 starts, C1, U6 with carer K1           S
    01/09/2023 care order: C1 -> C2 only              L
    01/11/2023 moves to carer K2 (U6), carers change  P   (K1's episode: REASON CARPL)
    01/12/2023 temporary placement T1, carer K9       P   (no reason: T placement)
    10/12/2023 back to carer K2                       P   (no reason: from a T placement)
    01/02/2024 same carer K2, now long-term U4        T   (K2's episode: REASON PLACE)
    01/03/2024 placement order E1 and placed for
               adoption (A6) with adopters K7         B   (K2's U4 episode: REASON LAREQ)
    30/06/2024 adopted: period ends E11
    """
    ruth = Child("ruth", born=date(2010, 5, 1))
    ruth.period("LAC1", date(2023, 6, 1), legal_status="C1")
    placed(ruth, "PL1", "LAC1", date(2023, 6, 1), "K1", placement_type="U6")
    ruth.legal_status("LAC1", date(2023, 9, 1), "C2")
    ruth.end_placement("PL1", date(2023, 11, 1))
    placed(
        ruth, "PL2", "LAC1", date(2023, 11, 1), "K2", placement_type="U6", reason_for_change="CARPL"
    )
    ruth.end_placement("PL2", date(2023, 12, 1))
    placed(
        ruth, "PL3", "LAC1", date(2023, 12, 1), "K9", placement_type="T1", provider=None, urn=None
    )
    ruth.end_placement("PL3", date(2023, 12, 10))
    placed(ruth, "PL4", "LAC1", date(2023, 12, 10), "K2", placement_type="U6")
    ruth.end_placement("PL4", date(2024, 2, 1))
    placed(
        ruth, "PL5", "LAC1", date(2024, 2, 1), "K2", placement_type="U4", reason_for_change="PLACE"
    )
    ruth.legal_status("LAC1", date(2024, 3, 1), "E1")
    ruth.end_placement("PL5", date(2024, 3, 1))
    placed(
        ruth, "PL6", "LAC1", date(2024, 3, 1), "K7", placement_type="A6", reason_for_change="LAREQ"
    )
    ruth.end_period("LAC1", date(2024, 6, 30), reason="E11")
    return ruth  # fmt: skip


def episodes_of(return_: object, child_id: str) -> list[tuple[str, ...]]:
    rows = return_.tables["Episodes"]  # type: ignore[attr-defined]
    return [
        (r["DECOM"], r["RNE"], r["LS"], r["PLACE"], r["DEC"], r["REC"], r["REASON_PLACE_CHANGE"])
        for r in rows
        if r["CHILD"] == child_id
    ]


def test_each_reason_for_new_episode_from_what_changed() -> None:
    made = ssda903(ruth().events, 2024)
    # 2023-24: seven episodes; the last is open at 31 March 2024 (DEC and REC blank).
    assert episodes_of(made, "ruth") == [
        ("01/06/2023", "S", "C1", "U6", "01/09/2023", "X1", ""),
        ("01/09/2023", "L", "C2", "U6", "01/11/2023", "X1", "CARPL"),
        ("01/11/2023", "P", "C2", "U6", "01/12/2023", "X1", ""),
        ("01/12/2023", "P", "C2", "T1", "10/12/2023", "X1", ""),
        ("10/12/2023", "P", "C2", "U6", "01/02/2024", "X1", "PLACE"),
        ("01/02/2024", "T", "C2", "U4", "01/03/2024", "X1", "LAREQ"),
        ("01/03/2024", "B", "E1", "A6", "", "", ""),
    ]


def test_an_episode_open_at_31_march_is_in_the_next_year_once_with_its_end() -> None:
    made = ssda903(ruth().events, 2025)
    # 2024-25: only the episode open on 1 April 2024, as it started, now ended (E11).
    assert episodes_of(made, "ruth") == [("01/03/2024", "B", "E1", "A6", "30/06/2024", "E11", "")]


def test_a_child_who_leaves_and_returns_starts_again_and_a_same_carer_change_is_u() -> None:
    # Sam: V2 from 1 May 2023, home on 1 August (E4A); back on 1 October 2023 under C1
    # with the same carer; on 1 December a care order (C2) and long-term fostering with
    # that carer (U6 -> U4): legal status and placement changed, the carer kept: U.
    sam = Child("sam", born=date(2012, 2, 2))
    sam.period("LAC1", date(2023, 5, 1), legal_status="V2")
    placed(sam, "PL1", "LAC1", date(2023, 5, 1), "K3", placement_type="U6")
    sam.end_period("LAC1", date(2023, 8, 1), reason="E4A")
    sam.period("LAC2", date(2023, 10, 1), legal_status="C1")
    placed(sam, "PL2", "LAC2", date(2023, 10, 1), "K3", placement_type="U6")
    sam.legal_status("LAC2", date(2023, 12, 1), "C2")
    sam.end_placement("PL2", date(2023, 12, 1))
    placed(
        sam, "PL3", "LAC2", date(2023, 12, 1), "K3", placement_type="U4", reason_for_change="PLACE"
    )
    made = ssda903(sam.events, 2024)
    assert episodes_of(made, "sam") == [
        ("01/05/2023", "S", "V2", "U6", "01/08/2023", "E4A", ""),
        ("01/10/2023", "S", "C1", "U6", "01/12/2023", "X1", "PLACE"),
        ("01/12/2023", "U", "C2", "U4", "", "", ""),
    ]  # fmt: skip


def test_a_care_leavers_oc3_row_at_her_18th_birthday() -> None:
    # Jo: born 15 June 2005, looked after 1 June 2019 to 1 June 2022 (from before her
    # 14th birthday to after her 16th: a care leaver). Her 18th birthday, 15 June 2023,
    # falls in 2023-24; the contact recorded that day gives her OC3 row. She is in the
    # header though not looked after in the year, with MOTHER blank (rule 628).
    jo = Child("jo", born=date(2005, 6, 15))
    jo.period("LAC1", date(2019, 6, 1))
    placed(jo, "PL1", "LAC1", date(2019, 6, 1), "K4")
    jo.end_period("LAC1", date(2022, 6, 1))
    jo.contact(date(2023, 6, 15), in_touch="YES", activity="F2", accommodation="B1")
    made = ssda903(jo.events, 2024)
    assert made.tables["OC3"] == [
        {"CHILD": "jo", "DOB": "15/06/2005", "IN_TOUCH": "YES", "ACTIV": "F2", "ACCOM": "B1"}
    ]
    assert [(h["CHILD"], h["SEX"], h["MOTHER"]) for h in made.tables["Header"]] == [("jo", "2", "")]
    assert episodes_of(made, "jo") == []


def test_reviews_and_the_oc2_row_of_a_child_looked_after_all_year() -> None:
    # Ali: born 3 March 2012 (12 at 31 March 2024), looked after since 10 January 2022:
    # continuously for the 12 months, so an OC2 row. In 2023-24: a review (PN1), a health
    # assessment, a dental check, immunisations up to date, an SDQ of 14. Not convicted,
    # no substance misuse; HEALTH_CHECK is for under-5s only (blank).
    ali = Child("ali", born=date(2012, 3, 3))
    ali.period("LAC1", date(2022, 1, 10))
    placed(ali, "PL1", "LAC1", date(2022, 1, 10), "K5")
    ali.review(date(2023, 7, 1), participation="PN1")
    ali.health_assessment(date(2023, 8, 1))
    ali.dental_check(date(2023, 9, 1))
    ali.immunisations(date(2023, 10, 1))
    ali.add(contract.StrengthsAndDifficultiesRecorded, date(2023, 11, 1), score="14")
    made = ssda903(ali.events, 2024)
    assert made.tables["Reviews"] == [
        {"CHILD": "ali", "DOB": "03/03/2012", "REVIEW": "01/07/2023", "REVIEW_CODE": "PN1"}
    ]
    assert made.tables["OC2"] == [
        {
            "CHILD": "ali", "DOB": "03/03/2012", "SDQ_SCORE": "14", "SDQ_REASON": "",
            "CONVICTED": "0", "HEALTH_CHECK": "", "IMMUNISATIONS": "1", "TEETH_CHECK": "1",
            "HEALTH_ASSESSMENT": "1", "SUBSTANCE_MISUSE": "0", "INTERVENTION_RECEIVED": "",
            "INTERVENTION_OFFERED": "",
        }
    ]  # fmt: skip
    # The builder registers a girl; no motherhood recorded: MOTHER 0.
    assert made.tables["Header"][0]["MOTHER"] == "0"


def test_a_retracted_placement_is_not_in_the_return_and_required_blanks_are_listed() -> None:
    # Kim's first placement was recorded with the wrong carer and retracted; the
    # corrected one has no provider: PLACE_PROVIDER is required, so the summary lists it,
    # as it lists her UPN (the builder registers a child without one).
    kim = Child("kim", born=date(2011, 1, 1))
    kim.period("LAC1", date(2023, 6, 1))
    wrong = placed(kim, "PL1", "LAC1", date(2023, 6, 1), "K8", placement_type="U6")
    kim.retract(wrong, datetime(2023, 6, 2, tzinfo=UTC))
    placed(kim, "PL1", "LAC1", date(2023, 6, 1), "K6", placement_type="U4", provider=None)
    made = ssda903(counting(kim.events), 2024)
    assert episodes_of(made, "kim") == [("01/06/2023", "S", "C2", "U4", "", "", "")]
    assert made.not_held == {("Episodes", "PLACE_PROVIDER"): 1, ("Header", "UPN"): 1}
