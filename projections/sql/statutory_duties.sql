-- The statutory timescales of supervision (issue 15), written once: what the timeliness
-- indicators count and what `journeys due` lists. Working days are England's
-- (working_days_after, projections/working_days.py); "N months after D" is months_after.
--
-- Timescales that start once and end once:
-- - a single assessment is due within 45 working days of its referral's receipt;
-- - an initial child protection conference is due within 15 working days of the strategy
--   discussion that started the section 47 timescale: the latest strategy discussion under
--   the enquiry's referral held on or before the day the enquiry started; where none is
--   recorded, the enquiry's own start (the timescale cannot start later than that).
--
-- Timescales that recur: a chain of steps over a spell, each step due a set time after the
-- previous one was taken (so a late visit moves the next one's due date, as practice
-- reckons it), the first a set time after the spell starts:
-- - cp_visit: over a CP plan, a CP visit at which the child was seen within 10 working days
--   of the plan's start, then within 10 working days of the previous such visit;
-- - lac_visit: over a placement (the indicators' placements: temporary spells dropped,
--   same-carer spells merged), a looked-after visit at which the child was seen within a
--   week (7 days) of its start, then within six weeks (42 days) of the previous visit while
--   the placement is in its first year, then within three months. Reading fixed here: the
--   Care Planning Regulations 2010 (reg. 28) allow three months after the first year only
--   for a placement agreed to be long-term; the record does not hold that agreement, so
--   every placement is read as one after its first year;
-- - lac_review: over a period of care (not one begun under a short-break legal status,
--   V3/V4, whose reviews follow another timetable), the first statutory review within 20
--   working days of entering care, the second within 3 months of the first, then each
--   within 6 months of the previous;
-- - cp_review: over a CP plan, the first review conference within 3 months of the plan's
--   start (the day of the initial conference), then each within 6 months of the previous.
-- A step is due only while its spell is open on the due day (a plan ended before a visit
-- falls due asks for no visit). Several steps on one day count once.

-- Assessments and their 45 working days: one row per assessment whose referral counts.
create or replace macro assessment_timescales_as_of(as_known_at) as table
select
    assessments.local_authority,
    assessments.child_id,
    assessments.assessment_id,
    assessments.referral_id,
    referrals.received_on as starts_on,
    working_days_after(referrals.received_on, 45) as due_on,
    assessments.completed_on,
    working_days_between(referrals.received_on, assessments.completed_on) as working_days
from assessments_as_of(as_known_at) as assessments
join referrals_as_of(as_known_at) as referrals using (local_authority, child_id, referral_id);

-- Initial child protection conferences and their 15 working days: one row per enquiry.
create or replace macro conference_timescales_as_of(as_known_at) as table
with
enquiries as (
    select * from enquiries_as_of(as_known_at)
),
discussions as (
    select enquiries.local_authority, enquiries.child_id, enquiries.enquiry_id,
        max(discussions.held_on) as discussion_on
    from enquiries
    join strategy_discussions_as_of(as_known_at) as discussions
        on discussions.local_authority = enquiries.local_authority
        and discussions.child_id = enquiries.child_id
        and discussions.referral_id = enquiries.referral_id
        and discussions.held_on <= enquiries.started_on
    group by all
),
started as (
    select enquiries.*, coalesce(discussions.discussion_on, enquiries.started_on) as starts_on,
        discussions.discussion_on is not null as from_a_discussion
    from enquiries
    left join discussions using (local_authority, child_id, enquiry_id)
)
select
    local_authority,
    child_id,
    enquiry_id,
    referral_id,
    starts_on,
    from_a_discussion,
    working_days_after(starts_on, 15) as due_on,
    conference_on,
    working_days_between(starts_on, conference_on) as working_days
from started;

-- The recurring duties' steps are the kept table statutory_steps (tables.sql: one row
-- per step due, with the step it follows, anchor_on, the spell's start for step 1, and
-- the step that met it, next_on, null while none has; the due days are
-- statutory_step_due_on's), kept per child as the analyst tables are, so that the four
-- timeliness indicators and `journeys due` read stored steps rather than chain every
-- child's visits and reviews again.

-- The steps of one duty decided by day judged_on: met (taken by the due day), or missed
-- (the due day passed before judged_on without it). A step not yet taken and not yet due
-- is undecided and in no denominator.
create or replace macro statutory_steps_decided_as_of(as_known_at, of_duty) as table
select
    reporting_year(due_on) as year,
    *,
    next_on is not null and next_on <= due_on as met
from statutory_steps_as_of(as_known_at)
where duty = of_duty
  and (
      (next_on is not null and next_on <= due_on)
      or due_on < least(cast(as_known_at as date), current_date)
  );

