"""JSON Lines interchange of journey events (domain.md section 5).

One JSON object per line: `"type"` is the event type, then the fields of the catalogue
by name; UUIDs as strings, dates as `YYYY-MM-DD`, `recorded_at` as ISO 8601 in UTC with
`Z`, assessment factors as a list. Reading is strict: an unknown type or field, a missing
field, a value of the wrong JSON type or a malformed date is refused with InvalidEvent
naming the line, the event type and the field; every event read is then checked by
`events.validation`, as the codec checks it.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import MISSING
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from events.catalogue import EVENT_CLASSES, JourneyEvent, fields_of
from events.exceptions import BadInput, InvalidEvent
from events.refusals import Refusal
from events.validation import RULES, FieldShape, check_event, rules_for

PathOrFile = str | Path | IO[str] | IO[bytes]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _BadValue(BadInput):
    """A JSON value that does not convert; carries the rule and the reason.

    Never reaches an operator: `from_json` turns it into an InvalidEvent naming the field.
    """

    def __init__(self, rule: Refusal, reason: str) -> None:
        super().__init__(reason)
        self.rule = rule
        self.reason = reason


# --- Python to JSON ---------------------------------------------------------------------


def _timestamp_to_json(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _to_json(value: Any) -> Any:
    if isinstance(value, str | bool) or value is None:
        return value
    if isinstance(value, datetime):
        return _timestamp_to_json(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, tuple):
        return [_to_json(item) for item in value]
    raise TypeError(f"no JSON form for {type(value).__name__}")


def event_to_json(event: JourneyEvent) -> dict[str, Any]:
    """The JSON object of one event (checked first: only valid events are written)."""
    check_event(event)
    rules = RULES[type(event)]
    obj: dict[str, Any] = {"type": rules.event_type}
    for name, value in zip(rules.names, rules.values(event), strict=True):
        obj[name] = _to_json(value)
    return obj


def dumps(event: JourneyEvent) -> str:
    """One line of JSON Lines, without the newline."""
    return json.dumps(event_to_json(event), ensure_ascii=False, separators=(",", ":"))


# --- JSON to Python ---------------------------------------------------------------------


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _BadValue(Refusal.WRONG_TYPE, f"must be a JSON string, not {_json_kind(value)}")
    return value


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(_text(value))
    except ValueError:
        raise _BadValue(Refusal.BAD_UUID, f"{value!r} is not a UUID") from None


def _date(value: Any) -> date:
    text = _text(value)
    if _DATE.fullmatch(text) is None:
        raise _BadValue(Refusal.BAD_DATE, f"{text!r} is not a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise _BadValue(Refusal.BAD_DATE, f"{text!r} is not a calendar date ({error})") from None


def _timestamp(value: Any) -> datetime:
    text = _text(value)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise _BadValue(Refusal.BAD_TIMESTAMP, f"{text!r} is not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        raise _BadValue(
            Refusal.TIMEZONE_REQUIRED,
            f"{text!r} has no timezone; write it in UTC with Z",
        )
    return parsed.astimezone(UTC)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _BadValue(Refusal.WRONG_TYPE, f"must be true or false, not {_json_kind(value)}")
    return value


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "a list" if isinstance(value, list) else "an object"
    )


_SCALARS: dict[type, Callable[[Any], Any]] = {
    str: _text,
    bool: _boolean,
    date: _date,
    datetime: _timestamp,
    uuid.UUID: _uuid,
}


def _converter(shape: FieldShape) -> Callable[[Any], Any]:
    scalar = _SCALARS[shape.python_type]
    if shape.sequence:

        def sequence(value: Any) -> tuple[Any, ...]:
            if not isinstance(value, list):
                raise _BadValue(Refusal.WRONG_TYPE, f"must be a JSON list, not {_json_kind(value)}")
            return tuple(scalar(item) for item in value)

        return sequence
    if shape.optional:
        return lambda value: None if value is None else scalar(value)
    return scalar


# Per event type: (field name, converter, required) in catalogue order.
_READERS: dict[str, tuple[tuple[str, Callable[[Any], Any], bool], ...]] = {
    cls.__name__: tuple(
        (
            shape.name,
            _converter(shape),
            field.default is MISSING and field.default_factory is MISSING,
        )
        for shape, field in zip(RULES[cls].shapes, fields_of(cls), strict=True)
    )
    for cls in EVENT_CLASSES
}
_CLASSES = {cls.__name__: cls for cls in EVENT_CLASSES}


def _at(line: int | None) -> str:
    return "" if line is None else f"line {line}: "


def event_from_json(obj: Mapping[str, Any], *, line: int | None = None) -> JourneyEvent:
    """The event a JSON object describes, checked; InvalidEvent (with the line) if not."""
    if not isinstance(obj, Mapping):
        raise InvalidEvent(
            "unknown", "<line>", Refusal.NOT_AN_OBJECT, f"{_at(line)}must be a JSON object"
        )
    event_type = obj.get("type")
    if not isinstance(event_type, str):
        raise InvalidEvent(
            "unknown", "type", Refusal.MISSING_TYPE, f'{_at(line)}needs "type": the event type'
        )
    try:
        rules_for(event_type)
    except InvalidEvent as error:
        raise InvalidEvent(
            error.event_type, "type", error.rule, f"{_at(line)}{error.message}"
        ) from None
    readers = _READERS[event_type]
    unknown = set(obj) - {"type"} - {name for name, _, _ in readers}
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidEvent(
            event_type,
            name,
            Refusal.UNKNOWN_FIELD,
            f"{_at(line)}{event_type} has no field {name!r}",
        )
    values: dict[str, Any] = {}
    for name, convert, required in readers:
        if name not in obj:
            if required:
                raise InvalidEvent(
                    event_type, name, Refusal.MISSING_FIELD, f"{_at(line)}is required but missing"
                )
            continue
        try:
            values[name] = convert(obj[name])
        except _BadValue as error:
            raise InvalidEvent(event_type, name, error.rule, f"{_at(line)}{error.reason}") from None
    event = _CLASSES[event_type](**values)
    try:
        check_event(event)
    except InvalidEvent as error:
        raise InvalidEvent(
            error.event_type, error.field, error.rule, f"{_at(line)}{error.message}"
        ) from None
    return event


def loads(text: str, *, line: int | None = None) -> JourneyEvent:
    """The event on one line of JSON Lines."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidEvent(
            "unknown", "<line>", Refusal.BAD_JSON, f"{_at(line)}not valid JSON ({error})"
        ) from None
    return event_from_json(obj, line=line)


