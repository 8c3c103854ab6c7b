"""`journeys rejected`: list refused submissions with the rule and the reason.

Read care.journey.rejected and print one row per refused submission.
"""

from __future__ import annotations

import argparse

from events.settings import Settings
from journeys.domain.display import shown
from journeys.kafka.broker import configured_cluster
from journeys.kafka.rejected import Rejection, read_rejections

_COLUMNS = ("child", "event type", "event_id", "rule", "field", "why")
# Every cell is the sender's text (the key, or a header), so each is escaped and cut: a
# terminal escape sequence in a key must not act on the terminal, and one 5 MB key must
# not bury the table. The reason is the longest a refusal needs (a list of codes).
_CELL_LIMIT = 40
_REASON_LIMIT = 300


def register(parser: argparse.ArgumentParser) -> None:
    pass


def rows(rejections: list[Rejection]) -> list[tuple[str, ...]]:
    return [
        (
            *(
                shown(cell, _CELL_LIMIT)
                for cell in (
                    r.child_id or "?",
                    r.event_type or "?",
                    r.event_id or "?",
                    r.rule_code,
                    r.field,
                )
            ),
            shown(r.message, _REASON_LIMIT),
        )
        for r in rejections
    ]


def format_table(table: list[tuple[str, ...]]) -> str:
    widths = [
        max([len(_COLUMNS[i])] + [len(row[i]) for row in table]) for i in range(len(_COLUMNS) - 1)
    ]
    lines = []
    for row in [_COLUMNS, *table]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]))
    return "\n".join(lines)


def run(arguments: argparse.Namespace) -> int:
    settings = configured_cluster(Settings.from_environment(), "rejected")
    rejections = read_rejections(settings)
    if not rejections:
        print(f"nothing refused: {settings.rejected_topic} is empty")
        return 0
    print(format_table(rows(rejections)))
    print(f"\n{len(rejections):,} refused submissions")
    return 0
