"""An event's personal fields, sealed for the record and opened again for the journey.

On `care.journey.events` an event names the child by pseudonym (the key store's), and
every field the catalogue marks personal (`personal_fields_of`: a date of birth, free
text) holds a placeholder, its value travelling sealed in `sealed_personal_data` under
the child's data key. The placeholder is what an older reader, or anyone without the key
store, sees: a date 1900-01-01, a text empty, an optional value None. Sealed values are
bound to the child's pseudonym and the event's id (events.sealing), so they open only
where they were written.

Sealed plaintext is compact JSON of the personal fields by name (dates as ISO text), so a
field added to a type later is sealed without a new format.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from datetime import date
from functools import cache
from typing import Any

from events.catalogue import JourneyEvent, personal_fields_of
from events.sealing import Key

PLACEHOLDER_DATE = date(1900, 1, 1)


@cache
def _personal_hints(event_class: type[JourneyEvent]) -> tuple[tuple[str, Any], ...]:
    hints = typing.get_type_hints(event_class)
    return tuple((name, hints[name]) for name in personal_fields_of(event_class))


def has_personal_fields(event_class: type[JourneyEvent]) -> bool:
    return bool(_personal_hints(event_class))


def _context(event: JourneyEvent) -> bytes:
    return f"{event.child_id}/{event.event_id}".encode()


def _placeholder(hint: Any) -> Any:
    if hint is date:
        return PLACEHOLDER_DATE
    if hint is str:
        return ""
    if typing.get_origin(hint) is tuple:
        return ()
    if type(None) in typing.get_args(hint):
        return None
    raise TypeError(f"no placeholder for a personal field of type {hint!r}")


def _to_json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _from_json(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    inner = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    target = inner[0] if inner and typing.get_origin(hint) is not tuple else hint
    if target is date:
        return date.fromisoformat(value)
    if typing.get_origin(target) is tuple:
        return tuple(value)
    return value


def seal(event: JourneyEvent, key: Key) -> JourneyEvent:
    """The event as the record holds it: personal fields sealed under `key`."""
    hints = _personal_hints(type(event))
    if not hints:
        return event
    values = {name: _to_json(getattr(event, name)) for name, _ in hints}
    plaintext = json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode()
    return dataclasses.replace(
        event,
        **{name: _placeholder(hint) for name, hint in hints},
        sealed_personal_data=key.seal_text(plaintext, _context(event)),
    )


def unseal(event: JourneyEvent, key: Key) -> JourneyEvent:
    """The event with its personal fields opened (an event with none sealed, as it is)."""
    hints = _personal_hints(type(event))
    sealed = getattr(event, "sealed_personal_data", "")
    if not hints or not sealed:
        return event
    what = f"the personal data of {event.event_type} {event.event_id}"
    values = json.loads(key.open_text(sealed, _context(event), what))
    return dataclasses.replace(
        event,
        **{name: _from_json(hint, values.get(name)) for name, hint in hints},
        sealed_personal_data="",
    )


def is_sealed(event: JourneyEvent) -> bool:
    return bool(getattr(event, "sealed_personal_data", ""))
