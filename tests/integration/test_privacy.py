"""Issue 17's acceptance: sealed personal data, erasure, and the key store as the record's.

One synthetic authority is recorded and projected; three children (one with a CP plan,
one looked after, one with a refused submission) are erased with `journeys erase`; the
processor and the runner run again. Then no message of the events or rejected topics, no
byte of the DuckDB files and none of the state directory holds any child's id or date of
birth in clear (ISO or dd/mm/yyyy), every indicator equals that of the same record built
without those children, and a new submission about one of them is refused CHILD_ERASED
with no copy kept.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path

import duckdb
import journey_builders as b
import pytest
from cli_runs import cli_environment

from events.catalogue import (
    ChildProtectionPlanStarted,
    ChildRegistered,
    JourneyEvent,
    PeriodOfCareStarted,
    ReferralReceived,
)
from events.jsonl import read_jsonl
from events.key_store import ChildNotRecorded, KeyStoreMismatch, KeyStoreMissing, open_key_store
from events.settings import Settings
from journeys.entrypoints.cli import main
from journeys.kafka.processor import process_until_idle
from journeys.kafka.publish import publish_events
from journeys.kafka.record_reader import read_topic
from journeys.kafka.rejected import read_rejections
from journeys.kafka.retention import RetentionPolicy, past_retention
from journeys.kafka.subject_access import SubjectAccessRefused, subject_access
from journeys.kafka.topics import ensure_topics
from journeys.synthetic import generate
from journeys.synthetic.parameters import AuthorityParameters
from projections.indicators import indicators_for_year
from projections.runner import project
from projections.subject_access import write_rows

PARAMETERS = AuthorityParameters(children=800, from_year=2020, to_year=2023, history_years=2)
YEARS = range(2020, 2024)


def _chosen(events: list[JourneyEvent]) -> list[str]:
    """Three children: one with a CP plan, one looked after, one with neither."""
    by_type: dict[type, list[str]] = {}
    for event in events:
        by_type.setdefault(type(event), []).append(event.child_id)
    on_plan = by_type[ChildProtectionPlanStarted][0]
    in_care = next(c for c in by_type[PeriodOfCareStarted] if c != on_plan)
    other = next(c for c in by_type[ReferralReceived] if c not in (on_plan, in_care))
    return [on_plan, in_care, other]


def _again(events: list[JourneyEvent], child_id: str) -> ReferralReceived:
    """One of the child's referrals sent again as a new event: the rules refuse a
    referral id the journey already holds."""
    earlier = next(e for e in events if isinstance(e, ReferralReceived) and e.child_id == child_id)
    return replace(earlier, event_id=uuid.uuid4())


def _clear_forms(events: Iterable[JourneyEvent]) -> set[bytes]:
    """Every child's id, and date of birth in ISO and dd/mm/yyyy, as bytes to look for."""
    forms: set[bytes] = set()
    for event in events:
        forms.add(event.child_id.encode())
        if isinstance(event, ChildRegistered):
            born = event.date_of_birth
            forms.add(born.isoformat().encode())
            forms.add(born.strftime("%d/%m/%Y").encode())
    return forms


def _messages(settings: Settings, topic: str) -> list[bytes]:
    parts: list[bytes] = []
    for record in read_topic(settings, topic):
        parts += [record.key or b"", record.value or b""]
        parts += [name.encode() + value for name, value in record.headers]
    return parts


def _files(*directories: Path) -> list[bytes]:
    return [p.read_bytes() for d in directories for p in d.rglob("*") if p.is_file()]


def _indicators(settings: Settings) -> dict[int, list[dict]]:
    connection = duckdb.connect(str(settings.database), read_only=True)
    try:
        return {year: indicators_for_year(connection, year).to_pylist() for year in YEARS}
    finally:
        connection.close()


def _another_record(kafka: Settings, directory: Path) -> Settings:
    """A record of its own on the same cluster: topics, database, state and key store."""
    other = replace(
        kafka,
        topic_prefix=f"{kafka.topic_prefix}{directory.name}.",
        database=directory / "journeys.duckdb",
        state_dir=directory / "state",
        key_store=directory / "keys.sqlite",
        master_key_file=directory / "master.key",
    )
    ensure_topics(other)
    return other


def _record(settings: Settings, events: list[JourneyEvent]) -> None:
    settings.database.parent.mkdir(parents=True, exist_ok=True)
    publish_events(settings, events)
    process_until_idle(settings)
    project(settings, follow=False)


