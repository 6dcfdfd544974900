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


def test_rehearsal_benchmark_prints_the_speed_up_of_two_workers() -> None:
    args = ["bench", "rehearsal", "--meters", "300", "--workers", "1", "--workers", "2"]
    result = runner.invoke(app, [*args, "--engine", "processes"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines() if line.lstrip().startswith("300")]
    assert [row[1] for row in rows] == ["1", "2"]
    assert rows[0][10] == "1.00x" and rows[1][10].endswith("x")
    assert rows[0][3] == rows[1][3], "both switch the same meters"
