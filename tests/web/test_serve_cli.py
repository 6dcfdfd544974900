"""``solrsim serve --boxed-identities`` refuses an unusable corpus folder before serving."""

from __future__ import annotations

import socket
from pathlib import Path

from typer.testing import CliRunner

from sim.cli import app
from sim.web.server import LOOPBACK, free_port
from tests.web.support import SCENARIO


def test_boxed_identities_without_the_boxed_keys_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--boxed-identities", str(tmp_path)])
    assert result.exit_code == 2
    assert "boxed-identities" in result.output


def test_an_smki_port_already_taken_is_a_usage_error() -> None:
    with socket.socket() as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        port = taken.getsockname()[1]
        arguments = ["serve", str(SCENARIO), "--port", str(free_port()), "--smki-port", str(port)]
        result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2
    assert "smki-port" in result.output