-- What is due (`journeys due`): as known at as_known_at, each child's next statutory step
-- due on or before on_day + window_days (overdue ones too), with who holds the case on
-- on_day. One row per step due:
-- - an assessment not completed under an open referral (45 working days);
-- - an initial child protection conference not held for an enquiry under an open referral
--   (15 working days);
-- - the next step of each recurring duty whose spell is open on on_day;
-- - a personal adviser for a young person looked after on on_day, not yet 18, with none
--   allocated by then, due at 15 years 9 months (the trust's policy; pa_by_15y9m).
create or replace macro due_items_as_of(as_known_at, on_day, window_days) as table
with
open_referrals as (
    select * from referrals_as_of(as_known_at)
    where received_on <= on_day and (closed_on is null or closed_on >= on_day)
),
assessments_due as (
    select 'assessment' as duty, timescales.local_authority, timescales.child_id,
        timescales.assessment_id as subject_id, timescales.due_on,
        'assessment ' || timescales.assessment_id || ': referral received '
            || timescales.starts_on || ', 45 working days' as detail
    from assessment_timescales_as_of(as_known_at) as timescales
    semi join open_referrals using (local_authority, child_id, referral_id)
    where timescales.completed_on is null
),
conferences_due as (
    select 'initial conference', timescales.local_authority, timescales.child_id,
        timescales.enquiry_id, timescales.due_on,
        'enquiry ' || timescales.enquiry_id || ': '
            || if(timescales.from_a_discussion, 'strategy discussion ', 'enquiry started ')
            || timescales.starts_on || ', 15 working days'
    from conference_timescales_as_of(as_known_at) as timescales
    semi join open_referrals using (local_authority, child_id, referral_id)
    where timescales.conference_on is null
),
steps_due as (
    select
        case duty
            when 'cp_visit' then 'CP visit'
            when 'lac_visit' then 'looked-after visit'
            when 'lac_review' then 'looked-after review'
            else 'CP review conference'
        end,
        local_authority, child_id, spell_id || ' step ' || step_number, due_on,
        case duty
            when 'lac_visit' then spell_id
            when 'lac_review' then 'period of care ' || spell_id
            else 'CP plan ' || spell_id
        end
            || if(duty like '%visit', ', visit ', ', review ') || step_number || ', counted from '
            || if(step_number = 1, 'the start ', 'the last ') || anchor_on
    from statutory_steps_as_of(as_known_at)
    where next_on is null and covers(spell_started_on, spell_ended_on, on_day)
),
looked_after as (
    select distinct local_authority, child_id
    from periods_of_care_as_of(as_known_at)
    where covers(started_on, ended_on, on_day)
),
advisers_due as (
    select 'personal adviser', children.local_authority, children.child_id,
        'personal adviser', children.reaches_15y9m_on,
        'no personal adviser; 15 years 9 months on '
            || children.reaches_15y9m_on
    from children_as_of(as_known_at) as children
    semi join looked_after using (local_authority, child_id)
    anti join (
        select * from personal_advisers_as_of(as_known_at) where allocated_on <= on_day
    ) as advisers using (local_authority, child_id)
    where children.birthdays[18] > on_day
),
items as (
    select * from assessments_due
    union all select * from conferences_due
    union all select * from steps_due
    union all select * from advisers_due
)
select
    items.local_authority,
    coalesce(held.locality_id, 'not allocated') as locality,
    coalesce(held.team_id, 'not allocated') as team,
    coalesce(held.worker_id, 'not allocated') as worker,
    items.child_id,
    items.duty,
    items.subject_id,
    items.due_on,
    cast(items.due_on - on_day as integer) as days_left,
    items.detail
from items
left join allocations_as_of(as_known_at) as held
    on held.local_authority = items.local_authority
    and held.child_id = items.child_id
    and covers(held.allocated_on, held.ended_on, on_day)
where items.due_on <= on_day + cast(window_days as integer);

-- The drill-down of a recurring duty's timeliness indicator (cp_visits_on_time and the
-- others): one row per step of `of_duty` due in a year of the record and decided, in the
-- numerator when taken by the due day; `noun` names the step in the detail.
create or replace macro statutory_step_drill_down_as_of(as_known_at, of_duty, name, noun) as table
select
    name as indicator,
    steps.year,
    steps.local_authority,
    steps.child_id,
    steps.spell_id || ' step ' || steps.step_number as subject_id,
    steps.due_on as on_date,
    noun || ' ' || steps.step_number || ' due ' || steps.due_on || ', '
        || coalesce('made ' || steps.next_on, 'not made') as detail,
    steps.met as in_numerator
from statutory_steps_decided_as_of(as_known_at, of_duty) as steps
semi join reporting_years_as_of(as_known_at) as years using (year);
