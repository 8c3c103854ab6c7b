-- The analyst tables at many knowledge moments at once, for the kept tables
-- (projections/maintain.py).
--
-- Each `<table>_at_moments(types)` is its `<table>_replayed_as_of` of tables.sql (or
-- care_leavers.sql) computed for every moment of the grid `kept_moments(types)` at once:
-- the same rules, with `moment` added to every partition and join, over the events of the
-- children being brought up to date (`kept_events_to_replay`, filled by maintain.py) that
-- count at that moment. `types` are the event types the table is built from; the grid is
-- every recorded_at, and every retraction moment, of those events of the child, from the
-- moment the child's update starts: between two of them nothing the table reads changes.
-- Tests compare every table with its `_replayed_as_of` at every moment
-- (tests/unit/test_projection_kept.py): a change to a table's rules goes in both files.

-- The grid: per child being updated, the moments at which its `types` events can change
-- the table, from `since` (the earliest moment the update touches) on.
create or replace macro kept_moments(types) as table
with
moments as (
    select local_authority, child_id, since as moment from kept_children_to_update
    union all
    select local_authority, child_id, recorded_at from kept_events_to_replay
    where list_contains(types, event_type)
    union all
    select local_authority, child_id, valid_until from kept_events_to_replay
    where list_contains(types, event_type) and valid_until is not null
)
select distinct moments.local_authority, moments.child_id, moments.moment
from moments
join kept_children_to_update as children using (local_authority, child_id)
where moments.moment >= children.since;

-- events_as_of at each moment of the grid: the child's `types` events recorded on or
-- before the moment and not retracted by then (valid_until: the earliest recorded_at of
-- an EventRetracted naming the event, retracted or not).
--
-- With `once`, each event only at the moment it was recorded, for every child being
-- updated and whatever its `since`: for the tables whose every row comes from one event
-- and stays as it is until that event is retracted (maintain.py, ONE_ROW_PER_EVENT), whose
-- versions are then known from that moment until the retraction. The grid would give the
-- same versions, but by joining each of a child's moments to all its events before it:
-- for a child visited a hundred times, some five thousand rows for a hundred versions.
create or replace macro events_at_moments(types, once := false) as table
select moments.moment, events.* exclude (valid_until)
from kept_moments(types) as moments
join kept_events_to_replay as events
    on events.local_authority = moments.local_authority
    and events.child_id = moments.child_id
where not once
  and list_contains(types, events.event_type)
  and events.recorded_at <= moments.moment
  and (events.valid_until is null or events.valid_until > moments.moment)
union all
select events.recorded_at as moment, events.* exclude (valid_until)
from kept_events_to_replay as events
semi join kept_children_to_update as children using (local_authority, child_id)
where once
  and list_contains(types, events.event_type)
  and (events.valid_until is null or events.valid_until > events.recorded_at);

-- Per child, the first and last reporting year of its events: reporting_years_as_of is
-- the range from the smallest first_year to the greatest last_year.
create or replace macro reporting_year_spans_at_moments(types) as table
select
    moment,
    local_authority,
    child_id,
    min(reporting_year(occurred_on)) as first_year,
    max(reporting_year(occurred_on)) as last_year
from events_at_moments(types)
group by moment, local_authority, child_id;

create or replace macro children_at_moments(types) as table
select
    moment,
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
from events_at_moments(types)
where event_type = 'ChildRegistered'
qualify row_number() over (
    partition by moment, local_authority, child_id order by recorded_at desc, event_id
) = 1;

create or replace macro referrals_at_moments(types) as table
with
known as (
    select * from events_at_moments(types)
    where event_type in ('ReferralReceived', 'ReferralClosed')
),
received as (
    select * from known where event_type = 'ReferralReceived'
),
closed as (
    select * from known where event_type = 'ReferralClosed'
    qualify row_number() over (
        partition by moment, local_authority, child_id, referral_id
        order by occurred_on, recorded_at, event_id
    ) = 1
)
select
    received.moment,
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
left join closed using (moment, local_authority, child_id, referral_id);

create or replace macro assessments_at_moments(types) as table
with
known as (
    select * from events_at_moments(types)
    where event_type in ('AssessmentStarted', 'AssessmentCompleted')
),
started as (
    select * from known where event_type = 'AssessmentStarted'
    qualify row_number() over (
        partition by moment, local_authority, child_id, assessment_id
        order by occurred_on, recorded_at, event_id
    ) = 1
),
completed as (
    select * from known where event_type = 'AssessmentCompleted'
    qualify row_number() over (
        partition by moment, local_authority, child_id, assessment_id
        order by occurred_on, recorded_at, event_id
    ) = 1
)
select
    coalesce(started.moment, completed.moment) as moment,
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
    on completed.moment = started.moment
    and completed.local_authority = started.local_authority
    and completed.child_id = started.child_id
    and completed.assessment_id = started.assessment_id;

