-- pa_by_15y9m: looked-after children with a personal adviser by the age of 15 years 9 months.
--
-- title: Personal adviser allocated by 15 years 9 months
-- order: 11
-- case held on: the day the young person reaches 15 years 9 months
--
-- Definition (domain.md section 3, indicator 8): denominator, children who reach 15 years
-- 9 months during the year, are looked after on that day and by then have been looked
-- after at least 91 days since the 14th birthday; numerator, those with a
-- PersonalAdviserAllocated dated on or before that day.
--
-- Readings fixed here (also in docs/analysts.md):
-- - The day a child reaches 15 years 9 months (children.reaches_15y9m_on, computed when
--   projecting) is the date of birth + 189 months (one interval, not 15 years then 9
--   months): born 29 February 2008, the day is 29 November 2023; born 31 May 2008, it is
--   29 February 2024.
-- - A child on a short break (V3/V4) that day is left out; days under V3/V4 do not count
--   towards the 91 (domain.md section 3, "Short breaks").
-- - The 91 days run from the 14th birthday to the 15y9m day, both included.
-- - Age comes from ChildRegistered; a child with none that counts is left out.
--
-- Grain of pa_by_15y9m_children: one row per child in the denominator.

create or replace macro pa_by_15y9m_children_as_of(as_known_at) as table
with
years as (
    select * from reporting_years_as_of(as_known_at)
),
counted_spells as (
    select * from legal_status_spells_as_of(as_known_at) where not is_short_break
),
-- Step 1, the cohort: the day each child reaches 15 years 9 months, in a year with data...
reaching_15y9m as (
    select
        years.year,
        children.local_authority,
        children.child_id,
        children.birthdays[14] as turned_14_on,
        children.reaches_15y9m_on as reaches_15y9m_on
    from children_as_of(as_known_at) as children
    join years on reporting_year(children.reaches_15y9m_on) = years.year
),
-- ... looked after that day (not on a short break) ...
looked_after_that_day as (
    select distinct reaching_15y9m.*
    from reaching_15y9m
    join counted_spells
        on counted_spells.local_authority = reaching_15y9m.local_authority
        and counted_spells.child_id = reaching_15y9m.child_id
        and covers(counted_spells.starts_on, counted_spells.ends_on,
            reaching_15y9m.reaches_15y9m_on)
),
-- ... and looked after at least 91 days since the 14th birthday.
cohort as (
    select
        looked_after_that_day.*,
        sum(days_within(counted_spells.starts_on, counted_spells.ends_on,
            looked_after_that_day.turned_14_on, looked_after_that_day.reaches_15y9m_on))
            as days_looked_after_since_14
    from looked_after_that_day
    join counted_spells using (local_authority, child_id)
    group by all
    having days_looked_after_since_14 >= 91
),
-- Step 2, the numerator: a personal adviser allocated on or before that day.
with_adviser as (
    select distinct cohort.year, cohort.local_authority, cohort.child_id
    from cohort
    join personal_advisers_as_of(as_known_at) as advisers
        on advisers.local_authority = cohort.local_authority
        and advisers.child_id = cohort.child_id
        and advisers.allocated_on <= cohort.reaches_15y9m_on
)
select
    'pa_by_15y9m' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.child_id as subject_id,
    cohort.reaches_15y9m_on as on_date,
    cast(cohort.days_looked_after_since_14 as varchar) || ' days looked after since 14'
        as detail,
    with_adviser.child_id is not null as in_numerator
from cohort
left join with_adviser using (year, local_authority, child_id);
