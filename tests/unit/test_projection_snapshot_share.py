"""The snapshot's copies take a bounded share of the runner's time (issue 12, item 2).

Each publish copies the whole database file, so at national scale a copy every second
would leave the runner no time to project; publishes are spaced so that copying takes at
most `RunnerOptions.snapshot_share` of its time.
"""

from __future__ import annotations

import pytest

from projections.runner import RunnerOptions
from projections.snapshot import publish_spacing


def test_a_copy_of_a_second_at_a_quarter_share_starts_publishes_four_seconds_apart() -> None:
    assert publish_spacing(1.0, 0.25) == pytest.approx(4.0)
    # Copying takes 1 s of every 4: the share.
    assert 1.0 / publish_spacing(1.0, 0.25) == pytest.approx(0.25)


def test_a_cheap_copy_spaces_publishes_next_to_nothing_and_a_whole_share_by_the_copy() -> None:
    assert publish_spacing(0.01, 0.25) == pytest.approx(0.04)
    assert publish_spacing(2.0, 1.0) == 2.0


@pytest.mark.parametrize("share", [0.0, -0.5, 1.5])
def test_a_share_outside_0_to_1_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="share of the writer's time"):
        publish_spacing(1.0, share)


def test_the_runner_spends_at_most_a_quarter_of_its_time_copying_by_default() -> None:
    assert RunnerOptions().snapshot_share == 0.25
