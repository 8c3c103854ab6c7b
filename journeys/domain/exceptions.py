"""The exceptions of the journey domain: a submission the journey refuses, a journey not found.

Each derives from one of the two bases of `events.exceptions` (bad input, operational
failure), which decide the command line's exit code.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from events.exceptions import BadInput
from events.refusals import Refusal


class JourneyError(BadInput):
    """Base class of the journey domain's refusals: the submission, not the service, is
    at fault; the sender corrects it and sends it again."""


class RuleViolation(JourneyError):
    """A submitted event breaks a rule of practice and was not recorded.

    `rule_code` is the rule's code in the catalogue (events.refusals, e.g.
    Refusal.PLACEMENT_OUTSIDE_PERIOD),
    `event_type` the type of the submitted event, `field` the field at fault and `message`
    a plain-English explanation. `dependants` lists the events that would break a rule if
    a retraction went ahead (empty for other refusals). The journey is unchanged: the
    sender should correct the event (or first retract what it conflicts with) and send it
    again.
    """

    def __init__(
        self,
        rule_code: Refusal,
        event_type: str,
        field: str,
        message: str,
        *,
        dependants: Sequence[uuid.UUID] = (),
    ) -> None:
        self.rule_code = rule_code
        self.event_type = event_type
        self.field = field
        self.message = message
        self.dependants: tuple[uuid.UUID, ...] = tuple(dependants)
        super().__init__(f"{event_type}.{field}: {message} [{rule_code}]")


class JourneyNotFound(JourneyError):
    """No journey is recorded for this child: a ChildRegistered event must come first.

    The sender sends the child's ChildRegistered event, then this one again.
    """

    def __init__(self, local_authority: str, child_id: str) -> None:
        self.local_authority = local_authority
        self.child_id = child_id
        super().__init__(
            f"no journey recorded for child {child_id!r} of local authority {local_authority!r}"
        )
