"""``solrsim bench web``, kept small: figures, answers per DUIS code, and a non-zero exit when a
valid request is refused."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from sim.bench import web_load
from sim.cli.main import app


def test_the_load_benchmark_prints_rates_latencies_and_codes() -> None:
    result = CliRunner().invoke(app, ["bench", "web", "--count", "60", "--concurrency", "8"])
    assert result.exit_code == 0, result.output
    assert "valid requests/s" in result.output and "p99" in result.output
    assert "answers by DUIS response code: I0 60; wrongly refused: 0" in result.output


def test_a_refused_valid_request_fails_the_benchmark(monkeypatch: pytest.MonkeyPatch) -> None:
    valid = web_load._requests

    def with_a_replay(population, count):
        documents = valid(population, count)
        return [*documents, documents[0]]  # the first request, sent again: a replay

    monkeypatch.setattr(web_load, "_requests", with_a_replay)
    result = CliRunner().invoke(app, ["bench", "web", "--count", "20", "--concurrency", "4"])
    assert result.exit_code == 1
    assert "E1000 1" in result.output and "wrongly refused: 1" in result.output


def test_with_a_state_folder_the_benchmark_also_times_a_restart_after_sigkill() -> None:
    result = CliRunner().invoke(
        app, ["bench", "web", "--count", "40", "--concurrency", "4", "--state"]
    )
    assert result.exit_code == 0, result.output
    assert "40 transforms journalled (--state)" in result.output
    assert "answers by DUIS response code: I0 40; wrongly refused: 0" in result.output
    assert "after SIGKILL, serving again in" in result.output
    assert "40 requests replayed" in result.output
