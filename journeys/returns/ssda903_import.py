"""An SSDA903 return read back into the events it describes, for the submissions topic.

Each row becomes the events of the record it stands for (the inverse of
`journeys.returns.ssda903`, column for column: docs/returns.md). What the conversion
decides:

- **Carers.** RNE T and U keep the carer of the episode before, and L keeps the
  placement itself. S, P and B change the carer: to the carer of an earlier placement of
  the same period at the same URN and placement postcode (a return after a temporary
  placement), else to a new carer identified by the URN, the placement postcode and the
  episode's start (`carer_of`).
- **Identity.** An event's id is derived from its natural key: the authority, the child,
  the event type and the day it happened (for the few a child has once, the type alone).
  The same row read twice gives the same event, which the record takes as a resend.
- **Corrections.** A row whose event the record already holds under the same key, with
  other values (a missing episode now ended, a placement type corrected), becomes the
  retraction of the recorded event and the corrected event (its id derived from the key
  and its values). An episode open at 31 March is in the next year's file again: the
  same key and values, so recorded once.
- **When.** The events of year Y's return are recorded at 1 April Y 00:00 UTC.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime
from functools import cache
from operator import attrgetter
from typing import Any

from events import catalogue as contract
from events.catalogue import JourneyEvent
from events.sealing import KeyedNames
from journeys.domain.facts import SAME_DAY_ORDER, birthday
from journeys.returns.child_details import ChildDetails, details_to_record, statement_day
from journeys.returns.ssda903 import CollectionYear
from journeys.returns.ssda903_reading import Row, RowError

# The label of the keyed names an import's event and carer ids come from: keyed by the
# master key (events.sealing.KeyedNames), as a plain uuid5 of a child's id and dates
# could be reversed by trying every id.
IMPORT_NAMES = "ssda903-import"
SOURCE_SYSTEM = "ssda903-import"
# Event types a child has once whatever its date: their key is the type alone.
_ONCE = (
    contract.ChildRegistered,
    contract.MotherhoodRecorded,
    contract.UnaccompaniedAsylumSeekerRecorded,
)
# Event types two returns can each record on a day: their key holds the source system.
_BY_SOURCE = (contract.ChildDetailsRecorded,)
_ENVELOPE = {"event_id", "recorded_at", "source_system"}
# The id of a draft, an event not yet settled (`settled` gives it its own).
UNSETTLED = uuid.UUID(int=0)


@dataclass
class Converted:
    """The events a return describes, where each came from, and the rows refused."""

    events: list[JourneyEvent] = field(default_factory=list)
    source: dict[uuid.UUID, str] = field(default_factory=dict)  # event id -> file:line
    errors: list[RowError] = field(default_factory=list)


# A natural key: the authority, the child, the event type and (but for _ONCE) the day,
# then anything that tells apart two of a type on a day (the CIN import's owner ids).
Key = tuple[str | date, ...]


def natural_key(event: JourneyEvent) -> Key:
    if isinstance(event, _ONCE):
        return (event.local_authority, event.child_id, event.event_type)
    if isinstance(event, _BY_SOURCE):
        return (
            event.local_authority,
            event.child_id,
            event.event_type,
            event.occurred_on,
            event.source_system,
        )
    return (event.local_authority, event.child_id, event.event_type, event.occurred_on)


def key_name(key: Key) -> str:
    """The name an id is derived from: the key's parts joined by '/', a day as
    yyyy-mm-dd (`371/C1/PlacementStarted/2023-06-01`)."""
    return "/".join(map(str, key))


def _values(event: JourneyEvent) -> tuple[Any, ...]:
    """What a correction compares: every field but the envelope's own (and, for a thing
    a child has once, the day it was first noted, which each year's return dates anew)."""
    return _compared(type(event))(event)


@cache
def _compared(event_type: type[JourneyEvent]) -> Callable[[JourneyEvent], tuple[Any, ...]]:
    left_out = _ENVELOPE | ({"occurred_on"} if issubclass(event_type, _ONCE) else set())
    names = [f.name for f in fields(event_type) if f.name not in left_out]
    get = attrgetter(*names)
    return get if len(names) > 1 else lambda event: (get(event),)


def registration_differs(where: str, column: str, name: str) -> RowError:
    """A return giving a registered child another date of birth, sex or ethnicity."""
    file, _, line = where.rpartition(":")
    return RowError(
        file,
        int(line),
        column,
        "registration_differs",
        f"the record registers the child with another {name}: a registration is not "
        "corrected by a return (the rest loads)",
    )


