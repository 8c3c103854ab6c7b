"""The SSDA903 return of a collection year, built from the record's events.

The collection year Y runs from 1 April Y-1 to 31 March Y. Each table is a list of rows
(column -> text, blank where the record holds nothing), in the DfE's column order, and is
written as the CSV file the DfE's tools read (`FILES`): dates dd/mm/yyyy. Which child
appears in which table, and from which events each column comes (the mapping table of
docs/returns.md):

- Header: every child with an episode open in the year. SEX 1/2 (M/F/U from 2025),
  UPN and MOTHER/MC_DOB from ChildRegistered and MotherhoodRecorded.
- Episodes: every episode open in the year (`journeys.returns.episodes`).
- UASC: children recorded UASC, still so (or ceasing) in the year.
- Reviews: statutory reviews held in the year, with their participation code.
- OC2: children looked after continuously for the 12 months to 31 March (not only on
  short breaks): the health, SDQ, offending and substance misuse of the year.
- OC3: care leavers whose 17th to 21st birthday falls in the year: the contact recorded
  nearest the birthday (within three months either side).
- AD1: children adopted in the year (REC E11/E12) with their match.
- PlacedAdoption: decisions that the child should be placed for adoption open in the year.
- PrevPerm: children who started a period of care in the year.
- Missing: missing and away-from-placement episodes open in the year.
- SWEpisodes (from the 2023-24 return): the social worker episodes of the year of each
  child looked after in the year (journeys.returns.social_workers).
- DoLo (from the 2026-27 return, `DOLO_FROM`): deprivation of liberty orders in force in
  the year, an order ending after 31 March shown in force.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from events import catalogue as contract
from events import codes
from events.catalogue import JourneyEvent
from journeys.domain.facts import add_years_months, age_on, birthday
from journeys.returns import social_workers
from journeys.returns.child_details import ChildDetails, details_for_year
from journeys.returns.episodes import Episode, episodes_of

# The DfE's tables: the file each is written to, and its columns in order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "Header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "Episodes": (
        "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
        "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
    ),
    "UASC": ("CHILD", "SEX", "DOB", "DUC"),
    "Reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "OC2": (
        "CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK",
        "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED",
    ),
    "OC3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "AD1": (
        "CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR",
        "LS_ADOPTR",
    ),
    "PlacedAdoption": (
        "CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED",
    ),
    "PrevPerm": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "Missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "DoLo": ("CHILD", "DOB", "DOLO_START", "DOLO_END"),
    "SWEpisodes": social_workers.COLUMNS,
}  # fmt: skip
# The collection year whose return first has the DoLo table (2026-27).
DOLO_FROM = 2027
FILES: dict[str, str] = {
    "Header": "header.csv",
    "Episodes": "episodes.csv",
    "UASC": "uasc.csv",
    "Reviews": "reviews.csv",
    "OC2": "oc2.csv",
    "OC3": "oc3.csv",
    "AD1": "ad1.csv",
    "PlacedAdoption": "placed_for_adoption.csv",
    "PrevPerm": "previous_permanence.csv",
    "Missing": "missing.csv",
    "DoLo": "deprivation_of_liberty.csv",
    "SWEpisodes": "social_worker_episodes.csv",
}
# Columns the DfE requires on every row of a table (blank not allowed): a blank one is
# listed in the export's summary as a field the record does not hold.
REQUIRED: dict[str, tuple[str, ...]] = {
    "Header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN"),
    "Episodes": ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER"),
    "Reviews": ("CHILD", "REVIEW", "REVIEW_CODE"),
    "OC3": ("CHILD", "IN_TOUCH", "ACTIV", "ACCOM"),
    "AD1": ("CHILD", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR"),
    "PrevPerm": ("CHILD", "PREV_PERM"),
    "Missing": ("CHILD", "MISSING", "MIS_START"),
    "DoLo": ("CHILD", "DOLO_START"),
    "SWEpisodes": social_workers.REQUIRED,
}
# The collection year from which SSDA903 records sex as M, F or U (before: 1 male, 2 female).
SEX_AS_LETTERS_FROM = 2025
_OC3_AGES = range(17, 22)
_OC3_WINDOW = timedelta(days=92)  # a contact counts for a birthday within 3 months of it
# Placement types with no provider other than the placement itself (with parents, ...):
# none needs a blank provider here; the record's null provider is a field not held.
Row = dict[str, str]


def dmy(day: date | None) -> str:
    """A date as the DfE's files write it: dd/mm/yyyy; blank for none."""
    return "" if day is None else day.strftime("%d/%m/%Y")


