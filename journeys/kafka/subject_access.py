"""A subject access request: everything the record holds about one child, in one folder.

UK GDPR gives the child (or whoever acts for them) a copy of their personal data. The
record holds it in three places, and the folder has each:

    README.txt                what is here, for whom, and when it was made
    events.jsonl              every event of the child's journey, opened, in the order
                              recorded, named by the authority's own id (JSON Lines)
    timeline.txt              the same journey in plain English
    refusals.jsonl            every submission about the child that was refused: the rule,
                              the reason, and the submitted event where it could be read
    analysts_database/*.csv   each row the analysts' database holds of the child, table
                              by table (named there by the child's pseudonym)

It is written for the authority's information governance team to review and send; the
command itself prints only counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from events.codec import default_codec
from events.exceptions import InvalidEvent, OperationalFailure
from events.jsonl import event_to_json, write_jsonl
from events.key_store import ChildNotRecorded, KeyStore, open_key_store
from events.personal_data import is_sealed, unseal
from events.settings import Settings
from journeys.kafka.record_reader import DistinctEvents
from journeys.kafka.rejected import read_rejections
from journeys.kafka.timeline import read_timeline


class SubjectAccessRefused(OperationalFailure):
    """The folder for a subject access request is not empty: name a new one, so that
    one child's data is never mixed with another's or with an older copy."""


@dataclass(frozen=True)
class SubjectAccessSummary:
    events: int
    refusals: int
    database_rows: int
    directory: Path

    def describe(self) -> str:
        return (
            f"wrote {self.events:,} events, {self.refusals:,} refusals and "
            f"{self.database_rows:,} rows of the analysts' database to {self.directory}"
        )


def subject_access(
    settings: Settings,
    local_authority: str,
    child_id: str,
    directory: Path,
    database_rows: Callable[[str, Path], int],
) -> SubjectAccessSummary:
    """Write the folder; `database_rows(pseudonym, folder)` writes the database's part
    (projections.subject_access.write_rows) and says how many rows it wrote."""
    if directory.exists() and any(directory.iterdir()):
        raise SubjectAccessRefused(f"{directory} is not empty")
    key_store = open_key_store(settings)
    try:
        pseudonym = key_store.pseudonym_of(local_authority, child_id)
        if pseudonym is None:
            erased = key_store.is_erased(local_authority, child_id)
            raise ChildNotRecorded(
                f"the record of local authority {local_authority} holds nothing about that "
                + ("child: they were erased" if erased else "child id")
            )
        directory.mkdir(parents=True, exist_ok=True)
        events = _events(settings, key_store, pseudonym, child_id)
        write_jsonl(directory / "events.jsonl", events)
        timeline = read_timeline(settings, child_id, local_authority)
        (directory / "timeline.txt").write_text("\n".join(timeline) + "\n", encoding="utf-8")
        refusals = _refusals(settings, key_store, pseudonym, child_id)
        with (directory / "refusals.jsonl").open("w", encoding="utf-8") as file:
            for refusal in refusals:
                file.write(json.dumps(refusal, ensure_ascii=False) + "\n")
        rows = database_rows(pseudonym, directory / "analysts_database")
    finally:
        key_store.close()
    _write_readme(directory, settings, local_authority, child_id, pseudonym)
    return SubjectAccessSummary(len(events), len(refusals), rows, directory)


def _events(settings: Settings, key_store: KeyStore, pseudonym: str, child_id: str) -> list:
    codec = default_codec()
    key = pseudonym.encode()
    data_key = key_store.data_key(pseudonym)
    found = []
    for record in DistinctEvents(settings):
        if record.key != key or record.value is None:
            continue
        event = codec.decode(record.value)
        if is_sealed(event) and data_key is not None:
            event = unseal(event, data_key)
        found.append(replace(event, child_id=child_id))
    return found


def _refusals(settings: Settings, key_store: KeyStore, pseudonym: str, child_id: str) -> list[dict]:
    codec = default_codec()
    found = []
    for rejection in read_rejections(settings, key_store):
        if rejection.child_id != pseudonym:
            continue
        entry: dict = {
            "submission": rejection.submission,
            "rule_code": rejection.rule_code,
            "field": rejection.field,
            "message": rejection.message.replace(pseudonym, child_id),
        }
        try:
            submitted = codec.decode(rejection.value)
            entry["submitted"] = event_to_json(submitted)
        except InvalidEvent as error:
            entry["submitted"] = None
            entry["submitted_bytes_unreadable"] = str(error)
        found.append(entry)
    return found


def _write_readme(
    directory: Path, settings: Settings, local_authority: str, child_id: str, pseudonym: str
) -> None:
    made = datetime.now(UTC).isoformat(timespec="seconds")
    (directory / "README.txt").write_text(
        f"Subject access: child {child_id} of local authority {local_authority}\n"
        f"Made {made} from the record on {settings.events_topic}.\n\n"
        f"events.jsonl       every event recorded about the child, in the order recorded\n"
        f"timeline.txt       the same journey in plain English\n"
        f"refusals.jsonl     submissions about the child that were refused, and why\n"
        f"analysts_database  the rows the analysts' database holds, where the child is\n"
        f"                   named {pseudonym} (a pseudonym), table by table\n\n"
        "Review before sending: it holds the child's personal data.\n",
        encoding="utf-8",
    )
