-- conference_family_attendance: family members expected at child protection conferences in
-- the year who attended.
--
-- title: Family members attending child protection conferences
-- order: 25
-- case held on: the day of the conference
--
-- Definition (domain.md section 3, indicator 15, all family roles together: the case
-- study's "family members attending CP conferences", 84% (32/38) in July 2015):
-- denominator, the family roles (mother, father, grandparent, other family member; not the
-- child) recorded at conferences held in the year, one per role per conference; numerator,
-- those who attended. conference_family_attendance_<role> give each role alone.
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
-- Grain of conference_family_attendance_children:
-- one row per conference per family role counted.

create or replace macro conference_family_attendance_children_as_of(as_known_at) as table
-- Step 1, the cohort: the family roles (not the child) recorded at a conference held in
-- the year (conference_attendance_rows, cohorts.sql: one row per conference per role).
-- Step 2, the numerator: that family member attended (in_numerator).
select 'conference_family_attendance' as indicator, * exclude (family_role)
from conference_attendance_rows_as_of(as_known_at)
where family_role <> 'child';
