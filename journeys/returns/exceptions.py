"""What can go wrong with a statutory return, in words a data team can act on."""

from __future__ import annotations

from events.exceptions import BadInput, OperationalFailure


class ValidatorsUnavailable(OperationalFailure, RuntimeError):
    """The DfE validators could not be installed or run.

    The message says what failed. Install Python 3.11 or uv, or point
    JOURNEYS_VALIDATORS_PYTHON at an interpreter with csc-validator-be-903 and
    csc-validator-be-cin, and run the command again.
    """


class ValidatorRefused(BadInput, ValueError):
    """The validators could not read the return they were given (a table they do not
    recognise, a file that is not XML, a year they hold no rules for): the message names
    the file or the year. Fix it and run again."""


class UnknownAuthority(BadInput, ValueError):
    """A local authority code the returns cannot translate: give the authority's ONS code
    (E08000017) or a 3-digit DfE code the project knows (journeys.returns.authorities)."""
