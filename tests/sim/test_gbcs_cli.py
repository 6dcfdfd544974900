"""``solrsim gbcs decode`` / ``bench`` and ``solrsim demo``, as a user runs them."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from typer.testing import CliRunner

from sim.bench.gbcs_corpus import run as run_benchmark
from sim.cli.main import app
from tests.conformance import read_hex

runner = CliRunner()
ECS02_COMMAND = "rtds/RTDS-4.5.0/1.6_ECS02/ECS02_1.6_IMMEDIATE_SINGLE_SUCCESS_COMMAND_GBCS.HEX"


def _json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_decode_reports_fields_verdicts_and_payload(conformance: Path) -> None:
    keystore = conformance / "rtds" / "keystore"
    result = runner.invoke(
        app,
        ["gbcs", "decode", "--keystore", str(keystore), "--json", str(conformance / ECS02_COMMAND)],
    )
    assert result.exit_code == 0, result.output
    (record,) = _json_lines(result.output)
    assert record["message_code"] == "001A"
    assert record["use_case"] == "ECS02"
    assert record["cra"] == "command"
    assert record["originator"] == "90B3D51F30010000"
    assert record["recipient"] == "00DB1234567890A0"
    assert record["counter"] == 1002
    assert record["mac"] == "valid" and record["signature"] == "valid"
    assert record["payload"]["mode"] == "credit"
    assert record["summary"] == "payment mode → credit (immediate)"


def test_decode_without_keys_says_no_key_and_takes_hex_and_base64(conformance: Path) -> None:
    data = read_hex(conformance / ECS02_COMMAND)
    result = runner.invoke(
        app, ["gbcs", "decode", "--json", data.hex(), base64.b64encode(data).decode()]
    )
    assert result.exit_code == 0, result.output
    records = _json_lines(result.output)
    assert [r["mac"] for r in records] == ["no-key", "no-key"]
    assert [r["signature"] for r in records] == ["no-key", "no-key"]


def test_decode_with_the_wrong_acb_finds_no_key(conformance: Path) -> None:
    keystore = conformance / "rtds" / "keystore"
    args = [
        "gbcs",
        "decode",
        "--json",
        "--keystore",
        str(keystore),
        "--acb",
        "90-B3-D5-1F-30-01-00-00",
    ]
    result = runner.invoke(app, [*args, str(conformance / ECS02_COMMAND)])
    assert _json_lines(result.output)[0]["mac"] == "invalid"


def test_decode_folder_verifies_every_message(conformance: Path) -> None:
    keystore = conformance / "rtds" / "keystore"
    folder = conformance / "rtds" / "RTDS-4.5.0" / "1.6_GCS03"
    result = runner.invoke(
        app, ["gbcs", "decode", "--json", "--keystore", str(keystore), str(folder)]
    )
    assert result.exit_code == 0, result.output
    records = _json_lines(result.output)
    assert len(records) == len(list(folder.iterdir()))
    assert all(r["mac"] in ("valid", "absent") for r in records)
    assert all(r["signature"] in ("valid", "absent") for r in records)


def test_tampered_message_is_invalid(conformance: Path) -> None:
    keystore = conformance / "rtds" / "keystore"
    data = bytearray(read_hex(conformance / ECS02_COMMAND))
    data[-30] ^= 0x10  # inside the signature, which the MAC covers too
    result = runner.invoke(
        app, ["gbcs", "decode", "--json", "--keystore", str(keystore), bytes(data).hex()]
    )
    record = _json_lines(result.output)[0]
    assert (record["mac"], record["signature"]) == ("invalid", "invalid")


def test_malformed_input_is_reported_with_offset_and_exit_code(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.hex"
    truncated.write_text("DF0901000000")
    result = runner.invoke(app, ["gbcs", "decode", "--json", str(truncated), "zz-not-hex", "DF09"])
    assert result.exit_code == 1
    records = _json_lines(result.output)
    assert "truncated originator counter" in records[0]["error"]
    assert records[0]["offset"] == 3
    assert records[1]["error"].startswith("neither hex nor base64")
    assert "truncated CRA flag" in records[2]["error"]


def test_human_output_names_the_use_case(conformance: Path) -> None:
    result = runner.invoke(app, ["gbcs", "decode", str(conformance / ECS02_COMMAND)])
    assert result.exit_code == 0
    assert "ECS02" in result.output and "credit" in result.output


def test_demo_verifies_and_refuses_the_tampered_copy() -> None:
    result = runner.invoke(app, ["demo", "--seed", "test"])
    assert result.exit_code == 0, result.output
    assert "verified; tampered copy refused" in result.output


def test_demo_replays_byte_for_byte() -> None:
    first = runner.invoke(app, ["demo", "--seed", "same"]).output
    assert first == runner.invoke(app, ["demo", "--seed", "same"]).output
    assert first != runner.invoke(app, ["demo", "--seed", "other"]).output


def test_benchmark_measures_every_stage(conformance: Path, capsys) -> None:
    rates = run_benchmark(conformance, seconds=0.01)
    assert set(rates) == {
        "parse (frame + payload)",
        "parse + MAC check",
        "parse + MAC + signature check",
    }
    assert all(rate > 0 for rate in rates.values())
    assert "messages/s" in capsys.readouterr().out
