-- The cohorts and steps several indicators share, written once (domain.md section 3).
--
-- Installed after the kept tables (their `_as_of` macros) and before the indicator files,
-- which read them by name. Each macro says what one row is; the indicator files say which
-- rows they count and why.

-- Children looked after at 31 March of each reporting year, not on a short break (V3/V4)
-- that day (domain.md section 3, "Short breaks"). One row per child per year: the spell
-- covering 31 March (of two, the later started; then the smaller period_id), with
-- year_starts_on and march_31.
create or replace macro looked_after_at_31_march_as_of(as_known_at) as table
select years.year, years.year_starts_on, years.march_31, spells.*
from reporting_years_as_of(as_known_at) as years
join legal_status_spells_as_of(as_known_at) as spells
    on covers(spells.starts_on, spells.ends_on, years.march_31)
where not spells.is_short_break
qualify row_number() over (
    partition by years.year, spells.local_authority, spells.child_id
    order by spells.starts_on desc, spells.period_id
) = 1;

-- SSDA903's OC2 cohort (domain.md section 3, indicator 14): children looked after
-- continuously for at least 12 months at 31 March, that is looked after on every day from
-- 1 April to 31 March inclusive (so still looked after at 31 March). Days under a
-- short-break legal status (V3/V4) do not count as looked after, so a child on short
-- breaks on any day of the year is left out, as OC2 leaves out children looked after only
-- under an agreed series of short breaks. A period of care ending and another starting on
-- the same day (X1) is continuous. One row per child per year.
create or replace macro looked_after_for_12_months_at_31_march_as_of(as_known_at) as table
with
days_looked_after as (
    select
        years.year, years.year_starts_on, years.march_31,
        spells.local_authority, spells.child_id,
        sum(days_within(spells.starts_on, spells.ends_on, years.year_starts_on,
            years.march_31)) as days
    from reporting_years_as_of(as_known_at) as years
    join legal_status_spells_as_of(as_known_at) as spells
        on spells.starts_on <= years.march_31
        and (spells.ends_on is null or spells.ends_on > years.year_starts_on)
    where not spells.is_short_break
    group by all
)
select * from days_looked_after
where days = march_31 - year_starts_on + 1;

-- The OC2 cohort (above) with the latest health check of one type (dental_check,
-- health_assessment) dated in the year (1 April to 31 March), as drill-down rows less the
-- indicator's name: one row per child of the cohort per year, in the numerator with such a
-- check; `check_name` is what the detail calls it.
create or replace macro looked_after_for_12_months_with_check_as_of(
    as_known_at, of_type, check_name
) as table
with
latest_check as (
    select reporting_year(checked_on) as year, local_authority, child_id,
        max(checked_on) as checked_on
    from health_checks_as_of(as_known_at)
    where check_type = of_type
    group by all
)
select
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.child_id as subject_id,
    cohort.march_31 as on_date,
    case
        when latest_check.checked_on is null then 'no ' || check_name || ' in the year'
        else 'last ' || check_name || ' ' || latest_check.checked_on
    end as detail,
    latest_check.checked_on is not null as in_numerator
from looked_after_for_12_months_at_31_march_as_of(as_known_at) as cohort
left join latest_check using (year, local_authority, child_id);

-- Referrals open at 31 March of each reporting year: received on or before it, not closed
-- on or before it. One row per referral per year, with march_31.
create or replace macro referrals_open_at_31_march_as_of(as_known_at) as table
select years.year, years.march_31, referrals.*
from reporting_years_as_of(as_known_at) as years
join referrals_as_of(as_known_at) as referrals
    on covers(referrals.received_on, referrals.closed_on, years.march_31);

-- Child protection plans with the reporting year they started in (a year with data).
create or replace macro cp_plans_started_in_year_as_of(as_known_at) as table
select years.year, plans.*
from cp_plans_as_of(as_known_at) as plans
join reporting_years_as_of(as_known_at) as years
    on reporting_year(plans.started_on) = years.year;

