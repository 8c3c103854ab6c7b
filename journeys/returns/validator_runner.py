"""Run the DfE's validation rules (Data to Insight's packages) on one return; print JSON.

This file is a script for the validators' own Python environment (see
`journeys.returns.validators`): it imports only the standard library, pandas and the two
validator packages, never the project, so it runs wherever those are installed.

    python validator_runner.py '{"return": "ssda903", "year": 2024, ...}'

prints one JSON object: `{"ruleset": ..., "findings": [...], "skipped": [...],
"failed": [...]}`, each finding `{"code", "message", "fields", "rows": [{"table",
"file", "row", "column"}]}` (row: the 0-based data row of the table; no child's identifier is
printed). A request it cannot run (a table it cannot recognise, no ruleset for the year)
prints `{"error": "..."}` and exits 1.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import logging
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any


def main(request: dict[str, Any]) -> dict[str, Any]:
    if request["return"] == "ssda903":
        return _ssda903(request)
    return _cin(request)


def _ruleset(package: str, prefix: str, year: int) -> Any:
    name = f"{prefix}{year - 1}_{year % 100:02d}"
    try:
        return name, importlib.import_module(f"{package}.rules.{name}").registry
    except ModuleNotFoundError:
        rules = importlib.import_module(f"{package}.rules")
        known = sorted(
            p.name for p in Path(next(iter(rules.__path__))).iterdir() if p.name.startswith(prefix)
        )
        raise LookupError(
            f"no DfE rules for the collection year ending March {year} in {package} "
            f"(it has {', '.join(known)})"
        ) from None


def _ssda903(request: dict[str, Any]) -> dict[str, Any]:
    from lac_validator.config import column_names
    from lac_validator.lac_validator import LacValidator
    from lac_validator.types import UploadedFile

    name, registry = _ruleset("lac_validator", "lac", request["year"])
    files: list[UploadedFile] = []
    file_of: dict[str, str] = {}
    for description, suffix, directory in (
        ("This year", "", request["directory"]),
        ("Prev year", "_last", request.get("previous")),
    ):
        if directory is None:
            continue
        for path in sorted(Path(directory).glob("*.csv")):
            content = path.read_bytes()
            table = _table_of(content, column_names)
            if table is None:
                raise LookupError(f"{path}: its header row is not that of any SSDA903 table")
            if suffix and table == "Header" and request["year"] >= SEX_AS_LETTERS_FROM:
                content = _sex_as_letters(content)
            file_of[table + suffix] = path.name
            files.append(
                UploadedFile(name=path.name, description=description, file_content=content)
            )
    metadata = {"collectionYear": str(request["year"]), "localAuthority": request["authority"]}
    validator = LacValidator(metadata=metadata, files=files, registry=registry)
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for table, frame in validator.ds_results.items():
        if table == "metadata":
            continue
        for column in (c for c in frame.columns if str(c).startswith("ERR_")):
            for row in frame.index[frame[column].fillna(False).astype(bool)]:
                rows[column[4:]].append(
                    {"table": table, "file": file_of.get(table, ""), "row": int(row), "column": ""}
                )
    findings = [
        {
            "code": str(rule.code),
            "message": rule.message,
            "fields": sorted(rule.affected_fields),
            "rows": rows[str(rule.code)],
        }
        for rule in registry.values()
        if rows.get(str(rule.code))
    ]
    return {
        "ruleset": name,
        "findings": findings,
        "skipped": sorted(map(str, validator.skips)),
        "failed": sorted(map(str, validator.fails)),
    }


# From 2024-25 SSDA903 records sex as M, F or U, before as 1 (male) or 2 (female). Rule
# 202 compares this year's SEX with last year's as text, so a previous year's header in
# the old codes is read in the new ones (1 as M, 2 as F) before the comparison.
SEX_AS_LETTERS_FROM = 2025


def _sex_as_letters(content: bytes) -> bytes:
    lines = content.decode("utf-8-sig").splitlines()
    columns = [c.strip().upper() for c in lines[0].split(",")]
    sex = columns.index("SEX")
    recoded = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if len(cells) > sex:
            cells[sex] = {"1": "M", "2": "F"}.get(cells[sex].strip(), cells[sex])
        recoded.append(",".join(cells))
    return ("\n".join(recoded) + "\n").encode("utf-8")


def _table_of(content: bytes, column_names: dict[str, list[str]]) -> str | None:
    header = content.decode("utf-8-sig").splitlines()[0] if content else ""
    columns = {c.strip().upper() for c in header.split(",")}
    for table, expected in column_names.items():
        if columns == set(expected):
            return table
    return None


def _cin(request: dict[str, Any]) -> dict[str, Any]:
    import xml.etree.ElementTree as ElementTree

    from cin_validator import cin_validator

    name, registry = _ruleset("cin_validator", "cin", request["year"])
    try:
        root = ElementTree.parse(request["file"]).getroot()
    except ElementTree.ParseError as error:
        raise LookupError(f"{request['file']}: not XML ({error})") from None
    data = cin_validator.process_data(cin_validator.convert_data(root))
    validator = cin_validator.CinValidator(data, registry)
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    issues = validator.full_issue_df
    for _, issue in issues.iterrows():
        rows[str(issue["rule_code"])].append(
            {
                "table": str(issue["tables_affected"]),
                "file": Path(request["file"]).name,
                "row": int(issue["row_id"]),
                "column": str(issue["columns_affected"]),
            }
        )
    for _, issue in validator.multichild_issues.iterrows():
        rows[str(issue["rule_code"])].append({"table": "", "file": "", "row": -1, "column": ""})
    findings = [
        {
            "code": str(rule.code),
            "message": rule.message,
            "fields": [],
            "rows": rows[str(rule.code)],
        }
        for rule in registry.values()
        if rows.get(str(rule.code))
    ]
    return {"ruleset": name, "findings": findings, "skipped": [], "failed": []}


if __name__ == "__main__":
    logging.disable(logging.CRITICAL)  # the packages log every rule at INFO
    os.environ.setdefault("QLACREF_PC_INSECURE", "True")
    request = json.loads(sys.argv[1])
    try:
        # Their progress output is not ours to print: stdout carries the JSON only.
        with contextlib.redirect_stdout(io.StringIO()):
            result = main(request)
    except LookupError as error:
        print(json.dumps({"error": str(error)}))
        sys.exit(1)
    print(json.dumps(result))
