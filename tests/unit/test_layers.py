"""The layers hold: no package imports a package that imports it back, and the domain
imports no infrastructure.

Read from the source (every `import` and `from ... import`, in functions and under
TYPE_CHECKING too), at two grains: the top-level packages (`events`, `journeys`,
`projections`) and every package inside them. docs/architecture.md draws the layers.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("events", "journeys", "projections")

# What the domain may import besides the standard library: the contract, and the parts of
# eventsourcing that model an aggregate (not its persistence or application).
DOMAIN = "journeys.domain"
DOMAIN_MAY_IMPORT = ("events.catalogue", "events.codes", "events.refusals", "events.exceptions")
DOMAIN_MAY_IMPORT_LIBRARIES = ("eventsourcing.domain", "eventsourcing.utils")


def modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield ".".join(path.relative_to(ROOT).with_suffix("").parts), path


def imported_names(path: Path) -> Iterator[str]:
    """Each module (or module.name, for `from module import name`) the file imports."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import (the tree uses absolute ones)"
            if node.module is not None:
                yield from (f"{node.module}.{alias.name}" for alias in node.names)


def package_of(dotted: str) -> str | None:
    """The innermost package (a directory of the tree) that `dotted` names or lies in."""
    parts = dotted.split(".")
    if parts[0] not in PACKAGES:
        return None
    for length in range(len(parts), 0, -1):
        if (ROOT.joinpath(*parts[:length]) / "__init__.py").is_file():
            return ".".join(parts[:length])
    return None


def dependencies(grain: str) -> dict[str, set[str]]:
    """Package -> the packages it imports, at the `top` grain or the `package` grain."""
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in modules():
        here = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
        for name in imported_names(path):
            there = package_of(name)
            if there is None:
                continue
            if grain == "top":
                here_top, there_top = here.split(".")[0], there.split(".")[0]
                if here_top != there_top:
                    graph[here_top].add(there_top)
            elif there != here:
                graph[here].add(there)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one package (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("grain", ["top", "package"])
def test_no_package_imports_a_package_that_imports_it_back(grain: str) -> None:
    graph = dependencies(grain)
    assert graph, "no imports found: the test reads nothing"
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    # So the test above can fail: a made-up graph with one cycle of three and a tail.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert cycles(graph) == [["a", "b", "c"]]


def test_the_domain_imports_no_infrastructure() -> None:
    allowed_libraries = set(sys.stdlib_module_names) | {"eventsourcing"}
    offences = []
    for module, path in modules():
        if not module.startswith(DOMAIN):
            continue
        for name in imported_names(path):
            top = name.split(".")[0]
            if top in PACKAGES:
                if not (
                    name.startswith(DOMAIN)
                    or any(name.startswith(allowed) for allowed in DOMAIN_MAY_IMPORT)
                ):
                    offences.append(f"{module} imports {name}")
            elif top == "eventsourcing":
                if not name.startswith(DOMAIN_MAY_IMPORT_LIBRARIES):
                    offences.append(f"{module} imports {name}")
            elif top not in allowed_libraries and top != "__future__":
                offences.append(f"{module} imports {name}")
    assert offences == []


def test_the_projections_and_the_event_record_never_import_the_journey_service() -> None:
    # The read side and the shared record layer stand below the journey service.
    graph = dependencies("top")
    assert "journeys" not in graph.get("projections", set())
    assert "journeys" not in graph.get("events", set())
