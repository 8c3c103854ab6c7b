-- initial_conferences_within_15_days: initial child protection conferences held in the
-- year within 15 working days of the strategy discussion.
--
-- title: Initial CP conferences within 15 working days of the strategy discussion
-- order: 41
-- case held on: the day of the conference
--
-- Definition (DfE, Working Together; CIN census): denominator, initial child protection
-- conferences held in the year; numerator, those held within 15 working days of the start
-- of the section 47 timescale: the latest strategy discussion under the enquiry's referral
-- held on or before the day the enquiry started, else (none recorded) the enquiry's start
-- (conference_timescales_as_of, statutory_duties.sql). Working days as
-- assessments_within_45_days.
--
-- Grain of initial_conferences_within_15_days_children: one row per initial conference.

create or replace macro initial_conferences_within_15_days_children_as_of(as_known_at) as table
with
years as (
    select * from reporting_years_as_of(as_known_at)
),
-- Step 1, the cohort: initial conferences held in the year.
cohort as (
    select years.year, timescales.*
    from conference_timescales_as_of(as_known_at) as timescales
    join years on reporting_year(timescales.conference_on) = years.year
)
-- Step 2, the numerator: held within 15 working days.
select
    'initial_conferences_within_15_days' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.enquiry_id as subject_id,
    cohort.conference_on as on_date,
    if(cohort.from_a_discussion, 'strategy discussion ', 'enquiry started ')
        || cohort.starts_on || ', conference ' || cohort.conference_on || ': '
        || coalesce(cohort.working_days || ' working days', 'outside the calendar')
        as detail,
    coalesce(cohort.working_days <= 15, false) as in_numerator
from cohort;
