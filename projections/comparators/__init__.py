"""Published figures to compare an authority's own with: the case study's, for now.

`case_study.csv` (indicator, year, rate, source) is the one place the founding case
study's figures (domain.md section 4) are kept; the report, the demo and the synthetic
authority's calibration test all read them from here. A figure is filed under the year it
is for: the case study's "56% (2015)" is a 2015 figure.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from pathlib import Path

CASE_STUDY_FILE = Path(__file__).parent / "case_study.csv"


@functools.cache
def case_study_figures() -> Mapping[str, Mapping[int, float]]:
    """The case study's published rates: indicator -> {reporting year: rate}."""
    figures: dict[str, dict[int, float]] = {}
    with CASE_STUDY_FILE.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            figures.setdefault(row["indicator"], {})[int(row["year"])] = float(row["rate"])
    return figures
