"""``solrsim serve``: an unusable corpus or state folder is refused before serving; the
timeouts."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli.main import app
from sim.web.server import LOOPBACK, DuisServer, free_port
from tests.web.support import SCENARIO

SUPPLIER = "90-B3-D5-1F-30-03-00-00"


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


def test_a_state_folder_of_another_world_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    state = str(tmp_path / "state")
    _served(monkeypatch, "--state", state, "--receiver", f"{SUPPLIER}=http://127.0.0.1:9/r")
    reseeded = tmp_path / "reseeded.yaml"
    reseeded.write_text(SCENARIO.read_text().replace("seed: 7", "seed: 8"))
    for scenario, options, why in [
        (SCENARIO, [], f"receivers: {SUPPLIER} there, none here"),
        (reseeded, ["--receiver", f"{SUPPLIER}=http://127.0.0.1:9/r"], "seed: 7 there, 8 here"),
    ]:
        result = CliRunner().invoke(app, ["serve", str(scenario), "--state", state, *options])
        assert result.exit_code == 2, result.output
        assert isinstance(result.exception, SystemExit)
        assert "another world" in result.output
        assert why in " ".join(result.output.replace("│", " ").split())


@pytest.mark.parametrize("damaged", ["world.sqlite", "audit.sqlite"])
def test_a_damaged_state_folder_is_refused(tmp_path: Path, damaged: str) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / damaged).write_bytes(b"not a database " * 1000)
    result = CliRunner().invoke(app, ["serve", str(SCENARIO), "--state", str(state)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "not a database" in result.output