def flag(value: bool | None) -> str:
    return "" if value is None else ("1" if value else "0")


@dataclass(frozen=True, slots=True)
class CollectionYear:
    """1 April Y-1 to 31 March Y."""

    year: int

    @property
    def first(self) -> date:
        return date(self.year - 1, 4, 1)

    @property
    def last(self) -> date:
        return date(self.year, 3, 31)

    def holds(self, day: date | None) -> bool:
        return day is not None and self.first <= day <= self.last


@dataclass
class ChildRecord:
    """One child's events, by type, as the return reads them."""

    registration: contract.ChildRegistered
    by_type: dict[type[JourneyEvent], list[JourneyEvent]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def of(self, event_type: type[JourneyEvent]) -> list[JourneyEvent]:
        return sorted(self.by_type.get(event_type, ()), key=lambda e: e.occurred_on)

    def in_year(self, event_type: type[JourneyEvent], year: CollectionYear) -> list[JourneyEvent]:
        return [e for e in self.of(event_type) if year.holds(e.occurred_on)]

    def open_in(
        self, event_type: type[JourneyEvent], end_field: str, year: CollectionYear
    ) -> list[tuple[JourneyEvent, date | None]]:
        """Each item of the type (a missing episode, UASC status, an order) open on a day
        of the year, with its end as the year's file shows it: none after 31 March."""
        found = []
        for item in self.of(event_type):
            ended = getattr(item, end_field)
            if item.occurred_on <= year.last and (ended is None or ended >= year.first):
                found.append((item, ended if year.holds(ended) else None))
        return found

    def details(self, year: CollectionYear) -> ChildDetails:
        """The child's UPN and disabilities for the year (journeys.returns.child_details)."""
        recorded = self.by_type.get(contract.ChildDetailsRecorded, ())
        return details_for_year(self.registration, recorded, year.year)  # type: ignore[arg-type]


def children_of(events: Iterable[JourneyEvent]) -> list[ChildRecord]:
    """The events grouped by child, children in the order of their ids."""
    registrations: dict[str, contract.ChildRegistered] = {}
    others: dict[str, list[JourneyEvent]] = defaultdict(list)
    for event in events:
        if isinstance(event, contract.ChildRegistered):
            registrations[event.child_id] = event
        else:
            others[event.child_id].append(event)
    children = []
    for child_id in sorted(registrations):
        child = ChildRecord(registrations[child_id])
        for event in others[child_id]:
            child.by_type[type(event)].append(event)
        children.append(child)
    return children


@dataclass
class Return:
    """The tables of one return, and the required fields the record did not hold."""

    tables: dict[str, list[Row]]
    not_held: dict[tuple[str, str], int] = field(default_factory=dict)

    def note_blanks(self, required: Mapping[str, Sequence[str]]) -> None:
        for table, columns in required.items():
            for row in self.tables.get(table, ()):
                for column in columns:
                    if not row.get(column):
                        key = (table, column)
                        self.not_held[key] = self.not_held.get(key, 0) + 1


def ssda903(events: Iterable[JourneyEvent], year: int) -> Return:
    """The SSDA903 tables of the collection year ending in March `year`."""
    collection = CollectionYear(year)
    tables: dict[str, list[Row]] = {
        name: []
        for name in COLUMNS
        if (name != "DoLo" or year >= DOLO_FROM)
        and (name != "SWEpisodes" or year >= social_workers.SW_EPISODES_FROM)
    }
    for child in children_of(events):
        episodes = episodes_of(
            e
            for t in (
                contract.PeriodOfCareStarted,
                contract.PeriodOfCareEnded,
                contract.LegalStatusChanged,
                contract.PlacementStarted,
            )
            for e in child.of(t)
        )
        in_year = [
            _as_at_year_end(e, collection)
            for e in episodes
            if e.overlaps(collection.first, collection.last)
        ]
        oc3 = _oc3_row(child, episodes, collection)
        if not in_year and oc3 is None:
            continue
        short_breaks_only = all(e.legal_status in codes.SHORT_BREAK_LEGAL_STATUS for e in in_year)
        # A care leaver not looked after in the year has no motherhood details (628).
        tables["Header"].append(_header_row(child, collection, not in_year or short_breaks_only))
        if oc3 is not None:
            tables["OC3"].append(oc3)
        if not in_year:
            continue
        # An unaccompanied asylum-seeking child (now or before) has no home postcode in
        # the return, so no distance (rule 406).
        asylum_seeker = any(
            u.occurred_on <= collection.last
            for u in child.of(contract.UnaccompaniedAsylumSeekerRecorded)
        )
        tables["Episodes"].extend(_episode_row(child, e, asylum_seeker) for e in in_year)
        if not short_breaks_only:
            # A child on short breaks alone has no reviews in the return (rule 399).
            tables["Reviews"].extend(_review_rows(child, collection))
        tables["UASC"].extend(_uasc_rows(child, collection))
        tables["Missing"].extend(_missing_rows(child, collection))
        if "DoLo" in tables:
            tables["DoLo"].extend(_deprivation_of_liberty_rows(child, collection))
        if "SWEpisodes" in tables and social_workers.in_table(in_year):
            tables["SWEpisodes"].extend(social_workers.social_worker_rows(child, collection))
        tables["PlacedAdoption"].extend(_placed_for_adoption_rows(child, episodes, collection))
        tables["PrevPerm"].extend(_previous_permanence_rows(child, episodes, collection))
        tables["AD1"].extend(_ad1_rows(child, in_year, collection))
        if _continuously_looked_after(episodes, collection):
            tables["OC2"].append(_oc2_row(child, collection))
    made = Return(tables)
    made.note_blanks(REQUIRED)
    return made


def _dob(child: ChildRecord) -> str:
    return dmy(child.registration.date_of_birth)


def _sex(child: ChildRecord, collection: CollectionYear) -> str:
    sex = child.registration.sex
    if collection.year >= SEX_AS_LETTERS_FROM:
        return sex
    return {"M": "1", "F": "2"}.get(sex, "")


def _as_at_year_end(episode: Episode, collection: CollectionYear) -> Episode:
    """The episode as the year's return has it: open if it ended after 31 March."""
    if episode.ended_on is not None and episode.ended_on > collection.last:
        return replace(episode, ended_on=None, reason_ended=None, reason_place_change=None)
    return episode


def _header_row(child: ChildRecord, collection: CollectionYear, no_motherhood: bool) -> Row:
    """The child's header; MOTHER and MC_DOB are for young women looked after in the
    year, not on short breaks alone (rules 399, 628 and 612).

    A young mother in her first year out of care so loses last year's MC_DOB, which rule
    624 refuses: rules 612, 624 and 628 leave no return that keeps all three for her
    (docs/returns.md).
    """
    registration = child.registration
    mothers = [m for m in child.of(contract.MotherhoodRecorded) if m.occurred_on <= collection.last]
    if registration.sex != "F" or no_motherhood:
        mother, child_born = "", None
    elif mothers:
        # MC_DOB is the first child's date of birth.
        mother, child_born = "1", mothers[0].child_date_of_birth  # type: ignore[attr-defined]
    else:
        mother, child_born = "0", None
    return {
        "CHILD": registration.child_id,
        "SEX": _sex(child, collection),
        "DOB": _dob(child),
        "ETHNIC": registration.ethnicity,
        "UPN": child.details(collection).upn or "",
        "MOTHER": mother,
        "MC_DOB": dmy(child_born),
    }


def _episode_row(child: ChildRecord, episode: Episode, asylum_seeker: bool = False) -> Row:
    placement = episode.placement
    # A short break has no placement location in the return (rules 214, 398, 420).
    located = placement is not None and episode.legal_status not in codes.SHORT_BREAK_LEGAL_STATUS
    return {
        "CHILD": child.registration.child_id,
        "DECOM": dmy(episode.started_on),
        "RNE": episode.reason_for_new_episode,
        "LS": episode.legal_status,
        "CIN": episode.category_of_need,
        "PLACE": placement.placement_type if placement else "",
        "PLACE_PROVIDER": (placement.provider or "") if placement else "",
        "DEC": dmy(episode.ended_on),
        "REC": episode.reason_ended or "",
        "REASON_PLACE_CHANGE": episode.reason_place_change or "",
        "HOME_POST": (placement.home_postcode or "")  # type: ignore[union-attr]
        if located and not asylum_seeker
        else "",
        "PL_POST": (placement.placement_postcode or "") if located else "",  # type: ignore[union-attr]
        "URN": (placement.urn or "") if located else "",  # type: ignore[union-attr]
    }


def _review_rows(child: ChildRecord, collection: CollectionYear) -> list[Row]:
    return [
        {
            "CHILD": child.registration.child_id,
            "DOB": _dob(child),
            "REVIEW": dmy(review.occurred_on),
            "REVIEW_CODE": review.participation,  # type: ignore[attr-defined]
        }
        for review in child.in_year(contract.StatutoryReviewHeld, collection)
    ]


def _uasc_rows(child: ChildRecord, collection: CollectionYear) -> list[Row]:
    rows = [
        {
            "CHILD": child.registration.child_id,
            "SEX": _sex(child, collection),
            "DOB": _dob(child),
            "DUC": dmy(status.ceased_on),  # type: ignore[attr-defined]
        }
        for status, _ in child.open_in(
            contract.UnaccompaniedAsylumSeekerRecorded, "ceased_on", collection
        )
    ]
    return rows[-1:]  # one row a child


def _deprivation_of_liberty_rows(child: ChildRecord, collection: CollectionYear) -> list[Row]:
    """Orders in force in the year; an end after 31 March is not shown (rule 704)."""
    return [
        {
            "CHILD": child.registration.child_id,
            "DOB": _dob(child),
            "DOLO_START": dmy(order.occurred_on),
            "DOLO_END": dmy(ended),
        }
        for order, ended in child.open_in(
            contract.DeprivationOfLibertyOrdered, "ended_on", collection
        )
    ]


def _missing_rows(child: ChildRecord, collection: CollectionYear) -> list[Row]:
    return [
        {
            "CHILD": child.registration.child_id,
            "DOB": _dob(child),
            "MISSING": episode.absence,  # type: ignore[attr-defined]
            "MIS_START": dmy(episode.occurred_on),
            "MIS_END": dmy(returned),
        }
        for episode, returned in child.open_in(
            contract.MissingEpisodeRecorded, "returned_on", collection
        )
    ]


def _placed_for_adoption_rows(
    child: ChildRecord, episodes: list[Episode], collection: CollectionYear
) -> list[Row]:
    """Decisions open in the year; one never ceased ends with its period of care."""
    ceased = {c.decision_id: c for c in child.of(contract.AdoptionDecisionCeased)}  # type: ignore[attr-defined]
    rows = []
    for decision in child.of(contract.AdoptionDecisionMade):
        end = ceased.get(decision.decision_id)  # type: ignore[attr-defined]
        period = next((e.period_id for e in episodes if e.open_on(decision.occurred_on)), None)
        period_end = max(
            (e.ended_on or date.max for e in episodes if e.period_id == period),
            default=date.max,
        )
        if decision.occurred_on > collection.last or (
            (end.occurred_on if end is not None else period_end) < collection.first
        ):
            continue
        in_year_end = end if end is not None and collection.holds(end.occurred_on) else None
        rows.append(
            {
                "CHILD": child.registration.child_id,
                "DOB": _dob(child),
                "DATE_PLACED": dmy(decision.occurred_on),
                "DATE_PLACED_CEASED": dmy(in_year_end.occurred_on if in_year_end else None),
                "REASON_PLACED_CEASED": in_year_end.reason if in_year_end else "",  # type: ignore[attr-defined]
            }
        )
    return rows


def _previous_permanence_rows(
    child: ChildRecord, episodes: list[Episode], collection: CollectionYear
) -> list[Row]:
    started = {e.started_on for e in episodes if e.reason_for_new_episode == "S"}
    rows = []
    for record in child.of(contract.PreviousPermanenceRecorded):
        if collection.holds(record.occurred_on) and record.occurred_on in started:
            rows.append(
                {
                    "CHILD": child.registration.child_id,
                    "DOB": _dob(child),
                    "PREV_PERM": record.arrangement,  # type: ignore[attr-defined]
                    "LA_PERM": record.authority or "",  # type: ignore[attr-defined]
                    "DATE_PERM": record.order_date or "",  # type: ignore[attr-defined]
                }
            )
    return rows[-1:]


def _ad1_rows(child: ChildRecord, in_year: list[Episode], collection: CollectionYear) -> list[Row]:
    adopted = [
        e
        for e in in_year
        if e.reason_ended in codes.ADOPTED_REASON_EPISODE_CEASED and collection.holds(e.ended_on)
    ]
    if not adopted:
        return []
    decisions = {d.decision_id: d for d in child.of(contract.AdoptionDecisionMade)}  # type: ignore[attr-defined]
    matches = child.of(contract.AdoptionMatchRecorded)
    match = matches[-1] if matches else None
    decision = decisions.get(match.decision_id) if match else None  # type: ignore[attr-defined]
    return [
        {
            "CHILD": child.registration.child_id,
            "DOB": _dob(child),
            "DATE_INT": dmy(decision.occurred_on if decision else None),
            "DATE_MATCH": dmy(match.occurred_on if match else None),
            "FOSTER_CARE": flag(match.former_foster_carers if match else None),  # type: ignore[attr-defined]
            "NB_ADOPTR": match.adopters if match else "",  # type: ignore[attr-defined]
            "SEX_ADOPTR": match.adopters_sex if match else "",  # type: ignore[attr-defined]
            "LS_ADOPTR": match.adopters_legal_status if match else "",  # type: ignore[attr-defined]
        }
    ]


def _continuously_looked_after(episodes: list[Episode], collection: CollectionYear) -> bool:
    """Looked after every day of the year, not on short breaks alone (the OC2 cohort).

    As the DfE's tools read it: an episode open on 1 April before the year, none ending
    in the year with a reason other than X1, none starting a period in the year, none
    under V3/V4 in the year.
    """
    in_year = [e for e in episodes if e.overlaps(collection.first, collection.last)]
    if not in_year or not any(e.started_on <= collection.first for e in in_year):
        return False
    for episode in in_year:
        if episode.legal_status in codes.SHORT_BREAK_LEGAL_STATUS:
            return False
        if episode.reason_for_new_episode == "S" and episode.started_on > collection.first:
            return False
        if (
            episode.ended_on is not None
            and episode.ended_on < collection.last
            and episode.reason_ended != "X1"
        ):
            return False
    return True


def _latest_in_year(
    child: ChildRecord, event_type: type[JourneyEvent], collection: CollectionYear
) -> JourneyEvent | None:
    found = child.in_year(event_type, collection)
    return found[-1] if found else None


def _oc2_row(child: ChildRecord, collection: CollectionYear) -> Row:
    age = age_on(child.registration.date_of_birth, collection.last)
    sdq = _latest_in_year(child, contract.StrengthsAndDifficultiesRecorded, collection)
    immunisations = _latest_in_year(child, contract.ImmunisationsStatusRecorded, collection)
    misuse = _latest_in_year(child, contract.SubstanceMisuseIdentified, collection)
    in_year = {
        t: bool(child.in_year(t, collection))
        for t in (
            contract.HealthAssessmentCompleted,
            contract.DentalCheckCompleted,
            contract.ConvictionRecorded,
        )
    }
    return {
        "CHILD": child.registration.child_id,
        "DOB": _dob(child),
        # None for a child under 4 at the year's end (rule 188).
        "SDQ_SCORE": (sdq.score or "") if sdq and age >= 4 else "",  # type: ignore[attr-defined]
        "SDQ_REASON": (sdq.reason or "") if sdq and age >= 4 else "",  # type: ignore[attr-defined]
        "CONVICTED": flag(in_year[contract.ConvictionRecorded]) if age >= 10 else "",
        # HEALTH_CHECK is the under-5s' development check, blank from 5 (rule 546).
        "HEALTH_CHECK": flag(in_year[contract.HealthAssessmentCompleted]) if age < 5 else "",
        "IMMUNISATIONS": flag(immunisations.up_to_date if immunisations else False),  # type: ignore[attr-defined]
        "TEETH_CHECK": flag(in_year[contract.DentalCheckCompleted]),
        "HEALTH_ASSESSMENT": flag(in_year[contract.HealthAssessmentCompleted]),
        "SUBSTANCE_MISUSE": flag(misuse is not None),
        "INTERVENTION_RECEIVED": flag(misuse.intervention_received) if misuse else "",  # type: ignore[attr-defined]
        "INTERVENTION_OFFERED": flag(misuse.intervention_offered) if misuse else "",  # type: ignore[attr-defined]
    }


def _oc3_row(child: ChildRecord, episodes: list[Episode], collection: CollectionYear) -> Row | None:
    born = child.registration.date_of_birth
    birthdays = [birthday(born, a) for a in _OC3_AGES if collection.holds(birthday(born, a))]
    if not birthdays or not _care_leaver(born, episodes):
        return None
    due = birthdays[0]
    if any(e.open_on(due) for e in episodes):
        return None  # looked after on the birthday: not yet a care leaver's row (1007)
    age = age_on(born, collection.last)
    if age in (17, 18) and any(
        e.ended_on is not None and e.ended_on >= birthday(born, age) for e in episodes
    ):
        return None  # left care after the birthday: a row the year after (rule 1016)
    contacts = [
        c
        for c in child.of(contract.CareLeaverContactRecorded)
        if abs((c.occurred_on - due).days) <= _OC3_WINDOW.days
    ]
    if not contacts:
        return None
    contact = min(contacts, key=lambda c: abs((c.occurred_on - due).days))
    return {
        "CHILD": child.registration.child_id,
        "DOB": _dob(child),
        "IN_TOUCH": contact.in_touch,  # type: ignore[attr-defined]
        "ACTIV": contact.activity,  # type: ignore[attr-defined]
        "ACCOM": contact.accommodation,  # type: ignore[attr-defined]
    }


def _care_leaver(born: date, episodes: list[Episode]) -> bool:
    """Looked after 13 weeks after the 14th birthday, some of it after the 16th."""
    fourteenth, sixteenth = add_years_months(born, 14), add_years_months(born, 16)
    days = 0
    after_16 = False
    for episode in episodes:
        if episode.legal_status in codes.SHORT_BREAK_LEGAL_STATUS or episode.ended_on is None:
            continue
        first = max(episode.started_on, fourteenth)
        if episode.ended_on > first:
            days += (episode.ended_on - first).days
        after_16 = after_16 or episode.ended_on > sixteenth
    return days >= 91 and after_16


def write_tables(made: Return, directory: Path) -> dict[str, Path]:
    """The return's CSV files in `directory` (created), one per table, header row first."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for table, columns in COLUMNS.items():
        if table not in made.tables:
            continue  # a table of other years' returns (DoLo, SWEpisodes)
        path = directory / FILES[table]
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(made.tables[table])
        written[table] = path
    return written
