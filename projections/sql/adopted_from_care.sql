-- adopted_from_care: children who ceased to be looked after in the year who were adopted.
--
-- title: Children adopted from care (of those who ceased to be looked after)
-- order: 34
-- case held on: the day the period of care ended
--
-- Definition (domain.md section 3, item 11): denominator, children who ceased to be looked
-- after in the year (a period of care ended in the year); numerator, those whose period
-- ended E11 or E12 (adopted: application unopposed, or consent dispensed with).
--
-- Readings fixed here (also in docs/analysts.md):
-- - One row per child, however many periods ended in the year; the child is in the
--   numerator when any of them ended E11/E12. The row names the latest period that ended
--   (an adopting one first).
-- - A period that ended on a day another period of the child covers (care went on under a
--   new period) is not ceasing to be looked after.
-- - As "Short breaks" reads: a period whose legal status when it ended was V3/V4 (an agreed
--   series of short breaks) is left out, as the DfE leaves such children out of those
--   ceasing to be looked after.
--
-- Grain of adopted_from_care_children: one row per child who ceased to be looked after in
-- the year.

create or replace macro adopted_from_care_children_as_of(as_known_at) as table
with
years as (
    select * from reporting_years_as_of(as_known_at)
),
spells as (
    select * from legal_status_spells_as_of(as_known_at)
),
-- Step 1, the cohort: periods that ended in the year, not on short breaks when they
-- ended, after which the child was not looked after that day; then one row per child.
ended_in_year as (
    select years.year, periods.*,
        periods.reason_ceased in (select code from adopted_reason_episode_ceased_codes)
            as adopted
    from periods_of_care_as_of(as_known_at) as periods
    join years on reporting_year(periods.ended_on) = years.year
),
ceasing as (
    select ended_in_year.*
    from ended_in_year
    anti join spells as last_spell
        on last_spell.local_authority = ended_in_year.local_authority
        and last_spell.child_id = ended_in_year.child_id
        and last_spell.period_id = ended_in_year.period_id
        and last_spell.ends_on = ended_in_year.ended_on
        and last_spell.is_short_break
    anti join spells as still_in_care
        on still_in_care.local_authority = ended_in_year.local_authority
        and still_in_care.child_id = ended_in_year.child_id
        and covers(still_in_care.starts_on, still_in_care.ends_on, ended_in_year.ended_on)
),
cohort as (
    select * from ceasing
    qualify row_number() over (
        partition by year, local_authority, child_id
        order by adopted desc, ended_on desc, period_id desc
    ) = 1
)
-- Step 2, the numerator: the period ended E11 or E12.
select
    'adopted_from_care' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.period_id as subject_id,
    cohort.ended_on as on_date,
    'period of care ended ' || cohort.ended_on || ' (' || cohort.reason_ceased || ')' as detail,
    cohort.adopted as in_numerator
from cohort;
