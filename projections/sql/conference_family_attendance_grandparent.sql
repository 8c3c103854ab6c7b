-- conference_family_attendance_grandparent: child protection conferences in the year at
-- which a grandparent was expected and attended.
--
-- title: Conferences attended by grandparents
-- order: 28
-- case held on: the day of the conference
--
-- Definition (domain.md section 3, indicator 15, for one family role): denominator,
-- conferences held in the year at which the attendance of a grandparent is recorded
-- (attended or not); numerator, those the grandparent attended.
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
-- Grain of conference_family_attendance_grandparent_children:
-- one row per conference per family role counted.

create or replace macro conference_family_attendance_grandparent_children_as_of(as_known_at) as table
-- Step 1, the cohort: the grandparent role recorded at a conference held in the year
-- (conference_attendance_rows, cohorts.sql: one row per conference per role).
-- Step 2, the numerator: that family member attended (in_numerator).
select 'conference_family_attendance_grandparent' as indicator, * exclude (family_role)
from conference_attendance_rows_as_of(as_known_at)
where family_role = 'grandparent';
