-- cp_second_plan_within_2y: children who became the subject of a child protection plan in
-- the year for a second or subsequent time, an earlier plan having ended within the 2
-- years before (or not ended).
--
-- title: Children on a second CP plan within 2 years of the previous one
-- order: 4
-- case held on: the day the first plan of the year started
--
-- Definition (domain.md section 3, indicator 4): as cp_second_plan (one row per child who
-- became the subject of a plan in the year), but the earlier plan must have ended on or
-- after the later plan's start minus 2 years (or not have ended).
--
-- Changed (issue 13, item 4): one row per child, not per plan, as cp_second_plan; a plan
-- started earlier in the same year counts as an earlier plan.
--
-- Readings fixed here (also in docs/analysts.md):
-- - "Earlier" is an earlier start date, as in cp_second_plan.
-- - An earlier plan that has not ended (still open when the new one starts) counts: it
--   certainly did not end more than 2 years before.
-- - "Minus 2 years" is DuckDB's start - INTERVAL 2 YEAR (29 February - 2 years = 28 February).
-- - subject_id and on_date: the child's first plan started in the year, as cp_second_plan.
--
-- Grain of cp_second_plan_within_2y_children: one row per child who became the subject of
-- a plan in the year.

create or replace macro cp_second_plan_within_2y_children_as_of(as_known_at) as table
with
-- Step 1, the cohort: plans that started in the year, then one row per child (the first
-- plan started and how many; cohorts.sql).
cohort as (
    select * from children_becoming_subject_of_a_plan_as_of(as_known_at)
),
-- Step 2, the numerator: a plan of the year with an earlier plan that ended on or after
-- its start minus 2 years, or had not ended (the pairs of plans: cohorts.sql).
with_recent_plan as (
    select distinct year, local_authority, child_id
    from cp_plans_with_an_earlier_plan_as_of(as_known_at)
    where earlier_ended_on is null or earlier_ended_on >= years_after(started_on, -2)
)
select
    'cp_second_plan_within_2y' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.first_plan_id as subject_id,
    cohort.first_started_on as on_date,
    cast(cohort.plans_started as varchar) || ' plan(s) started in the year, the first '
        || cohort.first_started_on
        || case when with_recent_plan.child_id is not null
            then '; an earlier plan open within the 2 years before' else '' end
        as detail,
    with_recent_plan.child_id is not null as in_numerator
from cohort
left join with_recent_plan using (year, local_authority, child_id);
