-- cp_reviews_on_time: child protection review conferences held within 3 months of the
-- plan's start, then every 6 months.
--
-- title: CP review conferences on time
-- order: 45
-- case held on: the day the review fell due
--
-- Definition: denominator, the reviews of the cp_review duty (statutory_duties.sql, which
-- states its timescale and readings) that fell due in the year and are decided: taken by
-- the due day, or the due day passed (before the moment asked, and before today) without
-- it; numerator, those taken by the due day. A late review still moves the next one's due
-- day (it falls due counted from the review actually made). A review not yet due and not
-- yet made is in no denominator.
--
-- Grain of cp_reviews_on_time_children: one row per review due.

create or replace macro cp_reviews_on_time_children_as_of(as_known_at) as table
-- Step 1, the cohort, the reviews of the cp_review duty due in the year and decided; step 2,
-- the numerator, those made by the due day (statutory_step_drill_down_as_of).
select *
from statutory_step_drill_down_as_of(as_known_at, 'cp_review', 'cp_reviews_on_time', 'review');
