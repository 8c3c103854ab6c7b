-- cp_second_plan: children who became the subject of a child protection plan in the year
-- for a second or subsequent time.
--
-- title: Children who became the subject of a CP plan for a second or subsequent time
-- order: 3
-- case held on: the day the first plan of the year started
--
-- Definition (domain.md section 3, indicator 3): denominator, children who became the
-- subject of a CP plan in the year (one row per child, however many plans started);
-- numerator, those children for whom a plan that started in the year had another plan
-- that started on an earlier date (ever, including earlier in the same year). The case
-- study's wording: "proportion of children who became the subject of a plan for a second
-- or subsequent time".
--
-- Changed (issue 13, item 4): the denominator used to be the plans started in the year
-- (one row per plan); a child with two plans in the year counted twice, and a child whose
-- first ever plan and second plan both started in the year was both a first and a second.
-- Now one row per child; that child is in the numerator.
--
-- Readings fixed here (also in docs/analysts.md):
-- - "Earlier" is an earlier date: two plans starting on the same day are not each other's
--   earlier plan.
-- - The row's subject_id and on_date are those of the child's first plan started in the
--   year (its day for the age band); detail says how many started and the earliest
--   earlier start found.
--
-- Grain of cp_second_plan_children: one row per child who became the subject of a plan in
-- the year.

create or replace macro cp_second_plan_children_as_of(as_known_at) as table
with
-- Step 1, the cohort: plans that started in the year, then one row per child (the first
-- plan started and how many; cohorts.sql).
cohort as (
    select * from children_becoming_subject_of_a_plan_as_of(as_known_at)
),
-- Step 2, the numerator: a plan of the year with another that started on an earlier date
-- (cohorts.sql).
with_earlier_plan as (
    select year, local_authority, child_id, min(earlier_started_on) as earlier_started_on
    from cp_plans_with_an_earlier_plan_as_of(as_known_at)
    group by all
)
select
    'cp_second_plan' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.first_plan_id as subject_id,
    cohort.first_started_on as on_date,
    cast(cohort.plans_started as varchar) || ' plan(s) started in the year, the first '
        || cohort.first_started_on
        || coalesce('; an earlier plan started ' || with_earlier_plan.earlier_started_on, '')
        as detail,
    with_earlier_plan.child_id is not null as in_numerator
from cohort
left join with_earlier_plan using (year, local_authority, child_id);
