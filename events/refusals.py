"""Every refusal code of the service, each with its stage and a one-line meaning.

A refused submission carries one of these codes in the `rule_code` header of
`care.journey.rejected` (and a `journeys publish` bad-line report ends with it). Every
place that refuses names a member of `Refusal`, never a string, so each code is spelled
once, here, and `journeys rules` (and docs/contract.md) can list them all for operators
and case-system vendors. tests/unit/test_refusals.py proves both ways that the codes the
tree can raise and this catalogue agree.

The codes' values are on the rejected topic already and never change. They come in two
styles: the contract's own codes in lower case (`date_out_of_range`), the rules of
practice and the record's codes in capitals (`PLACEMENT_OUTSIDE_PERIOD`).

The module lives in `events` so that both the contract (`events`) and the journey domain
(`journeys`) can use it; it imports only the event catalogue.
"""

from __future__ import annotations

from enum import StrEnum

from events.catalogue import EVENT_TYPES, EventRetracted


class Stage(StrEnum):
    """Where a submission is refused."""

    # The event contract, the event on its own: refused where a message or a JSON line is
    # read, or an event written (events.codec, events.jsonl, events.validation).
    DECODING = "decoding"
    # The rules of practice across the child's journey, and the record's own bookkeeping
    # (registration, retraction, event ids): refused by the Journey aggregate and the
    # application service.
    JUDGING = "judging"
    # The submission as such, refused by the processor (its size, before decoding; its
    # recorded_at against the processor's clock) and by `journeys publish` before sending.
    PROCESSING = "processing"


# The event types a code concerns when it is not a rule of journeys.domain.rules: every one.
EVERY_EVENT_TYPE: tuple[str, ...] = tuple(EVENT_TYPES)
# For the rules of practice, the event types come from the rule registry
# (journeys.domain.rules.event_types_concerned): the catalogue does not restate them.
FROM_THE_RULES: None = None

_RETRACTION = (EventRetracted.event_type,)
_SEALING = tuple(t for t, cls in EVENT_TYPES.items() if "sealed_personal_data" in cls.__slots__)
# The event types with free text: a retraction's reason, and the statutory returns' UPN,
# postcodes, URN and previous permanence's date and authority (issue 14).
_FREE_TEXT = (
    *_RETRACTION,
    "ChildRegistered",
    "PlacementStarted",
    "PreviousPermanenceRecorded",
    "ChildDetailsRecorded",
)
_ALL_BUT_REGISTRATION = tuple(t for t in EVENT_TYPES if t != "ChildRegistered")

_D, _J, _P = Stage.DECODING, Stage.JUDGING, Stage.PROCESSING


