"""The catalogue of refusal codes (events/refusals.py) and the code that refuses agree.

Both ways: every code the tree can raise is a member of the catalogue (the source is
scanned: a refusal's code is never a string literal or an f-string, and no code is spelled
outside the catalogue), and every member can be raised (the scan finds it where a refusal
is made, or a case below provokes it; every code of the journey is provoked). `journeys
rules` prints the catalogue, and docs/contract.md holds what it prints.
"""

from __future__ import annotations

import ast
import csv
import functools
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from journey_builders import (
    a_journey_with_a_retraction,
    child_registered,
    journey_of,
    period_started,
    placement_started,
    referral_received,
    retraction,
)
from test_rules import CASES, a_boy_recorded_as_a_mother

from events.catalogue import EVENT_CLASSES
from events.exceptions import InvalidEvent
from events.refusals import FROM_THE_RULES, Refusal, Stage
from events.validation import RULES as CONTRACT_RULES
from journeys.application.service import JourneyApplication
from journeys.domain.exceptions import RuleViolation
from journeys.domain.journey import Journey
from journeys.domain.rules import RULES, event_types_concerned
from journeys.entrypoints.cli import main
from journeys.entrypoints.cli.commands.rules import catalogue, render_markdown

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("events", "journeys", "projections")
CATALOGUE = ROOT / "events" / "refusals.py"

# Every class whose construction refuses (or, ValueRule, declares a rule of the contract
# that events.validation refuses with), and where its code argument is: (position, keyword).
REFUSERS: dict[str, tuple[int, str]] = {
    "InvalidEvent": (2, "rule"),
    "ValueRule": (0, "refusal"),
    "_BadValue": (0, "rule"),
    "RuleViolation": (0, "rule_code"),
    "Breach": (0, "rule_code"),
    "Rejection": (3, "rule_code"),
}


# --- The scan of the source ---------------------------------------------------------------


@dataclass(frozen=True)
class CodeArgument:
    where: str  # path:line
    refuser: str  # the class refusing
    node: ast.expr


@functools.cache
def _sources() -> tuple[tuple[str, ast.Module], ...]:
    return tuple(
        (str(path.relative_to(ROOT)), ast.parse(path.read_text(), str(path)))
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    )


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


@functools.cache
def _code_arguments() -> tuple[CodeArgument, ...]:
    found = []
    for where, module in _sources():
        for node in ast.walk(module):
            if not isinstance(node, ast.Call) or _called_name(node) not in REFUSERS:
                continue
            refuser = _called_name(node) or ""
            position, keyword = REFUSERS[refuser]
            argument = next((k.value for k in node.keywords if k.arg == keyword), None)
            if argument is None and len(node.args) > position:
                argument = node.args[position]
            if argument is not None:
                found.append(CodeArgument(f"{where}:{node.lineno}", refuser, argument))
    return tuple(found)


def _members_named(node: ast.AST) -> set[str]:
    """The names X of every `Refusal.X` within `node`."""
    return {
        n.attr
        for n in ast.walk(node)
        if isinstance(n, ast.Attribute)
        and isinstance(n.value, ast.Name)
        and n.value.id == "Refusal"
    }


@functools.cache
def _raised_where_refused() -> frozenset[Refusal]:
    return frozenset(
        Refusal[name] for arg in _code_arguments() for name in _members_named(arg.node)
    )


def test_the_scan_sees_every_kind_of_refusal() -> None:
    # Guards the scan itself: were a class renamed, it would find nothing and pass.
    seen = {arg.refuser for arg in _code_arguments()}
    assert seen == set(REFUSERS)
    assert len(_code_arguments()) > len(Refusal) // 2


def test_no_refusal_code_is_a_string_literal_or_an_f_string() -> None:
    spelled = [
        f"{arg.where}: {ast.unparse(arg.node)}"
        for arg in _code_arguments()
        if any(
            isinstance(n, ast.JoinedStr)
            or (isinstance(n, ast.Constant) and isinstance(n.value, str))
            for n in ast.walk(arg.node)
        )
    ]
    assert not spelled, "refuse with a member of events.refusals.Refusal:\n" + "\n".join(spelled)


