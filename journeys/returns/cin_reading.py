"""Reading a CIN census XML file: each child, episode of need and what is under it,
every field checked; an element that cannot be read is reported with the file, the line,
the field and the rule, and is left out with what depends on it (a child's episodes, an
episode's assessments, enquiries and plans); everything else is kept.

Dates are yyyy-mm-dd and flags true/false (or 1/0), as the DfE's schema has them; codes
are read whatever their case. Elements the record does not hold (FormerUPN,
ExpectedPersonBirthDate, PersonDeathDate, AssessmentInternalReviewDate) are not read;
InitialCPCtarget, ICPCnotRequired and NumberOfPreviousCPP are checked but not kept: the
export derives them from the record (docs/returns.md).
"""

from __future__ import annotations

import xml.parsers.expat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from events import codes
from journeys.returns.ssda903_reading import RowError

T = TypeVar("T")
# What each field holds: "date", "flag", "number", "text", or the codes it may take.
Kind = str | frozenset[str]
_CHILD: dict[str, Kind] = {
    "LAchildID": "text",
    "UPN": "text",
    "UPNunknown": codes.UPN_UNKNOWN,
    "PersonBirthDate": "date",
    "Sex": codes.SEX,
    "GenderCurrent": frozenset({"0", "1", "2", "9"}),
}
_CHARACTERISTICS: dict[str, Kind] = {"Ethnicity": codes.ETHNICITY}
_EPISODE: dict[str, Kind] = {
    "CINreferralDate": "date",
    "ReferralSource": codes.REFERRAL_SOURCE,
    "PrimaryNeedCode": codes.PRIMARY_NEED,
    "CINclosureDate": "date",
    "ReasonForClosure": codes.REASON_FOR_CLOSURE,
    "DateOfInitialCPC": "date",
    "ReferralNFA": "flag",
}
_ASSESSMENT: dict[str, Kind] = {
    "AssessmentActualStartDate": "date",
    "AssessmentAuthorisationDate": "date",
}
_CIN_PLAN: dict[str, Kind] = {"CINPlanStartDate": "date", "CINPlanEndDate": "date"}
_ENQUIRY: dict[str, Kind] = {
    "S47ActualStartDate": "date",
    "InitialCPCtarget": "date",
    "DateOfInitialCPC": "date",
    "ICPCnotRequired": "flag",
}
_PLAN: dict[str, Kind] = {
    "CPPstartDate": "date",
    "CPPendDate": "date",
    "InitialCategoryOfAbuse": codes.CP_CATEGORY,
    "LatestCategoryOfAbuse": codes.CP_CATEGORY,
    "NumberOfPreviousCPP": "number",
}
_FLAGS = {"true": True, "1": True, "false": False, "0": False}


@dataclass
class Node:
    """An XML element as read: its tag, the line it starts on, its text and children."""

    tag: str
    line: int
    text: str = ""
    children: list[Node] = field(default_factory=list)

    def all(self, tag: str) -> Iterator[Node]:
        return (child for child in self.children if child.tag == tag)

    def first(self, tag: str) -> Node | None:
        return next(self.all(tag), None)


@dataclass(frozen=True)
class Assessment:
    where: str
    started: date
    authorised: date | None
    factors: tuple[str, ...]


@dataclass(frozen=True)
class ChildInNeedPlan:
    where: str
    started: date
    ended: date | None


@dataclass(frozen=True)
class Enquiry:
    where: str
    started: date
    conference: date | None


@dataclass(frozen=True)
class ProtectionPlan:
    where: str
    started: date
    ended: date | None
    category: str
    reviews: tuple[tuple[str, date], ...]  # (where, the review's date)


@dataclass
class Episode:
    """A CINdetails element: a referral, its closure and what happened under it."""

    where: str
    referred: date
    source: str
    primary_need: str | None
    closed: date | None
    closure_reason: str | None
    conference: tuple[str, date] | None  # DateOfInitialCPC here (where, day), rule 2884
    no_further_action: bool | None
    assessments: list[Assessment] = field(default_factory=list)
    cin_plans: list[ChildInNeedPlan] = field(default_factory=list)
    enquiries: list[Enquiry] = field(default_factory=list)
    plans: list[ProtectionPlan] = field(default_factory=list)


