"""The web load benchmark, kept small: bounded in count and time, loopback only."""

from __future__ import annotations

from benchmarks.web_load import measure


def test_the_load_benchmark_measures_acknowledgements() -> None:
    result = measure(count=40, concurrency=4, seconds=20)
    assert result.answered == 40
    assert 0 < result.p50 <= result.p99
    assert result.per_second > 0
