-- The tables an analyst reads, defined as replays of the log: one macro per table,
-- `<table>_replayed_as_of(as_known_at)`. This is their definition of record. What analysts
-- and indicators read, `<table>_as_of` and the view `<table>`, is the kept table
-- `<table>_versions` filtered by knowledge time (projections/maintain.py), computed by the
-- same rules at many moments at once (kept_versions.sql) and tested equal to these.
--
-- Every row keeps the event_id and recorded_at of each event it came from
-- (`<event>_event_id`, `<event>_recorded_at`), so it is clear when it became known; rows
-- are built only from events that count at the moment asked (events_as_of), so a retracted
-- event never shows. The full log, retracted events included and flagged, is the view
-- `events`. When two events that count both end the same thing (a correction recorded
-- without retracting the first), the earliest dated one wins, ties to the first recorded.

-- children: one row per child, from ChildRegistered. known_to_service_on is the date the
-- child became known to the service, not the date of birth.
create or replace macro children_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    date_of_birth,
    birthdays,
    reaches_15y9m_on,
    authority_child_id,
    sex,
    ethnicity,
    occurred_on as known_to_service_on,
    event_id as registered_event_id,
    recorded_at as registered_recorded_at
from events_as_of(as_known_at)
where event_type = 'ChildRegistered'
qualify row_number() over (
    partition by local_authority, child_id order by recorded_at desc, event_id
) = 1;

-- referrals: one row per referral, with its closure when closed.
create or replace macro referrals_replayed_as_of(as_known_at) as table
with
known as (
    select * from events_as_of(as_known_at)
    where event_type in ('ReferralReceived', 'ReferralClosed')
),
received as (
    select * from known where event_type = 'ReferralReceived'
),
closed as (
    select * from known where event_type = 'ReferralClosed'
    qualify row_number() over (
        partition by local_authority, child_id, referral_id
        order by occurred_on, recorded_at, event_id
    ) = 1
)
select
    received.local_authority,
    received.child_id,
    received.referral_id,
    received.occurred_on as received_on,
    received.source,
    received.primary_need,
    closed.occurred_on as closed_on,
    closed.reason as closure_reason,
    received.event_id as received_event_id,
    received.recorded_at as received_recorded_at,
    closed.event_id as closed_event_id,
    closed.recorded_at as closed_recorded_at
from received
left join closed using (local_authority, child_id, referral_id);

-- assessments: one row per single assessment, started and (when completed) completed.
-- A completion without a start that counts still shows, with started_on null.
create or replace macro assessments_replayed_as_of(as_known_at) as table
with
known as (
    select * from events_as_of(as_known_at)
    where event_type in ('AssessmentStarted', 'AssessmentCompleted')
),
started as (
    select * from known where event_type = 'AssessmentStarted'
    qualify row_number() over (
        partition by local_authority, child_id, assessment_id
        order by occurred_on, recorded_at, event_id
    ) = 1
),
completed as (
    select * from known where event_type = 'AssessmentCompleted'
    qualify row_number() over (
        partition by local_authority, child_id, assessment_id
        order by occurred_on, recorded_at, event_id
    ) = 1
)
select
    coalesce(started.local_authority, completed.local_authority) as local_authority,
    coalesce(started.child_id, completed.child_id) as child_id,
    coalesce(started.assessment_id, completed.assessment_id) as assessment_id,
    started.referral_id,
    started.occurred_on as started_on,
    completed.occurred_on as completed_on,
    -- null when not recorded (an assessment imported from the CIN census)
    case when completed.seen_alone_unknown then null else completed.seen_alone end
        as seen_alone,
    completed.factors,
    started.event_id as started_event_id,
    started.recorded_at as started_recorded_at,
    completed.event_id as completed_event_id,
    completed.recorded_at as completed_recorded_at
from started
full outer join completed
    on completed.local_authority = started.local_authority
    and completed.child_id = started.child_id
    and completed.assessment_id = started.assessment_id;

