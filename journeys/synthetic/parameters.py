"""What a synthetic local authority looks like: its size, its years and its practice.

Rates that an improving authority changes over time are `Trend`s: values at anchor
reporting years, straight lines between them, flat before the first and after the last.
The defaults describe a Doncaster-sized authority (about 65,000 children, 2,800 referrals
in 2014 rising to 3,750 by 2016, and 500 children looked after) improving between 2014
and 2016 the way the 2017 DfE evaluation reports (domain.md section 4);
`tests/unit/test_synthetic_calibration.py` checks the indicators land near those figures.

Children in need at 31 March (345.9 and 381.7 per 10,000) and those in need for more than
2 years (35.6% and 28.3%) pull against each other: a case open over 2 years in 2014 had
to be opened by March 2012, and spent its first 2 years in the stock too. So the drift is
a legacy: drifting cases (`long_child_in_need`) were most common among referrals before
2012 and last 2 to 11 years, fewer were left to drift after, and few are reviewed away
(`drift_review_share`); meanwhile demand (`first_referrals_per_10k`) rises from 2014 to
2016, of lower need (`care_share` falls), as the case study's rising rate shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Trend:
    """A rate that changes by reporting year: ((year, value), ...) in increasing years."""

    points: tuple[tuple[int, float], ...]

    def __post_init__(self) -> None:
        if not self.points:
            raise ValueError("Trend.points: at least one (year, value) point is needed")
        years = [year for year, _ in self.points]
        if years != sorted(set(years)):
            raise ValueError(f"Trend.points: years must be strictly increasing, not {years}")

    @classmethod
    def constant(cls, value: float) -> Trend:
        return cls(((2000, value),))

    def at(self, year: int) -> float:
        (first_year, first_value), (last_year, last_value) = self.points[0], self.points[-1]
        if year <= first_year:
            return first_value
        if year >= last_year:
            return last_value
        for (year_a, value_a), (year_b, value_b) in zip(self.points, self.points[1:], strict=False):
            if year_a <= year <= year_b:
                return value_a + (value_b - value_a) * (year - year_a) / (year_b - year_a)
        raise AssertionError("unreachable: year lies between the first and last points")

    def within(self, low: float, high: float) -> bool:
        return all(low <= value <= high for _, value in self.points)


def _improving(before: float, after: float) -> Trend:
    """The case study's improvement: steady until 2013, better by 2016, steady after."""
    return Trend(((2013, before), (2016, after)))


