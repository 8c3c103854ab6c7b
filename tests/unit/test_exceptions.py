"""Every exception of the project sits under one of the two bases, says what to do, and
the command line turns each base into its exit code."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import events
import journeys
import projections
from events.exceptions import BadInput, ConfigurationError, OperationalFailure
from journeys.entrypoints.cli import EXIT_FAILED, EXIT_USAGE, KNOWN_FAULTS, exit_code_of
from journeys.kafka.exceptions import ChildNotInRecord, WriterFenced
from projections.exceptions import DatabaseInUse, ProjectionError, SnapshotMissing

BASES = (BadInput, OperationalFailure)


def modules_of(package: ModuleType) -> list[ModuleType]:
    found = [package]
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        if info.name.rsplit(".", 1)[-1] != "__main__":  # it would run the command line
            found.append(importlib.import_module(info.name))
    return found


def project_exceptions() -> list[type[BaseException]]:
    return sorted(
        {
            value
            for package in (events, journeys, projections)
            for module in modules_of(package)
            for value in vars(module).values()
            if inspect.isclass(value)
            and issubclass(value, BaseException)
            and value.__module__ == module.__name__
        },
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


EXCEPTIONS = project_exceptions()


def test_the_walk_finds_the_exceptions_of_every_package() -> None:
    packages = {cls.__module__.split(".")[0] for cls in EXCEPTIONS}
    assert packages == {"events", "journeys", "projections"}
    assert {WriterFenced, SnapshotMissing, ConfigurationError} <= set(EXCEPTIONS)


@pytest.mark.parametrize("exception", EXCEPTIONS, ids=lambda cls: cls.__qualname__)
def test_each_exception_derives_from_exactly_one_base_and_says_what_to_do(
    exception: type[BaseException],
) -> None:
    if exception in BASES:
        assert exception.__bases__ == (Exception,)
    else:
        assert sum(issubclass(exception, base) for base in BASES) == 1
    doc = exception.__dict__.get("__doc__")
    assert doc and doc.strip(), f"{exception.__qualname__} has no docstring of its own"


def test_the_command_line_maps_each_base_to_its_exit_code() -> None:
    assert {BadInput: EXIT_FAILED, OperationalFailure: EXIT_USAGE} == KNOWN_FAULTS


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (SnapshotMissing("no snapshot"), EXIT_FAILED),
        (DatabaseInUse("in use"), EXIT_FAILED),
        (ProjectionError("refused"), EXIT_USAGE),
        (ConfigurationError("JOURNEYS_PARTITIONS", "a whole number", "x"), EXIT_USAGE),
        (ChildNotInRecord("no such child"), EXIT_USAGE),
        (WriterFenced("journeys-processor"), EXIT_USAGE),
        (ValueError("not ours"), None),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_an_exception_gets_the_exit_code_of_its_base(
    error: BaseException, code: int | None
) -> None:
    assert exit_code_of(error) == code
