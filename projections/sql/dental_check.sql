-- dental_check: children looked after continuously for 12 months at 31 March who had a
-- dental check in the year.
--
-- title: Children in care with a dental check
-- order: 23
--
-- Definition: denominator, children looked after continuously for 12 months at 31 March;
-- numerator, those with a DentalCheckCompleted dated in the year (1 April to 31 March), as
-- OC2's TEETH_CHECK reads it.
--
-- The cohort is SSDA903's OC2 table's (domain.md section 3, indicator 14): children looked
-- after continuously for at least 12 months at 31 March, that is looked after on every day
-- from 1 April to 31 March inclusive (so still looked after at 31 March). Days under a
-- short-break legal status (V3/V4) do not count as looked after, so a child on short
-- breaks on any day of the year is left out, as OC2 leaves out children looked after only
-- under an agreed series of short breaks. A period of care ending and another starting on
-- the same day (X1) is continuous.
--
-- Grain of dental_check_children: one row per child in the denominator per year.

create or replace macro dental_check_children_as_of(as_known_at) as table
with
years as (
    select * from reporting_years_as_of(as_known_at)
),
-- Step 1, the cohort: looked after on every day of the year up to and including 31 March
-- (12 months continuously), days on short breaks (V3/V4) not counting.
days_looked_after as (
    select
        years.year, years.year_starts_on, years.march_31,
        spells.local_authority, spells.child_id,
        sum(days_within(spells.starts_on, spells.ends_on, years.year_starts_on,
            years.march_31)) as days
    from years
    join legal_status_spells_as_of(as_known_at) as spells
        on spells.starts_on <= years.march_31
        and (spells.ends_on is null or spells.ends_on > years.year_starts_on)
    where not spells.is_short_break
    group by all
),
cohort as (
    select * from days_looked_after
    where days = march_31 - year_starts_on + 1
),
-- Step 2, the numerator: a dental check dated in the year.
latest_check as (
    select cohort.year, cohort.local_authority, cohort.child_id,
        max(checks.checked_on) as checked_on
    from cohort
    join health_checks_as_of(as_known_at) as checks
        on checks.local_authority = cohort.local_authority
        and checks.child_id = cohort.child_id
        and checks.check_type = 'dental_check'
        and checks.checked_on between cohort.year_starts_on and cohort.march_31
    group by all
)
select
    'dental_check' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.child_id as subject_id,
    cohort.march_31 as on_date,
    case
        when latest_check.checked_on is null then 'no dental check in the year'
        else 'last dental check ' || latest_check.checked_on
    end as detail,
    latest_check.checked_on is not null as in_numerator
from cohort
left join latest_check using (year, local_authority, child_id);
