"""The contract's rules for one event on its own, in one place.

The codec checks every event it encodes and decodes, and JSON Lines reading checks every
event it reads, with these functions. The rules: each field holds its declared type;
codes are in their DfE list (the field metadata "codes", so year-varying lists are
checked here rather than in the schema); identifiers are not empty, are printable and
are short; free text is printable and bounded; the local authority is a 3-digit code;
`recorded_at` is timezone-aware; every date and `recorded_at` lie within the contract's
dates; and `occurred_on` is not after the UTC date of `recorded_at` (a thing cannot be
recorded before it happened). The bounds are stated once, in the table below, and
documented for vendors in docs/contract.md and the schemas' `doc` strings. The rules of
practice across a child's journey belong to the Journey aggregate, not here.

One bound is not a rule of the event on its own: `recorded_at` may not be more than
RECORDED_AT_MAX_AHEAD ahead of the clock of whoever judges a submission. It depends on
the time of judging, so it is `check_not_recorded_ahead(event, now)`, called by the
processor and by `journeys publish`, never by decoding (the record is read for ever).

The rules are compiled once per event class, so checking costs a handful of attribute
reads per event. For the codec's hot path, `events.fastpath` writes the same rules out as
one straight-line condition per event class, built from these compiled rules; whatever it
cannot vouch for comes here, to be refused with the field named. A new rule here needs
its expression there too: tests/unit/test_fastpath.py fails while the two disagree on any
of its awkward values.
"""

from __future__ import annotations

import itertools
import typing
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter, itemgetter
from typing import Any, NoReturn

from events.catalogue import EVENT_CLASSES, EVENT_TYPES, JourneyEvent, fields_of
from events.exceptions import InvalidEvent
from events.refusals import Refusal

# What an older reader sees, through the Avro enum default, for a code a newer writer
# added. It is never a valid code to write.
UNKNOWN_SYMBOL = "UNKNOWN"

_TEXT_FIELDS_THAT_MUST_NOT_BE_EMPTY = ("child_id", "local_authority", "source_system")

