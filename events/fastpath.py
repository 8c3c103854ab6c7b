"""Straight-line encode and decode functions for each event class, generated once.

The codec's general path (the checks of `events.validation`, then conversions field by
field) names the field at fault when an event breaks the contract. It walks its checks in
loops, and at tens of thousands of events a second those loops cost a third as much as
fastavro itself. So, as `dataclasses` does for `__init__`, this module writes out for
each event class one function that reads every field by name, tests all of the
contract's rules in one condition, and builds the Avro record (or the event) in one go.
The value tests are not written here: each is the `test` of a rule of
`events.validation.VALUE_RULES`, inlined with the field's local name, so a rule added
there is tested here too.

A generated function only ever answers "this event certainly keeps the contract" (and
returns the result) or "ask the general path" (and returns None). It never raises an
InvalidEvent itself: on None the codec runs the general path, which names the field and
the rule, or, for the rare forms the general path accepts and these do not (a subclass
of str, an enum default UNKNOWN from schema resolution), does the work itself.
tests/unit/test_fastpath.py proves the two paths agree on valid and invalid events.
`source_of` shows the generated code.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter
from typing import Any
from uuid import UUID, SafeUUID

from events.catalogue import JourneyEvent
from events.validation import RULE_NAMESPACE, RULES, EventRules, FieldShape, ValueCheck

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
MICROSECOND = timedelta(microseconds=1)

_sources: dict[str, str] = {}


def uuid_text(value: UUID) -> str:
    """str(value), without the method call: the canonical 8-4-4-4-12 form."""
    digits = "%032x" % value.int  # noqa: UP031 - the fastest fixed-width hex
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


_new_object = object.__new__
_set_uuid_int = UUID.__dict__["int"].__set__
_set_uuid_is_safe = UUID.__dict__["is_safe"].__set__


def uuid_from_text(text: str) -> UUID:
    """UUID(text) at half the cost, for the hyphenated form a uuid field holds.

    UUID.__init__ spends most of its time on forms Avro never writes (braces, a urn:
    prefix); the value is set the way UUID's own unpickling sets it. Anything else goes
    to UUID(text), which accepts or refuses it as it always does.
    """
    digits = text.replace("-", "")
    if len(digits) != 32:
        return UUID(text)
    value = _new_object(UUID)
    _set_uuid_int(value, int(digits, 16))
    _set_uuid_is_safe(value, SafeUUID.unknown)
    return value


def days_since_epoch(value: date) -> int:
    return value.toordinal() - EPOCH_ORDINAL


def date_from_days(days: int) -> date:
    return date.fromordinal(days + EPOCH_ORDINAL)


def micros_since_epoch(value: datetime) -> int:
    """Microseconds since 1970-01-01 UTC of an aware datetime."""
    return (value - EPOCH) // MICROSECOND


def timestamp_from_micros(micros: int) -> datetime:
    return EPOCH + MICROSECOND * micros


# The logical types the codec converts itself (fastavro sees the bare Avro type), each
# as (to the Avro value, from the Avro value). The generated code and the codec's general
# path both convert with these.
CONVERSIONS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "uuid": (uuid_text, uuid_from_text),
    "date": (days_since_epoch, date_from_days),
    "timestamp-micros": (micros_since_epoch, timestamp_from_micros),
}


def _items_are(items: tuple[Any, ...], item_type: type) -> bool:
    return all(type(item) is item_type for item in items)


class _Source:
    """A generated function's text, with the constants it refers to by name."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {
            **RULE_NAMESPACE, "items_are": _items_are, "new_object": _new_object,
            **{f.__name__: f for pair in CONVERSIONS.values() for f in pair},
        }  # fmt: skip

    def constant(self, name: str, value: Any) -> str:
        self.constants[name] = value
        return name

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def compile(self) -> Callable[..., Any]:
        text = "\n".join(self.lines) + "\n"
        _sources[self.name] = text
        namespace = dict(self.constants)
        exec(compile(text, f"<events.fastpath {self.name}>", "exec"), namespace)
        function: Callable[..., Any] = namespace[self.name]
        return function


def _local(name: str) -> str:
    return f"v_{name}"


def _converted(
    expression: str, field_name: str, logical_types: Mapping[str, str], *, reading: bool
) -> str:
    """`expression` converted for fastavro (writing) or from it (reading), if it must be."""
    kind = logical_types.get(field_name)
    if kind is None:
        return expression
    return f"{CONVERSIONS[kind][reading].__name__}({expression})"


def _unless_all(tests: Iterable[str], refusal: str) -> list[str]:
    """`if not (test and test ...): return refusal`, a test a line."""
    return [
        "    if not (",
        *(f"        {'and ' if i else ''}{test}" for i, test in enumerate(tests)),
        "    ):",
        f"        return {refusal}",
    ]


