"""`journeys due`: what falls due for a team or a worker on a day, worked out by hand.

On Monday 20 March 2023, with the default window of 14 days (to 3 April), team T9's
children (bank holidays of the windows: none before Good Friday, 7 April):
- E: referral Monday 23 January, assessment not completed: 45 working days (24-27
  January days 1-4, then five a week) end on Monday 27 March: 7 days left. A strategy
  discussion and an enquiry on Friday 10 March, no conference yet: 15 working days end on
  Friday 31 March: 11 days left.
- F: looked after from Monday 13 March 2023, born 20 June 2007: 15 years 9 months on 20
  March, no personal adviser: due today, 0 days left. Placed on the 13th and visited on
  the 14th: the next visit is due six weeks later, 25 April (not listed); the first review
  is due 20 working days after the 13th, 12 April (Good Friday and Easter Monday between):
  23 days, outside the window.
- G (worker w92): a CP plan from Wednesday 1 March: its first visit was due 10 working
  days later, Wednesday 15 March, and none is made: 5 days overdue. Its first review
  conference is due 1 June (not listed).
- H: an assessment overdue since February, but transferred to team T8 on 1 March: it is
  T8's, not T9's.
"""

from __future__ import annotations

import json
from datetime import date as d
from pathlib import Path

from cli_runs import run_journeys
from journey_builders import Child
from test_projection_builders import project

from events.catalogue import AssessmentStarted
from events.settings import Settings
from projections.database import writer_session
from projections.due import Holder, due_items
from projections.load import append, batch_of

ON = d(2023, 3, 20)


def team_t9() -> list[Child]:
    e = Child("E", born=d(2012, 5, 5))
    e.allocate("al1", d(2023, 1, 23), worker="w91", team="T9", locality="L9")
    e.referral("r", d(2023, 1, 23))
    e.add(AssessmentStarted, d(2023, 1, 25), assessment_id="a1", referral_id="r")
    e.strategy_discussion("sd1", d(2023, 3, 10))
    e.enquiry("e1", d(2023, 3, 10))

    f = Child("F", born=d(2007, 6, 20))
    f.allocate("al1", d(2023, 3, 13), worker="w91", team="T9", locality="L9")
    f.period("pc1", d(2023, 3, 13))
    f.placement("p1", "pc1", d(2023, 3, 13), carer="K1")
    f.visit(d(2023, 3, 14), "LAC")

    g = Child("G", born=d(2019, 2, 2))
    g.allocate("al1", d(2023, 2, 20), worker="w92", team="T9", locality="L9")
    g.referral("r", d(2023, 2, 20))
    g.enquiry("e1", d(2023, 2, 21))
    g.conference("e1", d(2023, 3, 1))
    g.cp_plan("cp1", d(2023, 3, 1))

    h = Child("H", born=d(2013, 3, 3))
    h.allocate("al1", d(2022, 11, 1), worker="w91", team="T9", locality="L9")
    h.transfer("al1", "al2", d(2023, 3, 1), worker="w81", team="T8", locality="L8")
    h.referral("r", d(2022, 11, 1))
    h.add(AssessmentStarted, d(2022, 11, 2), assessment_id="a1", referral_id="r")
    return [e, f, g, h]


# (child, duty, due on, days left): worked out in the module docstring.
T9_DUE = [
    ("G", "CP visit", d(2023, 3, 15), -5),
    ("F", "personal adviser", d(2023, 3, 20), 0),
    ("E", "assessment", d(2023, 3, 27), 7),
    ("E", "initial conference", d(2023, 3, 31), 11),
]


def listed(table: object) -> list[tuple]:
    return [
        (row["child_id"], row["duty"], row["due_on"], row["days_left"])
        for row in table.to_pylist()  # type: ignore[attr-defined]
    ]


def test_the_due_list_of_a_team_a_worker_and_a_wider_window() -> None:
    connection = project(*team_t9())
    assert listed(due_items(connection, Holder(team="T9"), ON)) == T9_DUE
    assert listed(due_items(connection, Holder(worker="w92"), ON)) == T9_DUE[:1]
    # H's assessment, 45 working days from 1 November 2022: 2 November is day 1, 26
    # and 27 December and 2 January are holidays: day 45 is Friday 6 January.
    assert listed(due_items(connection, Holder(team="T8"), ON)) == [
        ("H", "assessment", d(2023, 1, 6), -73)
    ]
    # A window of 25 days (to 14 April) takes in F's first review, due 12 April.
    wider = listed(due_items(connection, Holder(team="T9", locality="L9"), ON, 25))
    assert wider == [*T9_DUE, ("F", "looked-after review", d(2023, 4, 12), 23)]
    # A day earlier with a window of 0 days: only what is overdue or due that day. G's
    # visit is 4 days overdue; F's adviser is due tomorrow, E's steps later.
    assert listed(due_items(connection, Holder(team="T9"), d(2023, 3, 19), 0)) == [
        ("G", "CP visit", d(2023, 3, 15), -4)
    ]


def test_journeys_due_prints_the_list_from_the_snapshot(tmp_path: Path) -> None:
    database = tmp_path / "journeys.duckdb"
    with writer_session(database) as (connection, snapshots):
        events = [event for child in team_t9() for event in child.events]
        append(connection, "care.journey.events", batch_of(events))
        snapshots.publish()
    settings = Settings(bootstrap_servers="localhost:1", database=database, state_dir=tmp_path)
    done = run_journeys(settings, "due", "--team", "T9", "--on", ON.isoformat(), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert [
        (row["child_id"], row["duty"], row["due_on"], row["days_left"])
        for row in json.loads(done.stdout)
    ] == [(child, duty, due.isoformat(), left) for child, duty, due, left in T9_DUE]
    refused = run_journeys(settings, "due", "--on", ON.isoformat())
    assert refused.returncode == 2
    assert "name a --team, a --worker or a --locality" in refused.stderr
