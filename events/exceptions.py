"""The two kinds of fault an operator meets, and the event contract's own exceptions.

Every exception the project raises for a fault an operator can act on derives from
exactly one of `BadInput` and `OperationalFailure` (tests/unit/test_exceptions.py checks
it); `journeys.cli.main` turns the base into the exit code, and each exception's
docstring says what to do about it.
"""

from __future__ import annotations

from events.refusals import Refusal


class BadInput(Exception):
    """What the command was given was refused: fix that and run it again (exit code 1).

    An event, a line of a file, a query, a file under `schemas/` or `projections/sql/`,
    or a database named to read: the message names what is wrong with it. Nothing that
    was accepted before is affected.
    """


class OperationalFailure(Exception):
    """The service cannot do its work as it is set up or as things stand (exit code 2).

    A setting, the cluster or broker, another writer in the way, a record that is not the
    one expected: the message says what to check or run. Nothing half-done was kept.
    """


class InvalidEvent(BadInput, ValueError):
    """An event, or the bytes or JSON said to hold one, breaks the contract.

    `event_type` is the event type when it could be read (else "unknown"), `field` the
    field at fault (or "<message>" for the framing), `rule` the code of the rule broken
    (a member of events.refusals.Refusal). The sender should correct the event and send it
    again; nothing that was accepted before is affected.
    """

    def __init__(self, event_type: str, field: str, rule: Refusal, message: str) -> None:
        self.event_type = event_type
        self.field = field
        self.rule = rule
        self.message = message
        super().__init__(f"{event_type}.{field}: {message} [{rule}]")


class SchemaFileError(BadInput, ValueError):
    """A file under `schemas/` cannot be used: fix the file (or its name) and run again."""
