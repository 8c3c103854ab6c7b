"""The overrides of `eventsourcing` (journeys/application/library_overrides.py) still fit
the library."""

from __future__ import annotations

import importlib.metadata
import inspect

import pytest
from eventsourcing.application import Application, ProgrammingError
from journey_builders import child_registered, referral_received

from journeys.application import library_overrides
from journeys.application.service import JourneyApplication
from journeys.domain.journey import Journey


def test_the_library_is_the_version_the_overrides_were_written_against() -> None:
    installed = importlib.metadata.version("eventsourcing")
    assert installed.startswith(f"{library_overrides.WRITTEN_AGAINST}."), (
        f"eventsourcing {installed} is installed, but journeys/application/library_overrides.py "
        f"copies the steps of Application.save from {library_overrides.WRITTEN_AGAINST}: re-check "
        "them against the new Application.save (and whether its collect_events is still "
        "slow enough to need skipping), re-measure the processor benchmark, then update "
        "WRITTEN_AGAINST"
    )


def test_save_in_order_makes_the_steps_of_the_library_save() -> None:
    steps = ("_record(", "_take_snapshots(", "_notify(", "self.notify(")
    source = inspect.getsource(Application.save)
    assert [step in source for step in steps] == [True] * len(steps), (
        "Application.save no longer makes the steps library_overrides.save_in_order copies"
    )


def test_a_saved_batch_is_recorded_in_the_order_accepted() -> None:
    app = JourneyApplication()
    batch = app.batch()
    first, second = child_registered(), child_registered(child_id="C2")
    referral = referral_received("2011-01-10")
    for event in (first, second, referral):
        batch.record(event)
    batch.save()
    notifications = app.recorder.select_notifications(None, 10)
    assert [app.mapper.to_domain_event(n).payload for n in notifications] == [
        first,
        second,
        referral,
    ]


def test_a_mismatch_between_pending_and_accepted_events_saves_nothing() -> None:
    app = JourneyApplication()
    journey = Journey.register_child(child_registered())
    with pytest.raises(ProgrammingError, match="1 pending events to save, but 0 were accepted"):
        library_overrides.save_in_order(app, [journey], [])
    assert app.recorder.select_notifications(None, 10) == []
