-- indicators: every indicator of domain.md section 3, for every year with data.
--
-- indicators_as_of(as_known_at): columns indicator, year, numerator, denominator, rate
-- (numerator / denominator, null where the denominator is 0), one row per indicator per
-- year from the first to the last year with any event, as known at that moment.
-- indicator_children_as_of(as_known_at): the drill-down, one row per member of a
-- denominator (a child, or a plan, referral, assessment or birthday of that child), with
-- in_numerator saying whether it is also in the numerator, and a detail line for
-- supervision. The views `indicators`, `indicator_children` and `<indicator>_children` are
-- the same for everything recorded so far.
--
-- Each indicator's own definition and readings are in projections/sql/<indicator>.sql.

create or replace macro indicators_as_of(as_known_at) as table
select * from placements_3plus_as_of(as_known_at)
union all
select * from long_term_stability_as_of(as_known_at)
union all
select * from cp_second_plan_as_of(as_known_at)
union all
select * from cp_second_plan_within_2y_as_of(as_known_at)
union all
select * from re_referrals_12m_as_of(as_known_at)
union all
select * from cin_over_2_years_as_of(as_known_at)
union all
select * from care_leavers_17_18_suitable_accommodation_as_of(as_known_at)
union all
select * from care_leavers_17_18_eet_as_of(as_known_at)
union all
select * from care_leavers_19_21_suitable_accommodation_as_of(as_known_at)
union all
select * from care_leavers_19_21_eet_as_of(as_known_at)
union all
select * from pa_by_15y9m_as_of(as_known_at)
union all
select * from seen_alone_as_of(as_known_at);

create or replace macro indicator_children_as_of(as_known_at) as table
select * from placements_3plus_children_as_of(as_known_at)
union all
select * from long_term_stability_children_as_of(as_known_at)
union all
select * from cp_second_plan_children_as_of(as_known_at)
union all
select * from cp_second_plan_within_2y_children_as_of(as_known_at)
union all
select * from re_referrals_12m_children_as_of(as_known_at)
union all
select * from cin_over_2_years_children_as_of(as_known_at)
union all
select * from care_leavers_17_18_suitable_accommodation_children_as_of(as_known_at)
union all
select * from care_leavers_17_18_eet_children_as_of(as_known_at)
union all
select * from care_leavers_19_21_suitable_accommodation_children_as_of(as_known_at)
union all
select * from care_leavers_19_21_eet_children_as_of(as_known_at)
union all
select * from pa_by_15y9m_children_as_of(as_known_at)
union all
select * from seen_alone_children_as_of(as_known_at);

create or replace view indicators as
select * from indicators_as_of('infinity'::timestamptz)
order by indicator, year;

create or replace view indicator_children as
select * from indicator_children_as_of('infinity'::timestamptz);

create or replace view placements_3plus_children as
select * from placements_3plus_children_as_of('infinity'::timestamptz);

create or replace view long_term_stability_children as
select * from long_term_stability_children_as_of('infinity'::timestamptz);

create or replace view cp_second_plan_children as
select * from cp_second_plan_children_as_of('infinity'::timestamptz);

create or replace view cp_second_plan_within_2y_children as
select * from cp_second_plan_within_2y_children_as_of('infinity'::timestamptz);

create or replace view re_referrals_12m_children as
select * from re_referrals_12m_children_as_of('infinity'::timestamptz);

create or replace view cin_over_2_years_children as
select * from cin_over_2_years_children_as_of('infinity'::timestamptz);

create or replace view care_leavers_17_18_suitable_accommodation_children as
select * from care_leavers_17_18_suitable_accommodation_children_as_of('infinity'::timestamptz);

create or replace view care_leavers_17_18_eet_children as
select * from care_leavers_17_18_eet_children_as_of('infinity'::timestamptz);

create or replace view care_leavers_19_21_suitable_accommodation_children as
select * from care_leavers_19_21_suitable_accommodation_children_as_of('infinity'::timestamptz);

create or replace view care_leavers_19_21_eet_children as
select * from care_leavers_19_21_eet_children_as_of('infinity'::timestamptz);

create or replace view pa_by_15y9m_children as
select * from pa_by_15y9m_children_as_of('infinity'::timestamptz);

create or replace view seen_alone_children as
select * from seen_alone_children_as_of('infinity'::timestamptz);
