-- looked_after_rate_per_10k: children looked after at 31 March per 10,000 children aged
-- 0-17 of the authority.
--
-- title: Children looked after per 10,000 children (at 31 March)
-- order: 33
-- kind: per_10k_children
-- case held on: 31 March
--
-- Definition (domain.md section 3, item 10): numerator, children looked after at 31 March,
-- not on short breaks (V3/V4) that day, as placements_3plus's denominator; rate,
-- numerator / the authority's children aged 0-17 that year (the `population` table)
-- * 10,000; null where no population is loaded.
--
-- Grain of looked_after_rate_per_10k_children: one row per child looked after at 31 March
-- (every row is in the numerator).

create or replace macro looked_after_rate_per_10k_children_as_of(as_known_at) as table
with
-- Step 1, the cohort: looked after at 31 March, not on a short break that day (cohorts.sql).
cohort as (
    select * from looked_after_at_31_march_as_of(as_known_at)
)
-- Step 2, the numerator: every child of the cohort.
select
    'looked_after_rate_per_10k' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.period_id as subject_id,
    cohort.march_31 as on_date,
    'legal status ' || cohort.legal_status || ' at 31 March' as detail,
    true as in_numerator
from cohort;
