"""The meter benchmark runs and reports both figures (their values are not asserted)."""

from __future__ import annotations

from typer.testing import CliRunner

from sim.bench.meters import run
from sim.cli.main import app


def test_benchmark_reports_rate_and_memory() -> None:
    results = run(count=4, fleet_size=100)
    assert set(results) == {"commands_per_second", "bytes_per_idle_meter"}
    assert all(value > 0 for value in results.values())


def test_meter_bench_command_prints_both_figures() -> None:
    result = CliRunner().invoke(app, ["meter", "bench", "--count", "4", "--fleet-size", "100"])
    assert result.exit_code == 0, result.output
    assert "commands/s" in result.output and "bytes" in result.output
