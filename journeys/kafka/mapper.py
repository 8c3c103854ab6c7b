"""Maps Journey domain events to stored events whose state is the contract's wire format.

The state of a stored journey event is the Avro single-object encoding of its payload
(the contract event) as the record holds it, and its topic is the event type; so the
bytes on `care.journey.events` are what the public contract promises, readable with
nothing but the `.avsc` files, except the personal fields: the payload names the child by
pseudonym, and the mapper seals its personal fields on the way out and opens them on the
way in (journeys.kafka.privacy), as the library's cipher would, but with a key per child.
The mapper also supplies the child's pseudonym as the Kafka key.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import (
    Cipher,
    Compressor,
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoder,
)

from events.catalogue import JourneyEvent
from events.codec import AvroCodec, default_codec
from events.exceptions import InvalidEvent
from events.key_store import KeyStoreMissing
from events.personal_data import has_personal_fields, is_sealed
from journeys.kafka.privacy import RecordPrivacy


@dataclass(frozen=True)
class JourneyStoredEvent(StoredEvent):
    """A stored event that knows its Kafka key (the child's pseudonym) and event id.

    The event id goes into the message's headers and the state store's index of event
    ids, which need it without decoding the state.
    """

    key: bytes | None = None
    event_id: uuid.UUID | None = None


class JourneyMapper(Mapper[Any]):
    """Stored state = Avro single-object bytes of the payload; topic = event type.

    The transcoder, cipher and compressor the library offers are not used: the contract
    fixes the bytes, and a cipher or compressor would break every other reader.
    """

    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
        codec: AvroCodec | None = None,
    ) -> None:
        if compressor is not None or cipher is not None:
            raise ValueError(
                "JourneyMapper writes the contract's wire format, which forbids a compressor "
                "or cipher: unset COMPRESSOR_TOPIC, CIPHER_TOPIC and CIPHER_KEY"
            )
        super().__init__(transcoder)
        self.codec = codec or default_codec()
        # The key store's sealing: set by whoever opens the application, or opened on
        # first need by `open_privacy` (the persistence module's factory sets it from the
        # settings). Without either, an event with personal fields is neither stored nor
        # loaded.
        self.privacy: RecordPrivacy | None = None
        self.open_privacy: Callable[[], RecordPrivacy] | None = None
        # Payload object id -> (the payload, the single-object bytes it was decoded from).
        self._wire: dict[int, tuple[JourneyEvent, bytes]] = {}

    def remember_wire(self, payload: JourneyEvent, message: bytes) -> None:
        """Store `payload` as `message`, the bytes it was just decoded from, if saved soon.

        For the submission processor: a submission written with the current schema is
        already the exact wire format of the record, so encoding the event again would
        only cost time. Messages of older schema versions are encoded afresh. Call
        `forget_wire()` when the batch is over.
        """
        if self.codec.is_current_version(message) and not has_personal_fields(type(payload)):
            self._wire[id(payload)] = (payload, message)

    def forget_wire(self) -> None:
        self._wire.clear()

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        from journeys.domain.journey import payload_of

        payload = payload_of(domain_event)
        known = self._wire.get(id(payload))
        # The identity test matters: an id is reused once its object is gone.
        state = known[1] if known is not None and known[0] is payload else None
        return JourneyStoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=payload.event_type,
            state=state if state is not None else self.codec.encode(self._sealed(payload)),
            key=payload.child_id.encode("utf-8"),
            event_id=payload.event_id,
        )

    def _privacy(self) -> RecordPrivacy:
        if self.privacy is None and self.open_privacy is not None:
            self.privacy = self.open_privacy()
        if self.privacy is None:
            raise KeyStoreMissing(
                "the journey record's personal fields are sealed, and no key store is open "
                "(JOURNEYS_KEY_STORE)"
            )
        return self.privacy

    def _sealed(self, payload: JourneyEvent) -> JourneyEvent:
        return self._privacy().seal(payload) if has_personal_fields(type(payload)) else payload

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        from journeys.domain.journey import rebuild_domain_event

        where = (
            f"version {stored_event.originator_version} of journey "
            f"{stored_event.originator_id} ({stored_event.topic})"
        )
        try:
            payload = self.codec.decode(stored_event.state)
        except InvalidEvent as error:
            raise MapperDeserialisationError(f"{where} cannot be decoded: {error}") from error
        if is_sealed(payload):
            payload = self._privacy().open(payload)
        if payload.event_type != stored_event.topic:
            raise MapperDeserialisationError(
                f"{where} holds a {payload.event_type} event, not a {stored_event.topic}"
            )
        domain_event = rebuild_domain_event(payload, stored_event.originator_version)
        if str(domain_event.originator_id) != str(stored_event.originator_id):
            raise MapperDeserialisationError(
                f"{where} belongs to child {payload.child_id!r} of local authority "
                f"{payload.local_authority!r}, whose journey id is {domain_event.originator_id}"
            )
        return domain_event