class Refusal(StrEnum):
    """A refusal code: its value is the code on the wire, with its stage and meaning.

    `concerns` names the event types the code can refuse, or is FROM_THE_RULES for a
    rule of practice, whose event types the rule registry declares.
    """

    stage: Stage
    meaning: str
    concerns: tuple[str, ...] | None

    def __new__(
        cls,
        code: str,
        stage: Stage,
        meaning: str,
        concerns: tuple[str, ...] | None = EVERY_EVENT_TYPE,
    ) -> Refusal:
        member = str.__new__(cls, code)
        member._value_ = code
        member.stage = stage
        member.meaning = meaning
        member.concerns = concerns
        return member

    # -- the contract: the message (field <message>, <fingerprint>, <schema> or the field)
    TRUNCATED_HEADER = (
        "truncated_header",
        _D,
        "the message is shorter than the 10-byte single-object header",
    )
    BAD_MAGIC = "bad_magic", _D, "the message does not start with C3 01"
    UNKNOWN_FINGERPRINT = (
        "unknown_fingerprint",
        _D,
        "no schema version in the registry has this fingerprint",
    )
    NOT_AN_EVENT = (
        "not_an_event",
        _D,
        "the fingerprint is of a schema that is not an event (e.g. Envelope)",
    )
    TRUNCATED_BODY = "truncated_body", _D, "the body ends inside a field (the field named)"
    UNREADABLE_BODY = (
        "unreadable_body",
        _D,
        "the body cannot be read as Avro at this field (the field named)",
    )
    TRAILING_BYTES = "trailing_bytes", _D, "bytes follow the end of the record"
    SCHEMA_RESOLUTION = (
        "schema_resolution",
        _D,
        "the writer's schema version cannot be read as the current one",
    )
    CLASS_MISMATCH = (
        "class_mismatch",
        _D,
        "the service's schemas and event classes disagree (a deployment fault)",
    )
    ENUM_INDEX = "enum_index", _D, "an enum index outside the enum's symbol list"
    ENUM_DEFAULT_WRITTEN = (
        "enum_default_written",
        _D,
        "the enum's default symbol UNKNOWN, sent by a writer",
    )
    # -- the contract: the values
    WRONG_TYPE = (
        "wrong_type",
        _D,
        "the value is not of the field's type (in Avro: not a valid uuid, date or time)",
    )
    MISSING_FIELD = "missing_field", _D, "a required field has no value"
    UNKNOWN_EVENT_TYPE = "unknown_event_type", _D, "not an event type of the catalogue"
    NOT_IN_SCHEMA = "not_in_schema", _D, "the schema this service writes has no such field"
    UNENCODABLE = "unencodable", _D, "text Avro cannot hold (a lone surrogate)"
    EMPTY_IDENTIFIER = "empty_identifier", _D, "an identifier is empty or all white space"
    IDENTIFIER_TOO_LONG = "identifier_too_long", _D, "an identifier of more than 64 characters"
    IDENTIFIER_NOT_PRINTABLE = (
        "identifier_not_printable",
        _D,
        "an identifier holds a character that is not printable",
    )
    TEXT_TOO_LONG = "text_too_long", _D, "free text of more than 2,000 characters", _FREE_TEXT
    TEXT_NOT_PRINTABLE = (
        "text_not_printable",
        _D,
        "free text holds a control character other than a line break or a tab",
        _FREE_TEXT,
    )
    SEALED_VALUE_MALFORMED = (
        "sealed_value_malformed",
        _D,
        "sealed_personal_data is neither empty nor a sealed value ('s1.' then base64url)",
        _SEALING,
    )
    LOCAL_AUTHORITY_CODE = "local_authority_code", _D, "not a 3-digit local authority code"
    CODE_NOT_IN_LIST = "code_not_in_list", _D, "a code not in its DfE list"
    TIMEZONE_REQUIRED = "timezone_required", _D, "recorded_at without a timezone"
    DATE_OUT_OF_RANGE = (
        "date_out_of_range",
        _D,
        "a date or recorded_at outside 1900-01-01 to 2100-12-31",
    )
    OCCURRED_AFTER_RECORDED = (
        "occurred_after_recorded",
        _D,
        "occurred_on after the UTC date of recorded_at",
    )
    # -- the contract: JSON Lines (field <line> unless the fault is in one field)
    BAD_JSON = "bad_json", _D, "the line is not JSON"
    BAD_ENCODING = "bad_encoding", _D, "the line is not UTF-8"
    NOT_AN_OBJECT = "not_an_object", _D, "the line is not a JSON object"
    MISSING_TYPE = "missing_type", _D, 'the object has no "type"'
    UNKNOWN_FIELD = "unknown_field", _D, "a field the event type does not have"
    BAD_UUID = "bad_uuid", _D, "a JSON string that is not a UUID"
    BAD_DATE = "bad_date", _D, "a JSON string that is not a calendar date as YYYY-MM-DD"
    BAD_TIMESTAMP = "bad_timestamp", _D, "a JSON string that is not an ISO 8601 timestamp"

    # -- the submission
    SUBMISSION_TOO_LARGE = (
        "SUBMISSION_TOO_LARGE",
        _P,
        "the submission (key, value and headers) is larger than the record takes; "
        "refused before decoding",
    )
    RECORDED_IN_FUTURE = (
        "recorded_in_future",
        _P,
        "recorded_at more than 1 day ahead of the processor's clock",
    )
    SEALED_BY_SUBMITTER = (
        "SEALED_BY_SUBMITTER",
        _P,
        "sealed_personal_data is written by the service only: a submission leaves it empty "
        "and sends its personal fields in clear",
        _SEALING,
    )
    CHILD_ERASED = (
        "CHILD_ERASED",
        _P,
        "the child was erased from the record (journeys erase): nothing more is recorded "
        "about them, and this refusal keeps no copy of the submission",
    )

    # -- the record's bookkeeping: registration, event ids, retraction
    CHILD_NOT_REGISTERED = (
        "CHILD_NOT_REGISTERED",
        _J,
        "no ChildRegistered is recorded for this child: register the child first",
        _ALL_BUT_REGISTRATION,
    )
    CHILD_ALREADY_REGISTERED = (
        "CHILD_ALREADY_REGISTERED",
        _J,
        "the child is already registered (by another event); a child is registered once",
        ("ChildRegistered",),
    )
    WRONG_JOURNEY = (
        "WRONG_JOURNEY",
        _J,
        "the event is for another child than the journey it was applied to",
    )
    EVENT_ID_REUSED = (
        "EVENT_ID_REUSED",
        _J,
        "the event id is already used by a different event; only an exact resend may reuse it",
    )
    REGISTRATION_NOT_RETRACTABLE = (
        "REGISTRATION_NOT_RETRACTABLE",
        _J,
        "the retracted event registers the child, which cannot be retracted",
        _RETRACTION,
    )
    ALREADY_RETRACTED = (
        "ALREADY_RETRACTED",
        _J,
        "the retracted event was already retracted",
        _RETRACTION,
    )
    NOT_RETRACTABLE = (
        "NOT_RETRACTABLE",
        _J,
        "the retracted event is itself a retraction",
        _RETRACTION,
    )
    UNKNOWN_EVENT = (
        "UNKNOWN_EVENT",
        _J,
        "the retracted event is not recorded in this journey",
        _RETRACTION,
    )
    RETRACTION_LEAVES_DEPENDANTS = (
        "RETRACTION_LEAVES_DEPENDANTS",
        _J,
        "retracting the event would leave other events breaking a rule (they are named)",
        _RETRACTION,
    )

    # -- the rules of practice (journeys/domain/rules.py): event types from the rule registry
    DATE_OF_BIRTH_IN_FUTURE = (
        "DATE_OF_BIRTH_IN_FUTURE",
        _J,
        "the date of birth is after the day the registration was recorded",
        FROM_THE_RULES,
    )
    EVENT_BEFORE_BIRTH = (
        "EVENT_BEFORE_BIRTH",
        _J,
        "the event is dated before the child's date of birth",
        None,
    )
    DUPLICATE_ID = (
        "DUPLICATE_ID",
        _J,
        "a referral, assessment, enquiry, plan, period, placement, adviser, adoption decision, "
        "case allocation or strategy discussion id used twice",
        None,
    )
    UNKNOWN_REFERRAL = (
        "UNKNOWN_REFERRAL",
        _J,
        "the event names a referral not recorded for the child",
        None,
    )
    UNKNOWN_ASSESSMENT = (
        "UNKNOWN_ASSESSMENT",
        _J,
        "the event names an assessment not recorded for the child",
        None,
    )
    UNKNOWN_ENQUIRY = (
        "UNKNOWN_ENQUIRY",
        _J,
        "the event names a section 47 enquiry not recorded for the child",
        None,
    )
    UNKNOWN_PLAN = "UNKNOWN_PLAN", _J, "the event names a CP plan not recorded for the child", None
    UNKNOWN_PERIOD = (
        "UNKNOWN_PERIOD",
        _J,
        "the event names a period of care not recorded for the child",
        None,
    )
    UNKNOWN_PLACEMENT = (
        "UNKNOWN_PLACEMENT",
        _J,
        "the event names a placement not recorded for the child",
        None,
    )
    REFERRAL_ALREADY_CLOSED = "REFERRAL_ALREADY_CLOSED", _J, "the referral was already closed", None
    ASSESSMENT_ALREADY_COMPLETED = (
        "ASSESSMENT_ALREADY_COMPLETED",
        _J,
        "the assessment was already completed",
        None,
    )
    PLAN_ALREADY_ENDED = "PLAN_ALREADY_ENDED", _J, "the CP plan was already ended", None
    PERIOD_ALREADY_ENDED = "PERIOD_ALREADY_ENDED", _J, "the period of care was already ended", None
    PLACEMENT_ALREADY_ENDED = (
        "PLACEMENT_ALREADY_ENDED",
        _J,
        "the placement was already ended",
        None,
    )
    REFERRAL_ENDS_BEFORE_START = (
        "REFERRAL_ENDS_BEFORE_START",
        _J,
        "the referral is closed before it was received",
        None,
    )
    ASSESSMENT_ENDS_BEFORE_START = (
        "ASSESSMENT_ENDS_BEFORE_START",
        _J,
        "the assessment is completed before it started",
        None,
    )
    PLAN_ENDS_BEFORE_START = (
        "PLAN_ENDS_BEFORE_START",
        _J,
        "the CP plan ends before it started",
        None,
    )
    PERIOD_ENDS_BEFORE_START = (
        "PERIOD_ENDS_BEFORE_START",
        _J,
        "the period of care ends before it started",
        None,
    )
    PLACEMENT_ENDS_BEFORE_START = (
        "PLACEMENT_ENDS_BEFORE_START",
        _J,
        "the placement ends before it started",
        None,
    )
    REFERRAL_ALREADY_OPEN = (
        "REFERRAL_ALREADY_OPEN",
        _J,
        "a referral starts while another is open",
        None,
    )
    PLAN_ALREADY_OPEN = "PLAN_ALREADY_OPEN", _J, "a CP plan starts while another is open", None
    PERIOD_ALREADY_OPEN = (
        "PERIOD_ALREADY_OPEN",
        _J,
        "a period of care starts while another is open",
        None,
    )
    PLACEMENT_ALREADY_OPEN = (
        "PLACEMENT_ALREADY_OPEN",
        _J,
        "a placement starts while another is open",
        None,
    )
    ASSESSMENT_OUTSIDE_REFERRAL = (
        "ASSESSMENT_OUTSIDE_REFERRAL",
        _J,
        "an assessment starts on a day its referral is not open",
        None,
    )
    ENQUIRY_OUTSIDE_REFERRAL = (
        "ENQUIRY_OUTSIDE_REFERRAL",
        _J,
        "a section 47 enquiry starts on a day its referral is not open",
        None,
    )
    CONFERENCE_BEFORE_ENQUIRY = (
        "CONFERENCE_BEFORE_ENQUIRY",
        _J,
        "a child protection conference is held before its section 47 enquiry started",
        None,
    )
    PLAN_WITHOUT_CONFERENCE = (
        "PLAN_WITHOUT_CONFERENCE",
        _J,
        "a CP plan starts with no conference on or before that day deciding one was required",
        None,
    )
    REFERRAL_CLOSED_WITH_OPEN_PLAN = (
        "REFERRAL_CLOSED_WITH_OPEN_PLAN",
        _J,
        "a referral closes while a CP plan is open: end the plan first",
        None,
    )
    PLACEMENT_OUTSIDE_PERIOD = (
        "PLACEMENT_OUTSIDE_PERIOD",
        _J,
        "a placement starts outside its period of care",
        None,
    )
    PLACEMENT_ENDS_AFTER_PERIOD = (
        "PLACEMENT_ENDS_AFTER_PERIOD",
        _J,
        "a placement ends after its period of care ended (which ended the placement)",
        None,
    )
    LEGAL_STATUS_OUTSIDE_PERIOD = (
        "LEGAL_STATUS_OUTSIDE_PERIOD",
        _J,
        "a legal status changes on a day its period of care is not open",
        None,
    )
    ADVISER_NOT_LOOKED_AFTER = (
        "ADVISER_NOT_LOOKED_AFTER",
        _J,
        "a personal adviser for a child who is not and has not been looked after",
        None,
    )
    ADVISER_TOO_YOUNG = (
        "ADVISER_TOO_YOUNG",
        _J,
        "a personal adviser allocated before the child is 14",
        None,
    )
    CONTACT_NOT_CARE_LEAVER = (
        "CONTACT_NOT_CARE_LEAVER",
        _J,
        "a care leaver contact for a young person who is not a care leaver on that day",
        None,
    )
    CONTACT_CODE_NOT_ZERO = (
        "CONTACT_CODE_NOT_ZERO",
        _J,
        "IN_TOUCH DIED or RHOM with an activity or accommodation code other than 0",
        None,
    )
    CONTACT_CODE_ZERO_IN_TOUCH = (
        "CONTACT_CODE_ZERO_IN_TOUCH",
        _J,
        "IN_TOUCH YES with activity or accommodation code 0 (0 means not in touch)",
        None,
    )
    ACCOMMODATION_NEVER_SUITABLE = (
        "ACCOMMODATION_NEVER_SUITABLE",
        _J,
        "no fixed abode (S) or custody (X) accommodation said to be suitable",
        None,
    )

    # -- the rules of practice of looked-after children's reviews, education and health
    REVIEW_NOT_LOOKED_AFTER = (
        "REVIEW_NOT_LOOKED_AFTER",
        _J,
        "a statutory review for a child not looked after on that day",
        None,
    )
    REVIEW_PARTICIPATION_AGE = (
        "REVIEW_PARTICIPATION_AGE",
        _J,
        "participation PN0 (under 4) for a child of 4 or over at the review, or PN1-PN7 for a "
        "child under 4",
        None,
    )
    PEP_NOT_LOOKED_AFTER = (
        "PEP_NOT_LOOKED_AFTER",
        _J,
        "a personal education plan for a child not looked after on that day",
        None,
    )
    PEP_NOT_SCHOOL_AGE = (
        "PEP_NOT_SCHOOL_AGE",
        _J,
        "a personal education plan for a child not of statutory school age (5 to 15) that day",
        None,
    )
    HEALTH_CHECK_NOT_LOOKED_AFTER = (
        "HEALTH_CHECK_NOT_LOOKED_AFTER",
        _J,
        "a health assessment, dental check or immunisations status for a child not looked "
        "after on that day",
        None,
    )
    # -- child protection conferences: who attended
    ATTENDANCE_WITHOUT_CONFERENCE = (
        "ATTENDANCE_WITHOUT_CONFERENCE",
        _J,
        "attendance for a child protection conference not held: none is recorded for the "
        "enquiry on that day",
        None,
    )
    ATTENDANCE_ALREADY_RECORDED = (
        "ATTENDANCE_ALREADY_RECORDED",
        _J,
        "attendance at the conference was already recorded (retract it to correct it)",
        None,
    )
    # -- adoption: the decision that the child should be placed for adoption
    ADOPTION_DECISION_NOT_LOOKED_AFTER = (
        "ADOPTION_DECISION_NOT_LOOKED_AFTER",
        _J,
        "a decision to place for adoption for a child not looked after on that day",
        None,
    )
    UNKNOWN_ADOPTION_DECISION = (
        "UNKNOWN_ADOPTION_DECISION",
        _J,
        "the event names an adoption decision not recorded for the child",
        None,
    )
    ADOPTION_DECISION_ALREADY_CEASED = (
        "ADOPTION_DECISION_ALREADY_CEASED",
        _J,
        "the adoption decision already ceased",
        None,
    )
    ADOPTION_DECISION_ENDS_BEFORE_START = (
        "ADOPTION_DECISION_ENDS_BEFORE_START",
        _J,
        "the adoption decision ceases before it was made",
        None,
    )
    ADOPTION_DECISION_ALREADY_OPEN = (
        "ADOPTION_DECISION_ALREADY_OPEN",
        _J,
        "an adoption decision is made while another has not ceased",
        None,
    )
    # -- the statutory returns' items (issue 14)
    RETURN_ITEM_NOT_LOOKED_AFTER = (
        "RETURN_ITEM_NOT_LOOKED_AFTER",
        _J,
        "an SSDA903 item of a looked-after child (motherhood, UASC status, a missing "
        "episode, an adoption match, previous permanence, an SDQ, a conviction, substance "
        "misuse, a deprivation of liberty order) dated on a day the child is not looked "
        "after",
        None,
    )
    RETURN_ITEM_ENDS_BEFORE_START = (
        "RETURN_ITEM_ENDS_BEFORE_START",
        _J,
        "a missing episode, UASC status, child in need plan or deprivation of liberty order "
        "ends before it starts",
        None,
    )
    SDQ_SCORE_OR_REASON = (
        "SDQ_SCORE_OR_REASON",
        _J,
        "a strengths and difficulties questionnaire records neither or both of a score and "
        "a reason it was not completed",
        None,
    )
    MOTHER_NOT_FEMALE = (
        "MOTHER_NOT_FEMALE",
        _J,
        "motherhood recorded for a child not registered as female",
        None,
    )
    CIN_PLAN_OUTSIDE_REFERRAL = (
        "CIN_PLAN_OUTSIDE_REFERRAL",
        _J,
        "a child in need plan starting when its referral is not open",
        None,
    )

    # -- supervision: case allocations, statutory visits, strategy discussions, CP reviews
    UNKNOWN_ALLOCATION = (
        "UNKNOWN_ALLOCATION",
        _J,
        "the event names a case allocation not recorded for the child",
        None,
    )
    ALLOCATION_ALREADY_ENDED = (
        "ALLOCATION_ALREADY_ENDED",
        _J,
        "the case allocation was already ended",
        None,
    )
    ALLOCATION_ENDS_BEFORE_START = (
        "ALLOCATION_ENDS_BEFORE_START",
        _J,
        "the case allocation ends before it started",
        None,
    )
    ALLOCATION_ALREADY_OPEN = (
        "ALLOCATION_ALREADY_OPEN",
        _J,
        "a case allocation starts while another is open: end it first (a transfer ends one "
        "allocation and starts the next the same day)",
        None,
    )
    VISIT_SEEN_ALONE_NOT_SEEN = (
        "VISIT_SEEN_ALONE_NOT_SEEN",
        _J,
        "a statutory visit says the child was seen alone but not seen",
        None,
    )
    VISIT_KIND_NOT_APPLICABLE = (
        "VISIT_KIND_NOT_APPLICABLE",
        _J,
        "a statutory visit of a kind the child is not that day (CIN: a referral open; CP: a CP "
        "plan open; LAC: looked after; CARE_LEAVER: a care leaver)",
        None,
    )
    DISCUSSION_OUTSIDE_REFERRAL = (
        "DISCUSSION_OUTSIDE_REFERRAL",
        _J,
        "a strategy discussion is held on a day its referral is not open",
        None,
    )
    REVIEW_CONFERENCE_OUTSIDE_PLAN = (
        "REVIEW_CONFERENCE_OUTSIDE_PLAN",
        _J,
        "a review child protection conference is held on a day its CP plan is not open",
        None,
    )
    CHILD_DETAILS_EMPTY = (
        "CHILD_DETAILS_EMPTY",
        _J,
        "child details recorded that give neither a UPN nor disabilities",
        None,
    )
    DISABILITY_NONE_WITH_OTHERS = (
        "DISABILITY_NONE_WITH_OTHERS",
        _J,
        "child details give NONE (no disability) beside a disability",
        None,
    )


__all__ = ["EVERY_EVENT_TYPE", "FROM_THE_RULES", "Refusal", "Stage"]
