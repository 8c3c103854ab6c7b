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
# -- the statutory returns (issue 14): SSDA903 and CIN census items -------------------------

# CIN census disability codes (ChildCharacteristics/Disabilities): NONE, or MOB mobility,
# HAND hand function, PC personal care, INC incontinence, COMM communication, LD learning,
# HEAR hearing, VIS vision, BEH behaviour, CON consciousness, AUT autism, DDA other.
DISABILITY = frozenset(
    {"NONE", "MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA"}
)
# UPN unknown reasons (SSDA903 UPN, CIN UPNunknown): UN1 a child not of school age and
# never allocated a UPN; UN2 a looked-after child with no UPN; UN3 a child placed outside
# England; UN4 a UPN not obtained in time; UN5 sources collating UPNs reflect the
# discrepancy; UN6-UN10 the CIN census's further reasons.
UPN_UNKNOWN = frozenset(f"UN{i}" for i in range(1, 11))
# SSDA903 reason for placement change (REASON_PLACE_CHANGE).
REASON_PLACE_CHANGE = frozenset(
    {
        "CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO",
        "CHILD", "LAREQ", "PLACE", "CUSTOD", "OTHER",
    }
)  # fmt: skip
# SSDA903 missing table (MISSING): M missing from placement, A away from placement
# without authorisation.
MISSING_KIND = frozenset({"M", "A"})
# SSDA903 AD1: the number of adopters (NB_ADOPTR), their sex (SEX_ADOPTR: M1 a single
# male adopter, F1 a single female adopter, MM, FF or MF a couple) and legal status
# (LS_ADOPTR: L0 a married couple, L11 a civil partnership of a male and a female, L12 a
# civil partnership of the same sex, L2 an unmarried couple, L3 a single adopter, L4 a
# couple, one a step-parent or partner of a birth parent).
NUMBER_OF_ADOPTERS = frozenset({"1", "2"})
ADOPTERS_SEX = frozenset({"M1", "F1", "MM", "FF", "MF"})
ADOPTERS_LEGAL_STATUS = frozenset({"L0", "L11", "L12", "L2", "L3", "L4"})
# SSDA903 previous permanence (PREV_PERM): P1 adoption, P2 special guardianship order,
# P3 residence order or child arrangements order, P4 a previous permanence placement
# abroad, Z1 not known.
PREVIOUS_PERMANENCE = frozenset({"P1", "P2", "P3", "P4", "Z1"})
# SSDA903 OC2 strengths and difficulties questionnaire: a score of 0 to 40 (SDQ_SCORE,
# carried as text: the contract's fields are text, dates and flags), or the reason it
# was not completed (SDQ_REASON: SDQ1 no form returned as the child was under 4 or over
# 17, SDQ2 carer refused, SDQ3 not possible due to severity of disability, SDQ4 other,
# SDQ5 the child refused).
SDQ_SCORE = frozenset(str(score) for score in range(41))
SDQ_REASON = frozenset({"SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5"})
# SSDA903 social worker episodes (SW_REASON), the reason a social worker episode began:
# FCONTA the first contact (the case's first allocation), MANAGE a management decision,
# LEFTRL the worker left the role, ORGRST an organisational restructure, TSPROC a transfer
# between teams as part of the process, ABSENC the worker's absence, CHCHAN a change at
# the child's request, PCCHAN a change of the child's placement or circumstances, SWDIED
# the worker died, OTHERS another reason.
SOCIAL_WORKER_CHANGE_REASON = frozenset(
    {
        "FCONTA", "MANAGE", "LEFTRL", "ORGRST", "TSPROC",
        "ABSENC", "CHCHAN", "PCCHAN", "SWDIED", "OTHERS",
    }
)  # fmt: skip
