"""How fast the synthetic authority is generated, beside serialising the same events.

Baseline: writing the same events as JSON Lines (`events.jsonl.dumps`) in the same run.
A ratio near or above 1 means generation costs no more than writing the file it feeds.
At scale 1.0 the authority is Doncaster-sized for 2012-2016 (about 606,000 events).
"""

from __future__ import annotations

import time

from benchmarks.conftest import record_ratio, scaled
from events.jsonl import dumps
from journeys.synthetic import AuthorityParameters, generate


def test_generator_events_per_second_beside_jsonl_writing(benchmark, scale: float) -> None:  # type: ignore[no-untyped-def]
    params = AuthorityParameters(children=scaled(65_000, scale), from_year=2012, to_year=2016)
    list(generate(AuthorityParameters(children=500, from_year=2014, to_year=2014)))  # warm up

    events = benchmark.pedantic(lambda: list(generate(params)), rounds=1, iterations=1)
    generating_seconds = benchmark.stats.stats.mean

    started = time.perf_counter()
    for event in events:
        dumps(event)
    writing_seconds = time.perf_counter() - started

    record_ratio(
        benchmark, "generated_events_per_second",
        figure=len(events) / generating_seconds, baseline=len(events) / writing_seconds,
        unit="events/s",
    )  # fmt: skip
    benchmark.extra_info["events"] = len(events)
    benchmark.extra_info["generating_seconds"] = generating_seconds
