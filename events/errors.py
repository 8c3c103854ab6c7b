"""The one exception the event contract raises for bad input."""

from __future__ import annotations

from events.refusals import Refusal


class InvalidEvent(ValueError):
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
