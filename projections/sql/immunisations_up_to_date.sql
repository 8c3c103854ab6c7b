-- immunisations_up_to_date: children looked after continuously for 12 months at 31 March
-- whose immunisations are up to date.
--
-- title: Children in care with immunisations up to date
-- order: 22
-- case held on: 31 March
--
-- Definition: denominator, children looked after continuously for 12 months at 31 March;
-- numerator, those whose latest ImmunisationsStatusRecorded dated in the year (1 April to
-- 31 March) says up to date, as OC2's IMMUNISATIONS reads it.
--
-- The cohort is SSDA903's OC2 table's (domain.md section 3, indicator 14): children looked
-- after continuously for at least 12 months at 31 March, that is looked after on every day
-- from 1 April to 31 March inclusive (so still looked after at 31 March). Days under a
-- short-break legal status (V3/V4) do not count as looked after, so a child on short
-- breaks on any day of the year is left out, as OC2 leaves out children looked after only
-- under an agreed series of short breaks. A period of care ending and another starting on
-- the same day (X1) is continuous. It is looked_after_for_12_months_at_31_march
-- (cohorts.sql), shared by the three health indicators.
--
-- Readings fixed here (also in docs/analysts.md):
-- - The latest status dated in the year decides (of two on one day, the later recorded);
--   a child with no status dated in the year is not known to be up to date, so is in the
--   denominator only. An older status is not used: the schedule moves on with age.
--
-- Grain of immunisations_up_to_date_children: one row per child in the denominator per year.

create or replace macro immunisations_up_to_date_children_as_of(as_known_at) as table
with
-- Step 1, the cohort: looked after on every day of the year up to and including 31 March
-- (12 months continuously), days on short breaks (V3/V4) not counting (cohorts.sql).
cohort as (
    select * from looked_after_for_12_months_at_31_march_as_of(as_known_at)
),
-- Step 2, the numerator: the latest status dated in the year says up to date.
latest_status as (
    select cohort.year, cohort.local_authority, cohort.child_id, checks.checked_on,
        checks.immunisations_up_to_date
    from cohort
    join health_checks_as_of(as_known_at) as checks
        on checks.local_authority = cohort.local_authority
        and checks.child_id = cohort.child_id
        and checks.check_type = 'immunisations'
        and checks.checked_on between cohort.year_starts_on and cohort.march_31
    qualify row_number() over (
        partition by cohort.year, cohort.local_authority, cohort.child_id
        order by checks.checked_on desc, checks.check_recorded_at desc, checks.check_event_id
    ) = 1
)
select
    'immunisations_up_to_date' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.child_id as subject_id,
    cohort.march_31 as on_date,
    case
        when latest_status.checked_on is null then 'no immunisations status in the year'
        when latest_status.immunisations_up_to_date
            then 'up to date on ' || latest_status.checked_on
        else 'not up to date on ' || latest_status.checked_on
    end as detail,
    coalesce(latest_status.immunisations_up_to_date, false) as in_numerator
from cohort
left join latest_status using (year, local_authority, child_id);