-- enquiries: one row per section 47 enquiry, with its initial child protection conference.
create or replace macro enquiries_replayed_as_of(as_known_at) as table
with
known as (
    select * from events_as_of(as_known_at)
    where event_type in ('Section47Started', 'ChildProtectionConferenceHeld')
),
started as (
    select * from known where event_type = 'Section47Started'
),
conference as (
    select * from known where event_type = 'ChildProtectionConferenceHeld'
    qualify row_number() over (
        partition by local_authority, child_id, enquiry_id
        order by occurred_on, recorded_at, event_id
    ) = 1
)
select
    started.local_authority,
    started.child_id,
    started.enquiry_id,
    started.referral_id,
    started.occurred_on as started_on,
    conference.occurred_on as conference_on,
    conference.plan_required,
    started.event_id as started_event_id,
    started.recorded_at as started_recorded_at,
    conference.event_id as conference_event_id,
    conference.recorded_at as conference_recorded_at
from started
left join conference using (local_authority, child_id, enquiry_id);

-- cp_plans: one row per child protection plan.
create or replace macro cp_plans_replayed_as_of(as_known_at) as table
with
known as (
    select * from events_as_of(as_known_at)
    where event_type in ('ChildProtectionPlanStarted', 'ChildProtectionPlanEnded')
),
started as (
    select * from known where event_type = 'ChildProtectionPlanStarted'
),
ended as (
    select * from known where event_type = 'ChildProtectionPlanEnded'
    qualify row_number() over (
        partition by local_authority, child_id, plan_id
        order by occurred_on, recorded_at, event_id
    ) = 1
)
select
    started.local_authority,
    started.child_id,
    started.plan_id,
    started.category,
    started.occurred_on as started_on,
    ended.occurred_on as ended_on,
    started.event_id as started_event_id,
    started.recorded_at as started_recorded_at,
    ended.event_id as ended_event_id,
    ended.recorded_at as ended_recorded_at
from started
left join ended using (local_authority, child_id, plan_id);

-- periods_of_care: one row per period of care (looked after from started_on; no longer
-- looked after from ended_on).
create or replace macro periods_of_care_replayed_as_of(as_known_at) as table
with
known as (
    select * from events_as_of(as_known_at)
    where event_type in ('PeriodOfCareStarted', 'PeriodOfCareEnded')
),
started as (
    select * from known where event_type = 'PeriodOfCareStarted'
),
ended as (
    select * from known where event_type = 'PeriodOfCareEnded'
    qualify row_number() over (
        partition by local_authority, child_id, period_id
        order by occurred_on, recorded_at, event_id
    ) = 1
)
select
    started.local_authority,
    started.child_id,
    started.period_id,
    started.occurred_on as started_on,
    started.legal_status as legal_status_at_start,
    started.category_of_need,
    ended.occurred_on as ended_on,
    ended.reason as reason_ceased,
    started.event_id as started_event_id,
    started.recorded_at as started_recorded_at,
    ended.event_id as ended_event_id,
    ended.recorded_at as ended_recorded_at
from started
left join ended using (local_authority, child_id, period_id);

-- legal_status_spells: one row per legal status held within a period of care, from the
-- day it applied (starts_on) to the day the next one applied or the period ended
-- (ends_on; null while current). Together they tile the period: a child is looked after
-- on day D exactly when one of its spells covers D (macro covers), and that spell's
-- legal_status is the status on D. A change on day D applies on D.
create or replace macro legal_status_spells_replayed_as_of(as_known_at) as table
with
periods as (
    select * from periods_of_care_replayed_as_of(as_known_at)
),
status_changes as (
    select
        local_authority, child_id, period_id,
        started_on as starts_on,
        legal_status_at_start as legal_status,
        started_event_id as event_id,
        started_recorded_at as recorded_at,
        0 as order_in_day
    from periods
    union all
    select
        local_authority, child_id, period_id,
        occurred_on as starts_on,
        legal_status,
        event_id,
        recorded_at,
        1 as order_in_day
    from events_as_of(as_known_at)
    where event_type = 'LegalStatusChanged'
)
select
    status_changes.local_authority,
    status_changes.child_id,
    status_changes.period_id,
    status_changes.legal_status,
    status_changes.legal_status in (select code from short_break_legal_status_codes) as is_short_break,
    status_changes.starts_on,
    least(
        lead(status_changes.starts_on) over (
            partition by status_changes.local_authority, status_changes.child_id,
                status_changes.period_id
            order by status_changes.starts_on, status_changes.order_in_day,
                status_changes.recorded_at, status_changes.event_id
        ),
        periods.ended_on
    ) as ends_on,
    status_changes.event_id as status_event_id,
    status_changes.recorded_at as status_recorded_at
