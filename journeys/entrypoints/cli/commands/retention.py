"""`journeys retention`: list the children whose records are past their retention date.

Each kind of record is kept until a birthday the authority sets (JOURNEYS_RETENTION; by
default the 75th for a child ever looked after, as the Care Planning, Placement and Case
Review (England) Regulations 2010 require, the 26th for child protection and the 25th for
other children in need). With --erase, the children listed are erased (`journeys erase`)
once you confirm.
"""

from __future__ import annotations

import argparse
from datetime import date

from events.key_store import open_key_store
from events.settings import Settings
from journeys.entrypoints.cli.commands._arguments import iso_date
from journeys.kafka.broker import configured_cluster
from journeys.kafka.retention import (
    RetentionDue,
    RetentionPolicy,
    local_authorities,
    past_retention,
)


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--on", type=iso_date, default=None, help="the day to judge on (default: today)"
    )
    parser.add_argument(
        "--erase", action="store_true", help="erase the children listed, after confirmation"
    )
    parser.add_argument(
        "--yes", action="store_true", help="with --erase: do not ask (for a scheduled job)"
    )


def _table(due: list[RetentionDue]) -> str:
    lines = ["local authority  child id          kind              keep until"]
    lines += [
        f"{d.local_authority:<16} {d.child_id:<17} {d.kind:<17} {d.keep_until.isoformat()}"
        for d in due
    ]
    return "\n".join(lines)


def run(arguments: argparse.Namespace) -> int:
    settings = configured_cluster(Settings.from_environment(), "retention")
    policy = RetentionPolicy.from_text(settings.retention)
    on = arguments.on or date.today()
    key_store = open_key_store(settings)
    try:
        due = past_retention(settings, key_store, policy, on)
        if not due:
            print(f"no child's record is past its retention date on {on.isoformat()}")
            return 0
        print(_table(due))
        print(f"\n{len(due):,} children past their retention date on {on.isoformat()}")
        if not arguments.erase:
            return 0
        if not arguments.yes:
            answer = input(f"erase these {len(due):,} children for good? type 'erase': ")
            if answer.strip() != "erase":
                print("nothing erased")
                return 1
        erased = 0
        for local_authority, child_ids in local_authorities(due).items():
            erased += len(
                key_store.erase(
                    local_authority,
                    child_ids,
                    by="journeys retention",
                    reason=f"retention date passed on {on.isoformat()} ({policy})",
                )
            )
        print(f"erased {erased:,} children")
        return 0
    finally:
        key_store.close()
