"""``solrsim duis validate`` and ``solrsim duis bench``, as a user runs them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from sim.cli.main import app

runner = CliRunner()
TEMPLATE = "duis/templates/ECS02_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML"


def test_template_is_valid_against_ours_and_the_official_schema(conformance: Path) -> None:
    template = str(conformance / TEMPLATE)
    assert runner.invoke(app, ["duis", "validate", template]).exit_code == 0
    official = ["duis", "validate", "--xsd", str(conformance / "duis" / "xsd"), template]
    result = runner.invoke(app, official)
    assert result.exit_code == 0, result.output
    assert "DUIS V5.4" in result.output


def test_invalid_document_exits_1_with_the_reason(conformance: Path, tmp_path: Path) -> None:
    bad = tmp_path / "debit.xml"
    bad.write_text((conformance / TEMPLATE).read_text().replace("<sr:Credit/>", "<sr:Debit/>"))
    result = runner.invoke(app, ["duis", "validate", str(bad)])
    assert result.exit_code == 1
    assert "Debit" in result.output and "E1000" in result.output


def test_unusable_input_exits_2(tmp_path: Path) -> None:
    attack = tmp_path / "lol.xml"
    attack.write_text('<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>')
    for args in (
        ["duis", "validate", str(tmp_path / "missing.xml")],
        ["duis", "validate", str(attack)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2
    assert "DOCTYPE" in result.output
    missing_xsd = ["duis", "validate", "--xsd", str(tmp_path), str(attack)]
    assert runner.invoke(app, missing_xsd).exit_code == 2


def test_bench_prints_both_implementations(conformance: Path) -> None:
    result = runner.invoke(app, ["duis", "bench", "--seconds", "0.01"])
    assert result.exit_code == 0, result.output
    assert "solrsim sign" in result.output and "signxml verify" in result.output
