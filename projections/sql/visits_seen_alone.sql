-- visits_seen_alone: statutory visits in the year at which the child was seen alone.
--
-- title: Visits where the child was seen alone
-- order: 46
-- case held on: the day of the visit
--
-- Definition (the trust's own: "you visited the child, but you didn't see them alone"):
-- denominator, statutory visits (every kind: CIN, CP, LAC, care leaver) made in the year
-- at which the child was seen; numerator, those at which the child was seen alone. A visit
-- at which the child was not seen is left out: whether the child was seen is the visit's
-- own question, not this one's.
--
-- Grain of visits_seen_alone_children: one row per visit at which the child was seen.

create or replace macro visits_seen_alone_children_as_of(as_known_at) as table
with
years as (
    select * from reporting_years_as_of(as_known_at)
),
-- Step 1, the cohort: visits in the year at which the child was seen.
cohort as (
    select years.year, visits.*
    from statutory_visits_as_of(as_known_at) as visits
    join years on reporting_year(visits.visited_on) = years.year
    where visits.seen
)
-- Step 2, the numerator: seen alone.
select
    'visits_seen_alone' as indicator,
    cohort.year,
    cohort.local_authority,
    cohort.child_id,
    cast(cohort.visit_event_id as varchar) as subject_id,
    cohort.visited_on as on_date,
    cohort.visit_kind || ' visit ' || cohort.visited_on as detail,
    cohort.seen_alone as in_numerator
from cohort;
