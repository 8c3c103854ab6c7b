"""Sealing a child's personal data under the child's own key (crypto-shredding).

The record is immutable, so a child's personal data can be forgotten only by making it
unreadable: each child has a data key of their own (32 random bytes), every personal
field the record holds about the child is sealed under it (AES-256-GCM), and erasing the
child destroys the key (events.key_store). What stays on the record is the child's
pseudonym and facts that no longer name anyone.

A sealed value is text, so that it fits the contract's string fields and JSON Lines:
``s1.`` then the base64url (unpadded) of 12 bytes of nonce and the ciphertext with its
16-byte tag. The associated data binds a sealed value to the pseudonym and the event it
belongs to, so a value cannot be moved to another child's event and still open.

The library's own cipher (eventsourcing's AESCipher) is one key for the whole
application; this is the same primitive with one key per child, from the `cryptography`
package (pycryptodome, which eventsourcing's cipher uses, took some 140 microseconds to
make each GCM cipher: three per new child made sealing the processor's largest cost).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from events.exceptions import OperationalFailure

KEY_BYTES = 32
_NONCE_BYTES = 12
_TAG_BYTES = 16
SEALED_PREFIX = "s1."


class SealBroken(OperationalFailure):
    """A sealed value does not open with the key given: the key store is not the one the
    record was sealed with, the master key is wrong, or the value was altered. Nothing was
    written in clear; point JOURNEYS_KEY_STORE and JOURNEYS_MASTER_KEY_FILE at the key
    store and master key of this record."""


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


class Key:
    """One AES-256 key. Its repr never shows the key.

    The AES-GCM cipher object (the `cryptography` package's AESGCM) is made once per key:
    the processor seals a child's registration with the same key it just made, and the
    runner opens many events per child.
    """

    __slots__ = ("_aead", "secret")

    def __init__(self, secret: bytes) -> None:
        if len(secret) != KEY_BYTES:
            raise ValueError(f"a key is {KEY_BYTES} bytes, not {len(secret)}")
        self.secret = secret
        self._aead: AESGCM | None = None

    def __repr__(self) -> str:
        return "Key(<secret>)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key) and hmac.compare_digest(self.secret, other.secret)

    def __hash__(self) -> int:
        return hash(self.secret)

    def _cipher(self) -> AESGCM:
        if self._aead is None:
            self._aead = AESGCM(self.secret)
        return self._aead

    def seal_bytes(self, plaintext: bytes, associated: bytes) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return nonce + self._cipher().encrypt(nonce, plaintext, associated)

    def open_bytes(self, sealed: bytes, associated: bytes, what: str) -> bytes:
        if len(sealed) < _NONCE_BYTES + _TAG_BYTES:
            raise SealBroken(f"{what}: the sealed value is too short to be one")
        try:
            return self._cipher().decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], associated)
        except InvalidTag as error:
            raise SealBroken(f"{what} does not open with this key store's key") from error

    def seal_text(self, plaintext: bytes, associated: bytes) -> str:
        sealed = self.seal_bytes(plaintext, associated)
        return SEALED_PREFIX + base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")

    def open_text(self, sealed: str, associated: bytes, what: str) -> bytes:
        if not sealed.startswith(SEALED_PREFIX):
            raise SealBroken(f"{what} is not a sealed value (it does not start {SEALED_PREFIX!r})")
        body = sealed[len(SEALED_PREFIX) :]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except ValueError as error:
            raise SealBroken(f"{what} is not valid base64url") from error
        return self.open_bytes(raw, associated, what)


class MasterKey:
    """The key that wraps every child's data key; from configuration, never printed.

    Two keys are derived from it (HMAC-SHA256 with a label), so that wrapping keys and
    looking children up never use the same key: `wrapping` seals data keys in the key
    store, `lookup` digests an authority's child id into the key store's index (which
    therefore holds no child id in clear).
    """

    __slots__ = ("_lookup", "secret", "wrapping")

    def __init__(self, secret: bytes) -> None:
        if len(secret) != KEY_BYTES:
            raise ValueError(f"a master key is {KEY_BYTES} bytes, not {len(secret)}")
        self.secret = secret
        self.wrapping = Key(self._derived(b"wrap"))
        self._lookup = self._derived(b"lookup")

    def __repr__(self) -> str:
        return "MasterKey(<secret>)"

    def _derived(self, label: bytes) -> bytes:
        return hmac.new(self.secret, b"care-journeys/" + label, hashlib.sha256).digest()

    def lookup_digest(self, local_authority: str, child_id: str) -> bytes:
        """The key store's index entry for a child: keyed, so not reversible by guessing ids."""
        message = f"{local_authority}\x1f{child_id}".encode()
        return hmac.new(self._lookup, message, hashlib.sha256).digest()

    def names(self, label: str) -> KeyedNames:
        """Keyed identifiers for one purpose (`label`), e.g. an import's event ids."""
        return KeyedNames(self._derived(b"names/" + label.encode()))

    def to_text(self) -> str:
        return base64.urlsafe_b64encode(self.secret).decode("ascii")

    @classmethod
    def from_text(cls, text: str, where: str) -> MasterKey:
        try:
            secret = base64.urlsafe_b64decode(text.strip().encode("ascii"))
        except ValueError as error:
            raise ValueError(f"{where}: a master key is base64url text") from error
        if len(secret) != KEY_BYTES:
            raise ValueError(f"{where}: a master key is {KEY_BYTES} bytes of base64url text")
        return cls(secret)


_BLOCK = 64  # SHA-256's block, in bytes


class KeyedNames:
    """Identifiers derived from names under a secret: the same name gives the same id (an
    import run twice adds nothing), and an id says nothing of its name: a child's id, a
    date, a postcode cannot be guessed back from it, as they could from a plain hash."""

    def __init__(self, secret: bytes) -> None:
        # HMAC-SHA256 (RFC 2104) with its two keyed states made once: a name costs two
        # copies and two hashes, under half what hmac.new or hmac.digest cost each time
        # (an import derives an id or two for every row it reads).
        key = hashlib.sha256(secret).digest() if len(secret) > _BLOCK else secret
        key = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key))
        self._outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in key))

    def __repr__(self) -> str:
        return "KeyedNames(<secret>)"

    def _digest(self, name: str) -> bytes:
        """HMAC-SHA256 of the name under the secret."""
        inner = self._inner.copy()
        inner.update(name.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def uuid(self, name: str) -> uuid.UUID:
        return uuid.UUID(bytes=self._digest(name)[:16], version=4)

    def token(self, name: str, length: int = 12) -> str:
        return self._digest(name).hex()[:length]


def new_pseudonym() -> str:
    """A child's pseudonym on the record: random, so it says nothing about the child."""
    return "ps-" + secrets.token_hex(12)
