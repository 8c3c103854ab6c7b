"""The `journeys` command line.

Each module in `journeys.entrypoints.cli.commands` is one command, named like the module
(an underscore in the module's name is a hyphen in the command's: `subject_access` is
`journeys subject-access`):
its docstring's first line (after "`journeys NAME ...`: ") is the command's help, its
second paragraph the command's description (or `DESCRIPTION`, where it quotes a setting),
`register(parser)` adds its arguments and `run(arguments)` runs it. Further paragraphs of
the docstring are notes for whoever changes the command.

`main` is the one place that turns the project's known exceptions into a one-line
message on stderr and an exit code, so an operator never meets a traceback for a fault
they can act on. Exit codes (the README has the same table):

- 0: done.
- 1: bad input (`events.exceptions.BadInput`): an event, line, query or file refused, no
  data for the year asked; and, keeping their old codes, no snapshot yet and the
  projection database held by another writer.
- 2: an operational failure (`events.exceptions.OperationalFailure`) or a bad argument:
  a setting, no cluster configured, the broker, another record writer (fenced), the
  record or the projection not as expected; and, keeping its old code, a child not in
  the record.
- 3: the Kafka cluster could not be reached (the message names the address tried).
- 130: interrupted (Ctrl-C) where the command has no clean stop of its own.
- 141: stdout was closed by its reader (`journeys ... | head`); nothing is printed.

Any other exception is a fault of the service itself and still ends in a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import pkgutil
import sys
from collections.abc import Sequence
from types import ModuleType

from events.exceptions import BadInput, ConfigurationError, OperationalFailure
from events.settings import Settings
from journeys.entrypoints.cli import commands

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports `yes | head`

# The project's two exception bases (events.exceptions) and their exit codes: every
# exception of the project derives from exactly one, and already says, in its message,
# what went wrong and what to do.
KNOWN_FAULTS: dict[type[Exception], int] = {
    BadInput: EXIT_FAILED,
    OperationalFailure: EXIT_USAGE,
}

_BOOTSTRAP_FAILED = "Unable to bootstrap from "  # kafka-python's KafkaTimeoutError text


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command; given the arguments, of the one command they name, so
    a command imports only what it uses (every command module imported would cost each
    run the Kafka client, the codec and the returns' readers, some 0.4 s)."""
    parser = argparse.ArgumentParser(
        prog="journeys",
        description="care-journeys: children's social care journeys as immutable events.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    names = command_names()
    named = _command_named(argv, names)
    for name in [named] if named else names:
        module = importlib.import_module(f"{commands.__name__}.{name}")
        help_text, description = _help_of(module)
        command = subparsers.add_parser(
            name.replace("_", "-"),
            help=help_text,
            description=getattr(module, "DESCRIPTION", description),
        )
        module.register(command)
        if hasattr(module, "run"):
            command.set_defaults(handler=module.run)
    return parser


def command_names() -> list[str]:
    """The command modules' names, sorted, without importing them."""
    return sorted(
        module_info.name
        for module_info in pkgutil.iter_modules(commands.__path__)
        if not module_info.name.startswith("_")  # shared by the commands, not a command
    )


def _command_named(argv: Sequence[str] | None, names: list[str]) -> str | None:
    """The command module the arguments' first word names, if it is one; otherwise (no
    arguments, --help, a mistyped command) None, and every command is registered, so the
    usage and "invalid choice" messages list them all."""
    words = list(sys.argv[1:] if argv is None else argv)
    if not words:
        return None
    name = words[0].replace("-", "_")
    return name if name in names and not words[0].startswith("-") else None


def _help_of(module: ModuleType) -> tuple[str, str]:
    """A command module's help line and description paragraph, from its docstring."""
    paragraphs = inspect.cleandoc(module.__doc__ or "").split("\n\n")
    first = " ".join(paragraphs[0].split())
    usage, colon, summary = first.partition("`: ")
    if not colon or not usage.startswith("`journeys "):
        raise TypeError(f'{module.__name__}: the docstring must open "`journeys ...`: <help>"')
    help_text = summary.removesuffix(".")
    description = " ".join(paragraphs[1].split()) if len(paragraphs) > 1 else help_text
    return help_text, description


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and run the chosen command; its return value is the exit code."""
    parser = build_parser(argv)
    arguments = parser.parse_args(argv)
    command = f"{parser.prog} {arguments.command}"
    try:
        code = int(arguments.handler(arguments) or 0)
        sys.stdout.flush()  # here, so a closed pipe is met inside the try, not at exit
        return code
    except BrokenPipeError:
        return _reader_went_away()
    except KeyboardInterrupt:
        return _fail(command, "interrupted", EXIT_INTERRUPTED)
    except Exception as error:
        if _is_unreachable(error):
            return _fail(command, _unreachable(str(error)), EXIT_UNREACHABLE)
        code = exit_code_of(error)
        if code is None:
            raise
        return _fail(command, str(error), code)


def exit_code_of(error: BaseException) -> int | None:
    """The exit code for one of the project's known faults; None for any other error."""
    for base, code in KNOWN_FAULTS.items():
        if isinstance(error, base):
            return code
    return None


def _is_unreachable(error: Exception) -> bool:
    """kafka-python's timeout of a first contact with the cluster. A command that never
    imported the Kafka client cannot have raised it, so the client is not imported here."""
    kafka_errors = sys.modules.get("kafka.errors")
    return (
        kafka_errors is not None
        and isinstance(error, kafka_errors.KafkaTimeoutError)
        and _BOOTSTRAP_FAILED in str(error)
    )


def _fail(command: str, message: str, code: int) -> int:
    print(f"{command}: {message}", file=sys.stderr)
    return code


def _unreachable(kafka_message: str) -> str:
    address = kafka_message.partition(_BOOTSTRAP_FAILED)[2].strip() or "(unknown)"
    try:
        wait = f" within {Settings.from_environment().connect_timeout:g} s"
    except ConfigurationError:
        wait = ""
    return (
        f"could not reach the Kafka cluster at {address}{wait}: check that "
        "KAFKA_BOOTSTRAP_SERVERS names a running broker this machine can reach (host, "
        "port, firewall) and, for TLS or SASL, the KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* "
        "and KAFKA_SSL_* settings; JOURNEYS_CONNECT_TIMEOUT sets how long to wait"
    )


def _reader_went_away() -> int:
    # The reader of stdout (`| head`) has gone: what is still buffered cannot be
    # delivered. Point stdout at /dev/null so the interpreter's own flush at exit does
    # not fail again (the recipe of the `signal` module's documentation).
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