# The team and locality of an allocation read from SWEpisodes, which names neither.
NOT_IN_RETURN = "NOT_IN_RETURN"

# The tables a child's care must be known for (an item of a looked-after child).
_OF_CARE = (
    "Reviews", "OC2", "OC3", "PlacedAdoption", "AD1", "PrevPerm", "UASC", "Missing", "DoLo",
)  # fmt: skip


def _period_not_known(row: Row, started: date, collection: CollectionYear) -> RowError:
    """An episode continuing a period of care whose start is in no return imported yet:
    the period started before the collection year, and by the episode's own start."""
    latest = min(collection.year - 1, started.year + (1 if started.month >= 4 else 0))
    return RowError(
        row.file,
        row.line,
        "RNE",
        "period_not_known",
        f"the child's episode of {started:%d/%m/%Y} continues a period of care (RNE "
        f"{row.text('RNE')}) that started in an earlier year's return, not imported yet: "
        f"import the returns from the year the period started (the {latest} return or "
        f"earlier) first, then the {collection.year} return again; until then the child's "
        "episodes and the items of their care in this file are left out",
    )


def carer_of(
    names: KeyedNames, child_id: str, started: date, urn: str | None, postcode: str | None
) -> str:
    text = f"{child_id}|{started.isoformat()}|{urn or ''}|{postcode or ''}"
    return "CR" + names.token(text)


def events_of_return(
    rows: Sequence[Row],
    year: int,
    local_authority: str,
    record: Iterable[JourneyEvent],
    names: KeyedNames,
) -> Converted:
    """The events of one collection year's rows, given what the record already holds;
    `names` (the key store's, label IMPORT_NAMES) makes their ids."""
    collection = CollectionYear(year)
    by_child: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_child[str(row.text("CHILD"))].append(row)
    recorded: dict[str, list[JourneyEvent]] = {child_id: [] for child_id in by_child}
    for event in record:
        mine = recorded.get(event.child_id)
        if mine is not None:  # a child of the return: the others' events are not read
            mine.append(event)
    made = Converted()
    recorded_at = datetime(year, 4, 1, tzinfo=UTC)
    for child_id in sorted(by_child):
        reader = _ChildReader(
            child_id,
            local_authority,
            collection,
            recorded_at,
            {natural_key(event): event for event in recorded[child_id]},
            recorded[child_id],
            made,
            names,
        )
        reader.read(by_child[child_id])
    return made


