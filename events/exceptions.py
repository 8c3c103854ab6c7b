"""The two kinds of fault an operator meets, and the event contract's own exceptions.

Every exception the project raises for a fault an operator can act on derives from
exactly one of `BadInput` and `OperationalFailure` (tests/unit/test_exceptions.py checks
it); `journeys.entrypoints.cli.main` turns the base into the exit code, and each exception's
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


class ChildFailed(OperationalFailure):
    """A child process (the record writer, the projection's decoder) failed at its work:
    `type_name` and `message` say what, `original` is the exception itself where it could
    be sent back. The message names the cause; fix that (often the broker or the data it
    names) and start the command again: nothing half done was kept."""

    def __init__(self, type_name: str, message: str, original: BaseException | None = None) -> None:
        super().__init__(f"{type_name}: {message}")
        self.type_name = type_name
        self.message = message
        self.original = original

    @property
    def reason(self) -> str:
        return str(self)


class ChildGone(OperationalFailure):
    """A child process is gone (killed, crashed, or its socket closed): start the command
    again; a transaction it had not committed is aborted, so nothing is lost or doubled."""

    def __init__(self, target: str, exit_code: int | None, error: BaseException | None) -> None:
        cause = "" if error is None else f", {type(error).__name__}"
        super().__init__(f"the {target} process is gone (exit code {exit_code}{cause})")
        self.exit_code = exit_code


class ConfigurationError(OperationalFailure, ValueError):
    """An environment variable breaks its rule; the message names both.

    Set the variable as the message says (README, "Settings") and run the command again.
    Exit code 2, as for a bad command-line argument: the command was not run as it must be.
    """

    def __init__(self, variable: str, rule: str, value: str) -> None:
        self.variable = variable
        super().__init__(f"{variable} must be {rule}, not {value!r}")


class RecordStalled(OperationalFailure):
    """A partition of the record stopped answering short of the end the broker reports.

    Nothing was read past it and nothing half-read was kept: run the command again; if it
    stops at the same offset, check the broker (its logs, its disk, the network).
    """
