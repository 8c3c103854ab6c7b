-- The event record as known at a moment (domain.md section 3, "As known at T").
--
-- events_as_of(as_known_at): one row per event that counts at that moment: recorded on or
-- before it, and not retracted by an EventRetracted recorded on or before it. Every table
-- and indicator below starts from here, so "as known at" means the same thing everywhere.
-- Reading fixed here: a retraction always counts from its own recorded_at (a retraction of
-- a retraction does not bring the first event back).
create or replace macro events_as_of(as_known_at) as table
with
retractions as (
    select retracted_event_id
    from event_log
    where event_type = 'EventRetracted'
      and recorded_at <= as_known_at
)
select event_log.*
from event_log
anti join retractions on retractions.retracted_event_id = event_log.event_id
where event_log.recorded_at <= as_known_at;

-- events: the full log, one row per event ever recorded, with when (if ever) it was
-- retracted and by which EventRetracted.
create or replace view events as
with
retractions as (
    select
        retracted_event_id as event_id,
        min(recorded_at) as retracted_at,
        arg_min(event_id, recorded_at) as retracted_by_event_id
    from event_log
    where event_type = 'EventRetracted'
    group by retracted_event_id
)
select
    event_log.*,
    retractions.retracted_at,
    retractions.retracted_by_event_id,
    retractions.retracted_at is not null as retracted
from event_log
left join retractions using (event_id);

-- The years with data: every reporting year from the earliest to the latest event date.
create or replace macro reporting_years_replayed_as_of(as_known_at) as table
with
bounds as (
    select
        min(reporting_year(occurred_on)) as first_year,
        max(reporting_year(occurred_on)) as last_year
    from events_as_of(as_known_at)
    where event_type <> 'EventRetracted'
)
select
    year,
    year_starts_on(year) as year_starts_on,
    year_ends_on(year) as march_31
from bounds, range(bounds.first_year, bounds.last_year + 1) as years(year);
