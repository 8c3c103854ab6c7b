"""`journeys rejected`: list refused submissions with the rule and the reason.

Read care.journey.rejected and print one row per refused submission; for an event of a
statutory return loaded with `journeys import`, the file and line it came from too. The
child is shown by the authority's own id (opened with the key store: the data team needs
it to correct the submission), or by pseudonym when the key store no longer knows the child.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from events.key_store import open_key_store
from events.settings import Settings
from journeys.domain.display import shown
from journeys.kafka.broker import configured_cluster
from journeys.kafka.rejected import Rejection, read_rejections
from journeys.returns.sources import sources_of

_COLUMNS = ("child", "event type", "event_id", "rule", "field", "why")
# Every cell is the sender's text (the key, or a header), so each is escaped and cut: a
# terminal escape sequence in a key must not act on the terminal, and one 5 MB key must
# not bury the table. The reason is the longest a refusal needs (a list of codes).
_CELL_LIMIT = 40
_REASON_LIMIT = 300


def register(parser: argparse.ArgumentParser) -> None:
    pass


def rows(
    rejections: list[Rejection], child_ids: Callable[[str], str | None] = lambda _: None
) -> list[tuple[str, ...]]:
    return [
        (
            *(
                shown(cell, _CELL_LIMIT)
                for cell in (
                    (child_ids(r.child_id) or r.child_id) if r.child_id else "?",
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


def with_sources(
    table: list[tuple[str, ...]], rejections: list[Rejection], sources: dict[str, str]
) -> list[tuple[str, ...]]:
    """Each row with the file and line an imported event came from (journeys import)."""
    return [
        (*row[:-1], shown(sources.get(r.event_id or "", "-"), _REASON_LIMIT), row[-1])
        for row, r in zip(table, rejections, strict=True)
    ]


def format_table(table: list[tuple[str, ...]], columns: tuple[str, ...] = _COLUMNS) -> str:
    widths = [
        max([len(columns[i])] + [len(row[i]) for row in table]) for i in range(len(columns) - 1)
    ]
    lines = []
    for row in [columns, *table]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]))
    return "\n".join(lines)


def run(arguments: argparse.Namespace) -> int:
    settings = configured_cluster(Settings.from_environment(), "rejected")
    key_store = open_key_store(settings) if settings.key_store.exists() else None
    try:
        rejections = read_rejections(settings, key_store)
        if not rejections:
            print(f"nothing refused: {settings.rejected_topic} is empty")
            return 0
        child_ids = key_store.child_id_of if key_store is not None else (lambda _: None)
        table = rows(rejections, child_ids)
        sources = sources_of(settings)
        if any(r.event_id in sources for r in rejections):
            columns = (*_COLUMNS[:-1], "from", _COLUMNS[-1])
            print(format_table(with_sources(table, rejections, sources), columns))
        else:
            print(format_table(table))
    finally:
        if key_store is not None:
            key_store.close()
    print(f"\n{len(rejections):,} refused submissions")
    return 0