@dataclass(frozen=True)
class AuthorityParameters:
    """Everything that shapes a synthetic authority. Same parameters, same events."""

    children: int = 65_000
    from_year: int = 2012
    to_year: int = 2024
    seed: int = 1
    local_authority: str = "371"
    source_system: str = "synthetic"
    invalid_share: float = 0.0
    # Years of history before `from_year` (recorded when the service went live), so that
    # "ever", "over 2 years" and "looked after for 2.5 years" have a past to look at.
    history_years: int = 8

    # Children becoming known to social care for the first time, per 10,000 children a year:
    # demand rising from 2014 to 2016 (the case study's children in need rose from 345.9
    # to 381.7 per 10,000 while the drifting cases were closed).
    first_referrals_per_10k: Trend = field(
        default_factory=lambda: Trend(((2014, 165.0), (2016, 345.0)))
    )
    # After a referral that closed quickly, the chance of another within 12 months.
    quick_re_referral: Trend = field(default_factory=lambda: _improving(0.56, 0.26))
    # Otherwise, the chance of another referral one to four years later.
    later_referral: float = 0.22

    # What happens to a referral (shares; the rest is assessment then closure).
    no_assessment_share: float = 0.08
    child_in_need_share: float = 0.20
    section47_share: float = 0.13
    # Calibrated to about 500 children looked after at 31 March (77 and 75 per 10,000):
    # falling as demand rises, the new referrals being of lower need.
    care_share: Trend = field(default_factory=lambda: Trend(((2013, 0.048), (2016, 0.032))))
    short_breaks_share: float = 0.01
    # Children who were on a plan before are more likely to need an enquiry again.
    repeat_section47_factor: float = 2.3
    # Share of child-in-need cases that drift on for years, by the year of the referral:
    # the legacy of the years before 2012 (the cases open over 2 years at 31 March 2014
    # were referred by March 2012), fewer after, fewer still as the authority improves.
    long_child_in_need: Trend = field(
        default_factory=lambda: Trend(((2011, 0.28), (2013, 0.12), (2016, 0.08)))
    )
    # How long a drifting case stays open, in days (drawn uniformly), unless the review
    # or the child's 18th birthday closes it first: 2 to 11 years.
    drifting_case_days: tuple[float, float] = (730.0, 4000.0)
    # From 1 April of this reporting year the authority reviews drifting cases, closing
    # this share of those open for over a year by the end of the next year.
    drift_review_year: int = 2015
    drift_review_share: float = 0.12
    conference_decides_plan: float = 0.95

    # Chance that a child under 5 entering care is adopted from that period of care (the
    # case study's adoptions rose from 16% to 24% of children leaving care, 2014 to 2016).
    adoption_under_5: Trend = field(default_factory=lambda: Trend(((2012, 0.7), (2015, 0.95))))
    # Chance that a new placement turns out to be a long-term, stable one.
    stable_placement: Trend = field(default_factory=lambda: _improving(0.30, 0.36))
    temporary_placement_per_year: float = 0.12
    same_carer_move_share: float = 0.06

    # Care leavers, among those in touch.
    suitable_accommodation_17_18: Trend = field(default_factory=lambda: _improving(0.86, 0.92))
    suitable_accommodation_19_21: Trend = field(default_factory=lambda: _improving(0.73, 0.86))
    eet_17_18: Trend = field(default_factory=lambda: _improving(0.58, 0.66))
    eet_19_21: Trend = field(default_factory=lambda: _improving(0.29, 0.42))
    contact_missed: float = 0.04
    pa_by_15y9m: Trend = field(default_factory=lambda: Trend(((2014, 0.05), (2016, 0.85))))
    seen_alone: Trend = field(default_factory=lambda: _improving(0.62, 0.84))

    # A looked-after child's statutory work, each due date met with this chance
    # (journeys/synthetic/looked_after.py): contributing to a review (aged 4 or over), a
    # termly PEP, the annual health assessment and dental check; and immunisations found
    # up to date when checked.
    review_contribution: Trend = field(default_factory=lambda: _improving(0.82, 0.88))
    pep_on_time: Trend = field(default_factory=lambda: Trend(((2014, 0.68), (2017, 0.78))))
    health_assessment_on_time: Trend = field(default_factory=lambda: _improving(0.74, 0.935))
    dental_check_on_time: Trend = field(default_factory=lambda: _improving(0.52, 0.85))
    immunisations_up_to_date: Trend = field(default_factory=lambda: _improving(0.95, 0.99))
    # Family members at child protection conferences: the chance each is expected (has
    # a role at the conference) and, if so, attends (journeys/synthetic/need.py).
    mother_expected: float = 0.95
    father_expected: float = 0.65
    grandparent_expected: float = 0.17
    other_family_expected: float = 0.17
    mother_attends: Trend = field(default_factory=lambda: _improving(0.86, 0.91))
    father_attends: Trend = field(default_factory=lambda: _improving(0.62, 0.71))
    grandparent_attends: Trend = field(default_factory=lambda: _improving(0.75, 0.78))
    other_family_attends: Trend = field(default_factory=lambda: _improving(0.90, 0.98))

    # Supervision (journeys/synthetic/supervision.py): the chance a case moves to another
    # team when the child goes on a CP plan or comes into care; the chance each statutory
    # visit or CP review conference is on time; a child of 4 or over seen alone at a visit.
    transfer_on_status_change: float = 0.6
    visits_on_time: Trend = field(default_factory=lambda: _improving(0.72, 0.9))
    visits_seen_alone: Trend = field(default_factory=lambda: _improving(0.6, 0.82))

    # How events are recorded.
    late_recording_share: float = 0.3
    very_late_recording_share: float = 0.02
    retraction_share: float = 0.004

    def __post_init__(self) -> None:
        if self.children < 1:
            raise ValueError(
                f"children: the child population must be at least 1, not {self.children}"
            )
        if not 1990 <= self.from_year <= self.to_year:
            raise ValueError(
                f"from_year/to_year: need 1990 <= from_year <= to_year, "
                f"not {self.from_year}..{self.to_year}"
            )
        if not (len(self.local_authority) == 3 and self.local_authority.isdigit()):
            raise ValueError(
                f"local_authority: must be a 3-digit DfE code, not {self.local_authority!r}"
            )
        if not 0.0 <= self.invalid_share < 0.5:
            raise ValueError(
                f"invalid_share: must be at least 0 and below 0.5, not {self.invalid_share}"
            )
        if self.history_years < 0:
            raise ValueError(f"history_years: must be 0 or more, not {self.history_years}")
        low, high = self.drifting_case_days
        if not 0 < low <= high:
            raise ValueError(
                f"drifting_case_days: need 0 < shortest <= longest, not {self.drifting_case_days}"
            )
        for name in (
            "later_referral", "drift_review_share", "no_assessment_share",
            "child_in_need_share", "section47_share",
            "care_share", "short_breaks_share", "conference_decides_plan",
            "temporary_placement_per_year", "same_carer_move_share", "contact_missed",
            "late_recording_share", "very_late_recording_share", "retraction_share",
            "mother_expected", "father_expected", "grandparent_expected",
            "other_family_expected", "transfer_on_status_change",
        ):  # fmt: skip
            value = getattr(self, name)
            if not (value.within(0.0, 1.0) if isinstance(value, Trend) else 0.0 <= value <= 1.0):
                raise ValueError(f"{name}: a share must be between 0 and 1, not {value}")
        pathway_total = (
            self.no_assessment_share
            + self.child_in_need_share
            + self.section47_share * self.repeat_section47_factor
            + max(share for _, share in self.care_share.points)
            + self.short_breaks_share
        )
        if pathway_total > 1.0:
            raise ValueError(
                "no_assessment_share + child_in_need_share + section47_share * "
                "repeat_section47_factor + care_share + short_breaks_share: "
                f"must not exceed 1, not {pathway_total:.3f}"
            )

    @property
    def go_live(self) -> date:
        """The day the service went live: the start of reporting year `from_year`."""
        return date(self.from_year - 1, 4, 1)

    @property
    def history_start(self) -> date:
        return date(self.from_year - 1 - self.history_years, 4, 1)

    @property
    def end(self) -> date:
        """31 March of `to_year`: nothing later happens in the synthetic record."""
        return date(self.to_year, 3, 31)


def reporting_year(day: date) -> int:
    """Reporting year Y runs 1 April Y-1 to 31 March Y."""
    return day.year + 1 if day.month >= 4 else day.year
