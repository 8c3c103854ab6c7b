"""Test helpers for schema evolution: a schemas/ directory with extra versions, and a
message written with any version, as a source system on that version would write it.

Importable from any test (tests/ is on sys.path): `from schema_versions import ...`.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path
from typing import Any

from fastavro import schemaless_writer

from events.codec import MAGIC, default_schemas_dir
from events.schemas import SchemaVersion

# Versions kept for tests: e.g. PlacementStarted.v2.avsc, fully compatible with v1.
COMPATIBLE = Path(__file__).parent / "fixtures" / "schemas" / "compatible"
# The version of PlacementStarted after the contract's current one (v2): a new enum symbol
# (PR6) and a new optional field (carer_postcode_district), as a source system ahead of
# this service would write it.
CURRENT_PLACEMENT_STARTED = 2
NEXT_PLACEMENT_STARTED = (
    Path(__file__).parent / "fixtures" / "schemas" / "next" / "PlacementStarted.v3.avsc"
)


def schemas_with(directory: Path, *extra: Path) -> Path:
    """The repository's schemas copied into `directory`, with the `extra` files beside them."""
    for path in (*default_schemas_dir().glob("*.avsc"), *extra):
        shutil.copy(path, directory)
    return directory


def message_of(version: SchemaVersion, record: Mapping[str, Any]) -> bytes:
    """Single-object bytes of `record` written with `version` (fastavro, its parsed schema)."""
    body = BytesIO()
    schemaless_writer(body, version.parsed, dict(record))
    return MAGIC + version.fingerprint + body.getvalue()
