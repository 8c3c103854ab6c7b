"""What the record asks of the key store: pseudonyms in, sealed personal data out.

A submission names the child by the authority's own id and carries its personal fields
in clear; the record never does. `RecordPrivacy.admit` turns a decoded submission into the
event the journey judges: the child's pseudonym in `child_id` (the child is enrolled in
the key store on first sight), or a refusal when the child was erased or the submitter
filled the field only the service writes. The journey mapper then seals the personal
fields of each event it stores (`seal`) and opens those it loads (`open`).
"""

from __future__ import annotations

import dataclasses
import hashlib

from events.catalogue import JourneyEvent
from events.codec import default_codec
from events.exceptions import BadInput, InvalidEvent
from events.key_store import KeyStore, KeyStoreMismatch, open_key_store
from events.personal_data import has_personal_fields, is_sealed, seal, unseal
from events.refusals import Refusal
from events.sealing import Key
from events.settings import Settings
from journeys.kafka.state_store import StateStore

# How many of the record's latest events are checked against the key store on opening.
_SAMPLE = 20


class ChildErased(BadInput):
    """A submission about a child who was erased (journeys erase): refused with
    CHILD_ERASED, and no copy of it is kept. The sender should stop sending about them."""

    def __init__(self, digest: str) -> None:
        super().__init__("the child was erased from the record (journeys erase)")
        self.digest = digest


def check_not_sealed(event: JourneyEvent) -> None:
    """A submitter may not fill the field only the service writes."""
    if is_sealed(event):
        raise InvalidEvent(
            event.event_type,
            "sealed_personal_data",
            Refusal.SEALED_BY_SUBMITTER,
            "is written by the service only: send it empty, with the personal fields in clear",
        )


def open_record_privacy(settings: Settings, store: StateStore) -> RecordPrivacy:
    """The record's key store, checked against the record the state store caught up with.

    An empty record may make its key store (and master key); a record that has events
    needs the key store they were sealed with: one is missing, or another store's, and the
    processor stops before it writes anything (KeyStoreMissing, KeyStoreMismatch).
    """
    recent = store.last_states(_SAMPLE)
    key_store = open_key_store(settings, may_create=not recent)
    erased = key_store.erased_pseudonyms()
    codec = default_codec()
    for state in recent:
        pseudonym = codec.decode_record(state)[1]["child_id"]
        if pseudonym not in erased and key_store.data_key(pseudonym) is None:
            key_store.close()
            raise KeyStoreMismatch(
                f"key store {settings.key_store} does not hold the key of {pseudonym}, a "
                f"child of the record on {settings.events_topic}: it is not this record's "
                "key store"
            )
    return RecordPrivacy(key_store)


class RecordPrivacy:
    """The key store, as the processor and the journey mapper use it."""

    def __init__(self, key_store: KeyStore) -> None:
        self.key_store = key_store

    def admit(self, event: JourneyEvent, submitted: bytes) -> JourneyEvent:
        """The submission as the journey judges it: the pseudonym in, personal fields clear.

        Raises ChildErased for an erased child. A child seen for the first time is
        enrolled (committed with the processor's batch), even if the submission is then
        refused: its refusal is kept sealed under the child's key.
        """
        if self.key_store.is_erased(event.local_authority, event.child_id):
            raise ChildErased(hashlib.sha256(submitted).hexdigest())
        pseudonym = self.key_store.enrol(event.local_authority, event.child_id)
        return dataclasses.replace(event, child_id=pseudonym)

    def key_for_rejection(self, pseudonym: str | None) -> Key:
        """The key a refused submission is sealed under: its child's, else the store's own."""
        key = None if pseudonym is None else self.key_store.data_key(pseudonym)
        return key if key is not None else self.key_store.unattributed_key()

    def key_of(self, pseudonym: str) -> Key:
        key = self.key_store.data_key(pseudonym)
        if key is None:
            raise KeyStoreMismatch(
                f"the key store {self.key_store.path} has no key for {pseudonym}, a child of "
                "the record: it is not the record's own key store"
                + (
                    " (the child was erased)"
                    if pseudonym in self.key_store.erased_pseudonyms()
                    else ""
                )
            )
        return key

    def seal(self, payload: JourneyEvent) -> JourneyEvent:
        if not has_personal_fields(type(payload)):
            return payload
        return seal(payload, self.key_of(payload.child_id))

    def open(self, payload: JourneyEvent) -> JourneyEvent:
        if not is_sealed(payload):
            return payload
        return unseal(payload, self.key_of(payload.child_id))
