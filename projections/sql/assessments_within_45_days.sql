-- assessments_within_45_days: single assessments completed in the year within 45 working
-- days of the referral.
--
-- title: Assessments completed within 45 working days
-- order: 40
-- case held on: the day the assessment was completed
--
-- Definition (DfE, Working Together to Safeguard Children; CIN census): denominator,
-- single assessments completed in the year whose referral is recorded; numerator, those
-- completed within 45 working days of the day the referral was received (working days:
-- Monday to Friday, not a bank holiday in England; the day of the referral is day 0).
-- Timescale: assessment_timescales_as_of (statutory_duties.sql). An assessment whose
-- working days cannot be counted (a date outside the bank-holiday calendar's years) is in
-- the denominator and not the numerator, and its detail says so.
--
-- Grain of assessments_within_45_days_children: one row per assessment completed.

create or replace macro assessments_within_45_days_children_as_of(as_known_at) as table
with
years as (
    select * from reporting_years_as_of(as_known_at)
),
-- Step 1, the cohort: assessments completed in the year.
cohort as (
    select years.year, timescales.*
    from assessment_timescales_as_of(as_known_at) as timescales
    join years on reporting_year(timescales.completed_on) = years.year
)
-- Step 2, the numerator: completed within 45 working days of the referral.
select
    'assessments_within_45_days' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.assessment_id as subject_id,
    cohort.completed_on as on_date,
    'referral ' || cohort.starts_on || ', completed ' || cohort.completed_on || ': '
        || coalesce(cohort.working_days || ' working days', 'outside the calendar')
        as detail,
    coalesce(cohort.working_days <= 45, false) as in_numerator
from cohort;
