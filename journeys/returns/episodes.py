"""SSDA903 episodes from a child's periods of care, legal statuses and placements.

An SSDA903 episode is a stretch of a period of care with one legal status and one
placement. A new episode starts whenever either changes, and its reason for new episode
(RNE) says which did:

| RNE | what changed on the day |
|---|---|
| S | the child started to be looked after (a new period of care) |
| L | the legal status only |
| P | the placement, to a different carer |
| T | the placement, the carer the same (carer_id kept) |
| B | the legal status, and the placement to a different carer |
| U | the legal status, and the placement with the same carer |

An episode ends (DEC) the day the next one starts, with REC X1, or the day the period of
care ends, with the period's reason. Its REASON_PLACE_CHANGE is the next placement's
`reason_for_change`, on an episode ended by a change of placement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from events.catalogue import (
    JourneyEvent,
    LegalStatusChanged,
    PeriodOfCareEnded,
    PeriodOfCareStarted,
    PlacementStarted,
)

CONTINUING = "X1"  # REC of an episode followed by another in the same period


@dataclass(frozen=True, slots=True)
class Episode:
    """One SSDA903 episode of a child."""

    period_id: str
    started_on: date  # DECOM
    reason_for_new_episode: str  # RNE
    legal_status: str  # LS
    category_of_need: str  # CIN
    placement: PlacementStarted | None  # PLACE, PLACE_PROVIDER, URN, postcodes
    ended_on: date | None = None  # DEC
    reason_ended: str | None = None  # REC
    reason_place_change: str | None = None  # REASON_PLACE_CHANGE

    def open_on(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on > day)

    def overlaps(self, first: date, last: date) -> bool:
        """Open at any time from `first` to `last` (an episode ending on `first` counts)."""
        return self.started_on <= last and (self.ended_on is None or self.ended_on >= first)


def episodes_of(events: Iterable[JourneyEvent]) -> list[Episode]:
    """Every episode of one child's periods of care, in date order."""
    starts: list[PeriodOfCareStarted] = []
    ends: dict[str, PeriodOfCareEnded] = {}
    changes: dict[str, list[LegalStatusChanged]] = defaultdict(list)
    placements: dict[str, list[PlacementStarted]] = defaultdict(list)
    for event in events:
        if isinstance(event, PeriodOfCareStarted):
            starts.append(event)
        elif isinstance(event, PeriodOfCareEnded):
            ends[event.period_id] = event
        elif isinstance(event, LegalStatusChanged):
            changes[event.period_id].append(event)
        elif isinstance(event, PlacementStarted):
            placements[event.period_id].append(event)
    found: list[Episode] = []
    for start in sorted(starts, key=lambda s: s.occurred_on):
        found.extend(
            _episodes_of_period(
                start,
                ends.get(start.period_id),
                sorted(changes[start.period_id], key=lambda c: c.occurred_on),
                sorted(placements[start.period_id], key=lambda p: p.occurred_on),
            )
        )
    return found


def _episodes_of_period(
    start: PeriodOfCareStarted,
    end: PeriodOfCareEnded | None,
    changes: list[LegalStatusChanged],
    placements: list[PlacementStarted],
) -> list[Episode]:
    last_day = end.occurred_on if end is not None else None
    status_on = {c.occurred_on: c.legal_status for c in changes}
    placement_on = {p.occurred_on: p for p in placements}
    days = sorted({start.occurred_on, *status_on, *placement_on})
    if last_day is not None:
        days = [d for d in days if d < last_day or d == start.occurred_on]
    episodes: list[Episode] = []
    status, placement = start.legal_status, placement_on.get(start.occurred_on)
    for day in days:
        if day == start.occurred_on:
            reason = "S"
            status = status_on.get(day, status)
        else:
            new_status = status_on.get(day, status)
            moved = placement_on.get(day)
            status_changed = new_status != status
            if moved is None:
                if not status_changed:
                    continue
                reason = "L"
            else:
                same_carer = placement is not None and moved.carer_id == placement.carer_id
                if status_changed:
                    reason = "U" if same_carer else "B"
                else:
                    reason = "T" if same_carer else "P"
                placement = moved
            status = new_status
        episodes.append(
            Episode(start.period_id, day, reason, status, start.category_of_need, placement)
        )
    return _with_ends(episodes, end)


def _with_ends(episodes: list[Episode], end: PeriodOfCareEnded | None) -> list[Episode]:
    ended: list[Episode] = []
    for episode, following in zip(episodes, [*episodes[1:], None], strict=True):
        if following is not None:
            moved = following.placement is not episode.placement
            ended.append(
                replace(
                    episode,
                    ended_on=following.started_on,
                    reason_ended=CONTINUING,
                    reason_place_change=(
                        following.placement.reason_for_change
                        if moved and following.placement is not None
                        else None
                    ),
                )
            )
        elif end is not None:
            ended.append(replace(episode, ended_on=end.occurred_on, reason_ended=end.reason))
        else:
            ended.append(episode)
    return ended
