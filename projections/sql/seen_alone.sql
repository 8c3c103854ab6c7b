-- seen_alone: assessments completed in the year in which the child was seen alone.
--
-- title: Assessments where the child was seen alone
-- order: 12
-- case held on: the day the assessment was completed
--
-- Definition (domain.md section 3, indicator 9): denominator, assessments completed in the
-- year; numerator, those recorded as having seen the child alone. An assessment whose
-- answer is not recorded (seen_alone null: one imported from the CIN census, which does
-- not say) is left out of the cohort, neither seen alone nor not: counting it as not seen
-- alone would report a year of imported history as 0%.
--
-- Grain of seen_alone_children: one row per assessment completed in the year.

create or replace macro seen_alone_children_as_of(as_known_at) as table
with
years as (
    select * from reporting_years_as_of(as_known_at)
),
-- Step 1, the cohort: assessments completed in the year, whether the child was seen
-- alone recorded.
cohort as (
    select years.year, assessments.*
    from assessments_as_of(as_known_at) as assessments
    join years on reporting_year(assessments.completed_on) = years.year
    where assessments.seen_alone is not null
)
-- Step 2, the numerator: the child was seen alone.
select
    'seen_alone' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.assessment_id as subject_id,
    cohort.completed_on as on_date,
    'assessment completed ' || cohort.completed_on as detail,
    cohort.seen_alone as in_numerator
from cohort;
