-- cp_visits_on_time: visits to children on a child protection plan made within 10 working
-- days of the plan's start or the previous visit.
--
-- title: CP visits within 10 working days
-- order: 42
-- case held on: the day the visit fell due
--
-- Definition: denominator, the visits of the cp_visit duty (statutory_duties.sql, which
-- states its timescale and readings) that fell due in the year and are decided: taken by
-- the due day, or the due day passed (before the moment asked, and before today) without
-- it; numerator, those taken by the due day. A late visit still moves the next one's due
-- day (it falls due counted from the visit actually made). A visit not yet due and not yet
-- made is in no denominator.
--
-- Grain of cp_visits_on_time_children: one row per visit due.

create or replace macro cp_visits_on_time_children_as_of(as_known_at) as table
-- Step 1, the cohort, the visits of the cp_visit duty due in the year and decided; step 2,
-- the numerator, those made by the due day (statutory_step_drill_down_as_of).
select *
from statutory_step_drill_down_as_of(as_known_at, 'cp_visit', 'cp_visits_on_time', 'visit');
