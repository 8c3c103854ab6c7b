-- children_in_need_rate_per_10k: children in need at 31 March per 10,000 children aged
-- 0-17 of the authority.
--
-- title: Children in need per 10,000 children (at 31 March)
-- order: 31
-- kind: per_10k_children
-- case held on: 31 March
--
-- Definition (domain.md section 3, item 10): numerator, children in need at 31 March: with
-- a referral open at 31 March (received on or before it, not closed on or before it), as
-- cin_over_2_years reads open; rate, numerator / the authority's children aged 0-17 that
-- year (the `population` table, ONS mid-year estimate) * 10,000; null where no population
-- is loaded.
--
-- Readings fixed here (also in docs/analysts.md):
-- - A child with several referrals open at 31 March counts once; the row names the
--   earliest received (ties: the smallest referral_id).
--
-- Grain of children_in_need_rate_per_10k_children: one row per child in need at 31 March
-- (every row is in the numerator).

create or replace macro children_in_need_rate_per_10k_children_as_of(as_known_at) as table
with
-- Step 1, the cohort: referrals open at 31 March (cohorts.sql), then one row per child.
cohort as (
    select * from referrals_open_at_31_march_as_of(as_known_at)
    qualify row_number() over (
        partition by year, local_authority, child_id order by received_on, referral_id
    ) = 1
)
-- Step 2, the numerator: every child of the cohort.
select
    'children_in_need_rate_per_10k' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.referral_id as subject_id,
    cohort.march_31 as on_date,
    'referral received ' || cohort.received_on || ', open at 31 March' as detail,
    true as in_numerator
from cohort;