def _value_tests(source: _Source, rules: EventRules) -> list[str]:
    """The tests of events.validation.VALUE_RULES, inlined, for values of the declared types.

    One test a field and kind of rule: `(v is None or ...)` for an optional field,
    `all(... for item in v)` for a tuple.
    """
    tests = []
    for _, of_field in itertools.groupby(_needed(rules.checks), key=attrgetter("field")):
        group = list(of_field)
        first = group[0]
        local = _local(first.name)
        value = "item" if first.sequence else local
        test = " and ".join(f"({_inlined(source, c, value)})" for c in group)
        if first.sequence:
            tests.append(f"all({test} for item in {local})")
        elif first.optional:
            tests.append(f"({local} is None or {test})")
        else:
            tests.append(test)
    return tests


def _needed(checks: tuple[ValueCheck, ...]) -> tuple[ValueCheck, ...]:
    """The checks, less those another check on the same field implies."""
    implied = {(c.field, refusal) for c in checks for refusal in c.rule.implies}
    return tuple(c for c in checks if (c.field, c.rule.refusal) not in implied)


def _inlined(source: _Source, check: ValueCheck, value: str) -> str:
    names = {"value": value, **{name: _local(name) for name, _ in check.reads}}
    if check.codes is not None:
        names["codes"] = source.constant(f"CODES_{check.name}", check.codes)
    return check.rule.inlined(names)


def _type_test(source: _Source, shape: FieldShape) -> str:
    local = _local(shape.name)
    exact = source.constant(f"TYPE_{shape.name}", shape.python_type)
    if shape.sequence:
        return f"type({local}) is tuple and items_are({local}, {exact})"
    if shape.optional:
        return f"({local} is None or type({local}) is {exact})"
    return f"type({local}) is {exact}"


def record_writer(
    event_class: type[JourneyEvent], logical_types: Mapping[str, str]
) -> Callable[[JourneyEvent], dict[str, Any] | None]:
    """event -> the Avro record fastavro writes (logical types converted), or None.

    None means: not certainly within the contract; ask events.validation.
    """
    rules = RULES[event_class]
    name = f"record_of_{event_class.__name__}"
    source = _Source(name)
    source.add(f"def {name}(event):")
    source.add(*(f"    {_local(n)} = event.{n}" for n in rules.names))
    type_tests = [_type_test(source, shape) for shape in rules.shapes]
    source.add(*_unless_all([*type_tests, *_value_tests(source, rules)], "None"))
    source.add("    return {")
    for field_name in rules.names:
        value = _converted(_local(field_name), field_name, logical_types, reading=False)
        source.add(f"        {field_name!r}: {value},")
    source.add("    }")
    return source.compile()


def event_builder(
    event_class: type[JourneyEvent],
    logical_types: Mapping[str, str],
    sequence_fields: Collection[str],
) -> Callable[[dict[str, Any]], JourneyEvent | None]:
    """A record fastavro read (current schema) -> the event, or None.

    None means: a value breaks a rule, or is the enum default UNKNOWN; ask
    events.validation. Raises ValueError, OverflowError or KeyError where a value cannot
    be converted at all; the codec sends those to the general path too.
    """
    source = _reading_source(
        f"build_{event_class.__name__}",
        event_class,
        logical_types,
        sequence_fields,
    )
    source.constant("EVENT_CLASS", event_class)
    source.add("    event = new_object(EVENT_CLASS)")
    for field_name in RULES[event_class].names:
        setter = source.constant(f"SET_{field_name}", getattr(event_class, field_name).__set__)
        source.add(f"    {setter}(event, {_local(field_name)})")
    source.add("    return event")
    return source.compile()


def record_checker(
    event_class: type[JourneyEvent],
    logical_types: Mapping[str, str],
    sequence_fields: Collection[str],
) -> Callable[[dict[str, Any]], bool]:
    """Convert the logical types of a record fastavro read, in place, if it keeps the rules.

    False (the record untouched) means: ask events.validation. Arrays stay lists. Raises
    as event_builder does.
    """
    source = _reading_source(
        f"check_{event_class.__name__}",
        event_class,
        logical_types,
        sequence_fields,
        sequences_as_tuples=False,
        refusal="False",
    )
    for field_name in logical_types:
        source.add(f"    record[{field_name!r}] = {_local(field_name)}")
    source.add("    return True")
    return source.compile()


def _reading_source(
    name: str,
    event_class: type[JourneyEvent],
    logical_types: Mapping[str, str],
    sequence_fields: Collection[str],
    *,
    sequences_as_tuples: bool = True,
    refusal: str = "None",
) -> _Source:
    """The first half of a reading function: convert into locals, test the rules."""
    rules = RULES[event_class]
    source = _Source(name)
    source.add(f"def {name}(record):")
    for field_name in rules.names:
        read = _converted(f"record[{field_name!r}]", field_name, logical_types, reading=True)
        if field_name in sequence_fields and sequences_as_tuples:
            read = f"tuple({read})"
        source.add(f"    {_local(field_name)} = {read}")
    # The schema vouches for the types.
    source.add(*_unless_all(_value_tests(source, rules), refusal))
    return source


def source_of(function_name: str) -> str:
    """The generated text of a function, e.g. source_of("record_of_PlacementStarted")."""
    return _sources[function_name]