def test_no_code_is_spelled_outside_the_catalogue() -> None:
    # A code kept in a variable (`code = "..."`) escapes the scan of the refusals: no
    # string of the tree may be a code at all, so each is found by searching for it.
    codes = {str(code) for code in Refusal}
    spelled = [
        f"{where}:{node.lineno}: {node.value!r}"
        for where, module in _sources()
        if where != str(CATALOGUE.relative_to(ROOT))
        for node in ast.walk(module)
        if isinstance(node, ast.Constant) and node.value in codes
    ]
    assert not spelled, "name the member of events.refusals.Refusal:\n" + "\n".join(spelled)


def test_every_member_the_tree_names_is_in_the_catalogue() -> None:
    named = set().union(*(_members_named(module) for _, module in _sources()))
    assert named <= set(Refusal.__members__)


# --- Provoking each code -------------------------------------------------------------------


def _noon(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(12), tzinfo=UTC)


def _refusal_of(act: Callable[[], object]) -> Refusal:
    try:
        act()
    except RuleViolation as violation:
        return violation.rule_code
    except InvalidEvent as invalid:
        return invalid.rule
    raise AssertionError("nothing was refused")


def _retract(what: str) -> Callable[[], object]:
    def act() -> object:
        journey, targets = a_journey_with_a_retraction()
        return journey.record(retraction("2011-03-01", targets[what]))

    return act


def _retract_the_period_of_a_placement() -> object:
    period = period_started("2012-03-01")
    journey = journey_of(child_registered(), period, placement_started("2012-03-01"))
    return journey.record(retraction("2012-07-01", period))


def _reuse_the_registration_id() -> object:
    registration = child_registered()
    journey = journey_of(registration)
    return journey.record(referral_received("2011-01-10", event_id=registration.event_id))


def _unregistered() -> object:
    app = JourneyApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return app.record(referral_received("2011-01-10"))


# The journey's codes that no case of test_rules.CASES provokes.
JOURNEY_CASES: dict[Refusal, Callable[[], object]] = {
    Refusal.DATE_OF_BIRTH_IN_FUTURE: lambda: Journey.register_child(
        child_registered("2010-01-02", date_of_birth="2010-01-02", recorded_at=_noon("2010-01-01"))
    ),
    Refusal.CHILD_ALREADY_REGISTERED: lambda: journey_of(child_registered()).record(
        child_registered("2011-01-01")
    ),
    Refusal.WRONG_JOURNEY: lambda: journey_of(child_registered()).record(
        referral_received("2011-01-01", child_id="C2")
    ),
    Refusal.EVENT_ID_REUSED: lambda: _reuse_the_registration_id(),
    Refusal.UNKNOWN_EVENT: _retract("never recorded"),
    Refusal.ALREADY_RETRACTED: _retract("already retracted"),
    Refusal.NOT_RETRACTABLE: _retract("a retraction"),
    Refusal.REGISTRATION_NOT_RETRACTABLE: _retract("the registration"),
    Refusal.RETRACTION_LEAVES_DEPENDANTS: _retract_the_period_of_a_placement,
    Refusal.CHILD_NOT_REGISTERED: _unregistered,
    Refusal.MOTHER_NOT_FEMALE: a_boy_recorded_as_a_mother,
}


def _rule_case(code: Refusal) -> Callable[[], object] | None:
    case = next((c for c in CASES.values() if c.refused_with == code), None)
    if case is None:
        return None
    return lambda: journey_of(child_registered(), *case.background).record(case.candidate)


def _provocation(code: Refusal) -> Callable[[], object] | None:
    return JOURNEY_CASES.get(code) or _rule_case(code)


JOURNEY_CODES = [code for code in Refusal if code.stage is Stage.JUDGING]


@pytest.mark.parametrize("code", JOURNEY_CODES, ids=str)
def test_every_code_of_the_journey_is_provoked(code: Refusal) -> None:
    provoke = _provocation(code)
    assert provoke is not None, f"no case provokes {code}: add one to test_rules.CASES"
    refused_with = _refusal_of(provoke)
    assert refused_with is code  # the member itself, not a string equal to it


