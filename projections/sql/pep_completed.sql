-- pep_completed: children in care of statutory school age (5 to 15), in care for more than
-- 28 days at 31 March, with a completed personal education plan.
--
-- title: Children in care with a completed personal education plan
-- order: 20
-- case held on: 31 March
--
-- Definition (domain.md section 3, indicator 12; the case study's footnote 91: "children
-- in care of statutory school age who had been in care for more than 28 days"):
-- denominator, children looked after at 31 March (not V3/V4 that day), aged 5 to 15 on
-- that day, whose current period of care started more than 28 days before it; numerator,
-- those with a PersonalEducationPlanCompleted in their current period of care, in the
-- 6 months up to 31 March.
--
-- Readings fixed here (also in docs/analysts.md):
-- - The case study counts on a day of its choosing (September 2014, December 2016); the
--   project counts at 31 March, as every other "at 31 March" indicator does.
-- - "More than 28 days": 31 March minus the current period's start is more than 28 days,
--   i.e. the period started on or before 31 March minus 29 days (2 March, or 3 March in
--   a leap year).
-- - "A completed PEP": the plan must be current, so one completed (or reviewed: each
--   review is recorded as a completed plan) on or after 31 March minus 6 months (30
--   September) and on or before 31 March, within the current period of care. A PEP is
--   reviewed every term, so a plan older than 6 months is out of date.
-- - Age from ChildRegistered; a child with none that counts is left out.
--
-- Grain of pep_completed_children: one row per child in the denominator per year.

create or replace macro pep_completed_children_as_of(as_known_at) as table
with
-- Step 1, the cohort: looked after at 31 March, not on a short break that day (cohorts.sql),
-- aged 5 to 15 that day, in a period of care that started more than 28 days before.
cohort as (
    select looked_after.*, periods.started_on as period_started_on
    from looked_after_at_31_march_as_of(as_known_at) as looked_after
    join children_as_of(as_known_at) as children using (local_authority, child_id)
    join periods_of_care_as_of(as_known_at) as periods
        using (local_authority, child_id, period_id)
    where children.birthdays[5] <= looked_after.march_31
      and children.birthdays[16] > looked_after.march_31
      and periods.started_on <= looked_after.march_31 - 29
),
-- Step 2, the numerator: a PEP completed in the current period, in the 6 months to 31 March.
latest_plan as (
    select cohort.year, cohort.local_authority, cohort.child_id,
        max(plans.completed_on) as completed_on
    from cohort
    join education_plans_as_of(as_known_at) as plans
        on plans.local_authority = cohort.local_authority
        and plans.child_id = cohort.child_id
        and plans.completed_on between greatest(cohort.period_started_on,
            months_after(cohort.march_31, -6)) and cohort.march_31
    group by all
)
select
    'pep_completed' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.period_id as subject_id,
    cohort.march_31 as on_date,
    case
        when latest_plan.completed_on is null then 'no PEP in the 6 months to 31 March'
        else 'PEP completed ' || latest_plan.completed_on
    end as detail,
    latest_plan.completed_on is not null as in_numerator
from cohort
left join latest_plan using (year, local_authority, child_id);