from status_changes
join periods using (local_authority, child_id, period_id)
where periods.ended_on is null or status_changes.starts_on <= periods.ended_on;

-- placement_spells: one row per PlacementStarted, as recorded. ended_on is the
-- PlacementEnded date or the end of the period of care, whichever comes first.
create or replace macro placement_spells_replayed_as_of(as_known_at) as table
with
known as (
    select * from events_as_of(as_known_at)
    where event_type in ('PlacementStarted', 'PlacementEnded')
),
started as (
    select * from known where event_type = 'PlacementStarted'
),
ended as (
    select * from known where event_type = 'PlacementEnded'
    qualify row_number() over (
        partition by local_authority, child_id, placement_id
        order by occurred_on, recorded_at, event_id
    ) = 1
)
select
    started.local_authority,
    started.child_id,
    started.placement_id,
    started.period_id,
    started.placement_type,
    started.placement_type in (select code from temporary_placement_type_codes) as is_temporary,
    started.provider,
    started.carer_id,
    started.occurred_on as started_on,
    least(ended.occurred_on, periods.ended_on) as ended_on,
    started.event_id as started_event_id,
    started.recorded_at as started_recorded_at,
    ended.event_id as ended_event_id,
    ended.recorded_at as ended_recorded_at
from started
left join ended using (local_authority, child_id, placement_id)
left join periods_of_care_replayed_as_of(as_known_at) as periods
    on periods.local_authority = started.local_authority
    and periods.child_id = started.child_id
    and periods.period_id = started.period_id;

-- placements: one row per placement in the sense of the indicators (domain.md section 3,
-- "Placements"): the child's placement spells across all its periods of care, temporary
-- spells (T0-T4) dropped, then consecutive spells with the same carer merged into one.
-- placement_number counts the child's placements from 1.
create or replace macro placements_replayed_as_of(as_known_at) as table
with
lasting_spells as (
    select * from placement_spells_replayed_as_of(as_known_at) where not is_temporary
),
marked as (
    select
        *,
        case
            when carer_id is not distinct from lag(carer_id) over child_order then 0
            else 1
        end as starts_new_placement
    from lasting_spells
    window child_order as (
        partition by local_authority, child_id
        order by started_on, started_recorded_at, placement_id
    )
),
numbered as (
    select
        *,
        cast(sum(starts_new_placement) over (
            partition by local_authority, child_id
            order by started_on, started_recorded_at, placement_id
            rows between unbounded preceding and current row
        ) as integer) as placement_number
    from marked
)
select
    local_authority,
    child_id,
    placement_number,
    any_value(carer_id) as carer_id,
    min(started_on) as started_on,
    case when bool_or(ended_on is null) then null else max(ended_on) end as ended_on,
    list(placement_id order by started_on, started_recorded_at, placement_id)
        as placement_spell_ids,
    max(greatest(started_recorded_at, ended_recorded_at)) as last_recorded_at
from numbered
group by local_authority, child_id, placement_number;

-- personal_advisers: one row per personal adviser allocation.
create or replace macro personal_advisers_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    adviser_id,
    occurred_on as allocated_on,
    event_id as allocated_event_id,
    recorded_at as allocated_recorded_at
from events_as_of(as_known_at)
where event_type = 'PersonalAdviserAllocated';

-- care_leaver_contacts: one row per contact recorded with a care leaver.
create or replace macro care_leaver_contacts_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    occurred_on as contact_on,
    in_touch,
    activity,
    accommodation,
    event_id as contact_event_id,
    recorded_at as contact_recorded_at
from events_as_of(as_known_at)
where event_type = 'CareLeaverContactRecorded';

-- statutory_reviews: one row per statutory review of a looked-after child, with the
-- child's SSDA903 participation code (PN0-PN7).
create or replace macro statutory_reviews_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    occurred_on as held_on,
    participation,
    event_id as review_event_id,
    recorded_at as review_recorded_at
from events_as_of(as_known_at)
where event_type = 'StatutoryReviewHeld';

-- education_plans: one row per personal education plan completed (or reviewed).
create or replace macro education_plans_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    occurred_on as completed_on,
    event_id as plan_event_id,
    recorded_at as plan_recorded_at
