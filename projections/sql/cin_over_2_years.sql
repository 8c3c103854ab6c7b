-- cin_over_2_years: referrals open at 31 March that were received more than 2 years before.
--
-- title: Children in need for more than 2 years (at 31 March)
-- order: 6
-- case held on: 31 March
--
-- Definition (domain.md section 3, indicator 6): denominator, referrals open at 31 March
-- (received on or before it, not closed on or before it); numerator, those received before
-- 31 March minus 2 years.
--
-- Readings fixed here (also in docs/analysts.md):
-- - "Before 31 March minus 2 years" is strictly before DuckDB's 31 March - INTERVAL 2 YEAR
--   (31 March Y-2): a referral received on 31 March Y-2 is not in the numerator.
--
-- Grain of cin_over_2_years_children: one row per referral open at 31 March.

create or replace macro cin_over_2_years_children_as_of(as_known_at) as table
with
-- Step 1, the cohort: referrals open at 31 March (cohorts.sql).
cohort as (
    select * from referrals_open_at_31_march_as_of(as_known_at)
)
-- Step 2, the numerator: received before 31 March minus 2 years.
select
    'cin_over_2_years' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.referral_id as subject_id,
    cohort.march_31 as on_date,
    'referral received ' || cohort.received_on as detail,
    cohort.received_on < years_after(cohort.march_31, -2) as in_numerator
from cohort;
