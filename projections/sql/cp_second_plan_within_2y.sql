-- cp_second_plan_within_2y: child protection plans started in the year whose child had an
-- earlier plan that ended within the 2 years before (or had not ended).
--
-- title: Second CP plans within 2 years of the previous one
-- order: 4
--
-- Definition (domain.md section 3, indicator 4): as cp_second_plan, but the earlier plan
-- must have ended on or after the new plan's start minus 2 years.
--
-- Readings fixed here (also in docs/analysts.md):
-- - "Earlier" is an earlier start date, as in cp_second_plan.
-- - An earlier plan that has not ended (still open when the new one starts) counts: it
--   certainly did not end more than 2 years before.
-- - "Minus 2 years" is DuckDB's start - INTERVAL 2 YEAR (29 February - 2 years = 28 February).
--
-- Grain of cp_second_plan_within_2y_children: one row per plan started in the year.

create or replace macro cp_second_plan_within_2y_children_as_of(as_known_at) as table
with
years as (
    select * from reporting_years_as_of(as_known_at)
),
plans as (
    select * from cp_plans_as_of(as_known_at)
),
-- Step 1, the cohort: plans that started in the year.
cohort as (
    select years.year, plans.*
    from plans
    join years on reporting_year(plans.started_on) = years.year
),
-- Step 2, the numerator: an earlier plan that ended on or after this start minus 2 years.
with_recent_plan as (
    select distinct cohort.year, cohort.local_authority, cohort.child_id, cohort.plan_id
    from cohort
    join plans as earlier
        on earlier.local_authority = cohort.local_authority
        and earlier.child_id = cohort.child_id
        and earlier.started_on < cohort.started_on
        and (
            earlier.ended_on is null
            or earlier.ended_on >= years_after(cohort.started_on, -2)
        )
)
select
    'cp_second_plan_within_2y' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.plan_id as subject_id,
    cohort.started_on as on_date,
    'plan started ' || cohort.started_on as detail,
    with_recent_plan.plan_id is not null as in_numerator
from cohort
left join with_recent_plan using (year, local_authority, child_id, plan_id);