# --- Files ------------------------------------------------------------------------------


def read_jsonl(path_or_file: PathOrFile) -> Iterator[JourneyEvent]:
    """Every event in a JSON Lines file, in order; blank lines are skipped.

    Line numbers in errors count from 1 and include blank lines, as an editor shows them.
    """
    with ExitStack() as stack:
        if isinstance(path_or_file, str | Path):
            lines: Iterable[str | bytes] = stack.enter_context(open(path_or_file, encoding="utf-8"))
        else:
            lines = path_or_file
        for number, raw in enumerate(lines, start=1):
            if isinstance(raw, bytes):
                try:
                    raw = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise InvalidEvent(
                        "unknown",
                        "<line>",
                        Refusal.BAD_ENCODING,
                        f"line {number}: not UTF-8 ({error})",
                    ) from None
            if raw.strip():
                yield loads(raw, line=number)


def write_jsonl(path_or_file: PathOrFile, events: Iterable[JourneyEvent]) -> int:
    """Write events one per line; returns how many were written."""
    with ExitStack() as stack:
        if isinstance(path_or_file, str | Path):
            out: IO[Any] = stack.enter_context(open(path_or_file, "w", encoding="utf-8"))
        else:
            out = path_or_file
        binary = isinstance(out, io.RawIOBase | io.BufferedIOBase)
        count = 0
        for event in events:
            line = dumps(event) + "\n"
            out.write(line.encode("utf-8") if binary else line)
            count += 1
        return count