@dataclass
class _ChildReader:
    child_id: str
    local_authority: str
    collection: CollectionYear
    recorded_at: datetime
    known: dict[Key, JourneyEvent]  # the record's events of this child, by natural key
    mine: list[JourneyEvent]  # the record's events of this child
    made: Converted
    names: KeyedNames
    drafts: list[tuple[JourneyEvent, str]] = field(default_factory=list)
    born: date | None = None

    def draft(self, event_type: type[JourneyEvent], on: date, row: Row, **values: Any) -> None:
        event = event_type(
            event_id=UNSETTLED,
            child_id=self.child_id,
            local_authority=self.local_authority,
            occurred_on=on,
            recorded_at=self.recorded_at,
            source_system=SOURCE_SYSTEM,
            **values,
        )
        self.drafts.append((event, row.where))

    def read(self, rows: list[Row]) -> None:
        tables: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            tables[row.table].append(row)
        headers = tables.get("Header", [])
        registered = self.known.get((self.local_authority, self.child_id, "ChildRegistered"))
        if not headers and registered is None:
            for row in rows:
                self.made.errors.append(
                    RowError(
                        row.file, row.line, "CHILD", "no_header", "the child has no header row"
                    )
                )
            return
        if headers:
            self._header(headers[0], registered)
        else:
            self.born = registered.date_of_birth  # type: ignore[union-attr]
        episodes = sorted(tables.get("Episodes", []), key=lambda r: r.day("DECOM"))  # type: ignore[arg-type, return-value]
        unknown = self._episodes(episodes)
        if unknown is not None:
            # What the child's care is not known without: left out, each row named.
            for table in _OF_CARE:
                for row in tables.get(table, []):
                    self.made.errors.append(
                        RowError(
                            row.file,
                            row.line,
                            "CHILD",
                            "period_not_known",
                            f"left out with the child's episodes ({unknown.file}:"
                            f"{unknown.line}: a period of care not imported yet)",
                        )
                    )
            self._settle()
            return
        if headers:
            self._motherhood(headers[0], episodes)
        for row in tables.get("Reviews", []):
            self.draft(
                contract.StatutoryReviewHeld,
                row.day("REVIEW"),
                row,
                participation=row.text("REVIEW_CODE"),
            )  # type: ignore[arg-type]
        for row in tables.get("OC2", []):
            self._oc2(row)
        for row in tables.get("OC3", []):
            self._oc3(row)
        self._adoption(tables.get("PlacedAdoption", []), tables.get("AD1", []))
        self._entry(tables.get("PrevPerm", []), tables.get("UASC", []), tables.get("Episodes", []))
        for row in tables.get("Missing", []):
            started = row.day("MIS_START")
            self.draft(
                contract.MissingEpisodeRecorded,
                started,  # type: ignore[arg-type]
                row,
                absence=row.text("MISSING"),
                returned_on=self._end(row.day("MIS_END"), "MissingEpisodeRecorded", started),
            )
        for row in tables.get("DoLo", []):
            started = row.day("DOLO_START")
            self.draft(
                contract.DeprivationOfLibertyOrdered,
                started,  # type: ignore[arg-type]
                row,
                ended_on=self._end(row.day("DOLO_END"), "DeprivationOfLibertyOrdered", started),
            )
        for row in tables.get("SWEpisodes", []):
            self._social_worker_episode(row)
        self._settle()

    def _social_worker_episode(self, row: Row) -> None:
        """An allocation of the case (journeys.returns.social_workers): its id from its
        start, the worker as the return gives it; the return names no team nor locality
        (recorded as NOT_IN_RETURN). Its end, where the row gives one, is its
        CaseAllocationEnded; a row open at 31 March ends in a later year's file."""
        started: date = row.day("SW_DECOM")  # type: ignore[assignment]
        allocation_id = f"SW{started:%Y%m%d}"
        self.draft(
            contract.CaseAllocated,
            started,
            row,
            allocation_id=allocation_id,
            worker_id=row.text("SW_ID"),
            team_id=NOT_IN_RETURN,
            locality_id=NOT_IN_RETURN,
            reason=row.text("SW_REASON") or None,
        )
        ended = row.day("SW_DEC")
        if ended is not None:
            self.draft(contract.CaseAllocationEnded, ended, row, allocation_id=allocation_id)

    def _end(self, ended: date | None, event_type: str, started: date | None) -> date | None:
        """The end of a missing episode or an order as the row gives it; for one the row
        shows open at 31 March, the end a later year's return gave the record (an earlier
        year imported again leaves it as it is)."""
        if ended is not None:
            return ended
        key = (self.local_authority, self.child_id, event_type, started)
        recorded = self.known.get(key)  # type: ignore[arg-type]
        later = getattr(recorded, "returned_on", None) or getattr(recorded, "ended_on", None)
        return later if later is not None and later > self.collection.last else None

    def _header(self, row: Row, registered: JourneyEvent | None) -> None:
        """The registration, or for a child registered already (by a CIN census, or an
        earlier year) the UPN where it is new (ChildDetailsRecorded); another date of
        birth, sex or ethnicity is reported, as a registration is not corrected."""
        sex = {"1": "M", "2": "F"}.get(str(row.text("SEX")), row.text("SEX"))
        if not isinstance(registered, contract.ChildRegistered):
            self.born = row.day("DOB")
            self.draft(
                contract.ChildRegistered,
                self.born,  # type: ignore[arg-type]
                row,
                date_of_birth=self.born,
                sex=sex,
                ethnicity=row.text("ETHNIC"),
                upn=row.text("UPN"),
            )
        else:
            self.born = registered.date_of_birth
            self._registered(row, registered, sex)

    def _motherhood(self, row: Row, episodes: list[Row]) -> None:
        if row.text("MOTHER") == "1" and episodes:
            first = min(e.day("DECOM") for e in episodes)  # type: ignore[type-var]
            self.draft(
                contract.MotherhoodRecorded,
                max(first, self.collection.first),  # type: ignore[type-var]
                row,
                child_date_of_birth=row.day("MC_DOB"),
            )

    def _registered(self, row: Row, registered: contract.ChildRegistered, sex: str | None) -> None:
        for column, name, value in (
            ("DOB", "date_of_birth", row.day("DOB")),
            ("SEX", "sex", sex),
            ("ETHNIC", "ethnicity", row.text("ETHNIC")),
        ):
            if getattr(registered, name) != value:
                self.made.errors.append(registration_differs(row.where, column, name))
        details = details_to_record(
            registered,
            [e for e in self.mine if isinstance(e, contract.ChildDetailsRecorded)],
            self.collection.year,
            SOURCE_SYSTEM,
            ChildDetails(row.text("UPN"), ()),
            disabilities_stated=False,  # SSDA903 has no disabilities
        )
        if details is not None:
            self.draft(
                contract.ChildDetailsRecorded, statement_day(self.collection.year), row, **details
            )

    def _episodes(self, rows: list[Row]) -> RowError | None:
        """The events of the child's episodes; or, for an episode continuing a period of
        care the record does not hold (its start in an earlier year's return not imported
        yet), the error, each of the child's episodes left out with it."""
        period, placement = self._open_in_record(rows[0].day("DECOM")) if rows else (None, None)
        reason_for_next: str | None = None
        for index, row in enumerate(rows):
            started: date = row.day("DECOM")  # type: ignore[assignment]
            rne = row.text("RNE")
            if rne != "S" and period is None:
                unknown = _period_not_known(row, started, self.collection)
                left_out = {r.where for r in rows}
                self.drafts = [d for d in self.drafts if d[1] not in left_out]
                self.made.errors.extend(replace(unknown, file=r.file, line=r.line) for r in rows)
                return unknown
            if rne == "S":
                period = f"LAC{started:%Y%m%d}"
                self.draft(
                    contract.PeriodOfCareStarted,
                    started,
                    row,
                    period_id=period,
                    legal_status=row.text("LS"),
                    category_of_need=row.text("CIN"),
                )
            elif rne in ("L", "B", "U"):
                self.draft(
                    contract.LegalStatusChanged,
                    started,
                    row,
                    period_id=period,
                    legal_status=row.text("LS"),
                )
            if rne in ("S", "P", "T", "B", "U"):
                if placement is not None and rne != "S":
                    self.draft(
                        contract.PlacementEnded, started, row, placement_id=placement.placement_id
                    )
                carer = self._carer(rne, row, started, period, placement)
                placement = contract.PlacementStarted(
                    event_id=UNSETTLED,
                    child_id=self.child_id,
                    local_authority=self.local_authority,
                    occurred_on=started,
                    recorded_at=self.recorded_at,
                    source_system=SOURCE_SYSTEM,
                    placement_id=f"PL{started:%Y%m%d}",
                    period_id=period,  # type: ignore[arg-type]
                    placement_type=row.text("PLACE"),  # type: ignore[arg-type]
                    provider=row.text("PLACE_PROVIDER"),
                    carer_id=carer,
                    urn=row.text("URN"),
                    home_postcode=row.text("HOME_POST"),
                    placement_postcode=row.text("PL_POST"),
                    reason_for_change=None if rne == "S" else reason_for_next,
                )
                if index == 0 and rne != "S":
                    # The episode before is in an earlier year's file: its reason for the
                    # change is the one the record holds.
                    before = self.known.get(natural_key(placement))
                    placement = replace(
                        placement,
                        reason_for_change=getattr(before, "reason_for_change", None),
                    )
                self.drafts.append((placement, row.where))
            reason_for_next = row.text("REASON_PLACE_CHANGE")
            ended, reason = row.day("DEC"), row.text("REC")
            if ended is not None and reason not in (None, "X1"):
                if placement is not None:
                    self.draft(
                        contract.PlacementEnded, ended, row, placement_id=placement.placement_id
                    )
                self.draft(contract.PeriodOfCareEnded, ended, row, period_id=period, reason=reason)
                period, placement = None, None
        return None

    def _carer(
        self,
        rne: str | None,
        row: Row,
        started: date,
        period: str | None,
        before: contract.PlacementStarted | None,
    ) -> str:
        """T and U: the carer of the placement before. S, P and B: the carer of an earlier
        placement of the period at the same URN and postcode (a return after a temporary
        placement), else a new carer named by the URN, postcode and start."""
        if rne in ("T", "U") and before is not None:
            return before.carer_id
        urn, postcode = row.text("URN"), row.text("PL_POST")
        if urn and postcode:
            earlier = [
                p
                for p in (*self._recorded_placements(), *self._drafted_placements())
                if p.period_id == period
                and (p.urn, p.placement_postcode) == (urn, postcode)
                and p.occurred_on < started
                # P and B say the carer changed: never the carer of the placement before.
                and (before is None or p.carer_id != before.carer_id)
            ]
            if earlier:
                return max(earlier, key=lambda p: p.occurred_on).carer_id
        return carer_of(self.names, self.child_id, started, urn, postcode)

    def _recorded_placements(self) -> list[contract.PlacementStarted]:
        return [e for e in self.mine if isinstance(e, contract.PlacementStarted)]

    def _drafted_placements(self) -> list[contract.PlacementStarted]:
        return [e for e, _ in self.drafts if isinstance(e, contract.PlacementStarted)]

    def _open_in_record(
        self, day: date | None
    ) -> tuple[str | None, contract.PlacementStarted | None]:
        """The period and placement the record has open the day before `day`."""
        if day is None:
            return None, None
        mine = [e for e in self.mine if e.occurred_on < day]
        ended = {e.period_id for e in mine if isinstance(e, contract.PeriodOfCareEnded)}
        periods = [
            e
            for e in mine
            if isinstance(e, contract.PeriodOfCareStarted) and e.period_id not in ended
        ]
        if not periods:
            return None, None
        period = max(periods, key=lambda e: e.occurred_on).period_id
        placements = [
            e for e in mine if isinstance(e, contract.PlacementStarted) and e.period_id == period
        ]
        return period, max(placements, key=lambda e: e.occurred_on) if placements else None

    def _oc2(self, row: Row) -> None:
        day = self.collection.last
        if row.text("HEALTH_ASSESSMENT") == "1":
            self.draft(contract.HealthAssessmentCompleted, day, row)
        if row.text("TEETH_CHECK") == "1":
            self.draft(contract.DentalCheckCompleted, day, row)
        if row.text("IMMUNISATIONS") in ("0", "1"):
            self.draft(
                contract.ImmunisationsStatusRecorded,
                day,
                row,
                up_to_date=row.text("IMMUNISATIONS") == "1",
            )
        if row.text("SDQ_SCORE") or row.text("SDQ_REASON"):
            self.draft(
                contract.StrengthsAndDifficultiesRecorded,
                day,
                row,
                score=row.text("SDQ_SCORE"),
                reason=row.text("SDQ_REASON"),
            )
        if row.text("CONVICTED") == "1":
            self.draft(contract.ConvictionRecorded, day, row)
        if row.text("SUBSTANCE_MISUSE") == "1":
            flags = {"1": True, "0": False}
            self.draft(
                contract.SubstanceMisuseIdentified,
                day,
                row,
                intervention_received=flags.get(str(row.text("INTERVENTION_RECEIVED"))),
                intervention_offered=flags.get(str(row.text("INTERVENTION_OFFERED"))),
            )

    def _oc3(self, row: Row) -> None:
        born = self.born
        assert born is not None
        ages = [a for a in range(17, 22) if self.collection.holds(birthday(born, a))]
        if not ages:
            self.made.errors.append(
                RowError(
                    row.file,
                    row.line,
                    "DOB",
                    "not_a_care_leaver_year",
                    "no 17th to 21st birthday falls in the year",
                )
            )
            return
        if not any(
            isinstance(e, contract.PeriodOfCareStarted)
            for e in (*self.mine, *(d for d, _ in self.drafts))
        ):
            self.made.errors.append(
                RowError(
                    row.file,
                    row.line,
                    "CHILD",
                    "care_not_known",
                    "a care leaver's contact, for a young person the record does not hold "
                    "as ever looked after: import the returns of the years they were looked "
                    f"after first, then the {self.collection.year} return again",
                )
            )
            return
        self.draft(
            contract.CareLeaverContactRecorded,
            birthday(born, ages[0]),
            row,
            in_touch=row.text("IN_TOUCH"),
            activity=row.text("ACTIV"),
            accommodation=row.text("ACCOM"),
        )

    def _adoption(self, placed: list[Row], matched: list[Row]) -> None:
        for row in placed:
            decided: date = row.day("DATE_PLACED")  # type: ignore[assignment]
            decision = f"AD{decided:%Y%m%d}"
            self.draft(contract.AdoptionDecisionMade, decided, row, decision_id=decision)
            if row.day("DATE_PLACED_CEASED") is not None:
                self.draft(
                    contract.AdoptionDecisionCeased,
                    row.day("DATE_PLACED_CEASED"),  # type: ignore[arg-type]
                    row,
                    decision_id=decision,
                    reason=row.text("REASON_PLACED_CEASED"),
                )
        for row in matched:
            self.draft(
                contract.AdoptionMatchRecorded,
                row.day("DATE_MATCH"),  # type: ignore[arg-type]
                row,
                decision_id=f"AD{row.day('DATE_INT'):%Y%m%d}",
                former_foster_carers=row.text("FOSTER_CARE") == "1",
                adopters=row.text("NB_ADOPTR"),
                adopters_sex=row.text("SEX_ADOPTR"),
                adopters_legal_status=row.text("LS_ADOPTR"),
            )

    def _entry(self, previous: list[Row], asylum: list[Row], episodes: list[Row]) -> None:
        starts = sorted(
            r.day("DECOM")
            for r in episodes
            if r.text("RNE") == "S" and self.collection.holds(r.day("DECOM"))  # type: ignore[misc]
        )
        for row in previous:
            if not starts:
                self.made.errors.append(
                    RowError(
                        row.file,
                        row.line,
                        "CHILD",
                        "no_period_started",
                        "previous permanence for a child who did not start a period of care "
                        "in the year",
                    )
                )
                continue
            self.draft(
                contract.PreviousPermanenceRecorded,
                starts[-1],
                row,
                arrangement=row.text("PREV_PERM"),
                authority=row.text("LA_PERM"),
                order_date=row.text("DATE_PERM"),
            )
        for row in asylum:
            first = min((r.day("DECOM") for r in episodes), default=None)  # type: ignore[type-var]
            if first is None:
                continue
            self.draft(
                contract.UnaccompaniedAsylumSeekerRecorded,
                max(first, self.collection.first),  # type: ignore[type-var]
                row,
                ceased_on=row.day("DUC"),
            )

    def _settle(self) -> None:
        """Each draft: new (its id from its key), already recorded, or a correction."""
        reason = f"corrected by the SSDA903 return of {self.collection.year}"
        for event, where in settled(self.drafts, self.known, self.names, reason):
            self.made.events.append(event)
            self.made.source[event.event_id] = where


