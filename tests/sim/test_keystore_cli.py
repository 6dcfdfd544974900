"""A key folder given to the CLI: a file it cannot use is a usage error naming the file (exit
2, no traceback), in ``gbcs decode``, ``meter serve`` and ``meter probe`` alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from typer.testing import CliRunner, Result

from sim.cli.main import app
from tests.devices.test_serial import demo_command

runner = CliRunner()
METER_DS_KEY = "00db1234567890a0-ds.key"
METER_DS_PEM = "00db1234567890a0-ds.pem"
ENCRYPTED = (
    METER_DS_KEY,
    ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    ),
    "an encrypted private key; use unencrypted PKCS#8",
)
MALFORMED = (METER_DS_PEM, b"not a pem\n", "not a PEM certificate or public key")


def invoke(*args: str) -> Result:
    """Wide enough that an error message stays on one line of typer's box."""
    return runner.invoke(app, list(args), env={"COLUMNS": "400"})


def error_line(result: Result) -> str:
    """The one line of the error box that says what is wrong."""
    [line] = [line for line in result.output.splitlines() if "Invalid value" in line]
    return line.strip("│ ")


def assert_usage_error(result: Result, option: str, file: Path, why: str) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # typer's usage exit, not an escaped error
    assert "Traceback" not in result.output
    assert error_line(result).startswith(f"Invalid value for {option}: {file}: {why}")


def exported_keys(folder: Path) -> Path:
    """What ``solrsim keys export`` writes for the default seeded ESME."""
    assert invoke("keys", "export", "--out", str(folder)).exit_code == 0
    return folder


def test_decode_checks_a_command_with_an_exported_key_folder(tmp_path: Path) -> None:
    keys = exported_keys(tmp_path / "keys")
    result = invoke(
        "gbcs", "decode", "--json", "--keystore", str(keys), demo_command(b"solrsim").hex()
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert (record["mac"], record["signature"]) == ("valid", "valid")


@pytest.mark.parametrize(
    ("name", "data", "why"), [MALFORMED, ENCRYPTED], ids=["malformed", "encrypted"]
)
def test_decode_names_a_key_file_it_cannot_use(
    tmp_path: Path, name: str, data: bytes, why: str
) -> None:
    (tmp_path / name).write_bytes(data)
    result = invoke("gbcs", "decode", "--keystore", str(tmp_path), "DF09")
    assert_usage_error(result, "--keystore", tmp_path / name, why)


def test_decode_names_a_key_folder_that_does_not_exist(tmp_path: Path) -> None:
    result = invoke("gbcs", "decode", "--keystore", str(tmp_path / "absent"), "DF09")
    assert result.exit_code == 2
    assert "No such file or directory" in error_line(result)


def test_decode_refuses_an_acb_that_is_not_an_eui64() -> None:
    result = invoke("gbcs", "decode", "--acb", "zz", "DF09")
    assert result.exit_code == 2
    assert error_line(result) == "Invalid value for --acb: not an EUI-64: 'zz'"


def test_meter_serve_names_an_encrypted_private_key(tmp_path: Path) -> None:
    name, data, why = ENCRYPTED
    (tmp_path / name).write_bytes(data)
    result = invoke("meter", "serve", "--port", "/dev/null", "--keystore", str(tmp_path))
    assert_usage_error(result, "--keystore", tmp_path / name, why)


def test_meter_probe_names_a_malformed_certificate(tmp_path: Path) -> None:
    keys = exported_keys(tmp_path / "keys")
    name, data, why = MALFORMED
    (keys / name).write_bytes(data)
    result = invoke("meter", "probe", "/dev/null", "--keystore", str(keys))
    assert_usage_error(result, "--keystore", keys / name, why)