create or replace macro enquiries_at_moments(types) as table
with
known as (
    select * from events_at_moments(types)
    where event_type in ('Section47Started', 'ChildProtectionConferenceHeld')
),
started as (
    select * from known where event_type = 'Section47Started'
),
conference as (
    select * from known where event_type = 'ChildProtectionConferenceHeld'
    qualify row_number() over (
        partition by moment, local_authority, child_id, enquiry_id
        order by occurred_on, recorded_at, event_id
    ) = 1
)
select
    started.moment,
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
left join conference using (moment, local_authority, child_id, enquiry_id);

create or replace macro cp_plans_at_moments(types) as table
with
known as (
    select * from events_at_moments(types)
    where event_type in ('ChildProtectionPlanStarted', 'ChildProtectionPlanEnded')
),
started as (
    select * from known where event_type = 'ChildProtectionPlanStarted'
),
ended as (
    select * from known where event_type = 'ChildProtectionPlanEnded'
    qualify row_number() over (
        partition by moment, local_authority, child_id, plan_id
        order by occurred_on, recorded_at, event_id
    ) = 1
)
select
    started.moment,
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
left join ended using (moment, local_authority, child_id, plan_id);

create or replace macro periods_of_care_at_moments(types) as table
with
known as (
    select * from events_at_moments(types)
    where event_type in ('PeriodOfCareStarted', 'PeriodOfCareEnded')
),
started as (
    select * from known where event_type = 'PeriodOfCareStarted'
),
ended as (
    select * from known where event_type = 'PeriodOfCareEnded'
    qualify row_number() over (
        partition by moment, local_authority, child_id, period_id
        order by occurred_on, recorded_at, event_id
    ) = 1
)
select
    started.moment,
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
left join ended using (moment, local_authority, child_id, period_id);

create or replace macro legal_status_spells_at_moments(types) as table
with
periods as (
    select * from periods_of_care_at_moments(types)
),
status_changes as (
    select
        moment, local_authority, child_id, period_id,
        started_on as starts_on,
        legal_status_at_start as legal_status,
        started_event_id as event_id,
        started_recorded_at as recorded_at,
        0 as order_in_day
    from periods
    union all
    select
        moment, local_authority, child_id, period_id,
        occurred_on as starts_on,
        legal_status,
        event_id,
        recorded_at,
        1 as order_in_day
    from events_at_moments(types)
    where event_type = 'LegalStatusChanged'
)
select
    status_changes.moment,
    status_changes.local_authority,
    status_changes.child_id,
    status_changes.period_id,
    status_changes.legal_status,
    status_changes.legal_status in (select code from short_break_legal_status_codes) as is_short_break,
    status_changes.starts_on,
    least(
        lead(status_changes.starts_on) over (
            partition by status_changes.moment, status_changes.local_authority,
                status_changes.child_id, status_changes.period_id
            order by status_changes.starts_on, status_changes.order_in_day,
                status_changes.recorded_at, status_changes.event_id
        ),
        periods.ended_on
    ) as ends_on,
    status_changes.event_id as status_event_id,
    status_changes.recorded_at as status_recorded_at
from status_changes
join periods using (moment, local_authority, child_id, period_id)
where periods.ended_on is null or status_changes.starts_on <= periods.ended_on;

create or replace macro placement_spells_at_moments(types) as table
with
known as (
    select * from events_at_moments(types)
    where event_type in ('PlacementStarted', 'PlacementEnded')
),
started as (
    select * from known where event_type = 'PlacementStarted'
),
ended as (
    select * from known where event_type = 'PlacementEnded'
    qualify row_number() over (
        partition by moment, local_authority, child_id, placement_id
        order by occurred_on, recorded_at, event_id
    ) = 1
)
select
    started.moment,
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
left join ended using (moment, local_authority, child_id, placement_id)
left join periods_of_care_at_moments(types) as periods
    on periods.moment = started.moment
    and periods.local_authority = started.local_authority
    and periods.child_id = started.child_id
    and periods.period_id = started.period_id;

