"""DfE code lists used by the event contract (domain.md section 2).

Closed lists that never change are Avro enums in `schemas/`; the lists here that DfE
revises from year to year (placement types, legal statuses, reasons a period of care
ended, referral sources, assessment factors, ethnicity) travel as Avro strings and are
checked by the codec, so a new code needs a release of this file, not a schema version.
"""

from __future__ import annotations

SEX = frozenset({"F", "M", "U"})

# DfE ethnicity codes (CIN census and SSDA903).
ETHNICITY = frozenset(
    {
        "WBRI", "WIRI", "WIRT", "WOTH", "WROM",
        "MWBC", "MWBA", "MWAS", "MOTH",
        "AIND", "APKN", "ABAN", "AOTH",
        "BCRB", "BAFR", "BOTH",
        "CHNE", "OOTH", "REFU", "NOBT",
    }
)  # fmt: skip

REFERRAL_SOURCE = frozenset(
    {
        "1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F",
        "4", "5A", "5B", "5C", "5D", "6", "7", "8", "9", "10",
    }
)  # fmt: skip

PRIMARY_NEED = frozenset(f"N{i}" for i in range(10))  # N0-N9
CATEGORY_OF_NEED = frozenset(f"N{i}" for i in range(1, 9))  # N1-N8
REASON_FOR_CLOSURE = frozenset(f"RC{i}" for i in range(1, 10))  # RC1-RC9

# CIN census assessment factors.
ASSESSMENT_FACTORS = frozenset(
    {
        "1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C",
        "5A", "5B", "5C", "6A", "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F",
        "9A", "10A", "11A", "12A", "13A", "14A", "15A", "16A", "17A", "18A", "18B",
        "18C", "19A", "19B", "19C", "20", "21", "22A", "23A", "24A",
    }
)  # fmt: skip

CP_CATEGORY = frozenset({"NEG", "PHY", "SAB", "EMO", "MUL"})

LEGAL_STATUS = frozenset(
    {"C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"}
)
SHORT_BREAK_LEGAL_STATUS = frozenset({"V3", "V4"})

PLACEMENT_TYPE = frozenset(
    {"A3", "A4", "A5", "A6", "H5", "K1", "K2", "K3", "P1", "P3", "R1", "R2", "R3", "R5", "S1"}
    | {"T0", "T1", "T2", "T3", "T4"}
    | {"U1", "U2", "U3", "U4", "U5", "U6", "Z1"}
)
TEMPORARY_PLACEMENT_TYPE = frozenset({"T0", "T1", "T2", "T3", "T4"})

PROVIDER = frozenset({"PR0", "PR1", "PR2", "PR3", "PR4", "PR5"})

REASON_EPISODE_CEASED = frozenset(
    {
        "X1", "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41",
        "E45", "E46", "E47", "E48", "E5", "E6", "E7", "E8", "E9",
        "E14", "E15", "E16", "E17",
    }
)  # fmt: skip

IN_TOUCH = frozenset({"YES", "NO", "DIED", "REFU", "NREQ", "RHOM"})
# IN_TOUCH values after which a care-leaver birthday has no row (domain.md section 3,
# indicator 7): the young person died, or returned home to parents for 6 months or more.
IN_TOUCH_WITHOUT_A_ROW = frozenset({"DIED", "RHOM"})

EET_ACTIVITY = frozenset({"F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5"})
NEET_ACTIVITY = frozenset({"G4", "G5", "G6"})
ACTIVITY = EET_ACTIVITY | NEET_ACTIVITY | {"0"}

ACCOMMODATION_LETTERS = frozenset("BCDEGHKRSTUVWXYZ")
# S (no fixed abode / homeless) and X (in custody) are never suitable.
NEVER_SUITABLE_ACCOMMODATION = frozenset("SX")
ACCOMMODATION = (
    frozenset(f"{letter}1" for letter in ACCOMMODATION_LETTERS - NEVER_SUITABLE_ACCOMMODATION)
    | frozenset(f"{letter}2" for letter in ACCOMMODATION_LETTERS)
    | {"0"}
)

# Code lists the indicators read (domain.md section 3); subsets of the lists above.
# Placed for adoption (PLACE A3-A6): long_term_stability's footnote 93.
ADOPTION_PLACEMENT_TYPE = frozenset({"A3", "A4", "A5", "A6"})
# Adopted (REC E11, E12): adopted_from_care.
ADOPTED_REASON_EPISODE_CEASED = frozenset({"E11", "E12"})
# A young person whose most recent ended period of care ended so is not this authority's
# care leaver: died (E2), care transferred to another authority (E3), adopted (E11, E12).
NOT_A_CARE_LEAVER_REASON_EPISODE_CEASED = frozenset({"E2", "E3", "E11", "E12"})

# SSDA903 participation in a statutory review (PN0-PN7): PN0 the child was under 4 at the
# review; PN1 attended and spoke for themselves; PN2 attended and an advocate spoke for
# them; PN3 attended and conveyed their views symbolically (non-verbally); PN4 attended
# but did not speak, convey their views or ask an advocate to; PN5 did not attend but
# briefed an advocate; PN6 did not attend but conveyed their views by a facilitative
# medium; PN7 did not attend and their views were not conveyed.
REVIEW_PARTICIPATION = frozenset(f"PN{i}" for i in range(8))
# The code for a child under 4 at the review (left out of review_participation).
REVIEW_PARTICIPATION_UNDER_4 = frozenset({"PN0"})
# The codes by which the child contributed to the review (review_participation's
# numerator): attended and spoke, through an advocate or symbolically, or conveyed their
# views without attending. PN4 (attended without contributing) and PN7 do not.
REVIEW_CONTRIBUTED = frozenset({"PN1", "PN2", "PN3", "PN5", "PN6"})

# SSDA903 reason the decision that a child should be placed for adoption ceased
# (REASON_PLACED_CEASED): RD1 the child's needs changed; RD2 the court did not make a
# placement order; RD3 prospective adopters could not be found; RD4 any other reason.
ADOPTION_DECISION_CEASED_REASON = frozenset({"RD1", "RD2", "RD3", "RD4"})

# The statutory duty a social worker's visit meets (issue 15): a child in need (CIN), a
# child on a child protection plan (CP), a looked-after child (LAC), a care leaver.
VISIT_KIND = frozenset({"CIN", "CP", "LAC", "CARE_LEAVER"})