from events_as_of(as_known_at)
where event_type = 'PersonalEducationPlanCompleted';

-- health_checks: one row per health assessment, dental check or immunisations status of
-- a looked-after child (the facts of the SSDA903 OC2 table). check_type is
-- 'health_assessment', 'dental_check' or 'immunisations'; immunisations_up_to_date is set
-- for the last only.
create or replace macro health_checks_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    case event_type
        when 'HealthAssessmentCompleted' then 'health_assessment'
        when 'DentalCheckCompleted' then 'dental_check'
        else 'immunisations'
    end as check_type,
    occurred_on as checked_on,
    up_to_date as immunisations_up_to_date,
    event_id as check_event_id,
    recorded_at as check_recorded_at
from events_as_of(as_known_at)
where event_type in
    ('HealthAssessmentCompleted', 'DentalCheckCompleted', 'ImmunisationsStatusRecorded');

-- conference_attendance: one row per role recorded at a child protection conference
-- (family_role 'mother', 'father', 'grandparent', 'other_family' or 'child'), attended or
-- not. A role the ConferenceAttendanceRecorded leaves null does not apply to that
-- conference and has no row. The conference is the one of enquiry_id held on
-- conference_on (the rules refuse attendance for a conference not held).
create or replace macro conference_attendance_replayed_as_of(as_known_at) as table
with
recorded as (
    select * from events_as_of(as_known_at)
    where event_type = 'ConferenceAttendanceRecorded'
),
roles as (
    select *, 'mother' as family_role, mother_attended as attended from recorded
    union all
    select *, 'father', father_attended from recorded
    union all
    select *, 'grandparent', grandparent_attended from recorded
    union all
    select *, 'other_family', other_family_attended from recorded
    union all
    select *, 'child', child_attended from recorded
)
select
    local_authority,
    child_id,
    enquiry_id,
    occurred_on as conference_on,
    family_role,
    attended,
    event_id as attendance_event_id,
    recorded_at as attendance_recorded_at
from roles
where attended is not null;


-- Supervision (issue 15): who held the case, visits, strategy discussions, CP reviews.

-- allocations: one row per allocation of the child's case to a worker in a team in a
-- locality, from allocated_on until ended_on (null: still held). A transfer ends one
-- allocation and starts the next the same day: on that day the case is the new one's.
create or replace macro allocations_replayed_as_of(as_known_at) as table
with
known as (
    select * from events_as_of(as_known_at)
    where event_type in ('CaseAllocated', 'CaseAllocationEnded')
),
allocated as (
    select * from known where event_type = 'CaseAllocated'
),
ended as (
    select * from known where event_type = 'CaseAllocationEnded'
    qualify row_number() over (
        partition by local_authority, child_id, allocation_id
        order by occurred_on, recorded_at, event_id
    ) = 1
)
select
    allocated.local_authority,
    allocated.child_id,
    allocated.allocation_id,
    allocated.worker_id,
    allocated.team_id,
    allocated.locality_id,
    allocated.occurred_on as allocated_on,
    ended.occurred_on as ended_on,
    allocated.event_id as allocated_event_id,
    allocated.recorded_at as allocated_recorded_at,
    ended.event_id as ended_event_id,
    ended.recorded_at as ended_recorded_at
from allocated
left join ended using (local_authority, child_id, allocation_id);

-- statutory_visits: one row per statutory visit (visit_kind CIN, CP, LAC or CARE_LEAVER),
-- whether the child was seen, and seen alone.
create or replace macro statutory_visits_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    occurred_on as visited_on,
    visit_kind,
    seen,
    seen_alone,
    event_id as visit_event_id,
    recorded_at as visit_recorded_at
from events_as_of(as_known_at)
where event_type = 'StatutoryVisitMade';

-- strategy_discussions: one row per strategy discussion, the start of the section 47
-- timescale.
create or replace macro strategy_discussions_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    discussion_id,
    referral_id,
    occurred_on as held_on,
    section47_required,
    event_id as discussion_event_id,
    recorded_at as discussion_recorded_at
from events_as_of(as_known_at)
where event_type = 'StrategyDiscussionHeld';

