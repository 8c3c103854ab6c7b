-- cp_second_plan: child protection plans started in the year that were a second or
-- subsequent plan for the child.
--
-- title: CP plans that were a second or subsequent plan
-- order: 3
--
-- Definition (domain.md section 3, indicator 3): denominator, CP plans that started in the
-- year; numerator, those whose child had another CP plan that started earlier (ever).
--
-- Readings fixed here (also in docs/analysts.md):
-- - "Earlier" is an earlier date: two plans starting on the same day are not each other's
--   earlier plan.
--
-- Grain of cp_second_plan_children: one row per plan started in the year.

create or replace macro cp_second_plan_children_as_of(as_known_at) as table
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
-- Step 2, the numerator: the child had a plan that started on an earlier date.
with_earlier_plan as (
    select distinct cohort.year, cohort.local_authority, cohort.child_id, cohort.plan_id
    from cohort
    join plans as earlier
        on earlier.local_authority = cohort.local_authority
        and earlier.child_id = cohort.child_id
        and earlier.started_on < cohort.started_on
)
select
    'cp_second_plan' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.plan_id as subject_id,
    cohort.started_on as on_date,
    'plan started ' || cohort.started_on as detail,
    with_earlier_plan.plan_id is not null as in_numerator
from cohort
left join with_earlier_plan using (year, local_authority, child_id, plan_id);
