"""The SSDA903 social worker episodes table (SWEpisodes), from the 2023-24 return.

One row for each allocation of the case (CaseAllocated, ended by CaseAllocationEnded)
open on a day of the collection year, for each child looked after in the year (not on
short breaks alone; see `in_table`): every allocation of the year, those held while the child was
not looked after too, as the message of the DfE's rule SW12 asks. (Its code flags a
period of care with a social worker episode outside it: see docs/returns.md.) SW_ID is the
authority's worker id as held, SW_DECOM the allocation's start, SW_DEC its end (blank
after 31 March: the next year's file shows it), SW_REASON the allocation's reason (blank
where not recorded, listed in the export's summary).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from events import catalogue as contract
from events import codes

if TYPE_CHECKING:
    from journeys.returns.episodes import Episode
    from journeys.returns.ssda903 import ChildRecord, CollectionYear, Row

# The collection year whose return first has the SWEpisodes table (2023-24).
SW_EPISODES_FROM = 2024
COLUMNS = ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON")
REQUIRED = ("CHILD", "SW_ID", "SW_DECOM", "SW_REASON")


def in_table(in_year: list[Episode]) -> bool:
    """Whether the child's social worker episodes are in the year's table: looked after,
    not on a short break, on a day of the year. The rules' messages name the children
    looked after on 31 March (SW01, SW12); SW12's code checks each period of care ending
    in the year too, and finds no episodes for a child who left care in it."""
    return any(e.legal_status not in codes.SHORT_BREAK_LEGAL_STATUS for e in in_year)


def allocations_of(child: ChildRecord) -> list[tuple[contract.CaseAllocated, date | None]]:
    """Each allocation of the child's case with the day it ended (None: still held)."""
    ended = {
        e.allocation_id: e.occurred_on  # type: ignore[attr-defined]
        for e in child.of(contract.CaseAllocationEnded)
    }
    return [
        (a, ended.get(a.allocation_id))  # type: ignore[attr-defined]
        for a in child.of(contract.CaseAllocated)
    ]


def social_worker_rows(child: ChildRecord, collection: CollectionYear) -> list[Row]:
    """The child's social worker episodes open in the year, in order of their start."""
    from journeys.returns.ssda903 import dmy  # the module that writes this table's file

    rows = []
    for allocation, ended in allocations_of(child):
        if allocation.occurred_on > collection.last:
            continue
        if ended is not None and ended < collection.first:
            continue
        rows.append(
            {
                "CHILD": child.registration.child_id,
                "DOB": dmy(child.registration.date_of_birth),
                "SW_ID": allocation.worker_id,
                "SW_DECOM": dmy(allocation.occurred_on),
                "SW_DEC": dmy(ended if collection.holds(ended) else None),
                "SW_REASON": allocation.reason or "",
            }
        )
    return rows