-- Children who became the subject of a child protection plan in the year: one row per
-- child per year, however many plans started, naming the first (ties: the smallest
-- plan_id) and counting them.
create or replace macro children_becoming_subject_of_a_plan_as_of(as_known_at) as table
select
    year,
    local_authority,
    child_id,
    arg_min(plan_id, (started_on, plan_id)) as first_plan_id,
    min(started_on) as first_started_on,
    count(*) as plans_started
from cp_plans_started_in_year_as_of(as_known_at)
group by year, local_authority, child_id;

-- Each plan started in the year with each plan of the same child that started on an
-- earlier date (ever, including earlier in the same year; two plans starting on the same
-- day are not each other's earlier plan): one row per such pair.
create or replace macro cp_plans_with_an_earlier_plan_as_of(as_known_at) as table
select
    plans_in_year.year,
    plans_in_year.local_authority,
    plans_in_year.child_id,
    plans_in_year.started_on,
    earlier.started_on as earlier_started_on,
    earlier.ended_on as earlier_ended_on
from cp_plans_started_in_year_as_of(as_known_at) as plans_in_year
join cp_plans_as_of(as_known_at) as earlier
    on earlier.local_authority = plans_in_year.local_authority
    and earlier.child_id = plans_in_year.child_id
    and earlier.started_on < plans_in_year.started_on;

-- The attendance of each role (family roles and the child) recorded at a child protection
-- conference held in the year, as drill-down rows less the indicator's name: one row per
-- conference per role recorded (a role recorded as null is no row), in_numerator whether
-- that person attended.
create or replace macro conference_attendance_rows_as_of(as_known_at) as table
select
    years.year,
    attendance.local_authority,
    attendance.child_id,
    attendance.enquiry_id as subject_id,
    attendance.conference_on as on_date,
    replace(attendance.family_role, '_', ' ') || ' at the conference of '
        || attendance.conference_on as detail,
    attendance.attended as in_numerator,
    attendance.family_role
from conference_attendance_as_of(as_known_at) as attendance
join reporting_years_as_of(as_known_at) as years
    on reporting_year(attendance.conference_on) = years.year;

-- Care leavers at the birthdays of `ages` (care_leaver_birthdays, care_leavers.sql: rows
-- whose outcome says DIED or RHOM dropped, rows with no contact recorded kept), one row
-- per care leaver per birthday, with both outcomes the care-leaver indicators count: the
-- activity is an EET code (eet_activity_codes), the accommodation code ends in 1
-- (suitable). A row with no contact recorded has neither.
create or replace macro care_leaver_outcomes_as_of(as_known_at, ages) as table
select
    rows.year,
    rows.local_authority,
    rows.child_id,
    'birthday ' || rows.age as subject_id,
    rows.birthday as on_date,
    coalesce('activity ' || rows.activity || ' on ' || rows.contact_on, 'no contact recorded')
        as activity_detail,
    coalesce(rows.activity in (select code from eet_activity_codes), false) as in_eet,
    coalesce(
        'accommodation ' || rows.accommodation || ' on ' || rows.contact_on,
        'no contact recorded'
    ) as accommodation_detail,
    coalesce(ends_with(rows.accommodation, '1'), false) as in_suitable_accommodation
from care_leaver_birthdays_as_of(as_known_at) as rows
where list_contains(ages, rows.age);

-- Those rows as drill-down rows less the indicator's name, in the numerator when in
-- education, employment or training ...
create or replace macro care_leavers_in_education_employment_or_training_as_of(
    as_known_at, ages
) as table
select year, local_authority, child_id, subject_id, on_date,
    activity_detail as detail, in_eet as in_numerator
from care_leaver_outcomes_as_of(as_known_at, ages);

-- ... or when in suitable accommodation.
create or replace macro care_leavers_in_suitable_accommodation_as_of(as_known_at, ages) as table
select year, local_authority, child_id, subject_id, on_date,
    accommodation_detail as detail, in_suitable_accommodation as in_numerator
from care_leaver_outcomes_as_of(as_known_at, ages);
