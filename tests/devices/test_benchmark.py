"""The meter benchmark runs and reports both figures (their values are not asserted)."""

from __future__ import annotations

from benchmarks.meters import run


def test_benchmark_reports_rate_and_memory() -> None:
    results = run(count=4, fleet_size=100)
    assert set(results) == {"commands_per_second", "bytes_per_idle_meter"}
    assert all(value > 0 for value in results.values())
