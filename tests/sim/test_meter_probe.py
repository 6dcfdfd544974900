"""``solrsim meter probe`` against a served meter over a joined pseudo-terminal pair."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from typer.testing import CliRunner

from devices.esme import Esme
from devices.gbcs.keystore import load_keystore
from devices.gbcs.verify import DEFAULT_ACB
from devices.gsme import Gsme
from devices.meter_keys import seeded_credentials
from devices.serial_probe import ProbeKeys
from sim.cli.demo import ESME, SUPPLIER
from sim.cli.main import app
from sim.cli.meter import GSME
from tests.devices.test_serial import Clock, Recorder, linked_ptys, serving

runner = CliRunner()


@contextmanager
def served_meter(seed: bytes, *, gas: bool = False) -> Iterator[str]:
    """A seeded ESME (or GSME) served on one end of a null modem; yields the other end."""
    eui = GSME if gas else ESME
    credentials = seeded_credentials(seed, eui, acb=DEFAULT_ACB, suppliers=[SUPPLIER])
    meter = (Gsme if gas else Esme)(credentials, SUPPLIER)
    with linked_ptys() as (meter_side, host_side), serving(meter_side, meter, Clock(), Recorder()):
        yield host_side


def verdicts(output: str) -> dict[str, str]:
    return {
        check: mark for mark, check in re.findall(r"^(PASS|FAIL) +(\w+(?: CRC)?)", output, re.M)
    }


def test_a_meter_with_the_expected_keys_passes_every_check(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    assert runner.invoke(app, ["keys", "export", "--out", str(keys)]).exit_code == 0
    with served_meter(b"solrsim") as port:
        result = runner.invoke(app, ["meter", "probe", port, "--keystore", str(keys)])
    assert verdicts(result.output) == {
        "ready": "PASS",
        "answered": "PASS",
        "signature": "PASS",
        "bad CRC": "PASS",
        "replay": "PASS",
    }, result.output
    assert result.exit_code == 0
    assert "5 of 5 checks passed" in result.output


def test_a_gas_meter_passes_too() -> None:
    with served_meter(b"lab-1", gas=True) as port:
        result = runner.invoke(app, ["meter", "probe", port, "--gsme", "--seed", "lab-1"])
    assert result.exit_code == 0, result.output


def test_a_meter_serving_other_keys_fails_and_says_why() -> None:
    with served_meter(b"another seed") as port:
        result = runner.invoke(app, ["meter", "probe", port, "--timeout", "1"])
    assert verdicts(result.output) == {
        "ready": "PASS",
        "answered": "FAIL",
        "signature": "FAIL",
        "bad CRC": "PASS",
        "replay": "PASS",
    }, result.output
    assert "REFUSED: mac-invalid" in result.output
    assert result.exit_code == 1


def test_a_meter_answering_for_another_eui_fails_readiness() -> None:
    with served_meter(b"solrsim") as port:
        result = runner.invoke(
            app, ["meter", "probe", port, "--eui", "00DB1234567890B1", "--timeout", "1"]
        )
    assert verdicts(result.output)["ready"] == "FAIL"
    assert "READY from 00DB1234567890A0, expected 00DB1234567890B1" in result.output
    assert result.exit_code == 1


def test_a_silent_port_fails() -> None:
    with linked_ptys() as (_, host_side):
        result = runner.invoke(app, ["meter", "probe", host_side, "--timeout", "0.3"])
    assert verdicts(result.output) == {
        "ready": "FAIL",
        "answered": "FAIL",
        "signature": "FAIL",
        "bad CRC": "FAIL",
        "replay": "PASS",  # silence is how a meter refuses a replay
    }, result.output
    assert result.exit_code == 1


def test_a_key_folder_without_the_meter_keys_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["meter", "probe", "/dev/null", "--keystore", str(tmp_path)])
    assert result.exit_code == 2
    assert "90b3d51f30010000-ds.key" in result.output


def test_probe_keys_from_an_exported_folder_are_the_seeded_ones(tmp_path: Path) -> None:
    assert runner.invoke(app, ["keys", "export", "--out", str(tmp_path)]).exit_code == 0
    exported = ProbeKeys.from_store(
        load_keystore(tmp_path), ESME, acb=DEFAULT_ACB, supplier=SUPPLIER
    )
    seeded = ProbeKeys.from_seed(b"solrsim", ESME, acb=DEFAULT_ACB, supplier=SUPPLIER)
    assert exported.meter_ka.public_numbers() == seeded.meter_ka.public_numbers()
    assert exported.supplier_ds.private_numbers() == seeded.supplier_ds.private_numbers()
