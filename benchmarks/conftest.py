"""The benchmark suite's shared pieces: the `--scale` option and figures with baselines.

Every benchmark reports its figure beside a baseline measured side by side in the same
run (see benchmarks/README.md), through `record_ratio`:

    from benchmarks.conftest import record_ratio

    def test_codec_encodes_faster_than_apache_avro(benchmark, scale):
        events = ...                                   # sized by `scale`
        baseline = events_per_second(apache_encode, events)
        figure = events_per_second(codec_encode, events)
        benchmark.pedantic(codec_encode, args=(events,), rounds=3)
        record_ratio(benchmark, "encode", figure, baseline, unit="events/s")

`record_ratio` stores {figure, baseline, ratio, unit, higher_is_better} under
`benchmark.extra_info[name]`, so `pytest benchmarks/ --benchmark-json=FILE` carries it in
each benchmark's `extra_info`; the hooks below also gather every ratio into a top-level
`"ratios"` list of that JSON and print them all at the end of the run.

Scale: `--scale 1.0` (the default) sizes every benchmark so the whole suite finishes in
under 10 minutes on a 2-core machine; `--scale 10` is national scale, at least 10 million
events for the projection benchmark. Benchmarks multiply their own default sizes by the
`scale` fixture. The `kafka` and `kafka_cluster` fixtures come from the root conftest.py.
"""

from __future__ import annotations

import os
import platform
from typing import Any

import pytest

# Every ratio recorded in this run, for the summary printed at the end.
_ratios_stash = pytest.StashKey[list[dict[str, Any]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--scale",
        action="store",
        type=float,
        default=1.0,
        help="size of every benchmark: 1.0 (default) finishes the suite in under 10 minutes; "
        "10 is national scale (10 million or more events for the projection benchmark).",
    )


def pytest_configure(config: pytest.Config) -> None:
    scale = config.getoption("--scale")
    if not scale > 0:
        raise pytest.UsageError(f"--scale must be a number greater than 0, not {scale}")
    config.stash[_ratios_stash] = []


@pytest.fixture(scope="session")
def scale(pytestconfig: pytest.Config) -> float:
    """The `--scale` multiplier: 1.0 is the default size, 10 is national size."""
    return float(pytestconfig.getoption("--scale"))


def scaled(size: int, scale: float) -> int:
    """`size` multiplied by `scale`, at least 1."""
    return max(1, round(size * scale))


def record_ratio(
    benchmark: Any,
    name: str,
    figure: float,
    baseline: float,
    unit: str,
    higher_is_better: bool = True,
) -> None:
    """Store a figure beside its same-run baseline in the benchmark's extra_info, and print it.

    `ratio` is figure / baseline. With `higher_is_better` (throughputs) a ratio above 1
    means the figure beats the baseline; for durations or sizes pass
    `higher_is_better=False`, and a ratio below 1 is the better result.
    """
    if not baseline > 0:
        raise ValueError(f"record_ratio({name!r}): baseline must be greater than 0, not {baseline}")
    if figure < 0:
        raise ValueError(f"record_ratio({name!r}): figure must be 0 or more, not {figure}")
    ratio = figure / baseline
    entry = {
        "figure": figure,
        "baseline": baseline,
        "ratio": ratio,
        "unit": unit,
        "higher_is_better": higher_is_better,
    }
    benchmark.extra_info[name] = entry
    line = _describe(benchmark.name, name, entry)
    print(line)
    if _current_config is not None:
        ratios = _current_config.stash[_ratios_stash]
        ratios.append({"benchmark": benchmark.fullname, "name": name, **entry})


def _describe(benchmark_name: str, name: str, entry: dict[str, Any]) -> str:
    better = "higher is better" if entry["higher_is_better"] else "lower is better"
    return (
        f"{benchmark_name} [{name}]: {entry['figure']:,.6g} {entry['unit']} "
        f"vs baseline {entry['baseline']:,.6g} {entry['unit']} "
        f"= {entry['ratio']:.3g}x ({better})"
    )


_current_config: pytest.Config | None = None


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # record_ratio is a plain function; it finds the run's ratio list through this.
    global _current_config
    _current_config = session.config


def pytest_benchmark_update_machine_info(
    config: pytest.Config, machine_info: dict[str, Any]
) -> None:
    machine_info["cpu_count"] = os.cpu_count()
    machine_info["platform"] = platform.platform()
    machine_info["care_journeys_scale"] = float(config.getoption("--scale"))


def pytest_benchmark_update_json(
    config: pytest.Config, benchmarks: list[Any], output_json: dict[str, Any]
) -> None:
    """Gather every benchmark's figures, baselines and ratios into one top-level list."""
    output_json["scale"] = float(config.getoption("--scale"))
    output_json["ratios"] = [
        {"benchmark": bench["fullname"], "name": name, **entry}
        for bench in output_json.get("benchmarks", [])
        for name, entry in sorted(bench.get("extra_info", {}).items())
        if isinstance(entry, dict) and "ratio" in entry
    ]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    ratios = config.stash.get(_ratios_stash, [])
    if not ratios:
        return
    terminalreporter.section("figures against their same-run baselines")
    scale = float(config.getoption("--scale"))
    terminalreporter.write_line(f"scale {scale:g}, {os.cpu_count()} CPUs, {platform.platform()}")
    for entry in ratios:
        terminalreporter.write_line(_describe(entry["benchmark"], entry["name"], entry))