create or replace macro placements_at_moments(types) as table
with
lasting_spells as (
    select * from placement_spells_at_moments(types) where not is_temporary
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
        partition by moment, local_authority, child_id
        order by started_on, started_recorded_at, placement_id
    )
),
numbered as (
    select
        *,
        cast(sum(starts_new_placement) over (
            partition by moment, local_authority, child_id
            order by started_on, started_recorded_at, placement_id
            rows between unbounded preceding and current row
        ) as integer) as placement_number
    from marked
)
select
    moment,
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
group by moment, local_authority, child_id, placement_number;

create or replace macro personal_advisers_at_moments(types, once := false) as table
select
    moment,
    local_authority,
    child_id,
    adviser_id,
    occurred_on as allocated_on,
    event_id as allocated_event_id,
    recorded_at as allocated_recorded_at
from events_at_moments(types, once)
where event_type = 'PersonalAdviserAllocated';

create or replace macro care_leaver_contacts_at_moments(types, once := false) as table
select
    moment,
    local_authority,
    child_id,
    occurred_on as contact_on,
    in_touch,
    activity,
    accommodation,
    event_id as contact_event_id,
    recorded_at as contact_recorded_at
from events_at_moments(types, once)
where event_type = 'CareLeaverContactRecorded';

-- care_leaver_birthdays for every 17th to 21st birthday, whatever its year: the kept
-- table's as-of macro keeps those in a year with data (the only place the replayed
-- definition reads reporting_years_as_of), so a child's rows depend on its events only.
create or replace macro care_leaver_birthdays_at_moments(types) as table
with
spells as (
    select * from legal_status_spells_at_moments(types)
),
birthdays as (
    select
        children.moment,
        reporting_year(children.birthdays[ages.age]) as year,
        children.local_authority,
        children.child_id,
        ages.age,
        children.birthdays[14] as turned_14_on,
        children.birthdays[16] as turned_16_on,
        children.birthdays[ages.age] as birthday
    from children_at_moments(types) as children
    cross join (values (17), (18), (19), (20), (21)) as ages(age)
),
looked_after_days as (
    select
        birthdays.moment,
        birthdays.year,
        birthdays.local_authority,
        birthdays.child_id,
        birthdays.age,
        sum(days_within(spells.starts_on, spells.ends_on,
            birthdays.turned_14_on, birthdays.birthday)) as days_since_14,
        sum(days_within(spells.starts_on, spells.ends_on,
            birthdays.turned_16_on, birthdays.birthday)) as days_since_16
    from birthdays
    join spells using (moment, local_authority, child_id)
    where not spells.is_short_break
    group by all
),
care_leavers as (
    select birthdays.*
    from birthdays
    join looked_after_days using (moment, year, local_authority, child_id, age)
    where looked_after_days.days_since_14 >= 91
      and looked_after_days.days_since_16 >= 1
),
not_looked_after_on_birthday as (
    select care_leavers.*
    from care_leavers
    anti join spells
        on spells.moment = care_leavers.moment
        and spells.local_authority = care_leavers.local_authority
        and spells.child_id = care_leavers.child_id
        and covers(spells.starts_on, spells.ends_on, care_leavers.birthday)
),
-- Not this authority's care leavers: the most recent period ended E2, E3, E11 or E12.
not_this_authoritys as (
    select rows.moment, rows.year, rows.local_authority, rows.child_id, rows.age,
        periods.reason_ceased
    from not_looked_after_on_birthday as rows
    join periods_of_care_at_moments(types) as periods
        on periods.moment = rows.moment
        and periods.local_authority = rows.local_authority
        and periods.child_id = rows.child_id
        and periods.ended_on <= rows.birthday
    qualify row_number() over (
        partition by rows.moment, rows.year, rows.local_authority, rows.child_id, rows.age
        order by periods.ended_on desc, periods.started_on desc, periods.period_id desc
    ) = 1
),
this_authoritys_care_leavers as (
    select rows.*
    from not_looked_after_on_birthday as rows
    anti join (
        select * from not_this_authoritys
        where reason_ceased in (select code from not_a_care_leaver_reason_episode_ceased_codes)
    ) as others using (moment, year, local_authority, child_id, age)
),
outcomes as (
    select
        rows.moment, rows.year, rows.local_authority, rows.child_id, rows.age,
        contacts.contact_on, contacts.in_touch, contacts.activity, contacts.accommodation,
        contacts.contact_event_id, contacts.contact_recorded_at
    from this_authoritys_care_leavers as rows
    join care_leaver_contacts_at_moments(types) as contacts
        on contacts.moment = rows.moment
        and contacts.local_authority = rows.local_authority
        and contacts.child_id = rows.child_id
        and contacts.contact_on between months_after(rows.birthday, -3)
            and months_after(rows.birthday, 1)
    qualify row_number() over (
        partition by rows.moment, rows.year, rows.local_authority, rows.child_id, rows.age
        order by abs(contacts.contact_on - rows.birthday),
            contacts.contact_recorded_at desc, contacts.contact_on desc,
            contacts.contact_event_id desc
    ) = 1
)
select
    rows.moment,
    rows.year,
    rows.local_authority,
    rows.child_id,
    rows.age,
    rows.birthday,
    outcomes.contact_on,
    outcomes.in_touch,
    outcomes.activity,
    outcomes.accommodation,
    outcomes.contact_event_id,
    outcomes.contact_recorded_at