@pytest.mark.parametrize("code", list(Refusal), ids=str)
def test_every_code_in_the_catalogue_can_be_raised(code: Refusal) -> None:
    assert code in _raised_where_refused() or _provocation(code) is not None, (
        f"{code} is neither named where a refusal is made nor provoked by a case"
    )


def test_each_rule_yields_only_the_codes_it_declares() -> None:
    # The event types a code concerns come from the rule's declaration: a rule yielding
    # a code it does not declare would leave `journeys rules` wrong.
    for name, case in CASES.items():
        if case.refused_with is None:
            continue
        journey = journey_of(child_registered(), *case.background)
        with_candidate = journey.chronology().adding(case.candidate)
        for registered in RULES:
            for breach in registered.check(with_candidate):
                assert breach.rule_code in registered.refuses, (name, registered.check.__name__)
                concerned = registered.refuses[breach.rule_code]
                assert case.candidate.event_type in concerned, (name, breach.rule_code)


# --- The catalogue itself ------------------------------------------------------------------


def test_each_code_is_named_after_itself_in_one_of_two_styles() -> None:
    for code in Refusal:
        assert code.name == code.value.upper()
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*|[A-Z0-9]+(_[A-Z0-9]+)*", code.value), code
        assert code.meaning and "\n" not in code.meaning, code


def test_the_rules_of_practice_take_their_event_types_from_the_registry() -> None:
    declared = set().union(*(r.refuses for r in RULES))
    assert {c for c in Refusal if c.concerns is FROM_THE_RULES} == declared
    for code in Refusal:
        assert event_types_concerned(code), code


def test_free_text_codes_concern_the_event_types_with_free_text() -> None:
    with_text = {rules.event_type for rules in CONTRACT_RULES.values() if rules.texts}
    assert set(Refusal.TEXT_TOO_LONG.concerns or ()) == with_text
    assert set(Refusal.TEXT_NOT_PRINTABLE.concerns or ()) == with_text
    assert {cls.event_type for cls in EVENT_CLASSES} >= with_text


# --- journeys rules and the docs -------------------------------------------------------------


def test_journeys_rules_lists_every_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[2:]] == [str(code) for code in Refusal]


def test_journeys_rules_as_csv_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert main(["rules", "--format", "json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [row["code"] for row in rows] == [entry["code"] for entry in entries]
    assert [entry["code"] for entry in entries] == [str(code) for code in Refusal]
    placement = next(e for e in entries if e["code"] == "PLACEMENT_ALREADY_OPEN")
    assert placement["stage"] == "judging"
    assert placement["event_types"] == ["PlacementStarted", "PlacementEnded", "PeriodOfCareEnded"]
    assert placement["meaning"] == Refusal.PLACEMENT_ALREADY_OPEN.meaning
    row = next(r for r in rows if r["code"] == "UNKNOWN_PERIOD")
    assert row["event types"].split() == list(event_types_concerned(Refusal.UNKNOWN_PERIOD))


def test_the_contract_page_lists_the_catalogue() -> None:
    page = (ROOT / "docs" / "contract.md").read_text()
    begin = page.index("<!-- refusal codes: begin")
    generated = page[page.index("\n", begin) + 1 : page.index("<!-- refusal codes: end -->")]
    assert generated.rstrip("\n") == render_markdown(catalogue()), (
        "docs/contract.md is out of date: paste the output of `journeys rules --format markdown`"
    )


def test_the_codes_the_contract_page_names_elsewhere_are_in_the_catalogue() -> None:
    page = (ROOT / "docs" / "contract.md").read_text()
    bounds = page[page.index("## Value bounds") : page.index("## Refusal codes")]
    named = set(re.findall(r"`([a-z]+(?:_[a-z]+)+)`", bounds.split("Why these bounds")[0]))
    values = {str(code) for code in Refusal}
    assert named and {n for n in named if n not in values} <= {
        "occurred_on",
        "date_of_birth",
        "recorded_at",
        "child_id",
        "source_system",
        "referral_id",
        "carer_id",
        "local_authority",
    }
