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

Each value rule is written once, in VALUE_RULES below: the fields it governs, its test
as an expression, its refusal and how the refusal is explained. The general path here
compiles each test once into a predicate and refuses with the first rule an event breaks
(naming the field and the rule); the codec's hot path, `events.fastpath`, inlines the
same tests into one straight-line condition per event class. A new rule is one entry in
the table, and both paths keep it; tests/unit/test_fastpath.py proves the two agree on
valid and invalid events.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import functools
import inspect
import itertools
import typing
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter, itemgetter
from types import MappingProxyType
from typing import Any, Literal, NoReturn

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
# Sealed personal data (events.sealing): written by the service, 's1.' then base64url.
# The bound leaves room for every personal field of an event at its own bound, sealed.
SEALED_FIELD = "sealed_personal_data"
SEALED_MAX_LENGTH = 32_000
_BASE64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def is_sealed_text(text: str) -> bool:
    """Empty, or 's1.' then base64url characters (events.sealing's form)."""
    return not text or (text.startswith("s1.") and _BASE64URL.issuperset(text[3:]))


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


def utc_date(moment: datetime) -> date:
    """The UTC date of an aware datetime."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("a naive datetime has no UTC date")
    return (moment - offset).date()


# --- The contract's value rules, each written once ----------------------------------------

# The names a rule's test may use besides its operands, in both paths.
RULE_NAMESPACE: Mapping[str, Any] = MappingProxyType(
    {
        "UTC": UTC,
        "EARLIEST_DATE": EARLIEST_DATE,
        "LATEST_DATE": LATEST_DATE,
        "EARLIEST_RECORDED_AT": EARLIEST_RECORDED_AT,
        "LATEST_RECORDED_AT": LATEST_RECORDED_AT,
        "IDENTIFIER_MAX_LENGTH": IDENTIFIER_MAX_LENGTH,
        "FREE_TEXT_MAX_LENGTH": FREE_TEXT_MAX_LENGTH,
        "is_free_text": is_free_text,
        "is_sealed_text": is_sealed_text,
        "SEALED_MAX_LENGTH": SEALED_MAX_LENGTH,
        "utc_date": utc_date,
    }
)


@dataclass(frozen=True, slots=True)
class ValueRule:
    """One value rule of the contract: the one place both of the codec's paths take it from.

    `test` is a Python expression, true when a value keeps the rule. It reads `value` (the
    field's value, of the field's type; each item in turn for a tuple field; never None,
    which keeps every value rule of an optional field), `codes` (a coded field's DfE list),
    any other field of the event by its name, and the names of RULE_NAMESPACE. `explain`
    gives the refusal's message; its parameters, `value` then the other names the test
    reads, are the test's parameters too. The general path compiles the test once into
    `holds`; events.fastpath inlines its text (`inlined`).

    `implies` names rules on the same field that hold whenever this one does: the fast
    path, which asks only whether every rule holds, leaves them out. `reader_default_passes`:
    the reader's enum default UNKNOWN keeps the rule where schema resolution put it there
    (decoding a code this reader's schema does not list yet).
    """

    refusal: Refusal
    governs: FieldKind
    test: str
    explain: Callable[..., str]
    implies: tuple[Refusal, ...] = ()
    reader_default_passes: bool = False
    operands: tuple[str, ...] = dataclasses.field(init=False)  # explain's parameters after `value`
    holds: Callable[..., bool] = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        parameters = tuple(inspect.signature(self.explain).parameters)
        expression = ast.parse(self.test, mode="eval")
        names = [n for n in ast.walk(expression) if isinstance(n, ast.Name)]
        read = {n.id for n in names} - {n.id for n in names if isinstance(n.ctx, ast.Store)}
        free = read - set(RULE_NAMESPACE) - set(dir(builtins)) - {"value"}
        if parameters[:1] != ("value",) or set(parameters[1:]) != free:
            raise TypeError(
                f"value rule {self.refusal}: explain must take value, then {sorted(free)}, "
                f"the names its test reads; it takes {list(parameters)}"
            )
        text = f"lambda {', '.join(parameters)}: ({self.test})"
        holds = eval(compile(text, f"<value rule {self.refusal}>", "eval"), dict(RULE_NAMESPACE))
        object.__setattr__(self, "operands", parameters[1:])
        object.__setattr__(self, "holds", holds)

    def inlined(self, names: Mapping[str, str]) -> str:
        """The test as source text, with the names in `names` replaced (the fast path's)."""
        return ast.unparse(_Renamed(names).visit(ast.parse(self.test, mode="eval")))


class _Renamed(ast.NodeTransformer):
    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.copy_location(ast.Name(self.names.get(node.id, node.id), node.ctx), node)


def _too_long(kind: str, most: str) -> Callable[[str], str]:
    return lambda value: f"is {len(value):,} characters long; {kind} has at most {most}"


# The order is the order of testing: rules of one kind are tested field by field, each
# field against all of them in turn, so an event breaking several rules is refused for
# the first. The messages never repeat an identifier or free text: it may be a child's
# id, or megabytes; of a date, the year alone (a date of birth is personal data, and the
# year is what puts it outside).
VALUE_RULES: tuple[ValueRule, ...] = (
    ValueRule(
        refusal=Refusal.EMPTY_IDENTIFIER,
        governs="identifiers",
        test="value.strip()",
        explain=lambda value: "must not be empty",
    ),
    ValueRule(
        # Before the printable test: cheap, and it spares isprintable a scan of megabytes.
        refusal=Refusal.IDENTIFIER_TOO_LONG,
        governs="identifiers",
        test="len(value) <= IDENTIFIER_MAX_LENGTH",
        explain=_too_long("an identifier", f"{IDENTIFIER_MAX_LENGTH}"),
    ),
    ValueRule(
        refusal=Refusal.IDENTIFIER_NOT_PRINTABLE,
        governs="identifiers",
        test="value.isprintable()",
        explain=lambda value: _first_unprintable(value),
    ),
    ValueRule(
        refusal=Refusal.TEXT_TOO_LONG,
        governs="texts",
        test="len(value) <= FREE_TEXT_MAX_LENGTH",
        explain=_too_long("free text", f"{FREE_TEXT_MAX_LENGTH:,}"),
    ),
    ValueRule(
        refusal=Refusal.TEXT_NOT_PRINTABLE,
        governs="texts",
        test="is_free_text(value)",
        explain=lambda value: (
            _first_unprintable(value, FREE_TEXT_LAYOUT)
            + " (free text may hold printable characters, line breaks and tabs)"
        ),
    ),
    ValueRule(
        refusal=Refusal.SEALED_VALUE_MALFORMED,
        governs="sealed",
        test="len(value) <= SEALED_MAX_LENGTH and is_sealed_text(value)",
        explain=lambda value: (
            f"is not a sealed value ('s1.' then base64url, at most {SEALED_MAX_LENGTH:,} "
            f"characters; {len(value):,} characters long)"
        ),
    ),
    ValueRule(
        refusal=Refusal.LOCAL_AUTHORITY_CODE,
        governs="local_authority",
        test="len(value) == 3 and value.isdigit() and value.isascii()",
        explain=lambda value: f"must be a 3-digit DfE local authority code, not {value!r:.20}",
        implies=(
            Refusal.EMPTY_IDENTIFIER,
            Refusal.IDENTIFIER_TOO_LONG,
            Refusal.IDENTIFIER_NOT_PRINTABLE,
        ),
    ),
    ValueRule(
        refusal=Refusal.CODE_NOT_IN_LIST,
        governs="codes",
        test="value in codes",
        explain=lambda value, codes: (
            f"{value!r:.40} is not one of the codes {', '.join(sorted(codes))}"
        ),
        reader_default_passes=True,
    ),
    ValueRule(
        # UTC tested first: the usual case, and the cheapest.
        refusal=Refusal.TIMEZONE_REQUIRED,
        governs="recorded_at",
        test="value.tzinfo is UTC or value.utcoffset() is not None",
        explain=lambda value: "must be timezone-aware (UTC)",
    ),
    ValueRule(
        refusal=Refusal.DATE_OUT_OF_RANGE,
        governs="recorded_at",
        test="EARLIEST_RECORDED_AT <= value <= LATEST_RECORDED_AT",
        explain=lambda value: (
            f"{value.isoformat()} is outside the contract's times, "
            f"{EARLIEST_RECORDED_AT.isoformat()} to {LATEST_RECORDED_AT.isoformat()}"
        ),
    ),
    ValueRule(
        refusal=Refusal.DATE_OUT_OF_RANGE,
        governs="dates",
        test="EARLIEST_DATE <= value <= LATEST_DATE",
        explain=lambda value: (
            f"a date in the year {value.year} is outside the contract's dates, "
            f"{EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}"
        ),
    ),
    ValueRule(
        # A thing cannot be recorded before it happened. recorded_at is aware and within
        # its range here: its own rules come first.
        refusal=Refusal.OCCURRED_AFTER_RECORDED,
        governs="occurred_on",
        test="value <= (recorded_at.date() if recorded_at.tzinfo is UTC"
        " else utc_date(recorded_at))",
        explain=lambda value, recorded_at: (
            f"{value.isoformat()} is after the UTC date of recorded_at "
            f"({recorded_at.astimezone(UTC).isoformat()})"
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class ValueCheck:
    """One value rule on one field of one event class."""

    rule: ValueRule
    field: int
    name: str
    optional: bool
    sequence: bool
    codes: frozenset[str] | None  # the field's code list, where the rule reads `codes`
    reads: tuple[tuple[str, int], ...]  # the other fields the rule reads: (name, position)
    holds: Callable[..., bool]  # rule.holds, with `codes` given

    def operands(self, values: tuple[Any, ...]) -> dict[str, Any]:
        """The names the rule reads besides `value`, in this event."""
        found = {name: values[i] for name, i in self.reads}
        return found if self.codes is None else found | {"codes": self.codes}


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


FieldKind = Literal[
    "identifiers", "texts", "sealed", "local_authority", "codes", "recorded_at", "dates",
    "occurred_on",
]  # fmt: skip


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
    # The fields each kind of value rule governs (FieldKind names these attributes).
    codes: Mapping[int, frozenset[str]]  # coded fields: their DfE code list
    identifiers: tuple[int, ...]  # text fields that must not be empty
    texts: tuple[int, ...]  # free text
    sealed: tuple[int, ...]  # sealed personal data (events.sealing), at most one
    dates: tuple[int, ...]  # date fields: within EARLIEST_DATE..LATEST_DATE
    local_authority: int
    occurred_on: int
    recorded_at: int
    checks: tuple[ValueCheck, ...] = ()  # VALUE_RULES on these fields, in the order tested

    def index(self, name: str) -> int:
        return self.names.index(name)

    def governed(self, kind: FieldKind) -> tuple[int, ...]:
        """The positions of the fields a kind of value rule governs, in field order."""
        positions: int | Iterable[int] = getattr(self, kind)
        return (positions,) if isinstance(positions, int) else tuple(positions)


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


def compile_rules(
    event_class: type[JourneyEvent], value_rules: Sequence[ValueRule] = VALUE_RULES
) -> EventRules:
    """The rules of `event_class`: its field shapes, and `value_rules` on its fields."""
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
    rules = EventRules(
        event_type=event_class.__name__,
        names=names,
        shapes=shapes,
        values=attrgetter(*names),
        items=itemgetter(*names),
        signatures=frozenset(itertools.product(*(_exact_types(shape) for shape in shapes))),
        sequences=tuple(i for i, s in enumerate(shapes) if s.sequence),
        codes={
            i: field.metadata["codes"]
            for i, field in enumerate(fields)
            if "codes" in field.metadata
        },
        identifiers=identifiers,
        texts=tuple(
            i
            for i, s in enumerate(shapes)
            if s.python_type is str
            and not s.sequence
            and i not in identifiers
            and "codes" not in fields[i].metadata
            and s.name != SEALED_FIELD
        ),
        sealed=tuple(i for i, s in enumerate(shapes) if s.name == SEALED_FIELD),
        dates=tuple(i for i, s in enumerate(shapes) if s.python_type is date),
        local_authority=names.index("local_authority"),
        occurred_on=names.index("occurred_on"),
        recorded_at=names.index("recorded_at"),
    )
    return dataclasses.replace(rules, checks=_checks(rules, value_rules))


def _checks(rules: EventRules, value_rules: Sequence[ValueRule]) -> tuple[ValueCheck, ...]:
    """Each rule on each field it governs: rules of one kind field by field, in table order."""
    found = []
    for kind, group in itertools.groupby(value_rules, key=attrgetter("governs")):
        of_kind = tuple(group)
        for i in rules.governed(kind):
            found.extend(_check_of(rule, rules, i) for rule in of_kind)
    return tuple(found)


def _check_of(rule: ValueRule, rules: EventRules, i: int) -> ValueCheck:
    codes = rules.codes.get(i) if "codes" in rule.operands else None
    reads = tuple((name, rules.index(name)) for name in rule.operands if name in rules.names)
    if len(reads) + (codes is not None) != len(rule.operands):
        raise TypeError(
            f"value rule {rule.refusal}: it reads {list(rule.operands)}, but only "
            f"{[name for name, _ in reads]} are fields of {rules.event_type}"
            + ("" if codes is None else f" (and codes, of {rules.names[i]})")
        )
    shape = rules.shapes[i]
    holds = rule.holds if codes is None else functools.partial(rule.holds, codes=codes)
    return ValueCheck(rule, i, shape.name, shape.optional, shape.sequence, codes, reads, holds)


RULES: Mapping[type[JourneyEvent], EventRules] = {cls: compile_rules(cls) for cls in EVENT_CLASSES}


def rules_for(event_type: str) -> EventRules:
    try:
        return RULES[EVENT_TYPES[event_type]]
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
    """Refuse with the first value rule the values break (their types already checked)."""
    for check in rules.checks:
        value = values[check.field]
        if value is None:
            continue  # None keeps every value rule: the types vouch that the field is optional
        if check.reads:
            others = {name: values[i] for name, i in check.reads}
            broken = [v for v in _items(check, value) if not check.holds(v, **others)]
        elif check.sequence:
            broken = [v for v in value if not check.holds(v)]
        elif check.holds(value):
            continue
        else:
            broken = [value]
        for item in broken:
            _refuse(rules, check, item, values, tolerated_unknown)


def _items(check: ValueCheck, value: Any) -> tuple[Any, ...]:
    return tuple(value) if check.sequence else (value,)


def _refuse(
    rules: EventRules,
    check: ValueCheck,
    item: Any,
    values: tuple[Any, ...],
    tolerated_unknown: frozenset[str],
) -> None:
    """Raise InvalidEvent for a value breaking the check's rule, unless it is tolerated."""
    rule = check.rule
    if rule.reader_default_passes and item == UNKNOWN_SYMBOL and check.name in tolerated_unknown:
        return
    explained = rule.explain(item, **check.operands(values))
    raise InvalidEvent(rules.event_type, check.name, rule.refusal, explained)


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
