"""The DfE's validation rules for both returns, run in the validators' own environment.

Data to Insight's packages `csc-validator-be-903` and `csc-validator-be-cin` hold the
DfE's SSDA903 and CIN census validation rules as code. They pin `numpy<1.25` and
`pandas<2`, which have no wheels for Python 3.12 or newer, while the project supports
3.11 and later (and an analyst's pandas 2 would be held back): so they never run inside
the project's interpreter. `validator_runner.py` runs them in a Python that has them,
found in this order:

1. `JOURNEYS_VALIDATORS_PYTHON`, an interpreter that has both packages;
2. the running interpreter, if it has them;
3. a virtualenv of their own, created on first use (`scripts/bootstrap` makes it) under
   `~/.cache/care-journeys/`
   (with `uv` when it is on the path, else `python3.11 -m venv` and pip), named by the
   versions pinned here, so a new pin makes a new one.

The runner prints JSON; each finding comes back as a `Finding`: the rule's code and
message and the rows it flags (table, file, 0-based data row), never a child's id.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journeys.returns.exceptions import ValidatorRefused, ValidatorsUnavailable

VALIDATOR_PACKAGES = ("csc-validator-be-903==0.1.17", "csc-validator-be-cin==0.1.13")
# Their pins of numpy and pandas have wheels up to Python 3.11.
VALIDATOR_PYTHON = "3.11"
RUNNER = Path(__file__).with_name("validator_runner.py")


@dataclass(frozen=True, slots=True)
class FlaggedRow:
    """A row a rule flags: its table, the file it came from, its 0-based data row."""

    table: str
    file: str
    row: int
    column: str

    def where(self) -> str:
        """`file:line` for a row of a CSV file (its header is line 1), else table and row."""
        if self.row < 0:
            return "the return as a whole"
        if self.file.endswith(".csv"):
            return f"{self.file}:{self.row + 2} ({self.table})"
        column = f", {self.column}" if self.column else ""
        return f"{self.file}: {self.table} row {self.row + 1}{column}"


# What the validators' own messages say of a check that reads only the files given:
# it "may generate false positives" (a care leaver whose episodes predate last year).
_CAVEATS = ("may generate false positives", "may result in false positives")


@dataclass(frozen=True, slots=True)
class Finding:
    """A DfE rule that fired, and the rows it flags."""

    code: str
    message: str
    fields: tuple[str, ...]
    rows: tuple[FlaggedRow, ...]

    @property
    def caveated(self) -> bool:
        """Not an error: the rule's own message warns it may flag rows wrongly from the
        files alone, or it is one of the CIN census's queries (code ending Q: the DfE asks
        the authority to check, and to explain or amend)."""
        return self.code.endswith("Q") or any(caveat in self.message for caveat in _CAVEATS)


@dataclass(frozen=True, slots=True)
class Validation:
    """What the DfE's rules found in one return."""

    ruleset: str
    findings: tuple[Finding, ...]
    skipped: tuple[str, ...]
    failed: tuple[str, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings that are errors: all but those the rule itself says may be false."""
        return tuple(f for f in self.findings if not f.caveated)

    @property
    def passed(self) -> bool:
        """No error. A rule that could not run is reported, not counted: each one met so
        far fails on a column the packages' own table layouts lack (231: UASC_STATUS)."""
        return not self.errors


def validate_ssda903(
    directory: Path, year: int, authority: str, previous: Path | None = None
) -> Validation:
    """The SSDA903 rules of the collection year ending March `year` on DIR's CSV tables.

    `authority` is the authority's ONS code (E08000017); `previous` the year before's
    tables, which the rules comparing two years read.
    """
    return _run(
        {
            "return": "ssda903",
            "year": year,
            "directory": str(directory),
            "previous": str(previous) if previous else None,
            "authority": authority,
        }
    )


def validate_cin(file: Path, year: int) -> Validation:
    """The CIN census rules of the collection year ending March `year` on one XML file."""
    return _run({"return": "cin", "year": year, "file": str(file)})


def _run(request: dict[str, Any]) -> Validation:
    python = validator_python()
    completed = subprocess.run(
        [str(python), str(RUNNER), json.dumps(request)],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        answer = json.loads(completed.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise ValidatorsUnavailable(
            f"the DfE validators ({python}) failed: {completed.stderr.strip()[-2000:]}"
        ) from None
    if "error" in answer:
        raise ValidatorRefused(answer["error"])
    return Validation(
        ruleset=answer["ruleset"],
        findings=tuple(
            Finding(
                code=f["code"],
                message=f["message"],
                fields=tuple(f["fields"]),
                rows=tuple(FlaggedRow(**row) for row in f["rows"]),
            )
            for f in answer["findings"]
        ),
        skipped=tuple(answer["skipped"]),
        failed=tuple(answer["failed"]),
    )


def validator_python() -> Path:
    """An interpreter with both validator packages (see the module docstring)."""
    configured = os.environ.get("JOURNEYS_VALIDATORS_PYTHON", "").strip()
    if configured:
        return Path(configured)
    if all(importlib.util.find_spec(name) for name in ("lac_validator", "cin_validator")):
        return Path(sys.executable)
    return _own_environment()


def _own_environment() -> Path:
    pins = hashlib.sha256(" ".join(VALIDATOR_PACKAGES).encode()).hexdigest()[:12]
    home = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    venv = home / "care-journeys" / f"validators-{pins}"
    python = venv / "bin" / "python"
    if (venv / "ready").is_file():
        return python
    venv.parent.mkdir(parents=True, exist_ok=True)
    # One process installs; another (a second test worker, a second command) waits for it.
    with (venv.parent / f"{venv.name}.lock").open("a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        if not (venv / "ready").is_file():
            _install(venv, python)
    return python


def _install(venv: Path, python: Path) -> None:
    print(f"installing the DfE validators into {venv} (once)", file=sys.stderr)
    uv = shutil.which("uv")
    if uv:
        steps = [
            [uv, "venv", "--python", VALIDATOR_PYTHON, str(venv)],
            [uv, "pip", "install", "--python", str(python), *VALIDATOR_PACKAGES],
        ]
    else:
        base = shutil.which(f"python{VALIDATOR_PYTHON}")
        if base is None:
            raise ValidatorsUnavailable(
                f"the DfE validators need Python {VALIDATOR_PYTHON} (their numpy and pandas "
                f"pins have no wheels for later versions): install python{VALIDATOR_PYTHON} "
                "or uv, or set JOURNEYS_VALIDATORS_PYTHON to an interpreter that has "
                + " and ".join(VALIDATOR_PACKAGES)
            )
        steps = [
            [base, "-m", "venv", str(venv)],
            [str(python), "-m", "pip", "install", "--quiet", *VALIDATOR_PACKAGES],
        ]
    for step in steps:
        completed = subprocess.run(step, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise ValidatorsUnavailable(
                f"installing the DfE validators failed ({' '.join(step)}): "
                f"{completed.stderr.strip()[-2000:]}"
            )
    (venv / "ready").write_text(" ".join(VALIDATOR_PACKAGES) + "\n", encoding="utf-8")
