-- review_participation: statutory reviews in the year to which the child contributed.
--
-- title: Statutory reviews the child contributed to
-- order: 21
-- case held on: the day the review was held
--
-- Definition (domain.md section 3, indicator 13): denominator, statutory reviews of
-- looked-after children held in the year, of children aged 4 or over (participation
-- PN1-PN7; PN0, a child under 4, is left out); numerator, those at which the child
-- contributed (the review_contributed_codes of events/codes.py: PN1, PN2, PN3, PN5, PN6).
--
-- Readings fixed here (also in docs/analysts.md):
-- - "Contributed" as SSDA903 describes the codes: the child spoke for themselves (PN1),
--   through an advocate (PN2, PN5), symbolically (PN3) or by a facilitative medium (PN6).
--   PN4 (attended but did not convey their views) and PN7 (did not attend, views not
--   conveyed) did not contribute.
-- - The grain is the review, not the child: a child reviewed twice in the year counts
--   twice, as the case study's monthly figures count reviews held.
--
-- Grain of review_participation_children: one row per review in the denominator.

create or replace macro review_participation_children_as_of(as_known_at) as table
with
years as (
    select * from reporting_years_as_of(as_known_at)
),
-- Step 1, the cohort: reviews held in the year of children aged 4 or over.
cohort as (
    select years.year, reviews.*
    from statutory_reviews_as_of(as_known_at) as reviews
    join years on reporting_year(reviews.held_on) = years.year
    where reviews.participation not in (select code from review_participation_under_4_codes)
)
-- Step 2, the numerator: the child contributed.
select
    'review_participation' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cast(cohort.review_event_id as varchar) as subject_id,
    cohort.held_on as on_date,
    'review held ' || cohort.held_on || ', ' || cohort.participation as detail,
    cohort.participation in (select code from review_contributed_codes) as in_numerator
from cohort;
