"""Retention: the children whose records the authority should no longer keep.

A record is kept until a birthday that depends on the kind of record the child has
(JOURNEYS_RETENTION sets each; docs/privacy.md):

- looked after (any period of care): until the 75th birthday. The Care Planning,
  Placement and Case Review (England) Regulations 2010 (reg. 50) keep a looked-after
  child's case record until then (or for 15 years after a death before 18, which the
  record does not hold: the authority decides those cases itself);
- child protection (any section 47 enquiry, conference or plan): until the 26th birthday
  by default, a common local authority policy, set your own;
- child in need (everything else): until the 25th birthday by default, likewise.

A child's kind is the longest-kept kind any of their events gives them. A child whose
date of birth the record does not hold (registration retracted) is never listed: decide
those by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from events.birthdays import years_after
from events.codec import default_codec
from events.exceptions import ConfigurationError
from events.key_store import KeyStore
from events.personal_data import is_sealed, unseal
from events.settings import Settings
from journeys.kafka.record_reader import DistinctEvents

LOOKED_AFTER = "looked_after"
CHILD_PROTECTION = "child_protection"
CHILD_IN_NEED = "child_in_need"
KINDS = (LOOKED_AFTER, CHILD_PROTECTION, CHILD_IN_NEED)  # longest kept first

_KIND_OF_EVENT = {
    "PeriodOfCareStarted": LOOKED_AFTER,
    "Section47Started": CHILD_PROTECTION,
    "ChildProtectionConferenceHeld": CHILD_PROTECTION,
    "ChildProtectionPlanStarted": CHILD_PROTECTION,
}


@dataclass(frozen=True)
class RetentionPolicy:
    """Until which birthday each kind of record is kept."""

    looked_after: int = 75
    child_protection: int = 26
    child_in_need: int = 25

    @classmethod
    def from_text(cls, text: str) -> RetentionPolicy:
        """'looked_after=75,child_protection=26,child_in_need=25' (any of them, any order)."""
        years: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            kind, equals, value = part.partition("=")
            kind = kind.strip()
            if not equals or kind not in KINDS or not value.strip().isdigit():
                raise ConfigurationError(
                    "JOURNEYS_RETENTION",
                    f"comma-separated KIND=YEARS, KIND one of {', '.join(KINDS)}",
                    text,
                )
            years[kind] = int(value)
        return cls(**years)

    def years(self, kind: str) -> int:
        return int(getattr(self, kind))


@dataclass(frozen=True)
class RetentionDue:
    """A child whose record's retention date has passed."""

    local_authority: str
    child_id: str
    pseudonym: str
    kind: str
    keep_until: date


@dataclass
class _Child:
    local_authority: str
    born: date | None = None
    kind: str = CHILD_IN_NEED


def past_retention(
    settings: Settings, key_store: KeyStore, policy: RetentionPolicy, on: date
) -> list[RetentionDue]:
    """Every child of the record whose record should not be kept after `on`."""
    children = _children(settings, key_store)
    due = []
    for pseudonym, child in children.items():
        if child.born is None:
            continue
        keep_until = years_after(child.born, policy.years(child.kind))
        child_id = key_store.child_id_of(pseudonym)
        if keep_until <= on and child_id is not None:
            due.append(
                RetentionDue(child.local_authority, child_id, pseudonym, child.kind, keep_until)
            )
    return sorted(due, key=lambda d: (d.local_authority, d.keep_until, d.child_id))


def _children(settings: Settings, key_store: KeyStore) -> dict[str, _Child]:
    codec = default_codec()
    erased = key_store.erased_pseudonyms()
    children: dict[str, _Child] = {}
    retracted: set[str] = set()
    registrations: dict[str, tuple[str, date]] = {}  # event id -> (pseudonym, born)
    for record in DistinctEvents(settings):
        if record.value is None:
            continue
        event_type, values = codec.decode_record(record.value)
        pseudonym = values["child_id"]
        if pseudonym in erased:
            continue
        child = children.setdefault(pseudonym, _Child(values["local_authority"]))
        kind = _KIND_OF_EVENT.get(event_type)
        if kind is not None and KINDS.index(kind) < KINDS.index(child.kind):
            child.kind = kind
        if event_type == "EventRetracted":
            retracted.add(str(values["retracted_event_id"]))
        elif event_type == "ChildRegistered":
            event = codec.decode(record.value)
            key = key_store.data_key(pseudonym)
            if is_sealed(event) and key is not None:
                event = unseal(event, key)
            registrations[str(event.event_id)] = (pseudonym, event.date_of_birth)
    for event_id, (pseudonym, born) in registrations.items():
        if event_id not in retracted:
            children[pseudonym].born = born
    return children


def local_authorities(due: Iterable[RetentionDue]) -> dict[str, list[str]]:
    """The children due, by local authority (erasure takes one authority at a time)."""
    grouped: dict[str, list[str]] = {}
    for item in due:
        grouped.setdefault(item.local_authority, []).append(item.child_id)
    return grouped
