"""``solrsim serve --boxed-identities`` refuses an unusable corpus folder before serving."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from sim.cli import app


def test_boxed_identities_without_the_boxed_keys_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--boxed-identities", str(tmp_path)])
    assert result.exit_code == 2
    assert "boxed-identities" in result.output
