-- long_term_stability: children looked after for 2 years 6 months or more, aged under 16
-- at 31 March, who have been in their current placement for 2 years or more.
--
-- title: Long-term placement stability
-- order: 2
-- case held on: 31 March
--
-- Definition (domain.md section 3, indicator 2): denominator, children looked after at
-- 31 March (not V3/V4 on that day), aged under 16 on that day, whose current period of
-- care started on or before 31 March minus 2 years 6 months; numerator, those whose
-- current placement started on or before 31 March minus 2 years, or whose current
-- placement began as a placement for adoption (A3-A6) with a new carer and whose previous
-- placement started on or before 31 March minus 2 years (the case study's footnote 93:
-- "placed for adoption and their adoptive placement together with their previous
-- placement last for at least 2 years").
--
-- Changed (issue 13, item 4): the numerator used to be the first condition only, so a
-- child placed for adoption with new adopters after years in one foster placement fell
-- out of it; the DfE's wording counts them.
--
-- Readings fixed here (also in docs/analysts.md):
-- - Age comes from ChildRegistered (children.birthdays); a child with no ChildRegistered that
--   counts has no age and is left out.
-- - The current placement is the latest placement (in the `placements` sense: temporary
--   spells dropped, same-carer spells merged) that started on or before 31 March. A child
--   on a temporary placement at 31 March is therefore judged by the placement the
--   temporary move interrupts.
-- - "Minus 2 years 6 months" is DuckDB's 31 March - INTERVAL 30 MONTH (30 September).
-- - "Began as a placement for adoption with a new carer": the current placement's first
--   spell is of type A3-A6. A child placed for adoption with its own foster carer keeps
--   that placement (same carer, merged), so the first condition already judges it.
-- - The previous placement is the placement before the current one (placement_number one
--   less), whichever period of care it belongs to.
--
-- Grain of long_term_stability_children: one row per child in the denominator per year.

create or replace macro long_term_stability_children_as_of(as_known_at) as table
with
-- Step 1, the cohort: looked after at 31 March, not on a short break that day (cohorts.sql),
-- under 16, in a period of care that started at least 2 years 6 months before.
cohort as (
    select looked_after.*, periods.started_on as period_started_on
    from looked_after_at_31_march_as_of(as_known_at) as looked_after
    join periods_of_care_as_of(as_known_at) as periods
        using (local_authority, child_id, period_id)
    join children_as_of(as_known_at) as children
        using (local_authority, child_id)
    where children.birthdays[16] > looked_after.march_31
      and periods.started_on <= months_after(looked_after.march_31, -30)
),
-- Step 2, the numerator: the current placement started at least 2 years before, or it
-- began as a placement for adoption with a new carer and the previous one did.
placements as (
    select * from placements_as_of(as_known_at)
),
current_placement as (
    select cohort.year, cohort.local_authority, cohort.child_id,
        placements.placement_number,
        placements.placement_spell_ids[1] as first_spell_id,
        placements.started_on as placement_started_on
    from cohort
    join placements
        on placements.local_authority = cohort.local_authority
        and placements.child_id = cohort.child_id
        and placements.started_on <= cohort.march_31
    qualify row_number() over (
        partition by cohort.year, cohort.local_authority, cohort.child_id
        order by placements.started_on desc, placements.placement_number desc
    ) = 1
),
placed_for_adoption as (
    select current_placement.year, current_placement.local_authority,
        current_placement.child_id, previous.started_on as previous_started_on
    from current_placement
    join placement_spells_as_of(as_known_at) as first_spell
        on first_spell.local_authority = current_placement.local_authority
        and first_spell.child_id = current_placement.child_id
        and first_spell.placement_id = current_placement.first_spell_id
    join placements as previous
        on previous.local_authority = current_placement.local_authority
        and previous.child_id = current_placement.child_id
        and previous.placement_number = current_placement.placement_number - 1
    where first_spell.placement_type in (select code from adoption_placement_type_codes)
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
        || coalesce(', placed for adoption; previous placement started '
            || placed_for_adoption.previous_started_on, '')
        as detail,
    coalesce(
        current_placement.placement_started_on <= years_after(cohort.march_31, -2), false
    )
    or coalesce(
        placed_for_adoption.previous_started_on <= years_after(cohort.march_31, -2), false
    ) as in_numerator
from cohort
left join current_placement using (year, local_authority, child_id)
left join placed_for_adoption using (year, local_authority, child_id);
