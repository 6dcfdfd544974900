"""``solrsim bench pipeline``, ``audit`` and ``rehearsal`` run and print their figures."""

from __future__ import annotations

from typer.testing import CliRunner

from sim.bench._fleet_memory import untouched_bytes_per_meter
from sim.cli.main import app
from sim.scenario.model import load_scenario
from sim.scenario.shipped import DEFAULT_SCENARIO

runner = CliRunner()


def test_pipeline_benchmark_switches_meters_and_reports_the_crypto_share() -> None:
    result = runner.invoke(app, ["bench", "pipeline", "--count", "3"])
    assert result.exit_code == 0, result.output
    assert "requests/s" in result.output and "cryptographic primitives" in result.output


def test_audit_benchmark_reports_requests_per_second() -> None:
    result = runner.invoke(app, ["bench", "audit", "--count", "20"])
    assert result.exit_code == 0, result.output
    assert "requests/s" in result.output


def test_rehearsal_benchmark_reports_cpu_against_the_floor_switches_per_second_and_memory() -> None:
    result = runner.invoke(app, ["bench", "rehearsal", "--meters", "300"])
    assert result.exit_code == 0, result.output
    for figure in (
        "ms/switch",
        "floor ms",
        "ratio",
        "switched/s",
        "max RSS",
        "B/untouched",
        "KiB/switched",
    ):
        assert figure in result.output


def test_an_untouched_meter_costs_a_few_bytes() -> None:
    """Its type, supplier and payment mode, one byte each; no object, no key."""
    scenario = load_scenario(DEFAULT_SCENARIO)
    assert 2.5 < untouched_bytes_per_meter(scenario) < 4
