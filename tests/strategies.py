"""Hypothesis strategies for valid journey events, built from the catalogue's own fields.

Importable from any test (pytest puts tests/ on sys.path through tests/conftest.py):
`from strategies import events_of, any_event`. Codes come from each field's "codes"
metadata, so a new code list entry is exercised without touching this file.
"""

from __future__ import annotations

import typing
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from events.catalogue import EVENT_CLASSES, JourneyEvent, fields_of
from events.validation import SEALED_FIELD

# Offsets a source system might send; the contract compares dates in UTC.
TIMEZONES = (UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30)))

# Printable text (the contract's identifiers: docs/contract.md), any script.
identifiers = st.text(
    st.characters(exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")),
    min_size=1,
    max_size=24,
).filter(lambda text: not text.isspace() and text.isprintable())
local_authorities = st.from_regex(r"[0-9]{3}", fullmatch=True)
recorded_ats = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2099, 12, 31),
    timezones=st.sampled_from(TIMEZONES),
)


def _value_strategy(name: str, hint: Any, metadata: Any) -> st.SearchStrategy[Any]:
    codes = metadata.get("codes")
    if name == "local_authority":
        return local_authorities
    if name == SEALED_FIELD:
        return st.just("") | st.from_regex(r"s1\.[A-Za-z0-9_-]{16,80}", fullmatch=True)
    if hint is uuid.UUID:
        return st.uuids()
    if hint is bool:
        return st.booleans()
    if hint is date:
        return st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))
    if hint is str:
        return st.sampled_from(sorted(codes)) if codes else identifiers
    if hint == (str | None):
        return st.none() | (st.sampled_from(sorted(codes)) if codes else identifiers)
    if hint == (bool | None):
        return st.none() | st.booleans()
    if hint == (date | None):
        return st.none() | _value_strategy(name, date, metadata)
    if typing.get_origin(hint) is tuple:
        return st.lists(st.sampled_from(sorted(codes)), max_size=6).map(tuple)
    raise TypeError(f"no strategy for field {name}: {hint!r}")


def events_of(event_class: type[JourneyEvent]) -> st.SearchStrategy[JourneyEvent]:
    """Valid events of one class: any field values the contract accepts."""
    hints = typing.get_type_hints(event_class)
    own = {
        f.name: _value_strategy(f.name, hints[f.name], f.metadata)
        for f in fields_of(event_class)
        if f.name not in ("occurred_on", "recorded_at")
    }

    @st.composite
    def build(draw: st.DrawFn) -> JourneyEvent:
        recorded_at = draw(recorded_ats)
        recorded_on = recorded_at.astimezone(UTC).date()
        occurred_on = draw(st.dates(min_value=date(1980, 1, 1), max_value=recorded_on))
        values = {name: draw(strategy) for name, strategy in own.items()}
        return event_class(**values, occurred_on=occurred_on, recorded_at=recorded_at)

    return build()


any_event: st.SearchStrategy[JourneyEvent] = st.one_of([events_of(c) for c in EVENT_CLASSES])
