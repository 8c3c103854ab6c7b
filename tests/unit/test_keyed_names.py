"""KeyedNames: ids are HMAC-SHA256 of their names, so ids made before stay the same."""

from __future__ import annotations

import hashlib
import hmac
import uuid

import pytest

from events.sealing import KeyedNames


@pytest.mark.parametrize("secret", [b"", b"test secret", bytes(range(32)), b"k" * 64, b"k" * 65])
@pytest.mark.parametrize("name", ["", "371/C1/PlacementStarted/2023-06-01", "é/∑"])
def test_an_id_is_the_hmac_sha256_of_its_name(secret: bytes, name: str) -> None:
    expected = hmac.new(secret, name.encode("utf-8"), hashlib.sha256).digest()
    names = KeyedNames(secret)
    assert names.uuid(name) == uuid.UUID(bytes=expected[:16], version=4)
    assert names.token(name) == expected.hex()[:12]
    assert names.uuid(name) == names.uuid(name)  # the keyed states are copied, not spent


def test_the_secret_is_not_shown() -> None:
    assert "test" not in repr(KeyedNames(b"test secret"))