def _draft_order(draft: tuple[JourneyEvent, str]) -> tuple[date, int, datetime]:
    """`in_date_order` of drafts, all UNSETTLED: the drafts of one day and kind stay in the
    order they were drafted (a stable sort)."""
    event = draft[0]
    return event.occurred_on, SAME_DAY_ORDER[event.event_type], event.recorded_at


def settled(
    drafts: Iterable[tuple[JourneyEvent, str]],
    known: Mapping[Key, JourneyEvent],
    names: KeyedNames,
    reason: str,
    key_of: Callable[[JourneyEvent], Key] = natural_key,
) -> list[tuple[JourneyEvent, str]]:
    """The drafts (each with where it came from) to publish, in date order: a draft
    recorded already with its values is left out; a new one gets its id from its key
    (`key_of`); one recorded under its key with other values becomes the retraction of
    the recorded event (for `reason`) and the corrected event."""
    found: list[tuple[JourneyEvent, str]] = []
    for draft, where in sorted(drafts, key=_draft_order):
        key = key_of(draft)
        recorded = known.get(key)
        if recorded is not None and _values(recorded) == _values(draft):
            continue  # recorded already, by an import or by another system
        name = key_name(key)
        if recorded is None:
            found.append((_given_id(draft, names.uuid(name)), where))
            continue
        digest = hashlib.sha256(repr(_values(draft)).encode()).hexdigest()[:16]
        retraction = contract.EventRetracted(
            event_id=names.uuid(f"{name}/retracted/{digest}"),
            child_id=draft.child_id,
            local_authority=draft.local_authority,
            occurred_on=draft.occurred_on,
            recorded_at=draft.recorded_at,
            source_system=draft.source_system,
            retracted_event_id=recorded.event_id,
            reason=reason,
        )
        found.append((retraction, where))
        found.append((_given_id(draft, names.uuid(f"{name}/{digest}")), where))
    return found


def _given_id(draft: JourneyEvent, event_id: uuid.UUID) -> JourneyEvent:
    """The draft with its id, set in place: a draft is the import's own, made for this
    and held by nothing published, and a copy (dataclasses.replace) would cost as much
    again as making it, for every event of a return."""
    if draft.event_id is not UNSETTLED:
        raise ValueError(f"{draft.event_type} {draft.event_id} is not a draft")
    object.__setattr__(draft, "event_id", event_id)
    return draft
