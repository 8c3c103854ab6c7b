-- dental_check: children looked after continuously for 12 months at 31 March who had a
-- dental check in the year.
--
-- title: Children in care with a dental check
-- order: 23
-- case held on: 31 March
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
-- the same day (X1) is continuous. It is looked_after_for_12_months_at_31_march
-- (cohorts.sql), shared by the three health indicators.
--
-- Grain of dental_check_children: one row per child in the denominator per year.

create or replace macro dental_check_children_as_of(as_known_at) as table
-- Step 1, the cohort: looked after on every day of the year up to and including 31 March
-- (12 months continuously), days on short breaks (V3/V4) not counting.
-- Step 2, the numerator: a dental check dated in the year (both steps:
-- looked_after_for_12_months_with_check, cohorts.sql).
select 'dental_check' as indicator, *
from looked_after_for_12_months_with_check_as_of(as_known_at, 'dental_check', 'dental check');
