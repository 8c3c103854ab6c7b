-- Calendar helpers every indicator shares (domain.md section 3, "Conventions").

-- The reporting year a date falls in: year Y runs 1 April Y-1 to 31 March Y inclusive.
create or replace macro reporting_year(d) as
    year(d) + case when month(d) >= 4 then 1 else 0 end;

create or replace macro year_starts_on(y) as make_date(y - 1, 4, 1);

create or replace macro year_ends_on(y) as make_date(y, 3, 31);

-- Whether a spell that starts on starts_on and ends on ends_on (null: not ended) covers day d.
-- A spell ending on d does not cover d: "ended on or before D" means not in it on D.
create or replace macro covers(starts_on, ends_on, d) as
    starts_on <= d and (ends_on is null or ends_on > d);

-- Days of the spell [starts_on, ends_on) (ends_on null: not ended) that fall in the closed
-- range [first_day, last_day].
create or replace macro days_within(starts_on, ends_on, first_day, last_day) as
    greatest(
        0,
        least(coalesce(ends_on, last_day + 1), last_day + 1) - greatest(starts_on, first_day)
    );

-- numerator / denominator, null where the denominator is 0.
create or replace macro rate_of(numerator, denominator) as
    case when denominator = 0 then null else numerator / denominator end;

-- "N years after D" is D + INTERVAL N YEAR as DuckDB computes it (29 February + 1 year =
-- 28 February); DuckDB returns a timestamp, the indicators want the date.
create or replace macro years_after(d, n) as cast(d + to_years(cast(n as integer)) as date);

create or replace macro months_after(d, n) as cast(d + to_months(cast(n as integer)) as date);
