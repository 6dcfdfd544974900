"""``solrsim serve``: an unusable corpus folder is refused before serving; the timeouts."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.web.server import LOOPBACK, DuisServer, free_port
from tests.web.support import SCENARIO


def test_boxed_identities_without_the_boxed_keys_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--boxed-identities", str(tmp_path)])
    assert result.exit_code == 2
    assert "boxed-identities" in result.output


def _served(monkeypatch: pytest.MonkeyPatch, *options: str) -> DuisServer:
    """The server ``solrsim serve`` builds with ``options``, not run."""
    built: list[DuisServer] = []
    monkeypatch.setattr(DuisServer, "run", lambda server: built.append(server))
    arguments = ["serve", str(SCENARIO), "--port", "0", "--smki-port", str(free_port())]
    result = CliRunner().invoke(app, [*arguments, *options])
    assert result.exit_code == 0, result.output
    return built[0]


def test_the_timeouts_default_to_what_the_readme_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    server = _served(monkeypatch)
    assert server.delivery.policy.timeout == 30.0
    assert server.request_timeout == 15.0


def test_the_timeouts_can_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    server = _served(monkeypatch, "--delivery-timeout", "2.5", "--request-timeout", "4")
    assert (server.delivery.policy.timeout, server.request_timeout) == (2.5, 4.0)


def test_an_smki_port_already_taken_is_a_usage_error() -> None:
    with socket.socket() as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        port = taken.getsockname()[1]
        arguments = ["serve", str(SCENARIO), "--port", str(free_port()), "--smki-port", str(port)]
        result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2
    assert "smki-port" in result.output
