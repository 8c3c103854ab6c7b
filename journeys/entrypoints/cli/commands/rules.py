"""`journeys rules`: list every refusal code: its stage, the event types it concerns, its meaning.

Print the catalogue of refusal codes, the `rule_code` of a refused submission on
care.journey.rejected.

The codes are the catalogue's (events.refusals); the event types a rule of practice
concerns come from the rule registry (journeys.domain.rules). `--format markdown` prints the
section of docs/contract.md that lists the codes for case-system vendors
(tests/unit/test_refusals.py fails while the two differ).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

from events.catalogue import EVENT_TYPES
from events.refusals import Refusal, Stage
from journeys.domain.rules import event_types_concerned

FORMATS = ("table", "csv", "json", "markdown")
_COLUMNS = ("code", "stage", "event types", "meaning")

# What each stage's section of docs/contract.md is headed, and says first.
_SECTIONS: dict[Stage, tuple[str, str]] = {
    Stage.DECODING: (
        "The contract (stage `decoding`)",
        "The event on its own, checked when a message or a JSON line is read and when this "
        "service writes an event. `field` names the field at fault, or `<message>`, "
        "`<fingerprint>`, `<schema>`, `<body>` or `<line>` where the fault is in the framing.",
    ),
    Stage.PROCESSING: (
        "The submission (stage `processing`)",
        "The submission as such, checked by the processor (and by `journeys publish` "
        "before it sends a line).",
    ),
    Stage.JUDGING: (
        "The journey (stage `judging`)",
        "An event that keeps the contract is judged against the child's journey so far: "
        "the record's own bookkeeping, then the rules of practice. The event types are "
        "those whose arrival (or retraction) can break the rule.",
    ),
}


@dataclass(frozen=True, slots=True)
class CatalogueRow:
    code: Refusal
    event_types: tuple[str, ...]

    @property
    def stage(self) -> Stage:
        return self.code.stage

    @property
    def meaning(self) -> str:
        return self.code.meaning


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (default), csv, json, or markdown (the section of docs/contract.md)",
    )


def catalogue() -> list[CatalogueRow]:
    """Every refusal code, in catalogue order, with the event types it concerns."""
    return [CatalogueRow(code, event_types_concerned(code)) for code in Refusal]


def described(event_types: tuple[str, ...], quote: Callable[[str], str] = str) -> str:
    """Event types in words: a long list is said by what it leaves out."""
    missing = [t for t in EVENT_TYPES if t not in event_types]
    if not missing:
        return "every event type"
    if len(missing) <= 2:
        return f"every event type but {' and '.join(map(quote, missing))}"
    return ", ".join(map(quote, event_types))


def render(output_format: str, rows: list[CatalogueRow]) -> str:
    if output_format == "json":
        return json.dumps(
            [
                {
                    "code": str(row.code),
                    "stage": str(row.stage),
                    "event_types": list(row.event_types),
                    "meaning": row.meaning,
                }
                for row in rows
            ],
            indent=2,
        )
    if output_format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(_COLUMNS)
        writer.writerows(
            (row.code, row.stage, " ".join(row.event_types), row.meaning) for row in rows
        )
        return out.getvalue().rstrip("\n")
    if output_format == "markdown":
        return render_markdown(rows)
    if output_format == "table":
        return _table(rows)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {output_format!r}")


def _table(rows: list[CatalogueRow]) -> str:
    # The event types last: their lists are long, and would push the meanings off screen.
    columns = ("code", "stage", "meaning", "event types")
    cells = [(row.code, row.stage, row.meaning, described(row.event_types)) for row in rows]
    rule = tuple("-" * len(name) for name in columns)
    widths = [max(len(line[i]) for line in [columns, *cells]) for i in range(3)]
    return "\n".join(
        "  ".join(
            [*(cell.ljust(width) for cell, width in zip(line[:3], widths, strict=True)), line[3]]
        )
        for line in [columns, rule, *cells]
    )


def render_markdown(rows: list[CatalogueRow]) -> str:
    """The refusal codes as docs/contract.md lists them: one table per stage."""
    parts: list[str] = []
    for stage, (heading, text) in _SECTIONS.items():
        parts += [
            f"### {heading}",
            "",
            text,
            "",
            "| Code | Event types | Meaning |",
            "|---|---|---|",
        ]
        for row in rows:
            if row.stage is stage:
                parts.append(f"| `{row.code}` | {_markdown_types(row)} | {row.meaning} |")
        parts.append("")
    return "\n".join(parts).rstrip("\n")


def _markdown_types(row: CatalogueRow) -> str:
    return described(row.event_types, lambda event_type: f"`{event_type}`")


def run(arguments: argparse.Namespace) -> int:
    print(render(arguments.format, catalogue()))
    return 0
