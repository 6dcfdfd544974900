"""``solrsim bench pipeline`` and ``solrsim bench audit`` run and print their figures."""

from __future__ import annotations

from typer.testing import CliRunner

from sim.cli import app

runner = CliRunner()


def test_pipeline_benchmark_switches_meters_and_reports_the_crypto_share() -> None:
    result = runner.invoke(app, ["bench", "pipeline", "--count", "3"])
    assert result.exit_code == 0, result.output
    assert "requests/s" in result.output and "cryptographic primitives" in result.output


def test_audit_benchmark_reports_requests_per_second() -> None:
    result = runner.invoke(app, ["bench", "audit", "--count", "20"])
    assert result.exit_code == 0, result.output
    assert "requests/s" in result.output


def test_rehearsal_benchmark_reports_switches_per_second_and_memory() -> None:
    result = runner.invoke(app, ["bench", "rehearsal", "--meters", "300"])
    assert result.exit_code == 0, result.output
    assert "switched/s" in result.output and "max RSS" in result.output
