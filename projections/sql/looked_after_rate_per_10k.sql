-- looked_after_rate_per_10k: children looked after at 31 March per 10,000 children aged
-- 0-17 of the authority.
--
-- title: Children looked after per 10,000 children (at 31 March)
-- order: 33
-- kind: per_10k_children
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
years as (
    select * from reporting_years_as_of(as_known_at)
),
-- Step 1, the cohort: looked after at 31 March, not on a short break that day.
cohort as (
    select years.year, years.march_31, spells.*
    from years
    join legal_status_spells_as_of(as_known_at) as spells
        on covers(spells.starts_on, spells.ends_on, years.march_31)
    where not spells.is_short_break
    qualify row_number() over (
        partition by years.year, spells.local_authority, spells.child_id
        order by spells.starts_on desc, spells.period_id
    ) = 1
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
