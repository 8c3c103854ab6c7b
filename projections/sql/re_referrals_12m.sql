-- re_referrals_12m: referrals received in the year within 12 months of a previous referral.
--
-- title: Re-referrals within 12 months
-- order: 5
-- case held on: the day the referral was received
--
-- Definition (domain.md section 3, indicator 5): denominator, referrals received in the
-- year; numerator, those whose child had another referral on an earlier date on or after
-- this referral's date minus 1 year.
--
-- Readings fixed here (also in docs/analysts.md):
-- - "Minus 1 year" is DuckDB's date - INTERVAL 1 YEAR: a referral on 29 February 2024
--   looks back to 28 February 2023 inclusive.
-- - Two referrals on the same day are not each other's earlier referral.
--
-- Grain of re_referrals_12m_children: one row per referral received in the year.

create or replace macro re_referrals_12m_children_as_of(as_known_at) as table
with
years as (
    select * from reporting_years_as_of(as_known_at)
),
referrals as (
    select * from referrals_as_of(as_known_at)
),
-- Step 1, the cohort: referrals received in the year.
cohort as (
    select years.year, referrals.*
    from referrals
    join years on reporting_year(referrals.received_on) = years.year
),
-- Step 2, the numerator: another referral in the 12 months before, on an earlier date.
re_referred as (
    select distinct cohort.year, cohort.local_authority, cohort.child_id, cohort.referral_id
    from cohort
    join referrals as earlier
        on earlier.local_authority = cohort.local_authority
        and earlier.child_id = cohort.child_id
        and earlier.received_on < cohort.received_on
        and earlier.received_on >= years_after(cohort.received_on, -1)
)
select
    're_referrals_12m' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.referral_id as subject_id,
    cohort.received_on as on_date,
    'referral received ' || cohort.received_on as detail,
    re_referred.referral_id is not null as in_numerator
from cohort
left join re_referred using (year, local_authority, child_id, referral_id);
