"""Where each imported event came from: the file and line of the return, by event id.

`journeys import` notes them in the state directory (derived local state: file names and
line numbers only, nothing of the child's), and `journeys rejected` shows the line a
refused event came from.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path

from events.settings import Settings

SOURCES_FILE = "return-sources.tsv"


def remember_sources(settings: Settings, sources: Mapping[uuid.UUID, str]) -> Path:
    """Append `event id -> file:line` lines to the state directory's sources file."""
    path = settings.state_dir / SOURCES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        for event_id, where in sources.items():
            file.write(f"{event_id}\t{where}\n")
    return path


def sources_of(settings: Settings) -> dict[str, str]:
    """The file and line of each imported event, by event id (the latest noted wins)."""
    path = settings.state_dir / SOURCES_FILE
    if not path.is_file():
        return {}
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        event_id, _, where = line.partition("\t")
        if where:
            found[event_id] = where
    return found
