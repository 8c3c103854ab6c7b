-- placements_3plus: children looked after at 31 March with 3 or more placements in the year.
--
-- title: Children looked after with 3 or more placements in the year
-- order: 1
-- case held on: 31 March
--
-- Definition (domain.md section 3, indicator 1): denominator, children looked after at
-- 31 March (not V3/V4 on that day); numerator, those of them with 3 or more placements
-- overlapping the year. Placements are those of the `placements` table: temporary spells
-- (T0-T4) dropped, consecutive spells with the same carer merged.
--
-- Readings fixed here (also in docs/analysts.md):
-- - A placement overlaps year Y when it started on or before 31 March Y and had not ended
--   on or before 1 April Y-1: a placement that ended on 1 April, the day of a move, belongs
--   to the year before, as "looked after on day D" reads.
-- - Every placement of the child counts, whichever period of care it belongs to.
--
-- Grain of placements_3plus_children: one row per child in the denominator per year.

create or replace macro placements_3plus_children_as_of(as_known_at) as table
with
-- Step 1, the cohort: looked after at 31 March, not on a short break that day (cohorts.sql).
cohort as (
    select * from looked_after_at_31_march_as_of(as_known_at)
),
-- Step 2, the numerator: count the placements overlapping the year.
placements_in_year as (
    select
        cohort.year,
        cohort.local_authority,
        cohort.child_id,
        count(placements.placement_number) as placements
    from cohort
    left join placements_as_of(as_known_at) as placements
        on placements.local_authority = cohort.local_authority
        and placements.child_id = cohort.child_id
        and placements.started_on <= cohort.march_31
        and (placements.ended_on is null or placements.ended_on > cohort.year_starts_on)
    group by cohort.year, cohort.local_authority, cohort.child_id
)
select
    'placements_3plus' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.period_id as subject_id,
    cohort.march_31 as on_date,
    cast(placements_in_year.placements as varchar) || ' placements in the year' as detail,
    placements_in_year.placements >= 3 as in_numerator
from cohort
join placements_in_year using (year, local_authority, child_id);
