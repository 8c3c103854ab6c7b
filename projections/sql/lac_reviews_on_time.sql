-- lac_reviews_on_time: looked-after reviews held within 20 working days of entering care,
-- then within 3 months, then every 6 months.
--
-- title: Looked-after reviews on time
-- order: 44
-- case held on: the day the review fell due
--
-- Definition: denominator, the reviews of the lac_review duty (statutory_duties.sql, which
-- states its timescale and readings) that fell due in the year and are decided: taken by
-- the due day, or the due day passed (before the moment asked, and before today) without
-- it; numerator, those taken by the due day. A late review still moves the next one's due
-- day (it falls due counted from the review actually made). A review not yet due and not
-- yet made is in no denominator.
--
-- Grain of lac_reviews_on_time_children: one row per review due.

create or replace macro lac_reviews_on_time_children_as_of(as_known_at) as table
-- Step 1, the cohort, the reviews of the lac_review duty due in the year and decided; step 2,
-- the numerator, those made by the due day (statutory_step_drill_down_as_of).
select *
from statutory_step_drill_down_as_of(as_known_at, 'lac_review', 'lac_reviews_on_time', 'review');