def test_erased_children_leave_no_clear_trace_and_count_as_never_recorded(
    kafka: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = list(generate(PARAMETERS))
    erased = _chosen(events)
    refused = _again(events, erased[2])
    _record(kafka, [*events, refused])
    assert any(r.child_id and r.rule_code != "CHILD_ERASED" for r in read_rejections(kafka))

    for name, value in cli_environment(kafka).items():
        monkeypatch.setenv(name, value)
    la = PARAMETERS.local_authority
    assert main(["erase", "--local-authority", la, *erased, "--reason", "subject's request"]) == 0
    # Twice is harmless; a child the record never held changes nothing.
    assert main(["erase", "--local-authority", la, erased[0], "--reason", "again"]) == 0
    assert main(["erase", "--local-authority", la, "NOT-A-CHILD", "--reason", "x"]) == 1

    _record(kafka, [_again(events, erased[1])])

    erased_refusals = [r for r in read_rejections(kafka) if r.rule_code == "CHILD_ERASED"]
    assert len(erased_refusals) == 1
    (refusal,) = erased_refusals
    assert (refusal.value, refusal.child_id, refusal.event_id) == (b"", None, None)
    assert refusal.digest and len(refusal.digest) == 64

    # No clear trace of any child (the default mode is pseudonymised): ids, dates of birth.
    forms = _clear_forms(events)
    stored = [
        *_messages(kafka, kafka.events_topic),
        *_messages(kafka, kafka.rejected_topic),
        *_files(kafka.database.parent / "state"),
        *(p.read_bytes() for p in kafka.database.parent.glob("journeys*") if p.is_file()),
    ]
    leaks = {form for form in forms for data in stored if form in data}
    assert not leaks

    # Every indicator is that of the same record built without the erased children.
    without = _another_record(kafka, tmp_path / "without")
    _record(without, [e for e in events if e.child_id not in erased])
    assert _indicators(kafka) == _indicators(without)


def test_the_key_store_is_the_record_s_own(kafka: Settings, tmp_path: Path) -> None:
    events = list(generate(replace(PARAMETERS, children=300)))
    _record(kafka, events)
    before = _indicators(kafka)

    # With the key store, a full rebuild from the record gives the same projection.
    rebuilt = replace(kafka, database=tmp_path / "rebuilt.duckdb")
    project(rebuilt, follow=False)
    assert _indicators(rebuilt) == before

    # Without it the record cannot be opened: runner and processor stop, nothing written.
    hidden = tmp_path / "hidden"
    shutil.move(kafka.key_store.parent, hidden)
    blind = replace(kafka, database=tmp_path / "blind.duckdb")
    with pytest.raises(KeyStoreMissing):
        project(blind, follow=False)
    with pytest.raises(KeyStoreMissing):
        process_until_idle(kafka)

    # Another record's key store (made by recording another topic) does not open it either.
    elsewhere = _another_record(kafka, tmp_path / "elsewhere")
    _record(elsewhere, events[:5])
    other_keys = replace(
        kafka,
        key_store=elsewhere.key_store,
        master_key_file=elsewhere.master_key_file,
        state_dir=tmp_path / "fresh-state",
    )
    with pytest.raises(KeyStoreMismatch):
        process_until_idle(other_keys)
    with pytest.raises(KeyStoreMismatch):
        project(replace(other_keys, database=tmp_path / "mismatch.duckdb"), follow=False)


def test_subject_access_holds_the_plan_the_care_and_the_refusal_and_retention_lists(
    kafka: Settings, tmp_path: Path
) -> None:
    # One child: a CP plan, then a period of care, and one refused submission (a second
    # referral R1: the journey holds one). Born 15 June 2005.
    child = "DNC-SAR-1"
    journey = [
        b.child_registered("2010-01-01", child_id=child),
        b.referral_received("2010-01-05", child_id=child),
        b.section47_started("2010-01-10", child_id=child),
        b.conference_held("2010-01-20", child_id=child),
        b.cp_plan_started("2010-01-20", child_id=child),
        b.cp_plan_ended("2010-06-01", child_id=child),
        b.period_started("2010-06-01", child_id=child),
        b.placement_started("2010-06-01", child_id=child),
    ]
    refused = b.referral_received("2010-07-01", child_id=child)
    _record(kafka, [*journey, refused])

    folder = tmp_path / "sar"
    summary = subject_access(
        kafka, b.LOCAL_AUTHORITY, child, folder, partial(write_rows, kafka.database)
    )
    held = list(read_jsonl(folder / "events.jsonl"))
    assert [e.event_id for e in held] == [e.event_id for e in journey]
    assert held == journey  # opened, and named by the authority's own id
    (refusal,) = [json.loads(line) for line in (folder / "refusals.jsonl").read_text().splitlines()]
    assert refusal["submitted"]["event_id"] == str(refused.event_id)
    assert refusal["rule_code"] and "ps-" not in refusal["message"]  # no pseudonym shown
    tables = {p.stem for p in (folder / "analysts_database").glob("*.csv")}
    assert {"cp_plans", "periods_of_care", "children", "event_log"} <= tables
    assert "2010-01-20" in (folder / "analysts_database" / "cp_plans.csv").read_text()
    assert (folder / "timeline.txt").read_text().strip()
    assert (summary.events, summary.refusals) == (len(journey), 1)
    with pytest.raises(SubjectAccessRefused):  # never into a folder already used
        subject_access(kafka, b.LOCAL_AUTHORITY, child, folder, partial(write_rows, kafka.database))
    with pytest.raises(ChildNotRecorded):
        subject_access(
            kafka, b.LOCAL_AUTHORITY, "NOBODY", tmp_path / "n", partial(write_rows, kafka.database)
        )

    # Looked after, so kept to the 75th birthday (15 June 2080), whatever the CP plan says.
    key_store = open_key_store(kafka)
    try:
        policy = RetentionPolicy()
        assert past_retention(kafka, key_store, policy, date(2080, 6, 14)) == []
        (due,) = past_retention(kafka, key_store, policy, date(2080, 6, 15))
        assert (due.child_id, due.kind, due.keep_until) == (
            child,
            "looked_after",
            date(2080, 6, 15),
        )
        shorter = RetentionPolicy.from_text("looked_after=30")
        assert [
            d.keep_until for d in past_retention(kafka, key_store, shorter, date(2040, 1, 1))
        ] == [date(2035, 6, 15)]
    finally:
        key_store.close()