@dataclass
class CensusChild:
    where: str
    child_id: str
    born: date
    sex: str
    ethnicity: str
    upn: str | None
    disabilities: tuple[str, ...]
    episodes: list[Episode] = field(default_factory=list)


@dataclass
class Census:
    """What a census file says: its year and authority (None when not read), its
    children, and what could not be read."""

    year: int | None = None
    local_authority: str | None = None
    children: list[CensusChild] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse(path: Path) -> Node:
    """The file's elements with their lines; raises ExpatError when it is not XML."""
    stack: list[Node] = [Node("", 0)]
    parser = xml.parsers.expat.ParserCreate()

    def start(tag: str, _attributes: Mapping[str, str]) -> None:
        node = Node(tag.rpartition(":")[2], parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        stack[-1].text += data

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    with path.open("rb") as file:
        parser.ParseFile(file)
    return stack[0]


def read_census(path: Path) -> Census:
    census = Census()
    name = path.name
    try:
        root = parse(path)
    except xml.parsers.expat.ExpatError as error:
        reason = xml.parsers.expat.ErrorString(error.code)
        census.errors.append(
            RowError(name, error.lineno, "<file>", "not_xml", f"not an XML file ({reason})")
        )
        return census
    message = root.first("Message")
    if message is None:
        census.errors.append(
            RowError(name, 1, "Message", "not_a_census", "no Message element: not a CIN census")
        )
        return census
    _read_header(name, message, census)
    children = message.first("Children")
    for node in children.all("Child") if children is not None else ():
        child = _child(name, node, census.errors)
        if child is not None:
            census.children.append(child)
    return census


def _read_header(file: str, message: Node, census: Census) -> None:
    header = message.first("Header")
    details = header.first("CollectionDetails") if header else None
    source = header.first("Source") if header else None
    year = details.first("Year") if details else None
    lea = source.first("LEA") if source else None
    if year is None or not year.text.strip().isdigit():
        line = year.line if year else message.line
        census.errors.append(
            RowError(file, line, "Year", "required", "the header has no collection Year")
        )
    else:
        census.year = int(year.text.strip())
    if lea is None or not lea.text.strip():
        line = source.line if source else message.line
        census.errors.append(RowError(file, line, "LEA", "required", "the header has no LEA"))
    else:
        census.local_authority = lea.text.strip()


class _Fields:
    """The checked values of one element's fields, and the errors found reading them."""

    def __init__(self, file: str, node: Node, kinds: Mapping[str, Kind], errors: list[RowError]):
        self.file, self.node, self.errors = file, node, errors
        self.count = len(errors)
        self.values: dict[str, object] = {}
        for tag, kind in kinds.items():
            found = node.first(tag)
            if found is not None and found.text.strip():
                self.values[tag] = self._value(found, kind)

    @property
    def ok(self) -> bool:
        return len(self.errors) == self.count

    def where(self) -> str:
        return f"{self.file}:{self.node.line}"

    def fail(self, line: int, tag: str, rule: str, message: str) -> None:
        self.errors.append(RowError(self.file, line, tag, rule, message))

    def require(self, *tags: str) -> None:
        for tag in tags:
            if tag not in self.values and self.node.first(tag) is None:
                self.fail(self.node.line, tag, "required", f"the {self.node.tag} has no {tag}")
            elif tag not in self.values and self.ok_so_far(tag):
                self.fail(
                    self.node.first(tag).line,  # type: ignore[union-attr]
                    tag,
                    "required",
                    f"the {self.node.tag}'s {tag} is empty",
                )

    def ok_so_far(self, tag: str) -> bool:
        return not any(e.field == tag for e in self.errors[self.count :])

    def day(self, tag: str) -> date | None:
        value = self.values.get(tag)
        return value if isinstance(value, date) else None

    def text(self, tag: str) -> str | None:
        value = self.values.get(tag)
        return value if isinstance(value, str) else None

    def not_before(self, later: str, earlier: str) -> None:
        end, start = self.day(later), self.day(earlier)
        if end is not None and start is not None and end < start:
            node = self.node.first(later)
            assert node is not None
            self.fail(node.line, later, "ends_before_start", f"{later} is before {earlier}")

    def _value(self, node: Node, kind: Kind) -> object:
        text = node.text.strip()
        if kind == "date":
            try:
                if len(text) != 10:
                    raise ValueError(text)
                return date.fromisoformat(text)
            except ValueError:
                self.fail(node.line, node.tag, "date_format", f"{text!r} is not a date yyyy-mm-dd")
        elif kind == "flag":
            if text.lower() in _FLAGS:
                return _FLAGS[text.lower()]
            self.fail(node.line, node.tag, "flag_format", f"{text!r} is not true or false")
        elif kind == "number":
            if text.isdigit():
                return int(text)
            self.fail(node.line, node.tag, "number_format", f"{text!r} is not a whole number")
        elif isinstance(kind, frozenset):
            if text.upper() in kind:
                return text.upper()
            self.fail(node.line, node.tag, "unknown_code", f"{text!r} is not a {node.tag} code")
        else:
            return text
        return None


def _codes(
    file: str, parent: Node | None, tag: str, allowed: frozenset[str], errors: list[RowError]
) -> tuple[str, ...] | None:
    """The codes of `parent`'s `tag` elements; None when one is not a code."""
    found: list[str] = []
    for node in parent.all(tag) if parent is not None else ():
        code = node.text.strip().upper()
        if code not in allowed:
            errors.append(
                RowError(file, node.line, tag, "unknown_code", f"{code!r} is not a {tag} code")
            )
            return None
        found.append(code)
    return tuple(found)


def _child(file: str, node: Node, errors: list[RowError]) -> CensusChild | None:
    identifiers = node.first("ChildIdentifiers") or Node("ChildIdentifiers", node.line)
    characteristics = node.first("ChildCharacteristics") or Node("ChildCharacteristics", node.line)
    ids = _Fields(file, identifiers, _CHILD, errors)
    ids.require("LAchildID", "PersonBirthDate")
    if "Sex" not in ids.values and "GenderCurrent" not in ids.values and ids.ok:
        ids.fail(identifiers.line, "Sex", "required", "the child has no Sex (or GenderCurrent)")
    traits = _Fields(file, characteristics, _CHARACTERISTICS, errors)
    traits.require("Ethnicity")
    disabilities = _codes(
        file, characteristics.first("Disabilities"), "Disability", codes.DISABILITY, errors
    )
    if not (ids.ok and traits.ok) or disabilities is None:
        return None
    sex = ids.text("Sex") or {"1": "M", "2": "F"}.get(str(ids.text("GenderCurrent")), "U")
    child = CensusChild(
        where=f"{file}:{node.line}",
        child_id=str(ids.text("LAchildID")),
        born=ids.day("PersonBirthDate"),  # type: ignore[arg-type]
        sex=sex,
        ethnicity=str(traits.text("Ethnicity")),
        upn=ids.text("UPN") or ids.text("UPNunknown"),
        # NONE says no disability: the record holds that as none recorded.
        disabilities=tuple(code for code in disabilities if code != "NONE"),
    )
    child.episodes = _each(file, node, "CINdetails", _episode, errors)
    return child


def _each(
    file: str,
    node: Node,
    tag: str,
    read: Callable[[str, Node, list[RowError]], T | None],
    errors: list[RowError],
) -> list[T]:
    """Each of `node`'s `tag` elements that can be read."""
    found = (read(file, item, errors) for item in node.all(tag))
    return [item for item in found if item is not None]


def _episode(file: str, node: Node, errors: list[RowError]) -> Episode | None:
    values = _Fields(file, node, _EPISODE, errors)
    values.require("CINreferralDate", "ReferralSource")
    if values.day("CINclosureDate") is not None:
        values.require("ReasonForClosure")
    values.not_before("CINclosureDate", "CINreferralDate")
    if not values.ok:
        return None
    conference = values.day("DateOfInitialCPC")
    conference_node = node.first("DateOfInitialCPC")
    flag = values.values.get("ReferralNFA")
    episode = Episode(
        where=values.where(),
        referred=values.day("CINreferralDate"),  # type: ignore[arg-type]
        source=str(values.text("ReferralSource")),
        primary_need=values.text("PrimaryNeedCode"),
        closed=values.day("CINclosureDate"),
        closure_reason=values.text("ReasonForClosure"),
        conference=(
            (f"{file}:{conference_node.line}", conference)
            if conference is not None and conference_node is not None
            else None
        ),
        no_further_action=flag if isinstance(flag, bool) else None,
    )
    episode.assessments = _each(file, node, "Assessments", _assessment, errors)
    episode.cin_plans = _each(file, node, "CINPlanDates", _cin_plan, errors)
    episode.enquiries = _each(file, node, "Section47", _enquiry, errors)
    episode.plans = _each(file, node, "ChildProtectionPlans", _protection_plan, errors)
    return episode


def _cin_plan(file: str, node: Node, errors: list[RowError]) -> ChildInNeedPlan | None:
    plan = _Fields(file, node, _CIN_PLAN, errors)
    plan.require("CINPlanStartDate")
    plan.not_before("CINPlanEndDate", "CINPlanStartDate")
    if not plan.ok:
        return None
    started = plan.day("CINPlanStartDate")
    assert started is not None  # required
    return ChildInNeedPlan(plan.where(), started, plan.day("CINPlanEndDate"))


def _enquiry(file: str, node: Node, errors: list[RowError]) -> Enquiry | None:
    enquiry = _Fields(file, node, _ENQUIRY, errors)
    enquiry.require("S47ActualStartDate")
    enquiry.not_before("DateOfInitialCPC", "S47ActualStartDate")
    if not enquiry.ok:
        return None
    started = enquiry.day("S47ActualStartDate")
    assert started is not None  # required
    return Enquiry(enquiry.where(), started, enquiry.day("DateOfInitialCPC"))


def _assessment(file: str, node: Node, errors: list[RowError]) -> Assessment | None:
    values = _Fields(file, node, _ASSESSMENT, errors)
    values.require("AssessmentActualStartDate")
    values.not_before("AssessmentAuthorisationDate", "AssessmentActualStartDate")
    factors = _codes(
        file,
        node.first("FactorsIdentifiedAtAssessment"),
        "AssessmentFactors",
        codes.ASSESSMENT_FACTORS,
        errors,
    )
    if not values.ok or factors is None:
        return None
    return Assessment(
        values.where(),
        values.day("AssessmentActualStartDate"),  # type: ignore[arg-type]
        values.day("AssessmentAuthorisationDate"),
        factors,
    )


def _protection_plan(file: str, node: Node, errors: list[RowError]) -> ProtectionPlan | None:
    values = _Fields(file, node, _PLAN, errors)
    values.require("CPPstartDate", "InitialCategoryOfAbuse")
    values.not_before("CPPendDate", "CPPstartDate")
    reviews: list[tuple[str, date]] = []
    for held in node.all("Reviews"):
        review = _Fields(file, held, {"CPPreviewDate": "date"}, errors)
        review.require("CPPreviewDate")
        if review.ok:
            reviews.append((review.where(), review.day("CPPreviewDate")))  # type: ignore[arg-type]
    if not values.ok:
        return None
    return ProtectionPlan(
        values.where(),
        values.day("CPPstartDate"),  # type: ignore[arg-type]
        values.day("CPPendDate"),
        str(values.text("InitialCategoryOfAbuse")),
        tuple(reviews),
    )