-- cp_review_conferences: one row per review child protection conference of a plan.
create or replace macro cp_review_conferences_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    plan_id,
    occurred_on as held_on,
    plan_continues,
    event_id as conference_event_id,
    recorded_at as conference_recorded_at
from events_as_of(as_known_at)
where event_type = 'ChildProtectionReviewConferenceHeld';

-- missing_episodes (issue 14): one row per episode of a looked-after child missing (M)
-- or away from placement without authorisation (A), with the day it ended (null while
-- open); a later return that knows the end replaces the row (retraction and correction).
create or replace macro missing_episodes_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    occurred_on as started_on,
    absence,
    returned_on,
    event_id as missing_event_id,
    recorded_at as missing_recorded_at
from events_as_of(as_known_at)
where event_type = 'MissingEpisodeRecorded';

-- statutory_steps (issue 15): the steps of the recurring statutory duties, one row per
-- step due (projections/sql/statutory_duties.sql states the timescales and reads this
-- table): of each spell of a duty (a CP plan for cp_visit and cp_review, a placement for
-- lac_visit, a period of care not begun under a short-break legal status for
-- lac_review), step 1 due a set time after the spell starts, each later step a set time
-- after the step before it was taken (anchor_on; the spell's start for step 1); next_on
-- is the step that met it (the first step taken after anchor_on within the spell; null
-- while none has). Only steps due while their spell is open count. Kept, because every
-- timeliness indicator of a recurring duty and `journeys due` read it.
-- The day a step falls due (the timescales of statutory_duties.sql): after its anchor
-- (anchor_number 0: the spell's start, which is started_on; n: the nth step taken).
create or replace macro statutory_step_due_on(duty, anchor_number, anchor_on, started_on) as
case duty
    when 'cp_visit' then working_days_after(anchor_on, 10)
    when 'cp_review' then months_after(anchor_on, if(anchor_number = 0, 3, 6))
    when 'lac_visit' then
        case
            when anchor_number = 0 then anchor_on + 7
            when anchor_on < years_after(started_on, 1) then anchor_on + 42
            else months_after(anchor_on, 3)
        end
    when 'lac_review' then
        case anchor_number
            when 0 then working_days_after(anchor_on, 20)
            when 1 then months_after(anchor_on, 3)
            else months_after(anchor_on, 6)
        end
end;

create or replace macro statutory_steps_replayed_as_of(as_known_at) as table
with
spells as (
    select 'cp_visit' as duty, local_authority, child_id, plan_id as spell_id, started_on,
        ended_on
    from cp_plans_replayed_as_of(as_known_at)
    union all
    select 'cp_review', local_authority, child_id, plan_id, started_on, ended_on
    from cp_plans_replayed_as_of(as_known_at)
    union all
    select 'lac_visit', local_authority, child_id, 'placement ' || placement_number,
        started_on, ended_on
    from placements_replayed_as_of(as_known_at)
    union all
    select 'lac_review', local_authority, child_id, period_id, started_on, ended_on
    from periods_of_care_replayed_as_of(as_known_at)
    where legal_status_at_start not in (select code from short_break_legal_status_codes)
),
steps as (
    select distinct 'cp_visit' as duty, local_authority, child_id, visited_on as step_on
    from statutory_visits_replayed_as_of(as_known_at)
    where visit_kind = 'CP' and seen
    union all
    select distinct 'lac_visit', local_authority, child_id, visited_on
    from statutory_visits_replayed_as_of(as_known_at)
    where visit_kind = 'LAC' and seen
    union all
    select distinct 'cp_review', local_authority, child_id, held_on
    from cp_review_conferences_replayed_as_of(as_known_at)
    union all
    select distinct 'lac_review', local_authority, child_id, held_on
    from statutory_reviews_replayed_as_of(as_known_at)
),
anchors as (
    select spells.*, spells.started_on as anchor_on, 0 as anchor_number
    from spells
    union all
    select spells.*, steps.step_on,
        row_number() over (
            partition by spells.duty, spells.local_authority, spells.child_id, spells.spell_id
            order by steps.step_on
        )
    from spells
    join steps
        on steps.duty = spells.duty
        and steps.local_authority = spells.local_authority
        and steps.child_id = spells.child_id
        and steps.step_on >= spells.started_on
        and (spells.ended_on is null or steps.step_on <= spells.ended_on)
),
chained as (
    select *,
        lead(anchor_on) over (
            partition by duty, local_authority, child_id, spell_id order by anchor_number
        ) as next_on
    from anchors
),
due as (
    select *, statutory_step_due_on(duty, anchor_number, anchor_on, started_on) as due_on
    from chained
)
select
    duty,
    local_authority,
    child_id,
    spell_id,
    started_on as spell_started_on,
    ended_on as spell_ended_on,
    anchor_number + 1 as step_number,
    anchor_on,
    due_on,
    next_on
from due
where covers(started_on, ended_on, due_on);

-- motherhood (issue 14): one row per young woman looked after recorded as a mother
-- (SSDA903 MOTHER), from the day recorded; her child's date of birth (MC_DOB) is personal
-- and not kept here.
create or replace macro motherhood_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    occurred_on as recorded_on,
    event_id as motherhood_event_id,
    recorded_at as motherhood_recorded_at
from events_as_of(as_known_at)
where event_type = 'MotherhoodRecorded';

-- uasc_statuses (issue 14): one row per time a child is recorded an unaccompanied asylum-
-- seeking child (SSDA903 UASC), from the day recorded, with the day it ceased (DUC; null
-- while it has not).
create or replace macro uasc_statuses_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    occurred_on as from_on,
    ceased_on,
    event_id as uasc_event_id,
    recorded_at as uasc_recorded_at
from events_as_of(as_known_at)
where event_type = 'UnaccompaniedAsylumSeekerRecorded';

-- adoption_matches (issue 14): one row per match of a child with prospective adopters
-- (SSDA903 AD1), under its decision to place for adoption.
create or replace macro adoption_matches_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    decision_id,
    occurred_on as matched_on,
    former_foster_carers,
    adopters,
    adopters_sex,
    adopters_legal_status,
    event_id as match_event_id,
    recorded_at as match_recorded_at
from events_as_of(as_known_at)
where event_type = 'AdoptionMatchRecorded';

-- previous_permanence (issue 14): one row per period of care of a child who had left care
-- before under a permanence order (SSDA903 PrevPerm), dated the period's start.
create or replace macro previous_permanence_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    occurred_on as recorded_on,
    arrangement,
    order_date,
    authority,
    event_id as permanence_event_id,
    recorded_at as permanence_recorded_at
from events_as_of(as_known_at)
where event_type = 'PreviousPermanenceRecorded';

-- sdq_scores (issue 14): one row per strengths and difficulties questionnaire of a
-- looked-after child (SSDA903 OC2): its score, or the reason it was not completed.
create or replace macro sdq_scores_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    occurred_on as recorded_on,
    score,
    reason,
    event_id as sdq_event_id,
    recorded_at as sdq_recorded_at
from events_as_of(as_known_at)
where event_type = 'StrengthsAndDifficultiesRecorded';

-- convictions (issue 14): one row per conviction, final warning or reprimand of a looked-
-- after child (SSDA903 OC2 CONVICTED).
create or replace macro convictions_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    occurred_on as recorded_on,
    event_id as conviction_event_id,
    recorded_at as conviction_recorded_at
from events_as_of(as_known_at)
where event_type = 'ConvictionRecorded';

-- substance_misuse (issue 14): one row per substance misuse problem identified for a
-- looked-after child (SSDA903 OC2), with whether an intervention was offered and received
-- (null when not recorded).
create or replace macro substance_misuse_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    occurred_on as identified_on,
    intervention_offered,
    intervention_received,
    event_id as substance_misuse_event_id,
    recorded_at as substance_misuse_recorded_at
from events_as_of(as_known_at)
where event_type = 'SubstanceMisuseIdentified';

-- cin_plans (issue 14): one row per child in need plan (CIN census CINplanDates) under
-- its referral, with the day it ended (null while open); a later census that knows the
-- end replaces the row (retraction and correction).
create or replace macro cin_plans_replayed_as_of(as_known_at) as table
select
    local_authority,
    child_id,
    referral_id,
    occurred_on as started_on,
    ended_on,
    event_id as cin_plan_event_id,
    recorded_at as cin_plan_recorded_at
from events_as_of(as_known_at)
where event_type = 'ChildInNeedPlanRecorded';
