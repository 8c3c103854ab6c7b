-- conference_family_attendance_other_family: child protection conferences in the year at
-- which another family member was expected and attended.
--
-- title: Conferences attended by other family members
-- order: 29
--
-- Definition (domain.md section 3, indicator 15, for one family role): denominator,
-- conferences held in the year at which the attendance of another family member is recorded
-- (attended or not); numerator, those the other family member attended.
--
-- Readings fixed here (also in docs/analysts.md):
-- - Conferences are initial child protection conferences (ChildProtectionConferenceHeld)
--   held in the year; their attendance is the ConferenceAttendanceRecorded of the same
--   enquiry and day (the rules refuse one for a conference not held, or recorded twice).
-- - A role recorded as null (no such family member, or not invited) is no row: the
--   denominator is the conferences where that family member was expected, as the case
--   study's figures (mothers 49/54, fathers 25/35) count them. A conference with no
--   attendance recorded is no row either.
--
-- Grain of conference_family_attendance_other_family_children:
-- one row per conference per family role counted.

create or replace macro conference_family_attendance_other_family_children_as_of(as_known_at) as table
with
years as (
    select * from reporting_years_as_of(as_known_at)
),
-- Step 1, the cohort: the family role recorded at a conference held in the year.
cohort as (
    select years.year, attendance.*
    from conference_attendance_as_of(as_known_at) as attendance
    join years on reporting_year(attendance.conference_on) = years.year
    where attendance.family_role = 'other_family'
)
-- Step 2, the numerator: that family member attended.
select
    'conference_family_attendance_other_family' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.enquiry_id as subject_id,
    cohort.conference_on as on_date,
    replace(cohort.family_role, '_', ' ') || ' at the conference of ' || cohort.conference_on
        as detail,
    cohort.attended as in_numerator
from cohort;