from this_authoritys_care_leavers as rows
left join outcomes using (moment, year, local_authority, child_id, age)
where outcomes.in_touch is null or outcomes.in_touch not in (select code from in_touch_without_a_row_codes);

create or replace macro statutory_reviews_at_moments(types, once := false) as table
select
    moment,
    local_authority,
    child_id,
    occurred_on as held_on,
    participation,
    event_id as review_event_id,
    recorded_at as review_recorded_at
from events_at_moments(types, once)
where event_type = 'StatutoryReviewHeld';

create or replace macro education_plans_at_moments(types, once := false) as table
select
    moment,
    local_authority,
    child_id,
    occurred_on as completed_on,
    event_id as plan_event_id,
    recorded_at as plan_recorded_at
from events_at_moments(types, once)
where event_type = 'PersonalEducationPlanCompleted';

create or replace macro health_checks_at_moments(types, once := false) as table
select
    moment,
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
from events_at_moments(types, once)
where event_type in
    ('HealthAssessmentCompleted', 'DentalCheckCompleted', 'ImmunisationsStatusRecorded');

create or replace macro conference_attendance_at_moments(types, once := false) as table
with
recorded as (
    select * from events_at_moments(types, once)
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
    moment,
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


-- Supervision (issue 15): as tables.sql.
create or replace macro allocations_at_moments(types) as table
with
known as (
    select * from events_at_moments(types)
    where event_type in ('CaseAllocated', 'CaseAllocationEnded')
),
allocated as (
    select * from known where event_type = 'CaseAllocated'
),
ended as (
    select * from known where event_type = 'CaseAllocationEnded'
    qualify row_number() over (
        partition by moment, local_authority, child_id, allocation_id
        order by occurred_on, recorded_at, event_id
    ) = 1
)
select
    allocated.moment,
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
left join ended using (moment, local_authority, child_id, allocation_id);

create or replace macro statutory_visits_at_moments(types, once := false) as table
select
    moment,
    local_authority,
    child_id,
    occurred_on as visited_on,
    visit_kind,
    seen,
    seen_alone,
    event_id as visit_event_id,
    recorded_at as visit_recorded_at
from events_at_moments(types, once)
where event_type = 'StatutoryVisitMade';

create or replace macro strategy_discussions_at_moments(types, once := false) as table
select
    moment,
    local_authority,
    child_id,
    discussion_id,
    referral_id,
    occurred_on as held_on,
    section47_required,
    event_id as discussion_event_id,
    recorded_at as discussion_recorded_at
from events_at_moments(types, once)
where event_type = 'StrategyDiscussionHeld';

create or replace macro cp_review_conferences_at_moments(types, once := false) as table
select
    moment,
    local_authority,
    child_id,
    plan_id,
    occurred_on as held_on,
    plan_continues,
    event_id as conference_event_id,
    recorded_at as conference_recorded_at
from events_at_moments(types, once)
where event_type = 'ChildProtectionReviewConferenceHeld';

create or replace macro missing_episodes_at_moments(types, once := false) as table
select
    moment,
    local_authority,
    child_id,
    occurred_on as started_on,
    absence,
    returned_on,
    event_id as missing_event_id,
    recorded_at as missing_recorded_at
from events_at_moments(types, once)
where event_type = 'MissingEpisodeRecorded';

-- statutory_steps: as tables.sql, with the moment in every partition and join.
create or replace macro statutory_steps_at_moments(types) as table
with
spells as (
    select moment, 'cp_visit' as duty, local_authority, child_id, plan_id as spell_id,
        started_on, ended_on
    from cp_plans_at_moments(types)
    union all
    select moment, 'cp_review', local_authority, child_id, plan_id, started_on, ended_on
    from cp_plans_at_moments(types)
    union all
    select moment, 'lac_visit', local_authority, child_id, 'placement ' || placement_number,
        started_on, ended_on
    from placements_at_moments(types)
    union all
    select moment, 'lac_review', local_authority, child_id, period_id, started_on, ended_on
    from periods_of_care_at_moments(types)
    where legal_status_at_start not in (select code from short_break_legal_status_codes)
),
steps as (
    select distinct moment, 'cp_visit' as duty, local_authority, child_id,
        visited_on as step_on
    from statutory_visits_at_moments(types)
    where visit_kind = 'CP' and seen
    union all
    select distinct moment, 'lac_visit', local_authority, child_id, visited_on
    from statutory_visits_at_moments(types)
    where visit_kind = 'LAC' and seen
    union all
    select distinct moment, 'cp_review', local_authority, child_id, held_on
    from cp_review_conferences_at_moments(types)
    union all
    select distinct moment, 'lac_review', local_authority, child_id, held_on
    from statutory_reviews_at_moments(types)
),
anchors as (
    select spells.*, spells.started_on as anchor_on, 0 as anchor_number
    from spells
    union all
    select spells.*, steps.step_on,
        row_number() over (
            partition by spells.moment, spells.duty, spells.local_authority, spells.child_id,
                spells.spell_id
            order by steps.step_on
        )
    from spells
    join steps
        on steps.moment = spells.moment
        and steps.duty = spells.duty
        and steps.local_authority = spells.local_authority
        and steps.child_id = spells.child_id
        and steps.step_on >= spells.started_on
        and (spells.ended_on is null or steps.step_on <= spells.ended_on)
),
chained as (
    select *,
        lead(anchor_on) over (
            partition by moment, duty, local_authority, child_id, spell_id
            order by anchor_number
        ) as next_on
    from anchors
),
due as (
    select *, statutory_step_due_on(duty, anchor_number, anchor_on, started_on) as due_on
    from chained
)
select
    moment,
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

-- The statutory returns' items (issue 14): as tables.sql, with the moment.
create or replace macro motherhood_at_moments(types, once := false) as table
select
    moment,
    local_authority,
    child_id,
    occurred_on as recorded_on,
    event_id as motherhood_event_id,
    recorded_at as motherhood_recorded_at
from events_at_moments(types, once)
where event_type = 'MotherhoodRecorded';

create or replace macro uasc_statuses_at_moments(types, once := false) as table
select
    moment,
    local_authority,
    child_id,
    occurred_on as from_on,
    ceased_on,
    event_id as uasc_event_id,
    recorded_at as uasc_recorded_at
from events_at_moments(types, once)
where event_type = 'UnaccompaniedAsylumSeekerRecorded';

create or replace macro adoption_matches_at_moments(types, once := false) as table
select
    moment,
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
from events_at_moments(types, once)
where event_type = 'AdoptionMatchRecorded';

create or replace macro previous_permanence_at_moments(types, once := false) as table
select
    moment,
    local_authority,
    child_id,
    occurred_on as recorded_on,
    arrangement,
    order_date,
    authority,
    event_id as permanence_event_id,
    recorded_at as permanence_recorded_at
from events_at_moments(types, once)
where event_type = 'PreviousPermanenceRecorded';

create or replace macro sdq_scores_at_moments(types, once := false) as table
select
    moment,
    local_authority,
    child_id,
    occurred_on as recorded_on,
    score,
    reason,
    event_id as sdq_event_id,
    recorded_at as sdq_recorded_at
from events_at_moments(types, once)
where event_type = 'StrengthsAndDifficultiesRecorded';

create or replace macro convictions_at_moments(types, once := false) as table
select
    moment,
    local_authority,
    child_id,
    occurred_on as recorded_on,
    event_id as conviction_event_id,
    recorded_at as conviction_recorded_at
from events_at_moments(types, once)
where event_type = 'ConvictionRecorded';

create or replace macro substance_misuse_at_moments(types, once := false) as table
select
    moment,
    local_authority,
    child_id,
    occurred_on as identified_on,
    intervention_offered,
    intervention_received,
    event_id as substance_misuse_event_id,
    recorded_at as substance_misuse_recorded_at
from events_at_moments(types, once)
where event_type = 'SubstanceMisuseIdentified';

create or replace macro cin_plans_at_moments(types, once := false) as table
select
    moment,
    local_authority,
    child_id,
    referral_id,
    occurred_on as started_on,
    ended_on,
    event_id as cin_plan_event_id,
    recorded_at as cin_plan_recorded_at
from events_at_moments(types, once)
where event_type = 'ChildInNeedPlanRecorded';
