-- cp_plans_started_rate_per_10k: children who became the subject of a child protection
-- plan in the year per 10,000 children aged 0-17 of the authority.
--
-- title: Children who became the subject of a CP plan per 10,000 children
-- order: 32
-- kind: per_10k_children
-- case held on: the day the first plan of the year started
--
-- Definition (domain.md section 3, item 10): numerator, children who became the subject of
-- a CP plan in the year (a plan started in the year; one row per child, however many
-- started, as cp_second_plan counts them); rate, numerator / the authority's children aged
-- 0-17 that year (the `population` table) * 10,000; null where no population is loaded.
--
-- Readings fixed here (also in docs/analysts.md):
-- - The row names the child's first plan started in the year (ties: the smallest plan_id).
--
-- Grain of cp_plans_started_rate_per_10k_children: one row per child who became the
-- subject of a plan in the year (every row is in the numerator).

create or replace macro cp_plans_started_rate_per_10k_children_as_of(as_known_at) as table
with
-- Step 1, the cohort: children who became the subject of a plan in the year, one row per
-- child naming the first plan started (cohorts.sql).
cohort as (
    select * from children_becoming_subject_of_a_plan_as_of(as_known_at)
)
-- Step 2, the numerator: every child of the cohort.
select
    'cp_plans_started_rate_per_10k' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.first_plan_id as subject_id,
    cohort.first_started_on as on_date,
    'plan started ' || cohort.first_started_on as detail,
    true as in_numerator
from cohort;
