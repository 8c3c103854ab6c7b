"""Every rule of practice: a case it accepts and a case it refuses, by its rule code.

Each case is a journey (registered by default as a girl born 2005-06-15), the events
recorded before, the candidate event, and what should happen to it: accepted (None) or
refused with a rule code and the field named. A refusal must leave the journey unchanged.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from journey_builders import (
    adoption_decided,
    adoption_decision_ceased,
    adviser_allocated,
    allocation_ended,
    assessment_completed,
    assessment_started,
    attendance_recorded,
    build,
    case_allocated,
    child_registered,
    conference_held,
    contact_recorded,
    cp_plan_ended,
    cp_plan_started,
    dental_check_completed,
    health_assessment_completed,
    immunisations_recorded,
    journey_of,
    legal_status_changed,
    pep_completed,
    period_ended,
    period_started,
    placement_ended,
    placement_started,
    referral_closed,
    referral_received,
    retraction,
    review_conference_held,
    review_held,
    section47_started,
    strategy_discussion_held,
    visit_made,
)

from events.catalogue import (
    AdoptionMatchRecorded,
    ChildDetailsRecorded,
    ChildInNeedPlanRecorded,
    DeprivationOfLibertyOrdered,
    JourneyEvent,
    MissingEpisodeRecorded,
    MotherhoodRecorded,
    StrengthsAndDifficultiesRecorded,
    UnaccompaniedAsylumSeekerRecorded,
)
from journeys.domain.exceptions import JourneyError, RuleViolation
from journeys.domain.journey import Journey


@dataclass
class Case:
    background: list[JourneyEvent]
    candidate: JourneyEvent
    refused_with: str | None = None  # the rule code, or None when accepted
    field: str = "occurred_on"


REFERRAL = [referral_received("2011-01-10")]
CLOSED_REFERRAL = [*REFERRAL, referral_closed("2011-06-01")]
ENQUIRY = [*REFERRAL, section47_started("2011-01-20")]
CONFERENCE = [*ENQUIRY, conference_held("2011-02-01")]
PLAN = [*CONFERENCE, cp_plan_started("2011-02-01")]
PERIOD = [period_started("2012-03-01")]
PLACEMENT = [*PERIOD, placement_started("2012-03-01")]
ENDED_PERIOD = [*PLACEMENT, period_ended("2013-03-01")]

CASES: dict[str, Case] = {
    # The child: nothing before birth.
    "event on the date of birth": Case([], referral_received("2005-06-15")),
    "event before birth": Case([], referral_received("2005-06-14"), "EVENT_BEFORE_BIRTH"),
    # Ids unique among the events that count.
    "a new referral id": Case(CLOSED_REFERRAL, referral_received("2012-01-01", "R2")),
    "a referral id used before": Case(
        CLOSED_REFERRAL, referral_received("2012-01-01", "R1"), "DUPLICATE_ID", "referral_id"
    ),
    "an adviser id used before": Case(
        [*ENDED_PERIOD, adviser_allocated("2020-01-01", "PA1")],
        adviser_allocated("2020-06-01", "PA1"),
        "DUPLICATE_ID",
        "adviser_id",
    ),
    # References to things that exist.
    "assessment under a known referral": Case(REFERRAL, assessment_started("2011-01-11")),
    "assessment under an unknown referral": Case(
        REFERRAL,
        assessment_started("2011-01-11", referral_id="R9"),
        "UNKNOWN_REFERRAL",
        "referral_id",
    ),
    "completing an unknown assessment": Case(
        REFERRAL, assessment_completed("2011-02-01", "A7"), "UNKNOWN_ASSESSMENT", "assessment_id"
    ),
    "closing an unknown referral": Case(
        REFERRAL, referral_closed("2011-02-01", "R5"), "UNKNOWN_REFERRAL", "referral_id"
    ),
    # Ends once, on or after the start.
    "completing an assessment": Case(
        [*REFERRAL, assessment_started("2011-01-11")], assessment_completed("2011-01-11")
    ),
    "completing an assessment before it started": Case(
        [*REFERRAL, assessment_started("2011-01-11")],
        assessment_completed("2011-01-10"),
        "ASSESSMENT_ENDS_BEFORE_START",
    ),
    "completing an assessment twice": Case(
        [*REFERRAL, assessment_started("2011-01-11"), assessment_completed("2011-02-01")],
        assessment_completed("2011-02-02"),
        "ASSESSMENT_ALREADY_COMPLETED",
        "assessment_id",
    ),
    "closing a referral before it was received": Case(
        REFERRAL, referral_closed("2011-01-09"), "REFERRAL_ENDS_BEFORE_START"
    ),
    "closing a referral twice": Case(
        CLOSED_REFERRAL,
        referral_closed("2011-07-01"),
        "REFERRAL_ALREADY_CLOSED",
        "referral_id",
    ),
    # At most one open referral.
    "a new referral on the day the last closed": Case(
        CLOSED_REFERRAL, referral_received("2011-06-01", "R2")
    ),
    "a second referral while one is open": Case(
        REFERRAL, referral_received("2011-03-01", "R2"), "REFERRAL_ALREADY_OPEN"
    ),
    "a late referral dated inside a closed one": Case(
        [*CLOSED_REFERRAL, referral_received("2012-01-01", "R2")],
        referral_received("2011-03-01", "R3"),
        "REFERRAL_ALREADY_OPEN",
    ),
    # Assessments and enquiries belong to an open referral.
    "assessment on the day the referral closes": Case(
        CLOSED_REFERRAL, assessment_started("2011-06-01")
    ),
    "assessment after the referral closed": Case(
        CLOSED_REFERRAL, assessment_started("2011-06-02"), "ASSESSMENT_OUTSIDE_REFERRAL"
    ),
    "assessment before the referral": Case(
        REFERRAL, assessment_started("2011-01-09"), "ASSESSMENT_OUTSIDE_REFERRAL"
    ),
    "enquiry under an open referral": Case(REFERRAL, section47_started("2011-01-10")),
    "enquiry after the referral closed": Case(
        CLOSED_REFERRAL, section47_started("2011-07-01"), "ENQUIRY_OUTSIDE_REFERRAL"
    ),
    # A conference belongs to an enquiry.
    "conference after its enquiry": Case(ENQUIRY, conference_held("2011-01-20")),
    "conference for an unknown enquiry": Case(
        ENQUIRY, conference_held("2011-02-01", "S9"), "UNKNOWN_ENQUIRY", "enquiry_id"
    ),
    "conference before its enquiry": Case(
        ENQUIRY, conference_held("2011-01-19"), "CONFERENCE_BEFORE_ENQUIRY"
    ),
    # A CP plan follows a conference that required one; one open at a time.
    "plan on the day of the conference": Case(CONFERENCE, cp_plan_started("2011-02-01")),
    "plan before any conference": Case(
        CONFERENCE, cp_plan_started("2011-01-31"), "PLAN_WITHOUT_CONFERENCE"
    ),
    "plan after a conference that required none": Case(
        [*ENQUIRY, conference_held("2011-02-01", plan_required=False)],
        cp_plan_started("2011-02-02"),
        "PLAN_WITHOUT_CONFERENCE",
    ),
    "second plan while one is open": Case(
        PLAN, cp_plan_started("2011-05-01", "CP2"), "PLAN_ALREADY_OPEN"
    ),
    "second plan after the first ended": Case(
        [*PLAN, cp_plan_ended("2011-04-01")], cp_plan_started("2011-05-01", "CP2")
    ),
    "ending an unknown plan": Case(
        PLAN, cp_plan_ended("2011-04-01", "CP9"), "UNKNOWN_PLAN", "plan_id"
    ),
    "ending a plan before it started": Case(
        PLAN, cp_plan_ended("2011-01-31"), "PLAN_ENDS_BEFORE_START"
    ),
    "ending a plan twice": Case(
        [*PLAN, cp_plan_ended("2011-04-01")],
        cp_plan_ended("2011-04-02"),
        "PLAN_ALREADY_ENDED",
        "plan_id",
    ),
    # No closing a referral with an open CP plan.
    "closing the referral the day the plan ends": Case(
        [*PLAN, cp_plan_ended("2011-09-01")], referral_closed("2011-09-01")
    ),
    "closing the referral with a plan open": Case(
        PLAN, referral_closed("2011-09-01"), "REFERRAL_CLOSED_WITH_OPEN_PLAN"
    ),
    "a late plan left open across an earlier closure": Case(
        [*CONFERENCE, referral_closed("2011-09-01")],
        cp_plan_started("2011-03-01"),
        "REFERRAL_CLOSED_WITH_OPEN_PLAN",
    ),
    # At most one open period of care.
    "a new period on the day the last ended": Case(
        ENDED_PERIOD, period_started("2013-03-01", "PC2")
    ),
    "a second period while one is open": Case(
        PERIOD, period_started("2012-05-01", "PC2"), "PERIOD_ALREADY_OPEN"
    ),
    "ending an unknown period": Case(
        PERIOD, period_ended("2012-05-01", "PC7"), "UNKNOWN_PERIOD", "period_id"
    ),
    "ending a period before it started": Case(
        PERIOD, period_ended("2012-02-01"), "PERIOD_ENDS_BEFORE_START"
    ),
    "ending a period twice": Case(
        ENDED_PERIOD, period_ended("2013-04-01"), "PERIOD_ALREADY_ENDED", "period_id"
    ),
    # Placements and legal status changes inside an open period.
    "placement on the day the period starts": Case(PERIOD, placement_started("2012-03-01")),
    "placement in an unknown period": Case(
        PERIOD, placement_started("2012-03-01", period_id="PC3"), "UNKNOWN_PERIOD", "period_id"
    ),
    "placement before its period": Case(
        PERIOD, placement_started("2012-02-28"), "PLACEMENT_OUTSIDE_PERIOD"
    ),
    "placement on the day its period ended": Case(
        [*PERIOD, period_ended("2013-03-01")],
        placement_started("2013-03-01"),
        "PLACEMENT_OUTSIDE_PERIOD",
    ),
    "legal status change inside the period": Case(PERIOD, legal_status_changed("2012-06-01")),
    "legal status change after the period ended": Case(
        ENDED_PERIOD, legal_status_changed("2013-03-01"), "LEGAL_STATUS_OUTSIDE_PERIOD"
    ),
    "legal status change in an unknown period": Case(
        PERIOD,
        legal_status_changed("2012-06-01", period_id="PC4"),
        "UNKNOWN_PERIOD",
        "period_id",
    ),
    # At most one open placement; ends on or after it starts; ends with its period.
    "a move: one placement ends, the next starts the same day": Case(
        [*PLACEMENT, placement_ended("2012-06-01")], placement_started("2012-06-01", "P2")
    ),
    "a second placement while one is open": Case(
        PLACEMENT, placement_started("2012-06-01", "P2"), "PLACEMENT_ALREADY_OPEN"
    ),
    "a placement left open ends with its period": Case(
        [*ENDED_PERIOD, period_started("2014-01-01", "PC2")],
        placement_started("2014-01-01", "P2", period_id="PC2"),
    ),
    "ending a placement before it started": Case(
        PLACEMENT, placement_ended("2012-02-01"), "PLACEMENT_ENDS_BEFORE_START"
    ),
    "ending an unknown placement": Case(
        PLACEMENT, placement_ended("2012-06-01", "P8"), "UNKNOWN_PLACEMENT", "placement_id"
    ),
    "ending a placement twice": Case(
        [*PLACEMENT, placement_ended("2012-06-01")],
        placement_ended("2012-07-01"),
        "PLACEMENT_ALREADY_ENDED",
        "placement_id",
    ),
    "ending a placement on the day its period ended": Case(
        ENDED_PERIOD, placement_ended("2013-03-01")
    ),
    "ending a placement after its period ended": Case(
        ENDED_PERIOD, placement_ended("2013-04-01"), "PLACEMENT_ENDS_AFTER_PERIOD"
    ),
    "a late period end dated before its placement ended": Case(
        [*PLACEMENT, placement_ended("2013-05-01")],
        period_ended("2013-03-01"),
        "PLACEMENT_ENDS_AFTER_PERIOD",
    ),
    "a late period end dated before its placement started": Case(
        [*PLACEMENT, placement_ended("2012-05-01"), placement_started("2013-05-01", "P2")],
        period_ended("2013-03-01"),
        "PLACEMENT_OUTSIDE_PERIOD",
    ),
    # Personal advisers: looked after (now or before) and at least 14 (born 2005-06-15).
    "adviser at 14 after leaving care": Case(ENDED_PERIOD, adviser_allocated("2019-06-15")),
    "adviser for a child never looked after": Case(
        REFERRAL, adviser_allocated("2020-01-01"), "ADVISER_NOT_LOOKED_AFTER"
    ),
    "adviser before the child was looked after": Case(
        [period_started("2020-03-01")], adviser_allocated("2020-01-01"), "ADVISER_NOT_LOOKED_AFTER"
    ),
    "adviser at 13": Case(ENDED_PERIOD, adviser_allocated("2019-06-14"), "ADVISER_TOO_YOUNG"),
    # Care-leaver contacts: only for care leavers (91 days after 14, one on or after 16).
    "contact for a care leaver": Case(
        [period_started("2021-01-01"), period_ended("2021-07-01")], contact_recorded("2022-06-15")
    ),
    "contact while still looked after at 17": Case(
        [period_started("2021-01-01")], contact_recorded("2022-06-15")
    ),
    "contact for a child who left care before 16": Case(
        [period_started("2019-01-01"), period_ended("2021-06-15")],
        contact_recorded("2022-06-15"),
        "CONTACT_NOT_CARE_LEAVER",
    ),
    "contact after only 61 days looked after": Case(
        [period_started("2021-06-01"), period_ended("2021-08-01")],
        contact_recorded("2022-06-15"),
        "CONTACT_NOT_CARE_LEAVER",
    ),
    "contact dated before the 91 days were reached": Case(
        [period_started("2021-01-01"), period_ended("2021-07-01")],
        contact_recorded("2021-03-01"),
        "CONTACT_NOT_CARE_LEAVER",
    ),
    "contact for a child only ever on short breaks": Case(
        [period_started("2020-01-01", legal_status="V3"), period_ended("2022-01-01")],
        contact_recorded("2022-06-15"),
        "CONTACT_NOT_CARE_LEAVER",
    ),
    "contact after short breaks turned into 122 days of care": Case(
        [
            period_started("2020-01-01", legal_status="V4"),
            legal_status_changed("2021-05-01", "C2"),
            period_ended("2021-08-31"),
        ],
        contact_recorded("2022-06-15"),
    ),
    # Care-leaver contact codes consistent.
    "contact DIED with zero codes": Case(
        [period_started("2021-01-01")],
        contact_recorded("2022-06-15", in_touch="DIED", activity="0", accommodation="0"),
    ),
    "contact DIED with an activity": Case(
        [period_started("2021-01-01")],
        contact_recorded("2022-06-15", in_touch="DIED", activity="F2", accommodation="0"),
        "CONTACT_CODE_NOT_ZERO",
        "activity",
    ),
    "contact RHOM with an accommodation": Case(
        [period_started("2021-01-01")],
        contact_recorded("2022-06-15", in_touch="RHOM", activity="0", accommodation="B1"),
        "CONTACT_CODE_NOT_ZERO",
        "accommodation",
    ),
    "contact NO with zero codes": Case(
        [period_started("2021-01-01")],
        contact_recorded("2022-06-15", in_touch="NO", activity="0", accommodation="0"),
    ),
    "contact YES with activity 0": Case(
        [period_started("2021-01-01")],
        contact_recorded("2022-06-15", in_touch="YES", activity="0", accommodation="B1"),
        "CONTACT_CODE_ZERO_IN_TOUCH",
        "activity",
    ),
    "contact homeless and unsuitable": Case(
        [period_started("2021-01-01")], contact_recorded("2022-06-15", accommodation="S2")
    ),
    "contact homeless said to be suitable": Case(
        [period_started("2021-01-01")],
        contact_recorded("2022-06-15", accommodation="S1"),
        "ACCOMMODATION_NEVER_SUITABLE",
        "accommodation",
    ),
    "contact in custody said to be suitable": Case(
        [period_started("2021-01-01")],
        contact_recorded("2022-06-15", accommodation="X1"),
        "ACCOMMODATION_NEVER_SUITABLE",
        "accommodation",
    ),
    # Statutory reviews: within a period of care; PN0 for a child under 4, PN1-PN7 after.
    "review while looked after": Case(PERIOD, review_held("2012-06-01")),
    "review on the day the period of care ended": Case(
        ENDED_PERIOD, review_held("2013-03-01"), "REVIEW_NOT_LOOKED_AFTER"
    ),
    "review before any period of care": Case(
        REFERRAL, review_held("2011-02-01"), "REVIEW_NOT_LOOKED_AFTER"
    ),
    "review of a child of 3 recorded PN0": Case(
        [period_started("2008-01-01")], review_held("2009-01-01", participation="PN0")
    ),
    "review of a child of 3 recorded PN1": Case(
        [period_started("2008-01-01")],
        review_held("2009-01-01", participation="PN1"),
        "REVIEW_PARTICIPATION_AGE",
        "participation",
    ),
    "review of a child of 6 recorded PN0": Case(
        PERIOD,
        review_held("2012-06-01", participation="PN0"),
        "REVIEW_PARTICIPATION_AGE",
        "participation",
    ),
    # Personal education plans: a child of statutory school age (5-15) in care.
    "PEP for a child of 6 in care": Case(PERIOD, pep_completed("2012-06-01")),
    "PEP for a child of 15 in care": Case(
        [period_started("2020-07-01")], pep_completed("2021-06-14")
    ),
    "PEP for a child not in care": Case(
        REFERRAL, pep_completed("2011-02-01"), "PEP_NOT_LOOKED_AFTER"
    ),
    "PEP for a child of 4 in care": Case(
        [period_started("2009-07-01")], pep_completed("2010-01-01"), "PEP_NOT_SCHOOL_AGE"
    ),
    "PEP for a young person of 16 in care": Case(
        [period_started("2021-07-01")], pep_completed("2021-08-01"), "PEP_NOT_SCHOOL_AGE"
    ),
    # Health assessments, dental checks, immunisations: only for a looked-after child.
    "health assessment in care": Case(PERIOD, health_assessment_completed("2012-06-01")),
    "health assessment after leaving care": Case(
        ENDED_PERIOD, health_assessment_completed("2013-04-01"), "HEALTH_CHECK_NOT_LOOKED_AFTER"
    ),
    "dental check in care": Case(PERIOD, dental_check_completed("2012-03-01")),
    "dental check before care": Case(
        PERIOD, dental_check_completed("2012-02-29"), "HEALTH_CHECK_NOT_LOOKED_AFTER"
    ),
    "immunisations not up to date, in care": Case(
        PERIOD, immunisations_recorded("2012-06-01", up_to_date=False)
    ),
    "immunisations of a child never looked after": Case(
        REFERRAL, immunisations_recorded("2011-02-01"), "HEALTH_CHECK_NOT_LOOKED_AFTER"
    ),
    # Conference attendance: for a conference held, on its day, recorded once.
    "attendance at a conference held": Case(
        CONFERENCE, attendance_recorded("2011-02-01", father=False, child=True)
    ),
    "attendance for a conference never held": Case(
        ENQUIRY, attendance_recorded("2011-02-01"), "ATTENDANCE_WITHOUT_CONFERENCE"
    ),
    "attendance dated a day after the conference": Case(
        CONFERENCE, attendance_recorded("2011-02-02"), "ATTENDANCE_WITHOUT_CONFERENCE"
    ),
    "attendance for an unknown enquiry": Case(
        CONFERENCE, attendance_recorded("2011-02-01", "S9"), "UNKNOWN_ENQUIRY", "enquiry_id"
    ),
    "attendance recorded twice": Case(
        [*CONFERENCE, attendance_recorded("2011-02-01")],
        # Recorded the next day: the first recorded is the one that stands.
        attendance_recorded(
            "2011-02-01", father=False, recorded_at=datetime(2011, 2, 2, 12, tzinfo=UTC)
        ),
        "ATTENDANCE_ALREADY_RECORDED",
        "enquiry_id",
    ),
    # The decision that the child should be placed for adoption: in care, one at a time.
    "adoption decision in care": Case(PERIOD, adoption_decided("2012-06-01")),
    "adoption decision for a child who left care": Case(
        ENDED_PERIOD, adoption_decided("2013-06-01"), "ADOPTION_DECISION_NOT_LOOKED_AFTER"
    ),
    "adoption decision ceasing": Case(
        [*PERIOD, adoption_decided("2012-06-01")], adoption_decision_ceased("2012-09-01")
    ),
    "ceasing an unknown adoption decision": Case(
        [*PERIOD, adoption_decided("2012-06-01")],
        adoption_decision_ceased("2012-09-01", "AD7"),
        "UNKNOWN_ADOPTION_DECISION",
        "decision_id",
    ),
    "ceasing an adoption decision twice": Case(
        [*PERIOD, adoption_decided("2012-06-01"), adoption_decision_ceased("2012-09-01")],
        adoption_decision_ceased("2012-10-01"),
        "ADOPTION_DECISION_ALREADY_CEASED",
        "decision_id",
    ),
    "ceasing an adoption decision before it was made": Case(
        [*PERIOD, adoption_decided("2012-06-01")],
        adoption_decision_ceased("2012-05-01"),
        "ADOPTION_DECISION_ENDS_BEFORE_START",
    ),
    "a second adoption decision while one stands": Case(
        [*PERIOD, adoption_decided("2012-06-01")],
        adoption_decided("2012-09-01", "AD2"),
        "ADOPTION_DECISION_ALREADY_OPEN",
    ),
    "a new adoption decision in a later period of care": Case(
        [
            *PERIOD,
            adoption_decided("2012-06-01"),
            period_ended("2013-03-01"),
            period_started("2014-01-01", "PC2"),
        ],
        adoption_decided("2014-02-01", "AD2"),
    ),
    "an adoption decision id used twice": Case(
        [*PERIOD, adoption_decided("2012-06-01"), adoption_decision_ceased("2012-07-01")],
        adoption_decided("2012-09-01", "AD1"),
        "DUPLICATE_ID",
        "decision_id",
    ),
    # Case allocations: one open at a time; a transfer ends one and starts the next.
    "a case allocated": Case([], case_allocated("2011-01-10")),
    "a transfer: one allocation ends, the next starts that day": Case(
        [case_allocated("2011-01-10"), allocation_ended("2011-05-01")],
        case_allocated("2011-05-01", "AL2", team_id="T2"),
    ),
    "a second allocation while one is open": Case(
        [case_allocated("2011-01-10")],
        case_allocated("2011-05-01", "AL2"),
        "ALLOCATION_ALREADY_OPEN",
    ),
    "ending an unknown allocation": Case(
        [case_allocated("2011-01-10")],
        allocation_ended("2011-05-01", "AL9"),
        "UNKNOWN_ALLOCATION",
        "allocation_id",
    ),
    "ending an allocation twice": Case(
        [case_allocated("2011-01-10"), allocation_ended("2011-05-01")],
        allocation_ended("2011-06-01"),
        "ALLOCATION_ALREADY_ENDED",
        "allocation_id",
    ),
    "ending an allocation before it started": Case(
        [case_allocated("2011-01-10")],
        allocation_ended("2011-01-09"),
        "ALLOCATION_ENDS_BEFORE_START",
    ),
    "an allocation id used twice": Case(
        [case_allocated("2011-01-10"), allocation_ended("2011-05-01")],
        case_allocated("2011-06-01", "AL1"),
        "DUPLICATE_ID",
        "allocation_id",
    ),
    # Statutory visits: of a kind the child is that day; seen alone only if seen.
    "a CIN visit under an open referral": Case(REFERRAL, visit_made("2011-01-20", "CIN")),
    "a CIN visit before the referral": Case(
        REFERRAL, visit_made("2011-01-09", "CIN"), "VISIT_KIND_NOT_APPLICABLE", "visit_kind"
    ),
    "a CP visit during a plan": Case(PLAN, visit_made("2011-02-10", "CP")),
    "a CP visit with no plan": Case(
        CONFERENCE, visit_made("2011-02-10", "CP"), "VISIT_KIND_NOT_APPLICABLE", "visit_kind"
    ),
    "a LAC visit in care": Case(PERIOD, visit_made("2012-03-05", "LAC")),
    "a LAC visit after care ended": Case(
        ENDED_PERIOD, visit_made("2013-03-05", "LAC"), "VISIT_KIND_NOT_APPLICABLE", "visit_kind"
    ),
    "a care leaver visit for a child never looked after": Case(
        REFERRAL,
        visit_made("2011-02-01", "CARE_LEAVER"),
        "VISIT_KIND_NOT_APPLICABLE",
        "visit_kind",
    ),
    "a visit where the child was not seen": Case(
        REFERRAL, visit_made("2011-01-20", seen=False, seen_alone=False)
    ),
    "a visit seen alone but not seen": Case(
        REFERRAL,
        visit_made("2011-01-20", seen=False, seen_alone=True),
        "VISIT_SEEN_ALONE_NOT_SEEN",
        "seen_alone",
    ),
    # Strategy discussions: under an open referral.
    "a strategy discussion under an open referral": Case(
        REFERRAL, strategy_discussion_held("2011-01-15")
    ),
    "a strategy discussion after the referral closed": Case(
        CLOSED_REFERRAL, strategy_discussion_held("2011-06-02"), "DISCUSSION_OUTSIDE_REFERRAL"
    ),
    "a strategy discussion under an unknown referral": Case(
        REFERRAL,
        strategy_discussion_held("2011-01-15", referral_id="R9"),
        "UNKNOWN_REFERRAL",
        "referral_id",
    ),
    "a strategy discussion id used twice": Case(
        [*REFERRAL, strategy_discussion_held("2011-01-15")],
        strategy_discussion_held("2011-01-16"),
        "DUPLICATE_ID",
        "discussion_id",
    ),
    # Review child protection conferences: of an open plan.
    "a review conference of an open plan": Case(PLAN, review_conference_held("2011-05-01")),
    "a review conference on the day the plan ends": Case(
        [*PLAN, cp_plan_ended("2011-08-01")],
        review_conference_held("2011-08-01", plan_continues=False),
    ),
    "a review conference before the plan": Case(
        PLAN, review_conference_held("2011-01-31"), "REVIEW_CONFERENCE_OUTSIDE_PLAN"
    ),
    "a review conference of an unknown plan": Case(
        PLAN, review_conference_held("2011-05-01", "CP9"), "UNKNOWN_PLAN", "plan_id"
    ),
    # The statutory returns' items (issue 14): an SSDA903 item while looked after.
    "a missing episode in care": Case(
        PERIOD, build(MissingEpisodeRecorded, "2012-05-01", absence="M", returned_on=None)
    ),
    "a missing episode after leaving care": Case(
        ENDED_PERIOD,
        build(MissingEpisodeRecorded, "2013-05-01", absence="A"),
        "RETURN_ITEM_NOT_LOOKED_AFTER",
    ),
    "an SDQ of a child never looked after": Case(
        REFERRAL,
        build(StrengthsAndDifficultiesRecorded, "2011-03-01", score="12"),
        "RETURN_ITEM_NOT_LOOKED_AFTER",
    ),
    "a missing episode ending the day it starts": Case(
        PERIOD,
        build(MissingEpisodeRecorded, "2012-05-01", absence="M", returned_on=date(2012, 5, 1)),
    ),
    "a missing episode ending before it starts": Case(
        PERIOD,
        build(MissingEpisodeRecorded, "2012-05-01", absence="M", returned_on=date(2012, 4, 30)),
        "RETURN_ITEM_ENDS_BEFORE_START",
        "returned_on",
    ),
    "a deprivation of liberty order while looked after": Case(
        PERIOD, build(DeprivationOfLibertyOrdered, "2012-05-01", ended_on=date(2012, 8, 1))
    ),
    "a deprivation of liberty order ending before it starts": Case(
        PERIOD,
        build(DeprivationOfLibertyOrdered, "2012-05-01", ended_on=date(2012, 4, 1)),
        "RETURN_ITEM_ENDS_BEFORE_START",
        "ended_on",
    ),
    "a deprivation of liberty order for a child not looked after": Case(
        ENDED_PERIOD,
        build(DeprivationOfLibertyOrdered, "2013-05-01"),
        "RETURN_ITEM_NOT_LOOKED_AFTER",
        "occurred_on",
    ),
    "UASC status ceasing before it starts": Case(
        PERIOD,
        build(UnaccompaniedAsylumSeekerRecorded, "2012-05-01", ceased_on=date(2012, 1, 1)),
        "RETURN_ITEM_ENDS_BEFORE_START",
        "ceased_on",
    ),
    "an SDQ with a score": Case(
        PERIOD, build(StrengthsAndDifficultiesRecorded, "2012-05-01", score="12")
    ),
    "an SDQ with neither score nor reason": Case(
        PERIOD,
        build(StrengthsAndDifficultiesRecorded, "2012-05-01"),
        "SDQ_SCORE_OR_REASON",
        "score",
    ),
    "an SDQ with both a score and a reason": Case(
        PERIOD,
        build(StrengthsAndDifficultiesRecorded, "2012-05-01", score="3", reason="SDQ4"),
        "SDQ_SCORE_OR_REASON",
        "score",
    ),
    "a UPN recorded after the registration": Case(
        [], build(ChildDetailsRecorded, "2012-05-01", upn="A123456789012")
    ),
    "disabilities recorded after the registration": Case(
        [], build(ChildDetailsRecorded, "2012-05-01", disabilities=("AUT", "LD"))
    ),
    "no disability recorded after the registration": Case(
        [], build(ChildDetailsRecorded, "2012-05-01", disabilities=("NONE",))
    ),
    "child details giving nothing": Case(
        [], build(ChildDetailsRecorded, "2012-05-01"), "CHILD_DETAILS_EMPTY", "upn"
    ),
    "child details giving NONE beside a disability": Case(
        [],
        build(ChildDetailsRecorded, "2012-05-01", disabilities=("NONE", "AUT")),
        "DISABILITY_NONE_WITH_OTHERS",
        "disabilities",
    ),
    "a girl in care recorded as a mother": Case(
        PERIOD, build(MotherhoodRecorded, "2012-05-01", child_date_of_birth=date(2012, 4, 20))
    ),
    "a match with adopters under a decision": Case(
        [*PERIOD, adoption_decided("2012-06-01")],
        build(
            AdoptionMatchRecorded,
            "2012-08-01",
            decision_id="AD1",
            former_foster_carers=False,
            adopters="2",
            adopters_sex="MF",
            adopters_legal_status="L0",
        ),
    ),
    "a match with adopters under no decision": Case(
        PERIOD,
        build(
            AdoptionMatchRecorded,
            "2012-08-01",
            decision_id="AD9",
            former_foster_carers=True,
            adopters="1",
            adopters_sex="F1",
            adopters_legal_status="L3",
        ),
        "UNKNOWN_ADOPTION_DECISION",
        "decision_id",
    ),
    # A CIN plan within its referral (a CP review conference: above).
    "a CIN plan under an open referral": Case(
        REFERRAL, build(ChildInNeedPlanRecorded, "2011-02-01", referral_id="R1")
    ),
    "a CIN plan starting after its referral closed": Case(
        CLOSED_REFERRAL,
        build(ChildInNeedPlanRecorded, "2011-07-01", referral_id="R1"),
        "CIN_PLAN_OUTSIDE_REFERRAL",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_rule_accepts_or_refuses_by_its_code(case: Case) -> None:
    journey = journey_of(child_registered(), *case.background)
    if case.refused_with is None:
        assert journey.record(case.candidate) is True
        assert case.candidate in journey.counting_events()
        return
    before = copy.deepcopy(journey)
    with pytest.raises(RuleViolation) as refusal:
        journey.record(case.candidate)
    assert refusal.value.rule_code == case.refused_with
    assert refusal.value.event_type == case.candidate.event_type
    assert refusal.value.field == case.field
    assert journey == before, "a refusal must leave the journey unchanged"


def a_boy_recorded_as_a_mother() -> bool:
    # The cases' journeys are a girl's: this one registers a boy (MOTHER_NOT_FEMALE).
    journey = journey_of(child_registered(sex="M"), *PERIOD)
    return journey.record(build(MotherhoodRecorded, "2012-05-01"))


def test_motherhood_is_refused_for_a_boy() -> None:
    with pytest.raises(RuleViolation) as refusal:
        a_boy_recorded_as_a_mother()
    assert refusal.value.rule_code == "MOTHER_NOT_FEMALE"
    assert refusal.value.field == "occurred_on"


def test_every_rule_code_in_the_table_has_an_accepting_neighbour() -> None:
    # Guards the table itself: it holds both outcomes, not only refusals.
    outcomes = {case.refused_with is None for case in CASES.values()}
    assert outcomes == {True, False}


def test_a_violation_is_a_journey_error_naming_rule_event_and_field() -> None:
    journey = journey_of(child_registered(), *PERIOD)
    with pytest.raises(JourneyError) as refusal:
        journey.record(placement_started("2012-02-01", placement_type="U6"))
    message = str(refusal.value)
    assert "PlacementStarted.occurred_on" in message
    assert "PLACEMENT_OUTSIDE_PERIOD" in message
    assert "U6" in message  # the DfE code, where it helps


def test_a_conference_whose_attendance_is_recorded_cannot_be_retracted() -> None:
    conference = conference_held("2011-02-01")
    journey = journey_of(
        child_registered(), *ENQUIRY, conference, attendance_recorded("2011-02-01")
    )
    with pytest.raises(RuleViolation) as refusal:
        journey.record(retraction("2011-03-01", conference))
    assert refusal.value.rule_code == "RETRACTION_LEAVES_DEPENDANTS"
    assert "ATTENDANCE_WITHOUT_CONFERENCE" in refusal.value.message


def test_a_period_of_care_cannot_end_before_a_review_held_in_it() -> None:
    journey = journey_of(child_registered(), *PERIOD, review_held("2012-06-01"))
    with pytest.raises(RuleViolation) as refusal:
        journey.record(period_ended("2012-05-01"))
    assert refusal.value.rule_code == "REVIEW_NOT_LOOKED_AFTER"
    assert refusal.value.event_type == "PeriodOfCareEnded"


def test_refusal_on_another_event_is_attributed_to_the_candidate() -> None:
    journey = journey_of(child_registered(), *PLACEMENT, placement_ended("2013-05-01"))
    late_end = period_ended("2013-03-01")
    with pytest.raises(RuleViolation) as refusal:
        journey.record(late_end)
    assert refusal.value.event_type == "PeriodOfCareEnded"
    assert refusal.value.field == "occurred_on"
    assert "placement 'P1' ends on 2013-05-01" in refusal.value.message


class TestRegistration:
    def test_date_of_birth_on_the_day_recorded_is_accepted(self) -> None:
        journey = Journey.register_child(child_registered("2010-01-01", date_of_birth="2010-01-01"))
        assert journey.chronology().child.date_of_birth.isoformat() == "2010-01-01"

    def test_date_of_birth_after_the_day_recorded_is_refused(self) -> None:
        with pytest.raises(RuleViolation) as refusal:
            Journey.register_child(
                child_registered(
                    "2010-01-02", date_of_birth="2010-01-02", recorded_at=_noon("2010-01-01")
                )
            )
        assert refusal.value.rule_code == "DATE_OF_BIRTH_IN_FUTURE"
        assert refusal.value.field == "date_of_birth"

    def test_registration_dated_before_birth_is_refused(self) -> None:
        with pytest.raises(RuleViolation) as refusal:
            Journey.register_child(
                child_registered(
                    "2005-01-01", date_of_birth="2005-06-15", recorded_at=_noon("2010-01-01")
                )
            )
        assert refusal.value.rule_code == "EVENT_BEFORE_BIRTH"

    def test_a_second_registration_is_refused(self) -> None:
        journey = journey_of(child_registered())
        with pytest.raises(RuleViolation) as refusal:
            journey.record(child_registered("2011-01-01"))
        assert refusal.value.rule_code == "CHILD_ALREADY_REGISTERED"

    def test_an_event_for_another_child_is_refused(self) -> None:
        journey = journey_of(child_registered())
        with pytest.raises(RuleViolation) as refusal:
            journey.record(referral_received("2011-01-01", child_id="C2"))
        assert (refusal.value.rule_code, refusal.value.field) == ("WRONG_JOURNEY", "child_id")


class TestDuplicates:
    def test_a_resent_event_is_acknowledged_without_change(self) -> None:
        referral = referral_received("2011-01-10")
        journey = journey_of(child_registered(), referral)
        before = copy.deepcopy(journey)
        assert journey.record(referral) is False
        assert journey == before

    def test_a_resent_registration_is_acknowledged_without_change(self) -> None:
        registration = child_registered()
        journey = journey_of(registration)
        assert journey.record(registration) is False
        assert journey.version == 1

    def test_a_resent_event_is_a_duplicate_even_if_it_would_now_break_a_rule(self) -> None:
        referral = referral_received("2011-01-10")
        journey = journey_of(child_registered(), referral, referral_closed("2011-06-01"))
        assert journey.record(referral) is False

    def test_a_different_event_reusing_an_accepted_event_id_is_refused(self) -> None:
        referral = referral_received("2011-01-10")
        journey = journey_of(child_registered(), referral)
        before = copy.deepcopy(journey)
        reusing = referral_received("2011-01-10", "R2", event_id=referral.event_id)
        with pytest.raises(RuleViolation) as refusal:
            journey.record(reusing)
        assert (refusal.value.rule_code, refusal.value.field) == ("EVENT_ID_REUSED", "event_id")
        assert str(referral.event_id) in refusal.value.message
        assert "ReferralReceived" in refusal.value.message
        assert "C1" not in refusal.value.message  # names the event, never the child
        assert journey == before

    def test_an_event_of_another_type_reusing_an_event_id_is_refused(self) -> None:
        registration = child_registered()
        journey = journey_of(registration)
        with pytest.raises(RuleViolation) as refusal:
            journey.record(referral_received("2011-01-10", event_id=registration.event_id))
        assert refusal.value.rule_code == "EVENT_ID_REUSED"
        assert "ChildRegistered" in refusal.value.message

    def test_a_registration_resent_with_other_content_is_refused_not_a_duplicate(self) -> None:
        registration = child_registered()
        journey = journey_of(registration)
        changed = child_registered(date_of_birth="2005-06-16", event_id=registration.event_id)
        with pytest.raises(RuleViolation) as refusal:
            journey.record(changed)
        assert refusal.value.rule_code == "EVENT_ID_REUSED"
        assert journey.chronology().child.date_of_birth == registration.date_of_birth


def _noon(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(12), tzinfo=UTC)
