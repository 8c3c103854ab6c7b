-- lac_visits_on_time: visits to looked-after children made within a week of a new
-- placement, then within six weeks in the placement's first year, then within three months.
--
-- title: Looked-after visits within the statutory intervals
-- order: 43
-- case held on: the day the visit fell due
--
-- Definition: denominator, the visits of the lac_visit duty (statutory_duties.sql, which
-- states its timescale and readings) that fell due in the year and are decided: taken by
-- the due day, or the due day passed (before the moment asked, and before today) without
-- it; numerator, those taken by the due day. A late visit still moves the next one's due
-- day (it falls due counted from the visit actually made). A visit not yet due and not yet
-- made is in no denominator.
--
-- Grain of lac_visits_on_time_children: one row per visit due.

create or replace macro lac_visits_on_time_children_as_of(as_known_at) as table
-- Step 1, the cohort, the visits of the lac_visit duty due in the year and decided; step 2,
-- the numerator, those made by the due day (statutory_step_drill_down_as_of).
select *
from statutory_step_drill_down_as_of(as_known_at, 'lac_visit', 'lac_visits_on_time', 'visit');