# --- The contract's value bounds (docs/contract.md) ---------------------------------------
#
# Dates: nothing in children's social care in England that a record holds happened before
# 1900 (the oldest date of birth of a person whose file is still kept is after it),
# and nothing can be recorded after 2100. Within these, date arithmetic and the
# indicators' year ranges stay small; outside them lie typing slips (0024, 9999) and
# placeholder dates that would stretch every indicator over centuries.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
EARLIEST_RECORDED_AT = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_RECORDED_AT = datetime(2100, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
# Identifiers (child_id, source_system, every *_id text): DfE's own child identifiers
# (LAchildID, CHILD) are at most 10 characters and a GUID is 36; 64 leaves room for a
# prefix. Only printable characters (str.isprintable: no control, format, surrogate,
# private-use or unassigned code point, no separator but the space), so an identifier
# cannot hide a terminal escape sequence, a NUL or a right-to-left override.
IDENTIFIER_MAX_LENGTH = 64
# Free text (EventRetracted.reason): a reason in plain words, not a case note; printable
# characters plus line breaks and tabs.
FREE_TEXT_MAX_LENGTH = 2_000
FREE_TEXT_LAYOUT = "\n\r\t"
# How far recorded_at may be ahead of the judging clock: a source system's clock may be
# wrong by minutes, and a local time sent as UTC is at most 14 hours out; a day allows
# both, and refuses the year 2099.
RECORDED_AT_MAX_AHEAD = timedelta(days=1)

_LAYOUT_REMOVED = dict.fromkeys(map(ord, FREE_TEXT_LAYOUT))


def is_free_text(text: str) -> bool:
    """Printable characters, line breaks and tabs only (the length is checked apart)."""
    return text.isprintable() or text.translate(_LAYOUT_REMOVED).isprintable()


def _first_unprintable(text: str, allowed: str = "") -> str:
    """Where the first character not allowed is, for a message that does not repeat `text`."""
    position, character = next(
        (i, c) for i, c in enumerate(text) if not (c.isprintable() or c in allowed)
    )
    return f"holds the non-printable character U+{ord(character):04X} at position {position}"


@dataclass(frozen=True, slots=True)
class FieldShape:
    """What a field holds: its Python type, and whether None or a tuple of them."""

    name: str
    python_type: type
    optional: bool = False
    sequence: bool = False

    def describe(self) -> str:
        text = self.python_type.__name__
        if self.sequence:
            text = f"tuple of {text}"
        return f"{text} or None" if self.optional else text


@dataclass(frozen=True, slots=True)
class EventRules:
    """The compiled rules of one event class, by position in its field order."""

    event_type: str
    names: tuple[str, ...]
    shapes: tuple[FieldShape, ...]
    values: Callable[[Any], tuple[Any, ...]]  # the field values of an event, in order
    items: Callable[[Any], tuple[Any, ...]]  # the same, from a record (a dict)
    signatures: frozenset[tuple[type, ...]]  # the exact types the fields may have
    sequences: tuple[int, ...]
    coded: tuple[tuple[int, frozenset[str], bool], ...]  # (field, codes, is a sequence)
    identifiers: tuple[int, ...]  # text fields that must not be empty
    texts: tuple[int, ...]  # free text
    dates: tuple[int, ...]  # date fields: within EARLIEST_DATE..LATEST_DATE
    local_authority: int
    occurred_on: int
    recorded_at: int

    def index(self, name: str) -> int:
        return self.names.index(name)


def _shape(name: str, hint: Any) -> FieldShape:
    if hint in (str, bool, date, datetime, uuid.UUID):
        return FieldShape(name, hint)
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        return FieldShape(name, args[0], sequence=True)
    if type(None) in args and len(args) == 2:
        return FieldShape(name, next(a for a in args if a is not type(None)), optional=True)
    raise TypeError(f"field {name}: no contract type for {hint!r}")


def _exact_types(shape: FieldShape) -> tuple[type, ...]:
    if shape.sequence:
        return (tuple,)
    return (shape.python_type, type(None)) if shape.optional else (shape.python_type,)


def _compile(event_class: type[JourneyEvent]) -> EventRules:
    hints = typing.get_type_hints(event_class)
    fields = fields_of(event_class)
    names = tuple(f.name for f in fields)
    shapes = tuple(_shape(f.name, hints[f.name]) for f in fields)
    identifiers = tuple(
        i
        for i, s in enumerate(shapes)
        if s.name in _TEXT_FIELDS_THAT_MUST_NOT_BE_EMPTY
        or (s.name.endswith("_id") and s.python_type is str)
    )
    return EventRules(
        event_type=event_class.__name__,
        names=names,
        shapes=shapes,
        values=attrgetter(*names),
        items=itemgetter(*names),
        signatures=frozenset(itertools.product(*(_exact_types(shape) for shape in shapes))),
        sequences=tuple(i for i, s in enumerate(shapes) if s.sequence),
        coded=tuple(
            (i, field.metadata["codes"], shapes[i].sequence)
            for i, field in enumerate(fields)
            if "codes" in field.metadata
        ),
        identifiers=identifiers,
        texts=tuple(
            i
            for i, s in enumerate(shapes)
            if s.python_type is str
            and not s.sequence
            and i not in identifiers
            and "codes" not in fields[i].metadata
        ),
        dates=tuple(i for i, s in enumerate(shapes) if s.python_type is date),
        local_authority=names.index("local_authority"),
        occurred_on=names.index("occurred_on"),
        recorded_at=names.index("recorded_at"),
    )


RULES: Mapping[type[JourneyEvent], EventRules] = {cls: _compile(cls) for cls in EVENT_CLASSES}
RULES_BY_TYPE: Mapping[str, EventRules] = {r.event_type: r for r in RULES.values()}


def rules_for(event_type: str) -> EventRules:
    try:
        return RULES_BY_TYPE[event_type]
    except KeyError:
        raise InvalidEvent(
            event_type,
            "type",
            Refusal.UNKNOWN_EVENT_TYPE,
            f"{event_type!r} is not an event type of the catalogue ({', '.join(EVENT_TYPES)})",
        ) from None


def check_event(event: JourneyEvent) -> None:
    """Raise InvalidEvent, naming the field and the rule, unless `event` keeps the contract.

    Used before encoding and after reading JSON Lines: checks types, then values.
    """
    check_event_values(rules_of(event), event_values(event))


def rules_of(event: JourneyEvent) -> EventRules:
    rules = RULES.get(type(event))
    if rules is None:
        raise InvalidEvent(
            type(event).__name__,
            "type",
            Refusal.UNKNOWN_EVENT_TYPE,
            f"{type(event).__qualname__} is not an event class of the catalogue",
        )
    return rules


def event_values(event: JourneyEvent) -> tuple[Any, ...]:
    """The field values of an event in contract order; InvalidEvent if one is missing."""
    rules = rules_of(event)
    try:
        return rules.values(event)
    except AttributeError:
        # Only an event built around its __init__ (object.__new__, copy tricks) gets here.
        missing = next(n for n in rules.names if not hasattr(event, n))
        raise InvalidEvent(
            rules.event_type, missing, Refusal.MISSING_FIELD, "is required but has no value"
        ) from None


def check_event_values(rules: EventRules, values: tuple[Any, ...]) -> None:
    """check_event over values already read from the event (the codec's fast path)."""
    # One C-level pass for the usual case of exact types; subclasses (a StrEnum, say)
    # and wrong types take the field-by-field path, which names the field at fault.
    if tuple(map(type, values)) not in rules.signatures:
        _check_types_field_by_field(rules, values)
    for i in rules.sequences:
        item_type = rules.shapes[i].python_type
        for item in values[i]:
            if not isinstance(item, item_type):
                _raise_wrong_type(rules, values)
    _check_values(rules, values, frozenset())


def check_record(
    event_type: str, record: Mapping[str, Any], *, tolerated_unknown: frozenset[str] = frozenset()
) -> None:
    """Check the values of a decoded record (types already guaranteed by its schema).

    `tolerated_unknown` names the enum fields where UNKNOWN_SYMBOL is accepted, because
    schema resolution put it there for a code this reader's schema does not list yet.
    """
    rules = rules_for(event_type)
    try:
        values = rules.items(record)
    except KeyError:
        missing = next(n for n in rules.names if n not in record)
        raise InvalidEvent(
            event_type, missing, Refusal.MISSING_FIELD, "is required but has no value"
        ) from None
    _check_values(rules, values, tolerated_unknown)


def _check_types_field_by_field(rules: EventRules, values: tuple[Any, ...]) -> None:
    for shape, value in zip(rules.shapes, values, strict=True):
        if not _holds(shape, value):
            _raise_wrong_type(rules, values)


def _raise_wrong_type(rules: EventRules, values: tuple[Any, ...]) -> NoReturn:
    for shape, value in zip(rules.shapes, values, strict=True):
        if _holds(shape, value):
            continue
        raise InvalidEvent(
            rules.event_type,
            shape.name,
            Refusal.WRONG_TYPE,
            f"must be {shape.describe()}, not {type(value).__name__} ({value!r:.60})",
        )
    raise AssertionError(f"{rules.event_type}: a field failed its type check, but none did again")


def _holds(shape: FieldShape, value: Any) -> bool:
    if value is None:
        return shape.optional
    if shape.sequence:
        return isinstance(value, tuple) and all(_is_a(v, shape.python_type) for v in value)
    return _is_a(value, shape.python_type)


def _is_a(value: Any, python_type: type) -> bool:
    return type(value) is date if python_type is date else isinstance(value, python_type)


def _check_values(
    rules: EventRules, values: tuple[Any, ...], tolerated_unknown: frozenset[str]
) -> None:
    event_type = rules.event_type
    for i in rules.identifiers:
        _check_identifier(event_type, rules.names[i], values[i])
    for i in rules.texts:
        _check_free_text(event_type, rules.names[i], values[i])
    local_authority = values[rules.local_authority]
    if not (len(local_authority) == 3 and local_authority.isdigit() and local_authority.isascii()):
        raise InvalidEvent(
            event_type,
            "local_authority",
            Refusal.LOCAL_AUTHORITY_CODE,
            f"must be a 3-digit DfE local authority code, not {local_authority!r:.20}",
        )
    for i, code_list, sequence in rules.coded:
        value = values[i]
        for code in value if sequence else (value,):
            if code is None or code in code_list:
                continue
            name = rules.names[i]
            if code == UNKNOWN_SYMBOL and name in tolerated_unknown:
                continue
            raise InvalidEvent(
                event_type,
                name,
                Refusal.CODE_NOT_IN_LIST,
                f"{code!r:.40} is not one of the codes {', '.join(sorted(code_list))}",
            )
    recorded_at: datetime = values[rules.recorded_at]
    if recorded_at.tzinfo is UTC:
        recorded_on = recorded_at.date()
    else:
        offset = recorded_at.utcoffset()
        if offset is None:
            raise InvalidEvent(
                event_type, "recorded_at", Refusal.TIMEZONE_REQUIRED, "must be timezone-aware (UTC)"
            )
        recorded_on = (recorded_at - offset).date()
    if not EARLIEST_RECORDED_AT <= recorded_at <= LATEST_RECORDED_AT:
        raise InvalidEvent(
            event_type,
            "recorded_at",
            Refusal.DATE_OUT_OF_RANGE,
            f"{recorded_at.isoformat()} is outside the contract's times, "
            f"{EARLIEST_RECORDED_AT.isoformat()} to {LATEST_RECORDED_AT.isoformat()}",
        )
    for i in rules.dates:
        day = values[i]
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            # The year alone: a date of birth is personal data, and the year is what
            # puts it outside.
            raise InvalidEvent(
                event_type,
                rules.names[i],
                Refusal.DATE_OUT_OF_RANGE,
                f"a date in the year {day.year} is outside the contract's dates, "
                f"{EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}",
            )
    occurred_on: date = values[rules.occurred_on]
    if occurred_on > recorded_on:
        raise InvalidEvent(
            event_type,
            "occurred_on",
            Refusal.OCCURRED_AFTER_RECORDED,
            f"{occurred_on.isoformat()} is after the UTC date of recorded_at "
            f"({recorded_at.astimezone(UTC).isoformat()})",
        )


def _check_identifier(event_type: str, name: str, text: str) -> None:
    # The messages never repeat the value: it may be a child's id, or megabytes.
    if not text or text.isspace():
        raise InvalidEvent(event_type, name, Refusal.EMPTY_IDENTIFIER, "must not be empty")
    if len(text) > IDENTIFIER_MAX_LENGTH:
        raise InvalidEvent(
            event_type,
            name,
            Refusal.IDENTIFIER_TOO_LONG,
            f"is {len(text):,} characters long; an identifier has at most {IDENTIFIER_MAX_LENGTH}",
        )
    if not text.isprintable():
        raise InvalidEvent(
            event_type,
            name,
            Refusal.IDENTIFIER_NOT_PRINTABLE,
            _first_unprintable(text),
        )


def _check_free_text(event_type: str, name: str, text: str | None) -> None:
    if text is None:
        return
    if len(text) > FREE_TEXT_MAX_LENGTH:
        raise InvalidEvent(
            event_type,
            name,
            Refusal.TEXT_TOO_LONG,
            f"is {len(text):,} characters long; free text has at most {FREE_TEXT_MAX_LENGTH:,}",
        )
    if not is_free_text(text):
        raise InvalidEvent(
            event_type,
            name,
            Refusal.TEXT_NOT_PRINTABLE,
            _first_unprintable(text, FREE_TEXT_LAYOUT)
            + " (free text may hold printable characters, line breaks and tabs)",
        )


def check_not_recorded_ahead(event: JourneyEvent, now: datetime) -> None:
    """Refuse an event whose recorded_at is more than RECORDED_AT_MAX_AHEAD after `now`.

    `now` is the judging clock (aware). A check of the submission, not of the event:
    an event recorded long ago stays readable whatever its recorded_at.
    """
    if event.recorded_at - now > RECORDED_AT_MAX_AHEAD:
        raise InvalidEvent(
            event.event_type,
            "recorded_at",
            Refusal.RECORDED_IN_FUTURE,
            f"{event.recorded_at.astimezone(UTC).isoformat()} is more than "
            f"{_described(RECORDED_AT_MAX_AHEAD)} ahead of the processor's clock "
            f"({now.astimezone(UTC).isoformat(timespec='seconds')})",
        )


def _described(margin: timedelta) -> str:
    days = margin / timedelta(days=1)
    return f"{days:g} day" + ("" if days == 1 else "s")
