-- care_leavers_19_21_suitable_accommodation: care leavers at their 19th, 20th and 21st birthdays in suitable accommodation.
--
-- title: Care leavers 19-21 in suitable accommodation
-- order: 9
-- case held on: the birthday
--
-- Definition (domain.md section 3, indicator 7): one row per care leaver per 19th, 20th and 21st
-- birthday falling in the year, where the young person is not looked after on that
-- birthday; the outcome is the closest CareLeaverContactRecorded dated from 3 months
-- before to 1 month after the birthday; rows whose outcome says DIED or RHOM are dropped,
-- rows with no outcome stay in the denominator. Numerator: the accommodation code ends in 1 (suitable).
-- The rows, the care-leaver test and the choice of outcome are care_leaver_birthdays
-- (care_leavers.sql), shared by the four care-leaver indicators.
--
-- Grain of care_leavers_19_21_suitable_accommodation_children: one row per care leaver per birthday in the year.

create or replace macro care_leavers_19_21_suitable_accommodation_children_as_of(as_known_at) as table
-- Step 1, the cohort: 19th, 20th and 21st birthdays of care leavers, outcome not DIED or RHOM.
-- Step 2, the numerator: the accommodation code ends in 1 (suitable).
-- Both steps, one row per care leaver per birthday: care_leavers_in_suitable_accommodation
-- (cohorts.sql).
select 'care_leavers_19_21_suitable_accommodation' as indicator, *
from care_leavers_in_suitable_accommodation_as_of(as_known_at, [19, 20, 21]);
