-- care_leaver_birthdays: the rows of the four care-leaver indicators (domain.md section 3,
-- indicator 7, with "Care leaver" and "Short breaks").
--
-- One row per young person per 17th to 21st birthday falling in a year with data, where:
-- - they are a care leaver by that birthday: looked after at least 91 days in total from
--   the 14th birthday, at least one of those days on or after the 16th birthday, days
--   under V3/V4 not counting;
-- - they are not looked after on the birthday (a period of care ending on the birthday
--   means not looked after on it);
-- - their most recent period of care that ended on or before the birthday did not end
--   E2 (died), E3 (care transferred to another authority) or E11/E12 (adopted): they are
--   not this authority's care leavers (changed in issue 13, item 4; before, they had rows);
-- - the outcome (the chosen contact) does not say DIED or RHOM.
-- The outcome is the CareLeaverContactRecorded dated from the birthday - INTERVAL 3 MONTH
-- to the birthday + INTERVAL 1 MONTH, both included, closest to the birthday.
--
-- Readings fixed here (also in docs/analysts.md):
-- - The care-leaver test counts days from the 14th birthday (included) up to the birthday
--   of the row: what was true by then, whatever happens later.
-- - Birthdays are children.birthdays[N], the date of birth + N years, computed when
--   projecting (the database holds no date of birth): born 29 February, the birthday in
--   a non-leap year is 28 February.
-- - A tie on distance goes to the later recorded_at; if still tied, to the later contact
--   date, then the greater event_id (so the choice never depends on load order).
-- - Age comes from ChildRegistered; a young person with none that counts is left out.
-- - "Most recent" is the latest end date; periods ending the same day, the later start,
--   then the greater period_id.

create or replace macro care_leaver_birthdays_replayed_as_of(as_known_at) as table
with
years as (
    select * from reporting_years_replayed_as_of(as_known_at)
),
spells as (
    select * from legal_status_spells_replayed_as_of(as_known_at)
),
birthdays as (
    select
        years.year,
        children.local_authority,
        children.child_id,
        ages.age,
        children.birthdays[14] as turned_14_on,
        children.birthdays[16] as turned_16_on,
        children.birthdays[ages.age] as birthday
    from children_replayed_as_of(as_known_at) as children
    cross join (values (17), (18), (19), (20), (21)) as ages(age)
    join years on reporting_year(children.birthdays[ages.age]) = years.year
),
-- Days looked after (short breaks left out) from 14, and from 16, up to the birthday.
looked_after_days as (
    select
        birthdays.year,
        birthdays.local_authority,
        birthdays.child_id,
        birthdays.age,
        sum(days_within(spells.starts_on, spells.ends_on,
            birthdays.turned_14_on, birthdays.birthday)) as days_since_14,
        sum(days_within(spells.starts_on, spells.ends_on,
            birthdays.turned_16_on, birthdays.birthday)) as days_since_16
    from birthdays
    join spells using (local_authority, child_id)
    where not spells.is_short_break
    group by all
),
care_leavers as (
    select birthdays.*
    from birthdays
    join looked_after_days using (year, local_authority, child_id, age)
    where looked_after_days.days_since_14 >= 91
      and looked_after_days.days_since_16 >= 1
),
not_looked_after_on_birthday as (
    select care_leavers.*
    from care_leavers
    anti join spells
        on spells.local_authority = care_leavers.local_authority
        and spells.child_id = care_leavers.child_id
        and covers(spells.starts_on, spells.ends_on, care_leavers.birthday)
),
not_this_authoritys as (
    select rows.year, rows.local_authority, rows.child_id, rows.age, periods.reason_ceased
    from not_looked_after_on_birthday as rows
    join periods_of_care_replayed_as_of(as_known_at) as periods
        on periods.local_authority = rows.local_authority
        and periods.child_id = rows.child_id
        and periods.ended_on <= rows.birthday
    qualify row_number() over (
        partition by rows.year, rows.local_authority, rows.child_id, rows.age
        order by periods.ended_on desc, periods.started_on desc, periods.period_id desc
    ) = 1
),
this_authoritys_care_leavers as (
    select rows.*
    from not_looked_after_on_birthday as rows
    anti join (
        select * from not_this_authoritys
        where reason_ceased in (select code from not_a_care_leaver_reason_episode_ceased_codes)
    ) as others using (year, local_authority, child_id, age)
),
outcomes as (
    select
        rows.year, rows.local_authority, rows.child_id, rows.age,
        contacts.contact_on, contacts.in_touch, contacts.activity, contacts.accommodation,
        contacts.contact_event_id, contacts.contact_recorded_at
    from this_authoritys_care_leavers as rows
    join care_leaver_contacts_replayed_as_of(as_known_at) as contacts
        on contacts.local_authority = rows.local_authority
        and contacts.child_id = rows.child_id
        and contacts.contact_on between months_after(rows.birthday, -3)
            and months_after(rows.birthday, 1)
    qualify row_number() over (
        partition by rows.year, rows.local_authority, rows.child_id, rows.age
        order by abs(contacts.contact_on - rows.birthday),
            contacts.contact_recorded_at desc, contacts.contact_on desc,
            contacts.contact_event_id desc
    ) = 1
)
select
    rows.year,
    rows.local_authority,
    rows.child_id,
    rows.age,
    rows.birthday,
    outcomes.contact_on,
    outcomes.in_touch,
    outcomes.activity,
    outcomes.accommodation,
    outcomes.contact_event_id,
    outcomes.contact_recorded_at
from this_authoritys_care_leavers as rows
left join outcomes using (year, local_authority, child_id, age)
where outcomes.in_touch is null or outcomes.in_touch not in (select code from in_touch_without_a_row_codes);
