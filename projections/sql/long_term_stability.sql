-- long_term_stability: children looked after for 2 years 6 months or more, aged under 16
-- at 31 March, who have been in their current placement for 2 years or more.
--
-- title: Long-term placement stability
-- order: 2
--
-- Definition (domain.md section 3, indicator 2): denominator, children looked after at
-- 31 March (not V3/V4 on that day), aged under 16 on that day, whose current period of
-- care started on or before 31 March minus 2 years 6 months; numerator, those whose
-- current placement started on or before 31 March minus 2 years.
--
-- Readings fixed here (also in docs/analysts.md):
-- - Age comes from ChildRegistered.date_of_birth; a child with no ChildRegistered that
--   counts has no age and is left out.
-- - The current placement is the latest placement (in the `placements` sense: temporary
--   spells dropped, same-carer spells merged) that started on or before 31 March. A child
--   on a temporary placement at 31 March is therefore judged by the placement the
--   temporary move interrupts.
-- - "Minus 2 years 6 months" is DuckDB's 31 March - INTERVAL 30 MONTH (30 September).
--
-- Grain of long_term_stability_children: one row per child in the denominator per year.

create or replace macro long_term_stability_children_as_of(as_known_at) as table
with
years as (
    select * from reporting_years_as_of(as_known_at)
),
-- Step 1, the cohort: looked after at 31 March, not on a short break that day, under 16,
-- in a period of care that started at least 2 years 6 months before.
looked_after_at_31_march as (
    select years.year, years.march_31, spells.*
    from years
    join legal_status_spells_as_of(as_known_at) as spells
        on covers(spells.starts_on, spells.ends_on, years.march_31)
    where not spells.is_short_break
    qualify row_number() over (
        partition by years.year, spells.local_authority, spells.child_id
        order by spells.starts_on desc, spells.period_id
    ) = 1
),
cohort as (
    select looked_after.*, periods.started_on as period_started_on
    from looked_after_at_31_march as looked_after
    join periods_of_care_as_of(as_known_at) as periods
        using (local_authority, child_id, period_id)
    join children_as_of(as_known_at) as children
        using (local_authority, child_id)
    where years_after(children.date_of_birth, 16) > looked_after.march_31
      and periods.started_on <= months_after(looked_after.march_31, -30)
),
-- Step 2, the numerator: the current placement started at least 2 years before.
current_placement as (
    select cohort.year, cohort.local_authority, cohort.child_id,
        placements.started_on as placement_started_on
    from cohort
    join placements_as_of(as_known_at) as placements
        on placements.local_authority = cohort.local_authority
        and placements.child_id = cohort.child_id
        and placements.started_on <= cohort.march_31
    qualify row_number() over (
        partition by cohort.year, cohort.local_authority, cohort.child_id
        order by placements.started_on desc, placements.placement_number desc
    ) = 1
)
select
    'long_term_stability' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cohort.period_id as subject_id,
    cohort.march_31 as on_date,
    'period started ' || cohort.period_started_on
        || ', placement started ' || coalesce(cast(current_placement.placement_started_on as varchar), 'unknown')
        as detail,
    coalesce(
        current_placement.placement_started_on <= years_after(cohort.march_31, -2), false
    ) as in_numerator
from cohort
left join current_placement using (year, local_authority, child_id);
